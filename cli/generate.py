"""``orgraph generate DIR``: write a synthetic canonical bundle, reproducible by seed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, fail


def generate(
    directory: Annotated[Path, typer.Argument(help="Directory to write the bundle into")],
    teams: Annotated[
        int, typer.Option(min=1, help="Number of teams (about 10 people and 10 services each)")
    ] = 200,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed, size and end date give the same bundle")
    ] = 1,
    end: Annotated[
        str | None, typer.Option(help="Last day of events, exclusive (YYYY-MM-DD); default today")
    ] = None,
    years: Annotated[float, typer.Option(min=0.1, help="Years of events before --end")] = 2.0,
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl")] = "csv",
    plant: Annotated[
        bool,
        typer.Option(
            help="Plant known effects for `orgraph insights` to find: a correlation, outlier "
            "teams, a migration that halves lead time, a trend and a season (docs/insights.md)"
        ),
    ] = False,
) -> None:
    """Write a realistic synthetic org (teams, people, services, two years of events)."""
    from synthetic import Effects, generate_bundle  # numpy: imported only when used

    try:
        last = date.fromisoformat(end) if end else date.today()
    except ValueError:
        raise fail(f"--end {end!r} is not a date (YYYY-MM-DD)") from None
    if fmt not in ("csv", "jsonl"):
        raise fail(f"--format {fmt!r}: use csv or jsonl")
    try:
        report = generate_bundle(
            directory,
            teams=teams,
            seed=seed,
            end=last,
            years=years,
            fmt=fmt,
            effects=Effects.planted() if plant else None,
        )
    except ValueError as exc:
        raise fail(str(exc)) from None
    total = sum(report.rows.values())
    console.print(f"wrote {directory}: {total:,} rows in {report.seconds:.1f} s")
    for entity, rows in report.rows.items():
        console.print(f"  {entity:<12} {rows:>12,}")
    if report.planted is not None:
        console.print(
            f"planted: {report.planted.effects}; outlier teams {report.planted.outlier_teams}"
        )
