"""What every insight shares: the reason a figure is withheld, the teams an insight compares
(a level of a subtree, or its leaf teams) and their values of a KPI, read from the view."""

from __future__ import annotations

from datetime import date
from enum import Enum

import numpy as np
import numpy.typing as npt

from graph.catalogue import Kpi
from graph.view import OrgView

Floats = npt.NDArray[np.float64]

#: the fewest teams (or services) a statistic over a group is computed from
MIN_TEAMS = 10


class Reason(Enum):
    """Why a figure is withheld (its value is null)."""

    #: fewer teams with a value than the statistic needs (``MIN_TEAMS``)
    TOO_FEW_TEAMS = "TOO_FEW_TEAMS"
    #: every team has the same value: there is no spread to measure against
    NO_SPREAD = "NO_SPREAD"
    #: too few migrated or not-migrated services with data in the window
    TOO_FEW_SERVICES = "TOO_FEW_SERVICES"
    #: the series is shorter than the model needs
    HISTORY_TOO_SHORT = "HISTORY_TOO_SHORT"
    #: too many periods of the series without a value to fill them honestly
    TOO_MANY_GAPS = "TOO_MANY_GAPS"
    #: the subtree has no sample for this figure in the window
    NO_DATA = "NO_DATA"
    #: derived from people, for a subtree now under the privacy floor (graph/privacy.py): a
    #: forecast of it would say what is withheld
    BELOW_PRIVACY_FLOOR = "BELOW_PRIVACY_FLOOR"
    #: an initiative's deadline is on or before the status date: nothing left to forecast
    DEADLINE_PASSED = "DEADLINE_PASSED"


def check_window(start: date, end: date) -> None:
    if end <= start:
        raise ValueError(f"empty window [{start}, {end}): 'to' must be after 'from'")


def teams_of(view: OrgView, under: str, level: int | None) -> tuple[str, ...]:
    """The active teams ``level`` levels below ``under`` (1: its children), or its leaf teams
    when ``level`` is None."""
    if under not in view.tree:
        raise KeyError(f"unknown team {under!r}")
    if level is None:
        return view.leaves(under)
    if level < 1:
        raise ValueError(f"level must be 1 or more (1: the children of {under!r}), got {level}")
    return view.level(under, level)


def values(view: OrgView, kpi: Kpi, teams: tuple[str, ...], start: date, end: date) -> Floats:
    """The KPI of each team over ``[start, end)``, NaN where it is null: computed for all the
    teams at once (``OrgView.values``), cached by the view, read-only."""
    return view.values(kpi, teams, start, end)
