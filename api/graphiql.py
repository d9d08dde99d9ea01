"""GraphiQL, served by orgraph itself: the page at ``GET /graphql`` and its pinned assets under
``/static/graphiql/`` (nothing is loaded from outside the server)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS = Path(__file__).parent / "static" / "graphiql"
PREFIX = "/static/graphiql"


def page(request: Request) -> HTMLResponse:
    """The GraphiQL page (placeholder: Strawberry's own, until the assets are vendored)."""
    from strawberry.http.ides import get_graphql_ide_html

    return HTMLResponse(get_graphql_ide_html("graphiql"))


def assets() -> Mount:
    """The route that serves GraphiQL's scripts, styles and fonts."""
    ASSETS.mkdir(parents=True, exist_ok=True)
    return Mount(PREFIX, app=StaticFiles(directory=ASSETS), name="graphiql-assets")
