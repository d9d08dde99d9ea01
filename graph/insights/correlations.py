"""Correlations between KPIs across the teams of a subtree (docs/insights.md): for each pair
of KPIs, Spearman's and Pearson's coefficients over the teams with both values, each with
its 95% confidence interval, p-value and the p-value corrected for the number of pairs
(Benjamini-Hochberg). An association across teams, never a cause: teams that differ in one
KPI differ in many other ways too.

The values are the view's (cached) metrics; the statistics are scipy's, vectorised over the
pairs (tests/graph/test_insights_correlations.py holds them to ``spearmanr`` and ``pearsonr``)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy import stats

from graph.catalogue import Kpi
from graph.insights.common import MIN_TEAMS, Floats, Reason, check_window, teams_of, values
from graph.view import OrgView

Mask = npt.NDArray[np.bool_]

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


def _ranked(column: Floats, mask: Mask, cache: dict[tuple[int, bytes], Floats], at: int) -> Floats:
    """The ranks (ties averaged, as scipy's) of ``column`` over the rows of ``mask``, computed
    once per column and set of rows."""
    key = (at, np.packbits(mask).tobytes())
    if key not in cache:
        cache[key] = stats.rankdata(column[mask])
    return cache[key]


def _r(x: Floats, y: Floats) -> float:
    """Pearson's r of two columns (as scipy's ``pearsonr``: centred, then normalised)."""
    dx, dy = x - x.mean(), y - y.mean()
    return float(np.clip(dx @ dy / math.sqrt((dx @ dx) * (dy @ dy)), -1.0, 1.0))


def _coefficients(rs: Floats, ns: Floats, spearman: bool) -> list[Coefficient]:
    """Each r with its two-sided p-value (Student's t with n - 2 degrees of freedom: what scipy
    gives for both coefficients) and its Fisher-z interval: standard error 1/sqrt(n - 3) for
    Pearson's (scipy's ``confidence_interval``), Bonett and Wright's sqrt((1 + r^2/2)/(n - 3))
    for Spearman's."""
    if not len(rs):
        return []
    with np.errstate(divide="ignore", invalid="ignore"):
        t = rs * np.sqrt((ns - 2) / np.maximum(1 - rs * rs, 0.0))
    p = np.minimum(2 * stats.t.sf(np.abs(t), ns - 2), 1.0)
    se = np.sqrt((1 + rs * rs / 2) / (ns - 3)) if spearman else 1 / np.sqrt(ns - 3)
    z = np.arctanh(np.clip(rs, -0.9999999, 0.9999999))
    half = float(stats.norm.ppf(0.5 + CONFIDENCE / 2)) * se
    low, high = np.tanh(z - half), np.tanh(z + half)
    return [
        Coefficient(float(r), float(a), float(b), float(q))
        for r, a, b, q in zip(rs, low, high, p, strict=True)
    ]


def _pairs(kpis: tuple[Kpi, ...], columns: list[Floats]) -> list[Pair]:
    """Every pair of ``kpis`` over their ``columns``, pairwise complete."""
    known = [~np.isnan(c) for c in columns]
    cache: dict[tuple[int, bytes], Floats] = {}
    found: list[tuple[Kpi, Kpi, int, Reason | None]] = []
    spearman: list[float] = []
    pearson: list[float] = []
    for (i, a), (j, b) in itertools.combinations(enumerate(kpis), 2):
        both = known[i] & known[j]
        n = int(both.sum())
        if n < MIN_TEAMS:
            found.append((a, b, n, Reason.TOO_FEW_TEAMS))
            continue
        x, y = columns[i][both], columns[j][both]
        if np.ptp(x) == 0 or np.ptp(y) == 0:
            found.append((a, b, n, Reason.NO_SPREAD))
            continue
        found.append((a, b, n, None))
        pearson.append(_r(x, y))
        spearman.append(
            _r(_ranked(columns[i], both, cache, i), _ranked(columns[j], both, cache, j))
        )
    ns = np.array([n for *_, n, reason in found if reason is None], dtype=np.float64)
    ranked = iter(_coefficients(np.array(spearman), ns, spearman=True))
    linear = iter(_coefficients(np.array(pearson), ns, spearman=False))
    return [
        Pair(a, b, n, None, None, reason)
        if reason is not None
        else Pair(a, b, n, next(ranked), next(linear), None)
        for a, b, n, reason in found
    ]


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
    pairs = _pairs(asked, [values(view, kpi, teams, start, end) for kpi in asked])
    spearman, pearson = _adjusted(pairs, "spearman"), _adjusted(pairs, "pearson")
    final = tuple(
        Pair(p.a, p.b, p.n, s, r, p.reason)
        for p, s, r in zip(pairs, spearman, pearson, strict=True)
    )
    return Correlations(under, start, end, level, teams, asked, final)
