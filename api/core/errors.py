"""The API's error codes (``errors[].extensions.code``) and the errors the API raises itself.

Every refusal carries one of these codes, so a client can branch on it without reading the
message; docs/api.md lists them with the HTTP status each comes with."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

#: A value the client sent cannot be used: an unknown team, a bad date, a page too large.
BAD_USER_INPUT = "BAD_USER_INPUT"
#: The HTTP request is not a GraphQL request: no query, a body that is not JSON, ...
BAD_REQUEST = "BAD_REQUEST"
#: The document is not GraphQL.
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
#: The document is GraphQL but not valid against the schema (an unknown field, ...).
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
#: Limits, all checked before anything is executed.
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
INTROSPECTION_TOO_DEEP = "INTROSPECTION_TOO_DEEP"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
URI_TOO_LONG = "URI_TOO_LONG"
#: HTTP-level refusals.
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
OPERATION_NOT_ALLOWED = "OPERATION_NOT_ALLOWED"
NOT_FOUND = "NOT_FOUND"
#: No usable credentials (401, with ``WWW-Authenticate: Bearer``): no token, a malformed
#: one, or one that is unknown, expired or revoked (which of these is not said).
UNAUTHENTICATED = "UNAUTHENTICATED"
#: Credentials are fine, but the client may not see this (another subtree's details) or do
#: this (manage tokens without the admin role).
FORBIDDEN = "FORBIDDEN"
#: The client spent its query-cost budget for the minute (429, with ``Retry-After``).
RATE_LIMITED = "RATE_LIMITED"
#: The request ran past ``ORGRAPH_REQUEST_TIMEOUT``.
TIMEOUT = "TIMEOUT"
#: The server is still building its indexes (retry after a while; /readyz says when).
NOT_READY = "NOT_READY"
#: Something went wrong in orgraph (a bug: the detail is in the server's log, not here).
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

#: The codes that name a mistake of the client's (answered with a 4xx when nothing was
#: answered); the others are the server's.
CLIENT_CODES = frozenset(
    {
        BAD_USER_INPUT,
        BAD_REQUEST,
        GRAPHQL_PARSE_FAILED,
        GRAPHQL_VALIDATION_FAILED,
        QUERY_TOO_DEEP,
        TOO_MANY_ALIASES,
        TOO_MANY_TOKENS,
        QUERY_TOO_COSTLY,
        INTROSPECTION_TOO_DEEP,
        PAYLOAD_TOO_LARGE,
        URI_TOO_LONG,
        METHOD_NOT_ALLOWED,
        UNSUPPORTED_MEDIA_TYPE,
        OPERATION_NOT_ALLOWED,
        NOT_FOUND,
        UNAUTHENTICATED,
        FORBIDDEN,
        RATE_LIMITED,
    }
)


class ApiError(GraphQLError):
    """A request that cannot be answered as asked; the message says why."""

    def __init__(self, message: str, code: str = BAD_USER_INPUT, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


class RequestTimeout(GraphQLError):
    """The request ran past its time (``ORGRAPH_REQUEST_TIMEOUT``)."""

    def __init__(self) -> None:
        super().__init__(
            "request timed out: ask for less (smaller pages, fewer reports)",
            extensions={"code": TIMEOUT},
        )


def with_code(error: GraphQLError, code: str) -> GraphQLError:
    """``error`` with ``code`` in its extensions, unless it already has one."""
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": code}
    return error


def code_of(error: GraphQLError) -> str | None:
    code = (error.extensions or {}).get("code")
    return code if isinstance(code, str) else None
