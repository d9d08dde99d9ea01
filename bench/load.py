"""Load benchmark: ``generate`` + ``load`` at stated scales, on SQLite and PostgreSQL, beside raw
asyncpg ``copy_records_to_table`` of the same rows as the yardstick.

    .venv/bin/python -m bench.load --teams 2000 20000 [--pg postgresql://postgres@127.0.0.1/test]

Each step runs in a child process of its own, so its peak memory (max RSS) is its own. Prints a
Markdown table; timings on a shared machine are noisy, so compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import asyncpg

from loaders.ingest import load_bundle
from loaders.report import LoadOptions
from store.contract import ENTITIES, Kind
from store.database import create_engine, normalize_url
from store.migrate import upgrade

FACTS = [entity.name for entity in ENTITIES if not entity.dimension]
END = date(2026, 1, 1)  # fixed, so every run generates the same bundle


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- steps, each run in a child process -------------------------------------------------------
def step_generate(directory: Path, teams: int) -> dict[str, Any]:
    from synthetic import generate_bundle

    started = time.perf_counter()
    report = generate_bundle(directory, teams=teams, seed=1, end=END)
    return {"seconds": time.perf_counter() - started, "rows": report.rows}


def step_load(directory: Path, url: str) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        engine = create_engine(url)
        try:
            started = time.perf_counter()
            report = await load_bundle(engine, directory, LoadOptions())
            return {"seconds": time.perf_counter() - started, "rows": report.rows}
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _typed(entity_name: str, path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    entity = next(e for e in ENTITIES if e.name == entity_name)
    with path.open(newline="", encoding="utf-8") as source:
        reader = csv.DictReader(source)
        parse: dict[Kind, Callable[[str], Any]] = {
            Kind.TIMESTAMP: datetime.fromisoformat,
            Kind.COUNT: int,
            Kind.DATE: date.fromisoformat,
        }
        columns = [c for c in entity.columns if reader.fieldnames and c.name in reader.fieldnames]
        flags = [False] * len(entity.flags)
        rows = []
        for record in reader:
            row = []
            for column in columns:
                cell = record[column.name]
                convert = parse.get(column.kind)
                row.append(None if cell == "" else convert(cell) if convert else cell)
            rows.append((*row, *flags))
    return [c.name for c in columns] + list(entity.flags), rows


def step_yardstick(directory: Path, url: str) -> dict[str, Any]:
    """Raw COPY of the fact rows, already parsed in memory (parsing is not timed)."""

    async def run() -> dict[str, Any]:
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()
        plain = normalize_url(url)
        settings = {}
        if "options" in plain.query:
            settings = {"search_path": str(plain.query["options"]).split("=", 1)[1]}
        dsn = plain.set(drivername="postgresql").difference_update_query(["options"])
        connection = await asyncpg.connect(
            dsn.render_as_string(hide_password=False), server_settings=settings
        )
        seconds, count = 0.0, 0
        try:
            for name in FACTS:
                path = directory / f"{name}.csv"
                if not path.exists():
                    continue
                columns, rows = _typed(name, path)
                started = time.perf_counter()
                async with connection.transaction():
                    await connection.copy_records_to_table(name, records=rows, columns=columns)
                seconds += time.perf_counter() - started
                count += len(rows)
                del rows
        finally:
            await connection.close()
        return {"seconds": seconds, "rows": {"facts": count}}

    return asyncio.run(run())


STEPS: dict[str, Callable[..., dict[str, Any]]] = {
    "generate": step_generate,
    "load": step_load,
    "yardstick": step_yardstick,
}


def child(args: list[str]) -> None:
    step, directory, *rest = args
    result = STEPS[step](Path(directory), *(int(a) if a.isdigit() else a for a in rest))
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))


def run_child(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m MODULE --child ARGS`` and read the JSON its last line prints: each
    step in a process of its own, so its peak memory is its own."""
    output = subprocess.run(
        [sys.executable, "-m", module, "--child", *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def _run(*args: str) -> dict[str, Any]:
    return run_child("bench.load", *args)


def psql(server: str, sql: str) -> None:
    plain = normalize_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(
        ["psql", "-q", plain, "-c", f"SET client_min_messages = warning; {sql}"], check=True
    )


def new_schema(server: str) -> tuple[str, str]:
    """A fresh schema for one step, and the URL that points into it."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    psql(server, f"CREATE SCHEMA {schema}")
    url = normalize_url(server).update_query_dict({"options": f"-c search_path={schema}"})
    return schema, url.render_as_string(hide_password=False)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teams", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument(
        "--work", type=Path, default=None, help="scratch directory (default: a temp dir)"
    )
    options = parser.parse_args()
    work = options.work or Path(tempfile.mkdtemp(prefix="orgraph-bench-"))
    rows = [
        "| teams | step | fact rows | all rows | seconds | fact rows/s | peak MB |",
        "|---|---|---|---|---|---|---|",
    ]
    try:
        for teams in options.teams:
            bundle = work / f"bundle-{teams}"
            generated = _run("generate", str(bundle), str(teams))
            facts = sum(generated["rows"][name] for name in FACTS)
            total = sum(generated["rows"].values())
            results = [("generate", generated)]
            db = work / f"store-{teams}.db"
            db.unlink(missing_ok=True)
            results.append(("load → SQLite", _run("load", str(bundle), f"sqlite:///{db}")))
            schema, url = new_schema(options.pg)
            try:
                results.append(("load → PostgreSQL", _run("load", str(bundle), url)))
            finally:
                psql(options.pg, f"DROP SCHEMA {schema} CASCADE")
            schema, url = new_schema(options.pg)
            try:
                results.append(("raw COPY yardstick", _run("yardstick", str(bundle), url)))
            finally:
                psql(options.pg, f"DROP SCHEMA {schema} CASCADE")
            for step, result in results:
                seconds = result["seconds"]
                all_rows = "" if step.startswith("raw") else f"{total:,}"
                rows.append(
                    f"| {teams:,} | {step} | {facts:,} | {all_rows} | {seconds:.1f} | "
                    f"{facts / seconds:,.0f} | {result['peak_mb']:,.0f} |"
                )
            print("\n".join(rows), flush=True)
            shutil.rmtree(bundle)
            db.unlink(missing_ok=True)
    finally:
        if options.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print("\n".join(rows))


if __name__ == "__main__":
    main()
