"""What the event simulation of a batch of services needs to know about the whole org."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from synthetic.pool import Pool
from synthetic.services import Services
from synthetic.tempo import Rates, Tempo
from synthetic.window import Ints, Texts, Window

#: Injected data-contract warnings: about 3 per 10,000 eligible rows of each kind.
WARNING_RATE = 3e-4


@dataclass(frozen=True)
class World:
    window: Window
    services: Services
    tempo: Tempo
    rates: Rates
    pool: Pool
    service_ids: Texts
    person_ids: Texts


@dataclass
class Numbering:
    """The next id number of each fact kind: facts are numbered across all batches."""

    next: dict[str, int] = field(
        default_factory=lambda: {"deployments": 1, "changes": 1, "reviews": 1, "incidents": 1}
    )

    def take(self, kind: str, count: int) -> Ints:
        first = self.next[kind]
        self.next[kind] = first + count
        return np.arange(first, first + count, dtype=np.int64)
