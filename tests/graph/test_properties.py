"""Properties of the rollup on small random orgs (docs/kpis.md, "Attribution and rollup"):
additive counts add up along the tree and across split windows, a moved subtree moves exactly
its counts, nothing drops out of the root, and the null / zero rules hold at the edges.

The team's *own* events come from a plain walk over the rows (owner of the service, or team of
the author, on the event's UTC day); everything else is read from the engine."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.catalogue import CATALOGUE, Kpi, NullWhen
from graph.engine import Engine
from graph.report import KpiReport
from graph.view import OrgView
from store.frames import COLUMNS, OrgFrames, empty, typed
from tests.graph.generated import team_on

DAY0 = date(2025, 1, 1)
SPAN = 60  # days of events from DAY0
ROLES = ("SDE", "SDE", "PM", "EM")
STATUSES = ("success", "success", "failed", "rolled_back")
STATES = ("approved", "changes_requested", "commented")
EXAMPLES = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Row = dict[str, object]
History = dict[str, list[tuple[date, date | None, str]]]

#: Counts that add up over the tree and over days, as the engine reports them (see `counts`).
EVENT_COUNTS = (
    "deployments",
    "successful",
    "failed",
    "merged",
    "unreviewed",
    "unresolved",
    "restore",
    "lead_time",
    "first_review",
    "review_to_merge",
    "to_owner",
    "by_author",
)
#: ... and those that add up over the tree only (a state on the window's last day).
ALL_COUNTS = (*EVENT_COUNTS, "headcount")


# -- random orgs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """``team`` moves from under ``old`` to under ``new`` on ``day``."""

    team: str
    old: str
    new: str
    day: date


@dataclass(frozen=True)
class RandomOrg:
    rows: dict[str, list[Row]]
    move: Move | None

    def frames(self) -> OrgFrames:
        def frame(entity: str) -> pl.DataFrame:
            given = self.rows.get(entity, [])
            if not given:
                return empty(entity)
            full = [{c: r.get(c) for c in COLUMNS[entity]} for r in given]
            return typed(entity, pl.DataFrame(full, infer_schema_length=None))

        return OrgFrames(**{entity: frame(entity) for entity in COLUMNS})


def _moment(draw: st.DrawFn, hot: list[date], first: int = 0, last: int = SPAN - 1) -> datetime:
    """A UTC time on a day of the span, often on or just before a day where something changed
    (``hot``), often at midnight or just before it."""
    if len(hot) > 0 and draw(st.booleans()):
        day = draw(st.sampled_from(hot)) - timedelta(days=draw(st.sampled_from((0, 0, 1))))
    else:
        day = DAY0 + timedelta(days=draw(st.integers(first, last)))
    minute = draw(st.sampled_from((0, 1, 12 * 60, 24 * 60 - 1)) | st.integers(0, 24 * 60 - 1))
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(minutes=minute)


def _day(draw: st.DrawFn, hot: list[date], first: int = 1, last: int = SPAN - 1) -> date:
    """A day where something changes: remembered in ``hot``."""
    day = DAY0 + timedelta(days=draw(st.integers(first, last)))
    hot.append(day)
    return day


def _subtree(parent: dict[str, str | None], team: str) -> set[str]:
    out = {team}
    grew = True
    while grew:
        grew = False
        for child, p in parent.items():
            if p in out and child not in out:
                out.add(child)
                grew = True
    return out


@st.composite
def orgs(draw: st.DrawFn, *, with_move: bool = False) -> RandomOrg:
    """A tree of 3-12 teams under one root (some start late or end), 0-6 services (some change
    owner, maybe after a gap, start late or end), 0-8 people (some move, join late or leave)
    and events of every kind over SPAN days, often on and around the days where something
    changes; with ``with_move``, one team moves to another parent on some day."""
    n = draw(st.integers(3, 12))
    teams = [f"t{i:02d}" for i in range(n)]
    parent: dict[str, str | None] = {"t00": None}
    hot: list[date] = []
    for i in range(1, n):
        parent[teams[i]] = teams[draw(st.integers(0, i - 1))]
    move = None
    if with_move:
        mover = teams[draw(st.integers(1, n - 1))]
        targets = [t for t in teams if t not in _subtree(parent, mover) and t != parent[mover]]
        if targets:
            old = parent[mover]
            assert old is not None
            move = Move(mover, old, draw(st.sampled_from(targets)), _day(draw, hot))
    team_rows: list[Row] = []
    for t in teams:
        if move is not None and t == move.team:
            team_rows.append({"id": t, "name": t, "parent_id": move.old, "valid_to": move.day})
            team_rows.append({"id": t, "name": t, "parent_id": move.new, "valid_from": move.day})
            continue
        # a team other than the root may start late or end (and stay in the tree, inactive,
        # on the days it does not exist)
        fate = "stays" if t == "t00" else draw(st.sampled_from(("stays",) * 6 + ("ends", "starts")))
        team_rows.append(
            {
                "id": t,
                "name": t,
                "parent_id": parent[t],
                "valid_from": _day(draw, hot, -20, SPAN + 20) if fate == "starts" else None,
                "valid_to": _day(draw, hot, -20, SPAN + 20) if fate == "ends" else None,
            }
        )

    team = st.sampled_from(teams)
    services = [f"s{i}" for i in range(draw(st.integers(0, 6)))]
    service_rows: list[Row] = []
    for s in services:
        # owned since always by one team, or by one then another (maybe after a gap in its
        # history), or only from or until some day
        fate = draw(st.sampled_from(("stays", "changes", "changes", "gap", "starts", "ends")))
        intervals: list[tuple[date | None, date | None, str]]
        if fate == "stays":
            intervals = [(None, None, draw(team))]
        elif fate == "starts":
            intervals = [(_day(draw, hot), None, draw(team))]
        elif fate == "ends":
            intervals = [(None, _day(draw, hot), draw(team))]
        else:
            change = _day(draw, hot)
            resume = change + timedelta(days=0 if fate == "changes" else draw(st.integers(1, 10)))
            hot.append(resume)
            intervals = [(None, change, draw(team)), (resume, None, draw(team))]
        service_rows.extend(
            {"id": s, "name": s, "owner_team_id": owner, "valid_from": a, "valid_to": b}
            for a, b, owner in intervals
        )
    people = [f"p{i}" for i in range(draw(st.integers(0, 8)))]
    people_rows: list[Row] = []
    for p in people:
        role, home = draw(st.sampled_from(ROLES)), draw(team)
        fate = draw(st.sampled_from(("stays", "moves", "leaves", "joins")))
        if fate == "stays":
            people_rows.append({"id": p, "team_id": home, "role": role})
            continue
        day = _day(draw, hot)
        if fate == "joins":
            people_rows.append({"id": p, "team_id": home, "role": role, "valid_from": day})
            continue
        people_rows.append({"id": p, "team_id": home, "role": role, "valid_to": day})
        if fate == "moves":
            people_rows.append({"id": p, "team_id": draw(team), "role": role, "valid_from": day})

    rows: dict[str, list[Row]] = {
        "teams": team_rows,
        "services": service_rows,
        "people": people_rows,
    }
    if not services:
        return RandomOrg(rows, move)
    service = st.sampled_from(services)
    deployments: list[Row] = [
        {
            "id": f"d{i}",
            "service_id": draw(service),
            "finished_at": _moment(draw, hot),
            "status": draw(st.sampled_from(STATUSES)),
            "environment": draw(st.sampled_from(("production", "production", "staging"))),
        }
        for i in range(draw(st.integers(0, 25)))
    ]
    deployment = st.sampled_from([d["id"] for d in deployments]) if deployments else st.none()
    incidents: list[Row] = []
    for i in range(draw(st.integers(0, 8))):
        started = _moment(draw, hot)
        hours = draw(st.none() | st.integers(0, 100))
        incidents.append(
            {
                "id": f"i{i}",
                "service_id": draw(service),
                "started_at": started,
                "resolved_at": None if hours is None else started + timedelta(hours=hours),
                "caused_by_deployment_id": draw(st.none() | deployment),
            }
        )
    author = st.sampled_from(people) | st.none() if people else st.none()
    changes: list[Row] = []
    reviews: list[Row] = []
    for i in range(draw(st.integers(0, 15))):
        opened = _moment(draw, hot)
        before = draw(st.none() | st.integers(-250, 72))  # < 0: the first commit came later
        after = draw(st.none() | st.integers(0, 200))
        changes.append(
            {
                "id": f"c{i}",
                "service_id": draw(service),
                "author_id": draw(author),
                "opened_at": opened,
                "first_commit_at": None if before is None else opened - timedelta(hours=before),
                "merged_at": None if after is None else opened + timedelta(hours=after),
                "deployment_id": draw(st.none() | deployment),
            }
        )
        if people:
            reviews.extend(
                {
                    "id": f"r{i}.{k}",
                    "change_id": f"c{i}",
                    "reviewer_id": draw(st.sampled_from(people)),
                    "submitted_at": opened + timedelta(minutes=draw(st.integers(-300, 6000))),
                    "state": draw(st.sampled_from(STATES)),
                }
                for k in range(draw(st.integers(0, 3)))
            )
    coverage: dict[tuple[str, datetime], Row] = {}
    for _ in range(draw(st.integers(0, 6))):
        s, measured = draw(service), _moment(draw, hot, -10, SPAN + 10)
        total = draw(st.integers(0, 500))
        coverage[s, measured] = {
            "service_id": s,
            "measured_at": measured,
            "covered_lines": draw(st.integers(0, total)),
            "total_lines": total,
        }
    debt: dict[tuple[str, datetime], Row] = {}
    for _ in range(draw(st.integers(0, 6))):
        s, measured = draw(service), _moment(draw, hot, -10, SPAN + 10)
        debt[s, measured] = {
            "service_id": s,
            "measured_at": measured,
            "debt_minutes": draw(st.integers(0, 1000)),
        }
    rows |= {
        "deployments": deployments,
        "incidents": incidents,
        "changes": changes,
        "reviews": reviews,
        "coverage": list(coverage.values()),
        "debt": list(debt.values()),
    }
    return RandomOrg(rows, move)


@st.composite
def windows(draw: st.DrawFn, first: int = -15, last: int = SPAN + 15) -> tuple[date, date]:
    a = draw(st.integers(first, last))
    b = draw(st.integers(a + 1, last + 1))
    return DAY0 + timedelta(days=a), DAY0 + timedelta(days=b)


# -- the plain side: each team's own events ---------------------------------------------------


def _history(frame: pl.DataFrame, team: str) -> History:
    out: History = {}
    for row in frame.sort("valid_from").iter_rows(named=True):
        out.setdefault(row["id"], []).append((row["valid_from"], row["valid_to"], row[team]))
    return out


def _covers(first: date, last: date | None, day: date) -> bool:
    return first <= day and (last is None or day < last)


class Plain:
    """Each event of the rows once, as ``(team, day)`` per count, by the rules written out."""

    def __init__(self, frames: OrgFrames) -> None:
        self.owners = _history(frames.services, "owner_team_id")
        self.members = _history(frames.people, "team_id")
        self.people = list(frames.people.iter_rows(named=True))
        self.coverage = list(frames.coverage.iter_rows(named=True))
        self.debt = list(frames.debt.iter_rows(named=True))
        self.events: dict[str, list[tuple[str, date]]] = {name: [] for name in EVENT_COUNTS}
        deployments = list(frames.deployments.iter_rows(named=True))
        incidents = list(frames.incidents.iter_rows(named=True))
        changes = list(frames.changes.iter_rows(named=True))
        reviews = list(frames.reviews.iter_rows(named=True))
        caused = {i["caused_by_deployment_id"] for i in incidents}
        for d in deployments:
            if d["environment"] != "production":
                continue
            self._add("deployments", d["service_id"], d["finished_at"])
            if d["status"] == "success":
                self._add("successful", d["service_id"], d["finished_at"])
            if d["status"] in ("failed", "rolled_back") or d["id"] in caused:
                self._add("failed", d["service_id"], d["finished_at"])
        for i in incidents:
            kind = "unresolved" if i["resolved_at"] is None else "restore"
            self._add(kind, i["service_id"], i["started_at"])
        good = {
            d["id"]: d["finished_at"]
            for d in deployments
            if d["environment"] == "production" and d["status"] == "success"
        }
        finishes: dict[str, list[datetime]] = {}
        for d in deployments:
            if d["id"] in good:
                finishes.setdefault(d["service_id"], []).append(d["finished_at"])
        for times in finishes.values():
            times.sort()
        for c in changes:
            author = c["author_id"]
            mine = [r for r in reviews if r["change_id"] == c["id"]]
            others = [r for r in mine if author is None or r["reviewer_id"] != author]
            first = min(
                (r["submitted_at"] for r in others if r["submitted_at"] >= c["opened_at"]),
                default=None,
            )
            if first is not None:
                self._add("first_review", c["service_id"], c["opened_at"])
            merged = c["merged_at"]
            if merged is None:
                continue
            self._add("merged", c["service_id"], merged)
            if not any(r["state"] == "approved" for r in others):
                self._add("unreviewed", c["service_id"], merged)
            if first is not None and first <= merged:
                self._add("review_to_merge", c["service_id"], merged)
            if author is not None:
                self._add("to_owner", c["service_id"], merged)
                self.events["by_author"].append(
                    (team_on(self.members[author], merged.date()), merged.date())
                )
            if c["deployment_id"] in good:
                deployed = good[c["deployment_id"]]
            else:
                times = finishes.get(c["service_id"], [])
                at = bisect.bisect_left(times, merged)
                deployed = times[at] if at < len(times) else None
            # left out (a loader warning): a change whose deployment finished before the
            # merge; a first commit after the merge is kept, its clock starts when opened
            if deployed is not None and deployed >= merged:
                self._add("lead_time", c["service_id"], deployed)

    def _add(self, name: str, service: str, moment: datetime) -> None:
        day = moment.date()
        self.events[name].append((team_on(self.owners[service], day), day))

    def own(self, name: str, team: str, start: date, end: date) -> int:
        """The events of ``name`` attributed to ``team`` itself in ``[start, end)``; for
        ``headcount``, its own people on the window's last day."""
        if name == "headcount":
            last = end - timedelta(days=1)
            return sum(
                p["team_id"] == team and _covers(p["valid_from"], p["valid_to"], last)
                for p in self.people
            )
        return sum(t == team and start <= day < end for t, day in self.events[name])

    def total(self, name: str, start: date, end: date) -> int:
        if name == "headcount":
            last = end - timedelta(days=1)
            return sum(_covers(p["valid_from"], p["valid_to"], last) for p in self.people)
        return sum(start <= day < end for _, day in self.events[name])

    def owns_during(self, view: OrgView, team: str, start: date, end: date) -> bool:
        """Whether some ownership interval of the subtree overlaps ``[start, end)``."""
        return any(
            view.tree.is_in_subtree(owner, team) and first < end and (last is None or start < last)
            for history in self.owners.values()
            for first, last, owner in history
        )

    def people_on(self, view: OrgView, team: str, on: date) -> list[str]:
        """Roles of the subtree's people on ``on``."""
        return [
            p["role"]
            for p in self.people
            if _covers(p["valid_from"], p["valid_to"], on)
            and view.tree.is_in_subtree(p["team_id"], team)
        ]

    def latest_on(
        self, view: OrgView, team: str, on: date, measurements: list[Row]
    ) -> tuple[int, list[Row]]:
        """How many services the subtree owns on ``on``, and the latest measurement up to that
        day of each of them that was measured."""
        owned, latest = 0, []
        for service, history in self.owners.items():
            if not any(
                _covers(first, last, on) and view.tree.is_in_subtree(owner, team)
                for first, last, owner in history
            ):
                continue
            owned += 1
            taken = [
                m
                for m in measurements
                if m["service_id"] == service and _day_of(m["measured_at"]) <= on
            ]
            if taken:
                latest.append(max(taken, key=lambda m: _moment_of(m["measured_at"])))
        return owned, latest


def _moment_of(value: object) -> datetime:
    assert isinstance(value, datetime)
    return value


def _day_of(value: object) -> date:
    return _moment_of(value).date()


def _sum(rows: list[Row], column: str) -> int:
    return sum(int(str(row[column])) for row in rows)


# -- the engine side --------------------------------------------------------------------------


def _times(report: KpiReport, kpi: Kpi) -> int:
    """The numerator of a ratio: value x sample."""
    metric = report.metrics[kpi]
    return 0 if metric.value is None else round(metric.value * metric.sample)


def counts(report: KpiReport) -> dict[str, int]:
    """The additive counts behind a report (samples, and numerators of the ratios)."""
    m = report.metrics
    return {
        "deployments": m[Kpi.CHANGE_FAILURE_RATE].sample,
        "successful": m[Kpi.DEPLOYMENTS_PER_WEEK].sample,
        "failed": _times(report, Kpi.CHANGE_FAILURE_RATE),
        "merged": m[Kpi.UNREVIEWED_MERGE_RATE].sample,
        "unreviewed": _times(report, Kpi.UNREVIEWED_MERGE_RATE),
        "unresolved": report.unresolved_incidents,
        "restore": m[Kpi.TIME_TO_RESTORE_HOURS_P50].sample,
        "lead_time": m[Kpi.LEAD_TIME_HOURS_P50].sample,
        "first_review": m[Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50].sample,
        "review_to_merge": m[Kpi.REVIEW_TO_MERGE_HOURS_P50].sample,
        "to_owner": m[Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE].sample,
        "by_author": m[Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE].sample,
        "headcount": m[Kpi.HEADCOUNT].sample,
    }


def all_counts(view: OrgView, start: date, end: date) -> dict[str, dict[str, int]]:
    reports = view.reports(view.tree.team_ids, start, end, compare=False)
    return {report.team: counts(report) for report in reports}


def _weeks(start: date, end: date) -> float:
    return (end - start).days / 7


def _draw_as_of(data: st.DataObject) -> date:
    return DAY0 + timedelta(days=data.draw(st.integers(-30, SPAN + 30)))


# -- the properties ---------------------------------------------------------------------------


@EXAMPLES
@given(org=orgs(), data=st.data())
def test_a_subtree_counts_its_own_events_plus_its_childrens_subtrees(
    org: RandomOrg, data: st.DataObject
) -> None:
    # given a random org, structure date and window
    frames = org.frames()
    plain = Plain(frames)
    view = Engine(frames).view(_draw_as_of(data))
    start, end = data.draw(windows())
    # when every team's report is read
    found = all_counts(view, start, end)
    tree = view.tree
    for team in tree.team_ids:
        kids = tree.children(team, include_inactive=True)
        for name in ALL_COUNTS:
            # then each count is the team's own events plus its children's subtree counts
            expected = plain.own(name, team, start, end) + sum(found[k][name] for k in kids)
            assert found[team][name] == expected, (name, team)
        # and the deployments per week, times the weeks, are the successful deployments
        per_week = view.metric(Kpi.DEPLOYMENTS_PER_WEEK, team, start, end).value
        if per_week is not None:
            assert round(per_week * _weeks(start, end)) == found[team]["successful"]
    # and no event drops out: the root holds them all
    (root,) = tree.roots
    for name in ALL_COUNTS:
        assert found[root][name] == plain.total(name, start, end), name
    # and nothing is remote to the one root, which holds every author and service
    for kpi in (Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE, Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE):
        assert view.metric(kpi, root, start, end).value in (None, 0.0)


@EXAMPLES
@given(org=orgs(with_move=True), data=st.data())
def test_moving_a_subtree_moves_exactly_its_counts(org: RandomOrg, data: st.DataObject) -> None:
    # given a random org where a team moves to another parent on some day
    move = org.move
    if move is None:  # a tree where every team lies in every other's way: nothing to move
        return
    engine = Engine(org.frames())
    start, end = data.draw(windows())
    # when the org is seen the day before the move and on some day from it on
    before = engine.view(move.day - timedelta(days=1))
    after = engine.view(move.day + timedelta(days=data.draw(st.integers(0, 40))))
    assert (before.tree.parent(move.team), after.tree.parent(move.team)) == (move.old, move.new)
    old, new = all_counts(before, start, end), all_counts(after, start, end)
    # then the moved subtree keeps its counts
    moved = old[move.team]
    assert new[move.team] == moved
    for team in before.tree.team_ids:
        # and the old parent's line loses them, the new parent's line gains them (a common
        # ancestor, the root among them, both: it is unchanged)
        lost = team == move.old or team in before.tree.ancestors(move.old)
        gained = team == move.new or team in after.tree.ancestors(move.new)
        for name in ALL_COUNTS:
            assert new[team][name] == old[team][name] - lost * moved[name] + gained * moved[name], (
                name,
                team,
            )
    (root,) = before.tree.roots
    assert new[root] == old[root]


@EXAMPLES
@given(org=orgs(), data=st.data())
def test_split_windows_add_up_to_the_whole(org: RandomOrg, data: st.DataObject) -> None:
    # given a random org and a window [a, c) split at b
    view = Engine(org.frames()).view(_draw_as_of(data))
    a, c = data.draw(windows())
    b = a + timedelta(days=data.draw(st.integers(0, (c - a).days)))
    # when each part and the whole are counted
    whole = all_counts(view, a, c)
    parts = [all_counts(view, *part) for part in ((a, b), (b, c)) if part[0] < part[1]]
    # then every event count of every subtree adds up
    for team in view.tree.team_ids:
        for name in EVENT_COUNTS:
            assert whole[team][name] == sum(part[team][name] for part in parts), (name, team)


@EXAMPLES
@given(org=orgs(), data=st.data())
def test_null_and_zero_follow_the_sample_and_ownership(org: RandomOrg, data: st.DataObject) -> None:
    # given a random org, a random window, and windows without any event: just before them
    # (the earliest lie 21 days before DAY0), years before and years after
    frames = org.frames()
    plain = Plain(frames)
    view = Engine(frames).view(_draw_as_of(data))
    quiet = [
        (DAY0 - timedelta(days=60), DAY0 - timedelta(days=32)),
        (date(2019, 3, 1), date(2019, 3, 29)),
        (date(2031, 3, 1), date(2031, 3, 29)),
    ]
    for start, end in (data.draw(windows()), *quiet):
        last = end - timedelta(days=1)
        for team in view.tree.team_ids:
            report = view.report(team, start, end, compare=False)
            m = report.metrics
            # then deployments per week is a number exactly when the subtree owned a service
            # in the window (0 when nothing was deployed), null otherwise
            per_week = m[Kpi.DEPLOYMENTS_PER_WEEK]
            if plain.owns_during(view, team, start, end):
                assert per_week.value is not None
                assert per_week.value * _weeks(start, end) == _approx(per_week.sample)
            else:
                assert per_week.value is None
            # and every KPI follows the null rule its catalogue entry names (kpis.md): rates
            # over services are null only without a service, ratios and percentiles only with
            # an empty sample, per-engineer rates only without an engineer, counts never
            engineers = plain.people_on(view, team, last).count("SDE")
            owns = plain.owns_during(view, team, start, end)
            for kpi, definition in CATALOGUE.items():
                metric = m[kpi]
                if definition.null_when is NullWhen.NO_SERVICE:
                    # deployment days also needs one complete 7-day block
                    whole = kpi is not Kpi.DEPLOYMENT_DAYS_PER_WEEK or (end - start).days >= 7
                    assert (metric.value is not None) == (owns and whole), kpi
                elif definition.null_when is NullWhen.EMPTY_SAMPLE:
                    if metric.sample == 0:
                        assert metric.value is None, kpi
                    elif kpi is not Kpi.CODE_COVERAGE:  # coverage: lines, checked below
                        assert metric.value is not None, kpi
                elif definition.null_when is NullWhen.NO_ENGINEER:
                    assert (metric.value is None) == (engineers == 0), kpi
                else:
                    assert metric.value is not None, kpi
            # and a share is a whole part of its sample (the sample is its denominator), so a
            # team's part of an initiative's gap counts in people, services or changes
            for kpi, definition in CATALOGUE.items():
                share = m[kpi]
                if definition.share and share.value is not None:
                    parts = share.value * share.sample
                    assert parts == _approx(round(parts)), kpi
            # and the SDE ratio is null exactly when nobody is in the subtree on the last day
            roles = plain.people_on(view, team, last)
            assert m[Kpi.HEADCOUNT].sample == len(roles)
            sde = m[Kpi.SDE_RATIO]
            assert sde.value == (roles.count("SDE") / len(roles) if roles else None)
            # and changes per engineer is null exactly when it has no engineer that day
            per_engineer = m[Kpi.CHANGES_PER_ENGINEER_PER_WEEK]
            if engineers:
                expected = per_engineer.sample / engineers / _weeks(start, end)
                assert per_engineer.value == _approx(expected)
            else:
                assert per_engineer.value is None
            assert report.headcount_by_role == {role: roles.count(role) for role in set(roles)}
            # and coverage is null exactly when no line was measured, the ratio of the sums
            # over the measured services otherwise (debt: null when none was measured)
            owned, latest = plain.latest_on(view, team, last, plain.coverage)
            lines = _sum(latest, "total_lines")
            coverage = m[Kpi.CODE_COVERAGE]
            assert coverage.value == (_sum(latest, "covered_lines") / lines if lines else None)
            assert (coverage.sample, report.coverage_unmeasured) == (
                len(latest),
                owned - len(latest),
            )
            owned, latest = plain.latest_on(view, team, last, plain.debt)
            debt = m[Kpi.TECHNICAL_DEBT_MINUTES]
            assert debt.value == (_sum(latest, "debt_minutes") if latest else None)
            assert (debt.sample, report.debt_unmeasured) == (len(latest), owned - len(latest))
            # and the migration share is null exactly when the subtree owns no service
            assert (m[Kpi.NATIVE_AWS_MIGRATION_SHARE].value is None) == (owned == 0)
        # and away from the events, each event count is 0
        if (start, end) in quiet:
            root = view.tree.roots[0]
            assert all(
                count == 0
                for name, count in counts(view.report(root, start, end, compare=False)).items()
                if name != "headcount"
            )


def _approx(value: float) -> object:
    return pytest.approx(value, rel=1e-9, abs=1e-9)
