"""Correlations across teams: the same figures as scipy and pandas over the same teams' values,
the planted correlation found with its size inside the interval, and nothing significant in
the control org at the stated false-discovery rate."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from graph import insights
from graph.catalogue import Kpi
from graph.insights import Reason
from tests.graph.planted import END, START, largest_root, view_of

#: KPIs each driven by a habit of its own in the control org (docs/insights.md): no pair of
#: them goes together unless an effect is planted
INDEPENDENT = (
    Kpi.CHANGE_FAILURE_RATE,
    Kpi.TIME_TO_RESTORE_HOURS_P50,
    Kpi.REVIEW_TO_MERGE_HOURS_P50,
    Kpi.MERGE_TO_DEPLOY_HOURS_P50,
    Kpi.UNREVIEWED_MERGE_RATE,
    Kpi.CHANGES_PER_ENGINEER_PER_WEEK,
    Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE,
)
PLANTED = {Kpi.REVIEW_TO_MERGE_HOURS_P50, Kpi.TIME_TO_RESTORE_HOURS_P50}


def test_every_pair_agrees_with_scipy_and_pandas() -> None:
    view = view_of("correlated")
    root = largest_root(view)
    found = insights.correlations(view, root, START, END, tuple(Kpi), level=None)
    # the plain computation: the leaf teams' values, pairwise complete, as pandas gives them
    leaves = [
        t for t in view.tree.subtree(root) if view.tree.is_active(t) and not view.tree.children(t)
    ]
    assert list(found.teams) == leaves
    frame = pd.DataFrame(
        {kpi.name: [view.metric(kpi, t, START, END).value for t in leaves] for kpi in Kpi},
        dtype="float64",
    )
    spearman = frame.corr(method="spearman", min_periods=insights.MIN_TEAMS)
    pearson = frame.corr(method="pearson", min_periods=insights.MIN_TEAMS)
    assert len(found.pairs) == math.comb(len(Kpi), 2)
    raw = []
    for pair in found.pairs:
        both = frame[[pair.a.name, pair.b.name]].dropna()
        assert pair.n == len(both)
        if pair.spearman is None:
            assert pair.reason in (Reason.TOO_FEW_TEAMS, Reason.NO_SPREAD)
            continue
        assert pair.pearson is not None
        assert pair.spearman.value == pytest.approx(spearman.loc[pair.a.name, pair.b.name])
        assert pair.pearson.value == pytest.approx(pearson.loc[pair.a.name, pair.b.name])
        x, y = both[pair.a.name].to_numpy(), both[pair.b.name].to_numpy()
        assert pair.spearman.p_value == pytest.approx(
            stats.spearmanr(x, y).pvalue, rel=1e-7, abs=1e-300
        )
        plain = stats.pearsonr(x, y)
        assert pair.pearson.p_value == pytest.approx(plain.pvalue, rel=1e-7, abs=1e-300)
        low, high = plain.confidence_interval(0.95)
        assert (pair.pearson.low, pair.pearson.high) == pytest.approx((low, high))
        # Spearman's interval: Fisher's z with Bonett and Wright's standard error
        r, n = pair.spearman.value, pair.n
        half = 1.959964 * math.sqrt((1 + r * r / 2) / (n - 3))
        assert pair.spearman.low == pytest.approx(math.tanh(math.atanh(r) - half), abs=1e-6)
        assert pair.spearman.high == pytest.approx(math.tanh(math.atanh(r) + half), abs=1e-6)
        raw.append(pair.spearman.p_value)
    # the correction: Benjamini-Hochberg over every pair that has a coefficient
    m = len(raw)
    order = np.argsort(raw)
    by_hand = np.minimum.accumulate((np.array(raw)[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    expected = np.empty(m)
    expected[order] = np.minimum(by_hand, 1)
    adjusted = [p.spearman.p_adjusted for p in found.pairs if p.spearman is not None]
    assert adjusted == pytest.approx(list(expected))


def test_the_planted_correlation_is_found_with_its_size_inside_the_interval() -> None:
    view = view_of("correlated")
    for root in view.tree.roots:
        found = insights.correlations(view, root, START, END, INDEPENDENT)
        significant = {frozenset((p.a, p.b)) for p in found.pairs if p.significant}
        # the planted pair, and nothing else among KPIs with habits of their own
        assert significant == {frozenset(PLANTED)}, root
        (pair,) = [p for p in found.pairs if {p.a, p.b} == PLANTED]
        assert pair.spearman is not None
        assert pair.spearman.value > 0
        assert pair.spearman.low <= 0.6 <= pair.spearman.high, pair


def test_nothing_is_significant_in_the_control_org() -> None:
    for seed in (3, 4):
        view = view_of("control", seed)
        for root in view.tree.roots:
            found = insights.correlations(view, root, START, END, INDEPENDENT)
            assert found.fdr == 0.05
            assert all(p.spearman is not None for p in found.pairs)
            # a pair is called on Spearman's (Pearson's p-value assumes normal values, which
            # skewed durations are not: docs/insights.md)
            discoveries = [(p.a.name, p.b.name) for p in found.pairs if p.significant]
            assert discoveries == [], (seed, root)


def test_the_correction_keeps_false_discoveries_at_the_rate_on_null_data() -> None:
    # independent columns, as many as the catalogue's KPIs: how often does any pair pass?
    rng = np.random.default_rng(7)
    trials, kpis, teams = 200, 8, 60
    wrong = 0
    for _ in range(trials):
        data = rng.normal(size=(teams, kpis))
        ps = [
            stats.spearmanr(data[:, i], data[:, j]).pvalue
            for i, j in itertools.combinations(range(kpis), 2)
        ]
        wrong += bool((stats.false_discovery_control(ps) <= insights.FDR).any())
    # under the global null, BH's family-wise error is at most the FDR (5%): allow noise
    assert wrong / trials <= 0.09


def test_too_few_teams_withholds_the_pair_with_a_reason() -> None:
    view = view_of("correlated")
    root = largest_root(view)
    found = insights.correlations(
        view, root, START, END, (Kpi.HEADCOUNT, Kpi.CHANGE_FAILURE_RATE), level=1
    )
    (pair,) = found.pairs
    assert pair.n == len(view.level(root, 1)) < insights.MIN_TEAMS
    assert (pair.spearman, pair.reason) == (None, Reason.TOO_FEW_TEAMS)


def test_bad_input_is_refused() -> None:
    view = view_of("correlated")
    with pytest.raises(KeyError, match="unknown team"):
        insights.correlations(view, "nope", START, END)
    with pytest.raises(ValueError, match="empty window"):
        insights.correlations(view, "t1", END, START)
    with pytest.raises(ValueError, match="at least two"):
        insights.correlations(view, "t1", START, END, (Kpi.HEADCOUNT, Kpi.HEADCOUNT))
    with pytest.raises(ValueError, match="level must be 1 or more"):
        insights.correlations(view, "t1", START, END, level=0)
