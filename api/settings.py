"""Settings: the only place orgraph reads environment variables. Lower layers take arguments."""

from __future__ import annotations

import os
from dataclasses import dataclass

from graph.store.engine import DEFAULT_DATABASE_URL


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL

    @classmethod
    def from_env(cls, *, database_url: str | None = None) -> Settings:
        """Flags win over ``ORGRAPH_*`` environment variables, which win over defaults."""
        return cls(
            database_url=database_url
            or os.environ.get("ORGRAPH_DATABASE_URL")
            or DEFAULT_DATABASE_URL,
        )
