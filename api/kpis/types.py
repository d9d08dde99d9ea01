"""The GraphQL types of KPIs: the enums (from the engine's, with their descriptions), a KPI's definition, one metric with its comparisons, the report of a subtree, trends and headcount."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypeVar

import strawberry

from api.core.wrapping import in_declared_order, reads
from api.kpis.enums import Better, DoraTier, Kpi, NullWhen, Unit, Withheld
from graph.catalogue import CATALOGUE
from graph.catalogue import Kpi as EngineKpi
from graph.catalogue import KpiDefinition as EngineDefinition
from graph.report import KpiReport as EngineReport
from graph.report import Metric as EngineMetric
from graph.spans import Span
from graph.trends import Period


@strawberry.type(
    description="What one KPI is: its unit, which direction is better, whether it adds up over "
    "teams, when it is null and how far the store's data for it reaches (docs/kpis.md)."
)
class KpiDefinition:
    definition: strawberry.Private[EngineDefinition]
    span: strawberry.Private[Span]

    @strawberry.field(description="The KPI, as in `Team.trend(kpi:)`.")
    def key(self) -> Kpi:
        return self.definition.kpi

    @strawberry.field(description="The `KpiReport` field that holds it.")
    def field(self) -> str:
        return self.definition.field

    @strawberry.field(description="A short name to show.")
    def name(self) -> str:
        return self.definition.name

    @strawberry.field(description="What it measures, with its unit.")
    def description(self) -> str:
        return self.definition.description

    @strawberry.field(description="What its value counts.")
    def unit(self) -> Unit:
        return self.definition.unit

    @strawberry.field(description="Which direction is an improvement.")
    def better(self) -> Better:
        return self.definition.better

    @strawberry.field(
        description="True when a parent's value is the sum of its teams' (deployments, debt, "
        "headcount): compare a team with `typicalMedian`, not with `orgValue`."
    )
    def additive(self) -> bool:
        return self.definition.additive

    @strawberry.field(description="What `Metric.sampleSize` counts for it.")
    def sample(self) -> str:
        return self.definition.sample

    @strawberry.field(description="When its value is null.")
    def null_when(self) -> NullWhen:
        return self.definition.null_when

    @strawberry.field(
        description="True for a state on the window's last day (headcount, coverage, ...), "
        "false for events over the window."
    )
    def point_in_time(self) -> bool:
        return self.definition.point_in_time

    @strawberry.field(description="True for a percentile (`Metric.exact` may be false).")
    def percentile(self) -> bool:
        return self.definition.percentile

    @strawberry.field(description="The data it reads (e.g. deployments, changes merged).")
    def source(self) -> str:
        return self.definition.source.value

    @strawberry.field(description="The first day the store has data for it; null with none.")
    def data_from(self) -> date | None:
        return self.span.first

    @strawberry.field(
        description="The last day the store has data for it; null with none, or for a state "
        "that holds until the history says otherwise (people, services, measurements)."
    )
    def data_to(self) -> date | None:
        return self.span.last


# -- metrics ----------------------------------------------------------------------------------


@strawberry.type(
    description="One KPI over a window, with the sample behind it and its comparisons "
    "(docs/kpis.md). Units are those of the `KpiReport` field it came from."
)
@in_declared_order
class Metric:
    metric: strawberry.Private[EngineMetric]

    value: float | None = reads(
        "metric.value",
        description="The KPI's value; null where docs/kpis.md says null (an empty sample, or "
        "no service or no people for a rate).",
    )

    sample_size: int | None = reads(
        "metric.shown_sample",
        description="Events, people or services behind the value; null when it is withheld.",
    )

    withheld: Withheld | None = reads(
        "metric.withheld",
        description="Why `value` and `sampleSize` are null although there may be data: "
        "BELOW_PRIVACY_FLOOR for a figure derived from people over a subtree of too few "
        "people (docs/security.md). Null when they are shown.",
    )
    exact: bool = reads(
        "metric.exact",
        description="False for a percentile read from the histograms: within 1% of the exact "
        "nearest-rank value.",
    )
    org_value: float | None = reads(
        "metric.comparison.org_value", description="The same KPI for the team's root."
    )
    parent_value: float | None = reads(
        "metric.comparison.parent_value",
        description="The same KPI for the parent team (null for a root).",
    )
    peer_median: float | None = reads(
        "metric.comparison.peer_median",
        description="Nearest-rank median over the active siblings that have a value.",
    )
    peer_percentile: float | None = reads(
        "metric.comparison.peer_percentile",
        description="Percentile rank among those peers, 0..100 (below, plus half of equal).",
    )
    z_score: float | None = reads(
        "metric.comparison.z_score",
        description="(value - peers' mean) ÷ peers' population standard deviation; null with "
        "fewer than two peers or no spread.",
    )
    previous_value: float | None = reads(
        "metric.comparison.previous_value",
        description="The KPI over the window of the same length that ends at `from`.",
    )
    coverage: float = reads(
        "metric.coverage",
        description="Share of the window's days (0..1) that lie within the days the store has "
        "data for this KPI (`KpiDefinition.dataFrom`..`dataTo`); a point-in-time KPI: 1 or 0 "
        "for the window's last day. Below 1 the value misses part of its window: grey it out.",
    )
    previous_coverage: float | None = reads(
        "metric.comparison.previous_coverage",
        description="The same for the previous window: a `previousValue` with a low coverage "
        "is no base for a trend.",
    )
    typical_median: float | None = reads(
        "metric.comparison.typical_median",
        description="The org's typical team: nearest-rank median of the KPI over the active "
        "teams of the team's root at the team's depth (this team included) that have a value. "
        "Compare with this rather than `orgValue`, which for an additive KPI is the org's total.",
    )
    typical_mean: float | None = reads(
        "metric.comparison.typical_mean", description="The mean over the same teams."
    )
    typical_teams: int | None = reads(
        "metric.comparison.typical_teams",
        description="How many teams the typical figures are over.",
    )

    @strawberry.field(
        description="The comparison figures left out (null above) for this client, and why: "
        "a token scoped to a subtree sees no aggregate that would show fewer than "
        "`ORGRAPH_MIN_PEERS` teams outside it (TOO_FEW_PEERS), nor its own team's "
        "`parentValue` (OUTSIDE_SCOPE). Empty when nothing is left out (docs/security.md)."
    )
    def withheld_comparisons(self) -> list[WithheldFigure]:
        compared = self.metric.comparison
        if compared is None:
            return []
        return [
            WithheldFigure(field=_camel(name), reason=reason) for name, reason in compared.withheld
        ]


@strawberry.type(description="A figure left out of an answer, and why.")
class WithheldFigure:
    field: str = strawberry.field(description="The field left out (null), e.g. `peerMedian`.")
    reason: Withheld = strawberry.field(description="Why.")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@strawberry.type(description="How many people of a subtree have one role.")
class RoleCount:
    role: str = strawberry.field(description="The role as the source names it (e.g. SDE).")
    count: int = strawberry.field(description="People in that role.")

    @classmethod
    def all(cls, counts: Mapping[str, int]) -> list[RoleCount]:
        """One per role, by role."""
        return [cls(role=role, count=n) for role, n in sorted(counts.items())]


T = TypeVar("T")


def _kpi_field(kpi: EngineKpi) -> Any:
    """The report's field for one KPI of the catalogue, described by it."""

    def resolve(self: KpiReport) -> Metric:
        return Metric(metric=self.report.metrics[kpi])

    return strawberry.field(resolver=resolve, description=CATALOGUE[kpi].description)


def _with_kpi_fields(cls: type[T]) -> type[T]:
    """One ``Metric`` field per KPI of the catalogue, in catalogue order after ``as_of``: a
    KPI added there is in the report with nothing written here."""
    annotations = {}
    for name, kind in cls.__annotations__.items():
        annotations[name] = kind
        if name == "as_of":
            for kpi in CATALOGUE:
                annotations[kpi.name.lower()] = "Metric"
                setattr(cls, kpi.name.lower(), _kpi_field(kpi))
    cls.__annotations__ = annotations
    return cls


@strawberry.type(
    description="Every KPI of one team's subtree over the window [from, to), in the org "
    "structure of the team's structure date, each with its comparisons."
)
@_with_kpi_fields
class KpiReport:
    # Only the KPIs a query selects are computed (api/kpis/asked.py), and only those are
    # resolved: a KPI field reads its metric from the engine's report.
    report: strawberry.Private[EngineReport]

    start: date = reads(
        "report.start", name="from", description="First day of the window (inclusive)."
    )
    end: date = reads(
        "report.end", name="to", description="Day after the window's last day (exclusive)."
    )
    as_of: date = reads("report.as_of", description="The structure date the subtree is taken in.")
    # one Metric field per KPI of the catalogue, here (see ``_with_kpi_fields``)
    deployment_tier: DoraTier | None = reads(
        "report.deployment_tier",
        description="DORA deployment frequency tier; null when the window had no successful "
        "production deployment.",
    )
    lead_time_tier: DoraTier | None = reads(
        "report.lead_time_tier",
        description="DORA tier of the median lead time for changes; null without one.",
    )
    change_failure_tier: DoraTier | None = reads(
        "report.change_failure_tier",
        description="DORA tier of the change failure rate; null without one.",
    )
    restore_tier: DoraTier | None = reads(
        "report.restore_tier",
        description="DORA tier of the median time to restore; null without one.",
    )
    unresolved_incidents: int = reads(
        "report.unresolved_incidents",
        description="Incidents started in the window and not resolved (beside time to restore).",
    )
    unmeasured_services: int = reads(
        "report.coverage_unmeasured",
        description="Services owned on the last day never measured for coverage (left out of it).",
    )

    @strawberry.field(
        description="Headcount on the window's last day by role; null when withheld under the "
        "privacy floor (`Headcount.withheld` says so for a day)."
    )
    def headcount_by_role(self) -> list[RoleCount] | None:
        roles = self.report.headcount_by_role
        return None if roles is None else RoleCount.all(roles)


@strawberry.type(description="One point of a trend: a KPI over one period.")
@in_declared_order
class TrendPoint:
    period: strawberry.Private[Period]

    start: date = reads("period.start", name="from", description="First day of the period.")
    end: date = reads("period.end", name="to", description="Day after the period's last day.")
    value: float | None = reads(
        "period.metric.value",
        description="The KPI over the period (null as in `Metric.value`). A rate per week of a "
        "partial period is per week of its own length: one busy day reads as a busy week.",
    )

    sample_size: int | None = reads(
        "period.metric.shown_sample",
        description="Events, people or services behind it; null when withheld.",
    )

    withheld: Withheld | None = reads(
        "period.metric.withheld",
        description="Why `value` and `sampleSize` are null (as `Metric.withheld`).",
    )
    days: int = reads("period.days", description="The days the period covers.")
    partial: bool = reads(
        "period.partial",
        description="True for a period shorter than its grain (a last week cut by `to`, a "
        "month cut at either end): draw it apart (hollow, dashed or faded; docs/api.md).",
    )
    coverage: float = reads(
        "period.metric.coverage",
        description="Share of the period's days within the days the store has data for the "
        "KPI (as `Metric.coverage`).",
    )


@strawberry.type(description="People of a subtree on one day.")
class Headcount:
    on: date = strawberry.field(description="The day counted.")
    total: int = strawberry.field(description="All people whose primary team is in the subtree.")
    by_role: list[RoleCount] | None = strawberry.field(
        description="The same, per role; null when withheld (a team of two would show who is who)."
    )
    withheld: Withheld | None = strawberry.field(
        description="Why `byRole` is null: BELOW_PRIVACY_FLOOR. Null when it is shown."
    )
