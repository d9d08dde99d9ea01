"""The KPI catalogue: every KPI once, with what a reader needs to show it honestly (its unit,
which direction is better, whether it adds up over teams, what its sample counts, when it is
null, which data it reads). The engine, the GraphQL enum, fields and ``kpiDefinitions``, the
initiatives and the CLI read their facts from here; docs/kpis.md has the full definitions.

>>> CATALOGUE[Kpi.LEAD_TIME_HOURS_P50].better
<Better.LOWER: 'LOWER'>
>>> CATALOGUE[Kpi.HEADCOUNT].field
'headcount'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Kpi(Enum):
    """Every KPI of a report."""

    DEPLOYMENTS_PER_WEEK = "DEPLOYMENTS_PER_WEEK"
    DEPLOYMENT_DAYS_PER_WEEK = "DEPLOYMENT_DAYS_PER_WEEK"
    CHANGE_FAILURE_RATE = "CHANGE_FAILURE_RATE"
    LEAD_TIME_HOURS_P50 = "LEAD_TIME_HOURS_P50"
    LEAD_TIME_HOURS_P90 = "LEAD_TIME_HOURS_P90"
    TIME_TO_RESTORE_HOURS_P50 = "TIME_TO_RESTORE_HOURS_P50"
    TIME_TO_FIRST_REVIEW_HOURS_P50 = "TIME_TO_FIRST_REVIEW_HOURS_P50"
    REVIEW_TO_MERGE_HOURS_P50 = "REVIEW_TO_MERGE_HOURS_P50"
    MERGE_TO_DEPLOY_HOURS_P50 = "MERGE_TO_DEPLOY_HOURS_P50"
    UNREVIEWED_MERGE_RATE = "UNREVIEWED_MERGE_RATE"
    CHANGES_PER_ENGINEER_PER_WEEK = "CHANGES_PER_ENGINEER_PER_WEEK"
    CODE_COVERAGE = "CODE_COVERAGE"
    TECHNICAL_DEBT_MINUTES = "TECHNICAL_DEBT_MINUTES"
    HEADCOUNT = "HEADCOUNT"
    SDE_RATIO = "SDE_RATIO"
    INBOUND_REMOTE_CONTRIBUTION_RATE = "INBOUND_REMOTE_CONTRIBUTION_RATE"
    OUTBOUND_REMOTE_CONTRIBUTION_RATE = "OUTBOUND_REMOTE_CONTRIBUTION_RATE"
    NATIVE_AWS_MIGRATION_SHARE = "NATIVE_AWS_MIGRATION_SHARE"


class Unit(Enum):
    """What a KPI's value counts."""

    PER_WEEK = "per week"
    DAYS_PER_WEEK = "days per week"
    CHANGES_PER_ENGINEER_PER_WEEK = "changes per engineer per week"
    RATIO = "ratio 0..1"
    HOURS = "hours"
    MINUTES = "minutes"
    PEOPLE = "people"


class Better(Enum):
    """Which direction of a KPI is an improvement."""

    HIGHER = "HIGHER"
    LOWER = "LOWER"
    #: neither: a size, or a figure whose good value depends on the team's aims
    NEITHER = "NEITHER"


class NullWhen(Enum):
    """When a KPI is null rather than a number (docs/kpis.md, the null rule)."""

    #: a rate per week over the subtree's services: 0 when nothing happened, null only when
    #: the subtree owned no service during the window
    NO_SERVICE = "NO_SERVICE"
    #: a ratio or percentile: null when its denominator or sample is empty
    EMPTY_SAMPLE = "EMPTY_SAMPLE"
    #: a rate per engineer: null when the subtree had no engineer on the window's last day
    NO_ENGINEER = "NO_ENGINEER"
    #: a count: 0 when there is nothing to count, never null
    NEVER = "NEVER"


class Counted(Enum):
    """What a KPI's sample counts, in one word: the unit a team's part of an initiative's gap
    is counted in (``Initiative.sample_kind``)."""

    PEOPLE = "people"
    SERVICES = "services"
    DEPLOYMENTS = "deployments"
    DEPLOYMENT_DAYS = "deployment days"
    CHANGES = "changes"
    INCIDENTS = "incidents"


class Durations(Enum):
    """The per-event durations a percentile KPI ranks: one sample index of the engine each
    (graph/samples.py says which events and which clock)."""

    LEAD_TIME = "lead_time"
    RESTORE = "restore"
    FIRST_REVIEW = "first_review"
    REVIEW_TO_MERGE = "review_to_merge"
    MERGE_TO_DEPLOY = "merge_to_deploy"


class Source(Enum):
    """The data a KPI reads: its days with data say how much of a window it covers."""

    DEPLOYMENTS = "deployments"
    LEAD_TIMES = "changes deployed"
    INCIDENTS = "incidents"
    CHANGES_OPENED = "changes opened"
    CHANGES_MERGED = "changes merged"
    COVERAGE = "coverage measurements"
    DEBT = "debt measurements"
    PEOPLE = "people"
    SERVICES = "services"


@dataclass(frozen=True)
class KpiDefinition:
    kpi: Kpi
    name: str
    description: str
    unit: Unit
    better: Better
    #: a parent's value is the sum of its children's and its own (so a typical team is
    #: much smaller than the org: compare with ``typical*``, not ``orgValue``)
    additive: bool
    #: what ``sampleSize`` counts, in a phrase for readers
    sample: str
    #: the same in one word
    counted: Counted
    null_when: NullWhen
    source: Source
    #: taken on the window's last day rather than over the window
    point_in_time: bool = False
    #: for a percentile KPI, the durations it ranks and the quantile (read from histograms
    #: for large subtrees, so ``exact`` may be false)
    quantile_of: tuple[Durations, float] | None = None
    #: derived from people's work or roles (headcount by role, review, authorship): withheld
    #: for a subtree under the privacy floor (graph/privacy.py)
    people: bool = False
    #: the value is a share of its sample (the sample is its denominator), so a gap to a
    #: target counts in sample units: people, services or changes short. Not every ratio is:
    #: code coverage is a share of lines, its sample counts services.
    share: bool = False

    @property
    def percentile(self) -> bool:
        return self.quantile_of is not None

    @property
    def field(self) -> str:
        """The GraphQL field name (``leadTimeHoursP50``)."""
        return re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), self.kpi.name.lower())


def _define(*definitions: KpiDefinition) -> dict[Kpi, KpiDefinition]:
    catalogue = {d.kpi: d for d in definitions}
    missing = set(Kpi) - set(catalogue)
    assert not missing, f"KPIs without a definition: {missing}"
    return catalogue


CATALOGUE: dict[Kpi, KpiDefinition] = _define(
    KpiDefinition(
        Kpi.DEPLOYMENTS_PER_WEEK,
        "deployments per week",
        "Successful production deployments per week.",
        Unit.PER_WEEK,
        Better.HIGHER,
        additive=True,
        sample="successful production deployments",
        counted=Counted.DEPLOYMENTS,
        null_when=NullWhen.NO_SERVICE,
        source=Source.DEPLOYMENTS,
    ),
    KpiDefinition(
        Kpi.DEPLOYMENT_DAYS_PER_WEEK,
        "deployment days per week",
        "Median (nearest rank) over complete 7-day blocks of the days with a successful "
        "production deployment: days per week.",
        Unit.DAYS_PER_WEEK,
        Better.HIGHER,
        additive=False,
        sample="days with a successful production deployment",
        counted=Counted.DEPLOYMENT_DAYS,
        null_when=NullWhen.NO_SERVICE,
        source=Source.DEPLOYMENTS,
    ),
    KpiDefinition(
        Kpi.CHANGE_FAILURE_RATE,
        "change failure rate",
        "Production deployments that failed or caused an incident ÷ all production "
        "deployments (ratio 0..1).",
        Unit.RATIO,
        Better.LOWER,
        additive=False,
        sample="production deployments",
        counted=Counted.DEPLOYMENTS,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.DEPLOYMENTS,
        share=True,
    ),
    KpiDefinition(
        Kpi.LEAD_TIME_HOURS_P50,
        "lead time for changes, median",
        "Median lead time for changes (first commit or open, whichever is first, to "
        "deployed), hours.",
        Unit.HOURS,
        Better.LOWER,
        additive=False,
        sample="changes deployed",
        counted=Counted.CHANGES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.LEAD_TIMES,
        quantile_of=(Durations.LEAD_TIME, 0.5),
    ),
    KpiDefinition(
        Kpi.LEAD_TIME_HOURS_P90,
        "lead time for changes, 90th percentile",
        "90th percentile lead time for changes, hours.",
        Unit.HOURS,
        Better.LOWER,
        additive=False,
        sample="changes deployed",
        counted=Counted.CHANGES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.LEAD_TIMES,
        quantile_of=(Durations.LEAD_TIME, 0.9),
    ),
    KpiDefinition(
        Kpi.TIME_TO_RESTORE_HOURS_P50,
        "time to restore, median",
        "Median time to restore over incidents started in the window and resolved, hours.",
        Unit.HOURS,
        Better.LOWER,
        additive=False,
        sample="incidents resolved",
        counted=Counted.INCIDENTS,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.INCIDENTS,
        quantile_of=(Durations.RESTORE, 0.5),
    ),
    KpiDefinition(
        Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50,
        "time to first review, median",
        "Median time from opening to the first review by another person, hours.",
        Unit.HOURS,
        Better.LOWER,
        additive=False,
        sample="changes reviewed",
        counted=Counted.CHANGES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.CHANGES_OPENED,
        quantile_of=(Durations.FIRST_REVIEW, 0.5),
        people=True,
    ),
    KpiDefinition(
        Kpi.REVIEW_TO_MERGE_HOURS_P50,
        "review to merge, median",
        "Median time from the first review to the merge, hours.",
        Unit.HOURS,
        Better.LOWER,
        additive=False,
        sample="changes merged after a review",
        counted=Counted.CHANGES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.CHANGES_MERGED,
        quantile_of=(Durations.REVIEW_TO_MERGE, 0.5),
        people=True,
    ),
    KpiDefinition(
        Kpi.MERGE_TO_DEPLOY_HOURS_P50,
        "merge to deploy, median",
        "Median time from the merge to the successful production deployment that shipped "
        "the change (the last stage of lead time), hours.",
        Unit.HOURS,
        Better.LOWER,
        additive=False,
        sample="changes deployed",
        counted=Counted.CHANGES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.LEAD_TIMES,
        quantile_of=(Durations.MERGE_TO_DEPLOY, 0.5),
    ),
    KpiDefinition(
        Kpi.UNREVIEWED_MERGE_RATE,
        "unreviewed merge rate",
        "Changes merged without an approval by someone else ÷ all merged (ratio 0..1).",
        Unit.RATIO,
        Better.LOWER,
        additive=False,
        sample="changes merged",
        counted=Counted.CHANGES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.CHANGES_MERGED,
        share=True,
        people=True,
    ),
    KpiDefinition(
        Kpi.CHANGES_PER_ENGINEER_PER_WEEK,
        "changes per engineer per week",
        "Merged changes by the subtree's people ÷ software engineers on the last day ÷ "
        "weeks: a team ratio, never a per-person figure.",
        Unit.CHANGES_PER_ENGINEER_PER_WEEK,
        Better.HIGHER,
        additive=False,
        sample="changes merged",
        counted=Counted.CHANGES,
        null_when=NullWhen.NO_ENGINEER,
        source=Source.CHANGES_MERGED,
        people=True,
    ),
    KpiDefinition(
        Kpi.CODE_COVERAGE,
        "code coverage",
        "Covered ÷ total lines of the services owned on the window's last day (ratio 0..1).",
        Unit.RATIO,
        Better.HIGHER,
        additive=False,
        sample="services measured",
        counted=Counted.SERVICES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.COVERAGE,
        point_in_time=True,
    ),
    KpiDefinition(
        Kpi.TECHNICAL_DEBT_MINUTES,
        "technical debt",
        "Technical debt of the services owned on the window's last day, minutes.",
        Unit.MINUTES,
        Better.LOWER,
        additive=True,
        sample="services measured",
        counted=Counted.SERVICES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.DEBT,
        point_in_time=True,
    ),
    KpiDefinition(
        Kpi.HEADCOUNT,
        "headcount",
        "People whose primary team is in the subtree on the window's last day.",
        Unit.PEOPLE,
        Better.NEITHER,
        additive=True,
        sample="people",
        counted=Counted.PEOPLE,
        null_when=NullWhen.NEVER,
        source=Source.PEOPLE,
        point_in_time=True,
    ),
    KpiDefinition(
        Kpi.SDE_RATIO,
        "SDE ratio",
        "Software engineers ÷ headcount on the window's last day (ratio 0..1); higher is "
        "better as the `sde-ratio` initiative sets it.",
        Unit.RATIO,
        Better.HIGHER,
        additive=False,
        sample="people",
        counted=Counted.PEOPLE,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.PEOPLE,
        point_in_time=True,
        share=True,
        people=True,
    ),
    KpiDefinition(
        Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE,
        "inbound remote contributions",
        "Changes merged to the subtree's services by people outside it ÷ all such changes "
        "with a known author (ratio 0..1); higher is better as the `remote-contributions` "
        "initiative sets it.",
        Unit.RATIO,
        Better.HIGHER,
        additive=False,
        sample="changes merged to the subtree's services",
        counted=Counted.CHANGES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.CHANGES_MERGED,
        share=True,
        people=True,
    ),
    KpiDefinition(
        Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE,
        "outbound remote contributions",
        "Changes merged by the subtree's people to services outside it ÷ all changes they "
        "merged (ratio 0..1).",
        Unit.RATIO,
        Better.NEITHER,
        additive=False,
        sample="changes merged by the subtree's people",
        counted=Counted.CHANGES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.CHANGES_MERGED,
        share=True,
        people=True,
    ),
    KpiDefinition(
        Kpi.NATIVE_AWS_MIGRATION_SHARE,
        "native-AWS migration share",
        "Services on a target platform ÷ services owned, on the window's last day (ratio 0..1).",
        Unit.RATIO,
        Better.HIGHER,
        additive=False,
        sample="services owned",
        counted=Counted.SERVICES,
        null_when=NullWhen.EMPTY_SAMPLE,
        source=Source.SERVICES,
        point_in_time=True,
        share=True,
    ),
)


#: the quantiles the catalogue asks of each durations index, in order (computed together)
QUANTILES: dict[Durations, tuple[float, ...]] = {
    durations: tuple(
        sorted(
            d.quantile_of[1]
            for d in CATALOGUE.values()
            if d.quantile_of is not None and d.quantile_of[0] is durations
        )
    )
    for durations in Durations
}
