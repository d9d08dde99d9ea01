"""Fixtures of the API tests: ``server``, the app under a live uvicorn server over the
module's own ``engine`` fixture (each module generates the org it needs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from graph.engine import Engine
from tests.api.live import live_server


@pytest.fixture(scope="module")
def server(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a live server over ``engine``."""
    with live_server(engine, tmp_path_factory.mktemp("store") / "empty.db") as url:
        yield url
