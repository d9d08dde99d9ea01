"""Remote contribution rates from the cubes agree with a plain computation over the changes."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from graph.contributions import ContributionIndex
from graph.tree import build_org_tree
from tests.graph.generated import END, generated_org, team_on


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
