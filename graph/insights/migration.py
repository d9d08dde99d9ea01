"""What moving services to a target platform did to their delivery, and which teams would be
next (docs/insights.md).

**Effect.** The services of a subtree form a panel of calendar months over the window: per
service and month, its deployments per week, change failure rate and median lead time (from
the engine's per-service index, ``graph/services.py``). Services that moved from another
platform to a target platform during the window are *migrated*; services on other platforms
for the whole window are the *controls*; services on a target platform all along are left out.
The estimate is a difference in differences with two-way fixed effects (a constant per service,
a constant per month, and the treatment: a migrated service's months after its migration; the
month it migrated in is dropped), fitted by statsmodels' OLS on the within-transformed panel
with standard errors clustered by service. Lead time is compared on a log scale, so its effect
is a factor (0.5: halved); the others as differences. It assumes that without the migration
both groups would have moved in parallel, that nothing changed in anticipation, and one effect
for every migrated service (with effects that vary between services and over time, a two-way
fixed-effects estimate can mislead: see Goodman-Bacon, 2021).

**Could benefit.** The teams under a subtree that still own services off the target platforms,
ranked by the share of their services not migrated x their median lead time x the share of
lead time the migration saved (when the effect above is a clear gain): the hours of median lead
time the migration would take off, if it did for them what it did for the migrated services."""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import statsmodels.api as sm

from graph.catalogue import Kpi
from graph.insights.common import Floats, Reason, check_window, values
from graph.services import Panel, panel
from graph.trends import Grain, is_partial, periods
from graph.view import OrgView
from store.rows import ServiceVersion

#: the delivery KPIs an effect is estimated for; True: compared on a log scale (a factor)
OUTCOMES = {
    Kpi.DEPLOYMENTS_PER_WEEK: False,
    Kpi.LEAD_TIME_HOURS_P50: True,
    Kpi.CHANGE_FAILURE_RATE: False,
}
#: the fewest migrated and control services an effect is estimated from
MIN_SERVICES = 5
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Effect:
    """The migration's effect on one delivery KPI."""

    kpi: Kpi
    #: True: ``estimate`` and its interval are factors (after ÷ before); else differences
    ratio: bool
    #: the migrated services' mean before and after their migration (geometric for a ratio)
    before: float | None
    after: float | None
    #: the difference in differences: the migrated services' change less the controls' over
    #: the same months, with its ``CONFIDENCE`` interval and p-value
    estimate: float | None
    low: float | None
    high: float | None
    p_value: float | None
    migrated: int
    controls: int
    #: service-months the estimate is over
    observations: int
    reason: Reason | None


@dataclass(frozen=True)
class Migration:
    under: str
    start: date
    end: date
    platforms: frozenset[str]
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Candidate:
    """A team that still owns services off the target platforms."""

    team: str
    services: int
    unmigrated: int
    unmigrated_share: float
    lead_time_p50: float | None
    deployments_per_week: float | None
    change_failure_rate: float | None
    #: hours of median lead time the migration would take off (see the module's docstring);
    #: without a clear gain from the effect, the hours of lead time on unmigrated services
    score: float


@dataclass(frozen=True)
class _Service:
    key: str
    #: the day it moved to a target platform (None: it did not in the window)
    migrated_on: date | None
    #: the first and end day of its versions
    first: date
    last: date | None


def _services(
    versions: Iterable[ServiceVersion],
    keys: set[str],
    targets: frozenset[str],
    start: date,
    end: date,
) -> tuple[list[_Service], list[_Service]]:
    """The migrated services and the controls among ``keys``."""
    history: dict[str, list[ServiceVersion]] = defaultdict(list)
    for version in versions:
        if version.id in keys:
            history[version.id].append(version)
    migrated, controls = [], []
    for key in sorted(history):
        rows = sorted(history[key], key=lambda v: v.valid_from)
        inside = [
            v for v in rows if v.valid_from < end and (v.valid_to is None or v.valid_to > start)
        ]
        on_target = [v.platform in targets for v in inside]
        last = (
            None if any(v.valid_to is None for v in rows) else max(v.valid_to or end for v in rows)
        )
        service = _Service(key, None, rows[0].valid_from, last)
        if not inside:
            continue
        if not any(on_target):
            controls.append(service)
        elif not on_target[0]:
            moved = next(v.valid_from for v, t in zip(inside, on_target, strict=True) if t)
            if start < moved < end:
                migrated.append(_Service(key, moved, service.first, service.last))
    return migrated, controls


def _within(values: Floats, groups: list[np.ndarray], rounds: int = 200) -> Floats:
    """``values`` less their means by each grouping in turn, until it settles (the within
    transformation of a model with a fixed effect per group of each grouping)."""
    out = values.copy()
    for _ in range(rounds):
        before = out.copy()
        for group in groups:
            sums = np.bincount(group, weights=out)
            counts = np.bincount(group)
            out = out - (sums / np.maximum(counts, 1))[group]
        if np.max(np.abs(out - before), initial=0.0) < 1e-10:
            break
    return out


def _estimate(kpi: Kpi, cells: Panel, weeks: Floats, treated: np.ndarray, rows: np.ndarray,
              migrated: int) -> Effect:  # fmt: skip
    """One KPI's difference in differences over the panel's usable cells."""
    log = OUTCOMES[kpi]
    if kpi is Kpi.LEAD_TIME_HOURS_P50:
        y = np.where(
            cells.lead_time_p50 > 0,
            np.log(np.where(cells.lead_time_p50 > 0, cells.lead_time_p50, 1.0)),
            np.nan,
        )
    elif kpi is Kpi.CHANGE_FAILURE_RATE:
        y = np.where(cells.deployments > 0, cells.failed / np.maximum(cells.deployments, 1), np.nan)
    else:
        y = cells.successful / weeks[None, :]
    usable = rows & ~np.isnan(y)
    service, period = np.nonzero(usable)
    outcome, dose = y[usable], treated[usable].astype(np.float64)
    is_migrated = np.arange(usable.shape[0]) < migrated
    pre = usable & is_migrated[:, None] & ~treated
    post = usable & treated
    both = pre.any(axis=1) & post.any(axis=1)
    n_migrated = int(both.sum())
    n_controls = int((usable.any(axis=1) & ~is_migrated).sum())

    def mean(mask: np.ndarray) -> float | None:
        per = [float(np.mean(y[i][mask[i]])) for i in np.flatnonzero(both)]
        if not per:
            return None
        value = float(np.mean(per))
        return math.exp(value) if log else value

    before, after = mean(pre), mean(post)
    if n_migrated < MIN_SERVICES or n_controls < MIN_SERVICES:
        return Effect(kpi, log, before, after, None, None, None, None, n_migrated, n_controls,
                      len(outcome), Reason.TOO_FEW_SERVICES)  # fmt: skip
    _, service = np.unique(service, return_inverse=True)
    _, period = np.unique(period, return_inverse=True)
    y_within = _within(outcome, [service, period])
    d_within = _within(dose, [service, period])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.OLS(y_within, d_within).fit(
            cov_type="cluster", cov_kwds={"groups": service}, use_t=True
        )
    beta = float(fit.params[0])
    low, high = (float(v) for v in fit.conf_int(alpha=1 - CONFIDENCE)[0])
    if log:
        beta, low, high = math.exp(beta), math.exp(low), math.exp(high)
    return Effect(kpi, log, before, after, beta, low, high, float(fit.pvalues[0]), n_migrated,
                  n_controls, len(outcome), None)  # fmt: skip


def migration(
    view: OrgView,
    under: str,
    start: date,
    end: date,
    platforms: frozenset[str] | None = None,
) -> Migration:
    """The effect of moving ``under``'s services to ``platforms`` (default: the configured
    target platforms) over ``[start, end)``, by calendar month."""
    check_window(start, end)
    tree = view.tree
    if under not in tree:
        raise KeyError(f"unknown team {under!r}")
    targets = platforms or view.config.target_platforms
    months = [
        (a, b) for a, b in periods(start, end, Grain.MONTH) if not is_partial(a, b, Grain.MONTH)
    ]
    keys = {
        s for team in tree.subtree(under) for s in tree.services_of(team, include_inactive=True)
    }
    migrated, controls = _services(view.engine.service_versions, keys, targets, start, end)
    if not months:
        return Migration(under, start, end, targets, tuple(
            Effect(k, log, None, None, None, None, None, None, len(migrated), len(controls), 0,
                   Reason.TOO_FEW_SERVICES) for k, log in OUTCOMES.items()))  # fmt: skip
    chosen = migrated + controls
    edges = [a for a, _ in months] + [months[-1][1]]
    cells = panel(view.engine.service_delivery, [s.key for s in chosen], edges)
    firsts = np.array([a.toordinal() for a, _ in months])
    ends = np.array([b.toordinal() for _, b in months])
    weeks = (ends - firsts) / 7
    alive = np.array([
        (firsts < (s.last.toordinal() if s.last else 10**9)) & (ends > s.first.toordinal()) for s in chosen
    ]).reshape(len(chosen), len(months))  # fmt: skip
    moved = np.array([s.migrated_on.toordinal() if s.migrated_on else 10**9 for s in chosen])
    treated = firsts[None, :] >= moved[:, None]
    during = (firsts[None, :] < moved[:, None]) & (ends[None, :] > moved[:, None])
    rows = alive & ~during
    effects = tuple(_estimate(k, cells, weeks, treated, rows, len(migrated)) for k in OUTCOMES)
    return Migration(under, start, end, targets, effects)


def candidates(
    view: OrgView, under: str, start: date, end: date, effect: Effect | None = None
) -> list[Candidate]:
    """The active children of ``under`` that own services off the target platforms on the
    window's last day, the largest ``score`` first (``effect``: the lead-time effect)."""
    check_window(start, end)
    if under not in view.tree:
        raise KeyError(f"unknown team {under!r}")
    gain = None
    if (
        effect is not None
        and effect.estimate is not None
        and effect.high is not None
        and effect.high < 1
    ):
        gain = 1 - effect.estimate
    found = []
    children = view.tree.children(under)
    # the delivery figures of every child at once (the share needs its sample: one by one)
    leads, deploys, failures = (
        values(view, kpi, children, start, end)
        for kpi in (Kpi.LEAD_TIME_HOURS_P50, Kpi.DEPLOYMENTS_PER_WEEK, Kpi.CHANGE_FAILURE_RATE)
    )
    for at, team in enumerate(children):
        share = view.metric(Kpi.NATIVE_AWS_MIGRATION_SHARE, team, start, end)
        if share.value is None or share.sample == 0:
            continue
        unmigrated = share.sample - round(share.value * share.sample)
        if unmigrated == 0:
            continue
        lead = _value(leads[at])
        rest = unmigrated / share.sample
        found.append(
            Candidate(
                team,
                share.sample,
                unmigrated,
                rest,
                lead,
                _value(deploys[at]),
                _value(failures[at]),
                rest * (lead or 0.0) * (gain if gain is not None else 1.0),
            )
        )
    found.sort(key=lambda c: (-c.score, -c.unmigrated, c.team))
    return found


def _value(found: np.float64) -> float | None:
    return None if math.isnan(found) else float(found)
