"""Every refusal over real HTTP: a 4xx GraphQL response with a named code, quickly, with
nothing executed (issue 10.1, 10.6 and 10.8)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.core.limits import Limits
from api.settings import Settings
from graph.engine import Engine
from graph.view import OrgView
from store.frames import read_bundle
from synthetic import generate_bundle
from tests.api.http import asgi_client

END = date(2026, 1, 1)
KPIS = 'kpis(from: "2025-01-01", to: "2026-01-01") { headcount { value } }'


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    bundle = tmp_path_factory.mktemp("bundle")
    generate_bundle(bundle, teams=20, seed=17, end=END)
    return Engine(read_bundle(bundle))


@pytest.fixture
async def client(engine: Engine, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(open=True, database_url=f"sqlite:///{tmp_path / 'empty.db'}"), engine=engine
    )
    async with asgi_client(app) as http:
        yield http


@pytest.fixture
def executed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The teams whose reports were computed (a refusal computes none)."""
    seen: list[str] = []
    original = OrgView.reports

    def counting(self: OrgView, teams: Any, *args: Any, **kwargs: Any) -> Any:
        seen.extend(teams)
        return original(self, teams, *args, **kwargs)

    monkeypatch.setattr(OrgView, "reports", counting)
    return seen


def nested(levels: int) -> str:
    opening = "children { edges { node { " * levels
    return '{ team(key: "t1") { ' + opening + "key" + " } } }" * levels + " } }"


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the one below twice: 2^levels teams' reports from ~4 lines."""
    fragments = [f"fragment F0 on Team {{ {KPIS} }}"]
    fragments += [f"fragment F{i} on Team {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f'{{ team(key: "t1") {{ ...F{levels - 1} }} }}\n' + "\n".join(fragments)


async def refused(client: httpx.AsyncClient, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    started = time.perf_counter()
    response = await client.post("/graphql", json=body)
    assert time.perf_counter() - started < 1.0, "a refusal takes under a second"
    decoded: dict[str, Any] = response.json()
    return response.status_code, decoded


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (nested(40), "QUERY_TOO_DEEP"),
        (nested(400), "QUERY_TOO_DEEP"),
        ("{ " + " ".join(f"a{i}: __typename" for i in range(500)) + " }", "TOO_MANY_ALIASES"),
        (
            '{ team(key: "t1") { ...A ...A ...A ...A } }\n'
            "fragment A on Team { " + " ".join(f"a{i}: key" for i in range(10)) + " }",
            "TOO_MANY_ALIASES",
        ),
        (fragment_bomb(40), "QUERY_TOO_COSTLY"),
        (
            "{ __schema { types { fields { type { fields { args { name } } } } } } }",
            "INTROSPECTION_TOO_DEEP",
        ),
        ("{ teams { totalCount " + "__typename " * 4000 + "} }", "TOO_MANY_TOKENS"),
        ("{ teams { ", "GRAPHQL_PARSE_FAILED"),
        ("{ teamz { key } }", "GRAPHQL_VALIDATION_FAILED"),
        ("{ teams(first: 101) { totalCount } }", "BAD_USER_INPUT"),
        (
            '{ team(key: "t1") { kpis(from: "2025-02-01", to: "2025-01-01") { from } } }',
            "BAD_USER_INPUT",
        ),
        (
            '{ team(key: "t1") { trend(kpi: HEADCOUNT, from: "1900-01-01", to: "2199-01-01") '
            "{ value } } }",
            "BAD_USER_INPUT",
        ),
        ('{ team(key: "t1", asOf: "0001-01-01") { key } }', "BAD_USER_INPUT"),
    ],
)
async def test_an_abusive_or_wrong_document_is_refused_before_execution(
    client: httpx.AsyncClient, executed: list[str], query: str, code: str
) -> None:
    status, body = await refused(client, {"query": query})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == code
    assert body.get("data") is None
    assert executed == []


async def test_a_page_size_given_as_a_variable_is_costed_as_its_value(
    client: httpx.AsyncClient, executed: list[str]
) -> None:
    query = (
        "query ($n: Int!, $m: Int!) { teams(first: $n) { edges { node { "
        f"children(first: $m) {{ edges {{ node {{ {KPIS} }} }} }} }} }} }} }}"
    )
    # 20 x 20 reports is 8,000 + fields: within the budget, as the same query with literals
    small = await client.post("/graphql", json={"query": query, "variables": {"n": 20, "m": 20}})
    literal = query.replace("$n: Int!, $m: Int!", "").replace("$n", "20").replace("$m", "20")
    same = await client.post("/graphql", json={"query": literal.replace("query ()", "")})
    assert small.status_code == same.status_code == 200
    assert "errors" not in small.json()
    assert small.json() == same.json()
    # 100 x 100 reports is not, and its cost says so before anything runs
    executed.clear()
    status, body = await refused(client, {"query": query, "variables": {"n": 100, "m": 100}})
    assert status == 400
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["cost"] > 100 * 100 * 20 > error["extensions"]["budget"]
    assert executed == []
    # a variable with a bad value is the client's input, with its location
    status, body = await refused(client, {"query": query, "variables": {"n": "x", "m": 1}})
    assert status == 400
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["locations"]


async def test_a_bad_date_names_its_code_and_place(client: httpx.AsyncClient) -> None:
    status, body = await refused(
        client, {"query": '{ team(key: "t1", asOf: "2025-13-01") { key } }'}
    )
    assert status == 400
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "2025-13-01" in error["message"]
    assert error["locations"] == [{"line": 1, "column": 25}]


async def test_the_same_mistake_on_many_fields_is_answered_once(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post(
        "/graphql", json={"query": '{ initiatives { key status(team: "nope") { value } } }'}
    )
    body = response.json()
    assert len(body["data"]["initiatives"]) == 3
    assert len(body["errors"]) == 1
    error = body["errors"][0]
    assert error["message"] == "unknown team 'nope'"
    assert error["extensions"]["paths"] == [["initiatives", i, "status"] for i in range(3)]


@pytest.mark.parametrize(
    ("content", "headers", "status", "code"),
    [
        (b"not json", {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (b'"a string"', {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (b"[" * 5000, {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (b'{"query": 5}', {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (b'{"variables": {}}', {"content-type": "application/json"}, 400, "BAD_REQUEST"),
        (
            b'{"query": "{ __typename }", "operationName": 7}',
            {"content-type": "application/json"},
            400,
            "BAD_REQUEST",
        ),
        (b"{ __typename }", {"content-type": "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"),
        (b"x" * (200 * 1024), {"content-type": "application/json"}, 413, "PAYLOAD_TOO_LARGE"),
    ],
)
async def test_a_request_that_is_not_graphql_gets_a_code(
    client: httpx.AsyncClient, content: bytes, headers: dict[str, str], status: int, code: str
) -> None:
    response = await client.post("/graphql", content=content, headers=headers)
    assert response.status_code == status
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_methods_and_sizes_out_of_bounds(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(
        open=True,
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        limits=Limits(max_request_bytes=1000),
    )
    async with asgi_client(create_app(settings, engine=engine)) as client:
        put = await client.put("/graphql", json={"query": "{ __typename }"})
        long = await client.get("/graphql", params={"query": "{ __typename " + "a" * 1000 + " }"})
        large = await client.post("/graphql", json={"query": "{ __typename " + "a" * 1000 + " }"})
        ok = await client.get("/graphql", params={"query": "{ __typename " + "a" * 900 + " }"})
    assert put.status_code == 405
    assert put.headers["allow"] == "GET, POST"
    assert put.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert long.status_code == 414
    assert long.json()["errors"][0]["extensions"]["code"] == "URI_TOO_LONG"
    assert large.status_code == 413
    assert large.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert ok.status_code == 400  # within the limit: parsed, and an unknown field
    assert ok.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_paths_and_operations_the_server_does_not_serve_get_a_code(
    client: httpx.AsyncClient,
) -> None:
    # a mutation over GET (the schema has none: refused before it is looked at)
    mutation = await client.get("/graphql", params={"query": "mutation { x }"})
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert mutation.json()["errors"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
    # a path nothing is served at, a missing asset, a method a route does not take
    for path in ("/nope", "/static/graphiql/nope.js"):
        missing = await client.get(path)
        assert missing.status_code == 404
        assert missing.json()["errors"][0] == {
            "message": f"nothing is served at {path}",
            "extensions": {"code": "NOT_FOUND"},
        }
    delete = await client.delete("/healthz")
    assert delete.status_code == 405
    assert set(delete.headers["allow"].split(", ")) == {"GET", "HEAD"}  # Starlette: any order
    assert delete.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


async def test_a_server_still_building_says_so(engine: Engine, tmp_path: Path) -> None:
    # an empty store: the engine cannot be built, the API says why and when to retry
    app = create_app(Settings(open=True, database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    async with asgi_client(app) as http:
        response = await http.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_READY"


async def test_a_malformed_id_is_the_clients_mistake(client: httpx.AsyncClient) -> None:
    import base64

    bad = base64.urlsafe_b64encode(b"Team:t1:not-a-date").decode().rstrip("=")
    response = await client.post("/graphql", json={"query": f'{{ node(id: "{bad}") {{ id }} }}'})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
