"""The GraphQL types of the insights (graph/insights/, docs/insights.md): each wraps the
engine's object and reads its fields (``api/core/wrapping.py``); every figure says its unit and
direction (through its KPI's definition) and how much data is behind it, and a withheld one
says why (``InsightReason``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from api.core.connections import AfterArg, Connection, FirstArg, connection
from api.core.scope import TeamData
from api.core.wrapping import in_declared_order, reads
from api.kpis.enums import Reason, Side
from api.kpis.types import KpiDefinition
from api.teams.types import Team
from graph import insights
from graph.catalogue import CATALOGUE
from graph.catalogue import Kpi as EngineKpi


def window_start() -> Any:
    """The ``from`` field of an insight over a window."""
    return reads("found.start", name="from", description="First day of the window.")


def window_end() -> Any:
    """The ``to`` field of an insight over a window."""
    return reads("found.end", name="to", description="Day after the window's last day.")


def definition(view: TeamData, kpi: EngineKpi) -> KpiDefinition:
    """The KPI's definition: its unit, direction and data span."""
    return KpiDefinition(definition=CATALOGUE[kpi], span=view.spans[CATALOGUE[kpi].source])


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
    view: strawberry.Private[TeamData]

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
    view: strawberry.Private[TeamData]

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
    view: strawberry.Private[TeamData]

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
    view: strawberry.Private[TeamData]

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
    view: strawberry.Private[TeamData]

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
    view: strawberry.Private[TeamData]

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
