"""The command line as a user runs it: real processes, real files, a real store."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
import pytest

from graph.catalogue import CATALOGUE
from graph.initiatives import DEFAULT_FILE
from tests.conftest import Database

pytestmark = pytest.mark.slow


def orgraph(
    *args: str, cwd: Path | None = None, columns: int = 200
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from cli import main; main()", *args]
    environment = {k: v for k, v in os.environ.items() if k != "ORGRAPH_DATABASE_URL"}
    environment["COLUMNS"] = str(columns)
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=environment, timeout=300
    )


def test_generate_load_info(database: Database, tmp_path: Path) -> None:
    # given a generated org
    bundle = tmp_path / "bundle"
    generated = orgraph(
        "generate", str(bundle), "--teams", "60", "--seed", "5", "--end", "2026-01-01"
    )
    assert generated.returncode == 0, generated.stderr
    # when it is loaded
    loaded = orgraph(
        "load", str(bundle), "--db", database.url, "--report", str(tmp_path / "report.json")
    )
    # then the summary shows what was written, and the report agrees with the files
    assert loaded.returncode == 0, loaded.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["committed"] is True
    assert report["rejected"] == []
    for entity, rows in report["rows"].items():
        lines = (bundle / f"{entity}.csv").read_text(encoding="utf-8").count("\n") - 1
        assert rows == lines, entity
    assert "rows/s" in loaded.stdout
    # and info describes the store
    info = orgraph("info", "--db", database.url)
    assert info.returncode == 0, info.stderr
    people = len(
        {line.split(",")[0] for line in (bundle / "people.csv").read_text().splitlines()[1:]}
    )
    assert (
        f"people │ {people:,}" in info.stdout.replace("  ", " ").replace("  ", " ")
        or str(people) in info.stdout
    )
    assert f"{report['rows']['deployments']:,}" in info.stdout
    assert "depth" in info.stdout


def test_info_on_an_empty_store_says_what_to_do(tmp_path: Path) -> None:
    result = orgraph("info", "--db", f"sqlite:///{tmp_path / 'empty.db'}")
    assert result.returncode == 1
    assert "run `orgraph load DIR` first" in result.stderr


def test_a_bad_database_url_is_named(tmp_path: Path) -> None:
    result = orgraph("info", "--db", "mysql://root@localhost/x")
    assert result.returncode == 2
    assert "unsupported database 'mysql'" in result.stderr


def test_load_of_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    result = orgraph("load", str(tmp_path / "nope"), "--db", f"sqlite:///{tmp_path / 's.db'}")
    assert result.returncode == 2
    assert "not a directory" in result.stderr


def test_demo_builds_an_org_in_the_default_store(tmp_path: Path) -> None:
    result = orgraph("demo", "--teams", "40", "--no-serve", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "orgraph.db").exists()
    assert "loaded in" in result.stdout
    assert "teams" in result.stdout


def test_report_prints_every_kpi_of_a_subtree(database: Database, tmp_path: Path) -> None:
    # given a generated org loaded into the store
    bundle = tmp_path / "bundle"
    generated = orgraph(
        "generate", str(bundle), "--teams", "30", "--seed", "8", "--end", "2026-01-01"
    )
    assert generated.returncode == 0, generated.stderr
    assert orgraph("load", str(bundle), "--db", database.url).returncode == 0
    from graph.catalogue import Kpi
    from graph.engine import Engine
    from store.frames import read_bundle

    view = Engine(read_bundle(bundle)).view(date(2026, 1, 1))
    root = view.tree.roots[0]
    expected = view.report(root, date(2025, 1, 1), date(2026, 1, 1))
    # when its report is asked for on the command line, into a pipe on a narrow terminal
    shown = orgraph(
        "report",
        root,
        "--from",
        "2025-01-01",
        "--to",
        "2026-01-01",
        "--db",
        database.url,
        columns=60,
    )
    # then every KPI shows in full (nothing cut to the terminal's width), with its unit and
    # direction from the catalogue and the value the engine computes from the same rows
    assert shown.returncode == 0, shown.stderr
    assert "…" not in shown.stdout, shown.stdout
    assert f"{root}: 2025-01-01 .. 2026-01-01" in shown.stdout
    for kpi in Kpi:
        definition = CATALOGUE[kpi]
        row = rf"│ {re.escape(definition.name)}\s*│[^\n]*│ {re.escape(definition.unit.value)}\s*│"
        assert re.search(row, shown.stdout), definition.name
    headcount = expected.metrics[Kpi.HEADCOUNT].value
    assert headcount is not None
    assert re.search(rf"│ headcount\s*│\s*{headcount:,.0f}\s*│ people", shown.stdout)
    assert "DORA 2023 tiers: deployment frequency" in shown.stdout
    # and an unknown team or an empty window is named
    unknown = orgraph("report", "nope", "--db", database.url)
    assert unknown.returncode == 1
    assert "unknown team 'nope'" in unknown.stderr
    empty = orgraph("report", root, "--from", "2025-02-01", "--to", "2025-01-01")
    assert empty.returncode == 2
    assert "empty window [2025-02-01, 2025-01-01)" in empty.stderr


def test_serve_refuses_a_bad_initiatives_file_before_it_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    bad = tmp_path / "initiatives.toml"
    bad.write_text(text.replace('measure = "platform_share"', 'measure = "vibes"'), "utf-8")
    expected = f"{bad}: initiative 'native-aws-migration' (entry 3), field 'measure'"
    by_flag = orgraph("serve", "--port", "1", "--initiatives", str(bad))
    assert by_flag.returncode == 2, by_flag.stderr
    assert expected in by_flag.stderr
    monkeypatch.setenv("ORGRAPH_INITIATIVES", str(bad))
    by_environment = orgraph("serve", "--port", "1")
    assert by_environment.returncode == 2, by_environment.stderr
    assert expected in by_environment.stderr


def test_insights_prints_what_was_planted(database: Database, tmp_path: Path) -> None:
    # given an org generated with planted effects, loaded into the store
    bundle = tmp_path / "bundle"
    generated = orgraph(
        "generate", str(bundle), "--teams", "300", "--seed", "3", "--end", "2026-01-01", "--plant"
    )
    assert generated.returncode == 0, generated.stderr
    planted = re.search(r"outlier teams \[(.*)\]", generated.stdout)
    assert planted is not None, generated.stdout
    outliers = [t.strip(" '") for t in planted.group(1).split(",")]
    assert len(outliers) == 5
    assert orgraph("load", str(bundle), "--db", database.url).returncode == 0
    # when the insights of its largest org are asked for, on the change failure rate
    args = ("--from", "2024-01-01", "--to", "2026-01-01", "--db", database.url, "--rows", "40")
    shown = orgraph("insights", "t1", "--kpi", "CHANGE_FAILURE_RATE", *args)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    # then each table is there, with its unit, direction and how much data is behind it
    assert "Correlations across" in out
    assert "association, not cause" in out
    pair = re.search(
        r"│ (time to restore, median|review to merge, median)\s*│ "
        r"(review to merge, median|time to restore, median)\s*│\s*(\d+) │\s*\+0\.(\d\d) │",
        out,
    )
    assert pair is not None, out
    assert 45 <= int(pair.group(4)) <= 75  # the planted 0.6
    assert "Outliers on change failure rate (ratio 0..1, lower is better)" in out
    listed = re.findall(r"│ (t\d+)\s*│\s*[\d.]+\s*│\s*\+[\d.]+\s*│ worse", out)
    assert set(listed[:3]) <= set(outliers), (listed, outliers)
    lead = re.search(
        r"│ lead time for changes, median │[^\n]*│\s*x([\d.]+) │\s*([\d.]+) \.\. ([\d.]+) │", out
    )
    assert lead is not None, out
    assert float(lead.group(2)) <= 0.5 <= float(lead.group(3))
    assert "Could benefit next" in out
    assert re.search(r"Forecast of change failure rate \(ratio 0..1\)", out)
    # and a bad KPI or team is named
    bad = orgraph("insights", "t1", "--kpi", "VELOCITY", *args)
    assert bad.returncode == 2
    assert "unknown KPI 'VELOCITY'" in bad.stderr
    unknown = orgraph("insights", "nope", *args)
    assert unknown.returncode == 1
    assert "unknown team 'nope'" in unknown.stderr


def test_serve_names_the_dashboard_first_and_serves_it(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from cli import main; main()", "serve", "--port", str(port)]
    command += ["--db", f"sqlite:///{tmp_path / 'empty.db'}"]
    environment = {**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) as server:
        assert server.stdout is not None
        try:
            # the first line a user reads is where the dashboard is
            assert server.stdout.readline().strip() == f"Dashboard on http://127.0.0.1:{port}/"
            assert f"GraphiQL on http://127.0.0.1:{port}/graphql" in server.stdout.readline()
            page = None
            for _ in range(100):
                try:
                    page = httpx.get(f"http://127.0.0.1:{port}/")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert page is not None
            assert page.status_code == 200
            assert "orgraph · dashboard" in page.text
        finally:
            server.terminate()
            server.wait(timeout=30)
