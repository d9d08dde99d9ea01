"""The HTTP app (Starlette): GraphQL and GraphiQL at ``/graphql``, the dashboard at ``/``,
``/healthz`` (the process is up) and ``/readyz`` (the database answers and the rollup engine is
built).

The engine is built from the store when the app starts (``lifespan``), so the first request
does not pay for it; until then ``/readyz`` says 503.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.core import graphiql
from api.core.errors import BAD_REQUEST, METHOD_NOT_ALLOWED, NOT_FOUND
from api.core.http import GraphQLView, error_response
from api.dashboard import routes as dashboard
from api.schema import build_schema
from api.settings import Settings
from graph.engine import Engine
from store.database import create_engine
from store.tokens import TokenLookup

log = logging.getLogger("orgraph.access")


#: Sent with every response: no sniffing of types, no framing, no referrer, no sharing of
#: windows or resources with other sites (pages set their own Content-Security-Policy), and no
#: caching of what a route did not say may be cached (answers are the client's own).
SECURITY_HEADERS = (
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)
_SECURITY_NAMES = frozenset(name for name, _ in SECURITY_HEADERS)


class Edge:
    """What every HTTP response passes through, in one wrapper of ``send`` (a layer of its own
    cost each request some 25 us, 2 % of the stack's floor): the request id (also sent back as the
    ``x-request-id`` header, and read by the audit log), the headers of
    :data:`SECURITY_HEADERS` (a header the route set itself is kept), and one structured access
    log line per request (logfmt): request id, method, path, status, duration in ms."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id  # for the audit log
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = message.setdefault("headers", [])
                present = {name.lower() for name, _ in headers} & _SECURITY_NAMES
                headers.extend(h for h in SECURITY_HEADERS if h[0] not in present)
                headers.append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if log.isEnabledFor(logging.INFO):
                fields = {
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "ms": round(1000 * (time.perf_counter() - started), 2),
                }
                # logfmt: one line, key=value, easy to grep and to parse
                log.info(" ".join(f"{k}={v}" for k, v in fields.items()), extra=fields)


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Starlette:
    """The app over the store of ``settings`` (or over a ready ``engine``, for tests)."""
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        store: AsyncEngine = create_engine(settings.database_url)
        app.state.store = store
        app.state.tokens = TokenLookup(settings.database_url, store)
        if engine is not None:
            engine.set_privacy_floor(settings.privacy_floor)
        app.state.engine = engine
        app.state.engine_error = None
        building: asyncio.Task[Engine] | None = None
        if engine is None:

            async def build() -> Engine:
                try:
                    built = await Engine.from_store(store, settings.kpi_config)
                    settings.initiatives.check_scopes(built.team_ids)
                    # the structure the dashboard opens on, built before the server says it
                    # is ready: else its first visitor waits for it (some 6 s at 20,000
                    # teams, past the request timeout on a busy machine)
                    if built.last_event_day is not None:
                        await asyncio.to_thread(built.view, built.last_event_day)
                except Exception as exc:  # reported by /readyz, the server stays up
                    app.state.engine_error = f"{type(exc).__name__}: {exc}"
                    log.error("the rollup engine could not be built: %s", app.state.engine_error)
                    raise
                app.state.engine = built
                return built

            building = asyncio.create_task(build())
        try:
            yield
        finally:
            if building is not None:
                building.cancel()
                if building.done() and not building.cancelled():
                    building.exception()  # already reported by /readyz and the log
            await app.state.tokens.close()
            await store.dispose()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        state = request.app.state
        if state.engine_error is not None:
            problems = [f"the rollup engine could not be built: {state.engine_error}"]
        elif state.engine is None:
            # the build is reading the store: leave it alone (on SQLite, a second library
            # holding the file in this process could release the reader's locks)
            problems = ["the rollup engine is still being built"]
        else:
            problems = []
            try:
                async with state.store.connect() as connection:
                    await connection.execute(sa.text("SELECT 1"))
            except Exception as exc:  # any failure to reach the database means not ready
                problems.append(f"database: {type(exc).__name__}: {exc}")
        if problems:
            return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ok"})

    graphql = GraphQLView(
        build_schema(settings.limits),
        request_timeout=settings.request_timeout,
        max_request_bytes=settings.limits.max_request_bytes,
        initiatives=settings.initiatives,
        open=settings.open,
        trusted=settings.trusted_headers,
        min_peers=settings.min_peers,
        graphiql=settings.graphiql,
    )
    middleware = [Middleware(Edge)]
    if settings.cors_origins:  # off unless origins are named
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type", "accept"],
                max_age=600,
            )
        )
    return Starlette(
        routes=[
            Route("/graphql", graphql),  # every method: the view names what it refuses
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *([graphiql.assets()] if settings.graphiql else []),
            *dashboard.routes(),
        ],
        middleware=middleware,
        exception_handlers={HTTPException: _http_error},
        lifespan=lifespan,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    """A path or method Starlette's router refuses (``/nope``, ``DELETE /healthz``) is
    answered as every other refusal: a JSON error with its code."""
    assert isinstance(exc, HTTPException)
    code = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}.get(exc.status_code, BAD_REQUEST)
    message = {404: f"nothing is served at {request.url.path}"}.get(exc.status_code, exc.detail)
    return error_response(exc.status_code, code, message, headers=exc.headers)
