"""Services per platform and the migration share agree with a plain count over services."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from graph.membership import platform_index
from graph.tree import build_org_tree
from tests.graph.generated import END, generated_org

TARGETS = frozenset({"native_aws"})


def test_migration_share_matches_a_plain_count(tmp_path: Path) -> None:
    # given a generated org whose services migrate to native_aws and change owner over time
    org = generated_org(tmp_path, seed=6)
    index = platform_index(org.team_ids, org.services)
    rows = list(org.services.iter_rows(named=True))
    rng = random.Random(6)
    shares = set()
    for as_of in (date(2024, 9, 1), END):
        tree = build_org_tree(org.versions, as_of=as_of)
        platforms = index.for_tree(tree)
        for _ in range(30):
            team = rng.choice(tree.team_ids)
            on = END - timedelta(days=rng.randint(-300, 1000))
            owned = on_target = 0
            for service in rows:
                valid = service["valid_from"] <= on and (
                    service["valid_to"] is None or on < service["valid_to"]
                )
                if valid and tree.is_in_subtree(service["owner_team_id"], team):
                    owned += 1
                    on_target += service["platform"] in TARGETS
            share, count = platforms.share(team, on, TARGETS)
            assert count == owned
            assert share == (on_target / owned if owned else None)
            shares.add(share)
    assert len(shares) > 10  # the sample really exercises partial migrations
