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
