"""The percentile KPIs (lead time, time to restore, time to first review, review to merge, merge
to deploy) and the unresolved incident count agree with a plain computation over the raw rows,
on generated orgs, for random subtrees, windows and structure dates: exactly where the engine says it is
exact, within 1% where it reads its histograms (small limits force that path here)."""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph.catalogue import Kpi
from graph.engine import Engine
from graph.measures import nearest_rank
from graph.percentiles import ALPHA
from graph.tree import OrgTree
from store.frames import OrgFrames, read_bundle
from synthetic import generate_bundle
from tests.graph.generated import END, team_on

Sample = tuple[str, date, float]  # team, day, hours


def _hours(later: datetime, earlier: datetime) -> float:
    return (later - earlier) / timedelta(hours=1)


def _owners(frames: OrgFrames) -> dict[str, list[tuple[date, date | None, str]]]:
    out: dict[str, list[tuple[date, date | None, str]]] = {}
    for row in frames.services.sort("valid_from").iter_rows(named=True):
        out.setdefault(row["id"], []).append(
            (row["valid_from"], row["valid_to"], row["owner_team_id"])
        )
    return out


def _plain_shipped(frames: OrgFrames) -> Iterator[tuple[str, date, dict[str, Any], datetime]]:
    """Each merged change a deployment shipped: its team and day, the change, and when."""
    owners = _owners(frames)
    good = {
        d["id"]: d
        for d in frames.deployments.iter_rows(named=True)
        if d["environment"] == "production" and d["status"] == "success"
    }
    finishes: dict[str, list[datetime]] = {}
    for d in good.values():
        finishes.setdefault(d["service_id"], []).append(d["finished_at"])
    for times in finishes.values():
        times.sort()
    for c in frames.changes.iter_rows(named=True):
        merged = c["merged_at"]
        if merged is None:  # a first commit after the merge is kept (kpis.md)
            continue
        if c["deployment_id"] in good:
            deployed = good[c["deployment_id"]]["finished_at"]
        else:
            times = finishes.get(c["service_id"], [])
            at = bisect.bisect_left(times, merged)
            deployed = times[at] if at < len(times) else None
        if deployed is None or deployed < merged:
            continue
        day = deployed.date()
        yield team_on(owners[c["service_id"]], day), day, c, deployed


def plain_lead_times(frames: OrgFrames) -> Iterator[Sample]:
    for team, day, change, deployed in _plain_shipped(frames):
        start = min(t for t in (change["first_commit_at"], change["opened_at"]) if t is not None)
        yield team, day, _hours(deployed, start)


def plain_merge_to_deploy(frames: OrgFrames) -> Iterator[Sample]:
    for team, day, change, deployed in _plain_shipped(frames):
        yield team, day, _hours(deployed, change["merged_at"])


def plain_restore_times(frames: OrgFrames) -> Iterator[Sample]:
    owners = _owners(frames)
    for i in frames.incidents.iter_rows(named=True):
        if i["resolved_at"] is not None:
            day = i["started_at"].date()
            yield (
                team_on(owners[i["service_id"]], day),
                day,
                _hours(i["resolved_at"], i["started_at"]),
            )


def plain_unresolved(frames: OrgFrames) -> Iterator[Sample]:
    owners = _owners(frames)
    for i in frames.incidents.iter_rows(named=True):
        if i["resolved_at"] is None:
            day = i["started_at"].date()
            yield team_on(owners[i["service_id"]], day), day, 0.0


def _first_reviews(frames: OrgFrames) -> dict[str, datetime]:
    changes = {c["id"]: c for c in frames.changes.iter_rows(named=True)}
    first: dict[str, datetime] = {}
    for r in frames.reviews.iter_rows(named=True):
        change = changes[r["change_id"]]
        if r["submitted_at"] < change["opened_at"] or r["reviewer_id"] == change["author_id"]:
            continue
        if r["change_id"] not in first or r["submitted_at"] < first[r["change_id"]]:
            first[r["change_id"]] = r["submitted_at"]
    return first


def plain_first_review(frames: OrgFrames) -> Iterator[Sample]:
    owners = _owners(frames)
    first = _first_reviews(frames)
    for c in frames.changes.iter_rows(named=True):
        if c["id"] in first:
            day = c["opened_at"].date()
            yield team_on(owners[c["service_id"]], day), day, _hours(first[c["id"]], c["opened_at"])


def plain_review_to_merge(frames: OrgFrames) -> Iterator[Sample]:
    owners = _owners(frames)
    first = _first_reviews(frames)
    for c in frames.changes.iter_rows(named=True):
        merged = c["merged_at"]
        if merged is not None and c["id"] in first and first[c["id"]] <= merged:
            day = merged.date()
            yield team_on(owners[c["service_id"]], day), day, _hours(merged, first[c["id"]])


def _in(tree: OrgTree, samples: list[Sample], team: str, start: date, end: date) -> list[float]:
    return [
        hours
        for owner, day, hours in samples
        if start <= day < end and tree.is_in_subtree(owner, team)
    ]


CASES = {
    Kpi.LEAD_TIME_HOURS_P50: (plain_lead_times, 0.5),
    Kpi.LEAD_TIME_HOURS_P90: (plain_lead_times, 0.9),
    Kpi.TIME_TO_RESTORE_HOURS_P50: (plain_restore_times, 0.5),
    Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50: (plain_first_review, 0.5),
    Kpi.REVIEW_TO_MERGE_HOURS_P50: (plain_review_to_merge, 0.5),
    Kpi.MERGE_TO_DEPLOY_HOURS_P50: (plain_merge_to_deploy, 0.5),
}


@pytest.mark.parametrize(("seed", "exact_limit"), [(3, 4096), (5, 40), (8, 10)])
def test_percentile_kpis_match_a_plain_computation(
    tmp_path: Path, seed: int, exact_limit: int
) -> None:
    # given a generated org, and an engine whose histogram path is forced by small limits
    generate_bundle(tmp_path, teams=40, seed=seed, end=END)
    frames = read_bundle(tmp_path)
    engine = Engine(frames, exact_limit=exact_limit, edge_samples=exact_limit)
    plain = {kpi: (list(compute(frames)), q) for kpi, (compute, q) in CASES.items()}
    unresolved = list(plain_unresolved(frames))
    rng = random.Random(seed)
    approximated = 0
    for as_of in (END - timedelta(days=400), END):
        view = engine.view(as_of)
        for _ in range(25):
            team = rng.choice(view.tree.team_ids)
            start = END - timedelta(days=rng.randint(1, 800))
            end = start + timedelta(days=rng.choice((1, 7, 30, 90, 365, 900)))
            # when the engine computes each percentile KPI of that subtree and window
            report = view.report(team, start, end, kpis=CASES, compare=False)
            # then it agrees with the plain nearest-rank value over the pooled samples
            for kpi, (samples, q) in plain.items():
                values = _in(view.tree, samples, team, start, end)
                metric = report.metrics[kpi]
                expected = nearest_rank(values, q)
                assert metric.sample == len(values), (kpi, team, start, end)
                if expected is None:
                    assert metric.value is None
                elif metric.exact:
                    assert metric.value == pytest.approx(expected, rel=1e-12, abs=1e-12)
                else:
                    approximated += 1
                    assert metric.value == pytest.approx(expected, rel=ALPHA, abs=1 / 3600)
            assert report.unresolved_incidents == len(_in(view.tree, unresolved, team, start, end))
    # and the small limits really exercised the histograms
    assert (approximated > 0) == (exact_limit < 4096)
