"""The days the store has data for, per source, and how much of a window they cover: a
window that lies mostly before the data begins shows a small value that is no decline, and a
client needs to know it (``Metric.coverage``).

An event source spans its first to its last event day. A point-in-time source (people,
services, measurements) is known from its first day with data on, with no end: the state on
a later day is the state the history leaves, which is what the KPI reports.

>>> span = Span(date(2025, 1, 1), date(2025, 1, 10))
>>> span.coverage(date(2024, 12, 27), date(2025, 1, 6))
0.5
>>> Span(date(2025, 1, 1), None).coverage(date(2025, 6, 1), date(2025, 6, 2))
1.0
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from graph.catalogue import Source
from store.frames import OrgFrames
from store.models import OPEN_START


@dataclass(frozen=True)
class Span:
    """The days ``[first, last]`` with data (``last`` None: no end); ``first`` None: none."""

    first: date | None
    last: date | None

    def coverage(self, start: date, end: date) -> float:
        """Share of the days of ``[start, end)`` inside the span (0 for an empty window)."""
        days = (end - start).days
        if self.first is None or days <= 0:
            return 0.0
        stop = end if self.last is None else min(end, self.last + timedelta(days=1))
        inside = (stop - max(start, self.first)).days
        return min(max(inside, 0) / days, 1.0)

    def covers(self, day: date) -> float:
        """1 when ``day`` is in the span, else 0."""
        return self.coverage(day, day + timedelta(days=1))


NONE = Span(None, None)

#: Sources with no end: a state that holds until the history says otherwise.
OPEN_ENDED = frozenset({Source.PEOPLE, Source.SERVICES, Source.COVERAGE, Source.DEBT})


def _days(*columns: pl.Series) -> tuple[date | None, date | None]:
    firsts: list[date] = []
    lasts: list[date] = []
    for column in columns:
        days = column.drop_nulls()
        if days.dtype != pl.Date:
            days = days.dt.date()
        days = days.filter(days != OPEN_START)
        low, high = days.min(), days.max()
        if isinstance(low, date) and isinstance(high, date):
            firsts.append(low)
            lasts.append(high)
    return (min(firsts) if firsts else None), (max(lasts) if lasts else None)


#: The tables each source's span is read from.
ENTITIES: dict[Source, frozenset[str]] = {
    Source.DEPLOYMENTS: frozenset({"deployments"}),
    Source.LEAD_TIMES: frozenset({"deployments", "changes"}),
    Source.INCIDENTS: frozenset({"incidents"}),
    Source.CHANGES_OPENED: frozenset({"changes"}),
    Source.CHANGES_MERGED: frozenset({"changes"}),
    Source.COVERAGE: frozenset({"coverage"}),
    Source.DEBT: frozenset({"debt"}),
    Source.PEOPLE: frozenset({"people"}),
    Source.SERVICES: frozenset({"services"}),
}


def data_spans(
    frames: OrgFrames,
    sources: Iterable[Source],
    known: dict[Source, Span],
    lead_times: pl.DataFrame | None = None,
) -> dict[Source, Span]:
    """The span of each of ``sources`` from ``frames`` (``lead_times``: the lead-time samples,
    whose ``day`` is the deployment day). People and services are known from their first
    explicit date or the first event day of any source (``known`` holds the spans of sources
    not read now), whichever is earlier."""
    columns: dict[Source, list[pl.Series]] = {
        Source.DEPLOYMENTS: [frames.deployments["finished_at"]],
        Source.LEAD_TIMES: [] if lead_times is None else [lead_times["day"]],
        Source.INCIDENTS: [frames.incidents["started_at"]],
        Source.CHANGES_OPENED: [frames.changes["opened_at"]],
        Source.CHANGES_MERGED: [frames.changes["merged_at"]],
        Source.COVERAGE: [frames.coverage["measured_at"]],
        Source.DEBT: [frames.debt["measured_at"]],
    }
    wanted = set(sources)
    spans = dict(known)
    for source in wanted - {Source.PEOPLE, Source.SERVICES}:
        first, last = _days(*columns[source])
        if first is None:
            spans[source] = NONE
        else:
            spans[source] = Span(first, None if source in OPEN_ENDED else last)
    firsts = [s.first for source, s in spans.items() if source in columns and s.first]
    for source in wanted & {Source.PEOPLE, Source.SERVICES}:
        entity = frames.people if source is Source.PEOPLE else frames.services
        first, _ = _days(entity["valid_from"], entity["valid_to"])
        candidates = [d for d in (first, *firsts) if d is not None]
        spans[source] = Span(min(candidates), None) if candidates else NONE
    return spans
