"""Every row the rollup engine needs, read from the store into the typed frames of
:mod:`store.frames`, in one consistent snapshot.

Both databases are read through ADBC, which turns a whole result into Arrow columns in C, so no
Python object is made per row or value:

* SQLite: ``adbc_driver_sqlite`` (as the bulk writer), one read transaction. Timestamps are
  stored as epoch microseconds and dates as ISO text; both become polars types here.
* PostgreSQL: ``adbc_driver_postgresql``, which reads each table with a binary ``COPY`` and
  decodes ``timestamptz`` and ``date`` straight to Arrow (exact to the microsecond), in one
  ``REPEATABLE READ`` read-only transaction with the engine's ``search_path``.

Measured at 20,000 teams (11.3M rows) on the 2-core machine, shared with other jobs (wall
seconds with one other job / with two; CPU seconds of this process + of the server backend):

* SQLite, ADBC: 6.9 / 8.1-9.7 s; CPU 6.7 s
* PostgreSQL, ADBC (binary ``COPY``): 7.9 / 11.7-13.4 s; CPU 6.7 + 4.6 s
* PostgreSQL, asyncpg CSV ``COPY`` with ``EXTRACT(EPOCH ...)`` microseconds read by
  ``pl.read_csv``: 12.1 / 20.7 s; CPU 7.1 + 10.0 s
* the same with ISO text timestamps parsed by polars: 22.7 s (two jobs); CPU 12.5 + 7.0 s

On PostgreSQL ADBC wins on both counts: the server's binary output needs no text formatting
(the exact epoch is numeric arithmetic, twice the server time), and the client decodes in C
without copying the result through Python bytes and a CSV parser. Reading tables on two
connections at once gained little (7.0 s against 7.9 s with ADBC, 9.5 s with CSV): server and
client already keep one core each busy, so the reads stay on one connection, one snapshot.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import adbc_driver_postgresql.dbapi as adbc_postgres  # type: ignore[import-untyped]
import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.bulk import ONE_BATCH, adbc_connect, adbc_query
from store.frames import COLUMNS, UTC_MICROS, OrgFrames, empty
from store.models import sql_table


async def read_frames(engine: AsyncEngine, entities: Collection[str] | None = None) -> OrgFrames:
    """Every row of the store behind ``engine`` that the engine needs (see :data:`COLUMNS`),
    or only those of ``entities`` (the other frames are then empty).

    On SQLite the engine's pool is emptied first (another SQLite library reads the file, and
    two must not hold it open at once in one process): nothing else in this process may use
    the store while the read runs. On PostgreSQL the engine's connections are left alone.
    """
    wanted = list(COLUMNS) if entities is None else [e for e in COLUMNS if e in set(entities)]
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            search_path = await connection.scalar(sa.text("SELECT current_setting('search_path')"))
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        frames = await asyncio.to_thread(_read_postgres, url, str(search_path), wanted)
    elif engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":
            raise ValueError("reads from SQLite need a database file, not an in-memory database")
        await engine.dispose()
        frames = await asyncio.to_thread(_read_sqlite, path, wanted)
    else:
        raise ValueError(f"unsupported database {engine.dialect.name!r}")
    return OrgFrames(**{entity: frames.get(entity, empty(entity)) for entity in COLUMNS})


async def latest_load(engine: AsyncEngine) -> int | None:
    """The id of the last load committed to the store (None: none yet)."""
    async with engine.connect() as connection:
        found = await connection.scalar(sa.select(sa.func.max(sql_table("loads").c.id)))
    return None if found is None else int(found)


async def loads_since(engine: AsyncEngine, after: int | None) -> list[dict[str, Any]]:
    """The reports of the loads committed after the load ``after`` (all of them for None), in
    order."""
    table = sql_table("loads")
    query = sa.select(table.c.report).order_by(table.c.id)
    if after is not None:
        query = query.where(table.c.id > after)
    async with engine.connect() as connection:
        return [dict(report) for report in (await connection.scalars(query))]


def _select(entity: str) -> str:
    names = ", ".join(f'"{name}"' for name in COLUMNS[entity])
    return f'SELECT {names} FROM "{entity}"'


def _read_postgres(url: str, search_path: str, wanted: list[str]) -> dict[str, pl.DataFrame]:
    connection: Any = adbc_postgres.connect(url)
    try:
        # The driver has begun a transaction: make it one snapshot for every table.
        adbc_query(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        adbc_query(connection, "SELECT set_config('search_path', $1, false)", (search_path,))
        frames = {}
        for entity in wanted:
            columns = COLUMNS[entity]
            frame = adbc_query(connection, _select(entity))
            # timestamptz and date come typed; integer counts widen to Int64
            frames[entity] = frame.select(pl.col(name).cast(kind) for name, kind in columns.items())
        connection.rollback()
        return frames
    finally:
        connection.close()


def _read_sqlite(path: str, wanted: list[str]) -> dict[str, pl.DataFrame]:
    connection = adbc_connect(path)  # not autocommit: every query reads one snapshot
    try:
        frames = {
            entity: _from_sqlite(entity, adbc_query(connection, _select(entity), options=ONE_BATCH))
            for entity in wanted
        }
        connection.rollback()
        return frames
    finally:
        connection.close()


def _from_sqlite(entity: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Columns as SQLite stores them (timestamps as epoch microseconds, dates as ISO text) as
    the types of :data:`COLUMNS`."""
    converted = []
    for name, kind in COLUMNS[entity].items():
        stored = pl.Int64() if kind in (UTC_MICROS, pl.Int64()) else pl.String()
        column = pl.col(name)
        if frame.schema[name] != stored:
            # ADBC types a column with no value at all (or no row) as int64
            if frame[name].null_count() != frame.height:
                raise ValueError(f"{entity}.{name}: stored as {frame.schema[name]}, not {stored}")
            column = column.cast(kind)
        elif kind == pl.Date():
            column = column.str.to_date("%Y-%m-%d")
        else:
            column = column.cast(kind)
        converted.append(column)
    return frame.select(converted)
