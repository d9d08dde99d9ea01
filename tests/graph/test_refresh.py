"""After a load, Engine.refresh rebuilds only the indexes that read what the load wrote, and the
refreshed engine answers exactly as one built from scratch, on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from graph.engine import Engine
from graph.report import KpiReport
from loaders.ingest import load_bundle
from store.database import create_engine
from synthetic import generate_bundle
from tests.conftest import Database

END = date(2026, 1, 1)


def _split(bundle: Path, first: Path, later: Path, entity: str, rows: int) -> None:
    """``first``: the bundle without the last ``rows`` rows of ``entity``; ``later``: only those."""
    shutil.copytree(bundle, first)
    later.mkdir()
    frame = pl.read_csv(bundle / f"{entity}.csv", infer_schema=False)
    frame.head(frame.height - rows).write_csv(first / f"{entity}.csv")
    frame.tail(rows).write_csv(later / f"{entity}.csv")
    shutil.copy(bundle / "teams.csv", later / "teams.csv")  # every bundle holds its teams


def _reports(engine: Engine) -> list[KpiReport]:
    view = engine.view(END)
    teams = [*view.tree.roots, *view.tree.team_ids[:: max(1, len(view.tree) // 8)]]
    return view.reports(teams, END - timedelta(days=365), END)


async def test_a_load_of_events_rebuilds_only_what_reads_them(
    database: Database, tmp_path: Path
) -> None:
    # given an engine over a store, and incidents and coverage that arrive in a later load
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, teams=40, seed=12, end=END)
    first, later = tmp_path / "first", tmp_path / "later"
    _split(bundle, first, later, "incidents", 150)
    store = create_engine(database.url)
    try:
        await load_bundle(store, first)
        engine = await Engine.from_store(store)
        before = _reports(engine)
        assert (await engine.refresh(store)).loads == 0
        # when the later load commits and the engine refreshes
        await load_bundle(store, later)
        refresh = await engine.refresh(store)
        # then only the incident indexes were rebuilt (the teams it held did not change), from
        # the tables they read
        assert refresh.loads == 1
        assert refresh.parts == ("delivery", "restore", "service_delivery")
        assert refresh.entities == (
            "changes",
            "deployments",
            "incidents",
            "people",
            "services",
            "teams",
        )
        # and the answers are those of an engine built from scratch, and changed
        after = _reports(engine)
        assert after == _reports(await Engine.from_store(store))
        assert after != before
        assert (await engine.refresh(store)).loads == 0
    finally:
        await store.dispose()


async def test_a_load_of_teams_rebuilds_everything(database: Database, tmp_path: Path) -> None:
    # given an engine over a store, and teams that change in a later load
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, teams=40, seed=13, end=END)
    store = create_engine(database.url)
    try:
        await load_bundle(store, bundle)
        engine = await Engine.from_store(store)
        teams = pl.read_csv(bundle / "teams.csv", infer_schema=False)
        renamed = tmp_path / "renamed"
        renamed.mkdir()
        teams.with_columns(pl.col("name") + " (renamed)").write_csv(renamed / "teams.csv")
        await load_bundle(store, renamed)
        # when the engine refreshes
        refresh = await engine.refresh(store)
        # then every index is rebuilt and the new names show
        assert refresh.parts == tuple(
            sorted(
                (
                    "structure",
                    "delivery",
                    "headcount",
                    "quality",
                    "contributions",
                    "review",
                    "lead_time",
                    "restore",
                    "review_times",
                    "service_delivery",
                )
            )
        )
        view = engine.view(END)
        assert view.tree.name(view.tree.roots[0]).endswith(" (renamed)")
        assert _reports(engine) == _reports(await Engine.from_store(store))
    finally:
        await store.dispose()
