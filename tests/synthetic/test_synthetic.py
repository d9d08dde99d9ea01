"""The synthetic generator writes a bundle that is valid, varied and reproducible.

The checks read the files back with the csv module only, as an independent loader would,
and test the data contract's error rules (none may occur) and the features the demo relies
on (reorgs, moves, migrations, handovers, a few of each warning).
"""

from __future__ import annotations

import csv
import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from synthetic import GenerateReport, generate_bundle

END = date(2025, 7, 1)
START = date(2023, 7, 1)  # two calendar years before END
ENTITIES = (
    "teams",
    "people",
    "services",
    "deployments",
    "changes",
    "reviews",
    "incidents",
    "coverage",
    "debt",
)
Row = dict[str, str]
Bundle = dict[str, list[Row]]


def read_csv(path: Path) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerateReport, Bundle]:
    out = tmp_path_factory.mktemp("bundle300")
    report = generate_bundle(out, teams=300, seed=11, end=END)
    return report, {entity: read_csv(out / f"{entity}.csv") for entity in ENTITIES}


@pytest.fixture(scope="module")
def bundle(generated: tuple[GenerateReport, Bundle]) -> Bundle:
    return generated[1]


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


# --- reproducibility and the output directory ------------------------------------------


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    generate_bundle(tmp_path / "a", teams=60, seed=5, end=END, years=1.0)
    generate_bundle(tmp_path / "b", teams=60, seed=5, end=END, years=1.0)
    generate_bundle(tmp_path / "c", teams=60, seed=6, end=END, years=1.0)
    a, b, c = (files_of(tmp_path / name) for name in "abc")
    assert sorted(a) == sorted(f"{e}.csv" for e in ENTITIES)
    assert a == b
    assert a != c


def test_jsonl_holds_the_csv_rows_without_empty_values(tmp_path: Path) -> None:
    generate_bundle(tmp_path / "csv", teams=40, seed=3, end=END, years=0.5)
    generate_bundle(tmp_path / "jsonl", teams=40, seed=3, end=END, years=0.5, fmt="jsonl")
    for entity in ENTITIES:
        rows = read_csv(tmp_path / "csv" / f"{entity}.csv")
        lines = (tmp_path / "jsonl" / f"{entity}.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        assert len(records) == len(rows), entity
        for row, record in zip(rows, records, strict=True):
            assert {k: str(v) for k, v in record.items()} == {k: v for k, v in row.items() if v}


def test_rewrites_its_own_files_but_refuses_strangers(tmp_path: Path) -> None:
    first = generate_bundle(tmp_path, teams=30, seed=1, end=END, years=0.5)
    again = generate_bundle(tmp_path, teams=30, seed=1, end=END, years=0.5)
    assert first.rows == again.rows
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match=r"notes\.txt"):
        generate_bundle(tmp_path, teams=30, seed=1, end=END, years=0.5)
    with pytest.raises(ValueError, match="teams"):
        generate_bundle(tmp_path / "tiny", teams=3, seed=1, end=END)
    with pytest.raises(ValueError, match="fmt"):
        generate_bundle(tmp_path / "x", teams=30, seed=1, end=END, fmt="xml")


def test_report_counts_the_rows_written(generated: tuple[GenerateReport, Bundle]) -> None:
    report, bundle = generated
    assert report.rows == {entity: len(rows) for entity, rows in bundle.items()}
    assert report.seconds > 0
    facts = sum(report.rows[e] for e in ENTITIES[3:])
    assert 300 * 300 < facts < 300 * 800  # about 500 fact rows per team


# --- identity and references -----------------------------------------------------------


def test_fact_ids_are_unique_and_measurements_unique_per_service(bundle: Bundle) -> None:
    for entity in ("deployments", "changes", "reviews", "incidents"):
        ids = [row["id"] for row in bundle[entity]]
        assert len(ids) == len(set(ids)), entity
    for entity in ("coverage", "debt"):
        keys = [(row["service_id"], row["measured_at"]) for row in bundle[entity]]
        assert len(keys) == len(set(keys)), entity


def intervals(rows: list[Row]) -> dict[str, list[tuple[str, str]]]:
    """Per id, its (valid_from, valid_to) in file order; "" is open."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in rows:
        out[row["id"]].append((row["valid_from"], row["valid_to"]))
    return out


@pytest.mark.parametrize("entity", ["teams", "people", "services"])
def test_dimension_rows_of_an_id_are_contiguous_and_never_overlap(
    bundle: Bundle, entity: str
) -> None:
    for spans in intervals(bundle[entity]).values():
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert end  # only the last row may be open-ended
            assert end == start  # the next row starts where the last one ended
        for start, end in spans:
            assert not (start and end) or start < end


def test_every_reference_resolves(bundle: Bundle) -> None:
    teams = {row["id"] for row in bundle["teams"]}
    people = {row["id"] for row in bundle["people"]}
    services = {row["id"] for row in bundle["services"]}
    deployments = {row["id"] for row in bundle["deployments"]}
    changes = {row["id"] for row in bundle["changes"]}
    references = [
        ("teams", "parent_id", teams, True),
        ("people", "team_id", teams, False),
        ("services", "owner_team_id", teams, False),
        ("deployments", "service_id", services, False),
        ("changes", "service_id", services, False),
        ("changes", "author_id", people, True),
        ("changes", "deployment_id", deployments, True),
        ("reviews", "change_id", changes, False),
        ("reviews", "reviewer_id", people, False),
        ("incidents", "service_id", services, False),
        ("incidents", "caused_by_deployment_id", deployments, True),
        ("coverage", "service_id", services, False),
        ("debt", "service_id", services, False),
    ]
    for entity, column, known, nullable in references:
        values = [row[column] for row in bundle[entity]]
        assert all(v in known or (nullable and v == "") for v in values), (entity, column)
        assert any(values), (entity, column)


# --- the org tree over time ------------------------------------------------------------


def boundary_dates(rows: list[Row]) -> list[str]:
    dates = {START.isoformat()}
    for row in rows:
        dates.update(d for d in (row["valid_from"], row["valid_to"]) if d)
    return sorted(dates)


def parents_on(rows: list[Row], day: str) -> dict[str, str]:
    """team -> parent ("" for a root) of the teams valid on ``day``."""
    return {
        row["id"]: row["parent_id"]
        for row in rows
        if (not row["valid_from"] or row["valid_from"] <= day)
        and (not row["valid_to"] or day < row["valid_to"])
    }


def depths(parents: dict[str, str]) -> Iterator[int]:
    for team in parents:
        depth, node = 1, team
        while parents[node]:
            node = parents[node]
            depth += 1
            assert depth <= len(parents), f"parent cycle through {team}"
        yield depth


def test_no_cycle_and_depth_3_to_8_on_every_boundary_date(bundle: Bundle) -> None:
    teams = bundle["teams"]
    kind = {row["id"]: row["type"] for row in teams}
    for day in boundary_dates(teams):
        parents = parents_on(teams, day)
        assert all(p == "" or p in parents for p in parents.values()), day
        depth = dict(zip(parents, depths(parents), strict=True))
        assert max(depth.values()) <= 8
        assert max(depth.values()) >= 3
        assert all(depth[t] >= 3 for t in parents if kind[t] == "team"), day
        assert all(depth[t] == 1 for t in parents if kind[t] == "org"), day


def test_tree_has_several_roots_types_and_a_wide_node(bundle: Bundle) -> None:
    teams = bundle["teams"]
    roots = {row["id"] for row in teams if not row["parent_id"]}
    assert 2 <= len(roots) <= 5
    assert {row["type"] for row in teams} == {"org", "department", "team"}
    children = Counter(
        row["parent_id"] for row in teams if row["parent_id"] and not row["valid_from"]
    )
    assert children.most_common(1)[0][1] >= 15  # the platform department, 6% of 300
    assert len(set(children.values())) > 5  # uneven fan-out


def test_reorgs_move_dissolve_and_split_teams(bundle: Bundle) -> None:
    spans = intervals(bundle["teams"])
    moved = [s for s in spans.values() if len(s) == 2]
    ended = [s for s in spans.values() if len(s) == 1 and s[0][1]]
    started = [s for s in spans.values() if s[0][0]]
    assert moved
    assert ended
    assert any(len(s) == 1 for s in started)


def test_people_move_and_roles_vary(bundle: Bundle) -> None:
    people = bundle["people"]
    rows_per_person = Counter(row["id"] for row in people)
    assert sum(n >= 2 for n in rows_per_person.values()) >= 0.01 * len(rows_per_person)
    assert 8 * 300 <= len(rows_per_person) <= 12 * 300
    assert {row["role"] for row in people} == {"SDE", "SDM", "TPM", "PM", "DS", "QAE"}
    sde_share: dict[str, list[bool]] = defaultdict(list)
    for row in people:
        if not row["valid_from"]:
            sde_share[row["team_id"]].append(row["role"] == "SDE")
    shares = [sum(v) / len(v) for v in sde_share.values() if len(v) >= 8]
    assert min(shares) < 0.6 < max(shares)


def test_services_migrate_and_change_owner(bundle: Bundle) -> None:
    by_id: dict[str, list[Row]] = defaultdict(list)
    for row in bundle["services"]:
        by_id[row["id"]].append(row)
    migrated = owner_changed = 0
    for rows in by_id.values():
        platforms = [row["platform"] for row in rows]
        migrated += platforms[0] != "native_aws" and platforms[-1] == "native_aws"
        owner_changed += rows[0]["owner_team_id"] != rows[-1]["owner_team_id"]
    assert migrated >= 20
    assert owner_changed >= 10
    assert 8 * 300 <= len(by_id) <= 12 * 300


# --- events --------------------------------------------------------------------------


TIMESTAMPS = {
    "deployments": ("started_at", "finished_at"),
    "changes": ("opened_at", "first_commit_at", "merged_at"),
    "reviews": ("submitted_at",),
    "incidents": ("started_at", "resolved_at"),
    "coverage": ("measured_at",),
    "debt": ("measured_at",),
}


def window_start(years: float) -> date:
    """Whole years go back by the calendar, a fraction of a year at 365.25 days a year."""
    if years.is_integer():
        return END.replace(year=END.year - int(years))
    return END - timedelta(days=round(years * 365.25))


def assert_timestamps_in_window(bundle: Bundle, start: date, end: date) -> None:
    low, high = f"{start.isoformat()}T00:00:00Z", f"{end.isoformat()}T00:00:00Z"
    for entity, columns in TIMESTAMPS.items():
        for column in columns:
            values = [row[column] for row in bundle[entity] if row[column]]
            assert values, (entity, column)
            assert all(len(v) == 20 and v.endswith("Z") and v[10] == "T" for v in values)
            assert all(low <= v < high for v in values), (entity, column)
    for entity in ("teams", "people", "services"):
        for row in bundle[entity]:
            for day in (row["valid_from"], row["valid_to"]):
                assert not day or start.isoformat() < day < end.isoformat()


def assert_no_contract_error(bundle: Bundle) -> None:
    for row in bundle["deployments"]:
        assert row["started_at"] <= row["finished_at"]
        assert row["status"] in {"success", "failed", "rolled_back"}
    for row in bundle["changes"]:
        assert not row["merged_at"] or row["opened_at"] <= row["merged_at"]
        assert int(row["lines_added"]) >= 0
        assert int(row["lines_deleted"]) >= 0
    for row in bundle["reviews"]:
        assert row["state"] in {"approved", "changes_requested", "commented"}
    for row in bundle["incidents"]:
        assert not row["resolved_at"] or row["started_at"] <= row["resolved_at"]
    for row in bundle["coverage"]:
        assert 0 <= int(row["covered_lines"]) <= int(row["total_lines"])
    for row in bundle["debt"]:
        assert int(row["debt_minutes"]) >= 0
        assert int(row["debt_items"]) >= 0


def test_timestamps_are_utc_seconds_inside_the_window(bundle: Bundle) -> None:
    assert_timestamps_in_window(bundle, START, END)


def test_no_data_contract_error(bundle: Bundle) -> None:
    assert_no_contract_error(bundle)


@pytest.mark.parametrize(
    ("teams", "seed", "years"), [(20, 1, 2.0), (21, 2, 0.25), (25, 3, 5.0), (64, 4, 0.5)]
)
def test_small_orgs_and_other_windows_are_valid_too(
    tmp_path: Path, teams: int, seed: int, years: float
) -> None:
    generate_bundle(tmp_path, teams=teams, seed=seed, end=END, years=years)
    bundle = {entity: read_csv(tmp_path / f"{entity}.csv") for entity in ENTITIES}
    assert_timestamps_in_window(bundle, window_start(years), END)
    assert_no_contract_error(bundle)
    test_fact_ids_are_unique_and_measurements_unique_per_service(bundle)
    test_every_reference_resolves(bundle)
    test_no_cycle_and_depth_3_to_8_on_every_boundary_date(bundle)
    for entity in ("teams", "people", "services"):
        test_dimension_rows_of_an_id_are_contiguous_and_never_overlap(bundle, entity)


def test_events_have_realistic_mixes(bundle: Bundle) -> None:
    deployments, changes = bundle["deployments"], bundle["changes"]
    status = Counter(row["status"] for row in deployments)
    assert status["success"] > 0.8 * len(deployments) > 0
    assert status["failed"] > 0
    assert status["rolled_back"] > 0
    staging = sum(row["environment"] != "production" for row in deployments)
    assert 0.02 < staging / len(deployments) < 0.08
    merged = [row for row in changes if row["merged_at"]]
    assert 0.7 < len(merged) / len(changes) < 0.97
    linked = sum(bool(row["deployment_id"]) for row in merged)
    assert linked > 0.6 * len(merged)
    bots = sum(not row["author_id"] for row in changes)
    assert 0.01 < bots / len(changes) < 0.06
    incidents = bundle["incidents"]
    assert any(row["caused_by_deployment_id"] for row in incidents)
    assert any(not row["resolved_at"] for row in incidents)
    assert sum(bool(row["resolved_at"]) for row in incidents) > 0.9 * len(incidents)


def test_reviews_come_from_other_people_but_rarely_the_author(bundle: Bundle) -> None:
    author = {row["id"]: row["author_id"] for row in bundle["changes"]}
    reviews = bundle["reviews"]
    own = sum(row["reviewer_id"] == author[row["change_id"]] for row in reviews)
    assert own < 0.005 * len(reviews)
    per_change = Counter(row["change_id"] for row in reviews)
    assert set(per_change.values()) == {1, 2, 3}
    approved = {row["change_id"] for row in reviews if row["state"] == "approved"}
    merged = [row["id"] for row in bundle["changes"] if row["merged_at"]]
    assert 0.02 < sum(c not in approved for c in merged) / len(merged) < 0.4


def test_remote_contributions_come_from_other_teams(bundle: Bundle) -> None:
    """Share of merged changes whose author never belonged to the service's owning teams."""
    teams_of: dict[str, set[str]] = defaultdict(set)
    for row in bundle["people"]:
        teams_of[row["id"]].add(row["team_id"])
    owners: dict[str, set[str]] = defaultdict(set)
    for row in bundle["services"]:
        owners[row["id"]].add(row["owner_team_id"])
    known = [row for row in bundle["changes"] if row["author_id"]]
    remote = sum(not teams_of[row["author_id"]] & owners[row["service_id"]] for row in known)
    assert 0.08 < remote / len(known) < 0.25


def test_warnings_are_present_but_rare(bundle: Bundle) -> None:
    changes = {row["id"]: row for row in bundle["changes"]}
    finished = {row["id"]: row["finished_at"] for row in bundle["deployments"]}
    early_reviews = sum(
        row["submitted_at"] < changes[row["change_id"]]["opened_at"] for row in bundle["reviews"]
    )
    late_commits = sum(
        bool(
            row["merged_at"]
            and row["first_commit_at"]
            and row["first_commit_at"] > row["merged_at"]
        )
        for row in changes.values()
    )
    early_deploys = sum(
        bool(row["deployment_id"] and finished[row["deployment_id"]] < row["merged_at"])
        for row in changes.values()
    )
    for count, rows in (
        (early_reviews, len(bundle["reviews"])),
        (late_commits, len(changes)),
        (early_deploys, len(changes)),
    ):
        assert 1 <= count <= 10 * rows / 10_000


def test_teams_differ_in_delivery_pace(bundle: Bundle) -> None:
    owner = {row["id"]: row["owner_team_id"] for row in bundle["services"] if not row["valid_from"]}
    per_team = Counter(
        owner[row["service_id"]]
        for row in bundle["deployments"]
        if row["status"] == "success" and row["environment"] == "production"
    )
    weeks = (END - START).days / 7
    rates = sorted(n / weeks for n in per_team.values())
    assert rates[-1] >= 5  # an elite team deploys about daily
    assert rates[len(rates) // 2] < 2
