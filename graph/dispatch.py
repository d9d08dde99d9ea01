"""How each KPI of the catalogue is computed from one view's indexes: for one subtree (a
``Metric``, what ``OrgView.metric`` returns) and, where the indexes allow it, for many subtrees
at once (their values as one array, NaN where null: what ``OrgView.values`` returns).

The second form is the first's value, computed for all the teams in a few array operations
over the same indexes (subtree x window sums of the cubes, point-in-time sums of the
intervals, the percentiles' samples gathered together): the same integers, divided in the same
order, so the same floats (tests/graph/test_dispatch.py holds every KPI to it). A KPI added
without it (``many`` left None) is computed by the view one subtree at a time, through its
first form: nothing else to write. A percentile KPI gets both from the catalogue alone.

The privacy floor is the view's (``OrgView.metric`` and ``OrgView.values`` apply it to the
catalogue's ``people`` KPIs), never a form's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from graph.catalogue import CATALOGUE, QUANTILES, Durations, Kpi
from graph.contributions import changes_per_engineer_per_week, changes_per_engineer_per_week_many
from graph.lru import Lru
from graph.measures import Floats, Rate
from graph.percentiles import Percentiles
from graph.quality import Measured
from graph.report import Metric
from graph.tree import Subtrees

if TYPE_CHECKING:
    from graph.view import OrgView

#: bounds of the percentile caches (entries): one subtree's quantiles of one durations index
#: and window, and one set of subtrees' (an array per set)
CACHED_PERCENTILES = 1 << 16
CACHED_PERCENTILE_ARRAYS = 1 << 8

#: a KPI of one subtree over ``[start, end)``
One = Callable[[str, date, date], Metric]
#: a KPI's values for many subtrees over ``[start, end)``, NaN where null
Many = Callable[[Subtrees, date, date], Floats]


class Forms(NamedTuple):
    """One KPI's computations: of one subtree, and of many at once (None: one by one)."""

    one: One
    many: Many | None


class KpiDispatch:
    """Every KPI's forms over one view's indexes (built once per view)."""

    def __init__(self, view: OrgView) -> None:
        delivery, contributions, quality = view.delivery, view.contributions, view.quality
        headcount, platforms, config = view.headcount, view.platforms, view.config
        self.view = view
        self._pairs = Lru[Percentiles](CACHED_PERCENTILES)
        self._arrays = Lru[Floats](CACHED_PERCENTILE_ARRAYS)
        self.forms: dict[Kpi, Forms] = {
            # a percentile KPI: the quantile of its durations the catalogue names
            **{
                kpi: self._percentile(kpi, *definition.quantile_of)
                for kpi, definition in CATALOGUE.items()
                if definition.quantile_of is not None
            },
            Kpi.DEPLOYMENTS_PER_WEEK: _rate(
                Kpi.DEPLOYMENTS_PER_WEEK,
                delivery.deployments_per_week,
                delivery.deployments_per_week_many,
            ),
            Kpi.DEPLOYMENT_DAYS_PER_WEEK: _rate(
                Kpi.DEPLOYMENT_DAYS_PER_WEEK,
                lambda t, s, e: delivery.deployment_days(t, s, e)[0],
                delivery.deployment_days_many,
            ),
            Kpi.CHANGE_FAILURE_RATE: _rate(
                Kpi.CHANGE_FAILURE_RATE,
                delivery.change_failure_rate,
                delivery.change_failure_rate_many,
            ),
            Kpi.UNREVIEWED_MERGE_RATE: _rate(
                Kpi.UNREVIEWED_MERGE_RATE,
                view.review.unreviewed_merge_rate,
                view.review.unreviewed_merge_rate_many,
            ),
            Kpi.CHANGES_PER_ENGINEER_PER_WEEK: _rate(
                Kpi.CHANGES_PER_ENGINEER_PER_WEEK,
                lambda t, s, e: changes_per_engineer_per_week(
                    contributions, headcount, t, s, e, config.engineer_roles
                ),
                lambda t, s, e: changes_per_engineer_per_week_many(
                    contributions, headcount, t, s, e, config.engineer_roles
                ),
            ),
            Kpi.CODE_COVERAGE: _on_last_day(
                Kpi.CODE_COVERAGE,
                lambda t, on: _measured(quality.code_coverage(t, on)),
                quality.code_coverage_many,
            ),
            Kpi.TECHNICAL_DEBT_MINUTES: _on_last_day(
                Kpi.TECHNICAL_DEBT_MINUTES,
                lambda t, on: _measured(quality.technical_debt_minutes(t, on)),
                quality.technical_debt_minutes_many,
            ),
            Kpi.HEADCOUNT: _on_last_day(
                Kpi.HEADCOUNT,
                lambda t, on: _count(view.people_on(t, on)),
                lambda t, on: headcount.counts_many(t, on).astype(np.float64),
            ),
            Kpi.SDE_RATIO: _on_last_day(
                Kpi.SDE_RATIO,
                lambda t, on: Rate(*headcount.share(t, on, config.engineer_roles)),
                lambda t, on: headcount.share_many(t, on, config.engineer_roles),
            ),
            Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE: _rate(
                Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE,
                contributions.inbound,
                contributions.inbound_many,
            ),
            Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE: _rate(
                Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE,
                contributions.outbound,
                contributions.outbound_many,
            ),
            Kpi.NATIVE_AWS_MIGRATION_SHARE: _on_last_day(
                Kpi.NATIVE_AWS_MIGRATION_SHARE,
                lambda t, on: Rate(*platforms.share(t, on, config.target_platforms)),
                lambda t, on: platforms.share_many(t, on, config.target_platforms),
            ),
        }

    def _percentile(self, kpi: Kpi, durations: Durations, quantile: float) -> Forms:
        # every quantile the catalogue asks of these durations is read in one pass
        asked = QUANTILES[durations]
        which = asked.index(quantile)
        index = self.view.percentile[durations.value]

        def metric(team: str, start: date, end: date) -> Metric:
            found = self._pairs.get_or_compute(
                (durations, team, start, end), lambda: index.percentiles(team, start, end, asked)
            )
            return Metric(kpi, found.values[which], found.sample, found.exact)

        def values(teams: Subtrees, start: date, end: date) -> Floats:
            found = self._arrays.get_or_compute(
                (durations, teams.teams, start, end),
                lambda: index.values_many(teams, start, end, asked),
            )
            return found[:, which].copy()

        return Forms(metric, values)


def _rate(kpi: Kpi, compute: Callable[[str, date, date], Rate], many: Many | None = None) -> Forms:
    def metric(team: str, start: date, end: date) -> Metric:
        rate = compute(team, start, end)
        return Metric(kpi, rate.value, rate.sample)

    return Forms(metric, many)


def _on_last_day(
    kpi: Kpi,
    compute: Callable[[str, date], Rate],
    many: Callable[[Subtrees, date], Floats] | None = None,
) -> Forms:
    """A point-in-time KPI: taken on the window's last day."""

    def metric(team: str, start: date, end: date) -> Metric:
        rate = compute(team, end - timedelta(days=1))
        return Metric(kpi, rate.value, rate.sample)

    if many is None:
        return Forms(metric, None)
    on_day = many

    def values(teams: Subtrees, start: date, end: date) -> Floats:
        return on_day(teams, end - timedelta(days=1))

    return Forms(metric, values)


def _measured(found: Measured) -> Rate:
    """A quality measure as a rate: its value, over the services measured."""
    return Rate(found.value, found.measured)


def _count(people: int) -> Rate:
    return Rate(float(people), people)
