"""Teams and services in the structure of one date, with their KPIs, trends, headcount and children."""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.types import Info

from api.core.connections import (
    AfterArg,
    Connection,
    FirstArg,
    FromArg,
    Node,
    ToArg,
    connection,
    encode,
)
from api.core.context import Context
from api.core.scope import TeamData
from api.kpis.asked import asked, check_window
from api.kpis.enums import Grain, Kpi, Withheld
from api.kpis.types import Headcount, KpiReport, RoleCount, TrendPoint
from graph.services import ServiceKpis

if TYPE_CHECKING:
    from api.initiatives.types import InitiativeStatus
    from api.insights.forecast import Forecast


@strawberry.enum(description="Which way a list is sorted.")
class OrderDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="Smallest first (nulls last).")
    DESC = strawberry.enum_value("DESC", description="Largest first (nulls last).")


@strawberry.input(description="Sort teams by one KPI over a window.")
class TeamOrder:
    kpi: Kpi = strawberry.field(description="The KPI to sort by.")
    start: date = strawberry.field(name="from", description="First day of the window.")
    end: date = strawberry.field(name="to", description="Day after the window's last day.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="Largest first (default) or smallest first."
    )


@strawberry.type(
    description="A team (or org, or any node of the org tree) in the structure of one date."
)
class Team(Node):
    key: str = strawberry.field(description="The team's id in the source data.")
    view: strawberry.Private[TeamData]

    @strawberry.field(description="Opaque global id (it carries the structure date).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode("Team", self.key, self.view.tree.as_of.isoformat()))

    @strawberry.field(description="The team's name on the structure date.")
    def name(self) -> str:
        return self.view.tree.name(self.key)

    @strawberry.field(description="The team's type as the source gives it (org, team, ...).")
    def type(self) -> str | None:
        return self.view.tree.type(self.key)

    @strawberry.field(description="The structure date every field of this team answers under.")
    def as_of(self) -> date:
        return self.view.tree.as_of

    @strawberry.field(
        description="False for a team that ended before the structure date (or starts after it)."
    )
    def active(self) -> bool:
        return self.view.tree.is_active(self.key)

    @strawberry.field(description="The parent team; null for a root.")
    def parent(self) -> Team | None:
        parent = self.view.tree.parent(self.key)
        return None if parent is None else Team(key=parent, view=self.view)

    @strawberry.field(description="The teams above this one, the root first.")
    def ancestors(self) -> list[Team]:
        return [Team(key=k, view=self.view) for k in self.view.tree.ancestors(self.key)]

    @strawberry.field(description="Depth in the tree: 0 for a root.")
    def depth(self) -> int:
        return self.view.tree.depth(self.key)

    @strawberry.field(
        description="The teams directly under this one, by name (then key), or by a KPI with "
        "`orderBy` (teams without a value last, then by name)."
    )
    def children(
        self,
        info: Info[Context, None],
        first: FirstArg = None,
        after: AfterArg = None,
        include_inactive: Annotated[
            bool,
            strawberry.argument(
                description="Also list teams that are not active on the structure date."
            ),
        ] = False,
        order_by: Annotated[
            TeamOrder | None,
            strawberry.argument(
                description="Sort by a KPI over a window instead of by name (costs one KPI per "
                "child, computed before the page is cut)."
            ),
        ] = None,
    ) -> Connection[Team]:
        tree = self.view.tree
        keys = sorted(
            tree.children(self.key, include_inactive), key=lambda k: (tree.name(k).casefold(), k)
        )
        if order_by is not None:
            info.context.check_deadline()
            check_window(order_by.start, order_by.end)
            kpi = order_by.kpi
            values = {k: self.view.metric(kpi, k, order_by.start, order_by.end).value for k in keys}
            known = [k for k in keys if values[k] is not None]
            known.sort(
                key=lambda k: values[k] or 0.0, reverse=order_by.direction is OrderDirection.DESC
            )
            keys = known + [k for k in keys if values[k] is None]
        return connection([Team(key=k, view=self.view) for k in keys], first, after)

    @strawberry.field(description="Every team below this one, in tree order (preorder).")
    def descendants(
        self,
        max_depth: Annotated[
            int | None,
            strawberry.argument(description="Levels below this team to include (default: all)."),
        ] = None,
        first: FirstArg = None,
        after: AfterArg = None,
        include_inactive: Annotated[
            bool,
            strawberry.argument(
                description="Also list teams that are not active on the structure date."
            ),
        ] = False,
    ) -> Connection[Team]:
        tree = self.view.tree
        limit = None if max_depth is None else tree.depth(self.key) + max_depth
        keys = [
            k
            for k in tree.subtree(self.key)[1:]
            if (include_inactive or tree.is_active(k)) and (limit is None or tree.depth(k) <= limit)
        ]
        return connection([Team(key=k, view=self.view) for k in keys], first, after)

    @strawberry.field(description="Services the team owns on the structure date, by key.")
    def services(
        self,
        first: FirstArg = None,
        after: AfterArg = None,
        include_descendants: Annotated[
            bool, strawberry.argument(description="Also the services of every team below.")
        ] = True,
    ) -> Connection[Service]:
        tree = self.view.tree
        teams = tree.subtree(self.key) if include_descendants else (self.key,)
        keys = sorted(k for team in teams for k in tree.services_of(team))
        return connection([Service(key=k, view=self.view) for k in keys], first, after)

    @strawberry.field(description="Every KPI of the subtree over [from, to), with comparisons.")
    def kpis(self, info: Info[Context, None], start: FromArg, end: ToArg) -> KpiReport:
        info.context.check_deadline()
        check_window(start, end)
        wanted = asked(info)
        report = self.view.report(
            self.key,
            start,
            end,
            kpis=wanted.kpis,
            compare=wanted.compare,
            typical=wanted.typical,
            tiers=wanted.tiers,
        )
        return KpiReport(report=report)

    @strawberry.field(description="One KPI of the subtree for each period of [from, to).")
    def trend(
        self,
        kpi: Annotated[Kpi, strawberry.argument(description="The KPI to follow.")],
        start: FromArg,
        end: ToArg,
        grain: Annotated[Grain, strawberry.argument(description="Weeks or months.")] = Grain.WEEK,
        *,
        info: Info[Context, None],
    ) -> list[TrendPoint]:
        info.context.check_deadline()
        check_window(start, end)
        return [
            TrendPoint(period=period)
            for period in self.view.trend(kpi, self.key, start, end, grain)
        ]

    @strawberry.field(
        description="One KPI of the subtree forecast `horizon` weeks or months after `to` "
        "(default: the end of its data), with prediction intervals and the model's back-test "
        "error (docs/insights.md)."
    )
    def forecast(
        self,
        info: Info[Context, None],
        kpi: Annotated[Kpi, strawberry.argument(description="The KPI to forecast.")],
        horizon: Annotated[
            int, strawberry.argument(description="Periods ahead: 1..104 weeks or 1..24 months.")
        ],
        grain: Annotated[Grain, strawberry.argument(description="Weeks or months.")] = Grain.WEEK,
        end: Annotated[
            date | None,
            strawberry.argument(
                name="to",
                description="The history ends here (exclusive) and the forecast starts "
                "(default: the day after the KPI's data ends).",
            ),
        ] = None,
    ) -> Annotated[Forecast, strawberry.lazy("api.insights.forecast")]:
        from api.insights.resolvers import team_forecast

        return team_forecast(info, self.view, self.key, kpi, horizon, grain, end)

    @strawberry.field(
        description="Every initiative whose scope holds this team, for its subtree in the "
        "team's structure, on the day `on`."
    )
    def initiatives(
        self,
        info: Info[Context, None],
        on: Annotated[
            date | None,
            strawberry.argument(description="The status date (default: the structure date)."),
        ] = None,
    ) -> list[Annotated[InitiativeStatus, strawberry.lazy("api.initiatives.types")]]:
        from api.initiatives.types import team_initiatives

        return team_initiatives(info, self.view, self.key, on or self.view.tree.as_of)

    @strawberry.field(description="People of the subtree on a day, in total and by role.")
    def headcount(
        self,
        on: Annotated[
            date | None, strawberry.argument(description="The day (default: the structure date).")
        ] = None,
    ) -> Headcount:
        day = on or self.view.tree.as_of
        roles = self.view.roles_on(self.key, day)
        return Headcount(
            on=day,
            total=self.view.people_on(self.key, day),
            by_role=None if roles is None else RoleCount.all(roles),
            withheld=None if roles is not None else Withheld.BELOW_PRIVACY_FLOOR,
        )


@strawberry.type(description="One service's own delivery over a window (docs/kpis.md rules).")
class ServiceDelivery:
    kpis: strawberry.Private[ServiceKpis]

    @strawberry.field(description="Successful production deployments per week.")
    def deployments_per_week(self) -> float:
        return self.kpis.deployments_per_week

    @strawberry.field(description="Successful production deployments in the window.")
    def successful_deployments(self) -> int:
        return self.kpis.successful_deployments

    @strawberry.field(
        description="Failed or incident-causing production deployments ÷ all (ratio 0..1); "
        "null with none."
    )
    def change_failure_rate(self) -> float | None:
        return self.kpis.change_failure_rate

    @strawberry.field(description="Production deployments in the window (the rate's sample).")
    def production_deployments(self) -> int:
        return self.kpis.production_deployments

    @strawberry.field(
        description="Median lead time of its changes deployed in the window, hours (exact)."
    )
    def lead_time_hours_p50(self) -> float | None:
        return self.kpis.lead_time_hours_p50

    @strawberry.field(description="90th percentile lead time, hours (exact).")
    def lead_time_hours_p90(self) -> float | None:
        return self.kpis.lead_time_hours_p90

    @strawberry.field(description="Changes behind the lead time.")
    def lead_time_sample_size(self) -> int:
        return self.kpis.lead_time_sample


@strawberry.type(description="A service (a deployable unit) in the structure of one date.")
class Service(Node):
    key: str = strawberry.field(description="The service's id in the source data.")
    view: strawberry.Private[TeamData]

    @strawberry.field(description="Opaque global id (it carries the structure date).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(encode("Service", self.key, self.view.tree.as_of.isoformat()))

    @strawberry.field(description="The service's name on the structure date.")
    def name(self) -> str:
        return self.view.tree.service_name(self.key)

    @strawberry.field(description="The platform it runs on (e.g. native_aws), if the source says.")
    def platform(self) -> str | None:
        return self.view.tree.service_platform(self.key)

    @strawberry.field(
        description="False for a service with no version valid on the structure date."
    )
    def active(self) -> bool:
        return self.view.tree.is_service_active(self.key)

    @strawberry.field(
        description="The team that owns it on the structure date (else its last or first owner)."
    )
    def owner(self) -> Team | None:
        owner = self.view.tree.owner_of(self.key)
        return None if owner is None else Team(key=owner, view=self.view)

    @strawberry.field(
        description="The service's own delivery over [from, to): its events only, whoever "
        "owned it then."
    )
    def delivery(self, info: Info[Context, None], start: FromArg, end: ToArg) -> ServiceDelivery:
        check_window(start, end)
        return ServiceDelivery(kpis=self.view.service_delivery(self.key, start, end))

    @strawberry.field(description="The owner's path: the root first, the owner last.")
    def path(self) -> list[Team]:
        owner = self.view.tree.owner_of(self.key)
        if owner is None:
            return []
        keys = [*self.view.tree.ancestors(owner), owner]
        return [Team(key=k, view=self.view) for k in keys]


def has_service(view: TeamData, key: str) -> bool:
    try:
        view.tree.owner_of(key)
    except KeyError:
        return False
    return True
