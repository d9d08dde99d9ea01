"""Nearest-rank percentiles of any subtree x window without scanning the subtree's events.

Each sample (one change's lead time, one incident's time to restore, ...) is a point
``(team, day, value)``. For one structure date the points are sorted by ``(day, preorder
position)``: the samples of a subtree on one day are then one contiguous slice, found by binary
search, so the samples of any subtree x window are gathered in O(days x log n + samples).

* A window with at most :data:`EXACT_LIMIT` samples is answered **exactly**: the samples are
  gathered and the nearest-rank value picked (``np.partition``).
* A larger one belongs to a subtree with more than that many samples in all. Each such subtree
  keeps cumulative histograms of its samples by block of days, over logarithmic buckets of
  relative width :data:`ALPHA` (as DDSketch does): the window is the difference of two
  cumulative histograms plus the samples of the partial blocks at its edges, gathered as above.
  The value reported for a bucket is within ``ALPHA`` (1%) of every value in it, so the
  percentile is within 1% of the exact nearest-rank value (values under one second: within one
  second).

The block length of a subtree is chosen from its sample rate so that the edges hold about
:data:`EDGE_SAMPLES` samples: query cost stays flat as the org grows, and the histograms take
about ``8 x buckets / EDGE_SAMPLES`` bytes per sample per ancestor (tens of MB at 20,000 teams).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from graph.rollup import TeamIndex
from graph.tree import OrgTree, Subtrees

ALPHA = 0.01
GAMMA = (1 + ALPHA) / (1 - ALPHA)
#: The smallest value told apart (hours): one second.
FLOOR = 1 / 3600
EXACT_LIMIT = 4096
EDGE_SAMPLES = 4096

Int64s = npt.NDArray[np.int64]


def bucket_of(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Bucket 0 holds 0, bucket 1 ``(0, FLOOR]``, bucket ``i >= 2`` ``(FLOOR GAMMA^(i-2), FLOOR
    GAMMA^(i-1)]``.

    >>> bucket_of(np.array([0.0, 1e-9, FLOOR, FLOOR * 1.01])).tolist()
    [0, 1, 1, 2]
    """
    with np.errstate(divide="ignore"):
        scaled = np.ceil(np.log(np.maximum(values, FLOOR) / FLOOR) / math.log(GAMMA) - 1e-9)
    return np.where(values > 0, 1 + np.maximum(scaled, 0), 0).astype(np.int64)


def bucket_value(bucket: int) -> float:
    """The value reported for a bucket: within ``ALPHA`` of every value in it."""
    if bucket <= 1:
        return 0.0 if bucket == 0 else FLOOR
    return FLOOR * GAMMA ** (bucket - 2) * 2 * GAMMA / (GAMMA + 1)


@dataclass(frozen=True)
class Percentiles:
    """Nearest-rank values for the asked quantiles (None when the sample is empty), and the
    sample size; ``exact`` is False when they come from the histograms."""

    values: tuple[float | None, ...]
    sample: int
    exact: bool


class PercentileIndex:
    """The samples of one measure: each one's team row, day column and value (hours)."""

    def __init__(self, index: TeamIndex, teams: pl.Series, days: pl.Series, values: pl.Series):
        self.index = index
        self.rows = index.rows(teams)
        self.days = (days - index.first).dt.total_days().to_numpy().astype(np.int64)
        if len(self.days) and (self.days.min() < 0 or self.days.max() >= index.days):
            raise ValueError("a sample lies outside the days of the index")
        self.values = values.cast(pl.Float64).to_numpy()
        if np.isnan(self.values).any() or (self.values < 0).any():
            raise ValueError("a sample value is negative or missing")
        self.buckets = bucket_of(self.values)
        # the samples by value, and each one's place in that order: a (team, rank) key sorts
        # many teams' samples by value at once (``SubtreePercentiles.values_many``)
        self.by_value = np.argsort(self.values, kind="stable").astype(np.int32)
        self.rank = np.empty(len(self.values), dtype=np.int32)
        self.rank[self.by_value] = np.arange(len(self.values), dtype=np.int32)

    def for_tree(
        self, tree: OrgTree, *, exact_limit: int = EXACT_LIMIT, edge_samples: int = EDGE_SAMPLES
    ) -> SubtreePercentiles:
        return SubtreePercentiles(self, tree, exact_limit=exact_limit, edge_samples=edge_samples)


class SubtreePercentiles:
    """Percentiles of the subtrees of one org tree."""

    def __init__(
        self,
        samples: PercentileIndex,
        tree: OrgTree,
        *,
        exact_limit: int = EXACT_LIMIT,
        edge_samples: int = EDGE_SAMPLES,
    ) -> None:
        self.tree = tree
        self.exact_limit = exact_limit
        self.edge_samples = edge_samples
        index = samples.index
        self.first = index.first
        self.days = index.days
        order = index.rows(pl.Series(tree.team_ids, dtype=pl.String))
        position = np.empty(len(index.team_ids), dtype=np.int64)
        position[order] = np.arange(len(order))
        self.width = len(order)
        points = position[samples.rows]
        keys = samples.days * self.width + points
        by_key = np.argsort(keys, kind="stable")
        self.keys = keys[by_key]
        self.values = samples.values[by_key]
        self.buckets = samples.buckets[by_key]
        self.bucket_count = int(samples.buckets.max(initial=0)) + 1
        # subtree sizes from the samples per preorder position
        per_position = np.bincount(points, minlength=self.width)
        before = np.concatenate(([0], np.cumsum(per_position)))
        by_position = np.argsort(points, kind="stable")
        # small subtrees read their samples in (position, day) order: one slice, then a mask
        self._sample_values = samples.values
        self._by_value = samples.by_value
        self._rank = samples.rank
        self._by_position = np.argsort(points * self.days + samples.days, kind="stable").astype(
            np.int32
        )
        self._position_days = samples.days[self._by_position].astype(np.int32)
        self._position_start = before
        self._histograms: dict[int, tuple[int, npt.NDArray[np.int32]]] = {}
        for team in tree.team_ids:
            a, b = tree.interval(team)
            count = int(before[b] - before[a])
            if count <= exact_limit:
                continue
            members = by_position[before[a] : before[b]]
            self._histograms[a] = self._cumulative(samples.days[members], samples.buckets[members])

    def _cumulative(self, days: Int64s, buckets: Int64s) -> tuple[int, npt.NDArray[np.int32]]:
        """Block length and cumulative histograms (block boundary x bucket) of one subtree."""
        block = max(1, (self.edge_samples * self.days) // (2 * len(days)))
        blocks = -(-self.days // block)
        counts = np.bincount(
            (days // block) * self.bucket_count + buckets, minlength=blocks * self.bucket_count
        ).reshape(blocks, self.bucket_count)
        table = np.zeros((blocks + 1, self.bucket_count), dtype=np.int32)
        np.cumsum(counts, axis=0, out=table[1:])
        return block, table

    def _slices(self, a: int, b: int, days: Int64s) -> tuple[Int64s, Int64s]:
        """Start and end of the slice of each of ``days`` for positions ``[a, b)``."""
        base = days.astype(np.int64) * self.width
        return np.searchsorted(self.keys, base + a), np.searchsorted(self.keys, base + b)

    def _gather(self, starts: Int64s, ends: Int64s) -> Int64s:
        lengths = ends - starts
        total = int(lengths.sum())
        offsets = np.cumsum(lengths) - lengths
        return np.repeat(starts - offsets, lengths) + np.arange(total, dtype=np.int64)

    def percentiles(
        self, team: str, start: date, end: date, quantiles: Sequence[float]
    ) -> Percentiles:
        """Nearest-rank ``quantiles`` of the subtree's samples with a day in ``[start, end)``."""
        a, b = self.tree.interval(team)
        d1, d2 = self._window(start, end)
        return self._percentiles(a, b, d1, d2, quantiles)

    def _window(self, start: date, end: date) -> tuple[int, int]:
        """The columns ``[d1, d2)`` of a window, clipped to the index's days."""
        d1 = min(max((start - self.first).days, 0), self.days)
        return d1, min(max((end - self.first).days, 0), self.days)

    def _percentiles(
        self, a: int, b: int, d1: int, d2: int, quantiles: Sequence[float]
    ) -> Percentiles:
        if d2 <= d1:
            return Percentiles(tuple(None for _ in quantiles), 0, True)
        if a not in self._histograms:
            # a small subtree (at most exact_limit samples in all): mask its own samples
            first, last = int(self._position_start[a]), int(self._position_start[b])
            days = self._position_days[first:last]
            inside = self._by_position[first:last][(days >= d1) & (days < d2)]
            values = self._sample_values[inside]
            return Percentiles(tuple(_exact(values, q) for q in quantiles), len(values), True)
        block, table = self._histograms[a]
        k1, k2 = -(-d1 // block), d2 // block
        if k2 > k1:
            histogram = (table[k2] - table[k1]).astype(np.int64)
            edges = np.r_[d1 : min(k1 * block, d2), max(k2 * block, d1) : d2]
            starts, ends = self._slices(a, b, edges)
            histogram += np.bincount(
                self.buckets[self._gather(starts, ends)], minlength=self.bucket_count
            )
            sample = int(histogram.sum())
        if k2 <= k1 or sample <= self.exact_limit:
            # a window within two blocks, or with few samples: gather them all, exactly
            starts, ends = self._slices(a, b, np.arange(d1, d2))
            gathered = self._gather(starts, ends)
            if len(gathered) <= self.exact_limit:
                values = self.values[gathered]
                exact = tuple(_exact(values, q) for q in quantiles)
                return Percentiles(exact, len(values), True)
            histogram = np.bincount(self.buckets[gathered], minlength=self.bucket_count)
            sample = len(gathered)
        cumulative = np.cumsum(histogram)
        ranks = [max(math.ceil(q * sample), 1) for q in quantiles]
        picked = tuple(bucket_value(int(np.searchsorted(cumulative, r))) for r in ranks)
        return Percentiles(picked, sample, False)

    def values_many(
        self, teams: Subtrees, start: date, end: date, quantiles: Sequence[float]
    ) -> npt.NDArray[np.float64]:
        """The values of :meth:`percentiles` for many subtrees: a row per team, a column per
        quantile, NaN where None. The subtrees small enough to be answered exactly (no
        histograms) are answered together: their samples in the window gathered at once and
        sorted by (team, value), each quantile picked at its nearest rank in each team's run;
        the others one by one, as :meth:`percentiles` does."""
        out = np.full((len(teams), len(quantiles)), np.nan)
        d1, d2 = self._window(start, end)
        if d2 <= d1 or not len(self._rank):
            return out
        large = np.array([int(a) in self._histograms for a in teams.first], dtype=bool)
        for row in np.flatnonzero(large).tolist():
            found = self._percentiles(
                int(teams.first[row]), int(teams.last[row]), d1, d2, quantiles
            )
            out[row] = [np.nan if v is None else v for v in found.values]
        small = np.flatnonzero(~large)
        starts = self._position_start[teams.first[small]]
        ends = self._position_start[teams.last[small]]
        gathered = self._gather(starts, ends)
        team = np.repeat(np.arange(len(small)), ends - starts)
        days = self._position_days[gathered]
        inside = (days >= d1) & (days < d2)
        team = team[inside]
        # sorted by (team, value): a key of the team's row and the sample's rank by value
        keys = team * len(self._rank) + self._rank[self._by_position[gathered[inside]]]
        keys.sort()
        counts = np.bincount(team, minlength=len(small))
        first = np.cumsum(counts) - counts
        some = counts > 0
        for column, q in enumerate(quantiles):
            # ``_exact``'s rank: max(ceil(q n), 1) - 1, with the same float product q n
            rank = np.maximum(np.ceil(q * counts[some]), 1).astype(np.int64) - 1
            picked = keys[first[some] + rank] % len(self._rank)
            out[small[some], column] = self._sample_values[self._by_value[picked]]
        return out


def _exact(values: npt.NDArray[np.float64], q: float) -> float | None:
    if len(values) == 0:
        return None
    rank = max(math.ceil(q * len(values)), 1) - 1
    return float(np.partition(values, rank)[rank])
