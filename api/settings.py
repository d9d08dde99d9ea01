"""Settings: the only place orgraph reads environment variables. Lower layers take arguments.

Flags win over ``ORGRAPH_*`` environment variables, which win over the defaults here
(docs/configuration.md lists them all)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field, fields, replace

from api.core.access import Network, TrustedHeaders
from api.core.limits import Limits
from graph.initiatives import Initiatives, InitiativesError, default_initiatives
from graph.report import KpiConfig
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


def _env_list(name: str) -> tuple[str, ...]:
    raw = os.environ.get(name) or ""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _networks(name: str) -> tuple[Network, ...]:
    found = []
    for part in _env_list(name):
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(f"{name}: {part!r} is no IP address or network") from None
    return tuple(found)


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
    #: no authentication: anyone who reaches the port sees everything (the demo, a trusted
    #: machine); said on start-up
    open: bool = False
    #: people-derived figures of fewer people are withheld (graph/privacy.py); 0: none
    privacy_floor: int = 5
    #: an aggregate over teams outside a token's scope needs at least this many of them
    min_peers: int = 3
    trusted_headers: TrustedHeaders = field(default_factory=TrustedHeaders)
    #: origins a browser may call the API from (CORS); none: CORS is off
    cors_origins: tuple[str, ...] = ()
    #: GraphiQL at GET /graphql (off in production if you like)
    graphiql: bool = True

    @property
    def kpi_config(self) -> KpiConfig:
        """The engine's configuration: the initiatives file's vocabularies and the floor."""
        return replace(self.initiatives.config, privacy_floor=self.privacy_floor)

    @classmethod
    def from_env(
        cls,
        *,
        database_url: str | None = None,
        host: str | None = None,
        port: int | None = None,
        initiatives: str | None = None,
        open: bool | None = None,
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
            introspection=_env_bool("ORGRAPH_INTROSPECTION", True),
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
            open=open or _env_bool("ORGRAPH_OPEN", False),
            privacy_floor=_env_int("ORGRAPH_PRIVACY_FLOOR", 5, low=0),
            min_peers=_env_int("ORGRAPH_MIN_PEERS", 3, low=1),
            trusted_headers=TrustedHeaders(
                proxies=_networks("ORGRAPH_TRUSTED_PROXIES"),
                user=os.environ.get("ORGRAPH_USER_HEADER") or TrustedHeaders.user,
                scope=os.environ.get("ORGRAPH_SCOPE_HEADER") or TrustedHeaders.scope,
                role=os.environ.get("ORGRAPH_ROLE_HEADER") or TrustedHeaders.role,
            ),
            cors_origins=_env_list("ORGRAPH_CORS_ORIGINS"),
            graphiql=_env_bool("ORGRAPH_GRAPHIQL", True),
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
