"""Safe defaults and the client's limits (docs/security.md), over real HTTP against the app: a
fuzz run of random credentials that only ever gets 401, the per-client cost budget (429 with
Retry-After), trusted headers believed only from the proxies named, CORS off unless origins are
configured, GraphiQL and introspection that can be switched off, security headers."""

from __future__ import annotations

import ipaddress
import string
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import create_app
from api.core.access import TrustedHeaders
from api.core.limits import Limits
from api.settings import Settings
from graph.engine import Engine
from store.database import create_engine
from store.tokens import PREFIX, Role, create_token
from tests.api.http import asgi_client
from tests.api.live import generated_engine

END = date(2026, 1, 1)
QUERY = {
    "query": '{ roots { key name kpis(from: "2025-01-01", to: "2026-01-01") { headcount { value } } } }'
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return generated_engine(tmp_path_factory.mktemp("bundle"), teams=20, seed=8, end=END)


App = Callable[..., Any]


@pytest.fixture
def app_with(engine: Engine, tmp_path: Path) -> App:
    """An app over ``engine`` with these settings (closed unless told)."""
    url = f"sqlite:///{tmp_path / 'store.db'}"

    def make(**changes: Any) -> Any:
        return create_app(Settings(database_url=url, **changes), engine=engine)

    return make


async def _token(url: str, role: Role = Role.ADMIN) -> str:
    store = create_engine(url)
    token, _ = await create_token(
        store, name="t", role=role, scope=None, expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    await store.dispose()
    return token


@pytest.fixture
async def closed(app_with: App) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(app_with()) as http:
        yield http


ascii_text = st.text(alphabet=string.printable.strip() + " ", max_size=120)
credentials = st.one_of(
    ascii_text,
    st.builds(lambda s: f"Bearer {s}", ascii_text),
    st.builds(
        lambda i, s: f"Bearer {PREFIX}_{i}_{s}",
        st.text(alphabet="0123456789abcdef", min_size=16, max_size=16),
        st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=20, max_size=64),
    ),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(
    authorization=st.one_of(st.none(), credentials),
    user=st.one_of(st.none(), ascii_text),
    scope=st.one_of(st.none(), ascii_text),
    role=st.one_of(st.none(), st.sampled_from(["admin", "viewer", "root"]), ascii_text),
)
async def test_random_credentials_and_identity_headers_only_ever_get_401(
    closed: httpx.AsyncClient,
    authorization: str | None,
    user: str | None,
    scope: str | None,
    role: str | None,
) -> None:
    # given a closed server (no trusted proxy) and any headers a client can send
    headers = {
        name: value
        for name, value in (
            ("authorization", authorization),
            ("x-forwarded-user", user),
            ("x-orgraph-scope", scope),
            ("x-orgraph-role", role),
        )
        if value is not None
    }
    response = await closed.post("/graphql", json=QUERY, headers=headers)
    # then it is refused, with a code, and nothing of the org is in the answer
    assert response.status_code == 401, (headers, response.text)
    body = response.json()
    assert set(body) == {"errors"}
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_client_past_its_budget_gets_429_with_retry_after(
    app_with: App, tmp_path: Path
) -> None:
    # each request costs 1: the fourth in a row is over a budget of 3 a minute
    app = app_with(limits=Limits(cost_per_minute=3))
    cheap = {"query": "{ __typename }"}
    url = f"sqlite:///{tmp_path / 'store.db'}"
    token = await _token(url)
    headers = {"authorization": f"Bearer {token}"}
    async with asgi_client(app) as http:
        statuses = []
        for _ in range(4):
            response = await http.post("/graphql", json=cheap, headers=headers)
            statuses.append(response.status_code)
        assert statuses == [200, 200, 200, 429]
        limited = response
        assert int(limited.headers["retry-after"]) >= 1
        error = limited.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["retryAfter"] == int(limited.headers["retry-after"])
        # and another client's budget is its own
        other = {"authorization": f"Bearer {await _token(url)}"}
        assert (await http.post("/graphql", json=cheap, headers=other)).status_code == 200


async def test_identity_headers_are_believed_only_from_the_named_proxies(app_with: App) -> None:
    vouched = {"x-forwarded-user": "ann", "x-orgraph-role": "viewer"}
    # httpx's ASGI transport comes from 127.0.0.1
    here = TrustedHeaders(proxies=(ipaddress.ip_network("127.0.0.1/32"),))
    elsewhere = TrustedHeaders(proxies=(ipaddress.ip_network("10.0.0.0/8"),))
    async with asgi_client(app_with(trusted_headers=here)) as http:
        assert (await http.post("/graphql", json=QUERY, headers=vouched)).status_code == 200
        bad_role = vouched | {"x-orgraph-role": "root"}
        assert (await http.post("/graphql", json=QUERY, headers=bad_role)).status_code == 401
    async with asgi_client(app_with(trusted_headers=elsewhere)) as http:
        assert (await http.post("/graphql", json=QUERY, headers=vouched)).status_code == 401


async def test_cors_is_off_unless_origins_are_configured(app_with: App) -> None:
    preflight = {
        "origin": "https://dash.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    async with asgi_client(app_with(open=True)) as http:
        response = await http.options("/graphql", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
        plain = await http.post("/graphql", json=QUERY, headers={"origin": preflight["origin"]})
        assert "access-control-allow-origin" not in plain.headers
    configured = app_with(open=True, cors_origins=("https://dash.example.com",))
    async with asgi_client(configured) as http:
        response = await http.options("/graphql", headers=preflight)
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://dash.example.com"
        other = await http.options("/graphql", headers=preflight | {"origin": "https://evil.test"})
        assert other.status_code == 400


async def test_graphiql_and_introspection_can_be_switched_off(app_with: App) -> None:
    introspect = {"query": "{ __schema { queryType { name } } }"}
    html = {"accept": "text/html"}
    async with asgi_client(app_with(open=True)) as http:
        assert (await http.get("/graphql", headers=html)).text.startswith("<!doctype html>")
        assert (await http.post("/graphql", json=introspect)).status_code == 200
    off = app_with(open=True, graphiql=False, limits=Limits(introspection=False))
    async with asgi_client(off) as http:
        page = await http.get("/graphql", headers=html)
        assert page.status_code == 404
        assert page.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert (await http.get("/static/graphiql/orgraph-graphiql.js")).status_code == 404
        refused = await http.post("/graphql", json=introspect)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        # the rest still works
        assert (await http.post("/graphql", json=QUERY)).status_code == 200


async def test_every_response_carries_the_security_headers(closed: httpx.AsyncClient) -> None:
    for response in (
        await closed.post("/graphql", json=QUERY),
        await closed.get("/healthz"),
        await closed.get("/graphql", headers={"accept": "text/html"}),
        await closed.get("/nope"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
    answer = await closed.post("/graphql", json=QUERY)
    assert answer.headers["cache-control"] == "no-store"


def test_the_start_up_line_shows_the_database_without_its_password() -> None:
    from cli.serve import safe_url

    shown = safe_url(Settings(database_url="postgresql://orgraph:s3cret@db.internal/orgraph"))
    assert "s3cret" not in shown
    assert "db.internal/orgraph" in shown
