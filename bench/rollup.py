"""Rollup benchmark: the KPI engine built from the store, and report latencies, beside the same
root report computed by PostgreSQL over the raw rows (``bench/yardstick.sql``) in the same run.

    .venv/bin/python -m bench.rollup --teams 2000 20000 [--pg postgresql://postgres@127.0.0.1/test]

For each scale: generate a bundle, load it into PostgreSQL (and SQLite), then in a child process
of its own (so that its peak memory is its own) build the engine from the store and time:

* the full KPI report (every KPI, with comparisons) of the largest root over the 365 days
  before the data's end, each run over a window moved back one more day, so that no run reuses
  what the view computed before (and, beside it, the same report repeated: the view's caches);
* the same report of a mid-level team (the depth-2 team with the largest subtree);
* the reports of all children of the node with the most children, in one call;
* the root's status of the three default initiatives (each run one day earlier);
* the root report by the SQL yardstick (a few runs: it takes seconds).

The engine's counts are checked against the yardstick's on the way, so a fast wrong answer
cannot pass. Prints a Markdown table; compare the ratios of one run (the machine is noisy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bench.load import END, new_schema, peak_mb, psql, run_child, step_generate, step_load
from graph import initiatives
from graph.catalogue import Kpi
from graph.engine import Engine
from graph.view import OrgView
from store.database import create_engine, normalize_url

START = END - timedelta(days=365)
DEFAULTS = initiatives.Initiatives.load()
YARDSTICK = Path(__file__).with_name("yardstick.sql")
#: What a DBA would add for the yardstick's look-ups (the product itself needs none of them):
#: the next good deployment of a service after a merge, and ownership at event time (the
#: services primary key, id + valid_from, already serves that).
YARDSTICK_INDEXES = (
    "CREATE INDEX IF NOT EXISTS yardstick_deployments ON deployments "
    "(service_id, finished_at) WHERE environment = 'production' AND status = 'success'",
    "CREATE INDEX IF NOT EXISTS yardstick_reviews ON reviews (change_id)",
    "ANALYZE",
)


def quantiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": 1000 * ordered[len(ordered) // 2],
        "p95_ms": 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "runs": len(ordered),
    }


def timed(call: Callable[[int], object], *, runs: int, budget: float = 20.0) -> dict[str, float]:
    """Quantiles of ``call(k)`` for k = 1, 2, ...: the callers shift their window by k days,
    so that no run reuses what an earlier one computed (a view keeps its results)."""
    call(0)  # warm up
    samples: list[float] = []
    started = time.perf_counter()
    while len(samples) < runs and (time.perf_counter() - started < budget or len(samples) < 5):
        begin = time.perf_counter()
        call(len(samples) + 1)
        samples.append(time.perf_counter() - begin)
    return quantiles(samples)


def _back(days: int) -> tuple[date, date]:
    """The report window moved ``days`` days back."""
    return START - timedelta(days=days), END - timedelta(days=days)


def _subjects(view: OrgView) -> tuple[str, str, str]:
    tree = view.tree
    root = max(tree.roots, key=lambda r: len(tree.subtree(r)))
    mid = max(
        (t for t in tree.team_ids if tree.depth(t) == 2 and tree.is_active(t)),
        key=lambda t: len(tree.subtree(t)),
    )
    wide = max(tree.team_ids, key=lambda t: len(tree.children(t)))
    return root, mid, wide


def step_engine(url: str) -> dict[str, Any]:
    async def read() -> Engine:
        engine = create_engine(url)
        try:
            return await Engine.from_store(engine)
        finally:
            await engine.dispose()

    started = time.perf_counter()
    engine = asyncio.run(read())
    built = time.perf_counter()
    view = engine.view(END)
    ready = time.perf_counter()
    root, mid, wide = _subjects(view)
    children = view.tree.children(wide)
    report = view.report(root, START, END)
    out: dict[str, Any] = {
        "build_s": built - started,
        "view_s": ready - built,
        "root": root,
        "mid": mid,
        "wide": wide,
        "children": len(children),
        "root_report": timed(lambda k: view.report(root, *_back(k)), runs=300),
        "root_report_repeated": timed(lambda k: view.report(root, START, END), runs=300),
        "mid_report": timed(lambda k: view.report(mid, *_back(k)), runs=300),
        "children_reports": timed(lambda k: view.reports(children, *_back(k)), runs=30),
        "root_initiatives": timed(
            lambda k: [
                initiatives.status(view, i, root, END - timedelta(days=1 + k))
                for i in DEFAULTS.initiatives
            ],
            runs=300,
        ),
        "values": {kpi.name: [m.value, m.sample] for kpi, m in report.metrics.items()},
        "unresolved": report.unresolved_incidents,
        "headcount_by_role": report.headcount_by_role,
    }
    out["peak_mb"] = peak_mb()
    return out


def step_sql(url: str, root: str, runs: int) -> dict[str, Any]:
    names = ["team", "as_of", "start", "end"]
    sql = YARDSTICK.read_text()
    sql = re.sub(
        r":(team|as_of|start|end)\b",
        lambda m: f"${names.index(m.group(1)) + 1}::{'text' if m.group(1) == 'team' else 'date'}",
        sql,
    )

    async def run() -> dict[str, Any]:
        plain = normalize_url(url)
        # an analytical query gets analytical memory: sets and sorts of millions of rows
        settings = {"timezone": "UTC", "work_mem": "256MB"}
        if "options" in plain.query:
            settings["search_path"] = str(plain.query["options"]).split("=", 1)[1]
        dsn = plain.set(drivername="postgresql").difference_update_query(["options"])
        connection = await asyncpg.connect(
            dsn.render_as_string(hide_password=False), server_settings=settings
        )
        try:
            for statement in YARDSTICK_INDEXES:
                await connection.execute(statement)
            samples, row = [], None
            for _ in range(runs):
                begin = time.perf_counter()
                row = await connection.fetchrow(sql, root, END, START, END)
                samples.append(time.perf_counter() - begin)
            assert row is not None
            values = {k: (float(v) if v is not None else None) for k, v in dict(row).items()}
            return {"sql_report": quantiles(samples), "sql_values": values}
        finally:
            await connection.close()

    return asyncio.run(run())


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "generate": lambda directory, teams: step_generate(Path(directory), int(teams)),
    "load": lambda directory, url: step_load(Path(directory), url),
    "engine": step_engine,
    "sql": lambda url, root, runs: step_sql(url, root, int(runs)),
}


def _run(*args: str) -> dict[str, Any]:
    result = run_child("bench.rollup", *args)
    result.setdefault("peak_mb", 0.0)
    return result


def cross_check(engine: dict[str, Any], sql: dict[str, Any]) -> list[str]:
    """Where the engine's root report differs from the yardstick's (empty: they agree)."""
    values, plain = engine["values"], sql["sql_values"]
    weeks = (END - START).days / 7
    checks: dict[str, tuple[float | None, float | None, float]] = {
        "successful deployments": (
            round(values[Kpi.DEPLOYMENTS_PER_WEEK.name][0] * weeks),
            plain["successful"],
            0,
        ),
        "production deployments": (
            values[Kpi.CHANGE_FAILURE_RATE.name][1],
            plain["deployments"],
            0,
        ),
        "change failure rate": (
            values[Kpi.CHANGE_FAILURE_RATE.name][0],
            plain["failed"] / plain["deployments"] if plain["deployments"] else None,
            1e-12,
        ),
        "lead time sample": (values[Kpi.LEAD_TIME_HOURS_P50.name][1], plain["lead_time_sample"], 0),
        "lead time p50": (values[Kpi.LEAD_TIME_HOURS_P50.name][0], plain["lead_time_p50"], 0.01),
        "lead time p90": (values[Kpi.LEAD_TIME_HOURS_P90.name][0], plain["lead_time_p90"], 0.01),
        "time to restore p50": (
            values[Kpi.TIME_TO_RESTORE_HOURS_P50.name][0],
            plain["restore_p50"],
            0.01,
        ),
        "unresolved incidents": (engine["unresolved"], plain["unresolved"], 0),
        "time to first review p50": (
            values[Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50.name][0],
            plain["first_review_p50"],
            0.01,
        ),
        "review to merge p50": (
            values[Kpi.REVIEW_TO_MERGE_HOURS_P50.name][0],
            plain["review_to_merge_p50"],
            0.01,
        ),
        "merged changes": (values[Kpi.UNREVIEWED_MERGE_RATE.name][1], plain["merged"], 0),
        "unreviewed merge rate": (
            values[Kpi.UNREVIEWED_MERGE_RATE.name][0],
            plain["unreviewed"] / plain["merged"] if plain["merged"] else None,
            1e-12,
        ),
        "headcount": (values[Kpi.HEADCOUNT.name][1], plain["headcount"], 0),
        "engineers": (engine["headcount_by_role"].get("SDE", 0), plain["engineers"], 0),
        "services owned": (values[Kpi.NATIVE_AWS_MIGRATION_SHARE.name][1], plain["services"], 0),
        "code coverage": (values[Kpi.CODE_COVERAGE.name][0], plain["coverage"], 1e-9),
        "technical debt": (values[Kpi.TECHNICAL_DEBT_MINUTES.name][0], plain["debt_minutes"], 0),
        "changes to the subtree": (
            values[Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE.name][1],
            plain["to_subtree"],
            0,
        ),
        "changes by the subtree": (
            values[Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE.name][1],
            plain["by_subtree"],
            0,
        ),
    }
    wrong = []
    for name, (mine, theirs, tolerance) in checks.items():
        if mine is None or theirs is None:
            if mine is not theirs:
                wrong.append(f"{name}: engine {mine}, SQL {theirs}")
        elif abs(mine - theirs) > tolerance * max(abs(theirs), 1):
            wrong.append(f"{name}: engine {mine}, SQL {theirs}")
    return wrong


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        step, *rest = sys.argv[2:]
        result = STEPS[step](*rest)
        result.setdefault("peak_mb", peak_mb())
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teams", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sql-runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="also build from a SQLite store")
    options = parser.parse_args()
    rows = [
        "| teams | store | index build s | view s | root report p50 / p95 ms | "
        "root report repeated p50 ms | mid-level p50 / p95 ms | children (n) p50 / p95 ms | "
        "root: 3 initiatives' status p50 / p95 ms | SQL root report p50 ms | SQL / engine | "
        "peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="orgraph-bench-") as work:
        for teams in options.teams:
            bundle = Path(work) / f"bundle-{teams}"
            _run("generate", str(bundle), str(teams))
            stores: list[tuple[str, str]] = []
            schema, url = new_schema(options.pg)
            try:
                _run("load", str(bundle), url)
                stores.append(("PostgreSQL", url))
                if options.sqlite:
                    db = Path(work) / f"store-{teams}.db"
                    _run("load", str(bundle), f"sqlite:///{db}")
                    stores.append(("SQLite", f"sqlite:///{db}"))
                sql: dict[str, Any] | None = None
                for store, store_url in stores:
                    engine = _run("engine", store_url)
                    if sql is None:  # one yardstick per scale: both stores hold the same rows
                        sql = _run("sql", url, engine["root"], str(options.sql_runs))
                    problems += [f"{teams} teams, {store}: {p}" for p in cross_check(engine, sql)]
                    root, mid, kids, goals = (
                        engine["root_report"],
                        engine["mid_report"],
                        engine["children_reports"],
                        engine["root_initiatives"],
                    )
                    sql_ms = sql["sql_report"]["p50_ms"]
                    rows.append(
                        f"| {teams:,} | {store} | {engine['build_s']:.1f} | {engine['view_s']:.1f} | "
                        f"{root['p50_ms']:.2f} / {root['p95_ms']:.2f} | "
                        f"{engine['root_report_repeated']['p50_ms']:.2f} | "
                        f"{mid['p50_ms']:.2f} / {mid['p95_ms']:.2f} | "
                        f"({engine['children']}) {kids['p50_ms']:.1f} / {kids['p95_ms']:.1f} | "
                        f"{goals['p50_ms']:.2f} / {goals['p95_ms']:.2f} | "
                        f"{sql_ms:,.0f} | {sql_ms / root['p50_ms']:,.0f}x | "
                        f"{engine['peak_mb']:,.0f} |"
                    )
                    print("\n".join(rows), flush=True)
            finally:
                psql(options.pg, f"DROP SCHEMA {schema} CASCADE")
    print()
    print("\n".join(rows))
    if problems:
        print("\nThe engine and the SQL yardstick disagree:\n" + "\n".join(problems))
        raise SystemExit(1)
    print("\nThe engine's root report agrees with the SQL yardstick on every checked figure.")


if __name__ == "__main__":
    main()
