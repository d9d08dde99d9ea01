"""API tokens in the store (docs/security.md): created, listed, revoked, and found by the server
for each request.

A token reads ``orgraph_<id>_<secret>``: the id (16 hex digits) finds its row, the secret (32
random bytes, URL-safe base64) proves it. Only the secret's SHA-256 digest is stored, so the
store's content does not give a usable token away; a plain digest (no salt, no slow hash) is
enough for a random 256-bit secret, which cannot be guessed from a list of likely passwords.

>>> parse("orgraph_0123456789abcdef_s3cr-t_x-ma4ks-it-long_enough")
('0123456789abcdef', 's3cr-t_x-ma4ks-it-long_enough')
>>> parse("Bearer nonsense") is None
True
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.migrate import upgrade
from store.models import sql_table

PREFIX = "orgraph"
_TOKEN = re.compile(rf"^{PREFIX}_([0-9a-f]{{16}})_([A-Za-z0-9_-]{{20,100}})$")


class Role(Enum):
    """What a token may do."""

    #: read the subtree of its scope (and what comparisons need of the rest)
    VIEWER = "viewer"
    #: read everything and manage tokens
    ADMIN = "admin"


@dataclass(frozen=True)
class TokenRecord:
    """A token as the store keeps it (never its secret)."""

    id: str
    name: str
    role: Role
    #: the team whose subtree it may see; None: the whole org
    scope: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if datetime.now(UTC) >= self.expires_at else "active"


def parse(token: str) -> tuple[str, str] | None:
    """The id and secret of a token, or None when it is not one."""
    found = _TOKEN.match(token)
    return None if found is None else (found.group(1), found.group(2))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _record(row: sa.Row[*tuple[Any, ...]]) -> TokenRecord:
    values = row._mapping
    return TokenRecord(
        id=values["id"],
        name=values["name"],
        role=Role(values["role"]),
        scope=values["scope"],
        created_at=values["created_at"],
        expires_at=values["expires_at"],
        revoked_at=values["revoked_at"],
    )


_COLUMNS = ("id", "name", "role", "scope", "created_at", "expires_at", "revoked_at")


async def create_token(
    engine: AsyncEngine, *, name: str, role: Role, scope: str | None, expires_at: datetime
) -> tuple[str, TokenRecord]:
    """A new token: the token itself (shown once, never stored) and its record."""
    await upgrade(engine)
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = TokenRecord(
        token_id, name, role, scope, datetime.now(UTC).replace(microsecond=0), expires_at, None
    )
    table = sql_table("api_tokens")
    async with engine.begin() as connection:
        await connection.execute(
            table.insert().values(
                id=record.id,
                name=name,
                secret_sha256=digest(secret),
                role=role.value,
                scope=scope,
                created_at=record.created_at,
                expires_at=expires_at,
                revoked_at=None,
            )
        )
    return f"{PREFIX}_{token_id}_{secret}", record


async def list_tokens(engine: AsyncEngine) -> list[TokenRecord]:
    """Every token, the newest first."""
    await upgrade(engine)
    table = sql_table("api_tokens")
    query = sa.select(*(table.c[c] for c in _COLUMNS)).order_by(
        table.c.created_at.desc(), table.c.id
    )
    async with engine.connect() as connection:
        return [_record(row) for row in await connection.execute(query)]


async def revoke_token(engine: AsyncEngine, token_id: str) -> TokenRecord | None:
    """Revoke a token now (it is refused from the next request on); None when there is no
    such token. Revoking twice keeps the first time."""
    await upgrade(engine)
    table = sql_table("api_tokens")
    async with engine.begin() as connection:
        await connection.execute(
            table.update()
            .where(table.c.id == token_id, table.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        row = (
            await connection.execute(
                sa.select(*(table.c[c] for c in _COLUMNS)).where(table.c.id == token_id)
            )
        ).first()
    return None if row is None else _record(row)


async def verify(engine: AsyncEngine, token: str, now: datetime) -> TokenRecord | None:
    """The record of ``token`` when it is one of the store's, with the right secret, not
    revoked and not expired at ``now``; None otherwise (which of these, the caller need not
    know, and neither does the client)."""
    parsed = parse(token)
    if parsed is None:
        return None
    token_id, secret = parsed
    table = sql_table("api_tokens")
    query = sa.select(*(table.c[c] for c in _COLUMNS), table.c.secret_sha256).where(
        table.c.id == token_id
    )
    async with engine.connect() as connection:
        row = (await connection.execute(query)).first()
    if row is None or not hmac.compare_digest(row.secret_sha256, digest(secret)):
        return None
    record = _record(row)
    return record if record.usable(now) else None
