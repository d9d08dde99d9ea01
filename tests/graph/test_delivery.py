"""Delivery KPIs from the rollup cubes agree with a plain computation over the raw rows, for
random teams, windows and structure dates on generated orgs; plus hand-built edge cases."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from graph.delivery import DeliveryIndex
from graph.tiers import DoraTier
from graph.tree import build_org_tree
from store.models import OPEN_START
from store.rows import TeamVersion
from tests.graph.generated import END, generated_org, team_on


@pytest.mark.parametrize("seed", [3, 4])
def test_delivery_kpis_match_a_plain_computation(seed: int, tmp_path: Path) -> None:
    # given a generated org, read back from its bundle
    org = generated_org(tmp_path, seed=seed)
    deployments, incidents = org.deployments, org.incidents
    index = DeliveryIndex(org.team_ids, org.services, deployments, incidents)
    owners = org.history(org.services, "owner_team_id")
    caused = set(incidents["caused_by_deployment_id"].drop_nulls())
    rng = random.Random(seed)
    for as_of in (date(2024, 9, 1), date(2025, 7, 1), END):
        tree = build_org_tree(org.versions, as_of=as_of)
        kpis = index.for_tree(tree)
        for _ in range(25):
            # when a random subtree and window are asked for
            team = rng.choice(tree.team_ids)
            start = END - timedelta(days=rng.randint(1, 760))
            end = start + timedelta(days=rng.randint(1, 400))
            # then the cube answers equal the plain count over the raw rows
            total = successful = failed = 0
            days: set[date] = set()
            for d in deployments.iter_rows(named=True):
                day = d["finished_at"].date()
                if not (start <= day < end) or d["environment"] != "production":
                    continue
                if not tree.is_in_subtree(team_on(owners[d["service_id"]], day), team):
                    continue
                total += 1
                successful += d["status"] == "success"
                if d["status"] == "success":
                    days.add(day)
                failed += d["status"] in ("failed", "rolled_back") or d["id"] in caused
            owned = any(
                tree.is_in_subtree(owner, team) and first < end and (last is None or start < last)
                for history in owners.values()
                for first, last, owner in history
            )
            weekly_days, tier = kpis.deployment_days(team, start, end)
            # null, as every rate over services, when the subtree owned none in the window
            expected = _plain_deployment_days(days, start, end) if owned else (None, None)
            assert (weekly_days.value, tier) == expected
            rate = kpis.change_failure_rate(team, start, end)
            assert rate.sample == total
            assert rate.value == (failed / total if total else None)
            per_week = kpis.deployments_per_week(team, start, end)
            assert per_week.sample == successful
            if owned:
                assert per_week.value == pytest.approx(successful / ((end - start).days / 7))
            else:
                assert per_week.value is None


def _median(values: list[int]) -> float | None:
    """Nearest-rank median, written out."""
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-len(ordered) // 2)  # ceil(n / 2)
    return float(ordered[rank - 1])


def _plain_deployment_days(
    days: set[date], start: date, end: date
) -> tuple[float | None, DoraTier | None]:
    def blocks(size: int) -> list[int]:
        count = (end - start).days // size
        return [
            sum(1 for k in range(size) if start + timedelta(days=i * size + k) in days)
            for i in range(count)
        ]

    weekly = _median(blocks(7))
    if not days:
        return weekly, None
    if weekly is not None and weekly >= 3:
        return weekly, DoraTier.ELITE
    if weekly is not None and weekly >= 1:
        return weekly, DoraTier.HIGH
    monthly = _median(blocks(30))
    return weekly, DoraTier.MEDIUM if monthly is not None and monthly >= 1 else DoraTier.LOW


def test_service_that_changed_owner_mid_window_counts_for_each_owner_in_turn() -> None:
    # given service s owned by a until 2025-06-01 and by b from then, one deployment each side
    versions = [
        TeamVersion("root", "Root", None, None, OPEN_START, None),
        TeamVersion("a", "A", "root", None, OPEN_START, None),
        TeamVersion("b", "B", "root", None, OPEN_START, None),
    ]
    services = pl.DataFrame(
        {
            "id": ["s", "s", "idle"],
            "owner_team_id": ["a", "b", "b"],
            "valid_from": [OPEN_START, date(2025, 6, 1), OPEN_START],
            "valid_to": [date(2025, 6, 1), None, None],
        }
    )
    deployments = pl.DataFrame(
        {
            "id": ["d1", "d2"],
            "service_id": ["s", "s"],
            "finished_at": [
                datetime(2025, 5, 31, 23, tzinfo=UTC),
                datetime(2025, 6, 1, 1, tzinfo=UTC),
            ],
            "status": ["success", "failed"],
            "environment": ["production", "production"],
        }
    )
    incidents = pl.DataFrame({"caused_by_deployment_id": ["d1"]})
    index = DeliveryIndex(["root", "a", "b"], services, deployments, incidents)
    kpis = index.for_tree(build_org_tree(versions, as_of=date(2025, 7, 1)))
    window = (date(2025, 5, 1), date(2025, 7, 1))
    # then each deployment belongs to the owner of its day, and the root has both, once
    assert kpis.change_failure_rate("a", *window).sample == 1
    assert kpis.change_failure_rate("b", *window).sample == 1
    assert (
        kpis.change_failure_rate("root", *window).value == 1.0
    )  # d1 caused an incident, d2 failed
    assert kpis.deployments_per_week("a", *window).sample == 1
    # and a window with no deployment is a rate of 0 where services were owned, undefined otherwise
    assert kpis.deployments_per_week("b", date(2025, 1, 1), date(2025, 2, 1)).value == 0.0
    assert kpis.change_failure_rate("b", date(2025, 1, 1), date(2025, 2, 1)).value is None
