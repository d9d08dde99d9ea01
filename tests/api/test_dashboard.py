"""The dashboard at ``/`` in a real browser (Debian's chromium, headless, driven by Playwright)
against a live server on a generated org, with no internet: every request stays on the server,
the type-ahead finds a team, drilling down changes the address and the cards, the charts have
the API's points, the children sort as the API orders them, the initiatives show the API's
forecasts, an API error is said clearly, and a token set in the settings is sent. Every figure
the page shows is compared with the API's own answer over HTTP. Screenshots of each view are
kept in test-artifacts/dashboard-*.png."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.core.limits import Limits
from graph.engine import Engine
from store.database import create_engine
from store.tokens import Role, create_token
from tests.api.browser import LIVE_GROUP, accessibility_problems, launch, screenshot, watch
from tests.api.dashboard_page import (
    api,
    assert_cards_match,
    assert_stayed_home,
    cards_ready,
    children_order,
    first_root,
    marks,
    open_page,
    root_page,
    shown_values,
    window,
)
from tests.api.live import generated_engine, live_server

END = date(2026, 1, 1)
pytestmark = LIVE_GROUP


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    # 60 teams: two orgs, the first by name with 7 teams under it, some with teams of their own
    return generated_engine(tmp_path_factory.mktemp("bundle"), teams=60, seed=47, end=END)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch(playwright)
        try:
            yield launched
        finally:
            launched.close()


def test_team_view_shows_the_api_figures_from_this_server_only(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    root = first_root(server)
    page = open_page(browser, f"{server}/")
    cards_ready(page)
    # the first org, its name, and every KPI of the catalogue as a card with the API's value
    expect(page.locator("h1")).to_contain_text(root["name"])
    dates = window(page)
    definitions = api(server, "{ kpiDefinitions { key dataTo } }")["kpiDefinitions"]
    last = max(d["dataTo"] for d in definitions if d["dataTo"])
    assert date.fromisoformat(dates["to"]) == date.fromisoformat(last) + timedelta(days=1), (
        "the window ends with the last day of data"
    )
    assert (date.fromisoformat(dates["to"]) - date.fromisoformat(dates["from"])).days == 364
    assert_cards_match(page, server, root["key"])
    # every trend has the API's points (52 weeks), also in its table
    expect(page.locator(".trend-figure")).to_have_count(len(definitions), timeout=20_000)
    for kpi in ("DEPLOYMENTS_PER_WEEK", "LEAD_TIME_HOURS_P50", "HEADCOUNT"):
        points = api(
            server,
            "query($k: String!, $a: Date, $f: Date!, $t: Date!) { team(key: $k, asOf: $a) "
            f"{{ trend(kpi: {kpi}, from: $f, to: $t) {{ from value partial }} }} }}",
            k=root["key"],
            a=dates["asOf"],
            f=dates["from"],
            t=dates["to"],
        )["team"]["trend"]
        figure = page.locator(f'.trend-figure[data-kpi="{kpi}"]')
        assert figure.get_attribute("data-points") == str(len(points)) == "52"
        assert figure.locator("tbody tr").count() == len(points)
        assert figure.locator("canvas").count() == 1
    # a figure explains itself: its definition, sample and window, on hover and on a tap
    value = page.locator('.card[data-kpi="LEAD_TIME_HOURS_P50"] .value')
    explanation = value.get_attribute("title")
    assert explanation is not None
    assert "Median lead time for changes" in explanation
    assert re.search(r"Sample: [\d,]+ changes deployed", explanation)
    assert f"Window: {dates['from']} to " in explanation
    value.click()
    expect(page.locator("#explain")).to_be_visible()
    expect(page.locator("#explain")).to_contain_text("changes deployed")
    page.keyboard.press("Escape")
    expect(page.locator("#explain")).to_be_hidden()
    # the children and the services arrive, and the page says when it was drawn
    expect(page.locator("table.children tbody tr").first).to_be_visible()
    expect(page.locator("table.services tbody tr").first).to_be_visible()
    marks(page, "orgraph:cards")
    marks(page, "orgraph:team-complete")
    # the services come a page at a time, in the API's order
    services = api(
        server,
        "query($k: String!, $a: Date) { team(key: $k, asOf: $a) { services(first: 40) "
        "{ totalCount edges { node { key } } } } }",
        k=root["key"],
        a=dates["asOf"],
    )["team"]["services"]
    rows = page.locator("table.services tbody tr")
    expect(rows).to_have_count(20)
    page.locator("#services button.more").click()
    expect(rows).to_have_count(min(40, services["totalCount"]))
    keys = rows.evaluate_all("rows => rows.map(r => r.dataset.key)")
    assert keys == [e["node"]["key"] for e in services["edges"]]
    expect(page.locator("#services .shown")).to_contain_text(
        f"40 of {services['totalCount']:,} services shown"
    )
    screenshot(page, "dashboard-team.png")
    screenshot(page, "dashboard-team-full.png", full_page=True)
    assert accessibility_problems(page) == []
    assert_stayed_home(page, server)


def test_search_and_drill_down_change_the_address_and_the_cards(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    root = first_root(server)
    children = api(
        server,
        "query($k: String!) { team(key: $k) { children(first: 100) { edges { node { key name "
        "children(first: 1) { edges { node { key name } } } } } } } }",
        k=root["key"],
    )["team"]["children"]["edges"]
    parent = next(e["node"] for e in children if e["node"]["children"]["edges"])
    grandchild = parent["children"]["edges"][0]["node"]
    page = open_page(browser, f"{server}/")
    cards_ready(page)
    before = shown_values(page)
    # the type-ahead, by keyboard: the team's name, ArrowDown to it, Enter
    search = page.locator("#search-input")
    search.focus()
    page.keyboard.type(parent["name"][:-1])
    options = page.locator("#search-results [role=option][data-key]")
    expect(options.first).to_be_visible()
    expect(search).to_have_attribute("aria-expanded", "true")
    keys = options.evaluate_all("items => items.map(i => i.dataset.key)")
    assert parent["key"] in keys
    for _ in range(keys.index(parent["key"])):
        page.keyboard.press("ArrowDown")
    expect(options.nth(keys.index(parent["key"]))).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"[?&]team={parent['key']}(&|$)"))
    expect(page.locator("h1")).to_contain_text(parent["name"])
    cards_ready(page)
    expect(page.locator("#crumbs")).to_contain_text(root["name"])
    assert_cards_match(page, server, parent["key"])
    assert shown_values(page) != before
    # drilling down from the children table, then back and forward through history
    page.locator(f'table.children tr[data-key="{grandchild["key"]}"] a').click()
    expect(page).to_have_url(re.compile(rf"[?&]team={grandchild['key']}(&|$)"))
    expect(page.locator("h1")).to_contain_text(grandchild["name"])
    expect(page.locator("#crumbs li")).to_have_count(3)
    assert_cards_match(page, server, grandchild["key"])
    page.go_back()
    expect(page.locator("h1")).to_contain_text(parent["name"])
    page.go_forward()
    expect(page.locator("h1")).to_contain_text(grandchild["name"])
    # a breadcrumb leads back up
    page.locator("#crumbs a", has_text=root["name"]).click()
    expect(page.locator("h1")).to_contain_text(root["name"])
    assert_stayed_home(page, server)


def test_sorting_the_children_orders_them_as_the_api(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page, root = root_page(browser, server)
    dates = window(page)
    rows = page.locator("table.children tbody tr")
    expect(rows.first).to_be_visible()

    def shown() -> list[str]:
        keys: list[str] = rows.evaluate_all("rows => rows.map(r => r.dataset.key)")
        return keys

    header = page.locator('table.children th[data-kpi="LEAD_TIME_HOURS_P50"]')
    for way, aria in (("DESC", "descending"), ("ASC", "ascending")):
        # a sort button is a button: Enter on it sorts (largest first, then smallest first)
        header.locator("button.sort").focus()
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(rf"sort=LEAD_TIME_HOURS_P50\.{way.lower()}"))
        header = page.locator('table.children th[data-kpi="LEAD_TIME_HOURS_P50"]')
        expect(header).to_have_attribute("aria-sort", aria)
        expected = children_order(server, root["key"], dates, "LEAD_TIME_HOURS_P50", way)
        expect(
            page.locator(f'table.children[data-sort="LEAD_TIME_HOURS_P50.{way}"]')
        ).to_be_visible()
        expect(rows).to_have_count(len(expected))
        assert shown() == expected, way
    # any KPI, also one without a column, by the "Sort by" select (the order chosen stays)
    for kpi, way in (("CODE_COVERAGE", "ASC"), ("CODE_COVERAGE", "DESC")):
        page.locator("#sort-kpi").select_option(kpi)
        page.locator("#sort-direction").select_option(way)
        expect(page).to_have_url(re.compile(rf"sort={kpi}\.{way.lower()}"))
        expect(page.locator(f'table.children th[data-kpi="{kpi}"]')).to_have_attribute(
            "aria-sort", {"ASC": "ascending", "DESC": "descending"}[way]
        )
        expect(page.locator(f'table.children[data-sort="{kpi}.{way}"]')).to_be_visible()
        expected = children_order(server, root["key"], dates, kpi, way)
        expect(rows).to_have_count(len(expected))  # drawn, not only begun
        assert shown() == expected
    # the order is in the address: a reload (a shared link) shows the same
    page.reload()
    expect(page.locator('table.children[data-sort="CODE_COVERAGE.DESC"]')).to_be_visible()
    expect(page.locator('table.children th[data-kpi="CODE_COVERAGE"]')).to_have_attribute(
        "aria-sort", "descending"
    )
    expected = children_order(server, root["key"], dates, "CODE_COVERAGE", "DESC")
    expect(rows).to_have_count(len(expected))
    assert shown() == expected
    page.locator("#children").scroll_into_view_if_needed()
    screenshot(page, "dashboard-sorted.png")
    assert_stayed_home(page, server)


def test_a_window_that_is_not_whole_weeks_draws_its_partial_week_apart(
    server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    page, root = root_page(browser, server, "&from=2025-09-01&to=2026-01-01")
    figure = page.locator('.trend-figure[data-kpi="DEPLOYMENTS_PER_WEEK"]')
    expect(figure).to_be_visible(timeout=20_000)
    points = api(
        server,
        'query($k: String!) { team(key: $k, asOf: "2025-12-31") { trend(kpi: '
        'DEPLOYMENTS_PER_WEEK, from: "2025-09-01", to: "2026-01-01") { partial coverage } } }',
        k=root["key"],
    )["team"]["trend"]
    assert figure.get_attribute("data-points") == str(len(points)) == "18"
    apart = [p for p in points if p["partial"] or p["coverage"] < 1]
    assert len(apart) == 1
    assert figure.locator("tbody tr.apart").count() == len(apart)
    expect(figure.locator(".legend")).to_contain_text("partial period")
    assert_stayed_home(page, server)


def test_initiatives_view_shows_each_forecast_as_the_api_gives_it(
    server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    page, root = root_page(browser, server)
    as_of = window(page)["asOf"]
    page.locator("#tab-initiatives").click()
    expect(page).to_have_url(re.compile(r"view=initiatives"))
    articles = page.locator("article.initiative")
    initiatives = api(
        server,
        "query($k: String!, $on: Date) { initiatives { key name status(team: $k, on: $on) "
        "{ forecast status progress trend { on } } laggards(under: $k, on: $on, first: 5) "
        "{ edges { node { team { key } } } } } }",
        k=root["key"],
        on=as_of,
    )["initiatives"]
    assert {i["key"] for i in initiatives} == {
        "sde-ratio",
        "remote-contributions",
        "native-aws-migration",
    }
    expect(articles).to_have_count(len(initiatives))
    for initiative in initiatives:
        article = page.locator(f'article.initiative[data-key="{initiative["key"]}"]')
        status = initiative["status"]
        assert article.get_attribute("data-forecast") == (status["forecast"] or "")
        assert article.get_attribute("data-status") == status["status"]
        if status["forecast"]:
            expect(article.locator(".facts")).to_contain_text(status["forecast"])
        # a progress bar only for a share of the way; past it (a start already past the
        # target, a value moving away) the figure is said in words
        bars = article.locator("progress")
        progress = status["progress"]
        if progress is not None and 0 <= progress <= 1:
            assert float(bars.get_attribute("value") or "nan") == progress
        else:
            assert bars.count() == 0
        if progress is not None and progress > 1 and status["status"] != "DONE":
            expect(article.locator(".facts")).to_contain_text("already past the target")
        burnup = article.locator("figure.burnup")
        assert burnup.get_attribute("data-points") == str(len(status["trend"]))
        assert burnup.locator("canvas").count() == 1
        laggards = [e["node"]["team"]["key"] for e in initiative["laggards"]["edges"]]
        shown = article.locator(".standing").first.locator("tbody tr")
        assert shown.evaluate_all("rows => rows.map(r => r.dataset.key)") == laggards
    screenshot(page, "dashboard-initiatives.png", full_page=True)
    assert accessibility_problems(page) == []
    # a laggard links to its own initiatives view
    target = next(i for i in initiatives if i["laggards"]["edges"])
    team = target["laggards"]["edges"][0]["node"]["team"]["key"]
    page.locator(f'article[data-key="{target["key"]}"] .standing tr[data-key="{team}"] a').click()
    expect(page).to_have_url(
        re.compile(rf"team={team}.*view=initiatives|view=initiatives.*team={team}")
    )
    expect(articles).to_have_count(len(initiatives))
    assert_stayed_home(page, server)


def test_an_api_error_is_said_clearly(
    server: str, browser: Any, engine: Engine, tmp_path: Any
) -> None:
    from playwright.sync_api import expect

    # a window that ends before it starts: the API's BAD_USER_INPUT, in the page
    page = open_page(
        browser, f"{server}/?from=2026-01-01&to=2025-01-01", expected=("status of 400",)
    )
    alert = page.locator("#alert")
    expect(alert).to_be_visible(timeout=20_000)
    expect(alert).to_contain_text("BAD_USER_INPUT")
    expect(alert).to_contain_text("empty window")
    expect(alert).to_contain_text("check the dates")
    screenshot(page, "dashboard-error.png")
    assert accessibility_problems(page) == []
    assert_stayed_home(page, server)
    # a server with a small cost budget refuses the team's report: QUERY_TOO_COSTLY, said so
    with live_server(engine, tmp_path / "empty.db", limits=Limits(cost_budget=150)) as small:
        page = open_page(browser, f"{small}/", expected=("status of 400",))
        expect(page.locator("#alert")).to_contain_text("QUERY_TOO_COSTLY", timeout=20_000)
        expect(page.locator("#alert")).to_contain_text("budget 150")
        assert_stayed_home(page, small)
    # an unknown team
    page = open_page(browser, f"{server}/?team=nope")
    expect(page.locator("main .error")).to_contain_text("No team has the key “nope”")
    assert_stayed_home(page, server)


def test_a_token_set_in_the_settings_is_sent_and_only_then(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{server}/")
    cards_ready(page)

    seen = 0

    def authorisations() -> list[str | None]:
        """The Authorization headers of the API requests since the last call."""
        nonlocal seen
        asked = [r for r in page.watched.requests[seen:] if r.url.endswith("/graphql")]
        seen = len(page.watched.requests)
        return [r.headers.get("authorization") for r in asked]

    assert set(authorisations()) == {None}
    page.locator("#settings summary").click()
    page.locator("#token").fill("s3cret-token")
    page.locator("#token-form button[type=submit]").click()
    expect(page.locator("#token-state")).to_contain_text("A token is set")
    cards_ready(page)
    marks(page, "orgraph:team-complete", 2)
    assert set(authorisations()) == {"Bearer s3cret-token"}
    page.locator("#token-clear").click()
    expect(page.locator("#token-state")).to_contain_text("No token")
    marks(page, "orgraph:team-complete", 3)
    assert set(authorisations()) == {None}
    assert_stayed_home(page, server)


def test_readable_on_a_phone_and_by_keyboard(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page = open_page(browser, f"{server}/", width=390, height=844)
    cards_ready(page)
    expect(page.locator(".trend-figure").first).to_be_visible(timeout=20_000)
    # nothing wider than the screen but the tables, which scroll in their own box
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "dashboard-phone.png")
    assert accessibility_problems(page) == []
    # the first stops of the tab order: the skip link, the home link, then the search
    page.locator("body").focus()
    for stop in (".skip", ".brand-link", "#search-input"):
        page.keyboard.press("Tab")
        expect(page.locator(stop)).to_be_focused()
    # the controls fold away on a phone, and open with their button
    expect(page.locator("#from")).to_be_hidden()
    page.locator("#controls-toggle").click()
    expect(page.locator("#controls-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#from")).to_be_visible()
    # the skip link moves the focus to the content, and draws nothing again
    page.locator(".skip").focus()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.wait_for_timeout(300)
    assert page.evaluate("performance.getEntriesByName('orgraph:cards').length") == 1
    assert_stayed_home(page, server)


def test_a_server_still_building_or_timing_out_is_tried_again(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    # the first two API requests are refused as a server refuses them while it builds its
    # indexes (503 NOT_READY, Retry-After) and while it builds a structure date (TIMEOUT)
    refusals = [
        (503, "NOT_READY", "the rollup engine is still being built", {"retry-after": "1"}),
        (400, "TIMEOUT", "request timed out: ask for less", {}),
    ]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.watched = watch(page, expected=("status of 503", "status of 400"))

    def refuse(route: Any) -> None:
        if not refusals:
            route.continue_()
            return
        status, code, message, headers = refusals.pop(0)
        body = {"errors": [{"message": message, "extensions": {"code": code}}]}
        route.fulfill(status=status, json=body, headers=headers)

    page.route(f"{server}/graphql", refuse)
    page.goto(f"{server}/")
    expect(page.locator("#waiting")).to_contain_text("still building its indexes")
    cards_ready(page)
    expect(page.locator("#waiting")).to_be_hidden()
    expect(page.locator("#alert")).to_be_hidden()
    assert refusals == []
    assert_stayed_home(page, server)


def test_an_answer_for_an_older_sort_is_dropped(server: str, browser: Any) -> None:
    from playwright.sync_api import expect

    page, _ = root_page(browser, server)
    rows = page.locator("table.children tbody tr")
    expect(rows.first).to_be_visible()
    by_name = rows.evaluate_all("rows => rows.map(r => r.dataset.key)")

    # the answer for "largest lead time first" comes late
    def slow(route: Any) -> None:
        if "LEAD_TIME_HOURS_P50" in (route.request.post_data or ""):
            page.wait_for_timeout(1500)
        route.continue_()

    page.route(f"{server}/graphql", slow)
    page.locator('table.children th[data-kpi="LEAD_TIME_HOURS_P50"] button.sort').click()
    expect(page).to_have_url(re.compile(r"sort=LEAD_TIME_HOURS_P50\.desc"))
    page.go_back()  # back to "by name" before that answer arrives
    expect(page.locator('table.children[data-sort="name"]')).to_be_visible()
    page.wait_for_timeout(2500)  # the late answer has come and gone
    expect(page.locator('table.children[data-sort="name"]')).to_be_visible()
    assert rows.evaluate_all("rows => rows.map(r => r.dataset.key)") == by_name
    assert_stayed_home(page, server)


def test_a_scoped_token_opens_on_its_team_and_shows_nothing_else(
    engine: Engine, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import expect

    # given a closed server and a token scoped to a team with teams under it
    tree = engine.view(END).tree
    scope = next(t for t in tree.team_ids if tree.depth(t) == 1 and tree.children(t))
    hidden = [t for t in tree.team_ids if t not in (*tree.ancestors(scope), *tree.subtree(scope))]
    store = tmp_path_factory.mktemp("closed") / "store.db"
    with ThreadPoolExecutor(1) as thread:  # Playwright's loop runs in this one
        token = thread.submit(asyncio.run, _token(store, scope)).result()
    with live_server(engine, store, open=False) as server:
        # when the dashboard is opened in a tab that holds the token
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.add_init_script(f"sessionStorage.setItem('orgraph.token', {json.dumps(token)})")
        page.watched = watch(page)
        page.goto(f"{server}/")
        cards_ready(page)
        # then it opens on the scope's team, with its figures and its children
        expect(page.locator("h1")).to_contain_text(tree.name(scope))
        expect(page.locator("table.children tbody tr").first).to_be_visible(timeout=20_000)
        expect(page.locator("#alert")).to_be_hidden()
        # and no other subtree's name is anywhere on the page
        text = page.locator("body").inner_text()
        assert [t for t in hidden if tree.name(t) in text] == []
        screenshot(page, "dashboard-scoped.png")
        assert_stayed_home(page, server)
        page.close()


async def _token(store: Path, scope: str) -> str:
    engine = create_engine(f"sqlite:///{store}")
    token, _ = await create_token(
        engine, name="dashboard", role=Role.VIEWER, scope=scope,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )  # fmt: skip
    await engine.dispose()
    return token
