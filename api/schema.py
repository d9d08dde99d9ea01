"""The GraphQL schema (Strawberry): the entry points and the schema class. Every type, field,
argument and enum value is described; `schema.graphql` is what `orgraph export-schema` prints.

Resolvers only read the rollup engine (`graph/engine.py`, `graph/view.py`), which answers from its indexes: no
resolver runs SQL, so the number of statements per request does not grow with the answer.
The types live by domain: `api/core/` (context, connections, errors, limits, HTTP),
`api/kpis/`, `api/teams/`, `api/initiatives/`.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext, Info

from api.core import numbers  # noqa: F401  (whole-number Floats go out as integers)
from api.core.access import Principal
from api.core.connections import (
    AfterArg,
    Connection,
    FirstArg,
    FromArg,
    Node,
    ToArg,
    connection,
    decode,
)
from api.core.context import Context, engine_of, view_of
from api.core.enums import described
from api.core.errors import ApiError, RequestTimeout
from api.core.extensions import extensions
from api.core.limits import Limits
from api.core.scope import TeamData
from api.core.wrapping import in_declared_order, reads
from api.insights import resolvers as insight
from api.insights.migration import MigrationEffect
from api.insights.resolvers import AsOfArg, LevelArg, UnderArg
from api.insights.types import Bottlenecks, Correlations, Outliers
from api.kpis.enums import Kpi
from api.kpis.types import KpiDefinition
from api.teams.types import Service, Team, has_service
from graph.catalogue import CATALOGUE
from store.tokens import Role

if TYPE_CHECKING:
    from api.initiatives.types import Initiative


described(
    Role,
    "Role",
    "What a client may do (docs/security.md).",
    {
        "VIEWER": "Read the subtree of its scope (all the org without one), and the "
        "aggregates comparisons need of the rest.",
        "ADMIN": "Read everything and manage tokens.",
    },
)


@strawberry.type(description="Who is asking, and what they may see (docs/security.md).")
@in_declared_order
class Viewer:
    principal: strawberry.Private[Principal]
    view: strawberry.Private[TeamData]

    id: str = reads(
        "principal.id",
        description="Who, as the audit log names it: `token:<id>`, `user:<name>` or "
        "`open:<address>` (an open server).",
    )
    role: Role = reads("principal.role", description="What the client may do.")

    @strawberry.field(
        description="The team whose subtree the client sees in full, in the structure of "
        "`asOf`; null when it sees the whole org (or the team is not in that structure)."
    )
    def scope(self) -> Team | None:
        scope = self.principal.scope
        if self.principal.sees_all or scope is None or scope not in self.view.tree:
            return None
        return Team(key=scope, view=self.view)

    open: bool = reads(
        "principal.open",
        description="True when the server is open: nobody needs a token (a demo, a trusted "
        "machine).",
    )
    privacy_floor: int = strawberry.field(
        description="People a subtree needs for the figures derived from people to be shown "
        "(`withheld` BELOW_PRIVACY_FLOOR otherwise; 0: none are withheld)."
    )


@strawberry.type(description="Entry points.")
class Query:
    @strawberry.field(description="Who is asking and what they may see: a client starts here.")
    def viewer(
        self,
        info: Info[Context, None],
        as_of: Annotated[
            date | None, strawberry.argument(description="Structure date (default: today).")
        ] = None,
    ) -> Viewer:
        context = info.context
        return Viewer(
            principal=context.principal,
            view=view_of(info, as_of),
            privacy_floor=context.engine.config.privacy_floor,
        )

    @strawberry.field(description="Any object by its global id.")
    def node(
        self,
        info: Info[Context, None],
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global id from an `id` field.")
        ],
    ) -> Node | None:
        parts = decode(str(id))
        if len(parts) != 3 or parts[0] not in ("Team", "Service"):
            raise ApiError(f"unknown id {str(id)!r}")
        try:
            as_of = date.fromisoformat(parts[2])
        except ValueError:
            raise ApiError(f"malformed id {str(id)!r}") from None
        view = view_of(info, as_of)
        if parts[0] == "Team":
            return Team(key=parts[1], view=view) if parts[1] in view.tree else None
        return Service(key=parts[1], view=view) if has_service(view, parts[1]) else None

    @strawberry.field(description="A service by its key, in the structure of `asOf`.")
    def service(
        self,
        info: Info[Context, None],
        key: Annotated[
            str, strawberry.argument(description="The service's id in the source data.")
        ],
        as_of: Annotated[
            date | None, strawberry.argument(description="Structure date (default: today).")
        ] = None,
    ) -> Service | None:
        view = view_of(info, as_of)
        return Service(key=key, view=view) if has_service(view, key) else None

    @strawberry.field(description="A team by its key, in the structure of `asOf`.")
    def team(
        self,
        info: Info[Context, None],
        key: Annotated[str, strawberry.argument(description="The team's id in the source data.")],
        as_of: Annotated[
            date | None, strawberry.argument(description="Structure date (default: today).")
        ] = None,
    ) -> Team | None:
        view = view_of(info, as_of)
        return Team(key=key, view=view) if key in view.tree else None

    @strawberry.field(
        description="Teams in today's structure whose name matches `search` (case-insensitive; prefix matches first, then other substrings), or all teams by name."
    )
    def teams(
        self,
        info: Info[Context, None],
        search: Annotated[
            str | None, strawberry.argument(description="Part of a team name.")
        ] = None,
        first: FirstArg = None,
        after: AfterArg = None,
        as_of: Annotated[
            date | None, strawberry.argument(description="Structure date (default: today).")
        ] = None,
    ) -> Connection[Team]:
        view = view_of(info, as_of)
        tree = view.tree
        named = sorted((tree.name(k).casefold(), k) for k in tree.team_ids)
        if search:
            needle = search.casefold()
            prefix = [k for name, k in named if name.startswith(needle)]
            inside = [k for name, k in named if needle in name and not name.startswith(needle)]
            keys = prefix + inside
        else:
            keys = [k for _, k in named]
        return connection([Team(key=k, view=view) for k in keys], first, after)

    @strawberry.field(
        description="The roots of the org tree on the structure date (the orgs), by name."
    )
    def roots(
        self,
        info: Info[Context, None],
        as_of: Annotated[
            date | None, strawberry.argument(description="Structure date (default: today).")
        ] = None,
        include_inactive: Annotated[
            bool,
            strawberry.argument(description="Also roots that are not active on that date."),
        ] = False,
    ) -> list[Team]:
        view = view_of(info, as_of)
        tree = view.tree
        keys = [k for k in tree.roots if include_inactive or tree.is_active(k)]
        return [
            Team(key=k, view=view) for k in sorted(keys, key=lambda k: (tree.name(k).casefold(), k))
        ]

    @strawberry.field(
        description="Every KPI with its unit, direction, null rule and data span, in report "
        "order: what a client needs to label, colour and grey out a figure."
    )
    def kpi_definitions(self, info: Info[Context, None]) -> list[KpiDefinition]:
        spans = engine_of(info).spans
        return [KpiDefinition(definition=d, span=spans[d.source]) for d in CATALOGUE.values()]

    @strawberry.field(description="Every initiative of the initiatives file, in its order.")
    def initiatives(
        self, info: Info[Context, None]
    ) -> list[Annotated[Initiative, strawberry.lazy("api.initiatives.types")]]:
        from api.initiatives.types import all_initiatives

        return all_initiatives(info)

    @strawberry.field(description="One initiative by its key; null when there is none.")
    def initiative(
        self,
        info: Info[Context, None],
        key: Annotated[str, strawberry.argument(description="The initiative's key.")],
    ) -> Annotated[Initiative, strawberry.lazy("api.initiatives.types")] | None:
        from api.initiatives.types import all_initiatives

        return next((i for i in all_initiatives(info) if i.definition.key == key), None)

    # -- insights (docs/insights.md) -------------------------------------------------------

    @strawberry.field(
        description="Correlations between KPIs across the teams of a subtree over [from, to): "
        "for each pair, Spearman's and Pearson's coefficients with their intervals, n and "
        "p-values corrected for the number of pairs. An association, not a cause."
    )
    def correlations(
        self,
        info: Info[Context, None],
        under: UnderArg,
        start: FromArg,
        end: ToArg,
        kpis: Annotated[
            list[Kpi] | None,
            strawberry.argument(description="The KPIs to pair up (default: every KPI)."),
        ] = None,
        level: LevelArg = None,
        as_of: AsOfArg = None,
    ) -> Correlations:
        return insight.correlations(info, under, kpis, start, end, level, as_of)

    @strawberry.field(
        description="The teams of a subtree far from the others on one KPI over [from, to) "
        "(robust z-score on the median and the median absolute deviation)."
    )
    def outliers(
        self,
        info: Info[Context, None],
        under: UnderArg,
        kpi: Annotated[Kpi, strawberry.argument(description="The KPI to compare on.")],
        start: FromArg,
        end: ToArg,
        level: LevelArg = None,
        threshold: Annotated[
            float,
            strawberry.argument(description="The |z| a team is listed from (default 3.5)."),
        ] = 3.5,
        as_of: AsOfArg = None,
    ) -> Outliers:
        return insight.outliers(info, under, kpi, start, end, level, threshold, as_of)

    @strawberry.field(
        description="The stages of a subtree's delivery flow (first review wait, review to "
        "merge, merge to deploy, restore) that take a larger share of its lead time than of "
        "its org's, over [from, to)."
    )
    def bottlenecks(
        self,
        info: Info[Context, None],
        team: Annotated[str, strawberry.argument(description="The team's key.")],
        start: FromArg,
        end: ToArg,
        as_of: AsOfArg = None,
    ) -> Bottlenecks:
        return insight.bottlenecks(info, team, start, end, as_of)

    @strawberry.field(
        description="What moving a subtree's services to the target platforms did to their "
        "delivery over [from, to) (difference in differences against the services that did "
        "not move), and which teams would be next."
    )
    def migration_effect(
        self,
        info: Info[Context, None],
        under: Annotated[
            str, strawberry.argument(description="The team whose services are compared.")
        ],
        start: FromArg,
        end: ToArg,
        as_of: AsOfArg = None,
    ) -> MigrationEffect:
        return insight.migration_effect(info, under, start, end, as_of)


class _Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log only what went wrong in orgraph: Strawberry logs every error with its stack,
        also a misspelt field, an unknown team or a request out of time, which the client is
        told and the server's log does not need (the access log has the request)."""
        unexpected = [
            error
            for error in errors
            if error.original_error is not None
            and not isinstance(error.original_error, ApiError | RequestTimeout)
        ]
        super().process_errors(unexpected, execution_context)


def build_schema(limits: Limits | None = None) -> strawberry.Schema:
    """The schema with the safety limits of ``limits`` (see api/core/limits.py)."""
    return _Schema(query=Query, types=[Team, Service], extensions=extensions(limits or Limits()))


schema = build_schema()
