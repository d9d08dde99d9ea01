"""The GraphQL types of a platform migration's effect and of the teams that could benefit
next (graph/insights/migration.py, docs/insights.md)."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from api.core.connections import AfterArg, Connection, FirstArg, connection
from api.core.context import Context
from api.core.scope import TeamData, engine_view
from api.core.wrapping import in_declared_order, reads
from api.insights.types import definition, window_end, window_start
from api.kpis.enums import Reason
from api.kpis.types import KpiDefinition
from api.teams.types import Team
from graph import insights
from graph.catalogue import Kpi as EngineKpi


@strawberry.type(description="A migration's effect on one delivery KPI of the services.")
@in_declared_order
class DeliveryEffect:
    found: strawberry.Private[insights.Effect]
    view: strawberry.Private[TeamData]

    @strawberry.field(description="The KPI, per service: its unit and better direction.")
    def kpi(self) -> KpiDefinition:
        return definition(self.view, self.found.kpi)

    ratio: bool = reads(
        "found.ratio",
        description="True: `estimate` and its interval are factors (0.5: halved), compared "
        "on a log scale; false: differences in the KPI's unit.",
    )
    before: float | None = reads(
        "found.before",
        description="The migrated services' mean per month before their migration (geometric "
        "for a ratio).",
    )
    after: float | None = reads("found.after", description="The same after their migration.")
    estimate: float | None = reads(
        "found.estimate",
        description="Difference in differences: the migrated services' change less the "
        "not-migrated services' change over the same months (two-way fixed effects).",
    )
    low: float | None = reads("found.low", description="Lower end of its 95% interval.")
    high: float | None = reads("found.high", description="Upper end of its 95% interval.")
    p_value: float | None = reads(
        "found.p_value", description="P-value of no effect (clustered by service)."
    )
    migrated_services: int = reads(
        "found.migrated", description="Migrated services with months before and after."
    )
    control_services: int = reads(
        "found.controls", description="Services off the target platforms all along, with data."
    )
    observations: int = reads(
        "found.observations", description="Service-months the estimate is over."
    )
    reason: Reason | None = reads("found.reason", description="Why the estimate is withheld.")


@strawberry.type(description="A team that still owns services off the target platforms.")
class MigrationCandidate:
    found: strawberry.Private[insights.Candidate]
    view: strawberry.Private[TeamData]

    @strawberry.field(description="The team.")
    def team(self) -> Team:
        return Team(key=self.found.team, view=self.view)

    services: int = reads("found.services", description="Services it owns on the last day.")
    unmigrated_services: int = reads(
        "found.unmigrated", description="Of them, not on a target platform."
    )
    unmigrated_share: float = reads(
        "found.unmigrated_share", description="The same as a share (ratio 0..1)."
    )
    lead_time_hours_p50: float | None = reads(
        "found.lead_time_p50", description="Its median lead time over the window, hours."
    )
    deployments_per_week: float | None = reads(
        "found.deployments_per_week", description="Its deployments per week over the window."
    )
    change_failure_rate: float | None = reads(
        "found.change_failure_rate", description="Its change failure rate (ratio 0..1)."
    )
    score: float = reads(
        "found.score",
        description="`unmigratedShare` x `leadTimeHoursP50` x (1 - the lead-time factor) when "
        "the effect is a clear gain (its interval below 1), else without the last term: hours "
        "of median lead time the migration would take off, if it did for this team what it "
        "did for the migrated services. A ranking, not a promise.",
    )


@strawberry.type(
    description="What moving services to the target platforms did to their delivery, and "
    "which teams would be next (docs/insights.md)."
)
@in_declared_order
class MigrationEffect:
    found: strawberry.Private[insights.Migration]
    view: strawberry.Private[TeamData]

    @strawberry.field(description="The subtree whose services are compared.")
    def under(self) -> Team:
        return Team(key=self.found.under, view=self.view)

    start: date = window_start()
    end: date = window_end()

    @strawberry.field(description="The target platforms (the configured ones).")
    def platforms(self) -> list[str]:
        return sorted(self.found.platforms)

    @strawberry.field(
        description="Deployments per week, lead time and change failure rate, each its effect."
    )
    def effects(self) -> list[DeliveryEffect]:
        return [DeliveryEffect(found=e, view=self.view) for e in self.found.effects]

    @strawberry.field(
        description="The active children of `under` that own services off the target "
        "platforms, the largest `score` first."
    )
    def could_benefit(
        self, info: Info[Context, None], first: FirstArg = None, after: AfterArg = None
    ) -> Connection[MigrationCandidate]:
        info.context.check_deadline()
        found = self.found
        lead = next(e for e in found.effects if e.kpi is EngineKpi.LEAD_TIME_HOURS_P50)
        engine = engine_view(self.view, found.under, org=False)  # its teams' figures
        ranked = insights.candidates(engine, found.under, found.start, found.end, lead)
        return connection(
            [MigrationCandidate(found=c, view=self.view) for c in ranked], first, after
        )
