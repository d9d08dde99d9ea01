"""Where an initiative stands (docs/initiatives.md): its pace over the recent weeks, the day
it will land at that pace, its state against the deadline, and which teams hold it back."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from graph.initiatives.config import Direction, Initiative
from graph.initiatives.measures import Point, check_team, measure, points
from graph.view import OrgView


class State(Enum):
    DONE = "DONE"
    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    OFF_TRACK = "OFF_TRACK"
    NO_DATA = "NO_DATA"
    WITHHELD = "WITHHELD"


@dataclass(frozen=True)
class Status:
    """Where an initiative stands for one subtree on one date."""

    initiative: Initiative
    team: str
    on: date
    current: Point
    start_value: float | None
    progress: float | None
    #: the points the pace is fitted to: the status date and each week before it, back
    #: ``forecast_weeks`` weeks (``trend`` gives every week since the start)
    recent: tuple[Point, ...]
    pace_per_week: float | None
    forecast: date | None
    state: State


@dataclass(frozen=True)
class Standing:
    """A team's value and its part of the gap to the target (negative: ahead)."""

    team: str
    value: float
    sample: int
    gap: float


def pace(points: Sequence[Point], on: date, weeks: int) -> float | None:
    """Least-squares slope per day of the values of the last ``weeks`` weeks up to ``on``
    (at least two points with a value); None when there are too few."""
    since = on - timedelta(days=7 * weeks)
    xs, ys = [], []
    for point in points:
        if point.value is not None and since <= point.on <= on:
            xs.append(float((point.on - on).days))
            ys.append(point.value)
    if len(xs) < 2:
        return None
    mean_x, mean_y = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    spread = math.fsum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    return math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def forecast(
    initiative: Initiative, current: float | None, slope: float | None, on: date
) -> date | None:
    """The first day the target is reached from ``current`` at ``slope`` per day; None when
    it is reached already, or the pace does not lead there."""
    if current is None or slope is None or initiative.meets(current):
        return None
    toward = slope if initiative.direction is Direction.AT_LEAST else -slope
    if toward <= 1e-12:
        return None
    days = abs(initiative.target - current) / abs(slope)
    # round away float noise first: a ramp that meets the target on day 14 gives 14, not 15
    whole = math.ceil(round(days, 9))
    if whole > 365 * 100:
        return None  # no forecast a century out
    return on + timedelta(days=whole)


def state(initiative: Initiative, current: float | None, when: date | None, on: date) -> State:
    if current is None:
        return State.NO_DATA
    if initiative.meets(current):
        return State.DONE
    if when is None or on > initiative.deadline:
        return State.OFF_TRACK
    if when <= initiative.deadline:
        return State.ON_TRACK
    if when <= initiative.deadline + timedelta(days=initiative.at_risk_days):
        return State.AT_RISK
    return State.OFF_TRACK


def status(view: OrgView, initiative: Initiative, team: str, on: date) -> Status:
    """The initiative's status for the subtree of ``team`` on the day ``on``."""
    check_team(view, initiative, team)
    recent = points(view, initiative, team, on, initiative.forecast_weeks)
    current = recent[-1]
    if current.withheld:  # nothing derived from it either: start, progress, pace, forecast
        return Status(initiative, team, on, current, None, None, (), None, None, State.WITHHELD)
    first = measure(view, initiative, team, initiative.start).value
    slope = pace(recent, on, initiative.forecast_weeks)
    when = forecast(initiative, current.value, slope, on)
    return Status(
        initiative=initiative,
        team=team,
        on=on,
        current=current,
        start_value=first,
        progress=_progress(initiative, first, current.value),
        recent=tuple(recent),
        pace_per_week=None if slope is None else 7 * slope,
        forecast=when,
        state=state(initiative, current.value, when, on),
    )


def _progress(initiative: Initiative, start: float | None, current: float | None) -> float | None:
    """Share of the way from the start's value to the target covered (1 once it is met)."""
    if start is None or current is None:
        return None
    if initiative.meets(current):
        return 1.0
    if initiative.target == start:
        return 0.0
    return (current - start) / (initiative.target - start)


def standings(
    view: OrgView, initiative: Initiative, under: str, on: date
) -> tuple[list[Standing], list[Standing]]:
    """The active children of ``under``: laggards (short of the target, the largest part of
    the gap first) and leaders (at or past it, the furthest ahead first). Children without a
    value are in neither."""
    if under not in view.tree:
        raise KeyError(f"unknown team {under!r}")
    laggards: list[Standing] = []
    leaders: list[Standing] = []
    for child in view.tree.children(under):
        rate = measure(view, initiative, child, on)
        gap = initiative.gap(rate)
        if gap is None or rate.value is None:
            continue
        standing = Standing(child, rate.value, rate.sample, gap)
        (leaders if initiative.meets(rate.value) else laggards).append(standing)
    laggards.sort(key=lambda s: (-s.gap, s.team))
    leaders.sort(key=lambda s: (s.gap, s.team))
    return laggards, leaders
