"""Forecasts: on generated series with a planted trend and season, the 80% intervals cover
70-90% of the held-out weeks; the season is found; the back-test error is the model's own;
short histories fall back or say so; initiative outlooks come from the same machinery."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from graph import initiatives, insights
from graph.catalogue import CATALOGUE, Kpi
from graph.insights import Model, Reason
from graph.trends import Grain
from tests.graph.planted import END, largest_root, view_of

HELD_OUT = 13
KPIS = (Kpi.DEPLOYMENTS_PER_WEEK, Kpi.LEAD_TIME_HOURS_P50, Kpi.CHANGES_PER_ENGINEER_PER_WEEK)


def test_an_80_percent_interval_covers_70_to_90_percent_of_held_out_weeks() -> None:
    view = view_of("seasonal")
    tree = view.tree
    teams = sorted(tree.team_ids, key=lambda t: (-len(tree.subtree(t)), t))[:20]
    cut = END - timedelta(days=7 * HELD_OUT)
    inside = total = 0
    for kpi in KPIS:
        for team in teams:
            found = insights.forecast(view, kpi, team, HELD_OUT, Grain.WEEK, end=cut)
            assert found.level == 0.8
            assert len(found.points) == HELD_OUT, (kpi, team, found.reason)
            for point in found.points:
                actual = view.metric(kpi, team, point.start, point.end).value
                assert point.low is not None
                assert point.high is not None
                assert point.low <= point.value <= point.high
                if actual is not None:
                    total += 1
                    inside += point.low <= actual <= point.high
    assert total > 600
    assert 0.70 <= inside / total <= 0.90, inside / total


def test_the_planted_season_and_trend_are_found_at_the_root() -> None:
    view = view_of("seasonal")
    root = largest_root(view)
    found = insights.forecast(view, Kpi.DEPLOYMENTS_PER_WEEK, root, 26)
    assert (found.model, found.season) == (Model.STL_ETS, 13)
    assert len(found.history) == 104
    assert found.history[-1].end == END == found.points[0].start
    assert [p.end - p.start for p in found.points] == [timedelta(days=7)] * 26
    # the forecast goes on from the last year's level, which the trend lifted
    first_year = np.mean([p.value for p in found.history[:52]])
    last_year = np.mean([p.value for p in found.history[52:]])
    assert last_year > 1.15 * first_year
    assert np.mean([p.value for p in found.points]) > first_year
    # it swings with the season: the forecast's peaks and troughs are 13 weeks apart
    values = np.array([p.value for p in found.points])
    assert np.argmax(values[:13]) == np.argmax(values[13:])


def test_the_back_test_error_is_the_models_on_the_series_past() -> None:
    view = view_of("seasonal")
    root = largest_root(view)
    found = insights.forecast(view, Kpi.DEPLOYMENTS_PER_WEEK, root, 26)
    y = np.array([p.value for p in found.history])
    again = insights.fit(y, 26, (52, 13))
    assert (found.mae, found.mase, found.backtest_points) == (
        again.mae,
        again.mase,
        again.backtest_points,
    )
    assert found.backtest_points > 26
    assert found.mae is not None
    assert found.mase is not None
    # MASE is MAE over the in-sample error of the seasonal naive forecast (13 weeks back)
    assert found.mase == pytest.approx(found.mae / np.mean(np.abs(y[13:] - y[:-13])))
    # and a naive forecast of the same weeks does worse than the model on a trending series
    naive = np.mean(np.abs(np.diff(y[-27:])))
    assert found.mae < 3 * naive


def test_a_short_history_falls_back_then_says_it_is_too_short() -> None:
    y = 10 + np.sin(np.arange(12) * 2 * np.pi / 3)
    short = insights.fit(y, 4, (3,))
    assert (short.model, short.season) == (Model.SEASONAL_NAIVE, 3)
    assert short.mean == pytest.approx([*y[-3:].tolist(), y[-3]])
    assert insights.fit(y[:10], 4, (13,)).model is Model.NAIVE
    tiny = insights.fit(y[:5], 4, (3,))
    assert (tiny.model, tiny.reason, len(tiny.mean)) == (None, Reason.HISTORY_TOO_SHORT, 0)
    view = view_of("seasonal")
    root = largest_root(view)
    data = view.engine.spans[CATALOGUE[Kpi.DEPLOYMENTS_PER_WEEK].source].first
    assert data is not None
    found = insights.forecast(
        view, Kpi.DEPLOYMENTS_PER_WEEK, root, 4, end=data + timedelta(days=35)
    )
    assert (found.points, found.reason) == ((), Reason.HISTORY_TOO_SHORT)
    assert len(found.history) == 5


def test_monthly_forecasts_and_bad_input() -> None:
    view = view_of("seasonal")
    root = largest_root(view)
    found = insights.forecast(view, Kpi.DEPLOYMENTS_PER_WEEK, root, 6, Grain.MONTH)
    assert len(found.points) == 6
    assert all(p.start.day == 1 for p in found.points)
    assert found.points[0].start == date(2026, 1, 1)
    with pytest.raises(ValueError, match="horizon must be between 1 and 24 months"):
        insights.forecast(view, Kpi.DEPLOYMENTS_PER_WEEK, root, 25, Grain.MONTH)
    with pytest.raises(KeyError, match="unknown team"):
        insights.forecast(view, Kpi.DEPLOYMENTS_PER_WEEK, "nope", 4)


def test_an_initiatives_outlook_brackets_its_forecast() -> None:
    view = view_of("seasonal")
    root = largest_root(view)
    defaults = initiatives.Initiatives.load()
    on = END - timedelta(days=1)
    for initiative in defaults.initiatives:
        found = initiatives.outlook(view, initiative, root, on)
        if initiative.deadline <= on:
            assert found.reason is Reason.DEADLINE_PASSED
            continue
        assert found.model is not None, found
        assert found.low is not None
        assert found.high is not None
        assert found.value is not None
        assert found.low <= found.value <= found.high
        assert found.history > 50
        if found.earliest is not None and found.latest is not None:
            assert found.earliest <= found.latest


def test_no_season_is_read_into_a_constant_or_a_straight_line() -> None:
    flat = insights.fit(np.full(40, 5.0), 5, (13,))
    assert (flat.model, flat.season) == (Model.ETS, None)
    assert flat.mean == pytest.approx([5.0] * 5)
    line = insights.fit(np.arange(40.0), 5, (13,))
    assert (line.model, line.season) == (Model.ETS, None)
    assert line.mean[0] == pytest.approx(40, abs=0.5)
    assert (line.low <= line.mean).all()
    assert (line.mean <= line.high).all()
