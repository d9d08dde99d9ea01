"""``orgraph demo``: a demo org in the embedded default store, ready to explore."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncEngine

from cli.common import DbOption, console, run_with_engine
from cli.info import print_summary
from cli.serve import HostOption, OpenOption, PortOption, run_server, settings_for
from graph.summary import StoreSummary, store_summary
from loaders.ingest import load_bundle
from loaders.report import LoadOptions


def demo(
    db: DbOption = None,
    teams: Annotated[int, typer.Option(min=1, help="Size of the demo org in teams")] = 300,
    bundle: Annotated[Path, typer.Option(help="Where the demo bundle is written")] = Path(
        "orgraph-demo"
    ),
    serve: Annotated[bool, typer.Option(help="Serve the dashboard and GraphiQL afterwards")] = True,
    host: HostOption = None,
    port: PortOption = None,
    open: OpenOption = False,
) -> None:
    """Generate a demo org (events up to today), load it, show what the store holds and serve
    the dashboard (http://127.0.0.1:8000/) and GraphiQL on it."""
    from synthetic import generate_bundle  # numpy: imported only when used

    report = generate_bundle(bundle, teams=teams, seed=7, end=date.today(), years=2.0)
    console.print(f"generated {sum(report.rows.values()):,} rows into {bundle}/")

    async def work(engine: AsyncEngine) -> StoreSummary | None:
        loaded = await load_bundle(engine, bundle, LoadOptions())
        console.print(
            f"loaded in {loaded.seconds:.1f} s ({len(loaded.warnings)} rows flagged with warnings)"
        )
        return await store_summary(engine)

    summary = run_with_engine(db, work)
    assert summary is not None
    print_summary(summary)
    if serve:
        run_server(settings_for(db, host, port, open=open))
