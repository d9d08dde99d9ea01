"""The engine's enums, served as GraphQL enums: Strawberry wraps the engine's own classes
(so a resolver hands the engine's members straight out, with no copy to keep equal) and each
value gets its description here. A KPI's description is the catalogue's (graph/catalogue.py)."""

from __future__ import annotations

from api.core.enums import described
from graph.catalogue import CATALOGUE, Better, Kpi, NullWhen, Unit
from graph.insights import Model, Reason, Side
from graph.privacy import Withheld
from graph.tiers import DoraTier
from graph.trends import Grain

described(
    Kpi,
    "Kpi",
    "Every KPI of a report, by the name of its `KpiReport` field.",
    {kpi.name: definition.description for kpi, definition in CATALOGUE.items()},
)
described(
    DoraTier,
    "DoraTier",
    "A DORA performance tier (2023 State of DevOps report). Each key has its own "
    "thresholds, in docs/kpis.md: deployment frequency by deployment days, lead time p50 under "
    "24 / 168 / 720 hours, change failure rate at most 5 / 10 / 15 %, time to restore p50 "
    "under 1 / 24 / 168 hours for elite / high / medium.",
    {
        "ELITE": "The best of the four clusters.",
        "HIGH": "The second cluster.",
        "MEDIUM": "The third cluster.",
        "LOW": "Beyond the medium threshold.",
    },
)
described(
    Grain,
    "Grain",
    "The period of each point of a trend.",
    {
        "WEEK": "7-day periods counted from `from`.",
        "MONTH": "Calendar months, the first and last cut to the window.",
    },
)
described(
    Unit,
    "KpiUnit",
    "What a KPI's value counts.",
    {
        "PER_WEEK": "Events per week (days ÷ 7).",
        "DAYS_PER_WEEK": "Days (0..7) per week.",
        "CHANGES_PER_ENGINEER_PER_WEEK": "Changes per software engineer per week: a team ratio.",
        "RATIO": "A share, 0..1 (show as a percentage).",
        "HOURS": "Hours.",
        "MINUTES": "Minutes.",
        "PEOPLE": "People (a whole number).",
    },
)
described(
    Better,
    "Better",
    "Which direction of a KPI is an improvement.",
    {
        "HIGHER": "Higher is better.",
        "LOWER": "Lower is better.",
        "NEITHER": "Neither: a size, or a figure whose good value depends on the team's aims.",
    },
)
described(
    NullWhen,
    "NullWhen",
    "When a KPI is null rather than a number (docs/kpis.md).",
    {
        "NO_SERVICE": "A rate over the subtree's services: 0 when nothing happened, null only "
        "when the subtree owned no service in the window.",
        "EMPTY_SAMPLE": "A ratio or percentile: null when its sample is empty.",
        "NO_ENGINEER": "A rate per engineer: null when the subtree had no engineer on the last "
        "day.",
        "NEVER": "A count: 0 when there is none.",
    },
)

described(
    Withheld,
    "WithheldReason",
    "Why a figure is not shown although there may be data for it (docs/security.md).",
    {
        "BELOW_PRIVACY_FLOOR": "Derived from people (roles, reviews, authorship) for a subtree "
        "of fewer people than the privacy floor (`ORGRAPH_PRIVACY_FLOOR`, default 5), or "
        "withheld with such a subtree so that it cannot be worked out by subtraction.",
        "OUTSIDE_SCOPE": "About teams outside the subtree the client's token may see.",
        "TOO_FEW_PEERS": "An aggregate over fewer teams outside the token's scope than "
        "`ORGRAPH_MIN_PEERS`: it would show one of them.",
    },
)
described(
    Reason,
    "InsightReason",
    "Why an insight's figure is withheld (null); docs/insights.md lists them.",
    {
        "TOO_FEW_TEAMS": "Fewer teams with a value than the statistic needs (`minTeams`, 10).",
        "NO_SPREAD": "Every team has the same value: there is no spread to measure against.",
        "TOO_FEW_SERVICES": "Fewer than 5 migrated or 5 not-migrated services with data.",
        "HISTORY_TOO_SHORT": "The series is shorter than any model needs (8 periods).",
        "TOO_MANY_GAPS": "More than a tenth of the series' periods have no value.",
        "NO_DATA": "The subtree has no sample for this figure in the window.",
        "DEADLINE_PASSED": "The initiative's deadline is on or before the status date.",
        "BELOW_PRIVACY_FLOOR": "Derived from people, for a subtree now under the privacy "
        "floor (docs/security.md): a forecast of it would say what is withheld.",
    },
)
described(
    Side,
    "OutlierSide",
    "Which way an outlier lies, read with the KPI's direction (`KpiDefinition.better`).",
    {
        "BETTER": "On the better side of the other teams.",
        "WORSE": "On the worse side of the other teams.",
        "HIGHER": "Above the others, for a KPI with no better direction (a size).",
        "LOWER": "Below the others, for a KPI with no better direction (a size).",
    },
)
described(
    Model,
    "ForecastModel",
    "The model a forecast comes from (docs/insights.md).",
    {
        "ETS": "Exponential smoothing with additive errors and a damped additive trend "
        "(statsmodels' ETSModel, fitted by maximum likelihood).",
        "STL_ETS": "The same on the series less its seasonal component (statsmodels' STL), the "
        "last season repeated ahead.",
        "SEASONAL_NAIVE": "A short series: the value one season back.",
        "NAIVE": "A short series: the last value.",
    },
)

__all__ = [
    "Better",
    "DoraTier",
    "Grain",
    "Kpi",
    "Model",
    "NullWhen",
    "Reason",
    "Side",
    "Unit",
    "Withheld",
]
