"""One structure date's view of the rollup engine: every KPI of any subtree of that date's org
tree, read from the engine's indexes laid out for the tree, with comparisons, the org's typical
team, DORA tiers and trends. A view never changes, so it caches what it computed."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

import numpy as np
import numpy.typing as npt

from graph.catalogue import CATALOGUE, Kpi, Source
from graph.contributions import Contributions
from graph.delivery import DeliveryKpis
from graph.dispatch import KpiDispatch
from graph.lru import Lru
from graph.measures import Floats
from graph.membership import Membership
from graph.parallel import in_parallel
from graph.peers import Group, PeerGroups
from graph.percentiles import SubtreePercentiles
from graph.privacy import PrivacyFloor, Withheld
from graph.quality import Quality
from graph.report import KpiReport, Metric
from graph.review import ReviewFlow
from graph.rollup import SubtreeSums
from graph.services import ServiceKpis
from graph.spans import Span
from graph.tiers import DoraTier, change_failure_tier, lead_time_tier, restore_tier
from graph.tree import OrgTree
from graph.trends import Grain, Period, is_partial, periods

if TYPE_CHECKING:
    from graph.engine import Engine


#: bounds of each view's caches (entries): about 200 bytes per metric, a sibling group's values
#: per group
CACHED_METRICS = 1 << 16
CACHED_GROUPS = 1 << 12
#: arrays of values of many teams (a KPI, or the privacy floor, over one set of teams)
CACHED_VALUES = 1 << 9


class OrgView:
    """Every KPI of the subtrees of one org tree (one structure date)."""

    def __init__(self, engine: Engine, tree: OrgTree) -> None:
        self.engine = engine
        self.tree = tree
        self.config = engine.config
        # the parts are independent and mostly numpy and polars, which release the GIL
        built = in_parallel(
            {
                "delivery": lambda: engine.delivery.for_tree(tree),
                "headcount": lambda: engine.headcount.for_tree(tree),
                "platforms": lambda: engine.platforms.for_tree(tree),
                "quality": lambda: engine.quality.for_tree(tree),
                "contributions": lambda: engine.contributions.for_tree(tree),
                "review": lambda: engine.review.for_tree(tree),
                "unresolved": lambda: SubtreeSums(
                    engine.unresolved.index, tree, {"unresolved": engine.unresolved.cube}
                ),
                **{
                    f"percentile:{name}": functools.partial(
                        index.for_tree, tree, **engine.percentile_limits
                    )
                    for name, index in engine.samples.items()
                },
            }
        )
        self.delivery = cast(DeliveryKpis, built["delivery"])
        self.headcount = cast(Membership, built["headcount"])
        self.platforms = cast(Membership, built["platforms"])
        self.quality = cast(Quality, built["quality"])
        self.contributions = cast(Contributions, built["contributions"])
        self.review = cast(ReviewFlow, built["review"])
        self.unresolved = cast(SubtreeSums, built["unresolved"])
        self.privacy = PrivacyFloor(
            tree, self.people_on, self.config.privacy_floor, self.headcount.counts_many
        )
        self.percentile: dict[str, SubtreePercentiles] = {
            name.split(":", 1)[1]: cast(SubtreePercentiles, value)
            for name, value in built.items()
            if name.startswith("percentile:")
        }
        # A view never changes (a refresh builds new views), so what it computed stays true:
        # the org's, parents' and peer groups' values are shared by every report and request
        # that asks for the same window. Bounded: least recently used entries go first.
        self._metrics = Lru[Metric](CACHED_METRICS)
        self._groups = Lru[Group](CACHED_GROUPS)
        self._levels: dict[str, dict[int, tuple[str, ...]]] = {}
        self._values = Lru[Floats](CACHED_VALUES)
        self._withheld = Lru[npt.NDArray[np.bool_]](CACHED_VALUES)
        # each KPI's computation, for one subtree and for many (graph/dispatch.py)
        self._kpis = KpiDispatch(self).forms

    # -- one KPI ---------------------------------------------------------------------------

    def people_on(self, team: str, on: date) -> int:
        """People whose primary team is in the subtree on the day ``on``."""
        return sum(self.headcount.by_category(team, on).values())

    def roles_on(self, team: str, on: date) -> dict[str, int] | None:
        """The subtree's people on ``on`` by role; None when withheld under the privacy
        floor (a team of two would show who is who)."""
        if self.privacy.withheld(team, on):
            return None
        return self.headcount.by_category(team, on)

    @property
    def spans(self) -> dict[Source, Span]:
        """The days the store has data for, per source (the engine's, for every view)."""
        return self.engine.spans

    def service_delivery(self, service: str, start: date, end: date) -> ServiceKpis:
        """One service's own delivery over ``[start, end)``, whoever owned it then."""
        return self.engine.service_delivery.kpis(service, start, end)

    def group(self, kpi: Kpi, parent: str | None, start: date, end: date) -> Group:
        """The values of the active teams under ``parent`` (or of the active roots)."""
        return self._groups.get_or_compute(
            (kpi, parent, start, end), lambda: self._compute_group(kpi, parent, start, end)
        )

    def _compute_group(self, kpi: Kpi, parent: str | None, start: date, end: date) -> Group:
        members = (
            self.tree.children(parent)
            if parent is not None
            else tuple(root for root in self.tree.roots if self.tree.is_active(root))
        )
        values = [
            v for member in members if (v := self.metric(kpi, member, start, end).value) is not None
        ]
        return Group.of(values)

    def metric(self, kpi: Kpi, team: str, start: date, end: date) -> Metric:
        """One KPI of one subtree over ``[start, end)``, without comparisons."""

        def compute() -> Metric:
            coverage = self.coverage(kpi, start, end)
            if CATALOGUE[kpi].people and self.privacy.withheld(team, end - timedelta(days=1)):
                return Metric(kpi, None, 0, True, None, coverage, Withheld.BELOW_PRIVACY_FLOOR)
            found = self._kpis[kpi].one(team, start, end)
            return Metric(kpi, found.value, found.sample, found.exact, None, coverage)

        return self._metrics.get_or_compute((kpi, team, start, end), compute)

    def values(self, kpi: Kpi, teams: Iterable[str], start: date, end: date) -> Floats:
        """``kpi`` of many subtrees over ``[start, end)``: each one's ``metric(...).value``,
        NaN where that is None (under the privacy floor too), computed for all of them at once
        over the indexes where the KPI has that form (else one by one). Cached; read-only."""
        asked = tuple(teams)
        return self._values.get_or_compute(
            (kpi, asked, start, end), lambda: self._compute_values(kpi, asked, start, end)
        )

    def _compute_values(self, kpi: Kpi, teams: tuple[str, ...], start: date, end: date) -> Floats:
        many = self._kpis[kpi].many
        if many is None:
            found = np.array(
                [
                    np.nan if (v := self.metric(kpi, t, start, end).value) is None else v
                    for t in teams
                ],
                dtype=np.float64,
            )
        else:
            found = many(self.tree.subtrees(teams), start, end)
            if CATALOGUE[kpi].people:
                day = end - timedelta(days=1)
                withheld = self._withheld.get_or_compute(
                    (teams, day), lambda: self.privacy.withheld_many(teams, day)
                )
                found[withheld] = np.nan
        found.flags.writeable = False
        return found

    def coverage(self, kpi: Kpi, start: date, end: date) -> float:
        """Share of ``[start, end)`` the store has data for ``kpi`` (a point-in-time KPI: 1
        or 0 for the window's last day)."""
        definition = CATALOGUE[kpi]
        span = self.engine.spans[definition.source]
        if definition.point_in_time:
            return span.covers(end - timedelta(days=1))
        return span.coverage(start, end)

    def typical(self, kpi: Kpi, team: str, start: date, end: date) -> Group:
        """The KPI over the org's active teams at ``team``'s depth (its root's tree), those
        with a value: what a typical team of the org looks like, whatever the team's size."""
        ancestors = self.tree.ancestors(team)
        root = ancestors[0] if ancestors else team
        depth = len(ancestors)
        return self._groups.get_or_compute(
            ("typical", kpi, root, depth, start, end),
            lambda: Group.of(
                [
                    v
                    for member in self.level(root, depth)
                    if (v := self.metric(kpi, member, start, end).value) is not None
                ]
            ),
        )

    def level(self, root: str, depth: int) -> tuple[str, ...]:
        """The active teams ``depth`` levels below ``root`` (0: ``root`` itself), in tree
        order; cached per ``root``."""
        levels = self._levels.get(root)
        if levels is None:
            found: dict[int, list[str]] = {}
            base = self.tree.depth(root)
            for member in self.tree.subtree(root):
                if self.tree.is_active(member):
                    found.setdefault(self.tree.depth(member) - base, []).append(member)
            levels = self._levels[root] = {d: tuple(teams) for d, teams in found.items()}
        return levels.get(depth, ())

    def leaves(self, root: str) -> tuple[str, ...]:
        """The active teams of ``root``'s subtree with no active child, in tree order."""
        tree = self.tree
        return tuple(
            team for team in tree.subtree(root) if tree.is_active(team) and not tree.children(team)
        )

    # -- reports ---------------------------------------------------------------------------

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
        """Every KPI (or those asked) of one subtree over ``[start, end)``, with comparisons
        (and the org's typical team, unless ``typical`` is False) and DORA tiers."""
        return self.reports(
            [team], start, end, kpis=kpis, compare=compare, typical=typical, tiers=tiers
        )[0]

    def reports(
        self,
        teams: Sequence[str],
        start: date,
        end: date,
        *,
        kpis: Iterable[Kpi] = tuple(Kpi),
        compare: bool = True,
        typical: bool = True,
        tiers: bool = True,
    ) -> list[KpiReport]:
        """Reports of many subtrees at once; peers, parents and the org are computed once for
        all of them."""
        for team in teams:
            if team not in self.tree:
                raise KeyError(f"unknown team {team!r}")
        if end <= start:
            raise ValueError(f"empty window [{start}, {end}): 'to' must be after 'from'")
        asked = tuple(kpis)
        peers = PeerGroups(self, start, end)
        out = []
        for team in teams:
            metrics = {}
            for kpi in asked:
                metric = self.metric(kpi, team, start, end)
                if compare:
                    comparison = peers.compare(kpi, team, typical=typical)
                    metric = replace(metric, comparison=comparison)
                metrics[kpi] = metric
            on = end - timedelta(days=1)
            coverage = self.quality.code_coverage(team, on)
            debt = self.quality.technical_debt_minutes(team, on)
            out.append(
                KpiReport(
                    team=team,
                    start=start,
                    end=end,
                    as_of=self.tree.as_of,
                    metrics=metrics,
                    deployment_tier=self.delivery.deployment_days(team, start, end)[1],
                    headcount_by_role=self.roles_on(team, on),
                    unresolved_incidents=self.unresolved.total("unresolved", team, start, end),
                    coverage_unmeasured=coverage.unmeasured,
                    debt_unmeasured=debt.unmeasured,
                    **(self._tiers(team, start, end) if tiers else {}),
                )
            )
        return out

    def _tiers(self, team: str, start: date, end: date) -> dict[str, DoraTier | None]:
        def value(kpi: Kpi) -> float | None:
            return self.metric(kpi, team, start, end).value

        return {
            "lead_time_tier": lead_time_tier(value(Kpi.LEAD_TIME_HOURS_P50)),
            "change_failure_tier": change_failure_tier(value(Kpi.CHANGE_FAILURE_RATE)),
            "restore_tier": restore_tier(value(Kpi.TIME_TO_RESTORE_HOURS_P50)),
        }

    def trend(
        self, kpi: Kpi, team: str, start: date, end: date, grain: Grain = Grain.WEEK
    ) -> list[Period]:
        """``kpi`` for each week (counted from ``start``) or calendar month of the window."""
        if team not in self.tree:
            raise KeyError(f"unknown team {team!r}")
        return [
            Period(first, last, self.metric(kpi, team, first, last), is_partial(first, last, grain))
            for first, last in periods(start, end, grain)
        ]
