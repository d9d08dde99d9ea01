"""What the dashboard's browser tests share: the API's own answers over HTTP (the oracle the
page is compared with), and opening a page and waiting for it to draw (tests/api/browser.py
drives the browser)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.browser import watch


def api(server: str, query: str, **variables: Any) -> dict[str, Any]:
    """The API's answer over HTTP: the oracle the page is compared with."""
    body = httpx.post(f"{server}/graphql", json={"query": query, "variables": variables}).json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def first_root(server: str) -> dict[str, str]:
    root: dict[str, str] = api(server, "{ roots { key name } }")["roots"][0]
    return root


def window(page: Any) -> dict[str, str]:
    """The window and structure date the page shows (and asks for)."""
    return {
        "from": page.locator("#from").input_value(),
        "to": page.locator("#to").input_value(),
        "asOf": page.locator("#as-of").input_value(),
    }


def open_page(browser: Any, url: str, *, width: int = 1280, height: int = 800, **kw: Any) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.watched = watch(page, **kw)
    page.goto(url)
    return page


def marks(page: Any, name: str, count: int = 1) -> None:
    """Waits until the page has set the performance mark ``name`` ``count`` times (polled
    from outside: the page's policy forbids the eval that wait_for_function needs)."""
    for _ in range(400):
        if page.evaluate(f"performance.getEntriesByName({name!r}).length") >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"the page did not mark {name} {count} times")


def cards_ready(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("main")).to_have_attribute("aria-busy", "false", timeout=20_000)
    expect(page.locator(".card").first).to_be_visible()


def root_page(browser: Any, server: str, query: str = "") -> tuple[Any, dict[str, str]]:
    """The first org's team view (with ``query`` added to its address), its cards drawn."""
    root = first_root(server)
    page = open_page(browser, f"{server}/?team={root['key']}{query}")
    cards_ready(page)
    return page, root


def shown_values(page: Any) -> dict[str, str]:
    cards = page.locator(".card").evaluate_all(
        "cards => cards.map(c => [c.dataset.kpi, c.dataset.value])"
    )
    return dict(cards)


def report(server: str, key: str, dates: dict[str, str]) -> dict[str, Any]:
    definitions = api(server, "{ kpiDefinitions { key field } }")["kpiDefinitions"]
    fields = " ".join(f"{d['field']} {{ value }}" for d in definitions)
    team = api(
        server,
        f"query($k: String!, $a: Date, $f: Date!, $t: Date!) {{ team(key: $k, asOf: $a) "
        f"{{ kpis(from: $f, to: $t) {{ {fields} }} }} }}",
        k=key,
        a=dates["asOf"],
        f=dates["from"],
        t=dates["to"],
    )["team"]["kpis"]
    return {d["key"]: team[d["field"]]["value"] for d in definitions}


def assert_cards_match(page: Any, server: str, key: str) -> None:
    expected = report(server, key, window(page))
    shown = shown_values(page)
    assert set(shown) == set(expected)
    for kpi, value in expected.items():
        assert (shown[kpi] == "") if value is None else float(shown[kpi]) == value, kpi


def assert_stayed_home(page: Any, server: str) -> None:
    assert page.watched.urls, "the browser made no request"
    assert page.watched.outside(server) == []
    assert page.watched.problems == []


def children_order(server: str, key: str, dates: dict[str, str], kpi: str, way: str) -> list[Any]:
    edges = api(
        server,
        "query($k: String!, $a: Date, $o: TeamOrder) { team(key: $k, asOf: $a) "
        "{ children(first: 25, orderBy: $o) { edges { node { key } } } } }",
        k=key,
        a=dates["asOf"],
        o={"kpi": kpi, "from": dates["from"], "to": dates["to"], "direction": way},
    )["team"]["children"]["edges"]
    return [e["node"]["key"] for e in edges]
