"""GraphiQL in a real browser (Debian's chromium, headless, driven by Playwright), on a machine
with no internet: the page, its editor and its documentation explorer render from what orgraph
serves, a query typed into the editor returns data, and nothing is asked of any other host.
A screenshot is kept in test-artifacts/graphiql.png.

Without chromium (``apt-get install chromium``; ``make test`` installs it) the browser test
skips with a loud reason, and under CI=true it fails instead."""

from __future__ import annotations

import asyncio
import html
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from api.core.graphiql import ASSETS, DIRECTORY, OWN, POLICY, VENDORED
from api.core.vendored import sha384
from graph.engine import Engine
from store.database import create_engine
from store.tokens import Role, create_token
from tests.api.browser import LIVE_GROUP, launch, screenshot, watch
from tests.api.live import generated_engine, live_server

END = date(2026, 1, 1)
pytestmark = LIVE_GROUP


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return generated_engine(tmp_path_factory.mktemp("bundle"), teams=20, seed=47, end=END)


def test_the_page_loads_only_what_this_server_serves(server: str) -> None:
    # given the page a browser gets at /graphql
    page = httpx.get(f"{server}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    # then it names no other host, and tells the browser to refuse any
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text), page.text
    assert page.headers["content-security-policy"] == POLICY
    assert "default-src 'none'" in POLICY
    assert "script-src 'self'" in POLICY
    assert page.headers["x-content-type-options"] == "nosniff"
    # and every script and style it names is served from here, byte for byte the pinned file
    named = re.findall(r"""(?:src|href)="(/static/[^"]+)\"""", page.text)
    assert sorted(named) == sorted(
        [VENDORED.url(a) for a in ASSETS] + [f"/static/graphiql/{n}" for n in OWN]
    )
    for asset in ASSETS:
        assert f'integrity="{asset.integrity}"' in page.text
        served = httpx.get(f"{server}{VENDORED.url(asset)}")
        assert served.status_code == 200, asset.name
        assert sha384(served.content) == asset.sha384, asset.name
        assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert served.headers["x-content-type-options"] == "nosniff"
        assert (DIRECTORY / "licences" / asset.licence).is_file(), asset.licence
    # and the stylesheets carry their fonts inline (no font file to fetch from anywhere)
    for asset in ASSETS:
        if asset.name.endswith(".css"):
            text = (DIRECTORY / asset.name).read_text()
            assert not re.search(r"url\((?!data:)", text), asset.name
            assert "@import" not in text, asset.name
    # and the query the editor opens with runs without an error
    settings = re.search(r'data-settings="([^"]+)"', page.text)
    assert settings is not None
    opening = json.loads(html.unescape(settings.group(1)))["query"]
    answer = httpx.post(f"{server}/graphql", json={"query": opening}).json()
    assert "errors" not in answer, answer
    assert answer["data"]["roots"]
    assert answer["data"]["kpiDefinitions"]
    # and a file that is not there is a 404, not a page
    assert httpx.get(f"{server}/static/graphiql/nope.js").status_code == 404


def test_graphiql_works_in_a_browser_without_internet(server: str, engine: Engine) -> None:
    from playwright.sync_api import expect, sync_playwright

    root = engine.view(END).tree.roots[0]
    name = engine.view(END).tree.name(root)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            watched = watch(page)
            # given the page, opened as a user does
            page.goto(f"{server}/graphql")
            # then the editor renders with its opening query
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            expect(editor).to_be_visible(timeout=20_000)
            expect(editor).to_contain_text("kpiDefinitions")
            # and the documentation explorer opens on the schema's root type
            page.get_by_role("button", name="Show Documentation Explorer").click()
            explorer = page.locator(".graphiql-doc-explorer")
            expect(explorer).to_be_visible()
            expect(explorer).to_contain_text("Query")
            explorer.get_by_text("Query", exact=True).first.click()
            expect(explorer).to_contain_text("kpiDefinitions")
            # when a query is typed into the editor and run
            editor.click()
            page.keyboard.press("Control+A")
            page.keyboard.press("Delete")
            page.keyboard.type(f'{{ team(key: "{root}") {{ key name kpis')
            page.keyboard.press("Escape")  # the hint list, if open
            page.keyboard.type(f'(from: "2025-01-01", to: "{END}") {{ headcount {{ value')
            page.keyboard.press("Escape")
            page.keyboard.press("Control+Enter")
            # then the answer shows the team's data
            response = page.locator(".graphiql-response .CodeMirror")
            expect(response).to_contain_text(f'"name": "{name}"', timeout=20_000)
            expect(response).to_contain_text('"headcount": {')
            screenshot(page, "graphiql.png")
        finally:
            browser.close()
    # and nothing was asked of any other host, and the page reported no error
    assert watched.urls, "the browser made no request"
    assert watched.outside(server) == []
    assert watched.problems == []


def test_graphiql_works_with_a_token_on_a_closed_server(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import expect, sync_playwright

    store = tmp_path_factory.mktemp("closed") / "store.db"
    token = asyncio.run(_token(store))
    root = engine.view(END).tree.roots[0]
    with live_server(engine, store, open=False) as server, sync_playwright() as playwright:
        refused = httpx.post(f"{server}/graphql", json={"query": "{ roots { key } }"})
        assert refused.status_code == 401
        browser = launch(playwright)
        try:
            page = browser.new_page()
            watched = watch(page)
            # given a tab where the dashboard left its token (sessionStorage, this tab only)
            page.add_init_script(f"sessionStorage.setItem('orgraph.token', {json.dumps(token)})")
            page.goto(f"{server}/graphql")
            editor = page.locator(".graphiql-query-editor .CodeMirror")
            expect(editor).to_be_visible(timeout=20_000)
            # when the opening query runs, the token goes with it from the Headers pane
            page.get_by_role("button", name="Execute query (Ctrl-Enter)").click()
            response = page.locator(".graphiql-response .CodeMirror")
            expect(response).to_contain_text(f'"key": "{root}"', timeout=20_000)
            expect(response).not_to_contain_text("UNAUTHENTICATED")
        finally:
            browser.close()
    assert watched.outside(server) == []


async def _token(store: Path) -> str:
    engine = create_engine(f"sqlite:///{store}")
    token, _ = await create_token(
        engine, name="browser", role=Role.ADMIN, scope=None,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )  # fmt: skip
    await engine.dispose()
    return token
