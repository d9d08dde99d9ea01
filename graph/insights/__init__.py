"""Insights over the org (docs/insights.md): correlations between KPIs across teams, outliers,
bottlenecks of the delivery flow, the effect of a platform migration and which teams would
gain from it next, and forecasts with prediction intervals. Each is a pure function of an
``OrgView`` (and the engine's indexes it holds), one concept per module: ``correlations``,
``outliers``, ``bottlenecks``, ``migration``, ``forecast`` (a KPI's series and its dates) over
``models`` (the forecasting model on plain numbers); ``common`` holds the reason codes."""

from graph.insights.bottlenecks import Bottlenecks as Bottlenecks
from graph.insights.bottlenecks import Stage as Stage
from graph.insights.bottlenecks import bottlenecks as bottlenecks
from graph.insights.common import MIN_TEAMS as MIN_TEAMS
from graph.insights.common import Reason as Reason
from graph.insights.correlations import FDR as FDR
from graph.insights.correlations import Coefficient as Coefficient
from graph.insights.correlations import Correlations as Correlations
from graph.insights.correlations import Pair as Pair
from graph.insights.correlations import correlations as correlations
from graph.insights.forecast import MAX_HORIZON as MAX_HORIZON
from graph.insights.forecast import Forecast as Forecast
from graph.insights.forecast import Point as Point
from graph.insights.forecast import forecast as forecast
from graph.insights.migration import Candidate as Candidate
from graph.insights.migration import Effect as Effect
from graph.insights.migration import Migration as Migration
from graph.insights.migration import candidates as candidates
from graph.insights.migration import migration as migration
from graph.insights.models import Fitted as Fitted
from graph.insights.models import Model as Model
from graph.insights.models import fit as fit
from graph.insights.outliers import Outlier as Outlier
from graph.insights.outliers import Outliers as Outliers
from graph.insights.outliers import Side as Side
from graph.insights.outliers import outliers as outliers

__all__ = [
    "FDR",
    "MAX_HORIZON",
    "MIN_TEAMS",
    "Bottlenecks",
    "Candidate",
    "Coefficient",
    "Correlations",
    "Effect",
    "Fitted",
    "Forecast",
    "Migration",
    "Model",
    "Outlier",
    "Outliers",
    "Pair",
    "Point",
    "Reason",
    "Side",
    "Stage",
    "bottlenecks",
    "candidates",
    "correlations",
    "fit",
    "forecast",
    "migration",
    "outliers",
]
