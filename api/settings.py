"""Settings: the only place orgraph reads environment variables. Lower layers take arguments.

Flags win over ``ORGRAPH_*`` environment variables, which win over the defaults here
(docs/configuration.md lists them all)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from api.core.limits import Limits
from graph.initiatives import Initiatives, InitiativesError, default_initiatives
from store.database import DEFAULT_DATABASE_URL


class SettingsError(ValueError):
    """An environment variable with a value orgraph cannot use; the message names it."""


def _env_int(name: str, default: int, *, low: int = 1) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: not a whole number") from None
    if value < low:
        raise SettingsError(f"{name}={raw!r}: must be at least {low}")
    return value


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r}: use true or false")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    #: seconds a GraphQL request may compute before it is stopped with TIMEOUT
    request_timeout: int = 10
    limits: Limits = field(default_factory=Limits)
    #: the initiatives and the role and platform vocabularies (ORGRAPH_INITIATIVES: a file)
    initiatives: Initiatives = field(default_factory=default_initiatives)

    @classmethod
    def from_env(
        cls,
        *,
        database_url: str | None = None,
        host: str | None = None,
        port: int | None = None,
        initiatives: str | None = None,
    ) -> Settings:
        """Flags win over ``ORGRAPH_*`` environment variables, which win over defaults."""
        defaults = Limits()
        limits = Limits(
            **{
                f.name: _env_int(f"ORGRAPH_{f.name.upper()}", getattr(defaults, f.name), low=1)
                for f in fields(Limits)
                if f.type in ("int", int) and f.name not in ("default_page", "max_page")
            },
            mask_errors=not _env_bool("ORGRAPH_DEBUG", False),
        )
        return cls(
            database_url=database_url
            or os.environ.get("ORGRAPH_DATABASE_URL")
            or DEFAULT_DATABASE_URL,
            host=host or os.environ.get("ORGRAPH_HOST") or "127.0.0.1",
            port=port or _env_int("ORGRAPH_PORT", 8000),
            request_timeout=_env_int("ORGRAPH_REQUEST_TIMEOUT", 10),
            limits=limits,
            initiatives=_initiatives(initiatives or os.environ.get("ORGRAPH_INITIATIVES")),
        )


def _initiatives(path: str | None) -> Initiatives:
    """The initiatives file at ``path`` (default: the shipped one), checked now, so that a
    bad file stops the server before it starts."""
    if not path:
        return default_initiatives()
    try:
        return Initiatives.load(path)
    except InitiativesError as error:
        raise SettingsError(str(error)) from None
