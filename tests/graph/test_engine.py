"""The one-call report facade: many teams at once equal one at a time, comparisons equal the
plain definition (tests/graph/oracles.py), trends are the KPI per period, bad calls are named."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph.catalogue import Kpi
from graph.engine import Engine
from graph.trends import Grain, is_partial, periods
from store.frames import read_bundle
from synthetic import generate_bundle
from tests.graph.generated import END
from tests.graph.oracles import compare


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    bundle = tmp_path_factory.mktemp("bundle")
    generate_bundle(bundle, teams=60, seed=21, end=END)
    return Engine(read_bundle(bundle))


def _close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and a == pytest.approx(b, rel=1e-9, abs=1e-9)
    )


def test_reports_of_many_teams_compare_as_the_plain_definition(engine: Engine) -> None:
    # given the structure of a date and the teams under the node with the most children
    view = engine.view(END - timedelta(days=200))
    tree = view.tree
    wide = max(tree.team_ids, key=lambda t: len(tree.children(t, include_inactive=True)))
    teams = [*tree.children(wide, include_inactive=True), wide, *tree.roots]
    start, end = END - timedelta(days=180), END - timedelta(days=30)
    # when their reports come from one call
    reports = view.reports(teams, start, end)
    # then each comparison is what compare() gives for that KPI, team by team
    for report in reports:
        for kpi, metric in report.metrics.items():

            def value(team: str, first: date, last: date, kpi: Kpi = kpi) -> float | None:
                return view.metric(kpi, team, first, last).value

            expected = compare(value, tree, report.team, start, end)
            got = metric.comparison
            assert got is not None
            for field in (
                "value",
                "org_value",
                "parent_value",
                "peer_median",
                "peer_percentile",
                "z_score",
                "previous_value",
            ):
                assert _close(getattr(got, field), getattr(expected, field)), (
                    report.team,
                    kpi,
                    field,
                )
        # and the one-call report equals the single-team one
        single = view.report(report.team, start, end)
        assert single == report


def test_a_trend_is_the_kpi_of_each_period(engine: Engine) -> None:
    view = engine.view(END)
    rng = random.Random(4)
    for _ in range(5):
        team = rng.choice(view.tree.team_ids)
        start = END - timedelta(days=rng.randint(30, 300))
        for grain in Grain:
            series = view.trend(Kpi.DEPLOYMENTS_PER_WEEK, team, start, END, grain)
            assert [(p.start, p.end) for p in series] == list(periods(start, END, grain))
            for period in series:
                assert period.metric == view.metric(
                    Kpi.DEPLOYMENTS_PER_WEEK, team, period.start, period.end
                )
                assert period.partial == is_partial(period.start, period.end, grain)


def test_bad_calls_name_the_problem(engine: Engine) -> None:
    view = engine.view(END)
    team = view.tree.team_ids[0]
    with pytest.raises(KeyError, match="unknown team 'nope'"):
        view.report("nope", date(2025, 1, 1), date(2025, 2, 1))
    with pytest.raises(ValueError, match=r"empty window \[2025-02-01, 2025-01-01\)"):
        view.report(team, date(2025, 2, 1), date(2025, 1, 1))


def test_views_are_cached_per_structure_date(engine: Engine) -> None:
    assert engine.view(END) is engine.view(END)
    engine.view(END - timedelta(days=1))
    engine.view(END - timedelta(days=2))
    # only the most recent ones are kept
    assert len(engine._views) == engine.keep


def test_an_engine_over_a_bundle_needs_no_store(tmp_path: Path) -> None:
    # an org with no events at all still answers: rates 0 or null as docs/kpis.md says
    generate_bundle(tmp_path, teams=20, seed=2, end=END)
    for name in ("deployments", "changes", "reviews", "incidents", "coverage", "debt"):
        (tmp_path / f"{name}.csv").unlink()
    view = Engine(read_bundle(tmp_path)).view(END)
    root = view.tree.roots[0]
    report = view.report(root, END - timedelta(days=28), END)
    assert report.metrics[Kpi.DEPLOYMENTS_PER_WEEK].value == 0
    for kpi in (Kpi.CHANGE_FAILURE_RATE, Kpi.LEAD_TIME_HOURS_P50, Kpi.CODE_COVERAGE):
        assert report.metrics[kpi].value is None
        assert report.metrics[kpi].sample == 0
    assert report.headcount_by_role is not None  # no privacy floor in the library's default
    assert report.metrics[Kpi.HEADCOUNT].value == sum(report.headcount_by_role.values()) > 0
