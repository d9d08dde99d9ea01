"""Initiatives: the file's checks, the forecast on constructed series, a hand-built org with
values worked out by hand on two dates, and generated orgs against plain computations."""

from __future__ import annotations

import dataclasses
import random
import tomllib
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph.engine import Engine
from graph.initiatives import (
    DEFAULT_FILE,
    Direction,
    Initiative,
    Initiatives,
    InitiativesError,
    Point,
    State,
    forecast,
    pace,
    standings,
    state,
    status,
    trend,
)
from store.frames import read_bundle
from tests.graph.generated import END, generated_org, team_on, valid_on
from tests.graph.rows import change, org, person, service, team

DEFAULTS = Initiatives.load()
SDE = DEFAULTS.get("sde-ratio")
REMOTE = DEFAULTS.get("remote-contributions")
MIGRATION = DEFAULTS.get("native-aws-migration")


# -- the file ---------------------------------------------------------------------------------


def test_the_shipped_file_has_the_three_default_initiatives_and_the_vocabularies() -> None:
    assert [i.key for i in DEFAULTS.initiatives] == [
        "sde-ratio",
        "remote-contributions",
        "native-aws-migration",
    ]
    assert (SDE.target, SDE.direction, SDE.roles) == (0.7, Direction.AT_LEAST, frozenset({"SDE"}))
    assert (REMOTE.target, REMOTE.window_days) == (0.1, 90)
    assert (MIGRATION.target, MIGRATION.platforms) == (1.0, frozenset({"native_aws"}))
    assert DEFAULTS.config.engineer_roles == {"SDE"}
    assert DEFAULTS.config.target_platforms == {"native_aws"}


def _raw() -> dict[str, object]:
    return tomllib.loads(DEFAULT_FILE.read_text(encoding="utf-8"))


def _broken(change: str, value: object, entry: int = 0) -> dict[str, object]:
    raw = _raw()
    entries = raw["initiatives"]
    assert isinstance(entries, list)
    entries[entry] = {**entries[entry], change: value}
    return raw


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            _broken("measure", "happiness"),
            "initiative 'sde-ratio' (entry 1), field 'measure': Input should be 'role_share'",
        ),
        (
            _broken("roles", ["SDE", "Wizard"]),
            "initiative 'sde-ratio' (entry 1), field 'roles': unknown role 'Wizard'",
        ),
        (
            _broken("platforms", ["mainframe"], entry=2),
            "initiative 'native-aws-migration' (entry 3), field 'platforms': unknown platform "
            "'mainframe'",
        ),
        (
            _broken("deadline", date(2024, 12, 1), entry=1),
            "initiative 'remote-contributions' (entry 2), field 'deadline': 2024-12-01 is not "
            "after start 2025-01-01",
        ),
        (
            _broken("key", "sde-ratio", entry=1),
            "initiative 'sde-ratio' (entry 2), field 'key': another initiative has this key",
        ),
        (
            _broken("kpi", "CHANGE_FAILURE_RATE"),
            "initiative 'sde-ratio' (entry 1), field 'kpi': only for measure 'kpi'",
        ),
        (
            _broken("measure", "kpi"),
            "initiative 'sde-ratio' (entry 1), field 'kpi': measure 'kpi' needs the KPI's name",
        ),
        (
            _broken("target", 1.5),
            "initiative 'sde-ratio' (entry 1), field 'target': a share is between 0 and 1",
        ),
        (
            _broken("colour", "blue"),
            "initiative 'sde-ratio' (entry 1), field 'colour': Extra inputs are not permitted",
        ),
        (
            {**_raw(), "vocabulary": {**_raw()["vocabulary"], "engineer_roles": ["Dev"]}},  # type: ignore[dict-item]
            "vocabulary, field 'engineer_roles': 'Dev' is not in",
        ),
    ],
)
def test_a_bad_initiatives_file_is_refused_naming_the_file_entry_and_field(
    raw: dict[str, object], expected: str
) -> None:
    with pytest.raises(InitiativesError) as refused:
        Initiatives.parse(raw, "conf/initiatives.toml")
    assert f"conf/initiatives.toml: {expected}" in str(refused.value)


def test_an_entry_without_a_required_field_and_a_file_that_is_not_toml(tmp_path: Path) -> None:
    raw = _raw()
    entries = raw["initiatives"]
    assert isinstance(entries, list)
    del entries[2]["deadline"]
    with pytest.raises(InitiativesError, match=r"'native-aws-migration' \(entry 3\), field "):
        Initiatives.parse(raw, "x.toml")
    broken = tmp_path / "initiatives.toml"
    broken.write_text("[vocabulary\nroles = 1\n", encoding="utf-8")
    with pytest.raises(InitiativesError, match=rf"{broken}: not valid TOML: .*line 1"):
        Initiatives.load(broken)
    with pytest.raises(InitiativesError, match="no such initiatives file"):
        Initiatives.load(tmp_path / "missing.toml")


def test_a_kpi_measure_names_a_kpi_of_the_engine() -> None:
    raw = _broken("measure", "kpi")
    entries = raw["initiatives"]
    assert isinstance(entries, list)
    entries[0]["kpi"] = "HAPPINESS"
    with pytest.raises(InitiativesError, match="field 'kpi': unknown KPI 'HAPPINESS'"):
        Initiatives.parse(raw)
    entries[0] |= {"kpi": "CHANGE_FAILURE_RATE", "direction": "at_most", "target": 0.15}
    chosen = Initiatives.parse(raw).get("sde-ratio")
    assert chosen.kpi is not None
    assert chosen.kpi.name == "CHANGE_FAILURE_RATE"
    assert chosen.sample_kind == "deployments"
    assert chosen.windowed
    # and the sample kind is what the KPI's sample counts, as the catalogue says
    expected = {
        "CHANGES_PER_ENGINEER_PER_WEEK": "changes",
        "DEPLOYMENT_DAYS_PER_WEEK": "deployment days",
        "HEADCOUNT": "people",
    }
    for kpi, counted in expected.items():
        entries[0] |= {"kpi": kpi, "direction": "at_least", "target": 1.0}
        assert Initiatives.parse(raw).get("sde-ratio").sample_kind == counted


# -- the forecast on constructed series -------------------------------------------------------

ON = date(2026, 3, 1)


def _series(values: Sequence[float | None]) -> list[Point]:
    """Weekly points ending on ``ON``, oldest first."""
    count = len(values)
    return [Point(ON - timedelta(days=7 * (count - 1 - k)), v, 10) for k, v in enumerate(values)]


def _initiative(target: float, direction: Direction = Direction.AT_LEAST) -> Initiative:
    return dataclasses.replace(
        MIGRATION, target=target, direction=direction, deadline=date(2026, 6, 1)
    )


def test_a_linear_ramp_reaches_the_target_on_its_exact_crossing_day() -> None:
    # 0.30, 0.37, ..., 0.65 over 6 weeks: +0.07 a week is 0.01 a day; 0.80 is 15 days away
    ramp = _series([0.30 + 0.07 * k for k in range(6)])
    slope = pace(ramp, ON, weeks=12)
    assert slope == pytest.approx(0.01)
    when = forecast(_initiative(0.80), 0.65, slope, ON)
    assert when == ON + timedelta(days=15)
    assert state(_initiative(0.80), 0.65, when, ON) is State.ON_TRACK
    # a crossing between days is the first whole day at or past the target
    assert forecast(_initiative(0.805), 0.65, slope, ON) == ON + timedelta(days=16)
    # the deadline is 92 days out; 0.65 -> 1.70 takes 105 days: within 30 more days
    far = _initiative(1.70)
    assert state(far, 0.65, forecast(far, 0.65, slope, ON), ON) is State.AT_RISK
    farther = _initiative(2.0)  # 135 days
    assert state(farther, 0.65, forecast(farther, 0.65, slope, ON), ON) is State.OFF_TRACK


def test_only_the_recent_weeks_set_the_pace() -> None:
    # flat for a year, then +0.01 a day over the last 4 weeks: a 4-week pace sees only the ramp
    values = [0.2] * 48 + [0.2 + 0.07 * k for k in range(1, 5)]
    assert pace(_series(values), ON, weeks=4) == pytest.approx(0.07 / 7 * 0.9, rel=0.2)
    assert pace(_series(values), ON, weeks=3) == pytest.approx(0.01)


def test_a_falling_ramp_reaches_an_at_most_target() -> None:
    falling = _series([0.40 - 0.07 * k for k in range(4)])  # 0.40 .. 0.19, -0.01 a day
    slope = pace(falling, ON, weeks=12)
    goal = _initiative(0.15, Direction.AT_MOST)
    assert forecast(goal, 0.19, slope, ON) == ON + timedelta(days=4)


@pytest.mark.parametrize(
    ("values", "target", "expected"),
    [
        ([0.5, 0.5, 0.5, 0.5], 0.8, State.OFF_TRACK),  # flat: no forecast
        ([0.6, 0.55, 0.5, 0.45], 0.8, State.OFF_TRACK),  # falling: no forecast
        ([0.9, 0.9, 0.9], 0.8, State.DONE),  # flat, but met already
        ([0.95, 0.9, 0.85], 0.8, State.DONE),  # falling, met still
        ([None, None, None], 0.8, State.NO_DATA),
        ([0.5], 0.8, State.OFF_TRACK),  # one point: no pace
    ],
)
def test_a_flat_or_falling_series_gives_no_forecast(
    values: list[float | None], target: float, expected: State
) -> None:
    goal = _initiative(target)
    series = _series(values)
    current = series[-1].value
    when = forecast(goal, current, pace(series, ON, weeks=12), ON)
    assert when is None
    assert state(goal, current, when, ON) is expected


def test_a_deadline_that_passed_is_off_track_whatever_the_pace() -> None:
    goal = _initiative(0.8)
    assert state(goal, 0.5, date(2026, 5, 1), date(2026, 7, 1)) is State.OFF_TRACK


# -- a hand-built org -------------------------------------------------------------------------

#: before and after p2 moves (04-15), s3 changes owner (04-01) and s2 migrates (05-01)
D1, D2 = date(2025, 3, 31), date(2025, 6, 30)


def _org() -> Engine:
    """Root r with teams a and b.

    people: p1 SDE a; p2 SDE a, then b from 04-15; p3 PM a; p4 SDE b; p5 TPM b; p6 SDE b
    services: s1 a native; s2 a legacy, native from 05-01; s3 b legacy, a's from 04-01; s4 b
    native
    changes (90-day windows ending 03-31 and 06-30): c1 s1 by p1; c2 s1 by p4 (b into a);
    c3 s3 by p2 (a into b, s3 still b's); c4 s4 by p6; c5 s3 by p2 (b into a, s3 now a's,
    p2 now b's); c6 s2 by p1; c7 s4 by p2 (b's own); c8 s4 by an unknown author
    """
    frames = org(
        teams=[team("r"), team("a", "r"), team("b", "r")],
        people=[
            person("p1", "a"),
            person("p2", "a", end="2025-04-15"),
            person("p2", "b", start="2025-04-15"),
            person("p3", "a", role="PM"),
            person("p4", "b"),
            person("p5", "b", role="TPM"),
            person("p6", "b"),
        ],
        services=[
            service("s1", "a", platform="native_aws"),
            service("s2", "a", end="2025-05-01", platform="legacy_dc"),
            service("s2", "a", start="2025-05-01", platform="native_aws"),
            service("s3", "b", end="2025-04-01", platform="legacy_dc"),
            service("s3", "a", start="2025-04-01", platform="legacy_dc"),
            service("s4", "b", platform="native_aws"),
        ],
        changes=[
            change("c1", "s1", opened="03-09 10:00", merged="03-10 10:00", author="p1"),
            change("c2", "s1", opened="03-11 10:00", merged="03-12 10:00", author="p4"),
            change("c3", "s3", opened="03-19 10:00", merged="03-20 10:00", author="p2"),
            change("c4", "s4", opened="03-24 10:00", merged="03-25 10:00", author="p6"),
            change("c5", "s3", opened="05-09 10:00", merged="05-10 10:00", author="p2"),
            change("c6", "s2", opened="05-31 10:00", merged="06-01 10:00", author="p1"),
            change("c7", "s4", opened="06-01 10:00", merged="06-02 10:00", author="p2"),
            change("c8", "s4", opened="06-02 10:00", merged="06-03 10:00"),
        ],
    )
    return Engine(frames, DEFAULTS.config)


@pytest.mark.parametrize(
    ("initiative", "on", "expected"),
    [
        # SDE ratio: a = p1 p2 p3 then p1 p3; b = p4 p5 p6 then p2 p4 p5 p6
        (SDE, D1, {"r": (4 / 6, 6), "a": (2 / 3, 3), "b": (2 / 3, 3)}),
        (SDE, D2, {"r": (4 / 6, 6), "a": (1 / 2, 2), "b": (3 / 4, 4)}),
        # remote contributions: 03-31 sees c1-c4, 06-30 sees c5-c8 (c8 has no author)
        (REMOTE, D1, {"r": (0.0, 4), "a": (1 / 2, 2), "b": (1 / 2, 2)}),
        (REMOTE, D2, {"r": (0.0, 3), "a": (1 / 2, 2), "b": (0.0, 1)}),
        # migration: a = s1 s2 (s2 legacy) then s1 s2 s3 (s2 native); b = s3 s4 then s4
        (MIGRATION, D1, {"r": (2 / 4, 4), "a": (1 / 2, 2), "b": (1 / 2, 2)}),
        (MIGRATION, D2, {"r": (3 / 4, 4), "a": (2 / 3, 3), "b": (1.0, 1)}),
    ],
)
def test_each_default_initiative_on_two_dates_in_a_hand_built_org(
    initiative: Initiative, on: date, expected: dict[str, tuple[float, int]]
) -> None:
    view = _org().view(on)
    for key, (value, sample) in expected.items():
        found = status(view, initiative, key, on)
        assert found.current.value == pytest.approx(value), key
        assert found.current.sample == sample, key


def test_status_progress_forecast_and_standings_in_the_hand_built_org() -> None:
    engine = _org()
    view = engine.view(D2)
    # the SDE ratio of r never moved (4 of 6): no pace, OFF_TRACK, no progress
    sde = status(view, SDE, "r", D2)
    assert sde.start_value == pytest.approx(4 / 6)
    assert sde.progress == 0.0
    assert (sde.pace_per_week, sde.forecast, sde.state) == (0.0, None, State.OFF_TRACK)
    # b's 3 of 4 is past 0.70
    assert status(view, SDE, "b", D2).state is State.DONE
    # migration: 2 of 4 at the start (01-01), 3 of 4 now; half the way to 1.0
    moved = status(view, MIGRATION, "r", D2)
    assert (moved.start_value, moved.progress) == (0.5, 0.5)
    # the last 12 weeks: 0.5 on 04-07 .. 04-28, then 0.75 on 05-05 .. 06-30 (13 points): the
    # least-squares slope is 9/364 a week; 0.25 to go at that pace is 70.8 days, so 09-09
    assert moved.pace_per_week == pytest.approx(9 / 364)
    assert moved.forecast == date(2025, 9, 9)
    assert moved.state is State.ON_TRACK  # the deadline is 2026-12-31
    points = trend(view, MIGRATION, "r", D2)
    assert points[-1].on == D2
    assert points[0].on == D2 - timedelta(days=7 * 25)
    assert [p.value for p in points if p.on < date(2025, 4, 1)] == [0.5] * 13
    assert {p.value for p in points if p.on >= date(2025, 5, 1)} == {0.75}
    # laggards: a is one service short of 100% (3 x (1 - 2/3)); b (1 of 1) leads
    laggards, leaders = standings(view, MIGRATION, "r", D2)
    assert [(s.team, s.gap) for s in laggards] == [("a", 1.0)]  # rounded: no float noise
    assert [(s.team, s.gap) for s in leaders] == [("b", 0.0)]
    # SDE: a is 0.4 of a person short (2 x (0.7 - 0.5)); b is 0.2 ahead (4 x (0.7 - 0.75))
    laggards, leaders = standings(view, SDE, "r", D2)
    assert [(s.team, s.gap) for s in laggards] == [("a", 0.4)]
    assert [(s.team, s.gap) for s in leaders] == [("b", -0.2)]


def test_an_initiative_with_a_scope_answers_only_inside_it() -> None:
    scoped = dataclasses.replace(SDE, scope="a")
    view = _org().view(D2)
    assert status(view, scoped, "a", D2).current.value == 0.5
    with pytest.raises(ValueError, match="team 'b' is outside the scope 'a'"):
        status(view, scoped, "b", D2)
    with pytest.raises(KeyError, match="unknown team 'zz'"):
        status(view, SDE, "zz", D2)
    with pytest.raises(InitiativesError, match="field 'scope': no team 'zz' in the store"):
        Initiatives(
            "f.toml", (dataclasses.replace(SDE, scope="zz"),), DEFAULTS.config
        ).check_scopes(["r", "a", "b"])


# -- generated orgs against plain computations ------------------------------------------------


def test_initiative_values_match_plain_computations_on_a_generated_org(tmp_path: Path) -> None:
    # given a generated org with moves, owner changes, migrations and remote changes
    generated = generated_org(tmp_path, seed=12)
    engine = Engine(read_bundle(tmp_path), DEFAULTS.config)
    people = list(generated.people.iter_rows(named=True))
    services = list(generated.services.iter_rows(named=True))
    owners = generated.history(generated.services, "owner_team_id")
    members = generated.history(generated.people, "team_id")
    merged = [
        (
            team_on(owners[c["service_id"]], c["merged_at"].date()),
            team_on(members[c["author_id"]], c["merged_at"].date()),
            c["merged_at"].date(),
        )
        for c in generated.changes.iter_rows(named=True)
        if c["merged_at"] is not None and c["author_id"] is not None
    ]
    rng = random.Random(12)
    seen: dict[str, set[float | None]] = {"sde": set(), "remote": set(), "aws": set()}
    for on in (date(2024, 10, 15), END - timedelta(days=1)):
        view = engine.view(on)
        tree = view.tree
        for _ in range(15):
            key = rng.choice(tree.team_ids)
            day = on - timedelta(days=rng.randint(0, 300))
            inside = [
                p for p in people if valid_on(p, day) and tree.is_in_subtree(p["team_id"], key)
            ]
            sde = sum(p["role"] == "SDE" for p in inside)
            owned = [
                s
                for s in services
                if valid_on(s, day) and tree.is_in_subtree(s["owner_team_id"], key)
            ]
            native = sum(s["platform"] == "native_aws" for s in owned)
            start, end = day - timedelta(days=89), day + timedelta(days=1)
            to_x = into_x = 0
            for owner, author, merged_on in merged:
                if start <= merged_on < end and tree.is_in_subtree(owner, key):
                    to_x += 1
                    into_x += not tree.is_in_subtree(author, key)
            for initiative, (value, sample), name in (
                (SDE, (sde / len(inside) if inside else None, len(inside)), "sde"),
                (MIGRATION, (native / len(owned) if owned else None, len(owned)), "aws"),
                (REMOTE, (into_x / to_x if to_x else None, to_x), "remote"),
            ):
                found = status(view, initiative, key, day).current
                assert (found.value, found.sample) == (value, sample), (name, key, day)
                seen[name].add(value)
    assert all(len(values) > 5 for values in seen.values())  # real variety, not all null
