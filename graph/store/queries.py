"""Read queries on the store (the loader's writes are in graph/store/bulk.py)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, func, select

from graph.store.models import (
    Change,
    Coverage,
    Debt,
    Deployment,
    Incident,
    Load,
    Person,
    Review,
    Service,
    Team,
)
from graph.tree import ServiceVersion, TeamVersion

#: Each kind of event and the timestamp that places it in time.
EVENT_TIMES = {
    "deployments": Deployment.finished_at,
    "changes": Change.opened_at,
    "reviews": Review.submitted_at,
    "incidents": Incident.started_at,
    "coverage": Coverage.measured_at,
    "debt": Debt.measured_at,
}


async def has_schema(connection: AsyncConnection) -> bool:
    return await connection.run_sync(lambda sync: sa.inspect(sync).has_table("teams"))


async def team_versions(connection: AsyncConnection) -> list[TeamVersion]:
    rows = await connection.execute(
        select(Team.id, Team.name, Team.parent_id, Team.type, Team.valid_from, Team.valid_to)
    )
    return [
        TeamVersion(id, name, parent, kind, start, end)
        for id, name, parent, kind, start, end in rows
    ]


async def service_versions(connection: AsyncConnection) -> list[ServiceVersion]:
    rows = await connection.execute(
        select(
            Service.id,
            Service.name,
            Service.owner_team_id,
            Service.platform,
            Service.valid_from,
            Service.valid_to,
        )
    )
    return [ServiceVersion(*row) for row in rows]


async def distinct_count(connection: AsyncConnection, column: sa.ColumnElement[str]) -> int:
    return int((await connection.execute(select(func.count(sa.distinct(column))))).scalar_one())


async def event_counts(connection: AsyncConnection) -> dict[str, int]:
    counts = {}
    for kind, stamp in EVENT_TIMES.items():
        counts[kind] = int((await connection.execute(select(func.count()).select_from(stamp.table))).scalar_one())
    return counts


async def event_span(connection: AsyncConnection) -> tuple[datetime | None, datetime | None]:
    """The first and last event time over every kind of event."""
    firsts, lasts = [], []
    for stamp in EVENT_TIMES.values():
        first, last = (await connection.execute(select(func.min(stamp), func.max(stamp)))).one()
        if first is not None:
            firsts.append(first)
            lasts.append(last)
    return (min(firsts) if firsts else None, max(lasts) if lasts else None)


async def people_count(connection: AsyncConnection) -> int:
    return await distinct_count(connection, col(Person.id))


async def service_count(connection: AsyncConnection) -> int:
    return await distinct_count(connection, col(Service.id))


async def load_count(connection: AsyncConnection) -> int:
    return int((await connection.execute(select(func.count()).select_from(Load))).scalar_one())


