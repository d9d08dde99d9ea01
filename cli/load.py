"""``orgraph load DIR``: load a canonical bundle into the store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from cli.common import DbOption, console, errors, fail, run_with_engine
from loaders.ingest import load_bundle
from loaders.problems import Problem
from loaders.report import LoadFailed, LoadOptions, LoadReport
from store.contract import ENTITY_BY_NAME, singular

SHOWN_PROBLEMS = 20  # root causes and warnings shown on the terminal (all are in the report)
SHOWN_CONSEQUENCES = 3  # rows rejected because of another, shown per file before a count
SHOWN_CAUSES = 5  # root causes named in that count


def load(
    bundle: Annotated[Path, typer.Argument(help="Bundle directory (docs/data-contract.md)")],
    db: DbOption = None,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(help="Load the good rows and write the rejected ones to the reject file"),
    ] = False,
    report: Annotated[
        Path,
        typer.Option(help="Where to write the load report (JSON); rejects go beside it"),
    ] = Path("orgraph-load-report.json"),
    default_timezone: Annotated[
        str | None,
        typer.Option(help="IANA zone for timestamps without an offset (else they are errors)"),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="No progress bar")] = False,
) -> None:
    """Load a canonical bundle in one transaction: all of it, or (on any rejected row) nothing."""
    zone = None
    if default_timezone:
        try:
            zone = ZoneInfo(default_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail(
                f"--default-timezone {default_timezone!r} is not an IANA time zone"
            ) from None
    if not bundle.is_dir():
        raise fail(
            f"{bundle}: not a directory (a bundle is a directory of CSV or JSON Lines files)"
        )
    reject_file = report.with_name(report.stem.removesuffix("-report") + "-rejects.csv")

    with Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=errors,
        disable=quiet or not errors.is_terminal,
        transient=True,
    ) as progress:
        tasks: dict[str, int] = {}

        def on_progress(file: str, done: int, total: int) -> None:
            if file not in tasks:
                tasks[file] = int(progress.add_task(file, total=total))
            progress.update(tasks[file], completed=done)  # type: ignore[arg-type]

        options = LoadOptions(
            skip_bad_rows=skip_bad_rows,
            default_zone=zone,
            reject_file=reject_file,
            on_progress=on_progress,
        )

        async def work(engine: AsyncEngine) -> LoadReport:
            return await load_bundle(engine, bundle, options)

        try:
            result = run_with_engine(db, work)
        except LoadFailed as exc:
            _write_report(report, exc.report)
            _print_problems(exc.report)
            raise fail(f"{exc} (report: {report})", code=1) from None
    _write_report(report, result)
    _print_problems(result)
    _print_summary(result)


def _write_report(path: Path, result: LoadReport) -> None:
    path.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")


def _print_problems(result: LoadReport) -> None:
    """Root causes first (the first 20), then the rows rejected only because a row they refer to
    was rejected: the first few of each file, and a count of the rest."""
    roots = [p for p in result.rejected if p.caused_by is None]
    knock_on = [p for p in result.rejected if p.caused_by is not None]
    _print_first(roots, "rejected", SHOWN_PROBLEMS)
    if knock_on:
        errors.print(
            f"rejected because a row they refer to was rejected ({_rows(len(knock_on))}):",
            markup=False,
        )
        rank = {problem.where: at for at, problem in enumerate(roots)}
        by_file: dict[str, list[Problem]] = {}
        for problem in knock_on:
            by_file.setdefault(problem.file, []).append(problem)
        for file, problems in by_file.items():
            for problem in problems[:SHOWN_CONSEQUENCES]:
                errors.print(f"  rejected: {problem}", markup=False)
            rest = problems[SHOWN_CONSEQUENCES:]
            if rest:
                errors.print(f"  {file}: {_more_consequences(rest, rank)}", markup=False)
    _print_first(result.warnings, "warning", SHOWN_PROBLEMS)
    for file, columns in result.ignored_columns.items():
        errors.print(f"ignored columns in {file}: {', '.join(columns)}", markup=False)
    if result.ignored_files:
        errors.print(f"ignored files: {', '.join(result.ignored_files)}", markup=False)


def _print_first(problems: list[Problem], title: str, shown: int) -> None:
    for problem in problems[:shown]:
        errors.print(f"{title}: {problem}", markup=False)
    if len(problems) > shown:
        errors.print(f"... and {len(problems) - shown:,} more {title} rows (see the report)")


def _more_consequences(rest: list[Problem], rank: dict[str, int]) -> str:
    """``57 more rows rejected because the team they refer to was rejected (root cause:
    teams.csv:10)``."""
    kinds: list[str] = []
    causes: list[str] = []
    for problem in rest:
        kind = _referred_kind(problem)
        if kind not in kinds:
            kinds.append(kind)
        if problem.caused_by is not None and problem.caused_by not in causes:
            causes.append(problem.caused_by)
    causes.sort(key=lambda cause: rank.get(cause, len(rank)))
    shown = ", ".join(causes[:SHOWN_CAUSES]) + (", ..." if len(causes) > SHOWN_CAUSES else "")
    return (
        f"{_rows(len(rest)).replace(' ', ' more ', 1)} rejected because the "
        f"{' or '.join(kinds)} they refer to was rejected "
        f"(root cause{'s' * (len(causes) != 1)}: {shown})"
    )


def _rows(count: int) -> str:
    return f"{count:,} row{'s' * (count != 1)}"


def _referred_kind(problem: Problem) -> str:
    """What a consequence's column names (``team``, ``person``), from the contract."""
    entity = ENTITY_BY_NAME.get(Path(problem.file).stem)
    if entity is not None and problem.column is not None:
        try:
            target = entity.column(problem.column).refers_to
        except KeyError:
            target = None
        if target is not None:
            return singular(target)
    return "row"


def _print_summary(result: LoadReport) -> None:
    table = Table(title=f"loaded {result.source} in {result.seconds:.1f} s")
    table.add_column("entity")
    table.add_column("rows", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("warnings", justify="right")
    for entity, rows in result.rows.items():
        rejected = sum(1 for p in result.rejected if p.file.startswith(entity + "."))
        warned = sum(1 for p in result.warnings if p.file.startswith(entity + "."))
        table.add_row(entity, f"{rows:,}", f"{rejected:,}", f"{warned:,}")
    total = sum(result.rows.values())
    table.add_row("total", f"{total:,}", f"{len(result.rejected):,}", f"{len(result.warnings):,}")
    console.print(table)
    rate = total / result.seconds if result.seconds else 0.0
    console.print(f"{rate:,.0f} rows/s")
    if result.reject_file:
        console.print(f"rejected rows written to {result.reject_file}")
