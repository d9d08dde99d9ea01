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


def settings_for(
    db: str | None, host: str | None, port: int | None, initiatives: str | None = None
) -> Settings:
    try:
        return Settings.from_env(database_url=db, host=host, port=port, initiatives=initiatives)
    except SettingsError as exc:
        raise fail(str(exc)) from None


def run_server(settings: Settings) -> None:
    """Serve the API with uvicorn until interrupted."""
    import uvicorn

    from api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    base = f"http://{settings.host}:{settings.port}"
    console.print(f"Dashboard on {base}/", style="bold")
    console.print(f"GraphiQL on {base}/graphql (database {settings.database_url})")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")


def serve(
    db: DbOption = None,
    host: HostOption = None,
    port: PortOption = None,
    initiatives: InitiativesOption = None,
) -> None:
    """Serve the dashboard (at /) and the GraphQL API (GraphiQL at /graphql, /healthz, /readyz)
    over the store."""
    run_server(settings_for(db, host, port, initiatives))


def export_schema() -> None:
    """Print the GraphQL schema (SDL); schema.graphql in the repository is exactly this."""
    from api.schema import schema

    typer.echo(schema.as_str())
