"""Shared fixtures: a real database per test (SQLite file or a PostgreSQL schema of its own)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from hypothesis import settings

from store.database import normalize_url

# CI runs the same examples every time (a new counterexample is found locally, not in CI).
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

PG_URL = os.environ.get("ORGRAPH_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI") == "true"


def _pg_unreachable() -> str | None:
    async def probe() -> None:
        connection = await asyncpg.connect(plain_url(PG_URL), timeout=5)
        await connection.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def plain_url(url: str) -> str:
    """The libpq form of a URL (for asyncpg.connect and the PostgreSQL tools)."""
    return normalize_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The test server's URL; skips loudly when it is unreachable, fails under CI=true."""
    reason = _pg_unreachable()
    if reason is not None:
        message = (
            f"PostgreSQL at {PG_URL} is NOT reachable ({reason}): PostgreSQL tests did not run"
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return PG_URL


class Database:
    """A store for one test: its URL and a way to dump it (to prove it did not change)."""

    def __init__(self, url: str, kind: str, *, schema: str | None = None, path: Path | None = None):
        self.url = url
        self.kind = kind
        self.schema = schema
        self.path = path

    def dump(self, *, without_rows_of: tuple[str, ...] = ()) -> str:
        """A full logical dump: schema and every row (but those of ``without_rows_of``), as text."""
        if self.path is not None:
            if not self.path.exists():
                return ""
            with sqlite3.connect(self.path) as connection:
                skipped = tuple(f'INSERT INTO "{table}"' for table in without_rows_of)
                return "\n".join(
                    line for line in connection.iterdump() if not line.startswith(skipped)
                )
        assert self.schema is not None
        excluded = [f"--exclude-table-data={self.schema}.{table}" for table in without_rows_of]
        result = subprocess.run(
            ["pg_dump", "--no-owner", "--schema", self.schema, *excluded, plain_url(PG_URL)],
            check=True,
            capture_output=True,
            text=True,
        )
        # pg_dump fences its output with a random key each run (\restrict KEY): not store content.
        # The sequence of a table whose rows are left out is left out too.
        skipped = ("\\restrict", "\\unrestrict")
        skipped += tuple(
            f"SELECT pg_catalog.setval('{self.schema}.{t}_id_seq'" for t in without_rows_of
        )
        return "\n".join(
            line for line in result.stdout.splitlines() if not line.startswith(skipped)
        )


def _create_schema(name: str, *, drop: bool) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(plain_url(PG_URL))
        try:
            if drop:
                await connection.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
            else:
                await connection.execute(f'CREATE SCHEMA "{name}"')
        finally:
            await connection.close()

    asyncio.run(run())


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The same test on SQLite and on PostgreSQL, each with a store of its own."""
    if request.param == "sqlite":
        path = tmp_path / "store.db"
        yield Database(f"sqlite:///{path}", "sqlite", path=path)
        return
    request.getfixturevalue("postgres_server")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    _create_schema(schema, drop=False)
    url = normalize_url(PG_URL).update_query_dict(
        {"options": f"-c search_path={schema} -c application_name={schema}"}
    )
    try:
        yield Database(url.render_as_string(hide_password=False), "postgres", schema=schema)
    finally:
        _create_schema(schema, drop=True)
