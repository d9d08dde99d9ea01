"""Hand-built tiny orgs, one per tricky rule of docs/kpis.md: the expected values are worked
out by hand from the definitions (they are written in the comments), never read back from the
engine."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from graph.catalogue import Kpi
from graph.engine import Engine
from graph.view import OrgView
from store.frames import read_bundle
from tests.graph.rows import change, deployment, incident, org, person, review, service, team

#: Four weeks of March 2025, the window of most scenarios.
MARCH = (date(2025, 3, 1), date(2025, 3, 29))
LATER = date(2025, 6, 1)


def value_and_sample(
    view: OrgView, kpi: Kpi, team_id: str, window: tuple[date, date]
) -> tuple[float | None, int]:
    metric = view.metric(kpi, team_id, *window)
    return metric.value, metric.sample


def test_a_service_that_changed_owner_mid_window_counts_for_each_owner_in_turn() -> None:
    # given service s owned by a1 (under a) until 2025-03-15 and by b from then on, with three
    # production deployments on each side of the change and one in staging
    frames = org(
        teams=[team("org"), team("a", "org"), team("a1", "a"), team("b", "org")],
        services=[
            service("s", "a1", end="2025-03-15"),
            service("s", "b", start="2025-03-15"),
        ],
        deployments=[
            deployment("d1", "s", "03-03 10:00"),
            deployment("d2", "s", "03-10 10:00", "failed"),
            deployment("d3", "s", "03-14 23:30"),  # a1's last day
            deployment("d4", "s", "03-15 00:30"),  # b's first day
            deployment("d5", "s", "03-20 10:00", "rolled_back"),
            deployment("d6", "s", "03-22 10:00"),  # succeeded, but caused i1
            deployment("d7", "s", "03-05 10:00", env="staging"),
        ],
        incidents=[incident("i1", "s", "03-23 08:00", "03-23 10:00", cause="d6")],
    )
    # when the four weeks of March are asked for
    view = Engine(frames).view(LATER)
    # then a1 (and so a) has d1..d3: 2 successes in 4 weeks, 1 failure out of 3
    for old_side in ("a1", "a"):
        assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, old_side, MARCH) == (0.5, 2)
        assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, old_side, MARCH) == (1 / 3, 3)
    # and b has d4..d6: 2 successes, 2 failures (rolled back; caused an incident) out of 3
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "b", MARCH) == (0.5, 2)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "b", MARCH) == (2 / 3, 3)
    # and their common parent has all six production deployments, once
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "org", MARCH) == (1.0, 4)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "org", MARCH) == (0.5, 6)
    # and after the change a owns nothing (null) while b owns s with no deployment (0)
    april = (date(2025, 4, 1), date(2025, 4, 29))
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "a", april) == (None, 0)
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "b", april) == (0.0, 0)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "b", april) == (None, 0)
    # and before it, the other way round
    february = (date(2025, 2, 1), date(2025, 3, 1))
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "a1", february) == (0.0, 0)
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "b", february) == (None, 0)


def test_the_utc_day_of_an_event_decides_its_owner_and_window_not_its_local_day() -> None:
    # given s owned by a until 2025-03-15 and by b from then on, and two deployments stamped
    # in local time: one on 03-15 local that is 03-14 in UTC, one on 03-14 local that is 03-15
    frames = org(
        teams=[team("org"), team("a", "org"), team("b", "org")],
        services=[service("s", "a", end="2025-03-15"), service("s", "b", start="2025-03-15")],
        deployments=[
            {
                "id": "east",
                "service_id": "s",
                "finished_at": "2025-03-15T00:30:00+05:30",  # 03-14 19:00 UTC
                "status": "success",
            },
            {
                "id": "west",
                "service_id": "s",
                "finished_at": "2025-03-14T23:30:00-02:00",  # 03-15 01:30 UTC
                "status": "failed",
            },
        ],
    )
    view = Engine(frames).view(LATER)
    # then the first is a's and falls in a window ending on 03-15, the second b's and not
    to_15th, from_15th = (
        (date(2025, 3, 8), date(2025, 3, 15)),
        (date(2025, 3, 15), date(2025, 3, 22)),
    )
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "a", MARCH) == (0.0, 1)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "b", MARCH) == (1.0, 1)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "org", to_15th) == (0.0, 1)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "org", from_15th) == (1.0, 1)


def test_a_person_who_moved_teams_counts_in_the_team_of_each_day() -> None:
    # given p, an engineer of a until 2025-03-15 and of b from then on; q an engineer of a and
    # r a manager of b; sa owned by a and sb by b
    frames = org(
        teams=[team("org"), team("a", "org"), team("b", "org")],
        services=[service("sa", "a"), service("sb", "b")],
        people=[
            person("p", "a", end="2025-03-15"),
            person("p", "b", start="2025-03-15"),
            person("q", "a"),
            person("r", "b", role="PM"),
        ],
        changes=[
            # by p while in a, to b's service: outbound for a, inbound for b
            change("c1", "sb", author="p", opened="03-09 10:00", merged="03-10 10:00"),
            # by p in b, to b's service: inside b
            change("c2", "sb", author="p", opened="03-19 10:00", merged="03-20 10:00"),
            # by p in b, to a's service (one of them on the move day itself)
            change("c3", "sa", author="p", opened="03-19 10:00", merged="03-20 12:00"),
            change("c6", "sa", author="p", opened="03-14 10:00", merged="03-15 00:10"),
            # by q, inside a
            change("c4", "sa", author="q", opened="03-04 10:00", merged="03-05 10:00"),
            change("c5", "sa", author="q", opened="03-05 10:00", merged="03-06 10:00"),
            change("c7", "sa", author="q", opened="03-06 10:00", merged="03-07 10:00"),
            # never merged: in no rate
            change("c8", "sa", author="q", opened="03-07 10:00"),
        ],
    )
    view = Engine(frames).view(LATER)
    # then on the window's last day (03-28) p is counted in b only
    assert view.report("a", *MARCH).headcount_by_role == {"SDE": 1}
    assert view.report("b", *MARCH).headcount_by_role == {"SDE": 1, "PM": 1}
    assert value_and_sample(view, Kpi.HEADCOUNT, "org", MARCH) == (3.0, 3)
    assert value_and_sample(view, Kpi.SDE_RATIO, "b", MARCH) == (0.5, 2)
    assert value_and_sample(view, Kpi.SDE_RATIO, "org", MARCH) == (2 / 3, 3)
    # and in a window ending before the move, in a
    before = (date(2025, 3, 1), date(2025, 3, 15))
    assert value_and_sample(view, Kpi.HEADCOUNT, "a", before) == (2.0, 2)
    assert value_and_sample(view, Kpi.HEADCOUNT, "b", before) == (1.0, 1)
    # and a's members merged c1, c4, c5, c7, of which c1 went outside: 1/4
    assert value_and_sample(view, Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE, "a", MARCH) == (0.25, 4)
    # and a's service got c3, c4, c5, c6, c7, of which c3 and c6 came from b: 2/5
    assert value_and_sample(view, Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE, "a", MARCH) == (0.4, 5)
    # and b's members merged c2, c3, c6, of which c3 and c6 went outside: 2/3
    assert value_and_sample(view, Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE, "b", MARCH) == (2 / 3, 3)
    # and b's service got c1 and c2, of which c1 came from a: 1/2
    assert value_and_sample(view, Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE, "b", MARCH) == (0.5, 2)
    # and nothing is remote for the org, which holds both authors and both services
    assert value_and_sample(view, Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE, "org", MARCH) == (0.0, 7)
    assert value_and_sample(view, Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE, "org", MARCH) == (0.0, 7)
    # and changes per engineer: merges by the team of the merge day ÷ engineers on 03-28 ÷ 4
    assert value_and_sample(view, Kpi.CHANGES_PER_ENGINEER_PER_WEEK, "a", MARCH) == (1.0, 4)
    assert value_and_sample(view, Kpi.CHANGES_PER_ENGINEER_PER_WEEK, "b", MARCH) == (0.75, 3)
    assert value_and_sample(view, Kpi.CHANGES_PER_ENGINEER_PER_WEEK, "org", MARCH) == (0.875, 7)


def test_a_change_deployed_before_it_was_merged_is_left_out_of_lead_time() -> None:
    # given c1 whose named deployment d1 finished two hours before c1 was merged (a later
    # deployment d3 exists, but d1 succeeded, so it is d1 that counts), and two sound changes
    frames = org(
        teams=[team("org"), team("a", "org")],
        services=[service("s", "a")],
        deployments=[
            deployment("d1", "s", "03-05 12:00"),
            deployment("d2", "s", "03-03 20:00"),
            deployment("d3", "s", "03-06 10:00"),
        ],
        changes=[
            change("c1", "s", opened="03-04 09:00", merged="03-05 14:00", deployment_id="d1"),
            # start = first commit (03-01 08:00), before opening: 60 hours to d2
            change(
                "c2",
                "s",
                first_commit="03-01 08:00",
                opened="03-02 10:00",
                merged="03-03 10:00",
                deployment_id="d2",
            ),
            # start = opening (03-02 00:00), before the first commit: 44 hours to d2
            change(
                "c3",
                "s",
                first_commit="03-02 06:00",
                opened="03-02 00:00",
                merged="03-03 00:00",
                deployment_id="d2",
            ),
        ],
    )
    view = Engine(frames).view(LATER)
    first_week = (date(2025, 3, 1), date(2025, 3, 8))
    # then the sample is c2 and c3 only; p50 = 1st of [44, 60], p90 = 2nd (nearest rank)
    for team_id in ("a", "org"):
        p50 = view.metric(Kpi.LEAD_TIME_HOURS_P50, team_id, *first_week)
        p90 = view.metric(Kpi.LEAD_TIME_HOURS_P90, team_id, *first_week)
        assert (p50.value, p50.sample, p50.exact) == (44.0, 2, True)
        assert (p90.value, p90.sample) == (60.0, 2)


def test_lead_time_keeps_a_first_commit_after_the_merge_and_drops_a_deploy_before_it() -> None:
    # given the reference definition (kpis.md): start = min(first_commit_at, opened_at), and
    # only a change whose deployment finished before its merge is left out
    frames = org(
        teams=[team("org"), team("a", "org")],
        services=[service("s", "a")],
        deployments=[
            deployment("d1", "s", "03-05 12:00"),
            deployment("d0", "s", "03-04 08:00"),
        ],
        changes=[
            # first commit after the merge (a loader warning): kept, its clock starts when it
            # was opened, 03-04 00:00: 36 hours to d1
            change(
                "late",
                "s",
                first_commit="03-05 13:00",
                opened="03-04 00:00",
                merged="03-05 10:00",
                deployment_id="d1",
            ),
            # named d0 finished before the merge (03-04 09:00): left out, whatever else
            change("early", "s", opened="03-03 00:00", merged="03-04 09:00", deployment_id="d0"),
            # a sound change: opened 03-05 00:00, to d1: 12 hours
            change("sound", "s", opened="03-05 00:00", merged="03-05 11:00", deployment_id="d1"),
        ],
    )
    view = Engine(frames).view(LATER)
    first_week = (date(2025, 3, 1), date(2025, 3, 8))
    # then the sample is "late" and "sound": p50 = 12 h, p90 = 36 h (nearest rank)
    p50 = view.metric(Kpi.LEAD_TIME_HOURS_P50, "a", *first_week)
    p90 = view.metric(Kpi.LEAD_TIME_HOURS_P90, "a", *first_week)
    assert (p50.value, p50.sample) == (12.0, 2)
    assert (p90.value, p90.sample) == (36.0, 2)


def test_a_change_whose_named_deployment_failed_falls_back_to_the_next_good_one() -> None:
    # given c, merged 03-10 09:30, naming the failed dF; after the merge come a success of
    # another service (dX), a staging success (dY), then dG, the first production success
    # of s (on 03-11, when b owns s); dS succeeded before the merge
    frames = org(
        teams=[team("org"), team("a", "org"), team("b", "org")],
        services=[
            service("s", "a", end="2025-03-11"),
            service("s", "b", start="2025-03-11"),
            service("t", "a"),
        ],
        deployments=[
            deployment("dS", "s", "03-10 09:00"),
            deployment("dF", "s", "03-10 10:00", "failed"),
            deployment("dX", "t", "03-10 11:00"),
            deployment("dY", "s", "03-10 12:00", env="staging"),
            deployment("dG", "s", "03-11 06:00"),
            deployment("dH", "s", "03-12 06:00"),
        ],
        changes=[
            change("c", "s", opened="03-10 06:00", merged="03-10 09:30", deployment_id="dF"),
        ],
    )
    view = Engine(frames).view(LATER)
    # then its lead time runs from its opening (no first commit) to dG: 24 hours, counted on
    # dG's day and for dG's owner b
    assert value_and_sample(
        view, Kpi.LEAD_TIME_HOURS_P50, "b", (date(2025, 3, 11), date(2025, 3, 12))
    ) == (
        24.0,
        1,
    )
    assert value_and_sample(view, Kpi.LEAD_TIME_HOURS_P50, "a", MARCH) == (None, 0)
    assert value_and_sample(
        view, Kpi.LEAD_TIME_HOURS_P50, "org", (date(2025, 3, 1), date(2025, 3, 11))
    ) == (
        None,
        0,
    )
    assert value_and_sample(view, Kpi.LEAD_TIME_HOURS_P90, "org", MARCH) == (24.0, 1)


def test_an_incident_counts_against_its_deployments_window_and_restores_in_its_own() -> None:
    # given d1 (week 1) which caused i1 (week 2, resolved in week 3), an unresolved i2 in
    # week 2 and a 2-hour i3 in week 1
    frames = org(
        teams=[team("org"), team("a", "org")],
        services=[service("s", "a")],
        deployments=[deployment("d1", "s", "03-05 10:00"), deployment("d2", "s", "03-09 10:00")],
        incidents=[
            incident("i1", "s", "03-13 20:00", "03-15 02:00", cause="d1"),
            incident("i2", "s", "03-12 00:00"),
            incident("i3", "s", "03-02 10:00", "03-02 12:00"),
        ],
    )
    view = Engine(frames).view(LATER)
    week1, week2 = (date(2025, 3, 1), date(2025, 3, 8)), (date(2025, 3, 8), date(2025, 3, 15))
    for team_id in ("a", "org"):
        # then week 1 has the failed deployment and i3's 2 hours to restore
        assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, team_id, week1) == (1.0, 1)
        assert value_and_sample(view, Kpi.TIME_TO_RESTORE_HOURS_P50, team_id, week1) == (2.0, 1)
        assert view.report(team_id, *week1).unresolved_incidents == 0
        # and week 2 has a sound deployment, i1's 30 hours and i2 beside the sample
        assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, team_id, week2) == (0.0, 1)
        assert value_and_sample(view, Kpi.TIME_TO_RESTORE_HOURS_P50, team_id, week2) == (30.0, 1)
        assert view.report(team_id, *week2).unresolved_incidents == 1
        # and both weeks together: 1 of 2 failed, p50 of [2, 30] is 2
        both = (week1[0], week2[1])
        assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, team_id, both) == (0.5, 2)
        assert value_and_sample(view, Kpi.TIME_TO_RESTORE_HOURS_P50, team_id, both) == (2.0, 2)
        assert view.report(team_id, *both).unresolved_incidents == 1


def test_reviews_by_the_author_and_before_the_opening_are_ignored() -> None:
    # given three changes by p: c1 reviewed by q before it opened, approved by p itself, then
    # commented by q 4 hours after opening; c2 approved by q 2 hours after opening; c3
    # approved by p only
    frames = org(
        teams=[team("org"), team("a", "org")],
        services=[service("s", "a")],
        people=[person("p", "a"), person("q", "a")],
        changes=[
            change("c1", "s", author="p", opened="03-02 10:00", merged="03-03 10:00"),
            change("c2", "s", author="p", opened="03-04 00:00", merged="03-04 12:00"),
            change("c3", "s", author="p", opened="03-05 00:00", merged="03-05 06:00"),
        ],
        reviews=[
            review("r1", "c1", "q", "03-02 08:00", "commented"),
            review("r2", "c1", "p", "03-02 11:00", "approved"),
            review("r3", "c1", "q", "03-02 14:00", "commented"),
            review("r4", "c2", "q", "03-04 02:00", "approved"),
            review("r5", "c3", "p", "03-05 01:00", "approved"),
        ],
    )
    view = Engine(frames).view(LATER)
    first_week = (date(2025, 3, 1), date(2025, 3, 8))
    for team_id in ("a", "org"):
        # then first reviews are 4 h (c1) and 2 h (c2); c3 has none: p50 of [2, 4] is 2
        assert value_and_sample(view, Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50, team_id, first_week) == (
            2.0,
            2,
        )
        # and review to merge is 20 h (c1) and 10 h (c2): p50 10
        assert value_and_sample(view, Kpi.REVIEW_TO_MERGE_HOURS_P50, team_id, first_week) == (
            10.0,
            2,
        )
        # and c1 (approved by its author alone) and c3 are unreviewed: 2 of 3
        assert value_and_sample(view, Kpi.UNREVIEWED_MERGE_RATE, team_id, first_week) == (
            2 / 3,
            3,
        )


def test_a_team_moved_to_a_new_parent_takes_its_whole_history_along() -> None:
    # given t (with its child t1, owner of s, and its engineer p) under x until 2025-03-01 and
    # under y from then on; y owns sy; s deploys twice before the move and twice after
    frames = org(
        teams=[
            team("org"),
            team("x", "org"),
            team("y", "org"),
            team("t", "x", end="2025-03-01"),
            team("t", "y", start="2025-03-01"),
            team("t1", "t"),
        ],
        services=[service("s", "t1"), service("sy", "y")],
        people=[person("p", "t1")],
        deployments=[
            deployment("d1", "s", "02-10 10:00"),
            deployment("d2", "s", "02-20 10:00"),
            deployment("d3", "s", "03-10 10:00"),
            deployment("d4", "s", "03-20 10:00"),
        ],
    )
    engine = Engine(frames)
    eight_weeks = (date(2025, 2, 1), date(2025, 3, 29))
    # when the org is seen as it was before the move: all four deployments are x's
    before = engine.view(date(2025, 2, 15))
    assert before.tree.parent("t") == "x"
    assert value_and_sample(before, Kpi.DEPLOYMENTS_PER_WEEK, "x", eight_weeks) == (0.5, 4)
    assert value_and_sample(before, Kpi.DEPLOYMENTS_PER_WEEK, "y", eight_weeks) == (0.0, 0)
    assert value_and_sample(before, Kpi.HEADCOUNT, "x", eight_weeks) == (1.0, 1)
    assert value_and_sample(before, Kpi.HEADCOUNT, "y", eight_weeks) == (0.0, 0)
    # when it is seen as it is after the move: all four are y's, also those from before it,
    # and x, which then owns no service at all, has no rate
    after = engine.view(LATER)
    assert after.tree.parent("t") == "y"
    assert value_and_sample(after, Kpi.DEPLOYMENTS_PER_WEEK, "y", eight_weeks) == (0.5, 4)
    assert value_and_sample(after, Kpi.DEPLOYMENTS_PER_WEEK, "x", eight_weeks) == (None, 0)
    assert value_and_sample(after, Kpi.HEADCOUNT, "y", eight_weeks) == (1.0, 1)
    assert value_and_sample(after, Kpi.HEADCOUNT, "x", eight_weeks) == (0.0, 0)
    # and the org's totals do not depend on the structure date
    for view in (before, after):
        assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "org", eight_weeks) == (0.5, 4)


def test_a_team_that_ended_stays_inactive_under_its_last_parent_and_is_no_peer() -> None:
    # given old, under z until 2024-06-01 then under x until it ended on 2025-02-01, owning s
    # until then (s deploys once more after its history ended); live (under x) and z deploy once
    frames = org(
        teams=[
            team("org"),
            team("x", "org"),
            team("z", "org"),
            team("live", "x"),
            team("old", "z", end="2024-06-01"),
            team("old", "x", start="2024-06-01", end="2025-02-01"),
        ],
        services=[service("s", "old", end="2025-02-01"), service("sl", "live"), service("sz", "z")],
        deployments=[
            deployment("d1", "s", "01-10 10:00"),
            deployment("d2", "s", "01-20 10:00", "failed"),
            deployment("d3", "s", "02-10 10:00"),  # after s's last interval: still old's
            deployment("d4", "sl", "01-15 10:00"),
            deployment("d5", "sz", "01-12 10:00"),
        ],
    )
    view = Engine(frames).view(LATER)
    tree = view.tree
    six_weeks = (date(2025, 1, 5), date(2025, 2, 16))
    # then old is inactive, under x (its last parent), and no child or peer unless asked
    assert not tree.is_active("old")
    assert tree.parent("old") == "x"
    assert tree.children("x") == ("live",)
    assert tree.children("x", include_inactive=True) == ("live", "old")
    assert tree.peers("live") == ()
    # and its events count for itself, x and the org: 2 successes in 6 weeks, 1 failure of 3
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "old", six_weeks) == (1 / 3, 2)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "old", six_weeks) == (1 / 3, 3)
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "x", six_weeks) == (0.5, 3)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "x", six_weeks) == (0.25, 4)
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "org", six_weeks) == (4 / 6, 4)
    assert value_and_sample(view, Kpi.CHANGE_FAILURE_RATE, "org", six_weeks) == (0.2, 5)
    # and live has no peer (old is not one), while z's only peer is x (1/6 against 0.5)
    live = view.report("live", *six_weeks, kpis=[Kpi.DEPLOYMENTS_PER_WEEK])
    comparison = live.metrics[Kpi.DEPLOYMENTS_PER_WEEK].comparison
    assert comparison is not None
    assert (comparison.value, comparison.parent_value, comparison.org_value) == (1 / 6, 0.5, 4 / 6)
    assert (comparison.peer_median, comparison.peer_percentile, comparison.z_score) == (
        None,
        None,
        None,
    )
    z = view.report("z", *six_weeks, kpis=[Kpi.DEPLOYMENTS_PER_WEEK])
    comparison = z.metrics[Kpi.DEPLOYMENTS_PER_WEEK].comparison
    assert comparison is not None
    assert (comparison.peer_median, comparison.peer_percentile) == (0.5, 0.0)


# -- reading a bundle that leaves out optional columns (docs/data-contract.md) ------------------


def _bundle(directory: Path, files: dict[str, str]) -> Path:
    for entity, text in files.items():
        (directory / f"{entity}.csv").write_text(text)
    return directory


def test_a_bundle_without_the_environment_column_deploys_to_production(tmp_path: Path) -> None:
    # given a bundle whose deployments leave out the optional environment column
    bundle = _bundle(
        tmp_path,
        {
            "teams": "id,name,parent_id,valid_from,valid_to\norg,Org,,,\n",
            "services": "id,name,owner_team_id,valid_from,valid_to\ns,S,org,,\n",
            "deployments": "id,service_id,finished_at,status\nd1,s,2025-03-03T10:00:00Z,success\n",
        },
    )
    # when it is read and measured
    view = Engine(read_bundle(bundle)).view(LATER)
    # then its one deployment is a production deployment (empty environment = production)
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "org", MARCH) == (0.25, 1)


def test_a_bundle_without_the_validity_columns_is_valid_since_always(tmp_path: Path) -> None:
    # given a bundle of teams and services that leave out the optional validity columns
    bundle = _bundle(
        tmp_path,
        {
            "teams": "id,name\norg,Org\n",
            "services": "id,name,owner_team_id\ns,S,org\n",
            "deployments": "id,service_id,finished_at,status,environment\n"
            "d1,s,2025-03-03T10:00:00Z,success,production\n",
        },
    )
    # when it is read and measured
    view = Engine(read_bundle(bundle)).view(LATER)
    # then the team and its service exist since always
    assert value_and_sample(view, Kpi.DEPLOYMENTS_PER_WEEK, "org", MARCH) == (0.25, 1)
