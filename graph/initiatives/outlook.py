"""An initiative's outlook (docs/initiatives.md): its weekly measure since the start forecast to
the deadline with a prediction interval, by the forecasting model of the insights
(graph/insights/models.py), and the weeks between which the target is reached at the
interval's optimistic and pessimistic ends. The pace and forecast date of ``progress`` stay the
straight line they were; this says how sure that line is."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from graph.initiatives.config import Direction, Initiative
from graph.initiatives.measures import check_team, points, withheld
from graph.insights.common import Floats, Reason
from graph.insights.models import Model, fit
from graph.view import OrgView

#: the weeks of history the outlook is fitted to, and the most weeks it looks ahead
HISTORY_WEEKS = 104
MAX_WEEKS = 104
LEVEL = 0.8


@dataclass(frozen=True)
class Outlook:
    level: float
    model: Model | None
    #: the measure forecast for the week of the deadline, and its interval
    value: float | None
    low: float | None
    high: float | None
    #: the first forecast week the interval's optimistic end reaches the target, and its
    #: pessimistic end (None: not before the deadline)
    earliest: date | None
    latest: date | None
    mae: float | None
    mase: float | None
    #: weekly points the model was fitted to
    history: int
    reason: Reason | None


def _withheld(level: float, history: int, reason: Reason | None) -> Outlook:
    return Outlook(level, None, None, None, None, None, None, None, None, history, reason)


def outlook(
    view: OrgView, initiative: Initiative, team: str, on: date, level: float = LEVEL
) -> Outlook:
    """The initiative's measure for ``team``'s subtree forecast from ``on`` to the deadline."""
    check_team(view, initiative, team)
    if withheld(view, initiative, team, on):
        return _withheld(level, 0, Reason.BELOW_PRIVACY_FLOOR)
    weeks = math.ceil((initiative.deadline - on).days / 7)
    if weeks < 1:
        return _withheld(level, 0, Reason.DEADLINE_PASSED)
    back = min(HISTORY_WEEKS, max((on - initiative.start).days // 7, 0))
    found = [p for p in points(view, initiative, team, on, back) if p.value is not None]
    y = np.array([p.value for p in found], dtype=np.float64)
    steps = min(weeks, MAX_WEEKS)
    fitted = fit(y, steps, (), level)
    if fitted.model is None:
        return _withheld(level, len(y), fitted.reason)
    low, high = fitted.low, fitted.high
    if initiative.share:
        low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
    mean = np.clip(fitted.mean, 0, 1) if initiative.share else fitted.mean
    hopeful, fearful = (high, low) if initiative.direction is Direction.AT_LEAST else (low, high)

    def first(bound: Floats) -> date | None:
        for k, value in enumerate(bound.tolist(), 1):
            if initiative.meets(value):
                return on + timedelta(days=7 * k)
        return None

    return Outlook(
        level,
        fitted.model,
        float(mean[-1]),
        float(low[-1]),
        float(high[-1]),
        first(hopeful),
        first(fearful),
        fitted.mae,
        fitted.mase,
        len(y),
        None,
    )
