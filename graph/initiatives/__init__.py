"""Cross-cutting initiatives: where each stands for any subtree on any date, whether it will
land by its deadline at the recent pace, and which teams hold it back (docs/initiatives.md).

The package's modules, one concept each: ``config`` (the initiatives file: its format, checks
and the checked entries), ``measures`` (an initiative's measure for a subtree on a day, and its
weekly points), ``progress`` (pace, forecast, state, status and standings) and ``outlook``
(the measure forecast to the deadline with a prediction interval). The names below
are the package's public ones, as its callers use them (``from graph import initiatives``).
"""

from graph.initiatives.config import DEFAULT_FILE as DEFAULT_FILE
from graph.initiatives.config import Direction as Direction
from graph.initiatives.config import Initiative as Initiative
from graph.initiatives.config import Initiatives as Initiatives
from graph.initiatives.config import InitiativesError as InitiativesError
from graph.initiatives.config import Measure as Measure
from graph.initiatives.config import default_initiatives as default_initiatives
from graph.initiatives.measures import MAX_POINTS as MAX_POINTS
from graph.initiatives.measures import Point as Point
from graph.initiatives.measures import check_team as check_team
from graph.initiatives.measures import in_scope as in_scope
from graph.initiatives.measures import measure as measure
from graph.initiatives.measures import points as points
from graph.initiatives.measures import trend as trend
from graph.initiatives.measures import withheld as withheld
from graph.initiatives.outlook import Outlook as Outlook
from graph.initiatives.outlook import outlook as outlook
from graph.initiatives.progress import Standing as Standing
from graph.initiatives.progress import State as State
from graph.initiatives.progress import Status as Status
from graph.initiatives.progress import forecast as forecast
from graph.initiatives.progress import pace as pace
from graph.initiatives.progress import standings as standings
from graph.initiatives.progress import state as state
from graph.initiatives.progress import status as status

__all__ = [
    "DEFAULT_FILE",
    "MAX_POINTS",
    "Direction",
    "Initiative",
    "Initiatives",
    "InitiativesError",
    "Measure",
    "Outlook",
    "Point",
    "Standing",
    "State",
    "Status",
    "check_team",
    "default_initiatives",
    "forecast",
    "in_scope",
    "measure",
    "outlook",
    "pace",
    "points",
    "standings",
    "state",
    "status",
    "trend",
    "withheld",
]
