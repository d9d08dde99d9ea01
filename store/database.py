"""The one engine factory: SQLite through aiosqlite (the embedded default) or PostgreSQL
through asyncpg, whichever form of URL the user gives."""

from __future__ import annotations

import shlex
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

#: The embedded default: a SQLite file in the working directory.
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///orgraph.db"

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class DatabaseUrlError(ValueError):
    """The database URL names a scheme orgraph does not speak."""


def normalize_url(url: str) -> URL:
    """Map plain and driver forms to the async driver orgraph uses.

    >>> normalize_url("postgresql://u@h/db").render_as_string()
    'postgresql+asyncpg://u@h/db'
    >>> normalize_url("sqlite:///x.db").drivername
    'sqlite+aiosqlite'
    """
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise DatabaseUrlError(f"not a database URL: {url!r}") from exc
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        known = "sqlite:///PATH or postgresql://USER@HOST:PORT/DB"
        raise DatabaseUrlError(
            f"unsupported database {parsed.drivername!r} in {url!r}: use {known}"
        )
    return parsed.set(drivername=driver)


def _server_settings(options: str) -> dict[str, str]:
    """libpq's ``options=-c key=value ...`` as asyncpg server settings."""
    settings: dict[str, str] = {}
    words = shlex.split(options)
    for flag, setting in zip(words[::2], words[1::2], strict=False):
        if flag != "-c" or "=" not in setting:
            raise DatabaseUrlError(f"options={options!r}: only '-c name=value' pairs are supported")
        key, _, value = setting.partition("=")
        settings[key] = value
    return settings


def asyncpg_arguments(url: str) -> dict[str, Any]:
    """``asyncpg.connect``'s arguments for a PostgreSQL ``url``: its DSN, and the server
    settings of a libpq-style ``options`` parameter."""
    parsed = normalize_url(url)
    arguments: dict[str, Any] = {}
    options = parsed.query.get("options")
    if options is not None:
        assert isinstance(options, str)
        arguments["server_settings"] = _server_settings(options)
        parsed = parsed.difference_update_query(["options"])
    plain = parsed.set(drivername="postgresql")
    arguments["dsn"] = plain.render_as_string(hide_password=False)
    return arguments


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (see :func:`normalize_url`).

    On PostgreSQL a libpq-style ``?options=-c search_path=x`` query parameter is honoured, so a
    URL alone can point orgraph at a schema (the tests give each run its own).
    """
    parsed = normalize_url(url)
    connect_args: dict[str, Any] = {}
    if parsed.drivername == "postgresql+asyncpg":
        options = parsed.query.get("options")
        if options is not None:
            assert isinstance(options, str)
            connect_args["server_settings"] = _server_settings(options)
            parsed = parsed.difference_update_query(["options"])
    engine = create_async_engine(parsed, connect_args=connect_args, **kwargs)
    if parsed.drivername == "sqlite+aiosqlite":
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while a load writes; NORMAL sync is durable at each commit in WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 256 MB of page cache (the default is 2 MB): bulk loads insert into primary-key indexes in
    # no particular order, and a small cache turns that into constant re-reads.
    cursor.execute("PRAGMA cache_size=-262144")
    cursor.close()
