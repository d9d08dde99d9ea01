"""Coverage and debt from the cubes agree with a plain computation: the services a subtree
owns on the day, each at its latest measurement up to that day."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from graph.quality import QualityIndex
from graph.tree import build_org_tree
from tests.graph.generated import END, generated_org


def _latest(series: list[tuple[datetime, dict[str, int]]], on: date) -> dict[str, int] | None:
    taken = [values for measured, values in series if measured.date() <= on]
    return taken[-1] if taken else None


def test_coverage_and_debt_match_a_plain_computation(tmp_path: Path) -> None:
    # given a generated org with quarterly and monthly measurements, owner changes and services
    # that are never measured
    org = generated_org(tmp_path, seed=7)
    coverage, debt = org.coverage, org.debt
    index = QualityIndex(org.team_ids, org.services, coverage, debt)
    series: dict[str, dict[str, list[tuple[datetime, dict[str, int]]]]] = {
        "coverage": {},
        "debt": {},
    }
    for name, frame in (("coverage", coverage), ("debt", debt)):
        for row in frame.sort("measured_at").iter_rows(named=True):
            series[name].setdefault(row["service_id"], []).append((row["measured_at"], row))
    rows = list(org.services.iter_rows(named=True))
    rng = random.Random(7)
    values, left_out = set(), 0
    for as_of in (date(2024, 9, 1), END):
        tree = build_org_tree(org.versions, as_of=as_of)
        quality = index.for_tree(tree)
        for _ in range(30):
            team = rng.choice(tree.team_ids)
            on = END - timedelta(days=rng.randint(-100, 900))
            covered = total = minutes = measured_cov = measured_debt = owned = 0
            for service in rows:
                valid = service["valid_from"] <= on and (
                    service["valid_to"] is None or on < service["valid_to"]
                )
                if not (valid and tree.is_in_subtree(service["owner_team_id"], team)):
                    continue
                owned += 1
                if (c := _latest(series["coverage"].get(service["id"], []), on)) is not None:
                    measured_cov += 1
                    covered += c["covered_lines"]
                    total += c["total_lines"]
                if (d := _latest(series["debt"].get(service["id"], []), on)) is not None:
                    measured_debt += 1
                    minutes += d["debt_minutes"]
            got = quality.code_coverage(team, on)
            assert (got.measured, got.unmeasured) == (measured_cov, owned - measured_cov)
            assert got.value == (pytest.approx(covered / total) if total else None)
            debt_got = quality.technical_debt_minutes(team, on)
            assert (debt_got.measured, debt_got.unmeasured) == (
                measured_debt,
                owned - measured_debt,
            )
            assert debt_got.value == (float(minutes) if measured_debt else None)
            values.add(got.value)
            left_out += got.unmeasured
    assert len(values) > 10  # measured subtrees of many shapes
    assert left_out > 0  # and services never measured, counted beside
