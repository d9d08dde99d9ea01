"""Remote contribution rates from the cubes agree with a plain computation over the changes."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from graph.contributions import ContributionIndex
from graph.tree import TeamVersion, build_org_tree
from loaders.synthetic import generate_bundle
from tests.graph.test_delivery import _dates, _owner, _read, _stamps

END = date(2026, 1, 1)


def _history(frame: pl.DataFrame, team: str) -> dict[str, list[tuple[date, date | None, str]]]:
    out: dict[str, list[tuple[date, date | None, str]]] = {}
    for row in frame.sort("valid_from").iter_rows(named=True):
        out.setdefault(row["id"], []).append((row["valid_from"], row["valid_to"], row[team]))
    return out


def test_remote_contributions_match_a_plain_computation(tmp_path: Path) -> None:
    # given a generated org where some changes are authored from other teams, and people move
    generate_bundle(tmp_path, teams=40, seed=8, end=END)
    teams = _dates(_read(tmp_path, "teams"))
    services = _dates(_read(tmp_path, "services"))
    people = _dates(_read(tmp_path, "people"))
    changes = _stamps(_read(tmp_path, "changes"), "merged_at")
    versions = [
        TeamVersion(r["id"], r["name"], r["parent_id"], r["type"], r["valid_from"], r["valid_to"])
        for r in teams.iter_rows(named=True)
    ]
    index = ContributionIndex(sorted(set(teams["id"])), services, people, changes)
    owners, members = _history(services, "owner_team_id"), _history(people, "team_id")
    merged = [
        (
            _owner(owners[c["service_id"]], c["merged_at"].date()),
            _owner(members[c["author_id"]], c["merged_at"].date()),
            c["merged_at"].date(),
        )
        for c in changes.iter_rows(named=True)
        if c["merged_at"] is not None and c["author_id"] is not None
    ]
    rng = random.Random(8)
    rates = set()
    for as_of in (date(2024, 9, 1), END):
        tree = build_org_tree(versions, as_of=as_of)
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
