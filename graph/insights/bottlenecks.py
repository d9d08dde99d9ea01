"""Where a subtree's delivery flow is stuck, compared with its org (docs/insights.md): each
stage's median (first review wait, review to merge, merge to deploy, and time to restore) as a
share of the subtree's median lead time, beside the same share for the org (the root of the
team's tree). A stage whose share is well above the org's is where this subtree loses more of
its lead time than the org does.

Medians of stages do not add up to the median lead time (each is over its own changes), so a
share is a yardstick, not a slice of a whole; restore is not a part of lead time at all and is
put on the same scale to rank it beside the others."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graph.catalogue import Kpi
from graph.insights.common import Reason, check_window
from graph.report import Metric
from graph.view import OrgView

#: the stages of the delivery flow, in flow order
STAGES = (
    Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50,
    Kpi.REVIEW_TO_MERGE_HOURS_P50,
    Kpi.MERGE_TO_DEPLOY_HOURS_P50,
    Kpi.TIME_TO_RESTORE_HOURS_P50,
)
#: a stage is named a bottleneck when its share is at least this many times the org's
RELATIVE = 1.25


@dataclass(frozen=True)
class Stage:
    kpi: Kpi
    #: the stage's median for the subtree and for the org, hours
    hours: float | None
    org_hours: float | None
    #: the events behind ``hours`` (changes or incidents)
    sample: int
    #: ``hours`` ÷ the subtree's median lead time, and the same for the org
    share: float | None
    org_share: float | None
    #: ``share`` ÷ ``org_share``: above 1 the stage takes more of the lead time than the org's
    relative: float | None
    reason: Reason | None

    @property
    def bottleneck(self) -> bool:
        return self.relative is not None and self.relative >= RELATIVE


@dataclass(frozen=True)
class Bottlenecks:
    """The stages of ``team``'s subtree, the largest ``relative`` first (withheld ones last)."""

    team: str
    org: str
    start: date
    end: date
    lead_time: Metric
    org_lead_time: Metric
    stages: tuple[Stage, ...]


def _share(stage: float | None, lead: float | None) -> float | None:
    return None if stage is None or not lead else stage / lead


def bottlenecks(view: OrgView, team: str, start: date, end: date) -> Bottlenecks:
    """The stages of the delivery flow of ``team``'s subtree over ``[start, end)``."""
    check_window(start, end)
    if team not in view.tree:
        raise KeyError(f"unknown team {team!r}")
    ancestors = view.tree.ancestors(team)
    org = ancestors[0] if ancestors else team
    lead = view.metric(Kpi.LEAD_TIME_HOURS_P50, team, start, end)
    org_lead = view.metric(Kpi.LEAD_TIME_HOURS_P50, org, start, end)
    stages = []
    for kpi in STAGES:
        mine = view.metric(kpi, team, start, end)
        theirs = view.metric(kpi, org, start, end).value
        share, org_share = _share(mine.value, lead.value), _share(theirs, org_lead.value)
        relative = None if share is None or not org_share else share / org_share
        reason = None if relative is not None else Reason.NO_DATA
        stages.append(
            Stage(kpi, mine.value, theirs, mine.sample, share, org_share, relative, reason)
        )
    stages.sort(key=lambda s: (s.relative is None, -(s.relative or 0.0)))
    return Bottlenecks(team, org, start, end, lead, org_lead, tuple(stages))
