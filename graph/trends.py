"""Any windowed KPI as a series by week or month (docs/kpis.md). Each point is the KPI over
its own period, computed like any other window, so a trend costs one O(1) evaluation a point."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from enum import Enum
from typing import TypeVar

T = TypeVar("T")


class Grain(Enum):
    WEEK = "WEEK"
    MONTH = "MONTH"


def periods(start: date, end: date, grain: Grain) -> Iterator[tuple[date, date]]:
    """The periods ``[from, to)`` covering ``[start, end)``: weeks counted from ``start``;
    calendar months, the first and last cut to the window. A partial last week is kept (its
    KPI divides by its own length).

    >>> list(periods(date(2025, 1, 30), date(2025, 3, 2), Grain.MONTH))[0]
    (datetime.date(2025, 1, 30), datetime.date(2025, 2, 1))
    """
    cursor = start
    while cursor < end:
        if grain is Grain.WEEK:
            following = cursor + timedelta(days=7)
        else:
            following = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
        yield cursor, min(following, end)
        cursor = following


def trend(
    kpi: Callable[[str, date, date], T],
    team: str,
    start: date,
    end: date,
    grain: Grain = Grain.WEEK,
) -> list[tuple[date, date, T]]:
    """``kpi(team, from, to)`` for each period of ``[start, end)``."""
    return [(first, last, kpi(team, first, last)) for first, last in periods(start, end, grain)]
