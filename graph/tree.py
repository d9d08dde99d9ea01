"""The org tree on one structure date, with Euler-tour intervals for O(1) subtree tests.

Rules (docs/kpis.md, "Attribution and rollup"): the structure used is the one valid on the
structure date ``as_of``. A team with a version valid on ``as_of`` is active under that
version's parent. Every other team stays in the tree, inactive, so that no event drops out:
a team that ended (or has a gap in its history covering ``as_of``) sits under the parent of its
latest version before ``as_of``; a team that starts later sits under the parent of its first
version. Services follow the same rule under their owning team. A parent or owner that is
not a known team makes a root (a parentless service node); a parent cycle, which only the
inactive placement can create, is cut by making one of its teams a root (``_break_cycles``).

Teams are numbered in preorder (children sorted by id), so the subtree of a team is the
contiguous range of positions ``[tin, tout)`` and "is X in the subtree of Y" is two
comparisons. Every query answers from these arrays and dicts; ``OrgTree.graph``, the same
tree as a ``networkx.DiGraph`` for NetworkX's algorithms (docs/graph.md), is built only when
first read.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import networkx as nx
import numpy as np
import numpy.typing as npt

from store.rows import ServiceVersion, TeamVersion

_V = TypeVar("_V", TeamVersion, ServiceVersion)
Int64s = npt.NDArray[np.int64]


def service_node(service_id: str) -> tuple[str, str]:
    """The node key of a service in ``OrgTree.graph``.

    Services are keyed ``("service", id)`` so that a service and a team sharing an id (a
    ``payments`` team owning a ``payments`` service is common) stay two distinct nodes.

    >>> service_node("checkout")
    ('service', 'checkout')
    """
    return ("service", service_id)


def _is_valid_on(version: TeamVersion | ServiceVersion, day: date) -> bool:
    """Whether the version covers ``day``: ``valid_from`` inclusive, ``valid_to`` exclusive."""
    return version.valid_from <= day and (version.valid_to is None or day < version.valid_to)


def _rank(version: TeamVersion | ServiceVersion, day: date) -> tuple[int, int]:
    """Sort key of the version that places an entity on ``day``: smaller wins."""
    start = version.valid_from.toordinal()
    if _is_valid_on(version, day):
        return (0, -start)  # valid on the day (the latest one if rows overlap)
    if version.valid_from <= day:
        return (1, -start)  # ended or in a gap: its latest version before the day
    return (2, start)  # not started yet: its first version


def _pick_versions(versions: Iterable[_V], day: date) -> dict[str, _V]:
    """The version placing each id on ``day``, per the active/ended/future rule.

    >>> a = TeamVersion("a", "A", None, None, date(2020, 1, 1), date(2021, 1, 1))
    >>> b = TeamVersion("a", "A2", "x", None, date(2022, 1, 1), None)
    >>> _pick_versions([a, b], date(2021, 6, 1))["a"].name  # in the gap: the latest before
    'A'
    """
    best: dict[str, _V] = {}
    for version in versions:
        current = best.setdefault(version.id, version)
        if current is version:
            continue  # the common case: the first version of an id
        new, old = _rank(version, day), _rank(current, day)
        # repr() breaks exact ties (invalid duplicate rows) whatever the input order.
        if new < old or (new == old and repr(version) < repr(current)):
            best[version.id] = version
    return best


def _break_cycles(parent: dict[str, str | None], active: dict[str, bool]) -> None:
    """Make one team of each parent cycle a root, in place.

    Valid data has no cycle on any date, but placing inactive teams combines versions of
    different dates. Each cycle loses the parent of its smallest inactive id (its placement
    came from another date), or of its smallest id if all are active; the choice depends
    only on the cycle's members, so it is the same whatever the input order.
    """
    done: set[str] = set()
    for start in parent:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parent[node]
        if node is not None and node in on_path:
            cycle = path[path.index(node) :]
            parent[min(cycle, key=lambda team: (active[team], team))] = None
        done.update(path)


@dataclass(frozen=True, eq=False)
class Subtrees:
    """The subtrees of many teams of one tree, as arrays: each team's preorder range
    ``[first, last)`` (what the indexes' batch computations read, one array operation for all
    of them)."""

    teams: tuple[str, ...]
    first: Int64s
    last: Int64s

    def __len__(self) -> int:
        return len(self.teams)

    def take(self, rows: Int64s) -> Subtrees:
        """The subtrees at ``rows`` of this one, in that order."""
        return Subtrees(
            tuple(self.teams[i] for i in rows.tolist()), self.first[rows], self.last[rows]
        )


class OrgTree:
    """The org on one structure date: a forest of teams with their services.

    Build it with :func:`build_org_tree`. Immutable: every query (``interval``,
    ``is_in_subtree``, ``parent``, ``ancestors``, ...) is a plain dict or list lookup;
    ``graph`` is the same tree as a frozen ``networkx.DiGraph`` (parent -> child) for
    NetworkX's algorithms, built on first access only. Unknown ids raise ``KeyError``.
    """

    __slots__ = (
        "_active",
        "_active_children",
        "_active_roots",
        "_active_services",
        "_as_of",
        "_children",
        "_depth",
        "_graph",
        "_graph_lock",
        "_inactive_services",
        "_order",
        "_owner",
        "_parent",
        "_pos",
        "_roots",
        "_service",
        "_services",
        "_team",
        "_tout",
    )

    def __init__(
        self, teams: Iterable[TeamVersion], services: Iterable[ServiceVersion], as_of: date
    ) -> None:
        self._as_of = as_of
        team = self._team = _pick_versions(teams, as_of)
        active = self._active = {tid: _is_valid_on(v, as_of) for tid, v in team.items()}
        # An unknown parent makes a root: the loader rejects such data, but stay total.
        parent = {tid: v.parent_id if v.parent_id in team else None for tid, v in team.items()}
        _break_cycles(parent, active)
        self._parent = parent

        # Appending in id order makes every children list sorted without sorting each one.
        kids: dict[str, list[str]] = {}
        roots: list[str] = []
        for tid in sorted(team):
            p = parent[tid]
            (roots if p is None else kids.setdefault(p, [])).append(tid)
        self._roots = tuple(roots)
        self._active_roots = tuple(r for r in roots if active[r])
        children = self._children = {p: tuple(c) for p, c in kids.items()}
        self._active_children = {p: tuple(x for x in c if active[x]) for p, c in kids.items()}

        # Iterative preorder DFS: depth and width may exceed the recursion limit.
        order: list[str] = []
        stack = roots[::-1]
        while stack:
            tid = stack.pop()
            order.append(tid)
            stack.extend(reversed(children.get(tid, ())))
        pos = self._pos = {tid: i for i, tid in enumerate(order)}
        parent_pos = [-1 if (p := parent[t]) is None else pos[p] for t in order]  # -1: root
        depth = [0] * len(order)
        for i, p_i in enumerate(parent_pos):  # a parent precedes its children in preorder
            if p_i >= 0:
                depth[i] = depth[p_i] + 1
        size = [1] * len(order)
        for i in range(len(order) - 1, 0, -1):  # children come after parents: sizes add up
            if parent_pos[i] >= 0:
                size[parent_pos[i]] += size[i]
        self._order = tuple(order)
        self._depth = depth
        self._tout = [i + s for i, s in enumerate(size)]
        self._index_services(_pick_versions(services, as_of))

        self._graph: Any = None  # built by the first read of ``graph``
        self._graph_lock = threading.Lock()  # set last: ``__setattr__`` refuses from here on

    def _index_services(self, service: dict[str, ServiceVersion]) -> None:
        """The service indexes: owner, services per team (all and active), inactive ones."""
        as_of, team = self._as_of, self._team
        owned: defaultdict[str, list[str]] = defaultdict(list)
        for sid, sv in service.items():
            owned[sv.owner_team_id].append(sid)
        # Services follow their owner's preorder, sorted by id within a team; those whose
        # owner is unknown come last (parentless nodes of ``graph``).
        unowned = sorted(sid for tid, sids in owned.items() if tid not in team for sid in sids)
        groups = [(tid, owned[tid]) for tid in self._order if tid in owned]
        owner: dict[str, str | None] = {}
        services: dict[str, tuple[str, ...]] = {}
        active_services: dict[str, tuple[str, ...]] = {}
        inactive: list[str] = []
        for holder, sids in (*groups, (None, unowned)):
            sids.sort()
            live: list[str] = []
            for sid in sids:
                (live if _is_valid_on(service[sid], as_of) else inactive).append(sid)
            owner.update(dict.fromkeys(sids, holder))
            if holder is not None:
                services[holder], active_services[holder] = tuple(sids), tuple(live)
        self._service = {sid: service[sid] for sid in owner}  # in ``graph``'s node order
        self._owner, self._services, self._active_services = owner, services, active_services
        self._inactive_services = frozenset(inactive)

    def _build_graph(self) -> Any:
        """The frozen DiGraph, built through networkx's public API from the tree's indexes."""
        as_of, team, parent, active = self._as_of, self._team, self._parent, self._active
        depth, pos = self._depth, self._pos
        graph = nx.DiGraph(as_of=as_of)
        graph.add_nodes_from(
            (
                tid,
                {
                    "name": team[tid].name,
                    "type": team[tid].type,
                    "active": active[tid],
                    "depth": depth[i],
                    "kind": "team",
                },
            )
            for i, tid in enumerate(self._order)
        )
        graph.add_edges_from((p, tid) for tid in self._order if (p := parent[tid]) is not None)
        inactive = self._inactive_services
        nodes: list[tuple[tuple[str, str], dict[str, Any]]] = []
        edges: list[tuple[str, tuple[str, str]]] = []
        for sid, sv in self._service.items():
            holder = self._owner[sid]
            key = service_node(sid)
            attrs = {
                "name": sv.name,
                "platform": sv.platform,
                "active": sid not in inactive,
                "depth": 0 if holder is None else depth[pos[holder]] + 1,
                "kind": "service",
            }
            nodes.append((key, attrs))
            if holder is not None:
                edges.append((holder, key))
        graph.add_nodes_from(nodes)
        graph.add_edges_from(edges)
        return nx.freeze(graph)

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse any assignment once built, so that a shared tree cannot drift."""
        if hasattr(self, "_graph_lock"):  # set last in __init__: the build is over
            raise AttributeError(f"OrgTree is immutable (cannot set {name!r})")
        object.__setattr__(self, name, value)

    def _at(self, team_id: str) -> int:
        """The team's position, or a ``KeyError`` naming the unknown id."""
        try:
            return self._pos[team_id]
        except KeyError:
            raise KeyError(f"unknown team id {team_id!r}") from None

    def __len__(self) -> int:
        """The number of teams (services not counted)."""
        return len(self._order)

    def __contains__(self, team_id: object) -> bool:
        """Whether ``team_id`` is a team of the tree."""
        return team_id in self._pos

    def __repr__(self) -> str:
        """A short summary: structure date, team and root counts."""
        return f"<OrgTree as_of={self._as_of} teams={len(self)} roots={len(self._roots)}>"

    @property
    def as_of(self) -> date:
        """The structure date the tree was built for."""
        return self._as_of

    @property
    def graph(self) -> Any:
        """The tree as a frozen ``networkx.DiGraph``, parent -> child, built on first access
        and kept (one per tree, so one per structure date of the engine); see docs/graph.md.

        Team nodes are team ids with ``name``, ``type``, ``active``, ``depth`` and
        ``kind="team"``; service nodes are :func:`service_node` keys with ``name``,
        ``platform``, ``active``, ``depth`` (its owner's plus one, 0 without one) and
        ``kind="service"``. The graph attribute ``as_of`` is the structure date. No query of
        the tree reads it.

        >>> t = build_org_tree([TeamVersion("a", "A", None, None, date.min, None)],
        ...     [ServiceVersion("s", "S", "a", None, date.min, None)], as_of=date(2024, 1, 1))
        >>> t.graph_built, t.graph.nodes[service_node("s")]["depth"], t.graph_built
        (False, 1, True)
        """
        graph = self._graph
        if graph is None:
            with self._graph_lock:  # concurrent first reads build it once
                graph = self._graph
                if graph is None:
                    graph = self._build_graph()
                    object.__setattr__(self, "_graph", graph)
        return graph

    @property
    def graph_built(self) -> bool:
        """Whether ``graph`` has been built (reading this builds nothing)."""
        return self._graph is not None

    @property
    def roots(self) -> tuple[str, ...]:
        """The teams without a parent, sorted by id (inactive ones included)."""
        return self._roots

    @property
    def team_ids(self) -> tuple[str, ...]:
        """Every team id once, in preorder: ``team_ids[tree.position(t)] == t``."""
        return self._order

    def position(self, team_id: str) -> int:
        """The team's preorder position (``tin``)."""
        return self._at(team_id)

    def team_at(self, position: int) -> str:
        """The team at a preorder position; ``IndexError`` outside ``[0, len(tree))``."""
        if position < 0:
            raise IndexError(f"position {position} out of range")
        return self._order[position]

    def interval(self, team_id: str) -> tuple[int, int]:
        """The half-open preorder range ``[tin, tout)`` of the team's subtree.

        >>> t = build_org_tree([TeamVersion("a", "A", None, None, date.min, None),
        ...     TeamVersion("b", "B", "a", None, date.min, None)], as_of=date(2024, 1, 1))
        >>> t.interval("a"), t.interval("b")
        ((0, 2), (1, 2))
        """
        try:  # inlined: interval lookups are the hot path of every rollup
            i = self._pos[team_id]
        except KeyError:
            raise KeyError(f"unknown team id {team_id!r}") from None
        return (i, self._tout[i])

    def subtrees(self, team_ids: Iterable[str]) -> Subtrees:
        """The preorder ranges of many teams at once (a ``KeyError`` names an unknown one).

        >>> t = build_org_tree([TeamVersion("a", "A", None, None, date.min, None),
        ...     TeamVersion("b", "B", "a", None, date.min, None)], as_of=date(2024, 1, 1))
        >>> found = t.subtrees(["b", "a"])
        >>> found.first.tolist(), found.last.tolist()
        ([1, 0], [2, 2])
        """
        teams = tuple(team_ids)
        first = [self._at(team) for team in teams]
        last = [self._tout[i] for i in first]
        return Subtrees(teams, np.array(first, dtype=np.int64), np.array(last, dtype=np.int64))

    def is_in_subtree(self, team_id: str, ancestor_id: str) -> bool:
        """Whether ``team_id`` is ``ancestor_id`` or one of its descendants."""
        pos = self._pos  # inlined lookups: this runs once per (event, subtree) pair
        try:
            j = pos[ancestor_id]
            return j <= pos[team_id] < self._tout[j]
        except KeyError:
            missing = ancestor_id if ancestor_id not in pos else team_id
            raise KeyError(f"unknown team id {missing!r}") from None

    def subtree(self, team_id: str) -> Sequence[str]:
        """The team and all its descendants, in preorder (a slice of ``team_ids``)."""
        i = self._at(team_id)
        return self._order[i : self._tout[i]]

    def parent(self, team_id: str) -> str | None:
        """The team's parent on the structure date, ``None`` for a root."""
        try:
            return self._parent[team_id]
        except KeyError:
            raise KeyError(f"unknown team id {team_id!r}") from None

    def children(self, team_id: str, include_inactive: bool = False) -> tuple[str, ...]:
        """The team's children, sorted by id; inactive ones only if asked."""
        self._at(team_id)
        kids = self._children if include_inactive else self._active_children
        return kids.get(team_id, ())

    def ancestors(self, team_id: str) -> tuple[str, ...]:
        """The team's ancestors, root first, without the team itself."""
        self._at(team_id)
        chain: list[str] = []
        node = self._parent[team_id]
        while node is not None:
            chain.append(node)
            node = self._parent[node]
        return tuple(reversed(chain))

    def depth(self, team_id: str) -> int:
        """The number of ancestors: 0 for a root."""
        return self._depth[self._at(team_id)]

    def is_active(self, team_id: str) -> bool:
        """Whether the team has a version valid on the structure date."""
        self._at(team_id)
        return self._active[team_id]

    def name(self, team_id: str) -> str:
        """The team's name, from the version that places it."""
        self._at(team_id)
        return self._team[team_id].name

    def type(self, team_id: str) -> str | None:
        """The team's type (org, department, team, ...), from the version that places it."""
        self._at(team_id)
        return self._team[team_id].type

    def services_of(self, team_id: str, include_inactive: bool = False) -> tuple[str, ...]:
        """Services the team owns directly on the structure date, sorted by id; with
        ``include_inactive``, also the ended and future services placed under it."""
        self._at(team_id)
        sids = self._services if include_inactive else self._active_services
        return sids.get(team_id, ())

    def owner_of(self, service_id: str) -> str | None:
        """The team the service sits under (its owner on the structure date, else its last
        or first owner); ``None`` if that team is unknown."""
        try:
            return self._owner[service_id]
        except KeyError:
            raise KeyError(f"unknown service id {service_id!r}") from None

    def is_service_active(self, service_id: str) -> bool:
        """Whether the service has a version valid on the structure date."""
        self.owner_of(service_id)
        return service_id not in self._inactive_services

    def service_name(self, service_id: str) -> str:
        """The service's name, from the version that places it."""
        self.owner_of(service_id)
        return self._service[service_id].name

    def service_platform(self, service_id: str) -> str | None:
        """The service's platform (e.g. ``native_aws``), from the version that places it."""
        self.owner_of(service_id)
        return self._service[service_id].platform

    def peers(self, team_id: str) -> tuple[str, ...]:
        """The team's active siblings, without itself (for a root: the other active roots)."""
        self._at(team_id)
        p = self._parent[team_id]
        siblings = self._active_roots if p is None else self._active_children.get(p, ())
        return tuple(s for s in siblings if s != team_id)


def build_org_tree(
    teams: Iterable[TeamVersion], services: Iterable[ServiceVersion] = (), *, as_of: date
) -> OrgTree:
    """The org tree on the structure date ``as_of`` (see the module docstring for the rules).

    >>> v = [TeamVersion("org", "Org", None, "org", date.min, None),
    ...      TeamVersion("old", "Old", "org", "team", date.min, date(2023, 1, 1))]
    >>> t = build_org_tree(v, as_of=date(2024, 1, 1))
    >>> t.team_ids, t.is_active("old"), t.children("org"), t.children("org", True)
    (('org', 'old'), False, (), ('old',))
    """
    return OrgTree(teams, services, as_of)
