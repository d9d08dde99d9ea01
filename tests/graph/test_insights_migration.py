"""The migration's effect: the planted factor inside the interval, no effect in the control
org, and the same estimate as a plain dummy-variable regression (statsmodels, pandas) over a
panel built one service and month at a time from the per-service index."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from graph import insights
from graph.catalogue import Kpi
from graph.insights import Reason
from graph.trends import Grain, is_partial, periods
from tests.graph.planted import END, START, largest_root, view_of


def _lead(found: insights.Migration) -> insights.Effect:
    (effect,) = [e for e in found.effects if e.kpi is Kpi.LEAD_TIME_HOURS_P50]
    return effect


def test_the_planted_factor_is_inside_the_interval() -> None:
    view = view_of("migrated")
    found = insights.migration(view, largest_root(view), START, END)
    lead = _lead(found)
    assert lead.ratio
    assert lead.reason is None
    assert lead.low is not None
    assert lead.high is not None
    assert lead.estimate is not None
    assert lead.low <= 0.5 <= lead.high, lead
    assert lead.high < 1  # a clear gain
    assert lead.migrated >= 50
    assert lead.controls >= 50
    assert lead.observations > lead.migrated
    assert lead.before is not None
    assert lead.after is not None
    assert lead.after < lead.before
    # the planted org changed nothing else about failures
    (failures,) = [e for e in found.effects if e.kpi is Kpi.CHANGE_FAILURE_RATE]
    assert failures.low is not None
    assert failures.high is not None
    assert failures.low <= 0 <= failures.high


def test_no_effect_on_lead_time_in_the_control_org() -> None:
    view = view_of("control")
    lead = _lead(insights.migration(view, largest_root(view), START, END))
    assert lead.low is not None
    assert lead.high is not None
    assert lead.low <= 1 <= lead.high, lead


def test_the_estimate_is_a_plain_dummy_variable_regression() -> None:
    view = view_of("migrated")
    engine = view.engine
    root = largest_root(view)
    team = max(view.tree.children(root), key=lambda t: len(view.tree.subtree(t)))
    found = _lead(insights.migration(view, team, START, END))
    months = [
        (a, b) for a, b in periods(START, END, Grain.MONTH) if not is_partial(a, b, Grain.MONTH)
    ]
    keys = {
        s for t in view.tree.subtree(team) for s in view.tree.services_of(t, include_inactive=True)
    }
    rows = []
    for key in sorted(keys):
        versions = sorted(
            (v for v in engine.service_versions if v.id == key), key=lambda v: v.valid_from
        )
        native = [v.platform == "native_aws" for v in versions]
        if all(native):
            continue
        moved = next((v.valid_from for v, n in zip(versions, native, strict=True) if n), None)
        if moved is not None and not START < moved < END:
            continue
        for first, last in months:
            if moved is not None and first < moved < last:
                continue  # the month it migrated in
            kpis = engine.service_delivery.kpis(key, first, last)
            if kpis.lead_time_hours_p50:
                treated = moved is not None and first >= moved
                rows.append((key, str(first), math.log(kpis.lead_time_hours_p50), float(treated)))
    panel = pd.DataFrame(rows, columns=["service", "month", "y", "treated"])
    assert len(panel) == found.observations
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = smf.ols("y ~ treated + C(service) + C(month)", data=panel).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(panel["service"])[0]}, use_t=True
        )
    assert found.estimate == pytest.approx(math.exp(plain.params["treated"]), rel=1e-6)
    # the same clustered standard error, but for the dummies' degrees of freedom, which a
    # model with the service effects inside the clusters does not count (as reghdfe)
    n, k = len(panel), len(plain.params)
    se = plain.bse["treated"] / math.sqrt((n - 1) / (n - k))
    assert found.high is not None
    assert found.estimate is not None
    width = math.log(found.high) - math.log(found.estimate)
    from scipy import stats

    groups = panel["service"].nunique()
    assert width == pytest.approx(stats.t.ppf(0.975, groups - 1) * se, rel=1e-4)


def test_too_few_services_withholds_the_effect() -> None:
    view = view_of("migrated")
    leaf = view.leaves(largest_root(view))[0]
    lead = _lead(insights.migration(view, leaf, START, END))
    assert lead.reason is Reason.TOO_FEW_SERVICES
    assert lead.estimate is None
    assert lead.low is None


def test_could_benefit_ranks_teams_by_unmigrated_lead_time() -> None:
    view = view_of("migrated")
    root = largest_root(view)
    effect = _lead(insights.migration(view, root, START, END))
    ranked = insights.candidates(view, root, START, END, effect)
    assert ranked
    assert effect.estimate is not None
    for candidate in ranked:
        share = view.metric(Kpi.NATIVE_AWS_MIGRATION_SHARE, candidate.team, START, END)
        lead = view.metric(Kpi.LEAD_TIME_HOURS_P50, candidate.team, START, END).value
        assert candidate.services == share.sample
        assert share.value is not None
        assert candidate.unmigrated == share.sample - round(share.value * share.sample) > 0
        assert candidate.score == pytest.approx(
            candidate.unmigrated_share * (lead or 0) * (1 - effect.estimate)
        )
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    # without a clear gain, the hours of lead time on unmigrated services
    plain = insights.candidates(view, root, START, END, None)
    assert [c.team for c in plain] == [c.team for c in ranked]
    assert all(np.isclose(p.score, p.unmigrated_share * (p.lead_time_p50 or 0)) for p in plain)
