"""The dashboard's routes: the page at ``GET /`` and its files under ``/static/dashboard/``.

The page is a shell (``page.html``) that loads the vendored chart library with its integrity
and our ES modules from a path that carries their build id (``assets.py``); everything it shows
comes from ``POST /graphql``. Its Content-Security-Policy allows only this server and no inline
script or style, so a script or style from anywhere else is refused by the browser (the browser
test watches for such refusals).
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import BaseRoute, Route

from api.core.vendored import Preloaded
from api.dashboard.assets import APP, ASSETS, VENDORED, app_prefix, modules

PAGE = Template((Path(__file__).parent / "page.html").read_text())

#: Only this server; no inline script or style, no plugin, no frame, no form posted elsewhere.
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

#: Headers of the page and of every file (the page itself is revalidated on each load).
HEADERS = {
    "content-security-policy": POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}


def render() -> str:
    """The page: the vendored style and script with their integrity, then ours."""
    return PAGE.substitute(
        app=app_prefix(),
        vendor_styles="\n".join(VENDORED.tag(a) for a in ASSETS if a.name.endswith(".css")),
        vendor_scripts="\n".join(VENDORED.tag(a) for a in ASSETS if a.name.endswith(".js")),
        preloads="\n".join(f'<link rel="modulepreload" href="{url}">' for url in modules()),
    )


async def page(request: Request) -> HTMLResponse:
    """``GET /``: the dashboard."""
    return HTMLResponse(render(), headers=HEADERS)


def routes() -> list[BaseRoute]:
    """The page and its files, served from memory: the vendored ones under ``vendor/`` (their
    names carry their version), ours under the build id (a year-long cache either way)."""
    vendored = Preloaded(VENDORED.directory, HEADERS, immutable=VENDORED.versioned)
    ours = Preloaded(APP, HEADERS, immutable=True)
    return [
        Route("/", page, name="dashboard"),
        vendored.route(VENDORED.prefix, "dashboard-vendor"),
        ours.route(app_prefix(), "dashboard-app"),
    ]
