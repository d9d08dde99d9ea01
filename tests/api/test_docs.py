"""The queries the documentation shows run as shown: every ```graphql block of README.md and
docs/*.md is sent to the API over a generated org and answers with data and no error."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from graph.engine import Engine
from tests.api.http import asgi_client, graphql
from tests.api.live import generated_engine

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [
    pytest.param(block, id=f"{page.name}:{text[: match.start()].count(chr(10)) + 2}")
    for page in PAGES
    for text in [page.read_text()]
    for match in re.finditer(r"```graphql\n(.*?)```", text, re.S)
    for block in [match.group(1)]
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    # the generated org's root is t1 and its names hold "org", as the examples assume
    return generated_engine(tmp_path_factory.mktemp("b"), teams=30, seed=5, end=date(2026, 1, 1))


@pytest.fixture
async def client(engine: Engine, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(open=True, database_url=f"sqlite:///{tmp_path / 'empty.db'}"), engine=engine
    )
    async with asgi_client(app) as http:
        yield http


def test_the_docs_show_graphql() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("query", BLOCKS)
async def test_a_documented_query_runs(client: httpx.AsyncClient, query: str) -> None:
    body = await graphql(client, query)
    assert "errors" not in body, body["errors"]
    assert body["data"], body
