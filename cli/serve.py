"""``orgraph serve`` and ``orgraph export-schema``."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from api.settings import Settings, SettingsError
from cli.common import DbOption, console, fail

HostOption = Annotated[
    str | None,
    typer.Option(
        help="Interface to listen on (ORGRAPH_HOST, default 127.0.0.1)", show_default=False
    ),
]
PortOption = Annotated[
    int | None,
    typer.Option(min=1, max=65535, help="Port (ORGRAPH_PORT, default 8000)", show_default=False),
]


InitiativesOption = Annotated[
    str | None,
    typer.Option(
        "--initiatives",
        help="Initiatives file, TOML (ORGRAPH_INITIATIVES; default: the shipped one, "
        "docs/initiatives.md)",
        show_default=False,
    ),
]


OpenOption = Annotated[
    bool,
    typer.Option(
        "--open",
        help="No authentication: anyone who reaches the port reads every team (ORGRAPH_OPEN=1; "
        "for the demo or a trusted machine, docs/security.md)",
    ),
]


def settings_for(
    db: str | None,
    host: str | None,
    port: int | None,
    initiatives: str | None = None,
    *,
    open: bool = False,
) -> Settings:
    try:
        return Settings.from_env(
            database_url=db, host=host, port=port, initiatives=initiatives, open=open or None
        )
    except SettingsError as exc:
        raise fail(str(exc)) from None


def run_server(settings: Settings) -> None:
    """Serve the API with uvicorn until interrupted."""
    import uvicorn

    from api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"Dashboard on {base}/", style="bold")
    console.print(f"GraphiQL on {base}/graphql (database {safe_url(settings)})")
    if settings.open:
        console.print(
            "[bold yellow]OPEN:[/] no authentication; anyone who reaches this port reads every "
            "team of the org (--open / ORGRAPH_OPEN). Without it, clients need a token."
        )
    else:
        console.print(
            "clients need a token (`orgraph token create`, sent as `Authorization: Bearer`); "
            f"privacy floor {settings.privacy_floor} people (docs/security.md)"
        )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


def safe_url(settings: Settings) -> str:
    """The database URL without its password (start-up lines end up in logs)."""
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def serve(
    db: DbOption = None,
    host: HostOption = None,
    port: PortOption = None,
    initiatives: InitiativesOption = None,
    open: OpenOption = False,
) -> None:
    """Serve the dashboard (at /) and the GraphQL API (GraphiQL at /graphql, /healthz, /readyz)
    over the store."""
    run_server(settings_for(db, host, port, initiatives, open=open))


def export_schema() -> None:
    """Print the GraphQL schema (SDL); schema.graphql in the repository is exactly this."""
    from api.schema import schema

    typer.echo(schema.as_str())
