"""Any windowed KPI as a series by week or month (docs/kpis.md). Each point is the KPI over
its own period, computed like any other window, so a trend costs one O(1) evaluation a point."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from graph.report import Metric


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


def full_days(first: date, grain: Grain) -> int:
    """The days of a whole period that starts on ``first``: 7 for a week, the calendar
    month's length for a month (a month cut to the window starts on a later day).

    >>> full_days(date(2025, 2, 1), Grain.MONTH), full_days(date(2025, 2, 10), Grain.WEEK)
    (28, 7)
    """
    if grain is Grain.WEEK:
        return 7
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return (following - first.replace(day=1)).days


def is_partial(first: date, last: date, grain: Grain) -> bool:
    """A period shorter than its grain's whole period: a last week cut by the window's end, a
    month cut at either end. Its rates are per week of its own length, so one busy day can
    read as a busy week: draw it as partial.

    >>> is_partial(date(2025, 1, 30), date(2025, 2, 1), Grain.MONTH)
    True
    """
    whole = first.day == 1 if grain is Grain.MONTH else True
    return not whole or (last - first).days < full_days(first, grain)


@dataclass(frozen=True)
class Period:
    """One point of a trend: the KPI over ``[start, end)``."""

    start: date
    end: date
    metric: Metric
    #: shorter than its grain (see :func:`is_partial`): draw it apart
    partial: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days
