"""Loads that succeed: warnings, idempotent re-loads, history replacement, JSON Lines."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
import sqlalchemy as sa

from loaders.ingest import load_bundle
from loaders.report import LoadFailed, LoadOptions, LoadReport
from store.database import create_engine
from tests.builders import Rows, base_bundle, with_row, write_bundle
from tests.conftest import Database


async def _load(database: Database, directory: Path) -> LoadReport:
    engine = create_engine(database.url)
    try:
        return await load_bundle(engine, directory, LoadOptions())
    finally:
        await engine.dispose()


async def _rows(database: Database, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(database.url)
    try:
        async with engine.connect() as connection:
            return [tuple(row) for row in await connection.execute(sa.text(query))]
    finally:
        await engine.dispose()


WARNINGS = {
    "review before its change was opened": (
        "reviews",
        {"id": "r9", "submitted_at": "2024-12-30T09:00:00Z"},
        "reviews.csv",
        3,
        "submitted before its change was opened",
        "SELECT id FROM reviews WHERE warn_before_open",
        [("r9",)],
    ),
    "first commit after the merge": (
        "changes",
        {"id": "c9", "first_commit_at": "2025-01-05T00:00:00Z"},
        "changes.csv",
        4,
        "first_commit_at is after merged_at: lead time starts at opened_at",
        "SELECT id FROM changes WHERE warn_first_commit_after_merge",
        [("c9",)],
    ),
    "deployment that finished before the merge": (
        "changes",
        {
            "id": "c9",
            "opened_at": "2025-01-01T12:00:00Z",
            "first_commit_at": "",
            "merged_at": "2025-01-02T00:00:00Z",
        },
        "changes.csv",
        4,
        "its deployment finished before merged_at",
        "SELECT id FROM changes WHERE warn_deployed_before_merge",
        [("c9",)],
    ),
}


@pytest.mark.parametrize("name", list(WARNINGS))
async def test_warning_is_reported_and_the_row_loads_flagged(
    name: str, database: Database, tmp_path: Path
) -> None:
    entity, changes, file, line, reason, flagged_query, flagged = WARNINGS[name]
    # given a bundle with one row that a warning is about
    directory = write_bundle(tmp_path / "b", with_row(base_bundle(), entity, **changes))
    # when it is loaded
    report = await _load(database, directory)
    # then the load succeeds, the warning names file and line, and the row is in, flagged
    assert report.committed
    assert not report.rejected
    assert [(w.file, w.line) for w in report.warnings if reason in w.reason] == [(file, line)]
    assert report.rows[entity] == len(base_bundle()[entity]) + 1
    assert await _rows(database, flagged_query) == flagged


async def test_loading_twice_equals_loading_once(database: Database, tmp_path: Path) -> None:
    directory = write_bundle(tmp_path / "b", base_bundle())
    await _load(database, directory)
    once = database.dump(without_rows_of=("loads",))
    await _load(database, directory)
    twice = database.dump(without_rows_of=("loads",))
    # The loads log grows by one entry per load; everything else is identical.
    assert twice == once
    assert await _rows(database, "SELECT count(*) FROM loads") == [(2,)]


async def test_a_reload_replaces_history_and_updates_facts(
    database: Database, tmp_path: Path
) -> None:
    # given the base org loaded
    await _load(database, write_bundle(tmp_path / "one", base_bundle()))
    # when a second bundle gives person p1 a move to team c and changes deployment d1's status
    bundle = base_bundle()
    bundle["people"] = [
        {
            "id": "p1",
            "team_id": "a",
            "role": "SDE",
            "name": "Ann",
            "valid_from": "",
            "valid_to": "2025-02-01",
        },
        {
            "id": "p1",
            "team_id": "c",
            "role": "SDE",
            "name": "Ann",
            "valid_from": "2025-02-01",
            "valid_to": "",
        },
    ]
    bundle["deployments"] = [dict(bundle["deployments"][0], status="rolled_back")]
    bundle = {k: v for k, v in bundle.items() if k in ("teams", "people", "deployments")}
    await _load(database, write_bundle(tmp_path / "two", bundle))
    # then p1 has exactly the new history, other people are kept, and d1 is updated in place
    people = await _rows(
        database, "SELECT id, team_id, valid_to FROM people ORDER BY id, valid_from"
    )
    assert [(p, t) for p, t, _ in people] == [("p1", "a"), ("p1", "c"), ("p2", "a"), ("p3", "c")]
    assert await _rows(database, "SELECT id, status FROM deployments ORDER BY id") == [
        ("d1", "rolled_back"),
        ("d2", "failed"),
    ]


async def test_facts_may_refer_to_what_the_store_already_holds(
    database: Database, tmp_path: Path
) -> None:
    # given the base org loaded
    await _load(database, write_bundle(tmp_path / "one", base_bundle()))
    # when a bundle of new events names a deployment and a change only the store has
    bundle: dict[str, Rows] = {
        "teams": base_bundle()["teams"],
        "reviews": [
            {
                "id": "r7",
                "change_id": "c1",
                "reviewer_id": "p3",
                "submitted_at": "2024-12-29T00:00:00Z",
            }
        ],
        "incidents": [
            {
                "id": "i7",
                "service_id": "s2",
                "started_at": "2025-02-01T00:00:00Z",
                "caused_by_deployment_id": "d2",
            }
        ],
    }
    report = await _load(database, write_bundle(tmp_path / "two", bundle))
    # then it loads, and the warning is checked against the stored change
    assert report.rows["reviews"] == 1
    assert [w.reason for w in report.warnings] == [
        "submitted before its change was opened: left out of time to first review"
    ]
    assert await _rows(database, "SELECT count(*) FROM incidents") == [(2,)]


async def test_json_lines_bundle_loads_like_csv(database: Database, tmp_path: Path) -> None:
    # given the base bundle written as JSON Lines, empty values left out, counts as numbers
    directory = tmp_path / "jsonl"
    directory.mkdir()
    for entity, rows in base_bundle().items():
        lines = []
        for row in rows:
            record: dict[str, object] = {k: v for k, v in row.items() if v != ""}
            for key in ("lines_added", "covered_lines", "total_lines", "debt_minutes"):
                if key in record:
                    record[key] = int(str(record[key]))
            lines.append(orjson.dumps(record))
        (directory / f"{entity}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    (directory / "notes.txt").write_text("not part of the bundle")
    # when it is loaded
    report = await _load(database, directory)
    # then every row is in, and the stray file is listed as ignored
    assert report.rows == {k: len(v) for k, v in base_bundle().items()}
    assert report.ignored_files == ["notes.txt"]
    assert await _rows(database, "SELECT id, lines_added FROM changes ORDER BY id") == [
        ("c1", 10),
        ("c2", None),
    ]


async def test_a_malformed_json_line_is_named(database: Database, tmp_path: Path) -> None:
    directory = write_bundle(tmp_path / "b", base_bundle())
    (directory / "deployments.csv").unlink()
    (directory / "deployments.jsonl").write_text(
        json.dumps(
            {
                "id": "d1",
                "service_id": "s1",
                "finished_at": "2025-01-01T10:05:00Z",
                "status": "success",
            }
        )
        + "\n{not json\n[1, 2]\n"
    )
    engine = create_engine(database.url)
    with pytest.raises(LoadFailed) as failure:
        await load_bundle(engine, directory)
    await engine.dispose()
    problems = [(p.file, p.line, p.reason.split(":")[0]) for p in failure.value.report.rejected]
    assert ("deployments.jsonl", 2, "malformed JSON") in problems
    assert ("deployments.jsonl", 3, "not a JSON object but list") in problems


async def test_unknown_columns_are_ignored_and_reported(database: Database, tmp_path: Path) -> None:
    bundle = base_bundle()
    bundle["services"] = [dict(row, cost_center="42") for row in bundle["services"]]
    report = await _load(database, write_bundle(tmp_path / "b", bundle))
    assert report.ignored_columns == {"services.csv": ["cost_center"]}
    assert report.rows["services"] == 2


async def test_a_store_whose_first_rows_have_no_value_in_a_column_is_read_back(
    database: Database, tmp_path: Path
) -> None:
    # given a store whose teams have no type in their first 1,100 rows (more than one batch of
    # SQLite's ADBC driver, which types a column from its first batch), and one that has
    teams = [{"id": "t0000", "name": "Root", "parent_id": "", "type": ""}]
    teams += [
        {"id": f"t{i:04}", "name": f"T{i}", "parent_id": "t0000", "type": ""}
        for i in range(1, 1100)
    ]
    teams.append({"id": "t9999", "name": "Last", "parent_id": "t0000", "type": "squad"})
    await _load(database, write_bundle(tmp_path / "a", {"teams": teams}))
    # when a second bundle adds a team, so that the load reads the stored teams back
    extra = [{"id": "t5000", "name": "New", "parent_id": "t9999", "type": "squad"}]
    report = await _load(database, write_bundle(tmp_path / "b", {"teams": extra}))
    # then it loads, and every stored type is intact
    assert report.rows["teams"] == 1
    assert await _rows(database, "SELECT count(*) FROM teams WHERE type = 'squad'") == [(2,)]
