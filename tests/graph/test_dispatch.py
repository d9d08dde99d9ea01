"""The batch path (graph/dispatch.py, ``OrgView.values``): every KPI of the catalogue computed
for many subtrees at once equals, float for float, the scalar path's value of each subtree
(``OrgView.metric(...).value``, NaN for None), on generated orgs: over windows with data,
without any (before the data, after it, of no day), with partial weeks, and over team sets
that hold inactive teams, teams withheld under the privacy floor (0, 5 and 8), nested teams,
repeats and none. Subtrees large enough for the percentiles' histograms are in them too
(small ``exact_limit``), so the approximate percentiles are held to the same rule.

Exact equality, not a tolerance: the batch forms divide the same integers in the same order
as the scalar forms, and the percentiles pick the same sample, so no float is summed in
another order."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.catalogue import CATALOGUE, Kpi
from graph.dispatch import Forms
from graph.engine import Engine
from graph.report import KpiConfig, Metric
from graph.view import OrgView
from store.frames import OrgFrames, read_bundle
from synthetic import generate_bundle
from tests.graph import test_null_rule as edges
from tests.graph.generated import END
from tests.graph.rows import deployment, org, person, service, team

#: the generated history: two years up to END
FIRST = END - timedelta(days=730)
WINDOWS = {
    "two years": (FIRST, END),
    "a year": (END - timedelta(days=365), END),
    "two weeks and six days": (END - timedelta(days=100), END - timedelta(days=80)),
    "five days": (END - timedelta(days=40), END - timedelta(days=35)),
    "one day": (END - timedelta(days=3), END - timedelta(days=2)),
    "across the start of the data": (FIRST - timedelta(days=30), FIRST + timedelta(days=31)),
    "before any data": (date(2015, 1, 5), date(2015, 3, 9)),
    "after the data": (END, END + timedelta(days=60)),
    "no day": (END - timedelta(days=10), END - timedelta(days=10)),
}


@functools.cache
def _frames(seed: int) -> OrgFrames:
    directory = Path(tempfile.mkdtemp(prefix="orgraph-dispatch-"))
    generate_bundle(directory, teams=80, seed=seed, end=END)
    return read_bundle(directory)


@functools.cache
def _view(seed: int, floor: int, as_of: date = END, exact_limit: int = 256) -> OrgView:
    """A view of the generated org; ``exact_limit`` small, so that the larger subtrees (about
    a quarter of the teams) read their percentiles from histograms."""
    config = KpiConfig(privacy_floor=floor)
    engine = Engine(_frames(seed), config, exact_limit=exact_limit, edge_samples=exact_limit)
    return engine.view(as_of)


def _scalar(view: OrgView, kpi: Kpi, teams: Sequence[str], start: date, end: date) -> np.ndarray:
    return np.array(
        [np.nan if (v := view.metric(kpi, t, start, end).value) is None else v for t in teams],
        dtype=np.float64,
    )


def _team_sets(view: OrgView) -> dict[str, tuple[str, ...]]:
    tree = view.tree
    root = max(tree.roots, key=lambda r: len(tree.subtree(r)))
    floor = view.privacy
    every = tree.team_ids
    day = END - timedelta(days=1)
    return {
        "every team, inactive ones too": every,
        "a level": view.level(root, 1),
        "the level below": view.level(root, 2),
        "leaves": view.leaves(root),
        "inactive": tuple(t for t in every if not tree.is_active(t)),
        "withheld": tuple(t for t in every if floor.withheld(t, day)),
        "nested and repeated": (root, *tree.subtree(root)[:5], root, *view.leaves(root)[:3]),
        "none": (),
    }


def _assert_same(
    view: OrgView, kpi: Kpi, teams: Sequence[str], start: date, end: date, label: str
) -> None:
    got, want = view.values(kpi, teams, start, end), _scalar(view, kpi, teams, start, end)
    assert got.shape == (len(teams),)
    differ = [
        (team, g, w)
        for team, g, w in zip(teams, got.tolist(), want.tolist(), strict=True)
        if not (g == w or (np.isnan(g) and np.isnan(w)))
    ]
    assert not differ, (kpi, label, start, end, differ[:5])


@pytest.mark.parametrize("floor", [0, 5])
@pytest.mark.parametrize("window", list(WINDOWS))
def test_every_kpi_equals_the_scalar_path_over_each_team_set(floor: int, window: str) -> None:
    view = _view(3, floor)
    start, end = WINDOWS[window]
    sets = _team_sets(view)
    assert all(sets[name] for name in ("inactive", "leaves", "a level")), "sets not empty"
    if floor:
        assert sets["withheld"], "the floor withholds some teams of the generated org"
    for label, teams in sets.items():
        for kpi in CATALOGUE:
            _assert_same(view, kpi, teams, start, end, label)


def test_the_same_on_an_older_structure_date_and_a_floor_that_bites_more() -> None:
    # a structure date a year back (other reorgs, other inactive teams), another seed, k = 8
    view = _view(11, 8, as_of=END - timedelta(days=365))
    for window in ("a year", "two weeks and six days", "before any data"):
        start, end = WINDOWS[window]
        for label, teams in _team_sets(view).items():
            for kpi in CATALOGUE:
                _assert_same(view, kpi, teams, start, end, label)


def test_the_histograms_are_read_for_large_subtrees() -> None:
    # the equality above covers the approximate percentiles only if some are approximate,
    # and the percentiles picked together only if some are exact
    view = _view(3, 0)
    start, end = WINDOWS["two years"]
    for kpi, definition in CATALOGUE.items():
        if definition.quantile_of is None:
            continue
        exact = [view.metric(kpi, t, start, end).exact for t in view.tree.team_ids]
        assert 0 < exact.count(False) < len(exact) // 2, kpi


@pytest.mark.parametrize("case", list(edges.EDGES))
def test_the_null_rule_s_edges_are_the_same(case: str) -> None:
    # the hand-built orgs of test_null_rule.py: no services, no people, no events, ...
    rows, _ = edges.EDGES[case]
    view = Engine(org(**rows), KpiConfig(privacy_floor=2)).view(edges.AS_OF)
    month = (edges.START, edges.END)
    for start, end in (month, (edges.START, edges.START + timedelta(days=9)), (END, END)):
        for kpi in CATALOGUE:
            _assert_same(view, kpi, view.tree.team_ids, start, end, case)


def test_intervals_that_meet_the_window_s_edges() -> None:
    # services and people that start on the window's end or end on its first day (outside
    # it: exclusive ends), or start or end on its last day (point-in-time KPIs read that day)
    start, end = date(2025, 3, 3), date(2025, 3, 31)
    frames = org(
        teams=[team("org"), *(team(t, "org") for t in ("after", "before", "last", "gone"))],
        services=[
            service("s-after", "after", start="2025-03-31"),
            service("s-before", "before", end="2025-03-03"),
            service("s-last", "last", start="2025-03-30", platform="native_aws"),
            service("s-gone", "gone", end="2025-03-30"),
            service("s-org", "org"),
        ],
        people=[
            person("p-after", "after", start="2025-03-31"),
            person("p-before", "before", end="2025-03-03"),
            person("p-last", "last", start="2025-03-30"),
            person("p-gone", "gone", "PM", end="2025-03-30"),
        ],
        deployments=[deployment("d1", "s-org", "03-10 10:00")],
    )
    view = Engine(frames).view(end)
    teams = view.tree.team_ids
    assert view.metric(Kpi.DEPLOYMENTS_PER_WEEK, "after", start, end).value is None
    assert view.metric(Kpi.DEPLOYMENTS_PER_WEEK, "before", start, end).value is None
    assert view.metric(Kpi.HEADCOUNT, "last", start, end).value == 1
    for window in (
        (start, end),
        (start, end + timedelta(days=1)),
        (start - timedelta(days=1), end),
    ):
        for kpi in CATALOGUE:
            _assert_same(view, kpi, teams, *window, "edges")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), floor=st.sampled_from([0, 5]))
def test_any_window_and_team_set(data: st.DataObject, floor: int) -> None:
    view = _view(3, floor)
    first = data.draw(st.integers(-60, 760), label="start, days after the data's first")
    days = data.draw(st.integers(0, 120), label="days")
    start = FIRST + timedelta(days=first)
    end = start + timedelta(days=days)
    teams = data.draw(st.lists(st.sampled_from(view.tree.team_ids), max_size=25), label="teams")
    for kpi in CATALOGUE:
        _assert_same(view, kpi, teams, start, end, "drawn")


def test_a_kpi_without_a_batch_form_is_computed_one_team_at_a_time() -> None:
    view = _view(3, 5)
    kpi = Kpi.SDE_RATIO  # a people KPI: the privacy floor applies on either path
    start, end = WINDOWS["a year"]
    teams = view.tree.team_ids
    batch = view.values(kpi, teams, start, end)
    forms = view._kpis
    original = forms[kpi]
    calls: list[str] = []

    def one(team: str, s: date, e: date) -> Metric:
        calls.append(team)
        return original.one(team, s, e)

    forms[kpi] = Forms(one, None)
    try:
        later = END - timedelta(days=7)  # a window not cached yet, on either path
        looped = view.values(kpi, teams, start, later)
        assert np.array_equal(looped, _scalar(view, kpi, teams, start, later), equal_nan=True)
        withheld = sum(view.privacy.withheld(t, later - timedelta(days=1)) for t in teams)
        assert len(calls) == len(teams) - withheld  # the floor answers before the form
    finally:
        forms[kpi] = original
    assert np.array_equal(view.values(kpi, teams, start, end), batch, equal_nan=True)


def test_every_kpi_has_its_forms_and_the_values_are_read_only() -> None:
    view = _view(3, 0)
    assert set(view._kpis) == set(Kpi)
    found = view.values(Kpi.HEADCOUNT, view.tree.team_ids, *WINDOWS["a year"])
    assert not found.flags.writeable
    assert view.values(Kpi.HEADCOUNT, view.tree.team_ids, *WINDOWS["a year"]) is found


def test_an_unknown_team_is_a_key_error() -> None:
    view = _view(3, 0)
    with pytest.raises(KeyError, match="nope"):
        view.values(Kpi.DEPLOYMENTS_PER_WEEK, ("nope",), *WINDOWS["a year"])
