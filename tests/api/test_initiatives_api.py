"""Initiatives over real HTTP (ASGI transport): the answers are the engine's, with scopes,
pages and errors; a bad initiatives file stops `orgraph serve` before it starts."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from graph import initiatives
from graph.engine import Engine
from graph.initiatives import Initiatives
from store.frames import read_bundle
from synthetic import generate_bundle
from tests.api.http import asgi_client, graphql

END = date(2026, 1, 1)
ON = date(2025, 12, 31)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    bundle = tmp_path_factory.mktemp("bundle")
    generate_bundle(bundle, teams=40, seed=33, end=END)
    return Engine(read_bundle(bundle))


def _root(engine: Engine) -> str:
    tree = engine.view(ON).tree
    return max(tree.roots, key=lambda r: len(tree.subtree(r)))


@pytest.fixture
def scoped(engine: Engine) -> Initiatives:
    """The defaults, plus the SDE ratio limited to one child of the root."""
    defaults = Initiatives.load()
    child = engine.view(ON).tree.children(_root(engine))[0]
    narrow = dataclasses.replace(defaults.get("sde-ratio"), key="sde-ratio-narrow", scope=child)
    return dataclasses.replace(defaults, initiatives=(*defaults.initiatives, narrow))


@pytest.fixture
async def client(
    engine: Engine, scoped: Initiatives, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    # no privacy floor: these tests are about scopes and standings (tests/graph/test_privacy.py
    # and tests/api/test_access.py check the floor)
    settings = Settings(
        open=True,
        database_url=f"sqlite:///{tmp_path / 'empty.db'}",
        initiatives=scoped,
        privacy_floor=0,
    )
    app = create_app(settings, engine=engine)
    async with asgi_client(app) as http:
        yield http


STATUS = """
query ($team: String!, $on: Date) {
  initiatives {
    key name description measure computation kpi roles platforms windowDays sampleKind
    target direction start deadline scope forecastWeeks
    status(team: $team, on: $on) {
      initiative { key } team { key } on value sampleSize target startValue progress
      pacePerWeek forecast deadline status trend { on value sampleSize }
    }
  }
}
"""


async def test_every_initiative_answers_as_the_engine(
    client: httpx.AsyncClient, engine: Engine, scoped: Initiatives
) -> None:
    root = _root(engine)
    body = await graphql(client, STATUS, team=root, on=str(ON))
    assert "errors" not in body, body
    answers = body["data"]["initiatives"]
    assert [a["key"] for a in answers] == [i.key for i in scoped.initiatives]
    view = engine.view(ON)
    assert answers[3]["status"] is None  # the narrow one's scope does not hold the root
    for answer in answers[:3]:
        definition = scoped.get(answer["key"])
        expected = initiatives.status(view, definition, root, ON)
        got = answer["status"]
        assert got["team"] == {"key": root}
        assert (got["value"], got["sampleSize"]) == (
            expected.current.value,
            expected.current.sample,
        )
        assert (got["startValue"], got["progress"], got["pacePerWeek"]) == (
            expected.start_value,
            expected.progress,
            expected.pace_per_week,
        )
        assert got["status"] == expected.state.name
        assert got["forecast"] == (expected.forecast and str(expected.forecast))
        trend = initiatives.trend(view, definition, root, ON)
        assert got["trend"] == [
            {"on": str(p.on), "value": p.value, "sampleSize": p.sample} for p in trend
        ]
        assert got["trend"][-1]["value"] == got["value"]
    sde, remote, aws = answers[:3]
    assert (sde["measure"], sde["roles"], sde["windowDays"], sde["sampleKind"]) == (
        "ROLE_SHARE",
        ["SDE"],
        None,
        "people",
    )
    assert (remote["measure"], remote["windowDays"], remote["sampleKind"]) == (
        "INBOUND_REMOTE_CONTRIBUTION_RATE",
        90,
        "changes",
    )
    assert (aws["platforms"], aws["direction"], aws["target"]) == (["native_aws"], "AT_LEAST", 1.0)
    assert "over the 90 days that end with the status date" in remote["computation"]


async def test_a_team_lists_the_initiatives_whose_scope_holds_it(
    client: httpx.AsyncClient, engine: Engine, scoped: Initiatives
) -> None:
    view = engine.view(ON)
    root = _root(engine)
    child = view.tree.children(root)[0]
    query = """query ($key: String!) { team(key: $key, asOf: "2025-12-31") {
        initiatives(on: "2025-12-01") { initiative { key } on value status } } }"""
    at_root = (await graphql(client, query, key=root))["data"]["team"]["initiatives"]
    in_child = (await graphql(client, query, key=child))["data"]["team"]["initiatives"]
    assert [s["initiative"]["key"] for s in at_root] == [
        "sde-ratio",
        "remote-contributions",
        "native-aws-migration",
    ]
    assert [s["initiative"]["key"] for s in in_child][-1] == "sde-ratio-narrow"
    narrow = in_child[-1]
    expected = initiatives.status(view, scoped.get("sde-ratio-narrow"), child, date(2025, 12, 1))
    assert (narrow["on"], narrow["value"]) == ("2025-12-01", expected.current.value)


async def test_laggards_and_leaders_are_the_engines_standings_in_pages(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    root = _root(engine)
    view = engine.view(ON)
    query = """query ($under: String!, $after: String) { initiative(key: "native-aws-migration") {
        laggards(under: $under, on: "2025-12-31", first: 2, after: $after) {
          totalCount pageInfo { hasNextPage endCursor }
          edges { node { team { key } value sampleSize gap } } }
        leaders(under: $under, on: "2025-12-31") { totalCount edges { node { team { key } } } } } }"""
    behind, ahead = initiatives.standings(
        view, Initiatives.load().get("native-aws-migration"), root, ON
    )
    assert behind, "the generated org has children short of full migration"
    pages: list[dict[str, Any]] = []
    after = None
    while True:
        found = (await graphql(client, query, under=root, after=after))["data"]["initiative"]
        laggards = found["laggards"]
        assert laggards["totalCount"] == len(behind)
        pages += [edge["node"] for edge in laggards["edges"]]
        if not laggards["pageInfo"]["hasNextPage"]:
            break
        after = laggards["pageInfo"]["endCursor"]
    assert pages == [
        {"team": {"key": s.team}, "value": s.value, "sampleSize": s.sample, "gap": s.gap}
        for s in behind
    ]
    gaps = [p["gap"] for p in pages]
    assert gaps == sorted(gaps, reverse=True)
    assert found["leaders"]["totalCount"] == len(ahead)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            '{ initiative(key: "sde-ratio") { status(team: "nope") { value } } }',
            "unknown team 'nope'",
        ),
        (
            '{ initiative(key: "sde-ratio") { laggards(under: "nope") { totalCount } } }',
            "unknown team 'nope'",
        ),
    ],
)
async def test_bad_input_is_named(client: httpx.AsyncClient, query: str, message: str) -> None:
    body = await graphql(client, query)
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_no_standings_outside_the_scope(client: httpx.AsyncClient, engine: Engine) -> None:
    query = """query ($under: String!) { initiative(key: "sde-ratio-narrow") {
        laggards(under: $under, on: "2025-12-31") { totalCount }
        leaders(under: $under, on: "2025-12-31") { totalCount } } }"""
    view = engine.view(ON)
    root = _root(engine)
    child = view.tree.children(root)[0]  # the narrow initiative's scope
    outside = (await graphql(client, query, under=root))["data"]["initiative"]
    inside = (await graphql(client, query, under=child))["data"]["initiative"]
    assert outside == {"laggards": {"totalCount": 0}, "leaders": {"totalCount": 0}}
    behind, ahead = initiatives.standings(view, Initiatives.load().get("sde-ratio"), child, ON)
    assert inside == {
        "laggards": {"totalCount": len(behind)},
        "leaders": {"totalCount": len(ahead)},
    }
    assert behind or ahead


async def test_an_unknown_initiative_is_null(client: httpx.AsyncClient) -> None:
    assert (await graphql(client, '{ initiative(key: "nope") { key } }'))["data"] == {
        "initiative": None
    }
