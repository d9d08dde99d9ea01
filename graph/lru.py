"""A bounded, thread-safe map that drops its least recently used entries first.

``functools.lru_cache`` would do for plain functions, but on a method it holds the object
through the bound method: an evicted view (about 1 GB at 20,000 teams) would then wait for the
cycle collector. This one holds only the values it was given."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class Lru(Generic[V]):
    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"an LRU map holds at least one entry, not {size}")
        self.size = size
        self._entries: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: Hashable, value: V) -> V:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def get_or_compute(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value of ``key``, computed (outside the lock) when it is not held."""
        found = self.get(key)
        return found if found is not None else self.put(key, compute())
