"""A load killed half-way (SIGKILL, no chance to clean up) leaves the store as it was."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import asyncpg
import pytest

from synthetic import generate_bundle
from tests.builders import base_bundle, write_bundle
from tests.conftest import PG_URL, Database, plain_url

pytestmark = pytest.mark.slow


def _orgraph(*args: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from cli import main; main()", *args]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _copy_running(schema: str) -> bool:
    async def probe() -> bool:
        connection = await asyncpg.connect(plain_url(PG_URL))
        try:
            query = (
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE application_name = $1 AND state = 'active' AND query LIKE 'COPY %'"
            )
            busy = await connection.fetchval(query, schema)
            return bool(busy)
        finally:
            await connection.close()

    return asyncio.run(probe())


def _writing(database: Database) -> bool:
    if database.path is not None:
        wal = Path(f"{database.path}-wal")
        return wal.exists() and wal.stat().st_size > 4 << 20
    assert database.schema is not None
    return _copy_running(database.schema)


def test_killed_load_leaves_the_store_unchanged(database: Database, tmp_path: Path) -> None:
    # given a store holding a small org, and a much larger bundle to load on top of it
    small = write_bundle(tmp_path / "small", base_bundle())
    first = _orgraph(
        "load", str(small), "--db", database.url, "--report", str(tmp_path / "r1.json")
    )
    assert first.wait(60) == 0
    before = database.dump()
    big = tmp_path / "big"
    generate_bundle(big, teams=400, seed=3, end=date(2026, 1, 1))
    # when the load is killed while it is writing
    load = _orgraph(
        "load", str(big), "--db", database.url, "--quiet", "--report", str(tmp_path / "r2.json")
    )
    deadline = time.monotonic() + 120
    while not _writing(database):
        assert load.poll() is None, "the load ended before it could be killed"
        assert time.monotonic() < deadline, "the load never started writing"
        time.sleep(0.01)
    os.kill(load.pid, signal.SIGKILL)
    load.wait(30)
    # then the store is exactly as before (PostgreSQL notices the dropped connection first)
    deadline = time.monotonic() + 30
    while database.path is None and _writing(database) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert load.returncode == -signal.SIGKILL
    assert database.dump() == before
