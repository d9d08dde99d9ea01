"""Every error of the data contract: the row is named (file, line, column, reason), the command
exits non-zero and the store is unchanged, byte for byte (a full dump before and after)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from tests.builders import Rows, append_text, base_bundle, with_row, write_bundle
from tests.conftest import Database

Bundle = dict[str, Rows]


@dataclass(frozen=True)
class Case:
    """A way to break the base bundle and what the load must say about it."""

    break_bundle: Callable[[Bundle], Bundle]
    file: str
    line: int
    column: str | None
    reason: str
    raw: bytes = b""  # appended to the file after writing it, for rows the csv module cannot write


def _team_rows(*rows: dict[str, str]) -> Callable[[Bundle], Bundle]:
    def change(bundle: Bundle) -> Bundle:
        return {**bundle, "teams": [*bundle["teams"], *rows]}

    return change


def _row(entity: str, **changes: object) -> Callable[[Bundle], Bundle]:
    return lambda bundle: with_row(bundle, entity, **changes)


def _same(bundle: Bundle) -> Bundle:
    return bundle


def _without_column(entity: str, column: str) -> Callable[[Bundle], Bundle]:
    def change(bundle: Bundle) -> Bundle:
        return {
            **bundle,
            entity: [{k: v for k, v in row.items() if k != column} for row in bundle[entity]],
        }

    return change


def _team(id: str, parent: str, start: str = "", end: str = "") -> dict[str, str]:
    return {
        "id": id,
        "name": id.upper(),
        "parent_id": parent,
        "type": "team",
        "valid_from": start,
        "valid_to": end,
    }


CASES = {
    "duplicate fact id": Case(
        _row("deployments", id="d1"), "deployments.csv", 4, "id", "duplicate id 'd1'"
    ),
    "duplicate dimension id with overlapping validity": Case(
        _team_rows(_team("a", "org", "2024-01-01")),
        "teams.csv",
        7,
        "valid_from",
        "overlapping validity",
    ),
    "duplicate coverage measurement": Case(
        _row("coverage", covered_lines="60"),
        "coverage.csv",
        3,
        "measured_at",
        "duplicate service_id + measured_at",
    ),
    "duplicate debt measurement": Case(
        _row("debt", debt_minutes="1"),
        "debt.csv",
        3,
        "measured_at",
        "duplicate service_id + measured_at",
    ),
    "parent cycle at all times": Case(
        _team_rows(_team("x", "y"), _team("y", "x")),
        "teams.csv",
        7,
        "parent_id",
        "parent cycle at all times",
    ),
    "parent cycle on one date": Case(
        # c sits under a until 2025-06-01; a moving under c on 2025-03-01 closes a loop that day.
        lambda b: {
            **b,
            "teams": [
                b["teams"][0],
                _team("a", "org", "", "2025-03-01"),
                *b["teams"][2:],
                _team("a", "c", "2025-03-01"),
            ],
        },
        "teams.csv",
        7,
        "parent_id",
        "parent cycle on 2025-03-01",
    ),
    "unknown parent team": Case(
        _team_rows(_team("x", "nowhere")), "teams.csv", 7, "parent_id", "unknown team 'nowhere'"
    ),
    "unknown team of a person": Case(
        _row("people", id="p9", team_id="zz"), "people.csv", 5, "team_id", "unknown team 'zz'"
    ),
    "unknown owner team": Case(
        _row("services", id="s9", owner_team_id="zz"),
        "services.csv",
        4,
        "owner_team_id",
        "unknown team 'zz'",
    ),
    "unknown service": Case(
        _row("deployments", id="d9", service_id="s9"),
        "deployments.csv",
        4,
        "service_id",
        "unknown service 's9'",
    ),
    "unknown author": Case(
        _row("changes", id="c9", author_id="p99"),
        "changes.csv",
        4,
        "author_id",
        "unknown person 'p99'",
    ),
    "unknown reviewer": Case(
        _row("reviews", id="r9", reviewer_id="p99"),
        "reviews.csv",
        3,
        "reviewer_id",
        "unknown person 'p99'",
    ),
    "unknown change": Case(
        _row("reviews", id="r9", change_id="c99"),
        "reviews.csv",
        3,
        "change_id",
        "unknown change 'c99'",
    ),
    "unknown deployment of a change": Case(
        _row("changes", id="c9", deployment_id="d99"),
        "changes.csv",
        4,
        "deployment_id",
        "unknown deployment 'd99'",
    ),
    "unknown deployment of an incident": Case(
        _row("incidents", id="i9", caused_by_deployment_id="d99"),
        "incidents.csv",
        3,
        "caused_by_deployment_id",
        "unknown deployment 'd99'",
    ),
    "deployment status outside its set": Case(
        _row("deployments", id="d9", status="ok"),
        "deployments.csv",
        4,
        "status",
        "'ok' outside the allowed set",
    ),
    "review state outside its set": Case(
        _row("reviews", id="r9", state="lgtm"),
        "reviews.csv",
        3,
        "state",
        "'lgtm' outside the allowed set",
    ),
    "unparseable timestamp": Case(
        _row("deployments", id="d9", finished_at="yesterday"),
        "deployments.csv",
        4,
        "finished_at",
        "unparseable timestamp 'yesterday'",
    ),
    "naive timestamp": Case(
        _row("incidents", id="i9", started_at="2025-01-01T10:00:00"),
        "incidents.csv",
        3,
        "started_at",
        "naive timestamp",
    ),
    "unparseable date": Case(
        _team_rows(_team("x", "org", "soon")), "teams.csv", 7, "valid_from", "not a date"
    ),
    "validity that ends before it starts": Case(
        _team_rows(_team("x", "org", "2025-01-01", "2024-01-01")),
        "teams.csv",
        7,
        "valid_to",
        "is not after valid_from",
    ),
    "finished before started": Case(
        _row("deployments", id="d9", started_at="2025-01-01T11:00:00Z"),
        "deployments.csv",
        4,
        "finished_at",
        "is before started_at",
    ),
    "resolved before started": Case(
        _row("incidents", id="i9", resolved_at="2025-01-01T10:00:00Z"),
        "incidents.csv",
        3,
        "resolved_at",
        "is before started_at",
    ),
    "merged before opened": Case(
        _row("changes", id="c9", merged_at="2024-12-01T10:00:00Z"),
        "changes.csv",
        4,
        "merged_at",
        "is before opened_at",
    ),
    "covered lines above total": Case(
        _row("coverage", measured_at="2025-02-01T00:00:00Z", covered_lines="101"),
        "coverage.csv",
        3,
        "total_lines",
        "covered_lines 101 > total_lines 100",
    ),
    "negative lines_added": Case(
        _row("changes", id="c9", lines_added="-1"),
        "changes.csv",
        4,
        "lines_added",
        "negative count",
    ),
    "negative lines_deleted": Case(
        _row("changes", id="c9", lines_deleted="-3"),
        "changes.csv",
        4,
        "lines_deleted",
        "negative count",
    ),
    "negative covered_lines": Case(
        _row("coverage", measured_at="2025-02-01T00:00:00Z", covered_lines="-1"),
        "coverage.csv",
        3,
        "covered_lines",
        "negative count",
    ),
    "negative total_lines": Case(
        _row("coverage", measured_at="2025-02-01T00:00:00Z", total_lines="-1"),
        "coverage.csv",
        3,
        "total_lines",
        "negative count",
    ),
    "negative debt_minutes": Case(
        _row("debt", measured_at="2025-02-01T00:00:00Z", debt_minutes="-5"),
        "debt.csv",
        3,
        "debt_minutes",
        "negative count",
    ),
    "negative debt_items": Case(
        _row("debt", measured_at="2025-02-01T00:00:00Z", debt_items="-5"),
        "debt.csv",
        3,
        "debt_items",
        "negative count",
    ),
    "not a whole number": Case(
        _row("changes", id="c9", lines_added="1.5"),
        "changes.csv",
        4,
        "lines_added",
        "not a whole number",
    ),
    "missing required value": Case(
        _row("people", id="p9", role=""), "people.csv", 5, "role", "missing value"
    ),
    "bad quoting": Case(
        _same,
        "deployments.csv",
        4,
        None,
        "malformed CSV",
        raw=b'd9,s1,,"2025-01-01T10:00:00Z"x,success,\n',
    ),
    "wrong number of fields": Case(
        _same, "deployments.csv", 4, None, "wrong number of fields: 2", raw=b"d9,s1\n"
    ),
    "bytes that are not UTF-8": Case(
        _same, "teams.csv", 7, None, "bytes that are not UTF-8", raw=b"x,Caf\xe9,org,team,,\n"
    ),
    "missing required column": Case(
        _without_column("deployments", "status"),
        "deployments.csv",
        1,
        "status",
        "missing required column(s) status",
    ),
}


def load(
    database: Database, bundle: Path, *extra: str, report: Path | None = None
) -> tuple[int, str, str]:
    args = ["load", str(bundle), "--db", database.url, "--quiet"]
    if report is not None:
        args += ["--report", str(report)]
    result = CliRunner().invoke(app, [*args, *extra], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", list(CASES))
def test_error_names_the_row_and_leaves_the_store_unchanged(
    name: str, database: Database, tmp_path: Path
) -> None:
    case = CASES[name]
    # given a store that already holds the valid org
    code, _, err = load(
        database, write_bundle(tmp_path / "good", base_bundle()), report=tmp_path / "r0.json"
    )
    assert code == 0, err
    before = database.dump()
    # when a bundle with one bad row is loaded
    bad = write_bundle(tmp_path / "bad", case.break_bundle(base_bundle()))
    if case.raw:
        append_text(bad / case.file, case.raw)
    report = tmp_path / "report.json"
    code, _, err = load(database, bad, report=report)
    # then the load fails, names the row, and the store is as it was
    assert code == 1
    where = f"{case.file}:{case.line}" + (f" [{case.column}]" if case.column else "")
    assert f"rejected: {where}: " in err
    assert case.reason in err
    assert "the store is unchanged" in err
    rejected = json.loads(report.read_text())["rejected"]
    assert any(
        p["file"] == case.file
        and p["line"] == case.line
        and p["column"] == case.column
        and case.reason in p["reason"]
        for p in rejected
    ), rejected
    assert database.dump() == before


def test_skip_bad_rows_loads_the_rest_and_writes_the_rejects(
    database: Database, tmp_path: Path
) -> None:
    # given a bundle with a bad deployment that a change and an incident refer to
    bundle = with_row(base_bundle(), "deployments", id="d9", status="ok")
    bundle = with_row(bundle, "changes", id="c9", deployment_id="d9")
    bundle = with_row(bundle, "changes", id="c10")
    directory = write_bundle(tmp_path / "bundle", bundle)
    # when it is loaded with --skip-bad-rows
    code, out, err = load(
        database, directory, "--skip-bad-rows", report=tmp_path / "load-report.json"
    )
    # then the good rows load, and both rejects (the row and the one that needed it) are in the file
    assert code == 0, err
    rejects = (tmp_path / "load-rejects.csv").read_text().splitlines()
    assert rejects[0] == "file,line,column,reason,record"
    assert rejects[1].startswith(
        "changes.csv,4,deployment_id,unknown deployment 'd9' (its row was rejected: deployments.csv:4)"
    )
    assert rejects[2].startswith("deployments.csv,4,status,")
    assert len(rejects) == 3
    assert "rejected rows written to" in out
    report = json.loads((tmp_path / "load-report.json").read_text())
    assert report["rows"]["changes"] == 3
    assert report["rows"]["deployments"] == 2


def test_a_bundle_without_teams_is_refused(database: Database, tmp_path: Path) -> None:
    bundle = base_bundle()
    del bundle["teams"]
    before = database.dump()
    code, _, err = load(database, write_bundle(tmp_path / "b", bundle), report=tmp_path / "r.json")
    assert code == 1
    assert "no teams.csv or teams.jsonl" in err
    assert database.dump() == before
