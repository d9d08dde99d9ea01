"""``orgraph info``: what the store holds."""

from __future__ import annotations

from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from cli.common import DbOption, console, fail, run_with_engine
from graph.summary import StoreSummary, store_summary


def info(db: DbOption = None) -> None:
    """A short summary: teams, roots, depth, people, services, events per kind, date range."""

    async def work(engine: AsyncEngine) -> StoreSummary | None:
        return await store_summary(engine)

    summary = run_with_engine(db, work)
    if summary is None:
        raise fail("the store is empty or not created yet: run `orgraph load DIR` first", code=1)
    print_summary(summary)


def print_summary(summary: StoreSummary) -> None:
    table = Table(title=f"orgraph store (structure as of {summary.as_of})", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("teams", f"{summary.teams:,} ({summary.active_teams:,} active)")
    table.add_row(
        "roots",
        f"{len(summary.roots):,}: {', '.join(summary.roots[:5])}"
        + (" ..." if len(summary.roots) > 5 else ""),
    )
    table.add_row("depth", str(summary.depth))
    table.add_row("people", f"{summary.people:,}")
    table.add_row("services", f"{summary.services:,}")
    for kind, count in summary.events.items():
        table.add_row(kind, f"{count:,}")
    first, last = summary.first_event, summary.last_event
    span = f"{first:%Y-%m-%d} .. {last:%Y-%m-%d}" if first and last else "no events"
    table.add_row("events from .. to", span)
    table.add_row("loads", f"{summary.loads:,}")
    console.print(table)
