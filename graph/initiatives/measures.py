"""An initiative's measure for any subtree on any day (docs/initiatives.md), and its weekly
points. Every value is read from an ``OrgView``: the org structure of the status date, so a
trend compares like with like (the same teams at every point)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from graph.initiatives.config import Initiative, Measure
from graph.measures import Rate
from graph.view import OrgView

#: the most weekly points a trend has (ten years)
MAX_POINTS = 521


@dataclass(frozen=True)
class Point:
    """The measure on one day (``withheld``: under the privacy floor, so no value)."""

    on: date
    value: float | None
    sample: int
    withheld: bool = False

    @property
    def shown_sample(self) -> int | None:
        """``sample``, or None when withheld (as ``graph.report.Metric.shown_sample``)."""
        return None if self.withheld else self.sample


def withheld(view: OrgView, initiative: Initiative, team: str, on: date) -> bool:
    """Whether the measure of ``team``'s subtree on ``on`` is withheld: derived from people,
    for a subtree under the view's privacy floor (graph/privacy.py)."""
    return initiative.people and view.privacy.withheld(team, on)


def measure(view: OrgView, initiative: Initiative, team: str, on: date) -> Rate:
    """The initiative's measure for the subtree of ``team`` (in ``view``'s structure) at the
    end of the day ``on``."""
    end = on + timedelta(days=1)
    start = end - timedelta(days=initiative.window_days)
    if withheld(view, initiative, team, on):
        return Rate(None, 0)
    if initiative.measure is Measure.ROLE_SHARE:
        return Rate(*view.headcount.share(team, on, initiative.roles))
    if initiative.measure is Measure.PLATFORM_SHARE:
        return Rate(*view.platforms.share(team, on, initiative.platforms))
    if initiative.measure is Measure.INBOUND_REMOTE_CONTRIBUTION_RATE:
        return view.contributions.inbound(team, start, end)
    if initiative.measure is Measure.OUTBOUND_REMOTE_CONTRIBUTION_RATE:
        return view.contributions.outbound(team, start, end)
    assert initiative.kpi is not None
    metric = view.metric(initiative.kpi, team, start, end)
    return Rate(metric.value, metric.sample)


def points(view: OrgView, initiative: Initiative, team: str, on: date, weeks: int) -> list[Point]:
    """The measure on ``on`` and every 7 days before it, ``weeks`` weeks back, oldest first."""
    found = []
    for k in range(weeks, -1, -1):
        day = on - timedelta(days=7 * k)
        rate = measure(view, initiative, team, day)
        found.append(Point(day, rate.value, rate.sample, withheld(view, initiative, team, day)))
    return found


def trend(view: OrgView, initiative: Initiative, team: str, on: date) -> list[Point]:
    """The weekly trend: the measure on ``on`` and every 7 days before it back to the start
    (at most ``MAX_POINTS`` points), oldest first."""
    check_team(view, initiative, team)
    weeks = (on - initiative.start).days // 7 if on >= initiative.start else 0
    return points(view, initiative, team, on, min(weeks, MAX_POINTS - 1))


def in_scope(view: OrgView, initiative: Initiative, team: str) -> bool:
    """Whether ``team`` is the initiative's scope or under it (always, without a scope)."""
    scope = initiative.scope
    return scope is None or (scope in view.tree and view.tree.is_in_subtree(team, scope))


def check_team(view: OrgView, initiative: Initiative, team: str) -> None:
    """Fail on a team the view does not know, or outside the initiative's scope."""
    if team not in view.tree:
        raise KeyError(f"unknown team {team!r}")
    if not in_scope(view, initiative, team):
        raise ValueError(
            f"team {team!r} is outside the scope {initiative.scope!r} of initiative "
            f"{initiative.key!r}"
        )
