"""GraphiQL, served by orgraph itself: the page at ``GET /graphql`` and its pinned assets under
``/static/graphiql/``. Nothing the page needs comes from outside the server (our users'
networks often have no internet), and its Content-Security-Policy makes the browser refuse
anything that would.

The vendored files are the npm packages' own builds, byte for byte (``api/core/vendored.py``):
:data:`ASSETS` pins each one's package, version, path in the package and SHA-384 (the same
hashes Strawberry's CDN page uses as subresource integrity), ``scripts/vendor.py`` fetches them
again with ``npm pack`` and checks those hashes, and a test checks the committed files against
them.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount

from api.core.vendored import Asset, Vendored

DIRECTORY = Path(__file__).parent / "static" / "graphiql"
PREFIX = "/static/graphiql"


#: In load order: React first, GraphiQL needs it; the explorer plugin needs GraphiQL.
ASSETS = (
    Asset(
        "react", "18.2.0", "umd/react.production.min.js", "react-18.2.0.production.min.js",
        "tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8", "react.txt",
    ),
    Asset(
        "react-dom", "18.2.0", "umd/react-dom.production.min.js",
        "react-dom-18.2.0.production.min.js",
        "bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh", "react-dom.txt",
    ),
    Asset(
        "graphiql", "3.8.3", "graphiql.min.css", "graphiql-3.8.3.min.css",
        "Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM", "graphiql.txt",
    ),
    Asset(
        "graphiql", "3.8.3", "graphiql.min.js", "graphiql-3.8.3.min.js",
        "HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie", "graphiql.txt",
    ),
    Asset(
        "@graphiql/plugin-explorer", "1.0.2", "dist/style.css", "plugin-explorer-1.0.2.css",
        "5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
        "plugin-explorer.txt",
    ),
    Asset(
        "@graphiql/plugin-explorer", "1.0.2", "dist/index.umd.js", "plugin-explorer-1.0.2.umd.js",
        "2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
        "plugin-explorer.txt",
    ),
)  # fmt: skip

#: The set, with the licence that stands in for the explorer plugin's (it ships none).
VENDORED = Vendored(
    DIRECTORY,
    PREFIX,
    ASSETS,
    borrowed={
        "@graphiql/plugin-explorer": (
            "graphiql",
            "@graphiql/plugin-explorer 1.0.2 ships no licence file of its own; its package.json "
            'says "license": "MIT" and\nit is published from the graphiql repository '
            "(https://github.com/graphql/graphiql, packages/graphiql-plugin-explorer),\nwhose "
            "licence follows.\n\n",
        )
    },
)

#: orgraph's own files beside them: the script that starts GraphiQL and a few styles (a
#: separate file, not inline, so that the policy can forbid inline scripts).
OWN = ("orgraph-graphiql.js", "orgraph-graphiql.css")

#: Everything from this server, nothing inline but styles React sets on elements, no frames.
POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

#: The query the editor opens with when the URL names none: the last 365 days up to today.
FIRST_QUERY = """\
# orgraph: engineering KPIs of any team's subtree. Press Ctrl-Enter (or the ▶ button) to run
# this query; the Docs pane (the book, top left) describes every type, field and argument.
# An answer UNAUTHENTICATED? Put your token in the Headers pane below:
#   {{ "Authorization": "Bearer orgraph_..." }}    (`orgraph token create`, docs/security.md)
{{
  roots {{
    key
    name
    kpis(from: "{start}", to: "{end}") {{
      deploymentsPerWeek {{ value sampleSize coverage typicalMedian }}
      leadTimeHoursP50 {{ value sampleSize coverage typicalMedian }}
      deploymentTier
      leadTimeTier
    }}
  }}
  kpiDefinitions {{ key name unit better }}
}}
"""


def render(today: date) -> str:
    """The page: the vendored styles and scripts with their integrity, then ours."""
    head = [VENDORED.tag(a) for a in ASSETS if a.name.endswith(".css")]
    body = [VENDORED.tag(a) for a in ASSETS if a.name.endswith(".js")]
    query = FIRST_QUERY.format(start=today - timedelta(days=365), end=today)
    settings = html.escape(json.dumps({"query": query}), quote=True)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>orgraph · GraphiQL</title>
<link rel="icon" href="data:,">
{chr(10).join(head)}
<link rel="stylesheet" href="{PREFIX}/{OWN[1]}">
</head>
<body>
<div id="graphiql" data-settings="{settings}">Loading GraphiQL…</div>
{chr(10).join(body)}
<script src="{PREFIX}/{OWN[0]}"></script>
</body>
</html>
"""


#: Headers of the page and of every asset.
HEADERS = {
    "content-security-policy": POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-cache",
}


def page(request: Request) -> HTMLResponse:
    """``GET /graphql`` from a browser."""
    return HTMLResponse(render(datetime.now(UTC).date()), headers=HEADERS)


def assets() -> Mount:
    """The route that serves GraphiQL's scripts and styles (their fonts are inside the CSS)."""
    return VENDORED.mount("graphiql-assets", HEADERS)
