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
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from store.database import asyncpg_arguments, normalize_url
from store.migrate import upgrade
from store.models import from_epoch_micros, sql_table

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


class TokenLookup:
    """The server's lookup of a request's token: one query by primary key on every request,
    so that the server sees the store's tokens as they are now and a revocation (from the
    command line, another process) takes effect at its very next request.

    The query runs on a connection of the lookup's own, through the driver itself: through
    SQLAlchemy's async layer it costs about 0.3 ms, a tenth of a team page; on SQLite's own
    module it is some 10 us (a read in WAL mode never waits for a writer), on asyncpg with a
    prepared statement about 0.1 ms. Any other URL (an in-memory SQLite) takes the engine's
    path."""

    def __init__(self, url: str, engine: AsyncEngine) -> None:
        self.url = normalize_url(url)
        self.engine = engine
        self._sqlite: sqlite3.Connection | None = None
        self._pool: Any = None

    async def verify(self, token: str, now: datetime) -> TokenRecord | None:
        """The record of ``token`` when it is one of the store's, with the right secret, not
        revoked and not expired at ``now``; None otherwise (which of these, the caller need
        not know, and neither does the client)."""
        parsed = parse(token)
        if parsed is None:
            return None
        token_id, secret = parsed
        found = await self._find(token_id)
        if found is None or not hmac.compare_digest(found[1], digest(secret)):
            return None
        record = found[0]
        return record if record.usable(now) else None

    async def _find(self, token_id: str) -> tuple[TokenRecord, str] | None:
        database = self.url.database or ""
        if self.url.drivername.startswith("sqlite") and database not in ("", ":memory:"):
            return self._find_in_sqlite(database, token_id)
        if self.url.drivername.startswith("postgresql"):
            return await self._find_in_postgresql(token_id)
        return await _find_with(self.engine, token_id)

    def _find_in_sqlite(self, path: str, token_id: str) -> tuple[TokenRecord, str] | None:
        try:
            if self._sqlite is None:
                # read and write (SQLite wants to for WAL's shared memory), never create
                uri = f"{Path(path).absolute().as_uri()}?mode=rw"
                self._sqlite = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=1.0)
            row = self._sqlite.execute(_QUERY.replace("$1", "?"), (token_id,)).fetchone()
        except sqlite3.OperationalError:  # no store file, or no tokens table yet
            return None
        if row is None:
            return None
        *values, secret = row
        values[4:7] = [None if v is None else from_epoch_micros(v) for v in values[4:7]]
        return _record_of(values), secret

    async def _find_in_postgresql(self, token_id: str) -> tuple[TokenRecord, str] | None:
        import asyncpg

        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                **asyncpg_arguments(self.url.render_as_string(hide_password=False)),
                min_size=1,
                max_size=4,
            )
        try:
            row = await self._pool.fetchrow(_QUERY, token_id)
        except asyncpg.UndefinedTableError:
            return None
        if row is None:
            return None
        *values, secret = tuple(row)
        return _record_of(values), secret

    async def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


_QUERY = f"SELECT {', '.join(_COLUMNS)}, secret_sha256 FROM api_tokens WHERE id = $1"


def _record_of(values: list[Any]) -> TokenRecord:
    token_id, name, role, scope, created, expires, revoked = values
    return TokenRecord(token_id, name, Role(role), scope, created, expires, revoked)


async def _find_with(engine: AsyncEngine, token_id: str) -> tuple[TokenRecord, str] | None:
    table = sql_table("api_tokens")
    query = sa.select(*(table.c[c] for c in _COLUMNS), table.c.secret_sha256).where(
        table.c.id == token_id
    )
    async with engine.connect() as connection:
        row = (await connection.execute(query)).first()
    return None if row is None else (_record(row), row.secret_sha256)
