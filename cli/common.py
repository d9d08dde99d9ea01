"""Pieces the commands share: the --db option, running a coroutine, printing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    errors.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


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
