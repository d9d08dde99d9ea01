"""Who may see what (docs/security.md), over real HTTP against the app on a generated org, with
real tokens in a real store: the permission matrix (role x where the team is x field class),
no leak of another subtree in anything a scoped token gets, the privacy floor against a
differencing attack, and the tokens' lifecycle."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.settings import Settings
from graph.engine import Engine
from store.database import create_engine
from store.tokens import Role, create_token, revoke_token
from tests.api.http import asgi_client
from tests.api.live import generated_engine

END = date(2026, 1, 1)
WINDOW = {"from": "2025-01-01", "to": "2026-01-01"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return generated_engine(tmp_path_factory.mktemp("bundle"), teams=40, seed=5, end=END)


@dataclass(frozen=True)
class Org:
    """The teams of the matrix, read from the org: the scope (depth 2, with children), one
    of its children, its parent (an ancestor), its root, a sibling and another root."""

    scope: str
    child: str
    parent: str
    root: str
    sibling: str
    other_root: str
    visible: frozenset[str]
    hidden: frozenset[str]


@pytest.fixture(scope="module")
def org(engine: Engine) -> Org:
    tree = engine.view(END).tree
    scope = next(
        t
        for t in tree.team_ids
        if tree.depth(t) == 2 and len(tree.children(t)) >= 2 and len(tree.peers(t)) >= 1
    )
    parent = tree.parent(scope)
    assert parent is not None
    root = tree.ancestors(scope)[0]
    visible = frozenset((*tree.ancestors(scope), *tree.subtree(scope)))
    return Org(
        scope=scope,
        child=tree.children(scope)[0],
        parent=parent,
        root=root,
        sibling=next(s for s in tree.children(parent) if s != scope),
        other_root=next(r for r in tree.roots if r != root),
        visible=visible,
        hidden=frozenset(tree.team_ids) - visible,
    )


@dataclass
class Server:
    http: httpx.AsyncClient
    tokens: dict[str, str]  # who -> token
    store_url: str


@pytest.fixture
async def server(engine: Engine, org: Org, tmp_path: Path) -> AsyncIterator[Server]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = create_engine(url)
    expires = datetime.now(UTC) + timedelta(days=1)
    tokens = {}
    for who, role, scope in (
        ("admin", Role.ADMIN, None),
        ("org viewer", Role.VIEWER, None),
        ("scoped viewer", Role.VIEWER, org.scope),
    ):
        tokens[who], _ = await create_token(
            store, name=who, role=role, scope=scope, expires_at=expires
        )
    await store.dispose()
    app = create_app(Settings(database_url=url), engine=engine)  # closed: the default
    async with asgi_client(app) as http:
        yield Server(http, tokens, url)


async def ask(server: Server, who: str | None, query: str, **variables: Any) -> httpx.Response:
    headers = {} if who is None else {"authorization": f"Bearer {server.tokens[who]}"}
    return await server.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


# -- the permission matrix --------------------------------------------------------------------

#: One query per field class, about the team $key (and its first service where it has one).
CLASSES = {
    "tree": "query ($key: String!) { team(key: $key) { key name depth ancestors { key } "
    "children { edges { node { key name } } } } }",
    "kpis": "query ($key: String!, $from: Date!, $to: Date!) { team(key: $key) { "
    "kpis(from: $from, to: $to) { deploymentsPerWeek { value sampleSize } } "
    "trend(kpi: DEPLOYMENTS_PER_WEEK, from: $from, to: $to, grain: MONTH) { value } } }",
    "comparisons": "query ($key: String!, $from: Date!, $to: Date!) { team(key: $key) { "
    "kpis(from: $from, to: $to) { leadTimeHoursP50 { value orgValue parentValue peerMedian "
    "typicalMedian withheldComparisons { field reason } } } } }",
    "people": "query ($key: String!) { team(key: $key) { headcount { total byRole { role } } } }",
    "initiatives": "query ($key: String!) { team(key: $key) { initiatives { status } } "
    'initiative(key: "sde-ratio") { status(team: $key) { status } } }',
    "insights (its own)": "query ($key: String!, $from: Date!, $to: Date!) { team(key: $key) "
    "{ key forecast(kpi: DEPLOYMENTS_PER_WEEK, horizon: 4, to: $to) { model } } "
    "bottlenecks(team: $key, from: $from, to: $to) { team { key } } }",
    "insights (its teams)": "query ($key: String!, $from: Date!, $to: Date!) { team(key: $key) "
    "{ key } outliers(under: $key, kpi: LEAD_TIME_HOURS_P50, from: $from, to: $to) "
    "{ teamCount } correlations(under: $key, from: $from, to: $to, level: 1) { teamCount } }",
    "services": "query ($key: String!, $from: Date!, $to: Date!) { team(key: $key) { key "
    "services(first: 5) { edges { node { key delivery(from: $from, to: $to) { "
    "deploymentsPerWeek } } } } } }",
}

#: What a scoped viewer gets, by where the team is to its scope: data, an outline (the
#: team's name and place only: of its children, only the one towards the scope), forbidden
#: (an error with code FORBIDDEN), the scope's (of the services under an ancestor, only those
#: of the scope's subtree), hidden (as if the team did not exist).
SCOPED = {
    "own": dict.fromkeys(CLASSES, "data"),
    "child": dict.fromkeys(CLASSES, "data"),
    "parent": {
        "tree": "outline",
        "kpis": "forbidden",
        "comparisons": "forbidden",
        "people": "forbidden",
        "initiatives": "forbidden",
        "insights (its own)": "forbidden",
        "insights (its teams)": "forbidden",
        "services": "the scope's",
    },
    "root": {
        "tree": "outline",
        "kpis": "data",
        "comparisons": "data",
        "people": "data",
        "initiatives": "data",
        "insights (its own)": "data",
        "insights (its teams)": "forbidden",
        "services": "the scope's",
    },
    "sibling": dict.fromkeys(CLASSES, "hidden"),
    "other root": dict.fromkeys(CLASSES, "hidden"),
}


def _target(org: Org, place: str) -> str:
    return {
        "own": org.scope,
        "child": org.child,
        "parent": org.parent,
        "root": org.root,
        "sibling": org.sibling,
        "other root": org.other_root,
    }[place]


def _outcome(body: dict[str, Any], field_class: str, engine: Engine, scope: str) -> str:
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    team = (body.get("data") or {}).get("team")
    if "FORBIDDEN" in codes:
        return "forbidden"
    if team is None:
        # "unknown team", as for a team that does not exist
        assert codes <= {None, "BAD_USER_INPUT"}, body
        assert all("unknown team" in e["message"] for e in body.get("errors", [])), body
        return "hidden"
    assert not codes, body
    if field_class == "tree":
        children = {e["node"]["key"] for e in team["children"]["edges"]}
        every = set(engine.view(END).tree.children(team["key"]))
        return "data" if children == every else "outline"
    if field_class == "services":
        listed = {e["node"]["key"] for e in team["services"]["edges"]}
        if not listed:
            return "empty"
        tree = engine.view(END).tree

        def first_page(under: str) -> set[str]:
            return set(sorted(s for t in tree.subtree(under) for s in tree.services_of(t))[:5])

        if listed == first_page(team["key"]):
            return "data"
        assert listed == first_page(scope), body
        return "the scope's"
    return "data"


def _owns_services(engine: Engine, team: str) -> bool:
    tree = engine.view(END).tree
    return any(tree.services_of(t) for t in tree.subtree(team))


@pytest.mark.parametrize("place", list(SCOPED))
async def test_a_scoped_viewer_sees_what_the_matrix_says(
    server: Server, org: Org, engine: Engine, place: str
) -> None:
    key = _target(org, place)
    for field_class, query in CLASSES.items():
        variables = {"key": key} | (WINDOW if "$from" in query else {})
        response = await ask(server, "scoped viewer", query, **variables)
        # 400 only as for a team that does not exist ("unknown team", below)
        assert response.status_code in (200, 400, 403), response.text
        got = _outcome(response.json(), field_class, engine, org.scope)
        expected = SCOPED[place][field_class]
        if expected == "data" and field_class == "services" and not _owns_services(engine, key):
            expected = "empty"  # a subtree that owns no service lists none, scoped or not
        assert got == expected, (place, field_class, response.json())


@pytest.mark.parametrize("who", ["admin", "org viewer"])
async def test_admins_and_org_wide_viewers_see_every_team(
    server: Server, org: Org, engine: Engine, who: str
) -> None:
    for place in SCOPED:
        key = _target(org, place)
        for field_class, query in CLASSES.items():
            variables = {"key": key} | (WINDOW if "$from" in query else {})
            body = (await ask(server, who, query, **variables)).json()
            assert "errors" not in body, (who, place, field_class, body)
            expected = "empty" if field_class == "services" else "data"
            if field_class == "services" and _owns_services(engine, key):
                expected = "data"
            assert _outcome(body, field_class, engine, org.scope) == expected, (
                who,
                place,
                field_class,
            )


async def test_nothing_a_scoped_viewer_gets_names_a_team_outside_its_view(
    server: Server, org: Org, engine: Engine
) -> None:
    # given every query a client could send that lists teams, and every matrix query
    tree = engine.view(END).tree
    lists = (
        "{ roots { key name children(includeInactive: true) { edges { node { key name } } } "
        "descendants(first: 100, includeInactive: true) { edges { node { key name } } } } "
        "teams(first: 100) { edges { node { key name } } } }"
    )
    bodies = [(await ask(server, "scoped viewer", lists)).text]
    for search in ("", "a", "e", "t"):
        query = "query ($s: String) { teams(search: $s, first: 100) { edges { node { key } } } }"
        bodies.append((await ask(server, "scoped viewer", query, s=search)).text)
    for place in SCOPED:
        for query in CLASSES.values():
            variables = {"key": _target(org, place)} | (WINDOW if "$from" in query else {})
            bodies.append((await ask(server, "scoped viewer", query, **variables)).text)
    # then no answer holds the key or the name of a team outside the scope and its ancestors
    # (a hidden team asked by key is answered as if it did not exist: "unknown team" is not
    # said of it, it is null)
    leaked = set()
    for body in bodies:
        strings = set(re.findall(r'"((?:[^"\\]|\\.)*)"', body))
        for team in org.hidden:
            if team in strings or tree.name(team) in strings:
                leaked.add(team)
    assert leaked == set()
    # and the scoped viewer still sees its own subtree and the names of its ancestors
    everything = "".join(bodies)
    assert all(f'"{team}"' in everything for team in org.visible)


async def test_comparisons_of_the_scope_s_team_leave_out_the_parent_and_say_why(
    server: Server, org: Org
) -> None:
    variables = {"key": org.scope} | WINDOW
    scoped = (await ask(server, "scoped viewer", CLASSES["comparisons"], **variables)).json()
    admin = (await ask(server, "admin", CLASSES["comparisons"], **variables)).json()
    lead = scoped["data"]["team"]["kpis"]["leadTimeHoursP50"]
    whole = admin["data"]["team"]["kpis"]["leadTimeHoursP50"]
    assert whole["parentValue"] is not None
    assert whole["withheldComparisons"] == []
    assert lead["parentValue"] is None
    assert {"field": "parentValue", "reason": "OUTSIDE_SCOPE"} in lead["withheldComparisons"]
    # its own value and the org's are the same as anyone's
    assert (lead["value"], lead["orgValue"]) == (whole["value"], whole["orgValue"])


# -- authentication and the tokens' lifecycle ----------------------------------------------------


async def test_no_token_or_a_bad_one_is_refused_with_401_and_no_data(server: Server) -> None:
    for headers in (
        {},
        {"authorization": "Bearer nope"},
        {"authorization": "Basic dXNlcjpwdw=="},
        {"authorization": f"Bearer {server.tokens['admin'][:-3]}xyz"},  # a wrong secret
        {"authorization": "Bearer orgraph_0123456789abcdef_" + "x" * 43},  # no such token
    ):
        response = await server.http.post(
            "/graphql", json={"query": "{ roots { key } }"}, headers=headers
        )
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = response.json()
        assert "data" not in body
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_token_works_until_revoked_and_revoking_takes_effect_at_once(
    server: Server, org: Org
) -> None:
    store = create_engine(server.store_url)
    token, record = await create_token(
        store,
        name="ci",
        role=Role.VIEWER,
        scope=org.scope,
        expires_at=datetime.now(UTC) + timedelta(hours=1),
    )
    headers = {"authorization": f"Bearer {token}"}
    query = {"query": f'{{ team(key: "{org.scope}") {{ name }} }}'}
    assert (await server.http.post("/graphql", json=query, headers=headers)).status_code == 200
    await revoke_token(store, record.id)
    # the very next request is refused
    assert (await server.http.post("/graphql", json=query, headers=headers)).status_code == 401
    # and an expired token too
    token, _ = await create_token(
        store,
        name="old",
        role=Role.ADMIN,
        scope=None,
        expires_at=datetime.now(UTC) - timedelta(seconds=1),
    )
    headers = {"authorization": f"Bearer {token}"}
    assert (await server.http.post("/graphql", json=query, headers=headers)).status_code == 401
    await store.dispose()


async def test_each_request_leaves_one_audit_line_and_no_secret_in_any_log(
    server: Server, org: Org, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    await ask(server, "scoped viewer", "query Page { roots { key } }")
    await server.http.post(
        "/graphql", json={"query": "{ roots { key } }"}, headers={"authorization": "Bearer x"}
    )
    lines = [r.getMessage() for r in caplog.records if r.name == "orgraph.audit"]
    assert len(lines) == 2, lines
    token_id = server.tokens["scoped viewer"].split("_")[1]
    assert f"principal=token:{token_id}" in lines[0]
    assert f"scope={org.scope}" in lines[0]
    assert "operation=Page" in lines[0]
    assert "status=200" in lines[0]
    assert "outcome=ok" in lines[0]
    assert re.search(r"cost=[1-9]", lines[0])
    assert "status=401" in lines[1]
    assert "outcome=UNAUTHENTICATED" in lines[1]
    logged = "\n".join(r.getMessage() + json.dumps(r.__dict__, default=str) for r in caplog.records)
    for token in server.tokens.values():
        assert token.split("_", 2)[2] not in logged


# -- the privacy floor, over HTTP ----------------------------------------------------------------

ROLES = """query ($key: String!) { team(key: $key) {
  headcount(on: "2025-12-31") { total byRole { role count } withheld }
  children(includeInactive: true, first: 100) { edges { node { key
    headcount(on: "2025-12-31") { total byRole { role count } withheld }
    kpis(from: "2025-01-01", to: "2026-01-01") { sdeRatio { value sampleSize withheld } }
  } } } } }"""


async def test_a_parent_minus_its_shown_children_never_gives_a_withheld_team_back(
    server: Server, engine: Engine
) -> None:
    # given every parent of the org with a child under the privacy floor (5 people)
    tree = engine.view(END).tree
    attacked = 0
    for parent in tree.team_ids:
        body = (await ask(server, "admin", ROLES, key=parent)).json()
        team = body["data"]["team"]
        if team["headcount"]["byRole"] is None:
            continue  # the parent itself is withheld
        children = [e["node"] for e in team["children"]["edges"]]
        withheld = [c for c in children if c["headcount"]["withheld"] == "BELOW_PRIVACY_FLOOR"]
        if not any(c["headcount"]["total"] < 5 for c in withheld):
            continue
        attacked += 1
        # when an attacker subtracts every shown child's people by role from the parent's
        rest = {r["role"]: r["count"] for r in team["headcount"]["byRole"]}
        for child in children:
            for role in child["headcount"]["byRole"] or ():
                rest[role["role"]] -= role["count"]
        # then what is left covers at least 5 people, and no withheld figure is a zero
        assert sum(rest.values()) >= 5, (parent, rest)
        for child in withheld:
            assert child["headcount"]["byRole"] is None
            sde = child["kpis"]["sdeRatio"]
            assert sde == {"value": None, "sampleSize": None, "withheld": "BELOW_PRIVACY_FLOOR"}
    assert attacked > 0  # the generated org has small teams: the attack was really tried
