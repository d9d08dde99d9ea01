"""What every resolver may use (the request's context) and the view of the structure date it asks for."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from strawberry.types import Info

from api.core.errors import ApiError, RequestTimeout
from api.core.limits import EARLIEST_DATE, LATEST_DATE
from graph.engine import Engine
from graph.initiatives import Initiatives, default_initiatives
from graph.view import OrgView


@dataclass
class Context:
    """What every resolver may use: the rollup engine over the store, and the time by which
    the request must be done (``time.monotonic()``)."""

    engine: Engine
    deadline: float = float("inf")
    #: the initiatives file's initiatives (the shipped defaults unless settings name another)
    initiatives: Initiatives = field(default_factory=default_initiatives)

    def check_deadline(self) -> None:
        """Stop a request that ran out of time (resolvers call it between units of work: the
        engine's work is synchronous, so the check is cooperative)."""
        if time.monotonic() > self.deadline:
            raise RequestTimeout()


def engine_of(info: Info[Context, None]) -> Engine:
    return info.context.engine


def view_of(info: Info[Context, None], as_of: date | None) -> OrgView:
    day = as_of or date.today()
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ApiError(
            f"structure date {day.isoformat()} is outside the dates orgraph answers for "
            f"({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()})"
        )
    return engine_of(info).view(day)
