"""The null rule of docs/kpis.md at its edges, KPI by KPI, on hand-built orgs: no services, no
people, no events, and a team that ended (which must not enter its siblings' peer groups).

A rate per week is 0 when nothing happened and null only when the subtree owned no service (a
per-engineer rate: had no engineer); a ratio or percentile with an empty sample is null; a
count is 0. The property test in test_properties.py checks the same rule on random orgs."""

from __future__ import annotations

from datetime import date

import pytest

from graph.catalogue import CATALOGUE, Kpi, NullWhen
from graph.engine import Engine
from tests.graph.rows import change, deployment, org, person, service, team

START, END = date(2025, 3, 3), date(2025, 3, 31)  # four complete weeks
AS_OF = date(2025, 3, 30)

#: every KPI's value in each edge case (None: null); the comments say which rule gives it
EDGES: dict[str, tuple[dict[str, list[dict[str, object]]], dict[Kpi, float | None]]] = {
    "no services": (
        {"teams": [team("a")], "people": [person("p1", "a"), person("p2", "a", "PM")]},
        {
            Kpi.DEPLOYMENTS_PER_WEEK: None,  # no service: null
            Kpi.DEPLOYMENT_DAYS_PER_WEEK: None,  # no service: null (was 0)
            Kpi.CHANGE_FAILURE_RATE: None,
            Kpi.LEAD_TIME_HOURS_P50: None,
            Kpi.LEAD_TIME_HOURS_P90: None,
            Kpi.TIME_TO_RESTORE_HOURS_P50: None,
            Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50: None,
            Kpi.REVIEW_TO_MERGE_HOURS_P50: None,
            Kpi.MERGE_TO_DEPLOY_HOURS_P50: None,
            Kpi.UNREVIEWED_MERGE_RATE: None,
            Kpi.CHANGES_PER_ENGINEER_PER_WEEK: 0.0,  # an engineer, nothing merged: 0
            Kpi.CODE_COVERAGE: None,
            Kpi.TECHNICAL_DEBT_MINUTES: None,
            Kpi.HEADCOUNT: 2.0,
            Kpi.SDE_RATIO: 0.5,
            Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE: None,
            Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE: None,
            Kpi.NATIVE_AWS_MIGRATION_SHARE: None,  # no service: null
        },
    ),
    "no people": (
        {
            "teams": [team("a")],
            "services": [service("s", "a", platform="native_aws")],
            "deployments": [deployment("d1", "s", "03-04 10:00")],
            "changes": [change("c1", "s", opened="03-03 10:00", merged="03-04 09:00")],
        },
        {
            Kpi.DEPLOYMENTS_PER_WEEK: 0.25,  # 1 in four weeks
            Kpi.DEPLOYMENT_DAYS_PER_WEEK: 0.0,  # median of [1, 0, 0, 0]
            Kpi.CHANGE_FAILURE_RATE: 0.0,
            Kpi.LEAD_TIME_HOURS_P50: 24.0,  # 03-03 10:00 to 03-04 10:00
            Kpi.LEAD_TIME_HOURS_P90: 24.0,
            Kpi.TIME_TO_RESTORE_HOURS_P50: None,
            Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50: None,
            Kpi.REVIEW_TO_MERGE_HOURS_P50: None,
            Kpi.MERGE_TO_DEPLOY_HOURS_P50: 1.0,  # merged 09:00, deployed 10:00
            Kpi.UNREVIEWED_MERGE_RATE: 1.0,
            Kpi.CHANGES_PER_ENGINEER_PER_WEEK: None,  # no engineer: null
            Kpi.CODE_COVERAGE: None,
            Kpi.TECHNICAL_DEBT_MINUTES: None,
            Kpi.HEADCOUNT: 0.0,  # a count: 0
            Kpi.SDE_RATIO: None,  # nobody: null
            Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE: None,  # no known author
            Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE: None,
            Kpi.NATIVE_AWS_MIGRATION_SHARE: 1.0,
        },
    ),
    "no events": (
        {
            "teams": [team("a")],
            "services": [service("s", "a")],
            "people": [person("p1", "a")],
        },
        {
            Kpi.DEPLOYMENTS_PER_WEEK: 0.0,  # a service, nothing deployed: 0
            Kpi.DEPLOYMENT_DAYS_PER_WEEK: 0.0,
            Kpi.CHANGE_FAILURE_RATE: None,
            Kpi.LEAD_TIME_HOURS_P50: None,
            Kpi.LEAD_TIME_HOURS_P90: None,
            Kpi.TIME_TO_RESTORE_HOURS_P50: None,
            Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50: None,
            Kpi.REVIEW_TO_MERGE_HOURS_P50: None,
            Kpi.MERGE_TO_DEPLOY_HOURS_P50: None,
            Kpi.UNREVIEWED_MERGE_RATE: None,
            Kpi.CHANGES_PER_ENGINEER_PER_WEEK: 0.0,
            Kpi.CODE_COVERAGE: None,
            Kpi.TECHNICAL_DEBT_MINUTES: None,
            Kpi.HEADCOUNT: 1.0,
            Kpi.SDE_RATIO: 1.0,
            Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE: None,
            Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE: None,
            Kpi.NATIVE_AWS_MIGRATION_SHARE: 0.0,
        },
    ),
}


@pytest.mark.parametrize("case", list(EDGES))
def test_every_kpi_follows_the_null_rule_at_the_edges(case: str) -> None:
    rows, expected = EDGES[case]
    assert set(expected) == set(Kpi), "every KPI has an expectation"
    view = Engine(org(**rows)).view(AS_OF)
    report = view.report("a", START, END)
    got = {kpi: metric.value for kpi, metric in report.metrics.items()}
    assert got == pytest.approx(expected)
    for kpi, value in got.items():
        # and what the catalogue says of each KPI agrees with what it answered
        if CATALOGUE[kpi].null_when is NullWhen.NEVER:
            assert value is not None
        if value is None and CATALOGUE[kpi].null_when is NullWhen.EMPTY_SAMPLE:
            assert report.metrics[kpi].sample == 0 or kpi is Kpi.CODE_COVERAGE


def test_a_team_that_owned_no_service_is_no_peer_of_its_siblings() -> None:
    # given three siblings under org: x deploys every day, y on Mondays, and z owned its
    # service only until February (it deploys nothing in March and owns nothing then)
    days = [f"03-{d:02d} 12:00" for d in range(3, 31)]
    mondays = ["03-03 12:00", "03-10 12:00", "03-17 12:00", "03-24 12:00"]
    frames = org(
        teams=[team("org"), team("x", "org"), team("y", "org"), team("z", "org")],
        services=[
            service("sx", "x"),
            service("sy", "y"),
            service("sz", "z", end="2025-02-01"),
            service("sz", "org", start="2025-02-01"),
        ],
        deployments=[deployment(f"dx{i}", "sx", d) for i, d in enumerate(days)]
        + [deployment(f"dy{i}", "sy", d) for i, d in enumerate(mondays)],
    )
    view = Engine(frames).view(AS_OF)
    # then z's deployment days per week are null, not 0
    assert view.metric(Kpi.DEPLOYMENT_DAYS_PER_WEEK, "z", START, END).value is None
    # and x's only peer is y: median 1, x above it, no z-score with one peer
    comparison = view.report("x", START, END).metrics[Kpi.DEPLOYMENT_DAYS_PER_WEEK].comparison
    assert comparison is not None
    assert (comparison.peer_median, comparison.peer_percentile, comparison.z_score) == (
        1.0,
        100.0,
        None,
    )
