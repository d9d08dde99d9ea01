"""A KPI's forecast for a team's subtree (docs/insights.md): its weekly or monthly series up to
the end of the data, then ``horizon`` periods ahead with prediction intervals, from the model
of ``graph/insights/models.py``, with the model's own back-test error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from graph.catalogue import CATALOGUE, Kpi, Unit
from graph.insights.common import Floats, Reason
from graph.insights.models import Fitted, Model, fit
from graph.trends import Grain
from graph.view import OrgView

#: the season lengths looked for, per grain: a year and a quarter
SEASONS = {Grain.WEEK: (52, 13), Grain.MONTH: (12, 3)}
#: the most periods ahead, and of history, per grain
MAX_HORIZON = {Grain.WEEK: 104, Grain.MONTH: 24}
MAX_HISTORY = {Grain.WEEK: 156, Grain.MONTH: 36}
#: the share of a series' periods without a value that may be filled in (linearly)
MAX_GAPS = 0.1
LEVEL = 0.8


@dataclass(frozen=True)
class Point:
    """One period of a series or of its forecast: ``[start, end)``."""

    start: date
    end: date
    value: float
    #: the prediction interval (None for a period of history)
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class Forecast:
    kpi: Kpi
    team: str
    grain: Grain
    horizon: int
    #: the prediction intervals' nominal coverage (0.8: 80%)
    level: float
    history: tuple[Point, ...]
    points: tuple[Point, ...]
    model: Model | None
    season: int | None
    mae: float | None
    mase: float | None
    backtest_points: int
    #: history periods whose value was missing and filled in
    filled: int
    reason: Reason | None
    #: the factor the model's intervals were widened by after the back-test (1: none)
    widened: float = 1.0


def _month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _step(day: date, grain: Grain, k: int) -> date:
    return day + timedelta(days=7 * k) if grain is Grain.WEEK else _month(day, k)


def _bounds(view: OrgView, kpi: Kpi, grain: Grain, end: date | None) -> tuple[date, date]:
    """The history's first and end day: whole periods up to ``end`` (default: the day after
    the KPI's data ends), back to the data's start or ``MAX_HISTORY`` periods."""
    span = view.engine.spans[CATALOGUE[kpi].source]
    if end is None:
        end = span.last + timedelta(days=1) if span.last else view.tree.as_of
    if grain is Grain.MONTH:
        end = end.replace(day=1)
    first = _step(end, grain, -MAX_HISTORY[grain])
    if span.first is not None and span.first > first:
        k = 0
        while _step(end, grain, -(k + 1)) >= span.first:
            k += 1
        first = _step(end, grain, -k)
    return first, end


def _range(kpi: Kpi, values: Floats) -> Floats:
    """Values clipped to those the KPI can take (never below 0; a ratio at most 1)."""
    unit = CATALOGUE[kpi].unit
    top = {Unit.RATIO: 1.0, Unit.DAYS_PER_WEEK: 7.0}.get(unit, np.inf)
    return np.asarray(np.clip(values, 0.0, top), dtype=np.float64)


def forecast(
    view: OrgView,
    kpi: Kpi,
    team: str,
    horizon: int,
    grain: Grain = Grain.WEEK,
    end: date | None = None,
    level: float = LEVEL,
) -> Forecast:
    """``kpi`` of ``team``'s subtree for the ``horizon`` periods after ``end`` (default: the
    end of its data), from its series before ``end``."""
    if team not in view.tree:
        raise KeyError(f"unknown team {team!r}")
    if not 1 <= horizon <= MAX_HORIZON[grain]:
        raise ValueError(
            f"horizon must be between 1 and {MAX_HORIZON[grain]} {grain.name.lower()}s, "
            f"got {horizon}"
        )
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    first, last = _bounds(view, kpi, grain, end)
    starts = []
    day = first
    while day < last:
        starts.append(day)
        day = _step(day, grain, 1)
    raw = [view.metric(kpi, team, s, _step(s, grain, 1)).value for s in starts]
    series = pd.Series([np.nan if v is None else v for v in raw], dtype="float64")
    known = series.notna()
    if known.any():  # the history starts with its first value
        lead = int(np.argmax(known.to_numpy()))
        series, starts = series.iloc[lead:].reset_index(drop=True), starts[lead:]
    gaps = int(series.isna().sum())

    def answer(fitted: Fitted | None, history: pd.Series, reason: Reason | None) -> Forecast:
        past = tuple(
            Point(s, _step(s, grain, 1), float(v))
            for s, v in zip(starts, history, strict=True)
            if not np.isnan(v)
        )
        ahead: tuple[Point, ...] = ()
        if fitted is not None and fitted.model is not None:
            mean, low, high = (_range(kpi, a) for a in (fitted.mean, fitted.low, fitted.high))
            ahead = tuple(
                Point(
                    _step(last, grain, k), _step(last, grain, k + 1), float(v), float(a), float(b)
                )
                for k, (v, a, b) in enumerate(zip(mean, low, high, strict=True))
            )
        return Forecast(
            kpi, team, grain, horizon, level, past, ahead,
            None if fitted is None else fitted.model,
            None if fitted is None else fitted.season,
            None if fitted is None else fitted.mae,
            None if fitted is None else fitted.mase,
            0 if fitted is None else fitted.backtest_points,
            gaps, reason if fitted is None else fitted.reason,
            1.0 if fitted is None else fitted.widened,
        )  # fmt: skip

    if CATALOGUE[kpi].people and view.privacy.withheld(team, last - timedelta(days=1)):
        return answer(None, series.iloc[:0], Reason.BELOW_PRIVACY_FLOOR)
    if not known.any():
        return answer(None, series, Reason.NO_DATA)
    if gaps > MAX_GAPS * len(series):
        return answer(None, series, Reason.TOO_MANY_GAPS)
    filled = series.interpolate(limit_direction="both")
    y: Floats = np.asarray(filled.to_numpy(dtype=np.float64), dtype=np.float64)
    return answer(fit(y, horizon, SEASONS[grain], level), series, None)
