"""Teams far from their peers on one KPI (docs/insights.md): a robust z-score, the distance
from the teams' median in units of their median absolute deviation scaled by 1.4826 (so that
it matches the standard deviation for normal data), which a few extreme teams cannot mask the
way they inflate a standard deviation. Durations (hours, minutes) are compared on a log scale:
a team twice as slow as the median is as far out as one twice as fast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

import numpy as np
from scipy import stats

from graph.catalogue import CATALOGUE, Better, Kpi, Unit
from graph.insights.common import MIN_TEAMS, Reason, check_window, teams_of, values
from graph.view import OrgView

#: how far (in robust z) a team must be to be listed: Iglewicz and Hoaglin's cut-off
THRESHOLD = 3.5
LOG_UNITS = frozenset({Unit.HOURS, Unit.MINUTES})


class Side(Enum):
    """Which way an outlier lies, read with the KPI's direction (``KpiDefinition.better``)."""

    BETTER = "BETTER"
    WORSE = "WORSE"
    #: for a KPI with no better direction (a size): above the median
    HIGHER = "HIGHER"
    #: for a KPI with no better direction: below the median
    LOWER = "LOWER"


@dataclass(frozen=True)
class Outlier:
    team: str
    value: float
    #: robust z: (value - median) ÷ (1.4826 x MAD), on the log scale for durations
    z: float
    side: Side
    #: value ÷ the teams' median (None when the median is 0)
    ratio: float | None


@dataclass(frozen=True)
class Outliers:
    """The teams of one level of a subtree whose robust z on ``kpi`` is at least
    ``threshold`` away from 0, the farthest first."""

    kpi: Kpi
    under: str
    start: date
    end: date
    level: int | None
    #: teams with a value (what the median and MAD are over)
    n: int
    median: float | None
    #: 1.4826 x the median absolute deviation, in the scale the z-scores are on
    scale: float | None
    log_scale: bool
    threshold: float
    outliers: tuple[Outlier, ...]
    reason: Reason | None


def _side(kpi: Kpi, above: bool) -> Side:
    better = CATALOGUE[kpi].better
    if better is Better.NEITHER:
        return Side.HIGHER if above else Side.LOWER
    return Side.BETTER if above == (better is Better.HIGHER) else Side.WORSE


def outliers(
    view: OrgView,
    kpi: Kpi,
    under: str,
    start: date,
    end: date,
    level: int | None = None,
    threshold: float = THRESHOLD,
) -> Outliers:
    """The teams ``level`` levels below ``under`` (default: its leaf teams) far from the
    others on ``kpi`` over ``[start, end)``."""
    check_window(start, end)
    if threshold <= 0:
        raise ValueError(f"threshold must be above 0, got {threshold}")
    teams = teams_of(view, under, level)
    found = values(view, kpi, teams, start, end)
    known = ~np.isnan(found)
    n = int(known.sum())
    log_scale = CATALOGUE[kpi].unit in LOG_UNITS and bool((found[known] > 0).all())

    def answer(median: float | None, scale: float | None, listed: tuple[Outlier, ...],
               reason: Reason | None) -> Outliers:  # fmt: skip
        return Outliers(kpi, under, start, end, level, n, median, scale, log_scale, threshold,
                        listed, reason)  # fmt: skip

    if n < MIN_TEAMS:
        return answer(None, None, (), Reason.TOO_FEW_TEAMS)
    plain = found[known]
    median = float(np.median(plain))
    scaled = np.log(plain) if log_scale else plain
    centre = float(np.median(scaled))
    scale = float(stats.median_abs_deviation(scaled, scale="normal"))
    if scale == 0:
        return answer(median, 0.0, (), Reason.NO_SPREAD)
    z = (scaled - centre) / scale
    names = [team for team, k in zip(teams, known, strict=True) if k]
    listed = sorted(
        (
            Outlier(
                team,
                float(value),
                float(score),
                _side(kpi, score > 0),
                float(value) / median if median else None,
            )
            for team, value, score in zip(names, plain, z, strict=True)
            if abs(score) >= threshold
        ),
        key=lambda o: (-abs(o.z), o.team),
    )
    return answer(median, scale, tuple(listed), None)
