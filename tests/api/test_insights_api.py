"""The insights over real HTTP (ASGI transport): the answers are the engine's, every figure
comes with its KPI's unit and direction and its n, bad input is a 400 naming the argument, and
the cost estimate prices the insights by the work they do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from graph import initiatives, insights
from graph.catalogue import CATALOGUE, Kpi
from graph.engine import Engine
from tests.api.http import asgi_client
from tests.graph.planted import END, START, largest_root, planted

WINDOW = {"from": str(START), "to": str(END), "asOf": str(END)}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return planted("correlated")[0]


@pytest.fixture
async def client(engine: Engine, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        Settings(open=True, database_url=f"sqlite:///{tmp_path / 'empty.db'}"), engine=engine
    )
    async with asgi_client(app) as http:
        yield http


async def post(client: httpx.AsyncClient, query: str, **variables: Any) -> httpx.Response:
    return await client.post("/graphql", json={"query": query, "variables": variables})


async def answer(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await post(client, query, **variables)
    body: dict[str, Any] = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


CORRELATIONS = """
query ($under: String!, $from: Date!, $to: Date!, $asOf: Date, $kpis: [Kpi!]) {
  correlations(under: $under, from: $from, to: $to, asOf: $asOf, kpis: $kpis) {
    under { key } from to level teamCount fdr confidence minTeams
    pairs {
      a { key unit better } b { key unit better } n significant reason
      spearman { value low high pValue pAdjusted significant }
      pearson { value low high pValue pAdjusted significant }
    }
  }
}
"""


async def test_correlations_answer_as_the_engine(client: httpx.AsyncClient, engine: Engine) -> None:
    view = engine.view(END)
    root = largest_root(view)
    kpis = [Kpi.REVIEW_TO_MERGE_HOURS_P50, Kpi.TIME_TO_RESTORE_HOURS_P50, Kpi.CODE_COVERAGE]
    data = await answer(client, CORRELATIONS, under=root, kpis=[k.name for k in kpis], **WINDOW)
    got = data["correlations"]
    expected = insights.correlations(view, root, START, END, kpis)
    assert (got["under"], got["level"], got["teamCount"]) == (
        {"key": root},
        None,
        len(expected.teams),
    )
    assert (got["fdr"], got["confidence"], got["minTeams"]) == (0.05, 0.95, 10)
    assert len(got["pairs"]) == 3
    for pair, mine in zip(got["pairs"], expected.pairs, strict=True):
        assert pair["a"] == {
            "key": mine.a.name,
            "unit": CATALOGUE[mine.a].unit.name,
            "better": CATALOGUE[mine.a].better.name,
        }
        assert pair["b"]["key"] == mine.b.name
        assert (pair["n"], pair["significant"], pair["reason"]) == (mine.n, mine.significant, None)
        assert mine.spearman is not None
        assert pair["spearman"] == {
            "value": mine.spearman.value,
            "low": mine.spearman.low,
            "high": mine.spearman.high,
            "pValue": mine.spearman.p_value,
            "pAdjusted": mine.spearman.p_adjusted,
            "significant": mine.spearman.significant,
        }
    assert got["pairs"][0]["significant"] is True  # the planted pair


async def test_outliers_and_bottlenecks_answer_as_the_engine(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    view = engine.view(END)
    root = largest_root(view)
    data = await answer(
        client,
        """query ($under: String!, $from: Date!, $to: Date!, $asOf: Date) {
          outliers(under: $under, kpi: CHANGE_FAILURE_RATE, from: $from, to: $to, asOf: $asOf) {
            kpi { key unit better } teamCount median scale logScale threshold reason
            outliers(first: 3) { totalCount edges { node { team { key } value z side ratio } } }
          }
          bottlenecks(team: $under, from: $from, to: $to, asOf: $asOf) {
            team { key } org { key } leadTimeHours leadTimeSampleSize orgLeadTimeHours
            stages { stage { key unit } hours orgHours sampleSize share orgShare relative
                     bottleneck reason }
          }
        }""",
        under=root,
        **WINDOW,
    )
    found = insights.outliers(view, Kpi.CHANGE_FAILURE_RATE, root, START, END)
    got = data["outliers"]
    assert got["kpi"] == {"key": "CHANGE_FAILURE_RATE", "unit": "RATIO", "better": "LOWER"}
    assert (got["teamCount"], got["median"], got["scale"]) == (found.n, found.median, found.scale)
    assert got["outliers"]["totalCount"] == len(found.outliers)
    assert [e["node"] for e in got["outliers"]["edges"]] == [
        {"team": {"key": o.team}, "value": o.value, "z": o.z, "side": o.side.name, "ratio": o.ratio}
        for o in found.outliers[:3]
    ]
    stages = insights.bottlenecks(view, root, START, END)
    assert data["bottlenecks"]["leadTimeHours"] == stages.lead_time.value
    assert [s["stage"]["key"] for s in data["bottlenecks"]["stages"]] == [
        s.kpi.name for s in stages.stages
    ]
    assert all(s["stage"]["unit"] == "HOURS" for s in data["bottlenecks"]["stages"])


async def test_migration_effect_and_who_could_benefit(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    view = engine.view(END)
    root = largest_root(view)
    data = await answer(
        client,
        """query ($under: String!, $from: Date!, $to: Date!, $asOf: Date) {
          migrationEffect(under: $under, from: $from, to: $to, asOf: $asOf) {
            under { key } platforms
            effects { kpi { key unit better } ratio before after estimate low high pValue
                      migratedServices controlServices observations reason }
            couldBenefit(first: 2) { totalCount edges { node {
              team { key } services unmigratedServices unmigratedShare leadTimeHoursP50
              deploymentsPerWeek changeFailureRate score } } }
          }
        }""",
        under=root,
        **WINDOW,
    )
    found = insights.migration(view, root, START, END)
    got = data["migrationEffect"]
    assert got["platforms"] == ["native_aws"]
    for effect, mine in zip(got["effects"], found.effects, strict=True):
        assert effect["kpi"]["key"] == mine.kpi.name
        assert (effect["estimate"], effect["low"], effect["high"]) == (
            mine.estimate,
            mine.low,
            mine.high,
        )
        assert (effect["migratedServices"], effect["controlServices"], effect["observations"]) == (
            mine.migrated,
            mine.controls,
            mine.observations,
        )
    ranked = insights.candidates(view, root, START, END, found.effects[1])
    assert got["couldBenefit"]["totalCount"] == len(ranked)
    assert [e["node"]["team"]["key"] for e in got["couldBenefit"]["edges"]] == [
        c.team for c in ranked[:2]
    ]


async def test_a_teams_forecast_and_an_initiatives_outlook(
    client: httpx.AsyncClient, engine: Engine
) -> None:
    view = engine.view(END)
    root = largest_root(view)
    data = await answer(
        client,
        """query ($key: String!, $asOf: Date) {
          team(key: $key, asOf: $asOf) {
            forecast(kpi: DEPLOYMENTS_PER_WEEK, horizon: 8) {
              kpi { key unit better } grain horizon level model season mae mase backtestPoints
              filled widened reason history { from to value } points { from to value low high }
            }
            initiatives(on: "2025-12-31") { initiative { key } outlook {
              level model value low high earliest latest mae mase history reason } }
          }
        }""",
        key=root,
        asOf=str(END),
    )
    got = data["team"]["forecast"]
    mine = insights.forecast(view, Kpi.DEPLOYMENTS_PER_WEEK, root, 8)
    assert (got["grain"], got["horizon"], got["level"]) == ("WEEK", 8, 0.8)
    assert got["model"] == (mine.model.name if mine.model else None)
    assert (got["mae"], got["mase"], got["backtestPoints"]) == (
        mine.mae,
        mine.mase,
        mine.backtest_points,
    )
    assert [p["value"] for p in got["points"]] == [p.value for p in mine.points]
    assert [p["low"] for p in got["points"]] == [p.low for p in mine.points]
    assert len(got["history"]) == len(mine.history)
    assert got["history"][-1]["to"] == got["points"][0]["from"]
    for status in data["team"]["initiatives"]:
        definition = initiatives.Initiatives.load().get(status["initiative"]["key"])
        outlook = initiatives.outlook(view, definition, root, date(2025, 12, 31))
        assert status["outlook"]["value"] == outlook.value
        assert status["outlook"]["low"] == outlook.low


@pytest.mark.parametrize(
    ("query", "named"),
    [
        (
            '{ correlations(under: "nope", from: "2025-01-01", to: "2026-01-01") { teamCount } }',
            "under: unknown team 'nope'",
        ),
        (
            '{ outliers(under: "nope", kpi: HEADCOUNT, from: "2025-01-01", to: "2026-01-01") { teamCount } }',
            "under: unknown team 'nope'",
        ),
        (
            '{ bottlenecks(team: "nope", from: "2025-01-01", to: "2026-01-01") { leadTimeHours } }',
            "team: unknown team 'nope'",
        ),
        (
            '{ migrationEffect(under: "nope", from: "2025-01-01", to: "2026-01-01") { platforms } }',
            "under: unknown team 'nope'",
        ),
        (
            '{ correlations(under: "t1", from: "2026-01-01", to: "2025-01-01") { teamCount } }',
            "empty window",
        ),
        (
            '{ correlations(under: "t1", level: 0, from: "2025-01-01", to: "2026-01-01") { teamCount } }',
            "level must be 1 or more",
        ),
        (
            '{ correlations(under: "t1", kpis: [HEADCOUNT], from: "2025-01-01", to: "2026-01-01") { teamCount } }',
            "at least two",
        ),
        (
            '{ outliers(under: "t1", kpi: HEADCOUNT, threshold: 0, from: "2025-01-01", to: "2026-01-01") { teamCount } }',
            "threshold must be above 0",
        ),
        (
            '{ team(key: "t1") { forecast(kpi: HEADCOUNT, horizon: 105) { horizon } } }',
            "horizon must be between 1 and 104 weeks, got 105",
        ),
        (
            '{ team(key: "t1") { forecast(kpi: HEADCOUNT, horizon: 25, grain: MONTH) { horizon } } }',
            "horizon must be between 1 and 24 months",
        ),
        (
            '{ team(key: "t1") { forecast(kpi: HEADCOUNT, horizon: 0) { horizon } } }',
            "horizon must be between 1",
        ),
    ],
)
async def test_bad_input_is_a_400_naming_the_argument(
    client: httpx.AsyncClient, query: str, named: str
) -> None:
    response = await post(client, query)
    body = response.json()
    assert response.status_code == 400, body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert named in body["errors"][0]["message"]


async def test_an_unknown_kpi_is_refused_before_anything_runs(client: httpx.AsyncClient) -> None:
    response = await post(
        client,
        '{ outliers(under: "t1", kpi: VELOCITY, from: "2025-01-01", to: "2026-01-01") { median } }',
    )
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "VELOCITY" in error["message"]


async def test_the_insights_are_priced_by_their_work(client: httpx.AsyncClient) -> None:
    every = '{ correlations(under: "t1", from: "2025-01-01", to: "2026-01-01") { teamCount } }'
    assert (await post(client, every)).status_code == 200
    # priced per KPI: every KPI costs 18 x 100; six such matrices are over the budget
    six = (
        "{ "
        + " ".join(
            f'c{i}: correlations(under: "t1", from: "2025-0{i + 1}-01", to: "2026-01-01") {{ teamCount }}'
            for i in range(6)
        )
        + " }"
    )
    refused = (await post(client, six)).json()
    assert refused["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert refused["errors"][0]["extensions"]["cost"] >= 6 * 18 * 100
    # a forecast per team of a page of 100 is refused; of a page of 20, answered
    page = "{ teams(first: %d) { edges { node { forecast(kpi: HEADCOUNT, horizon: 4) { horizon } } } } }"
    assert (await post(client, page % 100)).json()["errors"][0]["extensions"][
        "code"
    ] == "QUERY_TOO_COSTLY"
    assert (await post(client, page % 20)).status_code == 200
