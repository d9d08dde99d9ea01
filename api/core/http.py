"""GraphQL over HTTP at ``/graphql``: Strawberry's ASGI view, made to answer every request.

- Every refusal is a GraphQL response (``{"errors": [...]}``) with a named code in
  ``extensions.code`` and a 4xx status: a body over the byte limit 413, a query string over it
  414, no query or a body that is not JSON 400, a method other than GET and POST 405. An
  operation that failed before execution (parse, validation, limits, variables) is 400 with
  either media type; see docs/api.md for why that is also the case for ``application/json``.
- A client that accepts ``application/graphql-response+json`` gets that content type.
- The same error reported for many fields (an unknown team asked of every initiative) is
  answered once, with the paths of every field it nulled.
- Until the engine is built the server answers 503 ``NOT_READY`` with ``Retry-After``; an
  error in orgraph itself is 500 ``INTERNAL_SERVER_ERROR`` with its detail in the log only.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult

from api.core import graphiql
from api.core.access import TrustedHeaders, Unauthenticated, authenticate
from api.core.audit import audit
from api.core.context import Context
from api.core.errors import (
    BAD_REQUEST,
    CLIENT_CODES,
    FORBIDDEN,
    INTERNAL_SERVER_ERROR,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    NOT_READY,
    OPERATION_NOT_ALLOWED,
    PAYLOAD_TOO_LARGE,
    RATE_LIMITED,
    TIMEOUT,
    UNAUTHENTICATED,
    UNSUPPORTED_MEDIA_TYPE,
    URI_TOO_LONG,
)
from graph.engine import Engine
from graph.initiatives import Initiatives, default_initiatives

log = logging.getLogger("orgraph.api")

GRAPHQL_RESPONSE = "application/graphql-response+json"
#: What an over-long body is read to before the answer, so the client reads a 413 rather
#: than a reset connection; past it the connection is closed.
DRAIN_LIMIT = 64 * 1024 * 1024
#: Seconds after which a client should try again while the engine is being built.
RETRY_AFTER = 5


class _NotReady(Exception):
    """The rollup engine is still being built (or could not be built)."""


def _media_type(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"accept" and GRAPHQL_RESPONSE.encode() in value:
            return GRAPHQL_RESPONSE
    return "application/json"


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    media_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A GraphQL response that holds only one error, with its code."""
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    return Response(
        body, status_code=status, media_type=f"{media_type}; charset=utf-8", headers=headers
    )


def _code_in(response: Response) -> str:
    """The code of a response that holds one error (``error_response``'s), else ok."""
    if response.status_code < 400:
        return "ok"
    try:
        return str(orjson.loads(bytes(response.body))["errors"][0]["extensions"]["code"])
    except (orjson.JSONDecodeError, KeyError, IndexError, TypeError):
        return str(response.status_code)


def _code_of_http(exception: HTTPException) -> str:
    reason = exception.reason.lower()
    if "not allowed when using get" in reason:  # a mutation over GET
        return OPERATION_NOT_ALLOWED
    if exception.status_code == 405:
        return METHOD_NOT_ALLOWED
    if exception.status_code == 404:
        return NOT_FOUND
    if "content type" in reason:
        return UNSUPPORTED_MEDIA_TYPE
    return BAD_REQUEST


class GraphQLView(GraphQL[Context, None]):
    """Strawberry's ASGI view with orgraph's limits, codes and status codes."""

    def __init__(
        self,
        schema: Any,
        *,
        request_timeout: float = 10.0,
        max_request_bytes: int = 128 * 1024,
        initiatives: Initiatives | None = None,
        open: bool = False,
        trusted: TrustedHeaders | None = None,
        min_peers: int = 3,
        graphiql: bool = True,
    ) -> None:
        super().__init__(schema, graphql_ide="graphiql" if graphiql else None)
        self.request_timeout = request_timeout
        self.max_request_bytes = max_request_bytes
        self.initiatives = initiatives or default_initiatives()
        self.open = open
        self.trusted = trusted or TrustedHeaders()
        self.min_peers = min_peers

    # -- the request ---------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        media_type = _media_type(scope)
        try:
            response = await self._answer(scope, receive, media_type)
        except Exception:  # a bug in orgraph: logged with its stack, the client sees a code
            log.exception("unexpected error answering %s %s", scope["method"], scope["path"])
            response = error_response(
                500, INTERNAL_SERVER_ERROR, "internal error", media_type=media_type
            )
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, media_type: str) -> Response:
        limit = self.max_request_bytes
        if len(scope.get("query_string", b"")) > limit:
            return error_response(
                414,
                URI_TOO_LONG,
                f"the query string is over {limit} bytes: send the query in a POST body",
                media_type=media_type,
            )
        body = await self._read_body(receive, limit)
        if body is None:
            return error_response(
                413,
                PAYLOAD_TOO_LARGE,
                f"the request body is over {limit} bytes (ORGRAPH_MAX_REQUEST_BYTES)",
                media_type=media_type,
            )
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        request = Request(scope, receive=replay)
        started = time.perf_counter()
        response = await self._run(request, media_type)
        if not response.headers.get("content-type", "").startswith("text/html"):
            # every GraphQL request, not the GraphiQL page a browser GETs
            outcome = getattr(request.state, "outcome", None) or _code_in(response)
            audit(request, getattr(request.state, "context", None), response.status_code,
                  started, outcome)  # fmt: skip
        return response

    async def _run(self, request: Request, media_type: str) -> Response:
        try:
            # what needs no credentials comes first (Strawberry asks for the context, which
            # authenticates, before it looks at the method or renders GraphiQL)
            adapter = self.request_adapter_class(request)
            if not self.is_request_allowed(adapter):
                raise HTTPException(405, "GraphQL only supports GET and POST requests.")
            if self.should_render_graphql_ide(adapter):
                if self.graphql_ide:
                    return await self.render_graphql_ide(request)
                raise HTTPException(404, "GraphiQL is switched off here (ORGRAPH_GRAPHIQL)")
            return await self.run(request)
        except Unauthenticated as refused:
            return error_response(
                401,
                UNAUTHENTICATED,
                str(refused),
                media_type=media_type,
                headers={"www-authenticate": 'Bearer realm="orgraph"'},
            )
        except _NotReady as not_ready:
            return error_response(
                503,
                NOT_READY,
                f"{not_ready}: try again shortly (/readyz says when it is ready)",
                media_type=media_type,
                headers={"retry-after": str(RETRY_AFTER)},
            )
        except HTTPException as exception:
            code = _code_of_http(exception)
            status, headers = {
                METHOD_NOT_ALLOWED: (405, {"allow": "GET, POST"}),
                OPERATION_NOT_ALLOWED: (405, {"allow": "POST"}),
                UNSUPPORTED_MEDIA_TYPE: (415, None),
            }.get(code, (exception.status_code, None))
            return error_response(
                status, code, exception.reason, media_type=media_type, headers=headers
            )

    @staticmethod
    async def _read_body(receive: Receive, limit: int) -> bytes | None:
        """The whole body, or None when it is over ``limit`` bytes (then read to its end, up
        to :data:`DRAIN_LIMIT`, so that the client is still listening for the answer)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
            if not message.get("more_body", False) or size > DRAIN_LIMIT:
                break
        return None if size > limit else b"".join(chunks)

    # -- Strawberry's hooks ----------------------------------------------------------------------

    async def get_context(self, request: Any, response: Any) -> Context:
        engine: Engine | None = getattr(request.app.state, "engine", None)
        if engine is None:
            error = getattr(request.app.state, "engine_error", None)
            raise _NotReady(
                "the rollup engine is still being built"
                if error is None
                else f"the rollup engine could not be built ({error})"
            )
        principal = await authenticate(
            request, request.app.state.tokens, open=self.open, trusted=self.trusted
        )
        context = Context(
            engine=engine,
            deadline=time.monotonic() + self.request_timeout,
            initiatives=self.initiatives,
            principal=principal,
            min_peers=self.min_peers,
        )
        request.state.context = context
        return context

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        if isinstance(request, Request):
            request.state.sub_response = sub_response
            accepted = request.headers.get("accept", "")
            sub_response.media_type = GRAPHQL_RESPONSE if GRAPHQL_RESPONSE in accepted else None
        return sub_response

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page(request)

    def decode_json(self, data: str | bytes) -> object:
        """orjson: faster, and it refuses input nested over 1024 levels (the standard
        library would recurse until it crashes)."""
        decoded = orjson.loads(data)
        if not isinstance(decoded, dict):
            raise HTTPException(400, "a GraphQL request is a JSON object")
        operation = decoded.get("operationName")
        if operation is not None and not isinstance(operation, str):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string")
        return decoded

    def parse_json(self, data: str | bytes) -> Any:
        try:
            return self.decode_json(data)
        except json.JSONDecodeError as error:  # orjson's error is one too
            raise HTTPException(400, f"Unable to parse request body as JSON: {error}") from error

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        sub_response: Response = request.state.sub_response
        errors = result.errors or []
        codes = {(e.extensions or {}).get("code") for e in errors}
        answered_nothing = result.data is None and bool(errors)
        request.state.outcome = ",".join(sorted(str(c) for c in codes)) if errors else "ok"
        if answered_nothing and codes == {RATE_LIMITED}:
            sub_response.status_code = 429
            wait = (errors[0].extensions or {}).get("retryAfter", 1)
            sub_response.headers["retry-after"] = str(wait)
        elif answered_nothing and codes == {FORBIDDEN}:
            sub_response.status_code = 403
        elif answered_nothing and codes <= CLIENT_CODES | {TIMEOUT}:
            sub_response.status_code = 400
        elif answered_nothing:
            sub_response.status_code = 500
        failed_before_execution = answered_nothing and all(e.path is None for e in errors)
        if sub_response.media_type == GRAPHQL_RESPONSE and failed_before_execution:
            processed.pop("data", None)
        if processed.get("errors"):
            processed["errors"] = _merged(list(processed["errors"] or ()))
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


def _merged(errors: list[Any]) -> list[Any]:
    """One error per message, code and location: the same mistake reported for many fields
    (e.g. ``initiatives { status(team: "nope") }``) is answered once, with ``paths``."""
    merged: dict[bytes, dict[str, Any]] = {}
    for error in errors:
        key = orjson.dumps(
            [error.get("message"), error.get("extensions"), error.get("locations")],
            option=orjson.OPT_SORT_KEYS,
        )
        first = merged.get(key)
        if first is None:
            merged[key] = error
        elif "path" in error:
            # a copy: the formatted error shares its extensions with the error, maybe cached
            extensions = first["extensions"] = dict(first.get("extensions") or {})
            extensions["paths"] = [*extensions.get("paths", [first.get("path")]), error["path"]]
    return list(merged.values())
