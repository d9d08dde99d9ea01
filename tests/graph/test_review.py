"""The unreviewed merge rate from the cubes agrees with a plain computation."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import polars as pl

from graph.review import ReviewIndex
from graph.tree import build_org_tree
from tests.graph.generated import END, generated_org, read, team_on


def test_unreviewed_merge_rate_matches_a_plain_computation(tmp_path: Path) -> None:
    # given a generated org with changes merged without approval and reviews by their author
    org = generated_org(tmp_path, seed=9)
    reviews = read(tmp_path, "reviews")
    index = ReviewIndex(org.team_ids, org.services, org.changes, reviews)
    owners = org.history(org.services, "owner_team_id")
    approved: dict[str, set[str]] = {}
    for review in reviews.filter(pl.col("state") == "approved").iter_rows(named=True):
        approved.setdefault(review["change_id"], set()).add(review["reviewer_id"])
    merged = [
        (
            team_on(owners[c["service_id"]], c["merged_at"].date()),
            c["merged_at"].date(),
            not (approved.get(c["id"], set()) - {c["author_id"]}),
        )
        for c in org.changes.iter_rows(named=True)
        if c["merged_at"] is not None
    ]
    rng = random.Random(9)
    rates = set()
    for as_of in (END - timedelta(days=500), END):
        tree = build_org_tree(org.versions, as_of=as_of)
        flow = index.for_tree(tree)
        for _ in range(30):
            team = rng.choice(tree.team_ids)
            start = END - timedelta(days=rng.randint(1, 760))
            end = start + timedelta(days=rng.randint(1, 400))
            inside = [
                unreviewed
                for owner, day, unreviewed in merged
                if start <= day < end and tree.is_in_subtree(owner, team)
            ]
            rate = flow.unreviewed_merge_rate(team, start, end)
            assert rate.sample == len(inside)
            assert rate.value == (sum(inside) / len(inside) if inside else None)
            rates.add(rate.value)
    assert len(rates) > 10
