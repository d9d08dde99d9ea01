"""What the rollup engine answers: the KPI vocabularies it is configured with, one KPI's value
(:class:`Metric`) and every KPI of one team's subtree over a window (:class:`KpiReport`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graph.catalogue import Kpi
from graph.comparisons import Comparison
from graph.privacy import Withheld
from graph.tiers import DoraTier


@dataclass(frozen=True)
class KpiConfig:
    """The vocabularies some KPIs depend on (docs/configuration.md)."""

    engineer_roles: frozenset[str] = frozenset({"SDE"})
    target_platforms: frozenset[str] = frozenset({"native_aws"})
    #: people-derived figures of a subtree with fewer people are withheld (graph/privacy.py);
    #: 0 for none (the library's default: the server's is 5, docs/security.md)
    privacy_floor: int = 0


@dataclass(frozen=True)
class Metric:
    """One KPI value with the sample behind it (events, people or services). ``value`` is None
    where docs/kpis.md says null; ``exact`` is False for a percentile read from the histograms
    (within 1% of the exact value)."""

    kpi: Kpi
    value: float | None
    sample: int
    exact: bool = True
    comparison: Comparison | None = None
    #: share of the window's days (for a point-in-time KPI: 1 or 0 for its day) within the
    #: days the store has data for this KPI's source; below 1 the value misses some of it
    coverage: float = 1.0
    #: why the value is not shown (then ``value`` is None and ``sample`` 0), or None
    withheld: Withheld | None = None

    @property
    def shown_sample(self) -> int | None:
        """``sample``, or None when the value is withheld: a withheld figure's sample (people,
        for a headcount) would give away what the value would have shown."""
        return None if self.withheld is not None else self.sample


@dataclass(frozen=True)
class KpiReport:
    """Every KPI of one team's subtree over ``[start, end)`` on the structure date ``as_of``,
    and the figures reported beside them."""

    team: str
    start: date
    end: date
    as_of: date
    metrics: dict[Kpi, Metric]
    deployment_tier: DoraTier | None
    #: None when withheld under the privacy floor
    headcount_by_role: dict[str, int] | None
    unresolved_incidents: int
    coverage_unmeasured: int
    debt_unmeasured: int
    #: DORA 2023 tiers of the other three keys (graph/tiers.py); None when not asked
    lead_time_tier: DoraTier | None = None
    change_failure_tier: DoraTier | None = None
    restore_tier: DoraTier | None = None
