"""The limits that keep the API safe to expose (docs/configuration.md, docs/api.md), and the
figures the cost of a query is estimated with. They are checked before anything is executed,
each refusal with its own code:

1. parsing, with a cap on tokens (and the HTTP view's cap on bytes): ``api/core/extensions.py``;
2. the document's shape (depth, aliases, nested introspection lists): ``api/core/shape.py``;
3. after the standard validation, the operation with its variables coerced (page sizes,
   windows, trend lengths and the estimated cost, with the values the request really asks
   for): ``api/core/cost.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

#: The dates a request may name (structure dates, windows, status days).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


@dataclass(frozen=True)
class Limits:
    """The limits of one API (docs/configuration.md)."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    cost_budget: int = 10_000
    #: bytes of a POST body or a GET query string (413 or 414 beyond)
    max_request_bytes: int = 128 * 1024
    #: periods of one trend
    max_trend_points: int = 1000
    #: introspection lists nested in one another (``types { fields { args } }`` is 3)
    max_introspection_lists: int = 3
    default_page: int = 20
    max_page: int = 100
    #: estimated cost one client (a token, a user, an open client's address) may spend per
    #: minute; past it RATE_LIMITED with Retry-After
    cost_per_minute: int = 200_000
    mask_errors: bool = True
    #: schema introspection (GraphiQL and code generators need it; off in production if you
    #: like: ORGRAPH_INTROSPECTION=false)
    introspection: bool = True


#: The cost of one field beyond 1: a KPI report is many look-ups; a trend costs one per
#: period (at least this much); ordering children computes one KPI per child. The insights
#: (docs/insights.md) are priced by the KPI values and fits they compute, for a level of about
#: a hundred teams: ``correlations`` costs this per KPI asked (every KPI: 1,800), outliers one
#: KPI over the teams, a migration effect a panel of the services' months, a forecast a series
#: of up to 156 periods and a model's fit (about 5 reports), an outlook the same.
FIELD_COST = {
    "kpis": 20,
    "trend": 10,
    "correlations": 100,
    "outliers": 100,
    "bottlenecks": 15,
    "migrationEffect": 1000,
    "couldBenefit": 100,
    "forecast": 100,
    "outlook": 100,
}
#: Lists that are not connections, with the length assumed for what is under them.
LIST_SIZE = {"ancestors": 10, "path": 10, "initiatives": 10, "roots": 20}
#: What ordering a page of children by a KPI costs: the KPI of every child, up to a page.
ORDER_COST = 100
#: Cost reported beyond this is shown as this (a JSON number every client can read).
COST_CEILING = 2**53 - 1
