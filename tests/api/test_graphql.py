"""The GraphQL API through real HTTP requests against the ASGI app: answers agree with the
rollup engine, the schema is fully described and equals schema.graphql, bad requests are
named."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from api.app import create_app
from api.schema import schema
from api.settings import Settings
from graph.catalogue import Kpi
from graph.engine import Engine
from graph.view import OrgView
from store.frames import read_bundle
from synthetic import generate_bundle
from tests.api.http import asgi_client, graphql

END = date(2026, 1, 1)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    bundle = tmp_path_factory.mktemp("bundle")
    generate_bundle(bundle, teams=40, seed=31, end=END)
    return Engine(read_bundle(bundle))


@pytest.fixture
async def client(engine: Engine, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(open=True, database_url=f"sqlite:///{tmp_path / 'empty.db'}"), engine=engine
    )
    async with asgi_client(app) as http:
        yield http


TEAM = """
query ($key: String!, $asOf: Date, $from: Date!, $to: Date!) {
  team(key: $key, asOf: $asOf) {
    id key name active depth asOf
    parent { key }
    ancestors { key }
    children(first: 2) { totalCount edges { cursor node { key } } pageInfo { hasNextPage endCursor } }
    headcount { total byRole { role count } }
    kpis(from: $from, to: $to) {
      from to asOf deploymentTier unresolvedIncidents unmeasuredServices
      headcountByRole { role count }
      leadTimeHoursP50 { value sampleSize exact orgValue parentValue peerMedian peerPercentile zScore previousValue }
      deploymentsPerWeek { value sampleSize }
      nativeAwsMigrationShare { value sampleSize }
    }
    trend(kpi: DEPLOYMENTS_PER_WEEK, from: $from, to: $to, grain: MONTH) { from to value sampleSize }
  }
}
"""


async def test_a_team_page_answers_as_the_engine(client: httpx.AsyncClient, engine: Engine) -> None:
    view = engine.view(END)
    team = next(t for t in view.tree.team_ids if view.tree.depth(t) == 1)
    start = date(2025, 1, 1)
    body = await graphql(
        client, TEAM, key=team, asOf="2026-01-01", **{"from": "2025-01-01", "to": "2026-01-01"}
    )
    assert "errors" not in body, body
    got = body["data"]["team"]
    expected = view.report(team, start, END)
    assert got["key"] == team
    assert got["name"] == view.tree.name(team)
    assert got["parent"]["key"] == view.tree.parent(team)
    assert [a["key"] for a in got["ancestors"]] == list(view.tree.ancestors(team))
    children = view.tree.children(team)
    assert got["children"]["totalCount"] == len(children)
    assert [e["node"]["key"] for e in got["children"]["edges"]] == list(children[:2])
    assert got["children"]["pageInfo"]["hasNextPage"] == (len(children) > 2)
    lead = expected.metrics[Kpi.LEAD_TIME_HOURS_P50]
    assert got["kpis"]["leadTimeHoursP50"]["value"] == lead.value
    assert got["kpis"]["leadTimeHoursP50"]["sampleSize"] == lead.sample
    assert lead.comparison is not None
    assert got["kpis"]["leadTimeHoursP50"]["peerMedian"] == lead.comparison.peer_median
    assert got["kpis"]["unresolvedIncidents"] == expected.unresolved_incidents
    roles = got["kpis"]["headcountByRole"]  # null when under the privacy floor, as the engine
    assert (
        None if roles is None else {r["role"]: r["count"] for r in roles}
    ) == expected.headcount_by_role
    assert len(got["trend"]) == 12
    # and the global id fetches the same team back
    again = await graphql(
        client, "query ($id: ID!) { node(id: $id) { ... on Team { key asOf } } }", id=got["id"]
    )
    assert again["data"]["node"] == {"key": team, "asOf": "2026-01-01"}


async def test_teams_are_searched_by_name_prefix_first(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    view = engine.view(date.today())
    name = view.tree.name(view.tree.team_ids[-1])
    word = name.split()[0][:3].upper()
    body = await graphql(
        client,
        "query ($s: String) { teams(search: $s, first: 100) { totalCount edges { node { name } } } }",
        s=word,
    )
    names = [e["node"]["name"] for e in body["data"]["teams"]["edges"]]
    needle = word.casefold()
    expected_prefix = sorted(
        (
            view.tree.name(t)
            for t in view.tree.team_ids
            if view.tree.name(t).casefold().startswith(needle)
        ),
        key=str.casefold,
    )
    assert names[: len(expected_prefix)] == expected_prefix
    assert all(needle in n.casefold() for n in names)
    assert body["data"]["teams"]["totalCount"] == sum(
        needle in view.tree.name(t).casefold() for t in view.tree.team_ids
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ teams(first: 101) { totalCount } }", "first must be between 0 and 100, got 101"),
        ('{ teams(after: "!!") { totalCount } }', "malformed"),
        (
            '{ team(key: "t1", asOf: "2026-01-01") { kpis(from: "2025-02-01", to: "2025-01-01") { headcount { value } } } }',
            "empty window [2025-02-01, 2025-01-01)",
        ),
    ],
)
async def test_bad_requests_are_named(client: httpx.AsyncClient, query: str, message: str) -> None:
    body = await graphql(client, query)
    assert message in body["errors"][0]["message"]


async def test_an_unknown_team_is_null(client: httpx.AsyncClient) -> None:
    body = await graphql(client, '{ team(key: "nope") { key } }')
    assert body == {"data": {"team": None}}


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.headers["x-request-id"]


async def test_graphiql_is_served_to_a_browser(client: httpx.AsyncClient) -> None:
    page = await client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing = []
    for name, kind in schema._schema.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        if not kind.description:
            missing.append(name)
        if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            for field_name, field in kind.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
        if isinstance(kind, GraphQLEnumType):
            missing += [f"{name}.{v}" for v, value in kind.values.items() if not value.description]
    assert missing == []


def test_schema_graphql_is_what_export_schema_prints() -> None:
    printed = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "export-schema"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert printed.strip() == (ROOT / "schema.graphql").read_text().strip(), (
        "schema.graphql is stale: run `make schema`"
    )


async def test_each_request_is_logged_with_its_id_and_duration(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="orgraph.access"):
        response = await client.get("/healthz")
    request_id = response.headers["x-request-id"]
    line = next(r.getMessage() for r in caplog.records if r.name == "orgraph.access")
    assert f"request_id={request_id} method=GET path=/healthz status=200 ms=" in line


async def test_a_costly_query_is_rejected_before_execution_with_its_cost(
    client: httpx.AsyncClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a KPI report for each of 100 x 100 teams: over the budget
    executed: list[str] = []
    original = OrgView.report

    def counting(self: OrgView, team: str, *args: Any, **kwargs: Any) -> Any:
        executed.append(team)
        return original(self, team, *args, **kwargs)

    monkeypatch.setattr(OrgView, "report", counting)
    query = """{ teams(first: 100) { edges { node { children(first: 100) { edges { node {
        kpis(from: "2025-01-01", to: "2026-01-01") { headcount { value } } } } } } } } }"""
    body = await graphql(client, query)
    error = body["errors"][0]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["cost"] > error["extensions"]["budget"] == 10_000
    assert "estimated cost" in error["message"]
    assert "data" not in body or body["data"] is None
    assert executed == []
    # while one page of reports is within it
    small = await graphql(
        client,
        '{ teams(first: 20) { edges { node { kpis(from: "2025-01-01", to: "2026-01-01") '
        "{ headcount { value } } } } } }",
    )
    assert "errors" not in small
    assert len(executed) == 20


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (
            "{ teams { edges { node { " + "parent { " * 12 + "key" + " }" * 12 + " } } } }",
            "QUERY_TOO_DEEP",
        ),
        (
            "{ " + " ".join(f"a{i}: teams {{ totalCount }}" for i in range(31)) + " }",
            "TOO_MANY_ALIASES",
        ),
        ("{ teams { totalCount " + "__typename " * 4000 + "} }", "TOO_MANY_TOKENS"),
    ],
)
async def test_depth_aliases_and_tokens_are_limited(
    client: httpx.AsyncClient, query: str, code: str
) -> None:
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == code


async def test_an_unexpected_error_is_masked_with_a_stable_code(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail /etc/passwd")

    monkeypatch.setattr(OrgView, "report", broken)
    with caplog.at_level("ERROR", logger="strawberry.execution"):
        body = await graphql(
            client,
            '{ team(key: "t1", asOf: "2026-01-01") { kpis(from: "2025-01-01", to: "2026-01-01") '
            "{ headcount { value } } } }",
        )
    error = body["errors"][0]
    assert error["message"] == "internal error"
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(body)
    # the server's log has it, with its stack
    assert any("secret detail" in r.getMessage() and r.exc_info for r in caplog.records)


async def test_the_clients_mistakes_are_answered_not_logged(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("ERROR", logger="strawberry.execution"):
        unknown = await graphql(
            client, '{ team(key: "t1") { kpis(from: "2025-02-01", to: "2025-01-01") { from } } }'
        )
        misspelt = await graphql(client, "{ teamz { key } }")
    assert unknown["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "Cannot query field 'teamz'" in misspelt["errors"][0]["message"]
    assert not [r for r in caplog.records if r.name.startswith("strawberry")]


async def test_bad_input_carries_its_code(client: httpx.AsyncClient) -> None:
    body = await graphql(client, "{ teams(first: 101) { totalCount } }")
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_services_and_descendants_of_a_team(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    view = engine.view(END)
    tree = view.tree
    team = next(t for t in tree.team_ids if tree.depth(t) == 1 and tree.children(t))
    query = """query ($key: String!) { team(key: $key, asOf: "2026-01-01") {
        descendants(maxDepth: 1, first: 100) { totalCount edges { node { key } } }
        all: descendants(first: 100) { totalCount }
        services(first: 3) { totalCount edges { node { key name owner { key } path { key } } } }
        own: services(includeDescendants: false) { totalCount }
    } }"""
    body = await graphql(client, query, key=team)
    got = body["data"]["team"]
    active_below = [t for t in tree.subtree(team)[1:] if tree.is_active(t)]
    assert got["all"]["totalCount"] == len(active_below)
    assert [e["node"]["key"] for e in got["descendants"]["edges"]] == [
        t for t in active_below if tree.depth(t) == tree.depth(team) + 1
    ]
    services = sorted(s for t in tree.subtree(team) for s in tree.services_of(t))
    assert got["services"]["totalCount"] == len(services)
    assert got["own"]["totalCount"] == len(tree.services_of(team))
    first = got["services"]["edges"][0]["node"]
    assert first["key"] == services[0]
    owner = tree.owner_of(services[0])
    assert owner is not None
    assert first["owner"]["key"] == owner
    assert [t["key"] for t in first["path"]] == [*tree.ancestors(owner), owner]
    # a service by key, and by its global id
    one = await graphql(
        client,
        'query ($k: String!) { service(key: $k, asOf: "2026-01-01") { id key } }',
        k=services[0],
    )
    again = await graphql(
        client,
        "query ($id: ID!) { node(id: $id) { ... on Service { key } } }",
        id=one["data"]["service"]["id"],
    )
    assert again["data"]["node"] == {"key": services[0]}


async def test_sql_statements_per_request_do_not_grow_with_the_teams_answered(
    tmp_path: Path,
) -> None:
    # given the app over a real SQLite store, its engine built from the store at start-up
    from sqlalchemy import event

    from loaders.ingest import load_bundle
    from store.database import create_engine

    bundle = tmp_path / "bundle"
    generate_bundle(bundle, teams=40, seed=32, end=END)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = create_engine(url)
    await load_bundle(store, bundle)
    await store.dispose()
    app = create_app(Settings(open=True, database_url=url))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        for _ in range(100):  # the engine is built in the background at start-up
            if (await http.get("/readyz")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        # the structure the dashboard opens on (the last day with events) was built before
        # the server said it was ready, not by its first visitor
        engine = app.state.engine
        assert engine.last_event_day == END - timedelta(days=1)
        assert engine.built_dates == (engine.last_event_day,)
        statements: list[str] = []
        event.listen(
            app.state.store.sync_engine,
            "before_cursor_execute",
            lambda *args: statements.append(args[2]),
        )
        counts = []
        for size in (1, 10, 40):
            statements.clear()
            body = await graphql(
                http,
                'query ($n: Int) { teams(first: $n, asOf: "2026-01-01") { edges { node { key '
                'children { totalCount } kpis(from: "2025-01-01", to: "2026-01-01") '
                "{ leadTimeHoursP50 { value } } } } } }",
                n=size,
            )
            assert len(body["data"]["teams"]["edges"]) == size
            counts.append(len(statements))
    # then answering 1, 10 or 40 teams takes the same number of SQL statements (none)
    assert counts == [0, 0, 0]


async def test_a_request_that_runs_out_of_time_is_stopped(engine: Engine, tmp_path: Path) -> None:
    settings = Settings(
        open=True, database_url=f"sqlite:///{tmp_path / 'empty.db'}", request_timeout=0
    )
    app = create_app(settings, engine=engine)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        body = await graphql(
            http,
            '{ teams(first: 5) { edges { node { kpis(from: "2025-01-01", to: "2026-01-01") '
            "{ headcount { value } } } } } }",
        )
    assert body["errors"][0]["extensions"] == {"code": "TIMEOUT"}
    assert "request timed out" in body["errors"][0]["message"]


def test_settings_come_from_flags_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from api.settings import SettingsError

    monkeypatch.setenv("ORGRAPH_PORT", "9001")
    monkeypatch.setenv("ORGRAPH_COST_BUDGET", "500")
    monkeypatch.setenv("ORGRAPH_DEBUG", "true")
    settings = Settings.from_env(port=9002)
    assert settings.port == 9002  # the flag wins
    assert settings.limits.cost_budget == 500
    assert settings.limits.mask_errors is False
    monkeypatch.setenv("ORGRAPH_MAX_DEPTH", "deep")
    with pytest.raises(SettingsError, match="ORGRAPH_MAX_DEPTH='deep': not a whole number"):
        Settings.from_env()


async def test_only_the_kpis_a_query_selects_are_computed(
    client: httpx.AsyncClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = engine.view(END)
    root = view.tree.roots[0]
    full = view.report(root, date(2025, 1, 1), END)
    asked: list[tuple[tuple[Kpi, ...], bool]] = []
    original = OrgView.report

    def spying(self: OrgView, team: str, start: date, end: date, **kwargs: Any) -> Any:
        asked.append((tuple(kwargs["kpis"]), kwargs["compare"]))
        return original(self, team, start, end, **kwargs)

    monkeypatch.setattr(OrgView, "report", spying)
    window = '(from: "2025-01-01", to: "2026-01-01")'
    plain = await graphql(
        client,
        f'{{ team(key: "{root}", asOf: "2026-01-01") {{ kpis{window} {{ leadTimeHoursP50 {{ value }} }} }} }}',
    )
    compared = await graphql(
        client,
        f'{{ team(key: "{root}", asOf: "2026-01-01") {{ kpis{window} {{ headcount {{ value peerMedian }} sdeRatio {{ value }} }} }} }}',
    )
    assert asked == [((Kpi.LEAD_TIME_HOURS_P50,), False), ((Kpi.HEADCOUNT, Kpi.SDE_RATIO), True)]
    assert (
        plain["data"]["team"]["kpis"]["leadTimeHoursP50"]["value"]
        == full.metrics[Kpi.LEAD_TIME_HOURS_P50].value
    )
    headcount = full.metrics[Kpi.HEADCOUNT]
    assert headcount.comparison is not None
    assert compared["data"]["team"]["kpis"]["headcount"] == {
        "value": headcount.value,
        "peerMedian": headcount.comparison.peer_median,
    }


def test_people_appear_only_as_counts_and_roles() -> None:
    # no type describes a person, and no field lists people or gives a figure per person
    names = set(schema._schema.type_map)
    assert not {
        n
        for n in names
        if any(w in n.lower() for w in ("person", "people", "author", "reviewer", "engineer"))
    }
    for name, kind in schema._schema.type_map.items():
        if isinstance(kind, (GraphQLObjectType, GraphQLInterfaceType)) and not name.startswith(
            "__"
        ):
            for field_name in kind.fields:
                assert not any(
                    w in field_name.lower() for w in ("person", "author", "reviewer", "email")
                ), f"{name}.{field_name}"


async def test_readyz_names_why_the_engine_could_not_be_built(tmp_path: Path) -> None:
    # a store that was never created: the engine cannot be read from it
    app = create_app(Settings(open=True, database_url=f"sqlite:///{tmp_path / 'never-loaded.db'}"))
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://test") as http,
    ):
        for _ in range(100):
            ready = await http.get("/readyz")
            if "could not be built" in ready.text:
                break
            await asyncio.sleep(0.05)
    assert ready.status_code == 503
    assert "the rollup engine could not be built" in ready.json()["problems"][0]
