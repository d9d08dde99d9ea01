"""Schema migrations (Alembic): every store is brought to the newest schema by upgrading it,
never by dropping it."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine) -> None:
    """Create or upgrade the store behind ``engine`` to the newest schema, in one transaction."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def _compare(connection: Connection) -> list[object]:
    from alembic.autogenerate import compare_metadata
    from sqlmodel import SQLModel

    import store.models  # noqa: F401  (registers the tables)

    return list(compare_metadata(MigrationContext.configure(connection), SQLModel.metadata))


async def pending_model_changes(engine: AsyncEngine) -> list[object]:
    """What the models have that the migrated store lacks (empty when a migration is not due)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_compare)


def main() -> None:
    """``python -m store.migrate revision "message"``: write a new migration from the
    models, diffed against a scratch SQLite store at the current head."""
    import asyncio
    import sys
    import tempfile

    from store.database import create_engine

    if len(sys.argv) != 3 or sys.argv[1] != "revision":
        raise SystemExit('usage: python -m store.migrate revision "what changes"')

    async def revision(message: str) -> None:
        with tempfile.TemporaryDirectory() as scratch:
            engine = create_engine(f"sqlite:///{scratch}/head.db")
            await upgrade(engine)
            async with engine.begin() as connection:
                await connection.run_sync(
                    lambda sync: command.revision(
                        alembic_config(sync), message=message, autogenerate=True
                    )
                )
            await engine.dispose()

    asyncio.run(revision(sys.argv[2]))


if __name__ == "__main__":
    main()
