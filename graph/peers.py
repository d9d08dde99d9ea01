"""Peer groups: the sorted values of a sibling group, from which any member's comparison with
its peers (the group without it) is read in O(log n), each group computed once for all the
teams of a request."""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from graph.catalogue import Kpi
from graph.comparisons import Comparison

if TYPE_CHECKING:
    from graph.view import OrgView


@dataclass(frozen=True)
class Group:
    """The sorted values of a sibling group, with their mean and sum of squared deviations,
    so that any member's peers (the group without it) are summed up in O(log n)."""

    values: list[float]  # sorted; a list, as bisect on a few dozen floats beats numpy's calls
    mean: float
    squares: float

    @classmethod
    def of(cls, values: list[float]) -> Group:
        ordered = sorted(values)
        mean = math.fsum(ordered) / len(ordered) if ordered else 0.0
        return cls(ordered, mean, math.fsum((v - mean) ** 2 for v in ordered))

    def median(self) -> float | None:
        """Nearest-rank median of the whole group."""
        n = len(self.values)
        return self.values[max(math.ceil(0.5 * n) - 1, 0)] if n else None

    def without(self, value: float | None) -> tuple[float | None, float | None, float | None]:
        """Median, percentile rank of ``value`` and its z-score among the group's values with
        one occurrence of ``value`` taken out (none when ``value`` is None: not a member)."""
        ordered, n = self.values, len(self.values)
        at = -1 if value is None else bisect.bisect_left(ordered, value)
        size, mean, squares = n, self.mean, self.squares
        if at >= 0:
            assert value is not None
            size = n - 1
            if size:
                mean = (n * self.mean - value) / size
                squares = max(self.squares - (value - self.mean) * (value - mean), 0.0)

        def peer(i: int) -> float:  # the i-th smallest peer
            return ordered[i if at < 0 or i < at else i + 1]

        if size == 0:
            return None, None, None
        median = peer(max(math.ceil(0.5 * size) - 1, 0))
        if value is None:
            return median, None, None
        below = at if at >= 0 else bisect.bisect_left(ordered, value)
        equal = bisect.bisect_right(ordered, value) - below - (1 if at >= 0 else 0)
        percentile = 100 * (below + equal / 2) / size
        z = None
        if size >= 2 and peer(0) != peer(size - 1):
            z = (value - mean) / math.sqrt(squares / size)
        return median, percentile, z


class PeerGroups:
    """Comparisons for many teams: each sibling group's values are computed and sorted once."""

    def __init__(self, view: OrgView, start: date, end: date) -> None:
        self.view = view
        self.start, self.end = start, end
        self.previous = start - (end - start)

    def _value(self, kpi: Kpi, team: str) -> float | None:
        return self.view.metric(kpi, team, self.start, self.end).value

    def _group(self, kpi: Kpi, team: str) -> Group:
        return self.view.group(kpi, self.view.tree.parent(team), self.start, self.end)

    def compare(self, kpi: Kpi, team: str, *, typical: bool = True) -> Comparison:
        tree = self.view.tree
        value = self._value(kpi, team)
        ancestors = tree.ancestors(team)
        parent = tree.parent(team)
        group = self._group(kpi, team)
        # the team is among its group exactly when it is active and has a value
        if value is not None and tree.is_active(team):
            median, percentile, z = group.without(value)
        else:
            median, _, _ = group.without(None)
            percentile = z = None
            if value is not None and len(group.values):
                outsider = Group.of([*group.values, value])
                _, percentile, z = outsider.without(value)
        previous = self.view.metric(kpi, team, self.previous, self.start)
        org = self.view.typical(kpi, team, self.start, self.end) if typical else None
        return Comparison(
            value=value,
            org_value=self._value(kpi, ancestors[0] if ancestors else team),
            parent_value=None if parent is None else self._value(kpi, parent),
            peer_median=median,
            peer_percentile=percentile,
            z_score=z,
            previous_value=previous.value,
            previous_coverage=previous.coverage,
            typical_median=None if org is None else org.median(),
            typical_mean=None if org is None or not org.values else org.mean,
            typical_teams=None if org is None else len(org.values),
        )
