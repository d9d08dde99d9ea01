"""Remote contribution rates from the cubes agree with a plain computation over the changes."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph.contributions import ContributionIndex, changes_per_engineer_per_week
from graph.membership import headcount_index
from graph.tree import build_org_tree
from tests.graph.generated import END, generated_org, team_on, valid_on

ENGINEERS = frozenset({"SDE"})


def test_remote_contributions_match_a_plain_computation(tmp_path: Path) -> None:
    # given a generated org where some changes are authored from other teams, and people move
    org = generated_org(tmp_path, seed=8)
    index = ContributionIndex(org.team_ids, org.services, org.people, org.changes)
    owners, members = org.history(org.services, "owner_team_id"), org.history(org.people, "team_id")
    merged = [
        (
            team_on(owners[c["service_id"]], c["merged_at"].date()),
            team_on(members[c["author_id"]], c["merged_at"].date()),
            c["merged_at"].date(),
        )
        for c in org.changes.iter_rows(named=True)
        if c["merged_at"] is not None and c["author_id"] is not None
    ]
    rng = random.Random(8)
    rates = set()
    for as_of in (date(2024, 9, 1), END):
        tree = build_org_tree(org.versions, as_of=as_of)
        contributions = index.for_tree(tree)
        for _ in range(30):
            team = rng.choice(tree.team_ids)
            start = END - timedelta(days=rng.randint(1, 760))
            end = start + timedelta(days=rng.randint(1, 400))
            to_x = into_x = by_x = out_of_x = 0
            for owner, author, day in merged:
                if not start <= day < end:
                    continue
                owned, authored = tree.is_in_subtree(owner, team), tree.is_in_subtree(author, team)
                to_x += owned
                into_x += owned and not authored
                by_x += authored
                out_of_x += authored and not owned
            inbound = contributions.inbound(team, start, end)
            outbound = contributions.outbound(team, start, end)
            assert (inbound.sample, inbound.value) == (to_x, into_x / to_x if to_x else None)
            assert (outbound.sample, outbound.value) == (by_x, out_of_x / by_x if by_x else None)
            rates.add(inbound.value)
    assert len(rates) > 10


def test_changes_per_engineer_match_a_plain_computation(tmp_path: Path) -> None:
    # given a generated org, its merged changes by author team, and its people by role
    org = generated_org(tmp_path, seed=10)
    contributions_index = ContributionIndex(org.team_ids, org.services, org.people, org.changes)
    headcount_of = headcount_index(org.team_ids, org.people)
    members = org.history(org.people, "team_id")
    authored = [
        (team_on(members[c["author_id"]], c["merged_at"].date()), c["merged_at"].date())
        for c in org.changes.iter_rows(named=True)
        if c["merged_at"] is not None and c["author_id"] is not None
    ]
    people = list(org.people.iter_rows(named=True))
    tree = build_org_tree(org.versions, as_of=END)
    contributions, headcount = contributions_index.for_tree(tree), headcount_of.for_tree(tree)
    rng = random.Random(10)
    for _ in range(40):
        team = rng.choice(tree.team_ids)
        start = END - timedelta(days=rng.randint(1, 760))
        end = start + timedelta(days=rng.randint(1, 400))
        merged = sum(
            1 for author, day in authored if start <= day < end and tree.is_in_subtree(author, team)
        )
        last = end - timedelta(days=1)
        engineers = sum(
            1
            for p in people
            if p["role"] == "SDE" and valid_on(p, last) and tree.is_in_subtree(p["team_id"], team)
        )
        rate = changes_per_engineer_per_week(contributions, headcount, team, start, end, ENGINEERS)
        assert rate.sample == merged
        expected = merged / engineers / ((end - start).days / 7) if engineers else None
        assert rate.value == (pytest.approx(expected) if expected is not None else None)
