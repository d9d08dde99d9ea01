"""Figures a dashboard can show as they are, over real HTTP (issue 10.5 and 10.8): partial
trend periods, data coverage, the org's typical team, KPI definitions as data, DORA tiers of
every key, the org's roots, children in a documented order or by a KPI, whole numbers."""

from __future__ import annotations

import math
import statistics
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from api.app import create_app
from api.settings import Settings
from graph.catalogue import CATALOGUE, Kpi
from graph.engine import Engine
from graph.tiers import change_failure_tier, lead_time_tier, restore_tier
from store.frames import read_bundle
from synthetic import generate_bundle
from tests.api.http import asgi_client, graphql

END = date(2026, 1, 1)
YEAR = {"from": "2025-01-01", "to": "2026-01-01"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    bundle = tmp_path_factory.mktemp("bundle")
    generate_bundle(bundle, teams=60, seed=23, end=END, years=1.0)
    return Engine(read_bundle(bundle))


@pytest.fixture
async def client(engine: Engine, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(open=True, database_url=f"sqlite:///{tmp_path / 'empty.db'}"), engine=engine
    )
    async with asgi_client(app) as http:
        yield http


def root(engine: Engine) -> str:
    return engine.view(END).tree.roots[0]


async def ask(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    body = await graphql(client, query, **variables)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


async def test_a_trend_says_which_points_are_partial_and_how_long(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    # given a window of one week and one day, weekly
    data = await ask(
        client,
        """query ($key: String!) { team(key: $key, asOf: "2026-01-01") {
          trend(kpi: DEPLOYMENTS_PER_WEEK, from: "2025-06-02", to: "2025-06-10") {
            from to days partial value sampleSize coverage } } }""",
        key=root(engine),
    )
    first, last = data["team"]["trend"]
    # then the last point covers one day, says it is partial, and its rate is per week of it
    assert (first["days"], first["partial"]) == (7, False)
    assert (last["days"], last["partial"], last["from"]) == (1, True, "2025-06-09")
    assert last["value"] == pytest.approx(last["sampleSize"] * 7)
    assert first["coverage"] == last["coverage"] == 1
    # and calendar months cut by the window are partial, whole ones are not
    months = await ask(
        client,
        """query ($key: String!) { team(key: $key, asOf: "2026-01-01") {
          trend(kpi: HEADCOUNT, from: "2025-01-15", to: "2025-04-01", grain: MONTH) {
            days partial } } }""",
        key=root(engine),
    )
    assert months["team"]["trend"] == [
        {"days": 17, "partial": True},
        {"days": 28, "partial": False},
        {"days": 31, "partial": False},
    ]


async def test_coverage_says_how_much_of_a_window_has_data(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    # given the data begins on the first deployment day
    first = engine.spans[CATALOGUE[Kpi.DEPLOYMENTS_PER_WEEK].source].first
    assert first is not None
    start, end = first - timedelta(days=30), first + timedelta(days=10)
    data = await ask(
        client,
        """query ($key: String!, $from: Date!, $to: Date!) { team(key: $key, asOf: "2026-01-01") {
          kpis(from: $from, to: $to) { deploymentsPerWeek { value coverage previousCoverage } } } }""",
        key=root(engine),
        **{"from": start.isoformat(), "to": end.isoformat()},
    )
    metric = data["team"]["kpis"]["deploymentsPerWeek"]
    # then 10 of its 40 days are covered, and none of the previous window
    assert metric["coverage"] == pytest.approx(10 / 40)
    assert metric["previousCoverage"] == 0
    definitions = await ask(client, "{ kpiDefinitions { key dataFrom dataTo } }")
    deployments = next(
        d for d in definitions["kpiDefinitions"] if d["key"] == "DEPLOYMENTS_PER_WEEK"
    )
    assert deployments["dataFrom"] == first.isoformat()


async def test_the_typical_team_is_the_median_and_mean_of_the_teams_at_its_depth(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    view = engine.view(END)
    tree = view.tree
    team = next(t for t in tree.team_ids if tree.depth(t) == 2 and tree.is_active(t))
    data = await ask(
        client,
        """query ($key: String!) { team(key: $key, asOf: "2026-01-01") {
          kpis(from: "2025-01-01", to: "2026-01-01") {
            deploymentsPerWeek { value orgValue typicalMedian typicalMean typicalTeams }
            headcount { typicalMedian typicalMean typicalTeams } } } }""",
        key=team,
    )
    start, end = date(2025, 1, 1), END
    org_root = tree.ancestors(team)[0]
    # the plain computation: every active team of the root's tree at depth 2, with a value
    level = [t for t in tree.subtree(org_root) if tree.depth(t) == 2 and tree.is_active(t)]
    for field, kpi in (
        ("deploymentsPerWeek", Kpi.DEPLOYMENTS_PER_WEEK),
        ("headcount", Kpi.HEADCOUNT),
    ):
        values = sorted(
            v for t in level if (v := view.metric(kpi, t, start, end).value) is not None
        )
        got = data["team"]["kpis"][field]
        assert got["typicalTeams"] == len(values) > 2
        assert got["typicalMedian"] == values[math.ceil(len(values) / 2) - 1]
        assert got["typicalMean"] == pytest.approx(statistics.fmean(values))
    # and for an additive KPI the typical team is far below the org's total
    deployments = data["team"]["kpis"]["deploymentsPerWeek"]
    assert deployments["typicalMedian"] * 3 < deployments["orgValue"]


async def test_kpi_definitions_are_the_catalogue(client: httpx.AsyncClient) -> None:
    data = await ask(
        client,
        """{ kpiDefinitions { key field name description unit better additive sample nullWhen
             pointInTime percentile source } }""",
    )
    definitions = data["kpiDefinitions"]
    assert [d["key"] for d in definitions] == [k.name for k in CATALOGUE]
    for got, definition in zip(definitions, CATALOGUE.values(), strict=True):
        assert got["field"] == definition.field
        assert got["description"] == definition.description
        assert (got["unit"], got["better"], got["additive"]) == (
            definition.unit.name,
            definition.better.name,
            definition.additive,
        )
        assert got["nullWhen"] == definition.null_when.name
    # and the report's fields are described by the same text
    introspection = await ask(
        client, '{ __type(name: "KpiReport") { fields { name description } } }'
    )
    described = {f["name"]: f["description"] for f in introspection["__type"]["fields"]}
    for definition in CATALOGUE.values():
        assert described[definition.field] == definition.description


async def test_every_dora_key_has_its_tier(client: httpx.AsyncClient, engine: Engine) -> None:
    view = engine.view(END)
    for team in view.tree.children(root(engine))[:5]:
        data = await ask(
            client,
            """query ($key: String!) { team(key: $key, asOf: "2026-01-01") {
              kpis(from: "2025-01-01", to: "2026-01-01") {
                deploymentTier leadTimeTier changeFailureTier restoreTier } } }""",
            key=team,
        )
        tiers = data["team"]["kpis"]

        def value(kpi: Kpi, team: str = team) -> float | None:
            return view.metric(kpi, team, date(2025, 1, 1), END).value

        expected = (
            lead_time_tier(value(Kpi.LEAD_TIME_HOURS_P50)),
            change_failure_tier(value(Kpi.CHANGE_FAILURE_RATE)),
            restore_tier(value(Kpi.TIME_TO_RESTORE_HOURS_P50)),
        )
        got = (tiers["leadTimeTier"], tiers["changeFailureTier"], tiers["restoreTier"])
        assert got == tuple(None if t is None else t.name for t in expected)


async def test_the_roots_are_listed(client: httpx.AsyncClient, engine: Engine) -> None:
    data = await ask(client, '{ roots(asOf: "2026-01-01") { key name depth } }')
    tree = engine.view(END).tree
    active = [r for r in tree.roots if tree.is_active(r)]
    assert sorted(r["key"] for r in data["roots"]) == sorted(active)
    assert all(r["depth"] == 0 for r in data["roots"])


async def test_children_come_by_name_or_by_a_kpi(client: httpx.AsyncClient, engine: Engine) -> None:
    view = engine.view(END)
    tree = view.tree
    parent = max(tree.team_ids, key=lambda t: len(tree.children(t)))
    children = tree.children(parent)
    assert len(children) >= 3
    query = """query ($key: String!, $order: TeamOrder) { team(key: $key, asOf: "2026-01-01") {
      children(first: 100, orderBy: $order) { edges { node { key name
        kpis(from: "2025-01-01", to: "2026-01-01") { leadTimeHoursP50 { value } } } } } } }"""
    by_name = await ask(client, query, key=parent, order=None)
    keys = [e["node"]["key"] for e in by_name["team"]["children"]["edges"]]
    assert keys == sorted(children, key=lambda k: (tree.name(k).casefold(), k))
    for direction in ("ASC", "DESC"):
        order = {"kpi": "LEAD_TIME_HOURS_P50", "direction": direction, **YEAR}
        data = await ask(client, query, key=parent, order=order)
        values = [
            e["node"]["kpis"]["leadTimeHoursP50"]["value"]
            for e in data["team"]["children"]["edges"]
        ]
        known = [v for v in values if v is not None]
        # ordered as the API's own values, teams without a value last
        assert known == sorted(known, reverse=direction == "DESC")
        assert values == known + [None] * (len(values) - len(known))


async def test_counts_are_whole_numbers(client: httpx.AsyncClient, engine: Engine) -> None:
    query = (
        '{ team(key: $key, asOf: "2026-01-01") { kpis(from: "2025-01-01", to: "2026-01-01") '
        "{ headcount { value } } } }"
    )
    response = await client.post(
        "/graphql",
        json={"query": "query ($key: String!) " + query, "variables": {"key": root(engine)}},
    )
    value = orjson.loads(response.content)["data"]["team"]["kpis"]["headcount"]["value"]
    assert isinstance(value, int)
    assert b'"value":%d}' % value in response.content
