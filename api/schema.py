"""The GraphQL schema (Strawberry): teams of any structure date with their rolled-up KPIs,
trends and comparisons, services and headcount. Every type, field, argument and enum value is
described; `schema.graphql` is what `orgraph export-schema` prints.

Resolvers only read the rollup engine (`graph/engine.py`), which answers from its indexes: no
resolver runs SQL, so the number of statements per request does not grow with the answer.
"""

from __future__ import annotations

import base64
import binascii
import time
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import strawberry
from graphql import FieldNode, GraphQLError
from strawberry.types import ExecutionContext, Info

from api import numbers  # noqa: F401  (whole-number Floats go out as integers)
from api.errors import ApiError, RequestTimeout
from api.limits import EARLIEST_DATE, LATEST_DATE, Limits, extensions
from graph.catalogue import CATALOGUE
from graph.catalogue import KpiDefinition as EngineDefinition
from graph.engine import Engine, OrgView
from graph.engine import Kpi as EngineKpi
from graph.engine import KpiReport as EngineReport
from graph.engine import Metric as EngineMetric
from graph.initiatives import Initiatives, default_initiatives
from graph.spans import Span
from graph.tiers import DoraTier as EngineTier
from graph.tree import service_node
from graph.trends import Grain as EngineGrain
from graph.trends import is_partial

if TYPE_CHECKING:
    from api.initiatives import Initiative, InitiativeStatus

MAX_PAGE = Limits.max_page
DEFAULT_PAGE = Limits.default_page


@dataclass
class Context:
    """What every resolver may use: the rollup engine over the store, and the time by which
    the request must be done (``time.monotonic()``)."""

    engine: Engine
    deadline: float = float("inf")
    #: the initiatives file's initiatives (the shipped defaults unless settings name another)
    initiatives: Initiatives = field(default_factory=default_initiatives)

    def check_deadline(self) -> None:
        """Stop a request that ran out of time (resolvers call it between units of work: the
        engine's work is synchronous, so the check is cooperative)."""
        if time.monotonic() > self.deadline:
            raise RequestTimeout()


def _engine(info: Info[Context, None]) -> Engine:
    return info.context.engine


# -- ids and cursors --------------------------------------------------------------------------


def _encode(*parts: str) -> str:
    return base64.urlsafe_b64encode(":".join(parts).encode()).decode().rstrip("=")


def _decode(value: str) -> list[str]:
    try:
        padded = value + "=" * (-len(value) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode().split(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError(f"malformed id or cursor {value!r}") from None


def _page(first: int | None, after: str | None, total: int) -> tuple[int, int]:
    """The slice ``[start, stop)`` a ``first``/``after`` pair asks for."""
    size = DEFAULT_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise ApiError(f"first must be between 0 and {MAX_PAGE}, got {size}")
    start = 0
    if after is not None:
        parts = _decode(after)
        if len(parts) != 2 or parts[0] != "o" or not parts[1].isdigit():
            raise ApiError(f"malformed cursor {after!r}")
        start = int(parts[1]) + 1
    return start, min(start + size, total)


#: What each KPI is, with its unit: the description of its `KpiReport` field, of its `Kpi`
#: enum value and of `kpiDefinitions`, from the catalogue (docs/kpis.md has the definitions).
KPI_TEXT: dict[EngineKpi, str] = {kpi: d.description for kpi, d in CATALOGUE.items()}

# -- enums ------------------------------------------------------------------------------------


@strawberry.enum(description="Every KPI of a report, by the name of its `KpiReport` field.")
class Kpi(Enum):
    DEPLOYMENTS_PER_WEEK = strawberry.enum_value(
        "DEPLOYMENTS_PER_WEEK", description=KPI_TEXT[EngineKpi.DEPLOYMENTS_PER_WEEK]
    )
    DEPLOYMENT_DAYS_PER_WEEK = strawberry.enum_value(
        "DEPLOYMENT_DAYS_PER_WEEK", description=KPI_TEXT[EngineKpi.DEPLOYMENT_DAYS_PER_WEEK]
    )
    CHANGE_FAILURE_RATE = strawberry.enum_value(
        "CHANGE_FAILURE_RATE", description=KPI_TEXT[EngineKpi.CHANGE_FAILURE_RATE]
    )
    LEAD_TIME_HOURS_P50 = strawberry.enum_value(
        "LEAD_TIME_HOURS_P50", description=KPI_TEXT[EngineKpi.LEAD_TIME_HOURS_P50]
    )
    LEAD_TIME_HOURS_P90 = strawberry.enum_value(
        "LEAD_TIME_HOURS_P90", description=KPI_TEXT[EngineKpi.LEAD_TIME_HOURS_P90]
    )
    TIME_TO_RESTORE_HOURS_P50 = strawberry.enum_value(
        "TIME_TO_RESTORE_HOURS_P50", description=KPI_TEXT[EngineKpi.TIME_TO_RESTORE_HOURS_P50]
    )
    TIME_TO_FIRST_REVIEW_HOURS_P50 = strawberry.enum_value(
        "TIME_TO_FIRST_REVIEW_HOURS_P50",
        description=KPI_TEXT[EngineKpi.TIME_TO_FIRST_REVIEW_HOURS_P50],
    )
    REVIEW_TO_MERGE_HOURS_P50 = strawberry.enum_value(
        "REVIEW_TO_MERGE_HOURS_P50", description=KPI_TEXT[EngineKpi.REVIEW_TO_MERGE_HOURS_P50]
    )
    UNREVIEWED_MERGE_RATE = strawberry.enum_value(
        "UNREVIEWED_MERGE_RATE", description=KPI_TEXT[EngineKpi.UNREVIEWED_MERGE_RATE]
    )
    CHANGES_PER_ENGINEER_PER_WEEK = strawberry.enum_value(
        "CHANGES_PER_ENGINEER_PER_WEEK",
        description=KPI_TEXT[EngineKpi.CHANGES_PER_ENGINEER_PER_WEEK],
    )
    CODE_COVERAGE = strawberry.enum_value(
        "CODE_COVERAGE", description=KPI_TEXT[EngineKpi.CODE_COVERAGE]
    )
    TECHNICAL_DEBT_MINUTES = strawberry.enum_value(
        "TECHNICAL_DEBT_MINUTES", description=KPI_TEXT[EngineKpi.TECHNICAL_DEBT_MINUTES]
    )
    HEADCOUNT = strawberry.enum_value("HEADCOUNT", description=KPI_TEXT[EngineKpi.HEADCOUNT])
    SDE_RATIO = strawberry.enum_value("SDE_RATIO", description=KPI_TEXT[EngineKpi.SDE_RATIO])
    INBOUND_REMOTE_CONTRIBUTION_RATE = strawberry.enum_value(
        "INBOUND_REMOTE_CONTRIBUTION_RATE",
        description=KPI_TEXT[EngineKpi.INBOUND_REMOTE_CONTRIBUTION_RATE],
    )
    OUTBOUND_REMOTE_CONTRIBUTION_RATE = strawberry.enum_value(
        "OUTBOUND_REMOTE_CONTRIBUTION_RATE",
        description=KPI_TEXT[EngineKpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE],
    )
    NATIVE_AWS_MIGRATION_SHARE = strawberry.enum_value(
        "NATIVE_AWS_MIGRATION_SHARE", description=KPI_TEXT[EngineKpi.NATIVE_AWS_MIGRATION_SHARE]
    )


@strawberry.enum(
    description="A DORA performance tier (2023 State of DevOps report). Each key has its own "
    "thresholds, in docs/kpis.md: deployment frequency by deployment days, lead time p50 under "
    "24 / 168 / 720 hours, change failure rate at most 5 / 10 / 15 %, time to restore p50 "
    "under 1 / 24 / 168 hours for elite / high / medium."
)
class DoraTier(Enum):
    ELITE = strawberry.enum_value("ELITE", description="The best of the four clusters.")
    HIGH = strawberry.enum_value("HIGH", description="The second cluster.")
    MEDIUM = strawberry.enum_value("MEDIUM", description="The third cluster.")
    LOW = strawberry.enum_value("LOW", description="Beyond the medium threshold.")


@strawberry.enum(description="The period of each point of a trend.")
class Grain(Enum):
    WEEK = strawberry.enum_value("WEEK", description="7-day periods counted from `from`.")
    MONTH = strawberry.enum_value(
        "MONTH", description="Calendar months, the first and last cut to the window."
    )


@strawberry.enum(description="What a KPI's value counts.")
class KpiUnit(Enum):
    PER_WEEK = strawberry.enum_value("PER_WEEK", description="Events per week (days ÷ 7).")
    DAYS_PER_WEEK = strawberry.enum_value("DAYS_PER_WEEK", description="Days (0..7) per week.")
    CHANGES_PER_ENGINEER_PER_WEEK = strawberry.enum_value(
        "CHANGES_PER_ENGINEER_PER_WEEK",
        description="Changes per software engineer per week: a team ratio.",
    )
    RATIO = strawberry.enum_value("RATIO", description="A share, 0..1 (show as a percentage).")
    HOURS = strawberry.enum_value("HOURS", description="Hours.")
    MINUTES = strawberry.enum_value("MINUTES", description="Minutes.")
    PEOPLE = strawberry.enum_value("PEOPLE", description="People (a whole number).")


@strawberry.enum(description="Which direction of a KPI is an improvement.")
class Better(Enum):
    HIGHER = strawberry.enum_value("HIGHER", description="Higher is better.")
    LOWER = strawberry.enum_value("LOWER", description="Lower is better.")
    NEITHER = strawberry.enum_value(
        "NEITHER",
        description="Neither: a size, or a figure whose good value depends on the team's aims.",
    )


@strawberry.enum(description="When a KPI is null rather than a number (docs/kpis.md).")
class NullWhen(Enum):
    NO_SERVICE = strawberry.enum_value(
        "NO_SERVICE",
        description="A rate over the subtree's services: 0 when nothing happened, null only when "
        "the subtree owned no service in the window.",
    )
    EMPTY_SAMPLE = strawberry.enum_value(
        "EMPTY_SAMPLE", description="A ratio or percentile: null when its sample is empty."
    )
    NO_ENGINEER = strawberry.enum_value(
        "NO_ENGINEER",
        description="A rate per engineer: null when the subtree had no engineer on the last day.",
    )
    NEVER = strawberry.enum_value("NEVER", description="A count: 0 when there is none.")


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
    description="What one KPI is: its unit, which direction is better, whether it adds up over "
    "teams, when it is null and how far the store's data for it reaches (docs/kpis.md)."
)
class KpiDefinition:
    definition: strawberry.Private[EngineDefinition]
    span: strawberry.Private[Span]

    @strawberry.field(description="The KPI, as in `Team.trend(kpi:)`.")
    def key(self) -> Kpi:
        return Kpi[self.definition.kpi.name]

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
    def unit(self) -> KpiUnit:
        return KpiUnit[self.definition.unit.name]

    @strawberry.field(description="Which direction is an improvement.")
    def better(self) -> Better:
        return Better[self.definition.better.name]

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
        return NullWhen[self.definition.null_when.name]

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
class Metric:
    value: float | None = strawberry.field(
        description="The KPI's value; null where docs/kpis.md says null (an empty sample, or "
        "no service or no people for a rate)."
    )
    sample_size: int = strawberry.field(description="Events, people or services behind the value.")
    exact: bool = strawberry.field(
        description="False for a percentile read from the histograms: within 1% of the exact "
        "nearest-rank value."
    )
    org_value: float | None = strawberry.field(description="The same KPI for the team's root.")
    parent_value: float | None = strawberry.field(
        description="The same KPI for the parent team (null for a root)."
    )
    peer_median: float | None = strawberry.field(
        description="Nearest-rank median over the active siblings that have a value."
    )
    peer_percentile: float | None = strawberry.field(
        description="Percentile rank among those peers, 0..100 (below, plus half of equal)."
    )
    z_score: float | None = strawberry.field(
        description="(value - peers' mean) ÷ peers' population standard deviation; null with "
        "fewer than two peers or no spread."
    )
    previous_value: float | None = strawberry.field(
        description="The KPI over the window of the same length that ends at `from`."
    )
    coverage: float = strawberry.field(
        description="Share of the window's days (0..1) that lie within the days the store has "
        "data for this KPI (`KpiDefinition.dataFrom`..`dataTo`); a point-in-time KPI: 1 or 0 "
        "for the window's last day. Below 1 the value misses part of its window: grey it out."
    )
    previous_coverage: float | None = strawberry.field(
        description="The same for the previous window: a `previousValue` with a low coverage "
        "is no base for a trend."
    )
    typical_median: float | None = strawberry.field(
        description="The org's typical team: nearest-rank median of the KPI over the active "
        "teams of the team's root at the team's depth (this team included) that have a value. "
        "Compare with this rather than `orgValue`, which for an additive KPI is the org's total."
    )
    typical_mean: float | None = strawberry.field(description="The mean over the same teams.")
    typical_teams: int | None = strawberry.field(
        description="How many teams the typical figures are over."
    )

    @classmethod
    def of(cls, metric: EngineMetric) -> Metric:
        c = metric.comparison
        return cls(
            value=metric.value,
            sample_size=metric.sample,
            exact=metric.exact,
            coverage=metric.coverage,
            org_value=c.org_value if c else None,
            parent_value=c.parent_value if c else None,
            peer_median=c.peer_median if c else None,
            peer_percentile=c.peer_percentile if c else None,
            z_score=c.z_score if c else None,
            previous_value=c.previous_value if c else None,
            previous_coverage=c.previous_coverage if c else None,
            typical_median=c.typical_median if c else None,
            typical_mean=c.typical_mean if c else None,
            typical_teams=c.typical_teams if c else None,
        )


#: what a KPI the query did not select holds (never served: see ``KpiReport``)
NOT_ASKED = Metric(
    value=None,
    sample_size=0,
    exact=True,
    org_value=None,
    parent_value=None,
    peer_median=None,
    peer_percentile=None,
    z_score=None,
    previous_value=None,
    coverage=0.0,
    previous_coverage=None,
    typical_median=None,
    typical_mean=None,
    typical_teams=None,
)


@strawberry.type(description="How many people of a subtree have one role.")
class RoleCount:
    role: str = strawberry.field(description="The role as the source names it (e.g. SDE).")
    count: int = strawberry.field(description="People in that role.")


@strawberry.type(
    description="Every KPI of one team's subtree over the window [from, to), in the org "
    "structure of the team's structure date, each with its comparisons."
)
class KpiReport:
    # Plain fields, not resolvers: a full report resolves about 170 fields, and a resolver
    # costs several times a plain field. A KPI the query did not select holds NOT_ASKED, which
    # is never served (``_asked`` falls back to every KPI when it cannot tell).
    start: date = strawberry.field(name="from", description="First day of the window (inclusive).")
    end: date = strawberry.field(
        name="to", description="Day after the window's last day (exclusive)."
    )
    as_of: date = strawberry.field(description="The structure date the subtree is taken in.")
    deployments_per_week: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.DEPLOYMENTS_PER_WEEK]
    )
    deployment_days_per_week: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.DEPLOYMENT_DAYS_PER_WEEK]
    )
    change_failure_rate: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.CHANGE_FAILURE_RATE]
    )
    lead_time_hours_p50: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.LEAD_TIME_HOURS_P50]
    )
    lead_time_hours_p90: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.LEAD_TIME_HOURS_P90]
    )
    time_to_restore_hours_p50: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.TIME_TO_RESTORE_HOURS_P50]
    )
    time_to_first_review_hours_p50: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.TIME_TO_FIRST_REVIEW_HOURS_P50]
    )
    review_to_merge_hours_p50: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.REVIEW_TO_MERGE_HOURS_P50]
    )
    unreviewed_merge_rate: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.UNREVIEWED_MERGE_RATE]
    )
    changes_per_engineer_per_week: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.CHANGES_PER_ENGINEER_PER_WEEK]
    )
    code_coverage: Metric = strawberry.field(description=KPI_TEXT[EngineKpi.CODE_COVERAGE])
    technical_debt_minutes: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.TECHNICAL_DEBT_MINUTES]
    )
    headcount: Metric = strawberry.field(description=KPI_TEXT[EngineKpi.HEADCOUNT])
    sde_ratio: Metric = strawberry.field(description=KPI_TEXT[EngineKpi.SDE_RATIO])
    inbound_remote_contribution_rate: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.INBOUND_REMOTE_CONTRIBUTION_RATE]
    )
    outbound_remote_contribution_rate: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE]
    )
    native_aws_migration_share: Metric = strawberry.field(
        description=KPI_TEXT[EngineKpi.NATIVE_AWS_MIGRATION_SHARE]
    )
    deployment_tier: DoraTier | None = strawberry.field(
        description="DORA deployment frequency tier; null when the window had no successful "
        "production deployment."
    )
    lead_time_tier: DoraTier | None = strawberry.field(
        description="DORA tier of the median lead time for changes; null without one."
    )
    change_failure_tier: DoraTier | None = strawberry.field(
        description="DORA tier of the change failure rate; null without one."
    )
    restore_tier: DoraTier | None = strawberry.field(
        description="DORA tier of the median time to restore; null without one."
    )
    unresolved_incidents: int = strawberry.field(
        description="Incidents started in the window and not resolved (beside time to restore)."
    )
    unmeasured_services: int = strawberry.field(
        description="Services owned on the last day never measured for coverage (left out of it)."
    )
    headcount_by_role: list[RoleCount] = strawberry.field(
        description="Headcount on the window's last day by role."
    )

    @classmethod
    def of(cls, report: EngineReport) -> KpiReport:
        metrics = {
            kpi.name.lower(): Metric.of(report.metrics[kpi]) if kpi in report.metrics else NOT_ASKED
            for kpi in EngineKpi
        }

        def tier(found: EngineTier | None) -> DoraTier | None:
            return None if found is None else DoraTier[found.name]

        return cls(
            start=report.start,
            end=report.end,
            as_of=report.as_of,
            deployment_tier=tier(report.deployment_tier),
            lead_time_tier=tier(report.lead_time_tier),
            change_failure_tier=tier(report.change_failure_tier),
            restore_tier=tier(report.restore_tier),
            unresolved_incidents=report.unresolved_incidents,
            unmeasured_services=report.coverage_unmeasured,
            headcount_by_role=[
                RoleCount(role=r, count=n) for r, n in sorted(report.headcount_by_role.items())
            ],
            **metrics,
        )


@strawberry.type(description="One point of a trend: a KPI over one period.")
class TrendPoint:
    start: date = strawberry.field(name="from", description="First day of the period.")
    end: date = strawberry.field(name="to", description="Day after the period's last day.")
    value: float | None = strawberry.field(
        description="The KPI over the period (null as in `Metric.value`). A rate per week of a "
        "partial period is per week of its own length: one busy day reads as a busy week."
    )
    sample_size: int = strawberry.field(description="Events, people or services behind it.")
    days: int = strawberry.field(description="The days the period covers.")
    partial: bool = strawberry.field(
        description="True for a period shorter than its grain (a last week cut by `to`, a "
        "month cut at either end): draw it apart (hollow, dashed or faded; docs/api.md)."
    )
    coverage: float = strawberry.field(
        description="Share of the period's days within the days the store has data for the "
        "KPI (as `Metric.coverage`)."
    )


@strawberry.type(description="People of a subtree on one day.")
class Headcount:
    on: date = strawberry.field(description="The day counted.")
    total: int = strawberry.field(description="All people whose primary team is in the subtree.")
    by_role: list[RoleCount] = strawberry.field(description="The same, per role.")


# -- nodes and connections --------------------------------------------------------------------


@strawberry.interface(description="An object with a global id, fetchable with `Query.node`.")
class Node:
    @strawberry.field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError


T = TypeVar("T")


@strawberry.type(description="Where a page of a list is, for the next request.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the page's first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the page's last item; pass it as `after`."
    )


@strawberry.type(description="One item of a list page and its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(
        description="Pass it as `after` to get the items after this one."
    )


@strawberry.type(description="A page of a list (Relay connection): at most 100 items a page.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, with cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the list.")
    total_count: int = strawberry.field(description="How many items the whole list holds.")


def _connection(items: list[T], first: int | None, after: str | None) -> Connection[T]:
    start, stop = _page(first, after, len(items))
    edges = [Edge(node=items[i], cursor=_encode("o", str(i))) for i in range(start, stop)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=stop < len(items),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(items),
    )


FirstArg = Annotated[
    int | None,
    strawberry.argument(description=f"Page size, 0..{MAX_PAGE} (default {DEFAULT_PAGE})."),
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Cursor after which the page starts.")
]
FromArg = Annotated[
    date, strawberry.argument(name="from", description="First day of the window (inclusive, UTC).")
]
ToArg = Annotated[
    date, strawberry.argument(name="to", description="Day after the window's last day (exclusive).")
]


_KPI_FIELDS = {d.field: kpi for kpi, d in CATALOGUE.items()}
_COMPARISONS = {
    "orgValue",
    "parentValue",
    "peerMedian",
    "peerPercentile",
    "zScore",
    "previousValue",
    "previousCoverage",
}
_TYPICAL = {"typicalMedian", "typicalMean", "typicalTeams"}
_TIERS = {"leadTimeTier", "changeFailureTier", "restoreTier"}


@dataclass(frozen=True)
class Asked:
    """What a ``kpis`` selection asks for, so that only that is computed."""

    kpis: tuple[EngineKpi, ...] = tuple(EngineKpi)
    compare: bool = True
    typical: bool = True
    tiers: bool = True


def _asked(info: Info[Context, None]) -> Asked:
    """The KPIs the query selects under ``kpis``, whether it asks for any comparison, the
    org's typical team or the tiers (all of them when fragments make the selection unclear).

    Reads the field's syntax nodes: Strawberry's ``selected_fields`` converts the whole
    selection tree on every call, which cost more than a third of a full report's resolution."""
    kpis: list[EngineKpi] = []
    compare = typical = tiers = False
    for node in info._raw_info.field_nodes:
        for selection in node.selection_set.selections if node.selection_set else ():
            if not isinstance(selection, FieldNode):
                return Asked()
            tiers = tiers or selection.name.value in _TIERS
            kpi = _KPI_FIELDS.get(selection.name.value)
            if kpi is None:
                continue
            kpis.append(kpi)
            for sub in selection.selection_set.selections if selection.selection_set else ():
                if not isinstance(sub, FieldNode):
                    return Asked()
                typical = typical or sub.name.value in _TYPICAL
                compare = compare or sub.name.value in _COMPARISONS | _TYPICAL
    return Asked(tuple(kpis), compare, typical, tiers)


def _window(start: date, end: date) -> None:
    if end <= start:
        raise ApiError(f"empty window [{start}, {end}): 'to' must be after 'from'")


@strawberry.type(
    description="A team (or org, or any node of the org tree) in the structure of one date."
)
class Team(Node):
    key: str = strawberry.field(description="The team's id in the source data.")
    view: strawberry.Private[OrgView]

    @strawberry.field(description="Opaque global id (it carries the structure date).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(_encode("Team", self.key, self.view.tree.as_of.isoformat()))

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
            _window(order_by.start, order_by.end)
            kpi = EngineKpi[order_by.kpi.name]
            values = {k: self.view.metric(kpi, k, order_by.start, order_by.end).value for k in keys}
            known = [k for k in keys if values[k] is not None]
            known.sort(
                key=lambda k: values[k] or 0.0, reverse=order_by.direction is OrderDirection.DESC
            )
            keys = known + [k for k in keys if values[k] is None]
        return _connection([Team(key=k, view=self.view) for k in keys], first, after)

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
        return _connection([Team(key=k, view=self.view) for k in keys], first, after)

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
        return _connection([Service(key=k, view=self.view) for k in keys], first, after)

    @strawberry.field(description="Every KPI of the subtree over [from, to), with comparisons.")
    def kpis(self, info: Info[Context, None], start: FromArg, end: ToArg) -> KpiReport:
        info.context.check_deadline()
        _window(start, end)
        asked = _asked(info)
        report = self.view.report(
            self.key,
            start,
            end,
            kpis=asked.kpis,
            compare=asked.compare,
            typical=asked.typical,
            tiers=asked.tiers,
        )
        return KpiReport.of(report)

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
        _window(start, end)
        engine_grain = EngineGrain[grain.name]
        points = self.view.trend(EngineKpi[kpi.name], self.key, start, end, engine_grain)
        return [
            TrendPoint(
                start=a,
                end=b,
                value=m.value,
                sample_size=m.sample,
                days=(b - a).days,
                partial=is_partial(a, b, engine_grain),
                coverage=m.coverage,
            )
            for a, b, m in points
        ]

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
    ) -> list[Annotated[InitiativeStatus, strawberry.lazy("api.initiatives")]]:
        from api.initiatives import team_initiatives

        return team_initiatives(info, self.view, self.key, on or self.view.tree.as_of)

    @strawberry.field(description="People of the subtree on a day, in total and by role.")
    def headcount(
        self,
        on: Annotated[
            date | None, strawberry.argument(description="The day (default: the structure date).")
        ] = None,
    ) -> Headcount:
        day = on or self.view.tree.as_of
        roles = self.view.headcount.by_category(self.key, day)
        return Headcount(
            on=day,
            total=sum(roles.values()),
            by_role=[RoleCount(role=r, count=n) for r, n in sorted(roles.items())],
        )


@strawberry.type(description="One service's own delivery over a window (docs/kpis.md rules).")
class ServiceDelivery:
    deployments_per_week: float = strawberry.field(
        description="Successful production deployments per week."
    )
    successful_deployments: int = strawberry.field(
        description="Successful production deployments in the window."
    )
    change_failure_rate: float | None = strawberry.field(
        description="Failed or incident-causing production deployments ÷ all (ratio 0..1); "
        "null with none."
    )
    production_deployments: int = strawberry.field(
        description="Production deployments in the window (the rate's sample)."
    )
    lead_time_hours_p50: float | None = strawberry.field(
        description="Median lead time of its changes deployed in the window, hours (exact)."
    )
    lead_time_hours_p90: float | None = strawberry.field(
        description="90th percentile lead time, hours (exact)."
    )
    lead_time_sample_size: int = strawberry.field(description="Changes behind the lead time.")


@strawberry.type(description="A service (a deployable unit) in the structure of one date.")
class Service(Node):
    key: str = strawberry.field(description="The service's id in the source data.")
    view: strawberry.Private[OrgView]

    def _attrs(self) -> dict[str, object]:
        attrs: dict[str, object] = self.view.tree.graph.nodes[service_node(self.key)]
        return attrs

    @strawberry.field(description="Opaque global id (it carries the structure date).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(_encode("Service", self.key, self.view.tree.as_of.isoformat()))

    @strawberry.field(description="The service's name on the structure date.")
    def name(self) -> str:
        return str(self._attrs()["name"])

    @strawberry.field(description="The platform it runs on (e.g. native_aws), if the source says.")
    def platform(self) -> str | None:
        platform = self._attrs().get("platform")
        return None if platform is None else str(platform)

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
        _window(start, end)
        found = info.context.engine.service_delivery.kpis(self.key, start, end)
        return ServiceDelivery(
            deployments_per_week=found.deployments_per_week,
            successful_deployments=found.successful_deployments,
            change_failure_rate=found.change_failure_rate,
            production_deployments=found.production_deployments,
            lead_time_hours_p50=found.lead_time_hours_p50,
            lead_time_hours_p90=found.lead_time_hours_p90,
            lead_time_sample_size=found.lead_time_sample,
        )

    @strawberry.field(description="The owner's path: the root first, the owner last.")
    def path(self) -> list[Team]:
        owner = self.view.tree.owner_of(self.key)
        if owner is None:
            return []
        keys = [*self.view.tree.ancestors(owner), owner]
        return [Team(key=k, view=self.view) for k in keys]


def _has_service(view: OrgView, key: str) -> bool:
    try:
        view.tree.owner_of(key)
    except KeyError:
        return False
    return True


def _view(info: Info[Context, None], as_of: date | None) -> OrgView:
    day = as_of or date.today()
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ApiError(
            f"structure date {day.isoformat()} is outside the dates orgraph answers for "
            f"({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()})"
        )
    return _engine(info).view(day)


@strawberry.type(description="Entry points.")
class Query:
    @strawberry.field(description="Any object by its global id.")
    def node(
        self,
        info: Info[Context, None],
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global id from an `id` field.")
        ],
    ) -> Node | None:
        parts = _decode(str(id))
        if len(parts) != 3 or parts[0] not in ("Team", "Service"):
            raise ApiError(f"unknown id {str(id)!r}")
        try:
            as_of = date.fromisoformat(parts[2])
        except ValueError:
            raise ApiError(f"malformed id {str(id)!r}") from None
        view = _view(info, as_of)
        if parts[0] == "Team":
            return Team(key=parts[1], view=view) if parts[1] in view.tree else None
        return Service(key=parts[1], view=view) if _has_service(view, parts[1]) else None

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
        view = _view(info, as_of)
        return Service(key=key, view=view) if _has_service(view, key) else None

    @strawberry.field(description="A team by its key, in the structure of `asOf`.")
    def team(
        self,
        info: Info[Context, None],
        key: Annotated[str, strawberry.argument(description="The team's id in the source data.")],
        as_of: Annotated[
            date | None, strawberry.argument(description="Structure date (default: today).")
        ] = None,
    ) -> Team | None:
        view = _view(info, as_of)
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
        view = _view(info, as_of)
        tree = view.tree
        named = sorted((tree.name(k).casefold(), k) for k in tree.team_ids)
        if search:
            needle = search.casefold()
            prefix = [k for name, k in named if name.startswith(needle)]
            inside = [k for name, k in named if needle in name and not name.startswith(needle)]
            keys = prefix + inside
        else:
            keys = [k for _, k in named]
        return _connection([Team(key=k, view=view) for k in keys], first, after)

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
        view = _view(info, as_of)
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
        spans = _engine(info).spans
        return [KpiDefinition(definition=d, span=spans[d.source]) for d in CATALOGUE.values()]

    @strawberry.field(description="Every initiative of the initiatives file, in its order.")
    def initiatives(
        self, info: Info[Context, None]
    ) -> list[Annotated[Initiative, strawberry.lazy("api.initiatives")]]:
        from api.initiatives import all_initiatives

        return all_initiatives(info)

    @strawberry.field(description="One initiative by its key; null when there is none.")
    def initiative(
        self,
        info: Info[Context, None],
        key: Annotated[str, strawberry.argument(description="The initiative's key.")],
    ) -> Annotated[Initiative, strawberry.lazy("api.initiatives")] | None:
        from api.initiatives import all_initiatives

        return next((i for i in all_initiatives(info) if i.definition.key == key), None)


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
    """The schema with the safety limits of ``limits`` (see api/limits.py)."""
    return _Schema(query=Query, types=[Team, Service], extensions=extensions(limits or Limits()))


schema = build_schema()
