"""The app under a real uvicorn server on a free port, in a thread, for the tests that talk to
it the way clients do (a GraphQL client library, a browser, the HTTP audit, the fuzz run)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import uvicorn

from api.app import create_app
from api.core.limits import Limits
from api.settings import Settings
from graph.engine import Engine
from store.frames import read_bundle
from synthetic import generate_bundle


def generated_engine(directory: Path, *, teams: int, seed: int, end: date) -> Engine:
    """A rollup engine over a generated org (written to ``directory``)."""
    generate_bundle(directory, teams=teams, seed=seed, end=end)
    return Engine(read_bundle(directory))


@contextmanager
def live_server(
    engine: Engine, store: Path, *, open: bool = True, limits: Limits | None = None
) -> Iterator[str]:
    """Serve ``engine`` (``store`` is a SQLite file the app may open, for its tokens when it is
    not ``open``), with the default limits or ``limits``; yields the base URL and stops the
    server afterwards."""
    settings = Settings(open=open, database_url=f"sqlite:///{store}", limits=limits or Limits())
    app = create_app(settings, engine=engine)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)
