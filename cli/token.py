"""``orgraph token create | list | revoke``: the API tokens of the store (docs/security.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from cli.common import DbOption, console, fail, run_with_engine
from store.queries import team_exists
from store.tokens import Role, TokenRecord, create_token, list_tokens, revoke_token

app = typer.Typer(
    help="API tokens: create one for a team's subtree, list them, revoke one.",
    no_args_is_help=True,
)

#: how long a token lives when --expires is not given
DEFAULT_DAYS = 90


@app.command("create")
def create(
    scope: Annotated[
        str | None,
        typer.Option(
            help="Team whose subtree the token may see (default: the whole org)",
            show_default=False,
        ),
    ] = None,
    role: Annotated[
        Role, typer.Option(help="viewer: read its scope; admin: read all, manage tokens")
    ] = Role.VIEWER,
    expires: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help=f"First day it no longer works, UTC (default: in {DEFAULT_DAYS} days)",
            show_default=False,
        ),
    ] = None,
    name: Annotated[
        str, typer.Option(help="What it is for, shown by `token list` and in nothing else")
    ] = "",
    db: DbOption = None,
) -> None:
    """Create a token; it is printed once and never stored (only its digest is)."""
    day = expires.date() if expires else date.today() + timedelta(days=DEFAULT_DAYS)
    if day <= datetime.now(UTC).date():
        raise fail(f"--expires {day}: the token would never work (use a later day)")
    if role is Role.ADMIN and scope is not None:
        raise fail("--scope is for viewers: an admin sees the whole org")

    async def work(engine: AsyncEngine) -> tuple[str, TokenRecord]:
        if scope is not None:
            await _check_scope(engine, scope)
        at = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return await create_token(engine, name=name, role=role, scope=scope, expires_at=at)

    token, record = run_with_engine(db, work)
    console.print(f"created token {record.id} ({_what(record)}, expires {day})")
    console.print("the token (shown this once; send it as `Authorization: Bearer <token>`):")
    print(token)


async def _check_scope(engine: AsyncEngine, scope: str) -> None:
    async with engine.connect() as connection:
        known = await team_exists(connection, scope)
    if not known:
        raise fail(f"--scope {scope!r}: no such team in the store (`orgraph info` lists roots)")


@app.command("list")
def list_(db: DbOption = None) -> None:
    """Every token: id, name, role, scope, when it expires, whether it still works."""
    records = run_with_engine(db, list_tokens)
    table = Table()
    for column in ("id", "name", "role", "scope", "created", "expires", "state"):
        table.add_column(column, no_wrap=True)
    for record in records:
        table.add_row(
            record.id,
            record.name or "—",
            record.role.value,
            record.scope or "(whole org)",
            f"{record.created_at:%Y-%m-%d %H:%M}",
            f"{record.expires_at:%Y-%m-%d}",
            record.state,
        )
    console.print(table if records else "no tokens yet: `orgraph token create`")


@app.command("revoke")
def revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (see `orgraph token list`)")],
    db: DbOption = None,
) -> None:
    """Revoke a token: it is refused from the next request on."""

    async def work(engine: AsyncEngine) -> TokenRecord | None:
        return await revoke_token(engine, token_id)

    record = run_with_engine(db, work)
    if record is None:
        raise fail(f"no token {token_id!r} (see `orgraph token list`)", code=1)
    console.print(f"revoked token {record.id} ({_what(record)})")


def _what(record: TokenRecord) -> str:
    return f"{record.role.value} of {record.scope or 'the whole org'}"
