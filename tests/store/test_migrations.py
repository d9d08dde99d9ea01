"""The migrations build exactly the tables of the models, and upgrading is repeatable."""

from __future__ import annotations

from store.database import create_engine
from store.migrate import current_revision, head_revision, pending_model_changes, upgrade
from tests.conftest import Database


async def test_migrations_match_the_models(database: Database) -> None:
    engine = create_engine(database.url)
    try:
        await upgrade(engine)
        await upgrade(engine)  # an up-to-date store is left as it is
        assert await current_revision(engine) == head_revision()
        assert await pending_model_changes(engine) == []
    finally:
        await engine.dispose()
