"""The dashboard's routes over HTTP (httpx against the ASGI app): the page and its headers, its
files with their types and caches, a 404 with a code for what is not there, the vendored files
byte for byte their pins, and every query of ``queries.js`` within the default limits."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.core.vendored import IMMUTABLE, sha384
from api.dashboard.assets import APP, ASSETS, VENDORED, app_prefix, own_files
from api.dashboard.routes import POLICY
from api.settings import Settings
from graph.catalogue import CATALOGUE
from graph.engine import Engine
from tests.api.dashboard_queries import dashboard_queries
from tests.api.http import asgi_client
from tests.api.live import generated_engine

END = date(2026, 1, 1)
TYPES = {".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return generated_engine(tmp_path_factory.mktemp("bundle"), teams=20, seed=47, end=END)


@pytest.fixture
async def client(engine: Engine, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(open=True, database_url=f"sqlite:///{tmp_path / 'empty.db'}"), engine=engine
    )
    async with asgi_client(app) as http:
        yield http


def _type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0].strip()


async def test_the_page_is_html_with_a_strict_policy(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert _type(page) == "text/html"
    assert page.headers["content-security-policy"] == POLICY
    for rule in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
    ):
        assert rule in POLICY
    assert "unsafe-inline" not in POLICY
    assert "unsafe-eval" not in POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-cache"
    # no inline script or style, nothing from another host
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text), "an inline script"
    assert "<style" not in page.text
    assert " style=" not in page.text
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text)
    # every file it names is served; the vendored ones with their integrity
    named = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", page.text)
    assert f"{app_prefix()}/app.js" in named
    for asset in ASSETS:
        assert VENDORED.url(asset) in named
        assert f'integrity="{asset.integrity}"' in page.text
    for url in named:
        assert (await client.get(url)).status_code == 200, url
    assert (await client.head("/")).status_code == 200


async def test_own_files_are_served_with_their_type_and_a_long_cache(
    client: httpx.AsyncClient,
) -> None:
    for path in own_files():
        url = f"{app_prefix()}/{path.relative_to(APP).as_posix()}"
        served = await client.get(url)
        assert served.status_code == 200, url
        assert _type(served) in {TYPES[path.suffix], "application/javascript"}, url
        assert served.headers["cache-control"] == IMMUTABLE, url
        assert served.headers["x-content-type-options"] == "nosniff"
        assert served.content == path.read_bytes()
    head = await client.head(f"{app_prefix()}/app.js")
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == (APP / "app.js").stat().st_size
    # the path carries a hash of the files: an upgrade changes it
    assert re.fullmatch(r"/static/dashboard/[0-9a-f]{12}", app_prefix())


async def test_vendored_files_are_their_pinned_bytes(client: httpx.AsyncClient) -> None:
    for asset in ASSETS:
        served = await client.get(VENDORED.url(asset))
        assert served.status_code == 200, asset.name
        assert sha384(served.content) == asset.sha384, asset.name
        assert sha384((VENDORED.directory / asset.name).read_bytes()) == asset.sha384
        assert served.headers["cache-control"] == IMMUTABLE
        assert _type(served) == TYPES[Path(asset.name).suffix] or _type(served).endswith(
            "javascript"
        )
        assert (VENDORED.directory / "licences" / asset.licence).is_file(), asset.licence
    licence = await client.get(f"{VENDORED.prefix}/licences/uplot.txt")
    assert licence.status_code == 200
    assert "MIT" in licence.text
    assert licence.headers["cache-control"] == "no-cache"  # its name carries no version
    # and the stylesheet loads nothing (no font, no image from anywhere)
    for asset in ASSETS:
        if asset.name.endswith(".css"):
            text = (VENDORED.directory / asset.name).read_text()
            assert "url(" not in text
            assert "@import" not in text


@pytest.mark.parametrize(
    "path",
    [
        "/static/dashboard/vendor/nope.js",
        "/static/dashboard/0123456789ab/app.js",  # an old build's path
        "/static/dashboard/app.js",
        "/index.html",
    ],
)
async def test_what_is_not_there_is_a_404_with_a_code(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_an_unknown_file_of_the_build_is_a_404_with_a_code(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(f"{app_prefix()}/nope.js")
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_the_page_only_reads(client: httpx.AsyncClient) -> None:
    response = await client.post("/", json={})
    assert response.status_code == 405
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_the_queries_ask_for_every_kpi_of_the_catalogue() -> None:
    queries = dashboard_queries()
    assert set(queries) == {
        "BOOT",
        "ROOTS",
        "SEARCH",
        "TEAM",
        "TRENDS",
        "CHILDREN",
        "SERVICES",
        "INITIATIVES",
    }
    for kpi, definition in CATALOGUE.items():
        assert f"{definition.field} {{" in queries["TEAM"], definition.field
        assert f"{definition.field} {{" in queries["CHILDREN"], definition.field
        assert f"{kpi.name}: trend(kpi: {kpi.name}," in queries["TRENDS"], kpi.name


async def test_every_query_of_the_page_answers_within_the_default_limits(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    # the variables the page sends, at their largest: a page of children ordered by a KPI,
    # the longest window drawn by week (728 days) and a ten-year window drawn by month
    root = engine.view(END).tree.roots[0]
    window = {"key": root, "asOf": "2025-12-31", "from": "2025-01-02", "to": "2026-01-01"}
    order = {"kpi": "LEAD_TIME_HOURS_P50", "from": "2025-01-02", "to": "2026-01-01"}
    asked: dict[str, list[dict[str, Any]]] = {
        "BOOT": [{}],
        "ROOTS": [{"asOf": None}, {"asOf": "2025-12-31"}],
        "SEARCH": [{"search": "e", "asOf": "2025-12-31"}],
        "TEAM": [window],
        "TRENDS": [
            {**window, "grain": "WEEK", "from": "2024-01-04"},
            {**window, "grain": "MONTH", "from": "2016-01-01"},
        ],
        "CHILDREN": [{**window, "first": 25, "after": None, "orderBy": order}],
        "SERVICES": [{**window, "first": 20, "after": None}],
        "INITIATIVES": [{"key": root, "on": "2025-12-31"}],
    }
    for name, query in dashboard_queries().items():
        for variables in asked[name]:
            response = await client.post("/graphql", json={"query": query, "variables": variables})
            body = response.json()
            assert response.status_code == 200, (name, body)
            assert "errors" not in body, (name, body["errors"])
