"""``orgraph serve`` and ``orgraph export-schema``."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from api.cli.common import DbOption, console
from api.settings import Settings

HostOption = Annotated[str, typer.Option(help="Interface to listen on")]
PortOption = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")]


def run_server(settings: Settings, host: str, port: int) -> None:
    """Serve the API with uvicorn until interrupted."""
    import uvicorn

    from api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    console.print(f"GraphiQL on http://{host}:{port}/graphql (database {settings.database_url})")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


def serve(db: DbOption = None, host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql, /healthz, /readyz) over the store."""
    run_server(Settings.from_env(database_url=db), host, port)


def export_schema() -> None:
    """Print the GraphQL schema (SDL); schema.graphql in the repository is exactly this."""
    from api.schema import schema

    typer.echo(schema.as_str())
