"""Bulk writes for loads, in one transaction: COPY on PostgreSQL, ``executemany`` on SQLite.

A load talks to the driver connection directly (asyncpg or aiosqlite, borrowed from the
engine's pool) because row-at-a-time ORM inserts are two orders of magnitude too slow for tens
of millions of events. Everything stays in one transaction that the caller commits or, on any
error, rolls back, so the store either has the whole load or none of it.

Batches come as polars frames of typed columns: PostgreSQL gets them as CSV text written by
polars (the server parses one chunk while the loader prepares the next), SQLite as rows.
"""

from __future__ import annotations

import asyncio
import io
import json
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

import adbc_driver_sqlite.dbapi as adbc_sqlite
import polars as pl
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

import store.models  # noqa: F401  (registers the tables)
from store.models import UtcDateTime, from_epoch_micros, sql_table, to_epoch_micros


def _primary_key(name: str) -> list[str]:
    return [column.name for column in sql_table(name).primary_key.columns]


class BulkSession(ABC):
    """One load's transaction on the store."""

    @abstractmethod
    async def is_empty(self, table: str) -> bool:
        """True when ``table`` has no rows (a plain COPY then cannot conflict)."""

    @abstractmethod
    async def fetch(self, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        """Every row of ``table`` (dimensions only: they are small), typed."""

    @abstractmethod
    async def lookup(self, table: str, value_column: str, ids: Sequence[str]) -> dict[str, Any]:
        """``id -> value_column`` for those of ``ids`` that ``table`` held before this load."""

    @abstractmethod
    async def delete_ids(self, table: str, ids: Sequence[str]) -> None:
        """Delete every row (every version) of the given ids."""

    @abstractmethod
    async def write(
        self,
        table: str,
        columns: Sequence[str],
        batches: AsyncIterator[pl.DataFrame],
        *,
        upsert: bool,
    ) -> None:
        """Write every batch (the iterator is always read to its end: the loader checks rows
        as it yields them); with ``upsert`` a row whose key exists replaces it."""

    @abstractmethod
    async def record_load(
        self, source: str, fmt: str, started: datetime, finished: datetime, report: dict[str, Any]
    ) -> None:
        """Keep the load's report in the ``loads`` table."""


class _Postgres(BulkSession):
    def __init__(self, connection: Any, engine: AsyncEngine) -> None:
        self.connection = connection
        self.engine = engine

    async def is_empty(self, table: str) -> bool:
        row = await self.connection.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{table}")')
        return not row

    async def fetch(self, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        names = ", ".join(f'"{c}"' for c in columns)
        rows = await self.connection.fetch(f'SELECT {names} FROM "{table}"')
        return [tuple(row) for row in rows]

    async def lookup(self, table: str, value_column: str, ids: Sequence[str]) -> dict[str, Any]:
        query = f'SELECT id, "{value_column}" FROM "{table}" WHERE id = ANY($1::text[])'
        async with _reader(self.engine) as reader:
            # never wait for a lock this load holds itself: fail instead of hanging
            await reader.execute("SET lock_timeout = '30s'")
            return {row[0]: row[1] for row in await reader.fetch(query, list(ids))}

    async def delete_ids(self, table: str, ids: Sequence[str]) -> None:
        await self.connection.execute(
            f'DELETE FROM "{table}" WHERE id = ANY($1::text[])', list(ids)
        )

    async def write(
        self,
        table: str,
        columns: Sequence[str],
        batches: AsyncIterator[pl.DataFrame],
        *,
        upsert: bool,
    ) -> None:
        async def chunks() -> AsyncIterator[bytes]:
            async for frame in batches:
                text = io.BytesIO()
                frame.select(columns).write_csv(text, include_header=False)
                yield text.getvalue()

        copy = {"columns": list(columns), "format": "csv"}
        if not upsert:
            async with self._without_primary_key(table):
                await self.connection.copy_to_table(table, source=chunks(), **copy)
            return
        # COPY cannot upsert: stage the rows in a temporary table, then merge them in one statement.
        stage = f"_stage_{table}"
        await self.connection.execute(
            f'CREATE TEMP TABLE "{stage}" (LIKE "{table}" INCLUDING DEFAULTS) ON COMMIT DROP'
        )
        await self.connection.copy_to_table(stage, source=chunks(), **copy)
        key = _primary_key(table)
        names = ", ".join(f'"{c}"' for c in columns)
        updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in columns if c not in key)
        conflict = ", ".join(f'"{c}"' for c in key)
        await self.connection.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{stage}" '
            f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
        )
        await self.connection.execute(f'DROP TABLE "{stage}"')

    @asynccontextmanager
    async def _without_primary_key(self, table: str) -> AsyncIterator[None]:
        """Into an empty table, COPY without its primary-key index and build the index once at
        the end: maintaining it row by row is half of the server's COPY time. The loader has
        already rejected duplicate keys, so rebuilding cannot fail on them. Inside the load's
        transaction; readers of this (empty) table wait until the commit."""
        if not await self.is_empty(table):
            yield
            return
        name, definition = await self.connection.fetchrow(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = $1::regclass AND contype = 'p'",
            table,
        )
        await self.connection.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        yield
        await self.connection.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')

    async def record_load(
        self, source: str, fmt: str, started: datetime, finished: datetime, report: dict[str, Any]
    ) -> None:
        await self.connection.execute(
            "INSERT INTO loads (source, format, started_at, finished_at, report) "
            "VALUES ($1, $2, $3, $4, $5::json)",
            source,
            fmt,
            started,
            finished,
            json.dumps(report),
        )


def _sqlite_timestamp(value: datetime | None) -> int | None:
    """What :class:`UtcDateTime` stores on SQLite: microseconds since the epoch."""
    return None if value is None else to_epoch_micros(value)


def _from_sqlite(kind: sa.types.TypeEngine[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, UtcDateTime):
        return from_epoch_micros(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    return value


def _as_stored(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns as SQLite stores them: timestamps as epoch microseconds, dates as ISO text,
    booleans as 0/1 (what SQLAlchemy reads back)."""
    converted = []
    for name, dtype in frame.schema.items():
        column = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            column = column.dt.epoch("us")
        elif isinstance(dtype, pl.Date):
            column = column.dt.to_string("%Y-%m-%d")
        elif isinstance(dtype, pl.Boolean):
            column = column.cast(pl.Int64)
        converted.append(column)
    return frame.select(converted)


class _Sqlite(BulkSession):
    """Loads into SQLite through ADBC, which binds whole Arrow columns in C (613k rows/s for a
    million changes here, against 270k for the sqlite3 module's ``executemany``, which also
    holds the GIL for every value). All work runs in a worker thread, one call at a time."""

    def __init__(self, connection: Any, path: str) -> None:
        self.connection = connection  # adbc_driver_sqlite.dbapi.Connection
        self.path = path

    def _query(self, sql: str, parameters: Sequence[Any] = ()) -> pl.DataFrame:
        return adbc_query(self.connection, sql, parameters, options=ONE_BATCH)

    def _execute(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, parameters or None)
        finally:
            cursor.close()

    async def is_empty(self, table: str) -> bool:
        frame = await asyncio.to_thread(
            self._query, f'SELECT EXISTS (SELECT 1 FROM "{table}") AS e'
        )
        return not frame["e"][0]

    async def fetch(self, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        kinds = [sql_table(table).c[c].type for c in columns]
        names = ", ".join(f'"{c}"' for c in columns)
        frame = await asyncio.to_thread(self._query, f'SELECT {names} FROM "{table}"')
        return [
            tuple(_from_sqlite(k, v) for k, v in zip(kinds, row, strict=True))
            for row in frame.rows()
        ]

    async def lookup(self, table: str, value_column: str, ids: Sequence[str]) -> dict[str, Any]:
        kind = sql_table(table).c[value_column].type
        query = (
            f'SELECT t.id, t."{value_column}" AS v FROM "{table}" AS t '
            "JOIN json_each(?) AS wanted ON t.id = wanted.value"
        )

        def read() -> pl.DataFrame:
            # a second connection sees what was committed before this load: all a look-up needs
            connection = adbc_connect(self.path)
            try:
                return adbc_query(connection, query, (json.dumps(list(ids)),), options=ONE_BATCH)
            finally:
                connection.close()

        frame = await asyncio.to_thread(read)
        return {key: _from_sqlite(kind, value) for key, value in frame.rows()}

    async def delete_ids(self, table: str, ids: Sequence[str]) -> None:
        query = f'DELETE FROM "{table}" WHERE id IN (SELECT value FROM json_each(?))'
        await asyncio.to_thread(self._execute, query, (json.dumps(list(ids)),))

    async def write(
        self,
        table: str,
        columns: Sequence[str],
        batches: AsyncIterator[pl.DataFrame],
        *,
        upsert: bool,
    ) -> None:
        # With upsert, rows go to a temporary table first and are merged in one statement.
        target = f"_stage_{table}" if upsert else table
        created = not upsert

        def ingest(frame: pl.DataFrame, mode: str) -> None:
            cursor = self.connection.cursor()
            try:
                cursor.adbc_ingest(target, frame, mode=mode, temporary=upsert)
            finally:
                cursor.close()

        # One batch is ingested in a worker thread while the next one is read and checked.
        writing: asyncio.Future[Any] | None = None
        async for frame in batches:
            stored = _as_stored(frame.select(columns))
            if writing is not None:
                await writing
            writing = asyncio.ensure_future(
                asyncio.to_thread(ingest, stored, "append" if created else "create")
            )
            created = True
        if writing is not None:
            await writing
        if not upsert or not created:
            return
        key = _primary_key(table)
        names = ", ".join(f'"{c}"' for c in columns)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in key)
        merge = (
            f'INSERT INTO "{table}" ({names}) SELECT {names} FROM temp."{target}" WHERE true '
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
        )
        await asyncio.to_thread(self._execute, merge)
        await asyncio.to_thread(self._execute, f'DROP TABLE temp."{target}"')

    async def record_load(
        self, source: str, fmt: str, started: datetime, finished: datetime, report: dict[str, Any]
    ) -> None:
        query = "INSERT INTO loads (source, format, started_at, finished_at, report) VALUES (?, ?, ?, ?, ?)"
        stamps = (_sqlite_timestamp(started), _sqlite_timestamp(finished))
        await asyncio.to_thread(self._execute, query, (source, fmt, *stamps, json.dumps(report)))


#: The ADBC SQLite driver types each column from the values of its first batch (1024 rows by
#: default): a nullable text column whose first batch is all null would come back as int64 and
#: the read fail at its first text value. One batch as large as any table sees every value (and
#: is a third faster than many small ones).
ONE_BATCH = {"adbc.sqlite.query.batch_rows": str(1 << 30)}


def adbc_connect(path: str) -> Any:
    connection = adbc_sqlite.connect(path)
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA cache_size = -262144")
    finally:
        cursor.close()
    return connection


def adbc_query(
    connection: Any,
    sql: str,
    parameters: Sequence[Any] = (),
    *,
    options: dict[str, str] | None = None,
) -> pl.DataFrame:
    """The result of ``sql`` as one frame; ``options`` are ADBC statement options (SQLite
    needs :data:`ONE_BATCH`)."""
    cursor = connection.cursor()
    try:
        if options:
            cursor.adbc_statement.set_options(**options)
        cursor.execute(sql, parameters or None)
        return pl.DataFrame(cursor.fetch_arrow())
    finally:
        cursor.close()


@asynccontextmanager
async def _reader(engine: AsyncEngine) -> AsyncIterator[Any]:
    """A second driver connection, for look-ups while the load's own connection is busy with a
    COPY. It sees only committed rows, which is all a look-up needs: ids the bundle refers to
    but does not hold were in the store before this load began."""
    async with engine.connect() as connection:
        raw = await connection.get_raw_connection()
        yield raw.driver_connection


@asynccontextmanager
async def bulk_session(engine: AsyncEngine) -> AsyncIterator[BulkSession]:
    """A transaction for one load: committed when the block ends, rolled back when it raises
    (and by the database itself when the process is killed)."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            driver: Any = raw.driver_connection
            transaction = driver.transaction()
            await transaction.start()
            try:
                yield _Postgres(driver, engine)
            except BaseException:
                await transaction.rollback()
                raise
            await transaction.commit()
            return
    # SQLite: the load's connection is ADBC's own SQLite library. Two SQLite libraries must
    # never hold one file open at once in one process (POSIX locks are per process: closing a
    # file in one drops the other's locks), so the engine's pool is emptied first and nothing
    # else in this process opens the store until the load is over.
    await engine.dispose()
    path = engine.url.database
    if not path or path == ":memory:":
        raise ValueError("loads into SQLite need a database file, not an in-memory database")
    adbc = await asyncio.to_thread(adbc_connect, path)
    try:
        try:
            yield _Sqlite(adbc, path)
        except BaseException:
            await asyncio.to_thread(adbc.rollback)
            raise
        await asyncio.to_thread(adbc.commit)
    finally:
        await asyncio.to_thread(adbc.close)
