"""Who sends a request (docs/security.md): a bearer token of the store, or a user an SSO proxy
vouches for in headers, or anyone at all when the server is open. Every request is
authenticated here, before any GraphQL is parsed; what the principal may then see is
``api/core/scope.py``'s.

Refusals say what to do but never why a given token failed (unknown, wrong secret, expired or
revoked all read the same), so that a client cannot probe the store's tokens.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import HTTPConnection

from store.tokens import Role, TokenLookup

log = logging.getLogger("orgraph.api")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedHeaders:
    """Who a request is, as an SSO proxy in front of orgraph says in headers (docs/security.md):
    believed only from ``proxies``, and only when they are set."""

    proxies: tuple[Network, ...] = ()
    #: the signed-in user's name, for the audit log
    user: str = "X-Forwarded-User"
    #: the team whose subtree the user may see (absent: the whole org)
    scope: str = "X-Orgraph-Scope"
    #: viewer or admin (absent: viewer)
    role: str = "X-Orgraph-Role"


@dataclass(frozen=True)
class Principal:
    """Who a request is from, and what it may see."""

    #: for the audit log and the per-client budget: ``token:<id>``, ``user:<name>`` or
    #: ``open:<client address>`` (never a secret)
    id: str
    role: Role
    #: the team whose subtree it may see in full; None: the whole org
    scope: str | None
    #: anyone, on an open server (no credentials were asked for)
    open: bool = False

    @property
    def sees_all(self) -> bool:
        return self.role is Role.ADMIN or self.scope is None


class Unauthenticated(Exception):
    """No usable credentials; the message tells the client what to send."""


async def authenticate(
    request: HTTPConnection, tokens: TokenLookup, *, open: bool, trusted: TrustedHeaders
) -> Principal:
    """The principal of ``request``, or :class:`Unauthenticated`. ``open``: anyone, with no
    credentials; ``trusted``: the SSO proxies whose headers are believed."""
    client = request.client.host if request.client else "unknown"
    if open:
        # open: everything is readable, but nobody manages tokens (a token minted by anyone
        # who reaches an open server would still work once the server is closed)
        return Principal(f"open:{client}", Role.VIEWER, None, open=True)
    header = request.headers.get("authorization")
    if trusted.proxies and _from(client, trusted.proxies):
        user = request.headers.get(trusted.user)
        if user:
            return _vouched(user, request, trusted)
    if header is None:
        raise Unauthenticated(
            "this API needs a token: send `Authorization: Bearer <token>` "
            "(an admin creates one with `orgraph token create`)"
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send the token as `Authorization: Bearer <token>`")
    try:
        record = await tokens.verify(token.strip(), datetime.now(UTC))
    except (SQLAlchemyError, OSError) as error:  # the store is out of reach
        log.warning("token lookup failed: %s", type(error).__name__)
        record = None
    if record is None:
        raise Unauthenticated("the token is not valid (unknown, expired or revoked)")
    return Principal(f"token:{record.id}", record.role, record.scope)


def _from(client: str, proxies: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def _vouched(user: str, request: HTTPConnection, trusted: TrustedHeaders) -> Principal:
    role_name = (request.headers.get(trusted.role) or Role.VIEWER.value).strip().lower()
    try:
        role = Role(role_name)
    except ValueError:
        raise Unauthenticated(
            f"the proxy's {trusted.role} header must be viewer or admin"
        ) from None
    scope = (request.headers.get(trusted.scope) or "").strip() or None
    return Principal(f"user:{user.strip()}", role, scope)
