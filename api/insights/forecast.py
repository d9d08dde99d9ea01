"""The GraphQL types of a KPI's forecast (graph/insights/forecast.py, docs/insights.md);
``Team.forecast`` reaches them through ``strawberry.lazy``."""

from __future__ import annotations

from datetime import date

import strawberry

from api.core.scope import TeamData
from api.core.wrapping import in_declared_order, reads
from api.insights.types import definition
from api.kpis.enums import Grain, Model, Reason
from api.kpis.types import KpiDefinition
from graph import insights


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
    view: strawberry.Private[TeamData]

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
