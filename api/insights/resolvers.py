"""The insights' entry points (``Query.correlations``, ``outliers``, ``bottlenecks``,
``migrationEffect``, ``Team.forecast``): arguments to the engine's functions, its refusals to
``BAD_USER_INPUT`` naming the argument."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

import strawberry
from strawberry.types import Info

from api.core.context import Context, view_of
from api.core.errors import ApiError
from api.core.scope import TeamData, engine_view
from api.insights.forecast import Forecast
from api.insights.migration import MigrationEffect
from api.insights.types import Bottlenecks, Correlations, Outliers
from api.kpis.enums import Grain, Kpi
from graph import insights
from graph.view import OrgView

T = TypeVar("T")

AsOfArg = Annotated[
    date | None, strawberry.argument(description="Structure date (default: today).")
]
UnderArg = Annotated[
    str, strawberry.argument(description="The team whose subtree's teams are compared.")
]
LevelArg = Annotated[
    int | None,
    strawberry.argument(
        description="Compare the active teams this many levels below `under` (1: its "
        "children); default: its leaf teams."
    ),
]


def _engine(view: TeamData, team: str, argument: str, *, org: bool = True) -> OrgView:
    """The engine's view for ``team``'s insights, if the client may see them: a team of its
    scope (``org``: or the scope's root, for the team's own figures); an unknown team, or one
    the client may not know of, is named as ``argument``."""
    try:
        return engine_view(view, team, org=org)
    except KeyError as error:
        raise ApiError(f"{argument}: {error.args[0]}") from None


def _run(info: Info[Context, None], argument: str, call: Callable[[], T]) -> T:
    """``call()``, an unknown team named as ``argument`` and any other refusal passed on."""
    info.context.check_deadline()
    try:
        return call()
    except KeyError as error:
        raise ApiError(f"{argument}: {error.args[0]}") from None
    except ValueError as error:
        raise ApiError(str(error)) from None


def correlations(
    info: Info[Context, None], under: str, kpis: list[Kpi] | None, start: date, end: date,
    level: int | None, as_of: date | None,
) -> Correlations:  # fmt: skip
    view = view_of(info, as_of)
    asked = tuple(kpis) if kpis else tuple(Kpi)
    engine = _engine(view, under, "under", org=False)
    found = _run(
        info, "under", lambda: insights.correlations(engine, under, start, end, asked, level)
    )
    return Correlations(found=found, view=view)


def outliers(
    info: Info[Context, None], under: str, kpi: Kpi, start: date, end: date, level: int | None,
    threshold: float, as_of: date | None,
) -> Outliers:  # fmt: skip
    view = view_of(info, as_of)
    engine = _engine(view, under, "under", org=False)
    found = _run(
        info,
        "under",
        lambda: insights.outliers(engine, kpi, under, start, end, level, threshold),
    )
    return Outliers(found=found, view=view)


def bottlenecks(
    info: Info[Context, None], team: str, start: date, end: date, as_of: date | None
) -> Bottlenecks:
    view = view_of(info, as_of)
    engine = _engine(view, team, "team")
    found = _run(info, "team", lambda: insights.bottlenecks(engine, team, start, end))
    return Bottlenecks(found=found, view=view)


def migration_effect(
    info: Info[Context, None], under: str, start: date, end: date, as_of: date | None
) -> MigrationEffect:
    view = view_of(info, as_of)
    engine = _engine(view, under, "under", org=False)
    found = _run(info, "under", lambda: insights.migration(engine, under, start, end))
    return MigrationEffect(found=found, view=view)


def team_forecast(
    info: Info[Context, None], view: TeamData, team: str, kpi: Kpi, horizon: int, grain: Grain,
    end: date | None,
) -> Forecast:  # fmt: skip
    engine = _engine(view, team, "team")
    found = _run(info, "team", lambda: insights.forecast(engine, kpi, team, horizon, grain, end))
    return Forecast(found=found, view=view)
