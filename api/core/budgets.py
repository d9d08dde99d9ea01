"""Per-client budgets of query cost (docs/security.md): each client (a token, a user an SSO
proxy vouches for, or an open server's client address) may spend ``per_minute`` of estimated
cost a minute, refilled continuously (a token bucket). A query that would overspend is refused
before it runs, with how long to wait.

>>> budgets = Budgets(per_minute=600, clock=lambda: 0.0)
>>> budgets.spend("token:a", 500), budgets.spend("token:a", 200), budgets.spend("token:b", 200)
(0.0, 10.0, 0.0)
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

#: clients remembered (the least recently seen are forgotten: a full bucket again)
CLIENTS = 100_000


class Budgets:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0  # cost per second
        self.clock = clock
        self._left: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client: (left, at)
        self._lock = threading.Lock()

    def spend(self, client: str, cost: int) -> float:
        """Spend ``cost`` of ``client``'s budget: 0.0 when it had enough, else the seconds to
        wait until it will (nothing is spent then)."""
        now = self.clock()
        with self._lock:
            left, at = self._left.pop(client, (self.capacity, now))
            left = min(self.capacity, left + (now - at) * self.rate)
            if cost > left:
                self._left[client] = (left, now)
                return (cost - left) / self.rate
            self._left[client] = (left - cost, now)
            while len(self._left) > CLIENTS:
                self._left.popitem(last=False)
            return 0.0
