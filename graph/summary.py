"""What the store holds, in a few numbers (``orgraph info``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from graph.tree import build_org_tree
from store import queries


@dataclass(frozen=True)
class StoreSummary:
    as_of: date
    teams: int
    active_teams: int
    roots: tuple[str, ...]
    depth: int  # levels in the tree: a lone root is depth 1
    people: int
    services: int
    events: dict[str, int]
    first_event: datetime | None
    last_event: datetime | None
    loads: int


async def store_summary(engine: AsyncEngine, as_of: date | None = None) -> StoreSummary | None:
    """The summary of the store, with the org structure of ``as_of`` (default today); None when
    nothing was ever loaded."""
    day = as_of or date.today()
    async with engine.connect() as connection:
        if not await queries.has_schema(connection):
            return None
        versions = await queries.team_versions(connection)
        if not versions:
            return None
        tree = build_org_tree(versions, as_of=day)
        first, last = await queries.event_span(connection)
        return StoreSummary(
            as_of=day,
            teams=len(tree),
            active_teams=sum(1 for team in tree.team_ids if tree.is_active(team)),
            roots=tree.roots,
            depth=1 + max(tree.depth(team) for team in tree.team_ids),
            people=await queries.distinct_ids(connection, "people"),
            services=await queries.distinct_ids(connection, "services"),
            events=await queries.event_counts(connection),
            first_event=first,
            last_event=last,
            loads=await queries.row_count(connection, "loads"),
        )
