"""DORA performance tiers (2023 State of DevOps report; docs/kpis.md).

The report gives each cluster's typical value ("less than one day", "between one day and one
week", ...), not boundaries; the boundaries here are those values read as thresholds, as
Apache DevLake's DORA dashboard does, so that every value has exactly one tier:

=====================  ==========  ===========  ============  =========
KPI                    elite       high         medium        low
=====================  ==========  ===========  ============  =========
lead time p50          < 24 h      < 168 h      < 720 h       the rest
change failure rate    ≤ 5 %       ≤ 10 %       ≤ 15 %        the rest
time to restore p50    < 1 h       < 24 h       < 168 h       the rest
=====================  ==========  ===========  ============  =========

Deployment frequency's tier is computed from deployment days (graph/delivery.py).

>>> lead_time_tier(30.0)
<DoraTier.HIGH: 'HIGH'>
>>> change_failure_tier(0.05), restore_tier(None)
(<DoraTier.ELITE: 'ELITE'>, None)
"""

from __future__ import annotations

from enum import Enum


class DoraTier(Enum):
    ELITE = "ELITE"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


_ORDER = (DoraTier.ELITE, DoraTier.HIGH, DoraTier.MEDIUM)

#: hours below which lead time (p50) is elite, high, medium
LEAD_TIME_HOURS = (24.0, 168.0, 720.0)
#: rates at or below which the change failure rate is elite, high, medium
CHANGE_FAILURE_RATE = (0.05, 0.10, 0.15)
#: hours below which time to restore (p50) is elite, high, medium
RESTORE_HOURS = (1.0, 24.0, 168.0)


def _below(value: float | None, bounds: tuple[float, float, float]) -> DoraTier | None:
    if value is None:
        return None
    return next(
        (tier for tier, bound in zip(_ORDER, bounds, strict=True) if value < bound), DoraTier.LOW
    )


def lead_time_tier(hours_p50: float | None) -> DoraTier | None:
    """The tier of a median lead time in hours; None without one."""
    return _below(hours_p50, LEAD_TIME_HOURS)


def change_failure_tier(rate: float | None) -> DoraTier | None:
    """The tier of a change failure rate (0..1); None without one."""
    if rate is None:
        return None
    return next(
        (t for t, bound in zip(_ORDER, CHANGE_FAILURE_RATE, strict=True) if rate <= bound),
        DoraTier.LOW,
    )


def restore_tier(hours_p50: float | None) -> DoraTier | None:
    """The tier of a median time to restore in hours; None without one."""
    return _below(hours_p50, RESTORE_HOURS)
