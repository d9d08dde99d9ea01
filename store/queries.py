"""Read queries on the store (the loader's writes are in store/bulk.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from store.models import sql_table
from store.rows import ServiceVersion, TeamVersion

#: Each kind of event and the column that places it in time.
EVENT_TIMES = {
    "deployments": "finished_at",
    "changes": "opened_at",
    "reviews": "submitted_at",
    "incidents": "started_at",
    "coverage": "measured_at",
    "debt": "measured_at",
}


async def has_schema(connection: AsyncConnection) -> bool:
    return await connection.run_sync(lambda sync: sa.inspect(sync).has_table("teams"))


async def team_versions(connection: AsyncConnection) -> list[TeamVersion]:
    t = sql_table("teams")
    rows = await connection.execute(
        sa.select(t.c.id, t.c.name, t.c.parent_id, t.c.type, t.c.valid_from, t.c.valid_to)
    )
    return [TeamVersion(*row) for row in rows]


async def service_versions(connection: AsyncConnection) -> list[ServiceVersion]:
    s = sql_table("services")
    rows = await connection.execute(
        sa.select(s.c.id, s.c.name, s.c.owner_team_id, s.c.platform, s.c.valid_from, s.c.valid_to)
    )
    return [ServiceVersion(*row) for row in rows]


async def distinct_ids(connection: AsyncConnection, name: str) -> int:
    query = sa.select(sa.func.count(sa.distinct(sql_table(name).c.id)))
    return int((await connection.execute(query)).scalar_one())


async def row_count(connection: AsyncConnection, name: str) -> int:
    query = sa.select(sa.func.count()).select_from(sql_table(name))
    return int((await connection.execute(query)).scalar_one())


async def event_counts(connection: AsyncConnection) -> dict[str, int]:
    return {kind: await row_count(connection, kind) for kind in EVENT_TIMES}


async def event_span(connection: AsyncConnection) -> tuple[datetime | None, datetime | None]:
    """The first and last event time over every kind of event."""
    firsts, lasts = [], []
    for kind, column in EVENT_TIMES.items():
        stamp = sql_table(kind).c[column]
        first, last = (
            await connection.execute(sa.select(sa.func.min(stamp), sa.func.max(stamp)))
        ).one()
        if first is not None:
            firsts.append(first)
            lasts.append(last)
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


async def team_exists(connection: AsyncConnection, team_id: str) -> bool:
    """Whether the store has a team with this id (at any time of its history)."""
    if not await has_schema(connection):
        return False
    t = sql_table("teams")
    query = sa.select(sa.literal(1)).where(t.c.id == team_id).limit(1)
    return (await connection.execute(query)).first() is not None
