"""What a token scoped to a team may see (docs/security.md), enforced in the one place every
resolver reads teams through: the view of the request (``Context.view``).

A principal that sees everything gets the engine's ``OrgView`` itself. A scoped viewer gets a
:class:`ScopedView`, a deny-by-default stand-in with only the methods the API reads, each of
which checks what the team is to the scope:

- **inside** (the scope's team and its subtree): everything;
- **the org** (the scope's root, when the scope is not a root): its name and place, and its
  org-level figures (KPIs, trends, headcount, initiatives' status), never its children's;
- **an ancestor** between them: its name and place only (breadcrumbs);
- **anything else**: nothing; it is not in the tree the resolvers see, as if it did not exist.

Comparisons are aggregates over teams outside the scope too. Each is shown only when the teams
outside the scope it aggregates are none or at least ``min_peers``; else it is withheld
(``TOO_FEW_PEERS``). ``parentValue`` of the scope's own team is withheld (``OUTSIDE_SCOPE``):
its parent minus its children is the parent team's own figure.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from enum import Enum
from typing import Protocol

from api.core.errors import FORBIDDEN, ApiError
from graph.catalogue import Kpi, Source
from graph.comparisons import Comparison
from graph.lru import Lru
from graph.privacy import Withheld
from graph.report import KpiReport, Metric
from graph.services import ServiceKpis
from graph.spans import Span
from graph.tree import OrgTree
from graph.trends import Grain, Period
from graph.view import OrgView


class Place(Enum):
    """What a team is to a scope."""

    INSIDE = "inside"
    ORG = "org"
    ANCESTOR = "ancestor"
    OUTSIDE = "outside"


class Tree(Protocol):
    """The org tree as resolvers read it (``OrgTree``, or a scope's part of it)."""

    @property
    def as_of(self) -> date: ...
    @property
    def roots(self) -> tuple[str, ...]: ...
    @property
    def team_ids(self) -> Sequence[str]: ...
    def __contains__(self, team_id: object) -> bool: ...
    def name(self, team_id: str) -> str: ...
    def type(self, team_id: str) -> str | None: ...
    def is_active(self, team_id: str) -> bool: ...
    def parent(self, team_id: str) -> str | None: ...
    def ancestors(self, team_id: str) -> tuple[str, ...]: ...
    def depth(self, team_id: str) -> int: ...
    def children(self, team_id: str, include_inactive: bool = False) -> tuple[str, ...]: ...
    def subtree(self, team_id: str) -> Sequence[str]: ...
    def is_in_subtree(self, team_id: str, ancestor_id: str) -> bool: ...
    def services_of(self, team_id: str, include_inactive: bool = False) -> tuple[str, ...]: ...
    def owner_of(self, service_id: str) -> str | None: ...
    def service_name(self, service_id: str) -> str: ...
    def service_platform(self, service_id: str) -> str | None: ...
    def is_service_active(self, service_id: str) -> bool: ...


class TeamData(Protocol):
    """Everything resolvers read of a structure date (``OrgView``, or a scope's view of it)."""

    @property
    def tree(self) -> Tree: ...
    def report(
        self,
        team: str,
        start: date,
        end: date,
        *,
        kpis: Iterable[Kpi] = ...,
        compare: bool = ...,
        typical: bool = ...,
        tiers: bool = ...,
    ) -> KpiReport: ...
    def metric(self, kpi: Kpi, team: str, start: date, end: date) -> Metric: ...
    def trend(
        self, kpi: Kpi, team: str, start: date, end: date, grain: Grain = ...
    ) -> list[Period]: ...
    def people_on(self, team: str, on: date) -> int: ...
    def roles_on(self, team: str, on: date) -> dict[str, int] | None: ...
    def service_delivery(self, service: str, start: date, end: date) -> ServiceKpis: ...
    @property
    def spans(self) -> dict[Source, Span]: ...


def outside_scope(team: str) -> ApiError:
    return ApiError(
        f"team {team!r} is outside your token's scope: only its name and place in the tree "
        "are shown",
        FORBIDDEN,
    )


class ScopedTree:
    """The part of an org tree a scope shows: its subtree, its ancestors (their names and
    places), nothing else. Teams outside it are unknown here, as if they did not exist."""

    def __init__(self, tree: OrgTree, scope: str) -> None:
        self.whole = tree
        self.scope = scope
        self.known = scope in tree
        self.path = (*tree.ancestors(scope), scope) if self.known else ()

    def place(self, team: str) -> Place:
        if not self.known or team not in self.whole:
            return Place.OUTSIDE
        if self.whole.is_in_subtree(team, self.scope):
            return Place.INSIDE
        if team in self.path:
            return Place.ORG if team == self.path[0] else Place.ANCESTOR
        return Place.OUTSIDE

    def _seen(self, team: str) -> str:
        if self.place(team) is Place.OUTSIDE:
            raise KeyError(f"unknown team {team!r}")
        return team

    @property
    def as_of(self) -> date:
        return self.whole.as_of

    @property
    def roots(self) -> tuple[str, ...]:
        return self.path[:1]

    @property
    def team_ids(self) -> Sequence[str]:
        return (*self.path[:-1], *self.whole.subtree(self.scope)) if self.known else ()

    def __contains__(self, team_id: object) -> bool:
        return isinstance(team_id, str) and self.place(team_id) is not Place.OUTSIDE

    def name(self, team_id: str) -> str:
        return self.whole.name(self._seen(team_id))

    def type(self, team_id: str) -> str | None:
        return self.whole.type(self._seen(team_id))

    def is_active(self, team_id: str) -> bool:
        return self.whole.is_active(self._seen(team_id))

    def parent(self, team_id: str) -> str | None:
        return self.whole.parent(self._seen(team_id))

    def ancestors(self, team_id: str) -> tuple[str, ...]:
        return self.whole.ancestors(self._seen(team_id))

    def depth(self, team_id: str) -> int:
        return self.whole.depth(self._seen(team_id))

    def children(self, team_id: str, include_inactive: bool = False) -> tuple[str, ...]:
        place = self.place(team_id)
        if place is Place.INSIDE:
            return self.whole.children(team_id, include_inactive)
        if place is Place.OUTSIDE:
            raise KeyError(f"unknown team {team_id!r}")
        following = self.path[self.path.index(team_id) + 1]  # the next team towards the scope
        return tuple(c for c in self.whole.children(team_id, include_inactive) if c == following)

    def subtree(self, team_id: str) -> Sequence[str]:
        if self.place(team_id) is Place.INSIDE:
            return self.whole.subtree(team_id)
        self._seen(team_id)
        return (*self.path[self.path.index(team_id) : -1], *self.whole.subtree(self.scope))

    def is_in_subtree(self, team_id: str, ancestor_id: str) -> bool:
        return self.whole.is_in_subtree(self._seen(team_id), self._seen(ancestor_id))

    def services_of(self, team_id: str, include_inactive: bool = False) -> tuple[str, ...]:
        if self.place(team_id) is not Place.INSIDE:
            self._seen(team_id)
            return ()
        return self.whole.services_of(team_id, include_inactive)

    def _service(self, service_id: str) -> str:
        owner = self.whole.owner_of(service_id)
        if owner is None or self.place(owner) is not Place.INSIDE:
            raise KeyError(f"unknown service {service_id!r}")
        return service_id

    def owner_of(self, service_id: str) -> str | None:
        return self.whole.owner_of(self._service(service_id))

    def service_name(self, service_id: str) -> str:
        return self.whole.service_name(self._service(service_id))

    def service_platform(self, service_id: str) -> str | None:
        return self.whole.service_platform(self._service(service_id))

    def is_service_active(self, service_id: str) -> bool:
        return self.whole.is_service_active(self._service(service_id))


class ScopedView:
    """A structure date's view for a viewer scoped to ``scope`` (see the module docstring)."""

    def __init__(self, view: OrgView, scope: str, min_peers: int) -> None:
        self.view = view
        self.tree = ScopedTree(view.tree, scope)
        self.min_peers = min_peers
        self._inside_at: dict[tuple[Kpi, int, date, date], int] = {}

    def require(self, team: str, *, org: bool = True) -> OrgView:
        """The engine's view, for reading ``team``'s own figures: a team inside the scope, or
        (``org``) the scope's root; else FORBIDDEN (an unknown team is a KeyError)."""
        place = self.tree.place(team)
        if place is Place.OUTSIDE:
            raise KeyError(f"unknown team {team!r}")
        if place is Place.INSIDE or (org and place is Place.ORG):
            return self.view
        raise outside_scope(team)

    # -- what the resolvers read -------------------------------------------------------------

    def report(
        self,
        team: str,
        start: date,
        end: date,
        *,
        kpis: Iterable[Kpi] = tuple(Kpi),
        compare: bool = True,
        typical: bool = True,
        tiers: bool = True,
    ) -> KpiReport:
        found = self.require(team).report(
            team, start, end, kpis=kpis, compare=compare, typical=typical, tiers=tiers
        )
        metrics = {
            kpi: metric
            if metric.comparison is None
            else replace(metric, comparison=self._masked(kpi, team, start, end, metric.comparison))
            for kpi, metric in found.metrics.items()
        }
        return replace(found, metrics=metrics)

    def metric(self, kpi: Kpi, team: str, start: date, end: date) -> Metric:
        return self.require(team).metric(kpi, team, start, end)

    def trend(
        self, kpi: Kpi, team: str, start: date, end: date, grain: Grain = Grain.WEEK
    ) -> list[Period]:
        return self.require(team).trend(kpi, team, start, end, grain)

    def people_on(self, team: str, on: date) -> int:
        return self.require(team).people_on(team, on)

    def roles_on(self, team: str, on: date) -> dict[str, int] | None:
        return self.require(team).roles_on(team, on)

    def service_delivery(self, service: str, start: date, end: date) -> ServiceKpis:
        self.tree.owner_of(service)  # a KeyError unless its owner is inside the scope
        return self.view.service_delivery(service, start, end)

    @property
    def spans(self) -> dict[Source, Span]:
        return self.view.spans  # the store's, the same for every team

    # -- comparisons -------------------------------------------------------------------------

    def _masked(
        self, kpi: Kpi, team: str, start: date, end: date, compared: Comparison
    ) -> Comparison:
        """``compared`` less the figures that would show too few teams outside the scope."""
        withheld: list[tuple[str, Withheld]] = []
        whole = self.view.tree
        has_value = compared.value is not None and whole.is_active(team)
        if team == self.tree.scope and compared.parent_value is not None:
            withheld.append(("parent_value", Withheld.OUTSIDE_SCOPE))
        if self.tree.place(team) is not Place.INSIDE or team == self.tree.scope:
            # its peers (siblings, or the other roots) are outside the scope
            group = self.view.group(kpi, whole.parent(team), start, end)
            if self._too_few(len(group.values) - has_value):
                withheld += [(f, Withheld.TOO_FEW_PEERS) for f in _PEER_FIGURES]
        root = (whole.ancestors(team) or (team,))[0]
        if root != team and self._too_few(_size(whole, root) - _size(whole, self.tree.scope)):
            withheld.append(("org_value", Withheld.TOO_FEW_PEERS))
        if compared.typical_teams is not None and team != root:  # a root's is itself
            inside = self._inside_with_value(kpi, whole.depth(team), start, end)
            if self._too_few(compared.typical_teams - inside):
                withheld += [("typical_median", Withheld.TOO_FEW_PEERS)]
                withheld += [("typical_mean", Withheld.TOO_FEW_PEERS)]
        if not withheld:
            return compared
        return replace(compared, **{name: None for name, _ in withheld}, withheld=tuple(withheld))

    def _too_few(self, outside: int) -> bool:
        return 0 < outside < self.min_peers

    def _inside_with_value(self, kpi: Kpi, depth: int, start: date, end: date) -> int:
        """Active teams of the scope at ``depth`` with a value of ``kpi`` (the part of the
        typical group inside the scope)."""
        key = (kpi, depth, start, end)
        if key not in self._inside_at:
            whole = self.view.tree
            self._inside_at[key] = sum(
                1
                for t in whole.subtree(self.tree.scope)
                if whole.depth(t) == depth
                and whole.is_active(t)
                and self.view.metric(kpi, t, start, end).value is not None
            )
        return self._inside_at[key]


_PEER_FIGURES = ("peer_median", "peer_percentile", "z_score")


def _size(tree: OrgTree, team: str) -> int:
    first, last = tree.interval(team)
    return last - first


#: each view's scoped views (kept while the view is: they cache what they computed)
_SCOPED: weakref.WeakKeyDictionary[OrgView, Lru[ScopedView]] = weakref.WeakKeyDictionary()
_SCOPED_LOCK = threading.Lock()
#: scopes kept per view
CACHED_SCOPES = 256


def scoped(view: OrgView, scope: str, min_peers: int) -> ScopedView:
    """The view of ``view`` for a viewer scoped to ``scope``, made once per view and scope."""
    with _SCOPED_LOCK:
        per_view = _SCOPED.get(view)
        if per_view is None:
            per_view = _SCOPED[view] = Lru[ScopedView](CACHED_SCOPES)
    return per_view.get_or_compute((scope, min_peers), lambda: ScopedView(view, scope, min_peers))


def engine_view(data: TeamData, team: str, *, org: bool = True) -> OrgView:
    """The engine's view behind ``data``, for functions of the engine that compute ``team``'s
    figures (initiatives, insights): FORBIDDEN unless the client may see them (``org``: the
    scope's root counts as its own)."""
    if isinstance(data, ScopedView):
        return data.require(team, org=org)
    assert isinstance(data, OrgView)
    return data
