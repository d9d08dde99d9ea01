"""Correlations between KPIs across the teams of a subtree (docs/insights.md): for each pair
of KPIs, Spearman's and Pearson's coefficients over the teams with both values, each with
its 95% confidence interval, p-value and the p-value corrected for the number of pairs
(Benjamini-Hochberg). An association across teams, never a cause: teams that differ in one
KPI differ in many other ways too.

The values are the view's (cached) metrics; the statistics are scipy's."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import stats

from graph.catalogue import Kpi
from graph.insights.common import MIN_TEAMS, Floats, Reason, check_window, teams_of, values
from graph.view import OrgView

#: the false-discovery rate a pair is called significant at, after the correction
FDR = 0.05
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Coefficient:
    """One correlation coefficient of a pair, with its uncertainty."""

    value: float
    low: float
    high: float
    p_value: float
    #: the p-value corrected for the number of pairs (Benjamini-Hochberg: the smallest
    #: false-discovery rate at which the pair is a discovery)
    p_adjusted: float = math.nan

    @property
    def significant(self) -> bool:
        return self.p_adjusted <= FDR


@dataclass(frozen=True)
class Pair:
    """Two KPIs across the same teams; the coefficients are None when withheld (``reason``)."""

    a: Kpi
    b: Kpi
    #: teams with a value of both
    n: int
    spearman: Coefficient | None
    pearson: Coefficient | None
    reason: Reason | None

    @property
    def significant(self) -> bool:
        """Called on Spearman's coefficient: Pearson's p-value assumes roughly normal values,
        which skewed KPIs (durations, rates) are not, so a few extreme teams can make it small."""
        return self.spearman is not None and self.spearman.significant


@dataclass(frozen=True)
class Correlations:
    """Every pair of ``kpis`` across ``teams`` over ``[start, end)``."""

    under: str
    start: date
    end: date
    #: levels below ``under`` (None: its leaf teams)
    level: int | None
    teams: tuple[str, ...]
    kpis: tuple[Kpi, ...]
    pairs: tuple[Pair, ...]
    fdr: float = FDR
    confidence: float = CONFIDENCE
    min_teams: int = MIN_TEAMS


def _fisher_interval(r: float, n: int, se: float) -> tuple[float, float]:
    """The ``CONFIDENCE`` interval of ``r`` through Fisher's z with standard error ``se``."""
    z = math.atanh(min(max(r, -0.9999999), 0.9999999))
    half = float(stats.norm.ppf(0.5 + CONFIDENCE / 2)) * se
    return math.tanh(z - half), math.tanh(z + half)


def _pair(a: Kpi, b: Kpi, x: Floats, y: Floats) -> Pair:
    both = ~(np.isnan(x) | np.isnan(y))
    n = int(both.sum())
    if n < MIN_TEAMS:
        return Pair(a, b, n, None, None, Reason.TOO_FEW_TEAMS)
    x, y = x[both], y[both]
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return Pair(a, b, n, None, None, Reason.NO_SPREAD)
    pearson = stats.pearsonr(x, y)
    low, high = pearson.confidence_interval(CONFIDENCE)
    spearman = stats.spearmanr(x, y)
    rho, p = float(spearman.statistic), float(spearman.pvalue)
    # Fisher's z of Spearman's rho, with Bonett and Wright's (2000) standard error
    s_low, s_high = _fisher_interval(rho, n, math.sqrt((1 + rho * rho / 2) / (n - 3)))
    return Pair(
        a,
        b,
        n,
        Coefficient(rho, s_low, s_high, p),
        Coefficient(float(pearson.statistic), float(low), float(high), float(pearson.pvalue)),
        None,
    )


def _adjusted(pairs: list[Pair], which: str) -> list[Coefficient | None]:
    """Each pair's coefficient ``which`` with its p-value corrected over the pairs that have
    one (the family the correction counts)."""
    found = [getattr(pair, which) for pair in pairs]
    tested = [c for c in found if c is not None]
    if not tested:
        return found
    adjusted = iter(stats.false_discovery_control([c.p_value for c in tested], method="bh"))
    return [
        None if c is None else Coefficient(c.value, c.low, c.high, c.p_value, float(next(adjusted)))
        for c in found
    ]


def correlations(
    view: OrgView,
    under: str,
    start: date,
    end: date,
    kpis: Sequence[Kpi] = tuple(Kpi),
    level: int | None = None,
) -> Correlations:
    """Every pair of ``kpis`` across the teams ``level`` levels below ``under`` (default: its
    leaf teams) over ``[start, end)``."""
    check_window(start, end)
    asked = tuple(dict.fromkeys(kpis))
    if len(asked) < 2:
        raise ValueError("name at least two different KPIs")
    teams = teams_of(view, under, level)
    columns = {kpi: values(view, kpi, teams, start, end) for kpi in asked}
    pairs = [_pair(a, b, columns[a], columns[b]) for a, b in itertools.combinations(asked, 2)]
    spearman, pearson = _adjusted(pairs, "spearman"), _adjusted(pairs, "pearson")
    final = tuple(
        Pair(p.a, p.b, p.n, s, r, p.reason)
        for p, s, r in zip(pairs, spearman, pearson, strict=True)
    )
    return Correlations(under, start, end, level, teams, asked, final)
