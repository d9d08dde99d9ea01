"""Pieces the commands share: the --db option, running a coroutine, printing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncEngine

from api.settings import Settings, SettingsError
from store.database import DatabaseUrlError, create_engine

T = TypeVar("T")

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (sqlite:///PATH or postgresql://USER@HOST/DB); "
        "default: ORGRAPH_DATABASE_URL, else ./orgraph.db",
        show_default=False,
    ),
]

TeamArgument = Annotated[str, typer.Argument(help="Team id (see `orgraph info` for the roots)")]
FromOption = Annotated[
    datetime | None,
    typer.Option("--from", formats=["%Y-%m-%d"], help="First day (default: 365 days back)"),
]
ToOption = Annotated[
    datetime | None,
    typer.Option("--to", formats=["%Y-%m-%d"], help="Day after the last (default: today)"),
]
AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Structure date (default: --to)"),
]

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def window(start: datetime | None, end: datetime | None) -> tuple[date, date]:
    """``[--from, --to)``: by default the 365 days before today; an empty one is refused."""
    last = end.date() if end else date.today()
    first = start.date() if start else last - timedelta(days=365)
    if last <= first:
        raise fail(f"empty window [{first}, {last}): --to must be after --from")
    return first, last


def run_with_engine(db: str | None, work: Callable[[AsyncEngine], Awaitable[T]]) -> T:
    """Run ``work`` on an engine for the configured database, and dispose of it afterwards."""
    try:
        settings = Settings.from_env(database_url=db)
        engine = create_engine(settings.database_url)
    except (DatabaseUrlError, SettingsError) as exc:
        raise fail(str(exc)) from None

    async def main() -> T:
        try:
            return await work(engine)
        finally:
            await engine.dispose()

    return asyncio.run(main())
