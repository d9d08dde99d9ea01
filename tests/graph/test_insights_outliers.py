"""Outliers and bottlenecks: the robust z-scores of a plain pandas computation, the planted
outlier teams at the top with the direction that matters, and each stage's share of lead time
as the view's own medians give it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from graph import insights
from graph.catalogue import Kpi
from graph.insights import Reason, Side
from graph.insights.bottlenecks import STAGES
from tests.graph.planted import END, START, largest_root, planted, view_of


def test_robust_z_scores_agree_with_a_plain_computation() -> None:
    view = view_of("correlated")
    root = largest_root(view)
    for kpi, log in ((Kpi.CHANGE_FAILURE_RATE, False), (Kpi.LEAD_TIME_HOURS_P50, True)):
        found = insights.outliers(view, kpi, root, START, END, threshold=2.0)
        leaves = view.leaves(root)
        values = pd.Series({t: view.metric(kpi, t, START, END).value for t in leaves}, dtype=float)
        values = values.dropna()
        scaled: pd.Series[float] = values.apply(np.log) if log else values
        mad = (scaled - scaled.median()).abs().median() * 1.482602218505602
        z = (scaled - scaled.median()) / mad
        far = z[z.abs() >= 2.0]
        assert found.log_scale is log
        assert found.n == len(values)
        assert found.median == pytest.approx(values.median())
        assert found.scale == pytest.approx(mad)
        assert {o.team for o in found.outliers} == set(far.index)
        for outlier in found.outliers:
            assert outlier.z == pytest.approx(z[outlier.team])
            assert outlier.ratio == pytest.approx(values[outlier.team] / values.median())
        assert [abs(o.z) for o in found.outliers] == sorted(
            (abs(o.z) for o in found.outliers), reverse=True
        )


def test_the_planted_outliers_are_at_the_top_and_worse() -> None:
    engine, truth = planted("correlated")
    view = engine.view(END)
    assert len(truth.outlier_teams) == 5
    seen = 0
    for root in view.tree.roots:
        mine = [t for t in truth.outlier_teams if t in view.leaves(root)]
        found = insights.outliers(view, Kpi.CHANGE_FAILURE_RATE, root, START, END)
        top = [o.team for o in found.outliers[: len(mine)]]
        assert set(top) == set(mine), root
        for outlier in found.outliers[: len(mine)]:
            assert outlier.side is Side.WORSE  # a higher failure rate: worse
            assert outlier.z > 5
        seen += len(mine)
    assert seen >= 4  # a planted team may since have been dissolved by a reorg


def test_a_kpi_with_no_direction_says_higher_or_lower() -> None:
    view = view_of("correlated")
    found = insights.outliers(view, Kpi.HEADCOUNT, largest_root(view), START, END, threshold=2)
    assert found.outliers
    assert {o.side for o in found.outliers} <= {Side.HIGHER, Side.LOWER}


def test_outliers_withheld_with_too_few_teams() -> None:
    view = view_of("correlated")
    root = largest_root(view)
    found = insights.outliers(view, Kpi.CHANGE_FAILURE_RATE, root, START, END, level=1)
    assert (found.reason, found.outliers, found.median) == (Reason.TOO_FEW_TEAMS, (), None)


def test_bottlenecks_are_the_stages_shares_of_lead_time_against_the_org() -> None:
    view = view_of("correlated")
    root = largest_root(view)
    for team in view.level(root, 2)[:10]:
        found = insights.bottlenecks(view, team, START, END)
        assert found.org == root
        lead = view.metric(Kpi.LEAD_TIME_HOURS_P50, team, START, END).value
        org_lead = view.metric(Kpi.LEAD_TIME_HOURS_P50, root, START, END).value
        assert lead
        assert org_lead
        assert {s.kpi for s in found.stages} == set(STAGES)
        for stage in found.stages:
            hours = view.metric(stage.kpi, team, START, END).value
            org_hours = view.metric(stage.kpi, root, START, END).value
            assert hours is not None
            assert org_hours is not None
            assert stage.share == pytest.approx(hours / lead)
            assert stage.relative == pytest.approx((hours / lead) / (org_hours / org_lead))
            assert stage.relative is not None
            assert stage.bottleneck == (stage.relative >= 1.25)
        relatives = [s.relative for s in found.stages if s.relative is not None]
        assert relatives == sorted(relatives, reverse=True)


def test_bottlenecks_name_a_stage_a_team_is_slow_at() -> None:
    # the planted org's teams differ in their deployment habit: the team whose merge to
    # deploy takes the largest share of its lead time names that stage first
    view = view_of("correlated")
    root = largest_root(view)
    teams = [t for t in view.level(root, 2) if len(view.tree.subtree(t)) >= 3]
    found = [insights.bottlenecks(view, t, START, END) for t in teams]
    slowest = max(
        found,
        key=lambda b: next(
            s.relative or 0 for s in b.stages if s.kpi is Kpi.MERGE_TO_DEPLOY_HOURS_P50
        ),
    )
    assert slowest.stages[0].kpi is Kpi.MERGE_TO_DEPLOY_HOURS_P50
    assert slowest.stages[0].bottleneck


def test_bottlenecks_refuse_an_unknown_team() -> None:
    with pytest.raises(KeyError, match="unknown team"):
        insights.bottlenecks(view_of("correlated"), "nope", START, END)
