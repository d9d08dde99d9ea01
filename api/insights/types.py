"""The GraphQL types of the insights (graph/insights/, docs/insights.md): each wraps the
engine's object and reads its fields (``api/core/wrapping.py``); every figure says its unit and
direction (through its KPI's definition) and how much data is behind it, and a withheld one
says why (``InsightReason``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from api.core.connections import AfterArg, Connection, FirstArg, connection
from api.core.context import Context
from api.core.wrapping import in_declared_order, reads
from api.kpis.enums import Grain, Model, Reason, Side
from api.kpis.types import KpiDefinition
from api.teams.types import Team
from graph import insights
from graph.catalogue import CATALOGUE
from graph.catalogue import Kpi as EngineKpi
from graph.view import OrgView


def window_start() -> Any:
    """The ``from`` field of an insight over a window."""
    return reads("found.start", name="from", description="First day of the window.")


def window_end() -> Any:
    """The ``to`` field of an insight over a window."""
    return reads("found.end", name="to", description="Day after the window's last day.")


def definition(view: OrgView, kpi: EngineKpi) -> KpiDefinition:
    """The KPI's definition: its unit, direction and data span."""
    return KpiDefinition(definition=CATALOGUE[kpi], span=view.engine.spans[CATALOGUE[kpi].source])


@strawberry.type(description="One correlation coefficient with its uncertainty.")
class Coefficient:
    found: strawberry.Private[insights.Coefficient]

    value: float = reads("found.value", description="The coefficient, -1..1.")
    low: float = reads("found.low", description="Lower end of its 95% confidence interval.")
    high: float = reads("found.high", description="Upper end of its 95% confidence interval.")
    p_value: float = reads(
        "found.p_value", description="Two-sided p-value of no association (scipy)."
    )
    p_adjusted: float = reads(
        "found.p_adjusted",
        description="The p-value corrected for the number of pairs (Benjamini-Hochberg): the "
        "smallest false-discovery rate at which this pair counts as a discovery.",
    )
    significant: bool = reads(
        "found.significant", description="`pAdjusted` at most the stated `fdr` (0.05)."
    )


@strawberry.type(
    description="Two KPIs across the same teams: an association, not a cause (teams that "
    "differ in one KPI differ in many other ways too)."
)
@in_declared_order
class CorrelationPair:
    pair: strawberry.Private[insights.Pair]
    view: strawberry.Private[OrgView]

    @strawberry.field(description="The first KPI: its unit and which direction is better.")
    def a(self) -> KpiDefinition:
        return definition(self.view, self.pair.a)

    @strawberry.field(description="The second KPI.")
    def b(self) -> KpiDefinition:
        return definition(self.view, self.pair.b)

    n: int = reads("pair.n", description="Teams with a value of both KPIs.")

    @strawberry.field(
        description="Spearman's rank correlation (any monotonic association; the one "
        "`significant` is called on); null when withheld."
    )
    def spearman(self) -> Coefficient | None:
        found = self.pair.spearman
        return None if found is None else Coefficient(found=found)

    @strawberry.field(
        description="Pearson's correlation (a straight-line association; its p-value assumes "
        "roughly normal values, which skewed KPIs are not); null when withheld."
    )
    def pearson(self) -> Coefficient | None:
        found = self.pair.pearson
        return None if found is None else Coefficient(found=found)

    significant: bool = reads(
        "pair.significant", description="Spearman's `pAdjusted` at most the stated `fdr`."
    )
    reason: Reason | None = reads("pair.reason", description="Why the pair is withheld.")


@strawberry.type(description="Correlations between KPIs across the teams of a subtree.")
@in_declared_order
class Correlations:
    found: strawberry.Private[insights.Correlations]
    view: strawberry.Private[OrgView]

    @strawberry.field(description="The subtree's root.")
    def under(self) -> Team:
        return Team(key=self.found.under, view=self.view)

    start: date = window_start()
    end: date = window_end()
    level: int | None = reads(
        "found.level",
        description="Levels below `under` the teams are at; null: its leaf teams.",
    )

    @strawberry.field(description="How many active teams the correlations are across.")
    def team_count(self) -> int:
        return len(self.found.teams)

    fdr: float = reads(
        "found.fdr", description="The false-discovery rate a pair is significant at."
    )
    confidence: float = reads(
        "found.confidence", description="The confidence level of the intervals (0.95)."
    )
    min_teams: int = reads(
        "found.min_teams", description="Below this many teams with both values, a pair is withheld."
    )

    @strawberry.field(description="Every pair of the KPIs asked, in the order asked.")
    def pairs(self) -> list[CorrelationPair]:
        return [CorrelationPair(pair=p, view=self.view) for p in self.found.pairs]


@strawberry.type(description="A team far from the others on one KPI.")
class Outlier:
    found: strawberry.Private[insights.Outlier]
    view: strawberry.Private[OrgView]

    @strawberry.field(description="The team.")
    def team(self) -> Team:
        return Team(key=self.found.team, view=self.view)

    value: float = reads("found.value", description="Its value, in the KPI's unit.")
    z: float = reads(
        "found.z",
        description="Robust z-score: (value - median) ÷ (1.4826 x median absolute deviation) "
        "over the teams, on a log scale for durations (`Outliers.logScale`).",
    )
    side: Side = reads("found.side", description="Better or worse, by the KPI's direction.")
    ratio: float | None = reads(
        "found.ratio", description="Value ÷ the teams' median; null when the median is 0."
    )


@strawberry.type(description="The teams of a subtree far from the others on one KPI.")
@in_declared_order
class Outliers:
    found: strawberry.Private[insights.Outliers]
    view: strawberry.Private[OrgView]

    @strawberry.field(description="The KPI: its unit and which direction is better.")
    def kpi(self) -> KpiDefinition:
        return definition(self.view, self.found.kpi)

    start: date = window_start()
    end: date = window_end()
    level: int | None = reads(
        "found.level", description="Levels below `under` the teams are at; null: leaf teams."
    )
    team_count: int = reads(
        "found.n", description="Teams with a value: what the median and deviation are over."
    )
    median: float | None = reads("found.median", description="The teams' median, in the unit.")
    scale: float | None = reads(
        "found.scale",
        description="1.4826 x the median absolute deviation, on the scale of the z-scores.",
    )
    log_scale: bool = reads(
        "found.log_scale",
        description="True when the z-scores are on log values (durations: twice as slow is as "
        "far out as twice as fast).",
    )
    threshold: float = reads("found.threshold", description="The |z| a team is listed from.")
    reason: Reason | None = reads("found.reason", description="Why nothing is computed.")

    @strawberry.field(description="The teams with |z| ≥ threshold, the farthest first.")
    def outliers(self, first: FirstArg = None, after: AfterArg = None) -> Connection[Outlier]:
        found = [Outlier(found=o, view=self.view) for o in self.found.outliers]
        return connection(found, first, after)


@strawberry.type(description="One stage of the delivery flow of a subtree against its org.")
class BottleneckStage:
    found: strawberry.Private[insights.Stage]
    view: strawberry.Private[OrgView]

    @strawberry.field(description="The stage's KPI (a median, hours).")
    def stage(self) -> KpiDefinition:
        return definition(self.view, self.found.kpi)

    hours: float | None = reads("found.hours", description="The subtree's median, hours.")
    org_hours: float | None = reads("found.org_hours", description="The org's median, hours.")
    sample_size: int = reads("found.sample", description="Changes or incidents behind `hours`.")
    share: float | None = reads(
        "found.share", description="`hours` ÷ the subtree's median lead time."
    )
    org_share: float | None = reads("found.org_share", description="The same for the org.")
    relative: float | None = reads(
        "found.relative",
        description="`share` ÷ `orgShare`: above 1 the stage takes more of the lead time "
        "here than in the org.",
    )
    bottleneck: bool = reads(
        "found.bottleneck", description="`relative` at least 1.25: a bottleneck."
    )
    reason: Reason | None = reads("found.reason", description="Why `relative` is null.")


@strawberry.type(
    description="Where a subtree's delivery flow loses more of its lead time than its org's."
)
@in_declared_order
class Bottlenecks:
    found: strawberry.Private[insights.Bottlenecks]
    view: strawberry.Private[OrgView]

    @strawberry.field(description="The team whose subtree is measured.")
    def team(self) -> Team:
        return Team(key=self.found.team, view=self.view)

    @strawberry.field(description="The org it is compared with (the root of its tree).")
    def org(self) -> Team:
        return Team(key=self.found.org, view=self.view)

    start: date = window_start()
    end: date = window_end()
    lead_time_hours: float | None = reads(
        "found.lead_time.value", description="The subtree's median lead time, hours."
    )
    lead_time_sample_size: int = reads(
        "found.lead_time.sample", description="Changes deployed behind it."
    )
    org_lead_time_hours: float | None = reads(
        "found.org_lead_time.value", description="The org's median lead time, hours."
    )

    @strawberry.field(description="The stages, the largest `relative` first (withheld last).")
    def stages(self) -> list[BottleneckStage]:
        return [BottleneckStage(found=s, view=self.view) for s in self.found.stages]


@strawberry.type(description="A migration's effect on one delivery KPI of the services.")
@in_declared_order
class DeliveryEffect:
    found: strawberry.Private[insights.Effect]
    view: strawberry.Private[OrgView]

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
    view: strawberry.Private[OrgView]

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
    view: strawberry.Private[OrgView]

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
        ranked = insights.candidates(self.view, found.under, found.start, found.end, lead)
        return connection(
            [MigrationCandidate(found=c, view=self.view) for c in ranked], first, after
        )


@strawberry.type(description="One period of a forecast's history or of the forecast.")
class ForecastPoint:
    point: strawberry.Private[insights.Point]

    start: date = reads("point.start", name="from", description="First day of the period.")
    end: date = reads("point.end", name="to", description="Day after the period's last day.")
    value: float = reads(
        "point.value", description="The KPI (history) or its forecast, in the KPI's unit."
    )
    low: float | None = reads(
        "point.low", description="Lower end of the prediction interval; null for history."
    )
    high: float | None = reads(
        "point.high", description="Upper end of the prediction interval; null for history."
    )


@strawberry.type(
    description="A KPI of a subtree forecast by week or month, with prediction intervals and "
    "the model's own back-test error (docs/insights.md)."
)
@in_declared_order
class Forecast:
    found: strawberry.Private[insights.Forecast]
    view: strawberry.Private[OrgView]

    @strawberry.field(description="The KPI: its unit and which direction is better.")
    def kpi(self) -> KpiDefinition:
        return definition(self.view, self.found.kpi)

    grain: Grain = reads("found.grain", description="Weeks or calendar months.")
    horizon: int = reads("found.horizon", description="Periods forecast.")
    level: float = reads(
        "found.level",
        description="The intervals' nominal coverage (0.8: 8 in 10 future values inside).",
    )
    model: Model | None = reads("found.model", description="The model; null when withheld.")
    season: int | None = reads(
        "found.season", description="The season's length in periods; null without one."
    )

    @strawberry.field(description="The series the model was fitted to, oldest first.")
    def history(self) -> list[ForecastPoint]:
        return [ForecastPoint(point=p) for p in self.found.history]

    @strawberry.field(description="The forecast: `horizon` periods after the history.")
    def points(self) -> list[ForecastPoint]:
        return [ForecastPoint(point=p) for p in self.found.points]

    mae: float | None = reads(
        "found.mae",
        description="Back-test: mean absolute error of the model's forecasts from origins in "
        "the series' past (rolling origin), in the KPI's unit.",
    )
    mase: float | None = reads(
        "found.mase",
        description="The same ÷ the in-sample error of the seasonal naive forecast: below 1, "
        "better than repeating the last season (or value).",
    )
    backtest_points: int = reads(
        "found.backtest_points", description="Forecasts the back-test error is over."
    )
    filled: int = reads(
        "found.filled", description="History periods without a value, filled in linearly."
    )
    widened: float = reads(
        "found.widened",
        description="How much the model's own intervals were widened so that they would have "
        "covered `level` of the back-test's forecasts (1: not at all).",
    )
    reason: Reason | None = reads(
        "found.reason", description="Why there is no forecast (e.g. HISTORY_TOO_SHORT)."
    )
