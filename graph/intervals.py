"""Point-in-time sums of any subtree on any day, from rows valid over a range of days (people in
a team, services owned, a service's latest measurement): exact on every date, with no per-day
table.

For one structure date each row is listed under its team and every ancestor of it (an entry per
level of the tree), and each team's entries are kept sorted twice: by first day and by end day,
with running sums of the weights. The rows of a subtree valid on day ``d`` are then those that
started on or before ``d`` minus those that ended on or before it: two binary searches in the
subtree root's own entries, whatever the size of the subtree. Memory is rows x (depth + 1).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from graph.tree import OrgTree, Subtrees

EPOCH = date(1970, 1, 1)
_DAY_MIN, _DAY_MAX = -(2**31), 2**31 - 1
_OPEN_END = _DAY_MAX
Int64s = npt.NDArray[np.int64]


def day_number(day: date) -> int:
    """Days since 1970-01-01 (the number polars gives a ``Date``)."""
    return (day - EPOCH).days


class IntervalIndex:
    """Rows with a team, a first day (inclusive) and an end day (exclusive, null = open), an
    optional category and named integer weights (the row count ``rows`` is always there)."""

    def __init__(
        self,
        rows: pl.DataFrame,
        *,
        team: str,
        start: str = "valid_from",
        end: str = "valid_to",
        category: str | None = None,
        weights: Sequence[str] = (),
    ) -> None:
        self.team = rows[team]
        self.start = rows[start].cast(pl.Int64).to_numpy().astype(np.int64)
        self.end = rows[end].cast(pl.Int64).fill_null(_OPEN_END).to_numpy().astype(np.int64)
        if category is None:
            self.categories = [""]
            self.category = np.zeros(rows.height, dtype=np.int64)
        else:
            values = rows[category].fill_null("")
            self.categories = sorted(set(values.to_list()))
            codes = {value: code for code, value in enumerate(self.categories)}
            codes_of = values.cast(pl.String).replace_strict(codes, return_dtype=pl.Int64)
            self.category = codes_of.to_numpy().astype(np.int64)
        self.weights: dict[str, Int64s] = {"rows": np.ones(rows.height, dtype=np.int64)}
        for name in weights:
            self.weights[name] = rows[name].cast(pl.Int64).to_numpy().astype(np.int64)

        self._last: tuple[OrgTree, SubtreeIntervals] | None = None
        self._lock = threading.Lock()

    def for_tree(self, tree: OrgTree) -> SubtreeIntervals:
        """The sums for one tree (the last one is kept: several KPIs share an index, and may
        ask for it from several threads at once)."""
        with self._lock:
            if self._last is None or self._last[0] is not tree:
                self._last = (tree, SubtreeIntervals(self, tree))
            return self._last[1]


class _Sorted:
    """Entries of every (team, category) cell sorted by one day column, with running sums."""

    def __init__(
        self, cell: Int64s, days: Int64s, weights: Mapping[str, Int64s], cells: int
    ) -> None:
        # one integer key: the cell in the high bits, the day (clipped to 32 bits) in the low
        keys = _key(cell, days)
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.offsets = np.zeros(cells + 1, dtype=np.int64)
        np.cumsum(np.bincount(cell, minlength=cells), out=self.offsets[1:])
        self.sums = {}
        for name, weight in weights.items():
            running = np.zeros(len(order) + 1, dtype=np.int64)
            np.cumsum(weight[order], out=running[1:])
            self.sums[name] = running

    def upto(self, cell: int, day: int, weight: str) -> int:
        """Sum of ``weight`` over the cell's entries with a day <= ``day`` (a date's number:
        inside 32 bits, as every key's low part)."""
        first, last = int(self.offsets[cell]), int(self.offsets[cell + 1])
        found = first + int(
            np.searchsorted(self.keys[first:last], (cell << 32) + day - _DAY_MIN, "right")
        )
        running = self.sums[weight]
        return int(running[found]) - int(running[first])

    def upto_many(self, cells: Int64s, day: int, weight: str) -> Int64s:
        """:meth:`upto` of many cells on one day."""
        found = np.searchsorted(self.keys, (cells << 32) + (day - _DAY_MIN), "right")
        running = self.sums[weight]
        return running[found] - running[self.offsets[cells]]


def _key(cell: Int64s, days: Int64s) -> Int64s:
    return (cell << 32) + (np.clip(days, _DAY_MIN, _DAY_MAX) - _DAY_MIN)


class SubtreeIntervals:
    """Sums over the rows of any subtree of one org tree valid on a day or during a window."""

    def __init__(self, source: IntervalIndex, tree: OrgTree) -> None:
        self.tree = tree
        self.categories = source.categories
        self._code = {value: code for code, value in enumerate(source.categories)}
        positions = list(tree.team_ids)
        position = {team: i for i, team in enumerate(positions)}
        parent = np.array(
            [position.get(tree.parent(team) or "", -1) for team in positions], dtype=np.int64
        )
        teams = source.team.cast(pl.String).replace_strict(position, return_dtype=pl.Int64)
        at = teams.to_numpy().astype(np.int64)
        rows = np.arange(len(at), dtype=np.int64)
        # one entry per row and level: the row's team, then each ancestor
        levels_at, levels_row = [], []
        while len(at):
            levels_at.append(at)
            levels_row.append(rows)
            at = parent[at]
            rows = rows[at >= 0]
            at = at[at >= 0]
        node = np.concatenate(levels_at) if levels_at else np.zeros(0, dtype=np.int64)
        row = np.concatenate(levels_row) if levels_row else np.zeros(0, dtype=np.int64)
        self.width = len(source.categories)
        cell = node * self.width + source.category[row]
        cells = len(positions) * self.width
        weights = {name: values[row] for name, values in source.weights.items()}
        self._starts = _Sorted(cell, source.start[row], weights, cells)
        self._ends = _Sorted(cell, source.end[row], weights, cells)

        self.on = functools.lru_cache(maxsize=4096)(self._on)

    def _cell(self, team: str, category: str) -> int | None:
        code = self._code.get(category)
        return None if code is None else self.tree.position(team) * self.width + code

    def _on(
        self, team: str, day: date, *, category: str | None = None, weight: str = "rows"
    ) -> int:
        """Sum of ``weight`` over the subtree's rows of ``category`` (None: of every category)
        valid on ``day``."""
        if category is None:
            return sum(self._on(team, day, category=c, weight=weight) for c in self.categories)
        cell = self._cell(team, category)
        if cell is None:
            return 0
        d = day_number(day)
        return self._starts.upto(cell, d, weight) - self._ends.upto(cell, d, weight)

    def by_category(self, team: str, day: date, *, weight: str = "rows") -> dict[str, int]:
        """:meth:`on` for every category, those with a zero sum left out."""
        counts = {c: self.on(team, day, category=c, weight=weight) for c in self.categories}
        return {c: n for c, n in counts.items() if n}

    def overlapping(self, team: str, start: date, end: date) -> int:
        """How many of the subtree's rows (all categories) were valid on some day of
        ``[start, end)``: started before ``end`` and not ended by ``start``."""
        if end <= start:
            return 0
        last, first = day_number(end) - 1, day_number(start)
        total = 0
        for category in self.categories:
            cell = self._cell(team, category)
            assert cell is not None
            total += self._starts.upto(cell, last, "rows") - self._ends.upto(cell, first, "rows")
        return total

    def _cells(self, teams: Subtrees, categories: Iterable[str] | None) -> tuple[Int64s, int]:
        """The cells of each subtree's categories (None: all), a row per team; how many."""
        codes = (
            range(self.width)
            if categories is None
            else sorted(self._code[c] for c in set(categories) if c in self._code)
        )
        columns = np.array(codes, dtype=np.int64)
        return (teams.first[:, None] * self.width + columns[None, :]).ravel(), len(columns)

    def on_many(
        self,
        teams: Subtrees,
        day: date,
        *,
        categories: Iterable[str] | None = None,
        weight: str = "rows",
    ) -> Int64s:
        """:meth:`on` of many subtrees, summed over ``categories`` (None: every category)."""
        cells, width = self._cells(teams, categories)
        d = day_number(day)
        found = self._starts.upto_many(cells, d, weight) - self._ends.upto_many(cells, d, weight)
        return _per_team(found, len(teams), width)

    def overlapping_many(self, teams: Subtrees, start: date, end: date) -> Int64s:
        """:meth:`overlapping` of many subtrees."""
        if end <= start:
            return np.zeros(len(teams), dtype=np.int64)
        cells, width = self._cells(teams, None)
        last, first = day_number(end) - 1, day_number(start)
        started = self._starts.upto_many(cells, last, "rows")
        return _per_team(started - self._ends.upto_many(cells, first, "rows"), len(teams), width)


def _per_team(cells: Int64s, teams: int, width: int) -> Int64s:
    """Sums of consecutive runs of ``width`` cells: a team's categories."""
    totals: Int64s = cells.reshape(teams, width).sum(axis=1, dtype=np.int64)
    return totals
