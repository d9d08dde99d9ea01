"""Headcount by role from the cubes agrees with a plain count over people's history."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from graph.membership import headcount_index
from graph.tree import build_org_tree
from tests.graph.generated import END, generated_org

ENGINEERS = frozenset({"SDE"})


def test_headcount_by_role_matches_a_plain_count(tmp_path: Path) -> None:
    # given a generated org with people who move teams and teams that end or start
    org = generated_org(tmp_path, seed=5)
    index = headcount_index(org.team_ids, org.people)
    rows = list(org.people.iter_rows(named=True))
    rng = random.Random(5)
    for as_of in (date(2024, 9, 1), END):
        tree = build_org_tree(org.versions, as_of=as_of)
        headcount = index.for_tree(tree)
        for _ in range(30):
            # when a random subtree is counted on a random day (some before and after the data)
            team = rng.choice(tree.team_ids)
            on = END - timedelta(days=rng.randint(-400, 1200))
            # then each role's count is the people of that role in the subtree that day
            expected: dict[str, int] = {}
            for person in rows:
                valid = person["valid_from"] <= on and (
                    person["valid_to"] is None or on < person["valid_to"]
                )
                if valid and tree.is_in_subtree(person["team_id"], team):
                    expected[person["role"]] = expected.get(person["role"], 0) + 1
            assert headcount.by_category(team, on) == expected
            total = sum(expected.values())
            ratio, members = headcount.share(team, on, ENGINEERS)
            assert members == total
            assert ratio == (expected.get("SDE", 0) / total if total else None)
