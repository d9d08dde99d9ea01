"""What every KPI returns and the one percentile rule they share (docs/kpis.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt


def nearest_rank(values: Sequence[float] | npt.NDArray[np.int64], q: float) -> float | None:
    """The smallest value whose cumulative share of the sample is at least ``q`` (as
    PostgreSQL's ``percentile_disc``); None for an empty sample.

    >>> nearest_rank([4, 1, 3, 2], 0.5)
    2.0
    """
    if len(values) == 0:
        return None
    ordered = np.sort(np.asarray(values, dtype=np.float64))
    return float(ordered[max(math.ceil(q * len(ordered)) - 1, 0)])


@dataclass(frozen=True)
class Rate:
    """A rate with the sample behind it; ``value`` is None when the rate is undefined."""

    value: float | None
    sample: int


Floats = npt.NDArray[np.float64]
Int64s = npt.NDArray[np.int64]


def ratios(numerator: Int64s, denominator: Int64s) -> Floats:
    """``numerator / denominator`` for many subtrees at once, NaN where the denominator is 0
    (the batch form of ``Rate(n / d if d else None, d)``: the same correctly rounded quotient
    of two integers, as Python's ``/`` gives it).

    >>> ratios(np.array([1, 0, 2]), np.array([4, 0, 3])).tolist()
    [0.25, nan, 0.6666666666666666]
    """
    out = np.full(len(denominator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out
