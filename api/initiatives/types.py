"""The GraphQL types of cross-cutting initiatives (graph/initiatives/, docs/initiatives.md).

``api.teams`` and ``api.schema`` reach these through ``strawberry.lazy``, so that this module
can import the team type while neither needs the other during its own import."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import strawberry
from strawberry.types import Info

from api.core.connections import AfterArg, Connection, FirstArg, connection
from api.core.context import Context
from api.core.enums import described
from api.core.errors import ApiError
from api.core.scope import TeamData, engine_view
from api.core.wrapping import in_declared_order, reads
from api.kpis.enums import Kpi, Model, Reason
from api.teams.types import Team
from graph import initiatives as model

described(
    model.State,
    "InitiativeState",
    "Where an initiative stands against its target and deadline.",
    {
        "DONE": "The value meets the target.",
        "ON_TRACK": "At the recent pace the target is reached by the deadline.",
        "AT_RISK": "At the recent pace the target is reached after the deadline, but within "
        "the configured grace (`forecast.at_risk_days`, default 30 days).",
        "OFF_TRACK": "The recent pace does not lead to the target, or only later than the "
        "grace, or the deadline has passed.",
        "NO_DATA": "No value on the status date (no people, services or changes).",
        "WITHHELD": "The measure is derived from people and the subtree is under the privacy "
        "floor on the status date (docs/security.md): no value, progress, pace or forecast.",
    },
)
described(
    model.Direction,
    "Direction",
    "Which side of the target counts as reached.",
    {
        "AT_LEAST": "Reached when value ≥ target.",
        "AT_MOST": "Reached when value ≤ target.",
    },
)
described(
    model.Measure,
    "InitiativeMeasure",
    "What an initiative measures (docs/initiatives.md).",
    {
        "ROLE_SHARE": "People in the initiative's roles ÷ all people of the subtree, on the day "
        "(ratio 0..1).",
        "PLATFORM_SHARE": "Services on the initiative's platforms ÷ all services the subtree "
        "owns, on the day (ratio 0..1).",
        "INBOUND_REMOTE_CONTRIBUTION_RATE": "Merged changes to the subtree's services by people "
        "outside it ÷ those with a known author, over `windowDays` (ratio 0..1).",
        "OUTBOUND_REMOTE_CONTRIBUTION_RATE": "Merged changes by the subtree's people to services "
        "it does not own ÷ all they merged, over `windowDays` (ratio 0..1).",
        "KPI": "A KPI of the rollup engine (`Initiative.kpi`), as in `KpiReport`.",
    },
)


@strawberry.type(description="An initiative's measure for a subtree at the end of one day.")
@in_declared_order
class InitiativePoint:
    point: strawberry.Private[model.Point]

    on: date = reads("point.on", description="The day.")
    value: float | None = reads(
        "point.value",
        description="The measure that day (null with an empty sample, or when withheld).",
    )
    withheld: bool = reads(
        "point.withheld",
        description="True when the measure is derived from people and the subtree was under "
        "the privacy floor that day (docs/security.md).",
    )

    sample_size: int | None = reads(
        "point.shown_sample",
        description="People, services or changes behind it (`Initiative.sampleKind`); null "
        "when withheld.",
    )


@strawberry.type(
    description="An initiative's measure forecast to its deadline with a prediction interval, "
    "by the insights' model (docs/insights.md): how sure the straight-line `forecast` is."
)
class InitiativeOutlook:
    found: strawberry.Private[model.Outlook]

    level: float = reads(
        "found.level", description="The interval's nominal coverage (0.8: 8 in 10)."
    )
    used: Model | None = reads(
        "found.model", name="model", description="The model; null when withheld."
    )
    value: float | None = reads(
        "found.value", description="The measure forecast for the deadline's week."
    )
    low: float | None = reads("found.low", description="Lower end of its interval.")
    high: float | None = reads("found.high", description="Upper end of its interval.")
    earliest: date | None = reads(
        "found.earliest",
        description="The first week the interval's optimistic end reaches the target; null: "
        "not before the deadline.",
    )
    latest: date | None = reads(
        "found.latest",
        description="The first week its pessimistic end reaches the target; null: not before "
        "the deadline (the target may well be missed).",
    )
    mae: float | None = reads(
        "found.mae", description="The model's rolling-origin back-test error, in the measure."
    )
    mase: float | None = reads(
        "found.mase", description="The same ÷ the naive forecast's in-sample error."
    )
    history: int = reads("found.history", description="Weekly points the model was fitted to.")
    reason: Reason | None = reads(
        "found.reason", description="Why there is no outlook (e.g. DEADLINE_PASSED)."
    )


@strawberry.type(description="Where an initiative stands for one team's subtree on one day.")
@in_declared_order
class InitiativeStatus:
    found: strawberry.Private[model.Status]
    view: strawberry.Private[TeamData]

    @strawberry.field(description="The initiative.")
    def initiative(self) -> Initiative:
        return Initiative(definition=self.found.initiative)

    @strawberry.field(description="The team whose subtree is measured.")
    def team(self) -> Team:
        return Team(key=self.found.team, view=self.view)

    on: date = reads(
        "found.on", description="The status date: values are taken at the end of this day."
    )
    value: float | None = reads(
        "found.current.value",
        description="The measure on the status date (null with an empty sample).",
    )

    sample_size: int | None = reads(
        "found.current.shown_sample",
        description="People, services or changes behind the value; null when withheld "
        "(`status` WITHHELD).",
    )

    target: float = reads(
        "found.initiative.target", description="The initiative's target, in the measure's units."
    )
    start_value: float | None = reads(
        "found.start_value", description="The measure on the initiative's start date."
    )
    progress: float | None = reads(
        "found.progress",
        description="Share of the way from the start's value to the target covered: "
        "(value - startValue) ÷ (target - startValue); 1 once the target is met, negative when "
        "the value moved away; null without both values.",
    )
    pace_per_week: float | None = reads(
        "found.pace_per_week",
        description="Recent pace: the least-squares slope per week of the weekly values over "
        "the last `Initiative.forecastWeeks` weeks (null with fewer than two values).",
    )
    forecast: date | None = reads(
        "found.forecast",
        description="The first day the target is reached going on from today's value at the "
        "recent pace; null when it is met already or the pace does not lead there.",
    )
    deadline: date = reads("found.initiative.deadline", description="The initiative's deadline.")
    status: model.State = reads(
        "found.state",
        description="DONE when the target is met; else from the forecast against the deadline.",
    )

    @strawberry.field(
        description="The measure forecast to the deadline with an 80% prediction interval, "
        "from the weekly points since the start (at most two years)."
    )
    def outlook(self, info: Info[Context, None]) -> InitiativeOutlook:
        info.context.check_deadline()
        found = self.found
        engine = engine_view(self.view, found.team)
        return InitiativeOutlook(
            found=model.outlook(engine, found.initiative, found.team, found.on)
        )

    @strawberry.field(
        description="The measure on the status date and every 7 days before it, back to the "
        "initiative's start (oldest first), in the same org structure."
    )
    def trend(self, info: Info[Context, None]) -> list[InitiativePoint]:
        info.context.check_deadline()
        found = self.found
        view = engine_view(self.view, found.team)
        points = model.trend(view, found.initiative, found.team, found.on)
        return [InitiativePoint(point=point) for point in points]


@strawberry.type(description="A team's standing against an initiative's target.")
class InitiativeStanding:
    standing: strawberry.Private[model.Standing]
    view: strawberry.Private[TeamData]

    value: float = reads("standing.value", description="The measure for the team's subtree.")
    sample_size: int = reads(
        "standing.sample", description="People, services or changes behind it."
    )
    gap: float = reads(
        "standing.gap",
        description="The team's part of the gap to the target, negative when ahead of it. For "
        "a share, in sample units: (target - value) x sample for AT_LEAST (people, services or "
        "changes short); for other KPIs, target - value. Signs flip for AT_MOST.",
    )

    @strawberry.field(description="The team.")
    def team(self) -> Team:
        return Team(key=self.standing.team, view=self.view)


StatusDate = Annotated[
    date | None,
    strawberry.argument(description="The status date (default: today)."),
]
UnderArg = Annotated[
    str, strawberry.argument(description="The team whose active children are ranked.")
]


@strawberry.type(
    description="A cross-cutting initiative from the initiatives file: a measure, a target, "
    "a start and a deadline (docs/initiatives.md)."
)
@in_declared_order
class Initiative:
    definition: strawberry.Private[model.Initiative]

    key: str = reads("definition.key", description="Stable key from the initiatives file.")
    name: str = reads("definition.name", description="Display name.")
    description: str = reads(
        "definition.description", description="What the initiative is for, from the file."
    )
    measure: model.Measure = reads("definition.measure", description="The kind of measure.")

    @strawberry.field(description="Exactly how the value is computed, in words.")
    def computation(self) -> str:
        return self.definition.explain()

    kpi: Kpi | None = reads("definition.kpi", description="The KPI measured, for measure KPI.")

    @strawberry.field(description="The roles counted, for ROLE_SHARE (else empty).")
    def roles(self) -> list[str]:
        d = self.definition
        return sorted(d.roles) if d.measure is model.Measure.ROLE_SHARE else []

    @strawberry.field(description="The platforms counted, for PLATFORM_SHARE (else empty).")
    def platforms(self) -> list[str]:
        d = self.definition
        return sorted(d.platforms) if d.measure is model.Measure.PLATFORM_SHARE else []

    @strawberry.field(
        description="Days of events behind each value, ending with the status date; null for "
        "a measure taken on one day."
    )
    def window_days(self) -> int | None:
        return self.definition.window_days if self.definition.windowed else None

    sample_kind: str = reads(
        "definition.sample_kind",
        description="What the sample counts: people, services, changes, ...",
    )
    target: float = reads(
        "definition.target", description="The target value, in the measure's units."
    )
    direction: model.Direction = reads(
        "definition.direction", description="Whether the target is a floor or a ceiling."
    )
    start: date = reads(
        "definition.start", description="When the initiative started: progress counts from here."
    )
    deadline: date = reads("definition.deadline", description="When the target is due.")
    scope: str | None = reads(
        "definition.scope", description="Team key the initiative is limited to; null for all."
    )
    forecast_weeks: int = reads(
        "definition.forecast_weeks", description="Recent weeks the pace is fitted over."
    )

    @strawberry.field(
        description="The initiative for the subtree of `team`, in the org structure of `on`; "
        "null when `team` is outside the initiative's scope."
    )
    def status(
        self,
        info: Info[Context, None],
        team: Annotated[str, strawberry.argument(description="The team's key.")],
        on: StatusDate = None,
    ) -> InitiativeStatus | None:
        info.context.check_deadline()
        day = on or date.today()
        view = info.context.view(day)
        if team not in view.tree:
            raise ApiError(f"unknown team {team!r}")
        engine = engine_view(view, team)
        if not model.in_scope(engine, self.definition, team):
            return None
        found = model.status(engine, self.definition, team, day)
        return InitiativeStatus(found=found, view=view)

    @strawberry.field(
        description="The active children of `under` short of the target, the largest part of "
        "the gap first (ties by key); children with no value are left out, and the list is "
        "empty when `under` is outside the initiative's scope."
    )
    def laggards(
        self,
        info: Info[Context, None],
        under: UnderArg,
        on: StatusDate = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[InitiativeStanding]:
        return self._standings(info, under, on, first, after, laggards=True)

    @strawberry.field(
        description="The active children of `under` at or past the target, the furthest ahead "
        "first (ties by key)."
    )
    def leaders(
        self,
        info: Info[Context, None],
        under: UnderArg,
        on: StatusDate = None,
        first: FirstArg = None,
        after: AfterArg = None,
    ) -> Connection[InitiativeStanding]:
        return self._standings(info, under, on, first, after, laggards=False)

    def _standings(
        self,
        info: Info[Context, None],
        under: str,
        on: date | None,
        first: int | None,
        after: str | None,
        *,
        laggards: bool,
    ) -> Connection[InitiativeStanding]:
        info.context.check_deadline()
        day = on or date.today()
        view = info.context.view(day)
        if under not in view.tree:
            raise ApiError(f"unknown team {under!r}")
        engine = engine_view(view, under, org=False)  # its children's figures
        chosen: list[model.Standing] = []
        if model.in_scope(engine, self.definition, under):
            behind, ahead = model.standings(engine, self.definition, under, day)
            chosen = behind if laggards else ahead
        return connection(
            [InitiativeStanding(standing=s, view=view) for s in chosen],
            first,
            after,
        )


def all_initiatives(info: Info[Context, None]) -> list[Initiative]:
    return [Initiative(definition=d) for d in info.context.initiatives.initiatives]


def team_initiatives(
    info: Info[Context, None], view: TeamData, team: str, on: date
) -> list[InitiativeStatus]:
    """Every initiative whose scope holds ``team``, for its subtree."""
    info.context.check_deadline()
    engine = engine_view(view, team)
    return [
        InitiativeStatus(found=model.status(engine, d, team, on), view=view)
        for d in info.context.initiatives.initiatives
        if model.in_scope(engine, d, team)
    ]
