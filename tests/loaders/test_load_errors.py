"""Every error of the data contract: the row is named (file, line, column, reason), the command
exits non-zero and the store is unchanged, byte for byte (a full dump before and after)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
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
    assert rejects[0] == "file,line,column,reason,record,caused_by"
    assert rejects[1].startswith("deployments.csv,4,status,")
    assert rejects[1].endswith(",")  # a root cause
    assert rejects[2].startswith(
        "changes.csv,4,deployment_id,unknown deployment 'd9' (its row was rejected: deployments.csv:4)"
    )
    assert rejects[2].endswith(",deployments.csv:4")
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


def _cycle_bundle(lines: tuple[int, ...]) -> tuple[Bundle, list[str]]:
    """The base org with a parent cycle through the teams on ``lines`` of teams.csv (each team
    named after its line: ``t9`` on line 10), and rows that depend on the cycle's teams: a child
    team, people, a service with a deployment, changes and a review."""
    bundle = base_bundle()
    ids = [f"t{line - 1}" for line in lines]
    parents = dict(zip(ids, [*ids[1:], ids[0]], strict=True))
    teams = list(bundle["teams"])  # lines 2..6
    for line in range(len(teams) + 2, max(lines) + 1):
        team = f"t{line - 1}"
        teams.append(_team(team, parents.get(team, "org")))
    teams.append(_team("k1", ids[-1]))  # a child of the cycle: rejected because of it
    people = list(bundle["people"])
    people += [
        {"id": f"q{n}", "team_id": ids[-1], "role": "SDE", "name": f"Q{n}"} for n in range(8)
    ]
    people.append({"id": "q9", "team_id": "k1", "role": "SDE", "name": "Q9"})
    bundle = {**bundle, "teams": teams, "people": people}
    bundle = with_row(bundle, "services", id="s9", owner_team_id=ids[0])
    bundle = with_row(bundle, "deployments", id="d9", service_id="s9")
    bundle = with_row(bundle, "changes", id="c9", author_id="q0", deployment_id="")
    bundle = with_row(bundle, "changes", id="c10", author_id="q9", deployment_id="")
    bundle = with_row(bundle, "reviews", id="r9", change_id="c9")
    return bundle, ids


@pytest.mark.parametrize("lines", [(10, 18), (10, 14, 18)], ids=["two teams", "three teams"])
def test_a_parent_cycle_is_named_first_and_what_it_knocks_on_after(
    lines: tuple[int, ...], database: Database, tmp_path: Path
) -> None:
    # given a store that holds the valid org, and a bundle whose teams loop on those lines
    code, _, err = load(
        database, write_bundle(tmp_path / "good", base_bundle()), report=tmp_path / "r0.json"
    )
    assert code == 0, err
    before = database.dump()
    bundle, ids = _cycle_bundle(lines)
    directory = write_bundle(tmp_path / "bad", bundle)
    # when it is loaded
    report = tmp_path / "report.json"
    code, _, err = load(database, directory, report=report)
    # then the load fails and its first lines are the cycle: file, line, column, the ids
    assert code == 1
    shown = err.splitlines()
    for at, line in enumerate(lines):
        loop = " → ".join([*ids[at:], *ids[:at], ids[at]])
        others = [str(n) for n in lines if n != line]
        also = f"also line{'s' * (len(others) > 1)} {', '.join(others)}"
        assert shown[at] == (
            f"rejected: teams.csv:{line} [parent_id]: parent cycle at all times: {loop} ({also})"
        ), err
    # and the rows rejected because of it come after, a few per file and a count of the rest
    knock_on = shown[len(lines) :]
    assert knock_on[0].startswith("rejected because a row they refer to was rejected ("), err
    child = f"  rejected: teams.csv:{max(lines) + 1} [parent_id]: unknown team '{ids[-1]}'"
    assert knock_on[1] == f"{child} (its row was rejected: teams.csv:{lines[-1]})", err
    people = [line for line in knock_on if line.startswith(("  rejected: people.csv", "  people"))]
    assert people == [
        *(
            f"  rejected: people.csv:{n} [team_id]: unknown team '{ids[-1]}' "
            f"(its row was rejected: teams.csv:{lines[-1]})"
            for n in (5, 6, 7)
        ),
        "  people.csv: 6 more rows rejected because the team they refer to was rejected "
        f"(root cause: teams.csv:{lines[-1]})",
    ], err
    assert knock_on.index(people[-1]) < knock_on.index(
        f"  rejected: services.csv:4 [owner_team_id]: unknown team '{ids[0]}' "
        f"(its row was rejected: teams.csv:{lines[0]})"
    ), err
    # a row two steps away names the root cause too
    assert (
        f"  rejected: reviews.csv:3 [change_id]: unknown change 'c9' (its row was rejected: "
        f"changes.csv:4, a consequence of teams.csv:{lines[-1]})"
    ) in knock_on, err
    assert not [line for line in knock_on if "parent cycle" in line], err
    count = len(lines) + 15
    assert shown[-1] == (
        f"error: {count} rows rejected ({len(lines)} at the root, 15 because of them); "
        f"the store is unchanged (report: {report})"
    ), err
    # and the report holds every row, the cycle first, the rest marked as its consequences
    rejected = json.loads(report.read_text())["rejected"]
    assert [(p["file"], p["line"], p["caused_by"]) for p in rejected[: len(lines)]] == [
        ("teams.csv", line, None) for line in lines
    ]
    roots = {f"teams.csv:{line}" for line in lines}
    assert all(p["caused_by"] in roots for p in rejected[len(lines) :]), rejected
    assert len(rejected) == count
    # and nothing was written
    assert database.dump() == before


def test_skip_bad_rows_writes_the_cycle_first_and_marks_the_rest_as_its_consequences(
    database: Database, tmp_path: Path
) -> None:
    # given a bundle whose teams on lines 10 and 18 are each other's parent
    bundle, _ = _cycle_bundle((10, 18))
    directory = write_bundle(tmp_path / "bundle", bundle)
    # when it is loaded with --skip-bad-rows
    code, _, err = load(
        database, directory, "--skip-bad-rows", report=tmp_path / "load-report.json"
    )
    # then the reject file holds every rejected row: the cycle first, then its consequences
    assert code == 0, err
    with (tmp_path / "load-rejects.csv").open(newline="", encoding="utf-8") as rejects:
        rows = list(csv.DictReader(rejects))
    assert [(r["file"], r["line"], r["caused_by"]) for r in rows[:2]] == [
        ("teams.csv", "10", ""),
        ("teams.csv", "18", ""),
    ]
    assert "parent cycle at all times: t9 → t17 → t9 (also line 18)" in rows[0]["reason"]
    assert len(rows) == 17
    assert {r["caused_by"] for r in rows[2:]} == {"teams.csv:10", "teams.csv:18"}
    assert all("its row was rejected: " in r["reason"] for r in rows[2:])
    assert all(r["record"] for r in rows)
    report = json.loads((tmp_path / "load-report.json").read_text())
    assert [p["caused_by"] for p in report["rejected"]] == [r["caused_by"] or None for r in rows]


ROOT_CAUSES: dict[str, tuple[Callable[[Bundle], Bundle], str, list[str]]] = {
    # people.csv sorts before teams.csv, changes.csv before deployments.csv: the cause still leads
    "a team row with a bad value": (
        lambda b: with_row(
            with_row(b, "teams", id="x", parent_id="org", valid_from="soon"),
            "people",
            id="p9",
            team_id="x",
        ),
        "rejected: teams.csv:7 [valid_from]: not a date (YYYY-MM-DD): 'soon'",
        [
            "  rejected: people.csv:5 [team_id]: unknown team 'x' (its row was rejected: teams.csv:7)",
        ],
    ),
    "a deployment with a bad value, two steps away": (
        lambda b: with_row(
            with_row(
                with_row(b, "deployments", id="d9", status="ok"),
                "changes",
                id="c9",
                deployment_id="d9",
            ),
            "reviews",
            id="r9",
            change_id="c9",
        ),
        "rejected: deployments.csv:4 [status]: value 'ok' outside the allowed set "
        "(failed, rolled_back, success)",
        [
            "  rejected: changes.csv:4 [deployment_id]: unknown deployment 'd9' "
            "(its row was rejected: deployments.csv:4)",
            "  rejected: reviews.csv:3 [change_id]: unknown change 'c9' "
            "(its row was rejected: changes.csv:4, a consequence of deployments.csv:4)",
        ],
    ),
    "a deployments file rejected whole": (
        lambda b: with_row(
            _without_column("deployments", "status")(b), "changes", id="c9", deployment_id="d9"
        ),
        "rejected: deployments.csv:1 [status]: missing required column(s) status",
        [
            "  rejected: changes.csv:4 [deployment_id]: unknown deployment 'd9' "
            "(deployments.csv was rejected whole: deployments.csv:1)",
        ],
    ),
}


@pytest.mark.parametrize("name", list(ROOT_CAUSES))
def test_a_root_cause_comes_before_the_rows_rejected_because_of_it(
    name: str, database: Database, tmp_path: Path
) -> None:
    break_bundle, root, consequences = ROOT_CAUSES[name]
    # given a store that holds the valid org
    code, _, err = load(
        database, write_bundle(tmp_path / "good", base_bundle()), report=tmp_path / "r0.json"
    )
    assert code == 0, err
    before = database.dump()
    # when a bundle with a bad row and rows that refer to it is loaded
    directory = write_bundle(tmp_path / "b", break_bundle(base_bundle()))
    report = tmp_path / "report.json"
    code, _, err = load(database, directory, report=report)
    # then the bad row is named first, and the rows rejected because of it after
    assert code == 1
    count = len(consequences)
    assert err.splitlines()[: 2 + count] == [
        root,
        f"rejected because a row they refer to was rejected ({count} row{'s' * (count > 1)}):",
        *consequences,
    ], err
    rejected = json.loads(report.read_text())["rejected"]
    cause = root.removeprefix("rejected: ").split(" ")[0]
    assert [p["caused_by"] for p in rejected] == [None] + [cause] * count
    assert database.dump() == before
