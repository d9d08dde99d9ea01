"""The privacy floor (graph/privacy.py, docs/security.md): people-derived figures of a subtree of
fewer than k people are withheld, never zero-filled; complements are withheld with them so that
a shown parent minus its shown children never isolates a group of fewer than k people."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph.catalogue import CATALOGUE, Kpi
from graph.engine import Engine
from graph.initiatives import State, default_initiatives, status
from graph.privacy import Withheld
from graph.report import KpiConfig
from store.frames import read_bundle
from synthetic import generate_bundle
from tests.graph.generated import END
from tests.graph.rows import change, org, person, service, team

START, STOP = date(2025, 3, 3), date(2025, 3, 31)
DAY = STOP - timedelta(days=1)
PEOPLE_KPIS = [kpi for kpi, d in CATALOGUE.items() if d.people]


def _org() -> Engine:
    """org: a (3 people), b (6), c (9); b has b1 (3) and b2 (3); every team merges changes."""
    sizes = {"a": 3, "b1": 3, "b2": 3, "c": 9}
    people = [
        person(f"{t}{i}", t, "SDE" if i % 2 else "PM") for t, n in sizes.items() for i in range(n)
    ]
    teams = [team("org"), team("a", "org"), team("b", "org"), team("c", "org")]
    teams += [team("b1", "b"), team("b2", "b")]
    services = [service(f"s-{t}", t) for t in sizes]
    changes = [
        change(f"c-{t}", f"s-{t}", opened="03-05 10:00", merged="03-06 10:00", author=f"{t}1")
        for t in sizes
    ]
    frames = org(teams=teams, people=people, services=services, changes=changes)
    return Engine(frames, KpiConfig(privacy_floor=5))


def test_a_small_team_s_people_figures_are_withheld_not_zero() -> None:
    view = _org().view(DAY)
    report = view.report("a", START, STOP)
    for kpi in PEOPLE_KPIS:
        metric = report.metrics[kpi]
        assert (metric.value, metric.sample, metric.withheld) == (
            None,
            0,
            Withheld.BELOW_PRIVACY_FLOOR,
        ), kpi
    # figures not derived from people stay, and so does the headcount (a count)
    assert report.metrics[Kpi.HEADCOUNT].value == 3
    assert report.metrics[Kpi.HEADCOUNT].withheld is None
    assert report.headcount_by_role is None
    # and the org, above the floor, shows everything
    whole = view.report("org", START, STOP)
    assert whole.metrics[Kpi.SDE_RATIO].value is not None
    assert whole.headcount_by_role == {"SDE": 7, "PM": 11}  # a, b1, b2: 1 + 2; c: 4 + 5


def test_the_smallest_shown_sibling_is_withheld_with_a_small_team() -> None:
    # a (3 people) alone would be org minus b minus c: so b (6), the smallest shown sibling,
    # is withheld too, and with it its whole subtree (else b = b1 + b2)
    view = _org().view(DAY)
    withheld = {t for t in view.tree.team_ids if view.privacy.withheld(t, DAY)}
    assert withheld == {"a", "b", "b1", "b2"}
    assert view.report("c", START, STOP).metrics[Kpi.SDE_RATIO].value is not None


def test_with_no_floor_nothing_is_withheld() -> None:
    engine = _org()
    engine.set_privacy_floor(0)
    view = engine.view(DAY)
    assert view.report("a", START, STOP).metrics[Kpi.SDE_RATIO].value == pytest.approx(1 / 3)


def test_a_withheld_initiative_has_no_value_progress_pace_or_forecast() -> None:
    view = _org().view(DAY)
    sde = default_initiatives().get("sde-ratio")
    found = status(view, sde, "a", DAY)
    assert found.state is State.WITHHELD
    assert (found.current.value, found.start_value, found.progress, found.forecast) == (None,) * 4
    assert status(view, sde, "c", DAY).state is not State.WITHHELD


@pytest.mark.parametrize("seed", [3, 11])
def test_no_shown_parent_minus_its_shown_children_isolates_fewer_than_k(
    tmp_path: Path, seed: int
) -> None:
    # given a generated org and the floor at 5 (and 8: a floor that bites more often)
    generate_bundle(tmp_path, teams=60, seed=seed, end=END)
    frames = read_bundle(tmp_path)
    for k in (5, 8):
        view = Engine(frames, KpiConfig(privacy_floor=k)).view(END)
        rng = random.Random(seed)
        days = [END - timedelta(days=rng.randint(0, 700)) for _ in range(6)]
        checked = withheld_seen = 0
        for day in days:
            for parent in view.tree.team_ids:
                if view.privacy.withheld(parent, day):
                    continue
                children = view.tree.children(parent, include_inactive=True)
                shown = [c for c in children if not view.privacy.withheld(c, day)]
                withheld_seen += len(children) - len(shown)
                # when the attacker subtracts every shown child's headcount by role from the
                # parent's, what remains is a group of none or at least k people
                parent_roles = view.roles_on(parent, day)
                assert parent_roles is not None
                rest = dict(parent_roles)
                for child in shown:
                    roles = view.roles_on(child, day)
                    assert roles is not None
                    for role, n in roles.items():
                        rest[role] -= n
                remaining = sum(rest.values())
                assert remaining == 0 or remaining >= k, (parent, day, rest)
                # and each withheld child's people-derived figures really are withheld
                for child in set(children) - set(shown):
                    metric = view.metric(Kpi.SDE_RATIO, child, day, day + timedelta(days=1))
                    assert metric.withheld is Withheld.BELOW_PRIVACY_FLOOR
                checked += 1
        # and the floor did bite somewhere, so the check was not vacuous
        assert checked > 0
        assert withheld_seen > 0, k


@pytest.mark.parametrize("k", [0, 5, 8])
def test_many_teams_at_once_are_withheld_as_each_one_is(tmp_path: Path, k: int) -> None:
    # the batch form (people counted at once, each complement chosen once) against withheld
    generate_bundle(tmp_path, teams=60, seed=11, end=END)
    view = Engine(read_bundle(tmp_path), KpiConfig(privacy_floor=k)).view(END)
    teams = view.tree.team_ids
    for day in (END - timedelta(days=1), END - timedelta(days=400), END + timedelta(days=30)):
        many = view.privacy.withheld_many(teams, day).tolist()
        assert many == [view.privacy.withheld(t, day) for t in teams]
        # in another order, and again (the complements now cached)
        backwards = teams[::-1]
        assert view.privacy.withheld_many(backwards, day).tolist() == many[::-1]
        assert any(many) == (k > 1)
