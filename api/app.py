"""The HTTP app (Starlette): GraphQL and GraphiQL at ``/graphql``, ``/healthz`` (the process is
up) and ``/readyz`` (the database answers and the rollup engine is built).

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
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api import graphiql
from api.schema import Context, build_schema
from api.settings import Settings
from graph.engine import Engine
from graph.initiatives import Initiatives, default_initiatives
from graph.store.engine import create_engine

log = logging.getLogger("orgraph.access")


GRAPHQL_RESPONSE = "application/graphql-response+json"


class _GraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view, with GraphQL over HTTP's ``application/graphql-response+json``:
    a client that accepts it gets that content type, and a request that fails before execution
    (parse, validation, variable coercion) gets 400 with no ``data`` entry. Responses are
    encoded by orjson."""

    request_timeout: float = 10.0
    initiatives: Initiatives = default_initiatives()

    async def get_context(self, request: Any, response: Any) -> Context:
        engine: Engine | None = request.app.state.engine
        if engine is None:
            raise RuntimeError("the rollup engine is not built yet")
        return Context(
            engine=engine,
            deadline=time.monotonic() + self.request_timeout,
            initiatives=self.initiatives,
        )

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            request.state.sub_response = sub_response
            accepted = request.headers.get("accept", "")
            sub_response.media_type = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accepted else None
        return sub_response

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        sub_response: Response = request.state.sub_response
        errors = result.errors or []
        failed_before_execution = (
            result.data is None and bool(errors) and all(e.path is None for e in errors)
        )
        if sub_response.media_type == GRAPHQL_RESPONSE and failed_before_execution:
            sub_response.status_code = 400
            processed.pop("data", None)
        return processed

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if sub_response.media_type:
            response.headers["content-type"] = f"{sub_response.media_type}; charset=utf-8"
        return response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page(request)


class AccessLog:
    """One structured log line per request (logfmt): request id (also sent back as the
    ``x-request-id`` header), method, path, status, duration in ms."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
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
        app.state.engine = engine
        app.state.engine_error = None
        building: asyncio.Task[Engine] | None = None
        if engine is None:

            async def build() -> Engine:
                try:
                    built = await Engine.from_store(store, settings.initiatives.config)
                    settings.initiatives.check_scopes(built.team_ids)
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

    graphql = _GraphQL(build_schema(settings.limits), graphql_ide="graphiql")
    graphql.request_timeout = settings.request_timeout
    graphql.initiatives = settings.initiatives
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            graphiql.assets(),
        ],
        middleware=[Middleware(AccessLog)],
        lifespan=lifespan,
    )
