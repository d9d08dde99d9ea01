"""Independent builds run side by side: the engine's indexes, and a view's parts of them."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor


def in_parallel(tasks: Mapping[str, Callable[[], object]]) -> dict[str, object]:
    """Run independent builds on a thread per core (numpy and polars release the GIL).

    >>> in_parallel({"one": lambda: 1, "two": lambda: 2})
    {'one': 1, 'two': 2}
    """
    with ThreadPoolExecutor(max_workers=max(1, min(len(tasks), os.cpu_count() or 1))) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        return {name: future.result() for name, future in futures.items()}
