"""What every resolver may use (the request's context) and the view of the structure date it asks for."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from strawberry.types import Info

from api.core.access import Principal
from api.core.errors import ApiError, RequestTimeout
from api.core.limits import EARLIEST_DATE, LATEST_DATE
from api.core.scope import TeamData, scoped
from graph.engine import Engine
from graph.initiatives import Initiatives, default_initiatives
from store.tokens import Role

#: who a context is for when none is given (tests, tools): sees everything, manages nothing
EVERYONE = Principal("local", Role.VIEWER, None)


@dataclass
class Context:
    """What every resolver may use: the rollup engine over the store, and the time by which
    the request must be done (``time.monotonic()``)."""

    engine: Engine
    deadline: float = float("inf")
    #: the initiatives file's initiatives (the shipped defaults unless settings name another)
    initiatives: Initiatives = field(default_factory=default_initiatives)
    #: who asks (api/core/access.py): what they may see is decided by ``view``
    principal: Principal = EVERYONE
    #: an aggregate over teams outside a scope needs at least this many of them
    min_peers: int = 3
    #: the operation's name and estimated cost, once checked (for the audit log)
    operation: str | None = None
    cost: int = 0

    def view(self, as_of: date) -> TeamData:
        """The structure date's view as the principal may see it: the engine's own, or a
        scope's part of it (api/core/scope.py). Every resolver reads teams through this."""
        found = self.engine.view(as_of)
        scope = self.principal.scope
        if self.principal.sees_all or scope is None:
            return found
        return scoped(found, scope, self.min_peers)

    def check_deadline(self) -> None:
        """Stop a request that ran out of time (resolvers call it between units of work: the
        engine's work is synchronous, so the check is cooperative)."""
        if time.monotonic() > self.deadline:
            raise RequestTimeout()


def engine_of(info: Info[Context, None]) -> Engine:
    return info.context.engine


def view_of(info: Info[Context, None], as_of: date | None) -> TeamData:
    day = as_of or date.today()
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ApiError(
            f"structure date {day.isoformat()} is outside the dates orgraph answers for "
            f"({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()})"
        )
    return info.context.view(day)
