"""Comparisons: hand-built cases with known answers, and properties of the peer rank."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from graph.tree import build_org_tree
from store.models import OPEN_START
from store.rows import TeamVersion
from tests.graph.oracles import compare, peer_percentile, z_score

VALUES = {"root": 10.0, "a": 1.0, "b": 3.0, "c": 5.0, "d": None, "gone": 99.0}


def _team(id: str, parent: str | None, end: date | None = None) -> TeamVersion:
    return TeamVersion(id, id, parent, None, OPEN_START, end)


def test_a_team_is_compared_with_its_org_parent_active_peers_and_previous_window() -> None:
    # given root with children a, b, c, d (no value) and gone (ended: no peer)
    tree = build_org_tree(
        [
            _team("root", None),
            *(_team(t, "root") for t in "abcd"),
            _team("gone", "root", date(2024, 1, 1)),
        ],
        as_of=date(2025, 1, 1),
    )
    windows: list[tuple[date, date]] = []

    def kpi(team: str, start: date, end: date) -> float | None:
        windows.append((start, end))
        value = VALUES[team]
        return None if value is None else value + (100 if start < date(2025, 1, 1) else 0)

    result = compare(kpi, tree, "b", date(2025, 1, 1), date(2025, 3, 1))
    # then peers are a and c (d has no value, gone is inactive), b is between them
    assert result.value == 3.0
    assert result.org_value == 10.0
    assert result.parent_value == 10.0
    assert result.peer_median == 1.0  # nearest rank of [1, 5]
    assert result.peer_percentile == 50.0
    assert result.z_score == 0.0
    # and the previous window has the same length and ends where this one starts
    assert result.previous_value == 103.0
    assert (date(2024, 11, 3), date(2025, 1, 1)) in windows  # 59 days before


def test_a_root_is_compared_with_the_other_roots_and_has_no_parent() -> None:
    tree = build_org_tree([_team("r1", None), _team("r2", None)], as_of=date(2025, 1, 1))
    result = compare(
        lambda team, s, e: {"r1": 2.0, "r2": 4.0}[team],
        tree,
        "r1",
        date(2025, 1, 1),
        date(2025, 2, 1),
    )
    assert result.parent_value is None
    assert result.org_value == 2.0
    assert result.peer_median == 4.0
    assert result.peer_percentile == 0.0
    assert result.z_score is None  # one peer only


@given(value=st.floats(-1e6, 1e6), peers=st.lists(st.floats(-1e6, 1e6), max_size=30))
def test_peer_percentile_is_a_share_between_0_and_100(value: float, peers: list[float]) -> None:
    rank = peer_percentile(value, peers)
    if not peers:
        assert rank is None
        return
    assert rank is not None
    assert 0 <= rank <= 100
    assert (rank == 100) == all(peer < value for peer in peers)


def test_z_score_needs_two_peers_and_some_spread() -> None:
    assert z_score(1.0, [1.0]) is None
    assert z_score(1.0, [2.0, 2.0]) is None
    assert z_score(4.0, [1.0, 3.0]) == 2.0
