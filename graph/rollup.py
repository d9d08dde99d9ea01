"""Subtree x window sums without scanning events at query time.

Events are attributed once, at build time, to the team that owned their service on the event's
day (service ownership history; see :func:`attribute_to_owner`). Each additive measure becomes
a dense cube ``count[team, day]``; for one structure date the teams are put in preorder and the
cube is turned into a 2-D prefix sum, so that the sum over any subtree (a preorder interval)
and any window of days is four look-ups:

    S[b, d2] - S[a, d2] - S[b, d1] + S[a, d1]

The cube does not depend on the structure date (attribution is by event time); only the row
order of the prefix sums does, so a new structure date costs one permutation and two
cumulative sums per measure, not a pass over the events.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import polars as pl

from graph.tree import OrgTree, Subtrees


def team_on_day(
    events: pl.DataFrame, *, key: str, at: str, history: pl.DataFrame, team: str
) -> pl.Series:
    """The team of each event's ``key`` (a service, a person) on the event's UTC day.

    ``events`` has ``key`` (null allowed: the result is null) and the timestamp column ``at``;
    ``history`` has one row per interval (``id``, ``team``, ``valid_from``). An event on a day
    no interval covers goes to the team of the latest interval that started before it (a gap,
    or after the history ended), or, before the first interval, to the first one.

    >>> from datetime import datetime, UTC
    >>> services = pl.DataFrame({"id": ["s", "s"], "owner_team_id": ["a", "b"],
    ...     "valid_from": [date(1, 1, 1), date(2025, 6, 1)]})
    >>> events = pl.DataFrame({"service_id": ["s", "s"],
    ...     "t": [datetime(2025, 5, 31, 23, tzinfo=UTC), datetime(2025, 6, 1, tzinfo=UTC)]})
    >>> team_on_day(events, key="service_id", at="t", history=services, team="owner_team_id").to_list()
    ['a', 'b']
    """
    # versions sorted by (key, valid_from) as one integer: key code in the high 32 bits
    ids = history["id"].unique().sort()
    codes = pl.Series(np.arange(len(ids), dtype=np.int64))
    versions = history.select(
        pl.col("id").replace_strict(ids, codes, return_dtype=pl.Int64).alias("code"),
        pl.col("valid_from").cast(pl.Int64).alias("day"),
        pl.col(team).alias("team"),
    ).sort("code", "day")
    version_keys = _packed(versions["code"].to_numpy(), versions["day"].to_numpy())
    keyed = events.select(
        pl.col(key).replace_strict(ids, codes, default=None, return_dtype=pl.Int64).alias("code"),
        pl.col(at).dt.date().cast(pl.Int64).alias("day"),
    )
    known = (keyed["code"].is_not_null() & keyed["day"].is_not_null()).to_numpy()
    code = keyed["code"].fill_null(0).to_numpy()
    day = keyed["day"].fill_null(0).to_numpy()
    # the latest version started on or before the day, else the key's first version
    found = np.searchsorted(version_keys, _packed(code, day), "right") - 1
    first = np.searchsorted(version_keys, _packed(code, np.full_like(day, _DAY_MIN)))
    own = (found >= 0) & (versions["code"].to_numpy()[np.maximum(found, 0)] == code)
    row = np.where(own, found, first)
    picked = versions["team"].gather(pl.Series(np.where(known, row, 0)))
    return picked.set(pl.Series(~known), None).alias("team_id")


_DAY_MIN = -(2**31)


def _packed(code: npt.NDArray[np.int64], day: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``(code, day)`` as one sortable integer (days since 1970 fit in 32 bits)."""
    return (code.astype(np.int64) << 32) + (day.astype(np.int64) - _DAY_MIN)


def attribute_to_owner(events: pl.DataFrame, services: pl.DataFrame, *, at: str) -> pl.Series:
    """The owning team of each event's service on the event's day (see :func:`team_on_day`)."""
    return team_on_day(events, key="service_id", at=at, history=services, team="owner_team_id")


@dataclass
class Cube:
    """``counts[team, day]`` of one additive measure, teams in ``TeamIndex`` order.

    An event measure: 0 outside the index's days. (Point-in-time state such as the people of a
    team lives in ``graph/intervals.py``.)"""

    counts: npt.NDArray[np.int64] | npt.NDArray[np.int32]

    def __post_init__(self) -> None:
        # most cubes fit in 32 bits: half the memory at 20,000 teams x 1,000 days (85 MB)
        if self.counts.dtype != np.int32 and _fits_int32(self.counts):
            self.counts = self.counts.astype(np.int32)


def _fits_int32(values: npt.NDArray[np.int64] | npt.NDArray[np.int32]) -> bool:
    limit = np.iinfo(np.int32)
    return not values.size or (int(values.min()) >= limit.min and int(values.max()) <= limit.max)


@dataclass
class TeamIndex:
    """Teams and days as array coordinates: every team id ever seen, and the days from ``first``."""

    team_ids: Sequence[str]
    first: date
    days: int
    _row: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._row = {team: row for row, team in enumerate(self.team_ids)}

    def rows(self, teams: pl.Series) -> npt.NDArray[np.int64]:
        """Row of each team id (every id must be known)."""
        mapping = pl.DataFrame({"team_id": list(self._row), "~row": list(self._row.values())})
        rows = teams.to_frame("team_id").join(
            mapping, on="team_id", how="left", maintain_order="left"
        )
        missing = rows["~row"].null_count()
        if missing:
            raise KeyError(f"{missing} events belong to teams the index does not know")
        return rows["~row"].to_numpy().astype(np.int64)

    def day(self, value: date) -> int:
        """Column of a day, clipped to the cube (a window may reach past the data)."""
        return min(max((value - self.first).days, 0), self.days)

    def cube(self, teams: pl.Series, days: pl.Series, weights: pl.Series | None = None) -> Cube:
        """Sum ``weights`` (default 1) per team and day; days outside the index are an error."""
        rows = self.rows(teams)
        columns = (days - self.first).dt.total_days().to_numpy().astype(np.int64)
        if len(columns) and (columns.min() < 0 or columns.max() >= self.days):
            raise ValueError("an event lies outside the days of the index")
        flat = rows * self.days + columns
        weight = None if weights is None else weights.to_numpy()
        counts = np.bincount(flat, weights=weight, minlength=len(self.team_ids) * self.days)
        return Cube(counts.astype(np.int64).reshape(len(self.team_ids), self.days))


class SubtreeSums:
    """2-D prefix sums of some cubes for one org tree: O(1) subtree x window sums."""

    def __init__(self, index: TeamIndex, tree: OrgTree, cubes: Mapping[str, Cube]) -> None:
        self.index = index
        self.tree = tree
        order = index.rows(pl.Series(tree.team_ids, dtype=pl.String))
        self._sums: dict[str, npt.NDArray[np.int64] | npt.NDArray[np.int32]] = {}
        for name, cube in cubes.items():
            # every partial sum lies between the sums of the negative and the positive cells
            low = int(cube.counts[cube.counts < 0].sum(dtype=np.int64))
            high = int(cube.counts[cube.counts > 0].sum(dtype=np.int64))
            limit = np.iinfo(np.int32)
            wide = low < limit.min // 2 or high > limit.max // 2
            table = np.zeros((len(order) + 1, index.days + 1), dtype=np.int64 if wide else np.int32)
            np.cumsum(cube.counts[order], axis=0, out=table[1:, 1:])
            np.cumsum(table[1:, 1:], axis=1, out=table[1:, 1:])
            self._sums[name] = table

    def daily(self, measure: str, team_id: str, start: date, end: date) -> npt.NDArray[np.int64]:
        """The subtree's total of an event measure on each day of ``[start, end)`` (0 on days
        outside the index)."""
        table = self._sums[measure]
        a, b = self.tree.interval(team_id)
        days = max((end - start).days, 0)
        out = np.zeros(days, dtype=np.int64)
        d1, d2 = self.index.day(start), self.index.day(end)
        if d2 > d1:
            per_day = np.diff(table[b, d1 : d2 + 1].astype(np.int64) - table[a, d1 : d2 + 1])
            offset = (self.index.first + timedelta(days=d1) - start).days
            out[offset : offset + len(per_day)] = per_day
        return out

    def daily_many(
        self, measure: str, teams: Subtrees, start: date, end: date
    ) -> npt.NDArray[np.int64]:
        """:meth:`daily` of many subtrees: one row per team, one column per day."""
        table = self._sums[measure]
        out = np.zeros((len(teams), max((end - start).days, 0)), dtype=np.int64)
        d1, d2 = self.index.day(start), self.index.day(end)
        if d2 > d1 and len(teams):
            corners = table[teams.last, d1 : d2 + 1].astype(np.int64)
            corners -= table[teams.first, d1 : d2 + 1]
            offset = (self.index.first + timedelta(days=d1) - start).days
            out[:, offset : offset + d2 - d1] = np.diff(corners, axis=1)
        return out

    def totals(
        self, measure: str, teams: Subtrees, start: date, end: date
    ) -> npt.NDArray[np.int64]:
        """:meth:`total` of many subtrees at once (the same integers)."""
        d1, d2 = self.index.day(start), self.index.day(end)
        if end <= start or d2 <= d1:
            return np.zeros(len(teams), dtype=np.int64)
        table = self._sums[measure]
        a, b = teams.first, teams.last
        # int64 from the first corner on: 32-bit corners must not overflow when combined
        totals: npt.NDArray[np.int64] = (
            table[b, d2].astype(np.int64) - table[a, d2] - table[b, d1] + table[a, d1]
        )
        return totals

    def total(self, measure: str, team_id: str, start: date, end: date) -> int:
        """Sum of ``measure`` over the subtree of ``team_id`` and the days ``[start, end)``."""
        if end <= start:
            return 0
        table = self._sums[measure]
        a, b = self.tree.interval(team_id)

        d1, d2 = self.index.day(start), self.index.day(end)
        if d2 <= d1:
            return 0
        # Python ints: 32-bit corners must not overflow when combined
        return int(table[b, d2]) - int(table[a, d2]) - int(table[b, d1]) + int(table[a, d1])


def day_range(*columns: pl.Series) -> tuple[date, int]:
    """The first day and number of days an index needs to hold every given date (nulls
    aside); a single day (today) when there is none. Event measures are 0 outside it."""
    seen: list[date] = []
    for column in columns:
        dates = column.drop_nulls()
        if dates.dtype != pl.Date:
            dates = dates.dt.date()
        seen += [d for d in (dates.min(), dates.max()) if isinstance(d, date)]
    if not seen:
        return date.today(), 1
    first = min(seen)
    return first, (max(seen) - first).days + 1
