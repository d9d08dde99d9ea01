"""The event window ``[end - years, end)`` and the text form of its dates and timestamps.

Inside the generator every instant is an integer number of seconds since the window's start
(midnight UTC), and every date a number of days since it: numpy works on those, and only the
writer turns them into ``2025-03-04T10:15:00Z`` / ``2025-03-04`` text. Formatting goes
through two lookup tables (one per day of the window, one per second of a day) because
``datetime.strftime`` per value would dominate the run time at ten million rows.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Texts = npt.NDArray[np.object_]

DAY = 86_400
HOUR = 3_600
MINUTE = 60
#: Offset standing for "no value" (a null timestamp, an absent reference).
NONE = -1
_MIN_DAYS = 90


@cache
def _clock_texts() -> Texts:
    """``HH:MM:SSZ`` for every second of a day."""
    return np.array(
        [f"{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60) for s in range(60)],
        dtype=object,
    )


class Window:
    """``[start, end)``: ``days`` whole UTC days ending just before ``end``."""

    def __init__(self, end: date, years: float) -> None:
        self.end = end
        self.start = _years_before(end, years)
        days = (end - self.start).days
        if days < _MIN_DAYS:
            raise ValueError(f"years={years}: the window must span at least {_MIN_DAYS} days")
        self.days = days
        self.seconds = days * DAY
        first = np.datetime64(self.start.isoformat(), "D")
        dates = np.datetime_as_string(first + np.arange(days + 1), unit="D").astype(object)
        self._dates: Texts = dates
        self._stamp_dates: Texts = (dates + "T").astype(object)

    def weeks(self) -> float:
        return self.days / 7

    def stamps(self, offsets: Ints) -> list[str | None]:
        """ISO 8601 UTC text of second offsets; a negative offset (``NONE``) is a null."""
        day, second = np.divmod(np.maximum(offsets, 0), DAY)
        text = self._stamp_dates[day] + _clock_texts()[second]
        text[offsets < 0] = None
        return _as_list(text)

    def valid_from(self, days: Ints) -> list[str | None]:
        """Dates of dimension row starts; day 0 is the open start (an empty cell)."""
        text = self._dates[days]
        text[days <= 0] = None
        return _as_list(text)

    def valid_to(self, days: Ints) -> list[str | None]:
        """Dates of dimension row ends (exclusive); the window's end is an open end."""
        text = self._dates[np.minimum(days, self.days)]
        text[days >= self.days] = None
        return _as_list(text)

    def weekday(self, days: Ints) -> Ints:
        """Monday = 0 ... Sunday = 6."""
        return (days + self.start.weekday()) % 7

    def next_monday(self, day: int) -> int:
        """Reorgs and transfers take effect on a Monday: the first one on or after ``day``."""
        return day + (7 - self.start.weekday() - day) % 7

    def work_times(self, rng: np.random.Generator, n: int) -> Ints:
        """Instants of human activity: mostly on weekdays, around office hours (UTC)."""
        day = rng.integers(0, self.days, n)
        weekday = self.weekday(day)
        # Most weekend work slides to the nearest weekday; a little stays (on-call, hobbyists).
        moved = day + np.where(weekday == 5, -1, 1)
        slide = (weekday >= 5) & (rng.random(n) < 0.85) & (moved >= 0) & (moved < self.days)
        day = np.where(slide, moved, day)
        second = np.clip(rng.normal(14.5 * HOUR, 3.2 * HOUR, n), 0, DAY - 1).astype(np.int64)
        return day * DAY + second

    def any_times(self, rng: np.random.Generator, n: int) -> Ints:
        """Instants uniform over the window (incidents do not keep office hours)."""
        return rng.integers(0, self.seconds, n)

    def month_starts(self) -> Ints:
        """Offsets of 03:00 UTC on each first of a month inside the window (snapshot times)."""
        out: list[int] = []
        month = date(self.start.year, self.start.month, 1)
        while month < self.end:
            if month >= self.start:
                out.append((month - self.start).days * DAY + 3 * HOUR)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return np.array(out, dtype=np.int64)


def _years_before(end: date, years: float) -> date:
    """Whole years go back by the calendar (29 February falls back to the 28th); a fraction
    of a year counts 365.25 days a year."""
    if float(years).is_integer():
        year = end.year - int(years)
        try:
            return end.replace(year=year)
        except ValueError:  # 29 February
            return end.replace(year=year, day=28)
    return end - timedelta(days=round(years * 365.25))


def texts_of(table: Texts, index: Ints) -> list[str | None]:
    """``table[index]`` as a list, index ``NONE`` giving a null (``table`` ends with None)."""
    return _as_list(table[index])


def id_table(prefix: str, count: int) -> Texts:
    """``prefix1 ... prefixN`` then a trailing None, so that index ``NONE`` (-1) reads as null."""
    return np.array([f"{prefix}{i}" for i in range(1, count + 1)] + [None], dtype=object)


def ids_of(prefix: str, numbers: Ints) -> list[str | None]:
    """Ids of facts numbered from 1; a negative number is a null reference."""
    return [f"{prefix}{n}" if n >= 0 else None for n in numbers.tolist()]


def _as_list(text: Texts) -> list[Any]:
    out: list[Any] = text.tolist()
    return out
