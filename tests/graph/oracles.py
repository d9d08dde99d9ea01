"""Oracles: the plain definitions the engine's fast paths are tested against, and that
production never calls. ``compare`` is every comparison of docs/kpis.md computed by asking the
KPI of each team (the engine reads them from sorted peer groups, graph/peers.py); ``trend`` is
the KPI per period (the engine: ``OrgView.trend``)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from datetime import date
from typing import TypeVar

from graph.comparisons import Comparison, Value
from graph.measures import nearest_rank
from graph.tree import OrgTree
from graph.trends import Grain, periods

T = TypeVar("T")


def peer_percentile(value: float, peers: Sequence[float]) -> float | None:
    """The value's percentile rank among the peers on a 0-100 scale.

    >>> peer_percentile(3.0, [1.0, 3.0, 5.0, 7.0])
    37.5
    """
    if not peers:
        return None
    below = sum(1 for peer in peers if peer < value)
    equal = sum(1 for peer in peers if peer == value)
    return 100 * (below + equal / 2) / len(peers)


def z_score(value: float, peers: Sequence[float]) -> float | None:
    """(value - mean) / population standard deviation of the peers; None with fewer than two
    peers or when they all have the same value."""
    if len(peers) < 2:
        return None
    deviation = statistics.pstdev(peers)
    if deviation == 0 or math.isnan(deviation):
        return None
    return (value - statistics.fmean(peers)) / deviation


def compare(
    kpi: Callable[[str, date, date], Value], tree: OrgTree, team: str, start: date, end: date
) -> Comparison:
    """Every comparison of ``kpi`` for ``team`` over ``[start, end)`` in the structure of ``tree``."""
    value = kpi(team, start, end)
    ancestors = tree.ancestors(team)
    root = ancestors[0] if ancestors else team
    parent = tree.parent(team)
    peer_values = [v for peer in tree.peers(team) if (v := kpi(peer, start, end)) is not None]
    previous = start - (end - start)
    return Comparison(
        value=value,
        org_value=kpi(root, start, end),
        parent_value=None if parent is None else kpi(parent, start, end),
        peer_median=nearest_rank(peer_values, 0.5),
        peer_percentile=None if value is None else peer_percentile(value, peer_values),
        z_score=None if value is None else z_score(value, peer_values),
        previous_value=kpi(team, previous, start),
    )


def trend(
    kpi: Callable[[str, date, date], T],
    team: str,
    start: date,
    end: date,
    grain: Grain = Grain.WEEK,
) -> list[tuple[date, date, T]]:
    """``kpi(team, from, to)`` for each period of ``[start, end)``."""
    return [(first, last, kpi(team, first, last)) for first, last in periods(start, end, grain)]
