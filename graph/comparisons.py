"""Comparisons of a team's KPI value (docs/kpis.md): against its org (root) and parent, its
peers (active siblings on the structure date; for a root the other roots; only peers with a
value count), and the previous window of the same length. The engine computes them from
sorted peer groups (graph/peers.py); the plain definition it is tested against is
tests/graph/oracles.py."""

from __future__ import annotations

from dataclasses import dataclass

from graph.privacy import Withheld

Value = float | None


@dataclass(frozen=True)
class Comparison:
    value: Value
    org_value: Value
    parent_value: Value
    peer_median: Value
    peer_percentile: Value  # 0..100: share of peers below, plus half the share equal
    z_score: Value  # (value - peers' mean) / peers' population standard deviation
    previous_value: Value
    #: share of the previous window the data covers (see ``Metric.coverage``)
    previous_coverage: float | None = None
    #: the org's typical team: the KPI over the active teams of the team's root at its depth
    typical_median: Value = None
    typical_mean: Value = None
    typical_teams: int | None = None
    #: figures left out (set to None) for the client who asks, with why: ``(attribute,
    #: reason)``, e.g. ``("parent_value", Withheld.OUTSIDE_SCOPE)`` (api/core/scope.py)
    withheld: tuple[tuple[str, Withheld], ...] = ()
