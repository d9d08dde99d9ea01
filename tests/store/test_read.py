"""read_frames gives back exactly the rows of the bundle that was loaded, typed as the engine
reads them, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from polars.testing import assert_frame_equal
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)
from loaders.ingest import load_bundle
from store.database import create_engine
from store.frames import COLUMNS, OrgFrames, empty, read_bundle
from store.migrate import upgrade
from store.read import read_frames
from synthetic import generate_bundle
from tests.conftest import Database

KEYS = {
    "teams": ["id", "valid_from"],
    "people": ["id", "valid_from"],
    "services": ["id", "valid_from"],
    "coverage": ["service_id", "measured_at"],
    "debt": ["service_id", "measured_at"],
}


def _sorted(entity: str, frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(KEYS.get(entity, ["id"]))


async def _read(database: Database) -> OrgFrames:
    engine = create_engine(database.url)
    try:
        return await read_frames(engine)
    finally:
        await engine.dispose()


async def test_the_store_reads_back_as_the_loaded_bundle(
    database: Database, tmp_path: Path
) -> None:
    # given a generated bundle loaded into the store
    bundle = tmp_path / "bundle"
    generate_bundle(bundle, teams=40, seed=3, end=date(2026, 1, 1))
    engine = create_engine(database.url)
    try:
        await load_bundle(engine, bundle)
        # when the frames are read from the store (with the same engine, used again after)
        frames = await read_frames(engine)
        async with engine.connect() as connection:
            assert await connection.scalar(sa.text("SELECT count(*) FROM loads")) == 1
    finally:
        await engine.dispose()
    # then each entity equals the bundle's rows, typed alike
    expected = read_bundle(bundle)
    for entity in COLUMNS:
        got, want = getattr(frames, entity), getattr(expected, entity)
        assert want.height > 0, entity
        assert_frame_equal(_sorted(entity, got), _sorted(entity, want))
    assert frames.teams["valid_from"].min() == date(1, 1, 1)  # open starts are in the bundle


async def test_an_empty_store_reads_as_empty_frames(database: Database) -> None:
    # given a store that is only migrated
    engine = create_engine(database.url)
    try:
        await upgrade(engine)
        # when it is read
        frames = await read_frames(engine)
    finally:
        await engine.dispose()
    # then every frame is empty, with the engine's columns
    for entity in COLUMNS:
        assert_frame_equal(getattr(frames, entity), empty(entity))


async def test_late_text_microseconds_and_all_null_columns_are_read_exactly(
    database: Database,
) -> None:
    # given 1,500 incidents whose cause is empty but for the last one (past the SQLite driver's
    # default type-inference window), never resolved, at times with microseconds
    start = datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    rows = [
        {
            "id": f"i{n:04}",
            "service_id": "s1",
            "started_at": start + timedelta(days=n, microseconds=n),
            "resolved_at": None,
            "caused_by_deployment_id": "d1" if n == 1499 else None,
        }
        for n in range(1500)
    ]
    engine = create_engine(database.url)
    try:
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(sa.insert(SQLModel.metadata.tables["incidents"]), rows)
    finally:
        await engine.dispose()
    # when the store is read
    incidents = (await _read(database)).incidents.sort("id")
    # then every value is there, exact to the microsecond
    assert incidents["started_at"].to_list() == [row["started_at"] for row in rows]
    assert incidents["caused_by_deployment_id"].to_list() == [None] * 1499 + ["d1"]
    assert incidents["resolved_at"].null_count() == 1500
