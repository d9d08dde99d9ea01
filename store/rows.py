"""The store's dimension rows as the graph reads them: one validity interval each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class TeamVersion:
    """One validity interval of a team: ``valid_to`` exclusive, ``None`` = still valid."""

    id: str
    name: str
    parent_id: str | None
    type: str | None
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class ServiceVersion:
    """One validity interval of a service and the team owning it then."""

    id: str
    name: str
    owner_team_id: str
    platform: str | None
    valid_from: date
    valid_to: date | None
