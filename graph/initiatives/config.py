"""The initiatives file (docs/initiatives.md): its TOML format, the checks that name the file,
entry and field of a problem, and the checked :class:`Initiative` entries with the KPI
vocabularies they set.

Initiatives are configuration: a TOML file (``graph/initiatives.toml`` by default, another one
through ``ORGRAPH_INITIATIVES``) with the role and platform vocabularies and one entry per
initiative.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from graph.catalogue import CATALOGUE, Counted, Kpi
from graph.measures import Rate
from graph.report import KpiConfig

#: where the shipped initiatives are (three defaults: SDE ratio, remote contributions, native
#: AWS): ``graph/initiatives.toml``, a resource of the ``graph`` package (beside this package's
#: folder), so it is found wherever orgraph is installed
DEFAULT_FILE = resources.files("graph") / "initiatives.toml"


class InitiativesError(ValueError):
    """An initiatives file that cannot be used; the message names the file, entry and field."""


class Direction(Enum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class Measure(Enum):
    ROLE_SHARE = "role_share"
    PLATFORM_SHARE = "platform_share"
    INBOUND_REMOTE_CONTRIBUTION_RATE = "inbound_remote_contribution_rate"
    OUTBOUND_REMOTE_CONTRIBUTION_RATE = "outbound_remote_contribution_rate"
    KPI = "kpi"


# -- the file ---------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Vocabulary(_Strict):
    roles: list[str] = Field(min_length=1)
    engineer_roles: list[str] = Field(min_length=1)
    platforms: list[str] = Field(min_length=1)
    target_platforms: list[str] = Field(min_length=1)


class _Forecast(_Strict):
    weeks: int = Field(default=12, ge=2, le=520)
    at_risk_days: int = Field(default=30, ge=0)


class _Entry(_Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    measure: Measure
    target: float
    direction: Direction
    start: date
    deadline: date
    scope: str | None = None
    window_days: int = Field(default=90, ge=1, le=3660)
    roles: list[str] | None = None
    platforms: list[str] | None = None
    kpi: str | None = None
    forecast_weeks: int | None = Field(default=None, ge=2, le=520)


class _File(_Strict):
    vocabulary: _Vocabulary
    forecast: _Forecast = _Forecast()
    initiatives: list[_Entry] = []


@dataclass(frozen=True)
class Initiative:
    """One initiative, checked: its measure, target and dates."""

    key: str
    name: str
    description: str
    measure: Measure
    target: float
    direction: Direction
    start: date
    deadline: date
    scope: str | None
    window_days: int
    roles: frozenset[str]
    platforms: frozenset[str]
    kpi: Kpi | None
    forecast_weeks: int
    at_risk_days: int

    @property
    def windowed(self) -> bool:
        """Whether the measure counts events over ``window_days`` (else: on the day)."""
        return self.measure in (
            Measure.INBOUND_REMOTE_CONTRIBUTION_RATE,
            Measure.OUTBOUND_REMOTE_CONTRIBUTION_RATE,
        ) or (self.kpi is not None and not CATALOGUE[self.kpi].point_in_time)

    @functools.cached_property  # asked of every point of a status, on every request
    def people(self) -> bool:
        """Whether the measure is derived from people (roles, authorship): withheld for a
        subtree under the privacy floor (graph/privacy.py)."""
        if self.measure is Measure.KPI:
            return self.kpi is not None and CATALOGUE[self.kpi].people
        return self.measure is not Measure.PLATFORM_SHARE

    @property
    def sample_kind(self) -> str:
        """What the sample behind a value counts."""
        if self.measure is Measure.ROLE_SHARE:
            return Counted.PEOPLE.value
        if self.measure is Measure.PLATFORM_SHARE:
            return Counted.SERVICES.value
        if self.kpi is not None:
            return CATALOGUE[self.kpi].counted.value
        return Counted.CHANGES.value

    @property
    def share(self) -> bool:
        """Whether the value is a share of its sample (``KpiDefinition.share``)."""
        return self.kpi is None or CATALOGUE[self.kpi].share

    def explain(self) -> str:
        """How the value is computed, in words."""
        window = f"over the {self.window_days} days that end with the status date"
        if self.measure is Measure.ROLE_SHARE:
            return (
                "people whose primary team is in the subtree on the status date with a role in "
                f"{sorted(self.roles)} ÷ all of the subtree's people that day"
            )
        if self.measure is Measure.PLATFORM_SHARE:
            return (
                "services the subtree owns on the status date on a platform in "
                f"{sorted(self.platforms)} ÷ all services it owns that day"
            )
        if self.measure is Measure.INBOUND_REMOTE_CONTRIBUTION_RATE:
            return (
                "merged changes to the subtree's services authored by people outside it ÷ all "
                f"merged changes to them with a known author, {window}"
            )
        if self.measure is Measure.OUTBOUND_REMOTE_CONTRIBUTION_RATE:
            return (
                "merged changes by the subtree's people to services it does not own ÷ all "
                f"changes they merged, {window}"
            )
        assert self.kpi is not None
        when = window if self.windowed else "on the status date"
        return f"the KPI {self.kpi.name} of docs/kpis.md, {when}"

    def meets(self, value: float) -> bool:
        if self.direction is Direction.AT_LEAST:
            return value >= self.target - 1e-12
        return value <= self.target + 1e-12

    def gap(self, rate: Rate) -> float | None:
        """How far ``rate`` is short of the target (negative: ahead of it); in sample units
        for a share (people, services or changes short), else in the measure's units."""
        if rate.value is None:
            return None
        short = self.target - rate.value
        if self.direction is Direction.AT_MOST:
            short = -short
        return round(short * rate.sample if self.share else short, 9)  # no float noise


@dataclass(frozen=True)
class Initiatives:
    """The initiatives of one file, with the vocabularies the KPIs use."""

    source: str
    initiatives: tuple[Initiative, ...]
    config: KpiConfig

    @classmethod
    def load(cls, path: Path | str | None = None) -> Initiatives:
        """Read and check an initiatives file (default: the shipped one)."""
        source = DEFAULT_FILE if path is None else Path(path)
        name = str(source)
        try:
            raw = tomllib.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InitiativesError(f"{name}: no such initiatives file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise InitiativesError(f"{name}: cannot be read: {error}") from None
        except tomllib.TOMLDecodeError as error:
            raise InitiativesError(f"{name}: not valid TOML: {error}") from None
        return cls.parse(raw, name)

    @classmethod
    def parse(cls, raw: Mapping[str, Any], source: str = "<initiatives>") -> Initiatives:
        try:
            parsed = _File.model_validate(raw)
        except pydantic.ValidationError as error:
            raise InitiativesError(
                "\n".join(
                    f"{source}: {_where(raw, problem['loc'])}: {problem['msg']}"
                    for problem in error.errors()
                )
            ) from None
        problems = list(_problems(parsed))
        if problems:
            raise InitiativesError("\n".join(f"{source}: {problem}" for problem in problems))
        vocabulary = parsed.vocabulary
        config = KpiConfig(
            engineer_roles=frozenset(vocabulary.engineer_roles),
            target_platforms=frozenset(vocabulary.target_platforms),
        )
        initiatives = tuple(
            Initiative(
                **entry.model_dump(exclude={"roles", "platforms", "kpi", "forecast_weeks"}),
                roles=frozenset(entry.roles or vocabulary.engineer_roles),
                platforms=frozenset(entry.platforms or vocabulary.target_platforms),
                kpi=None if entry.kpi is None else Kpi[entry.kpi],
                forecast_weeks=entry.forecast_weeks or parsed.forecast.weeks,
                at_risk_days=parsed.forecast.at_risk_days,
            )
            for entry in parsed.initiatives
        )
        return cls(source, initiatives, config)

    def get(self, key: str) -> Initiative:
        for initiative in self.initiatives:
            if initiative.key == key:
                return initiative
        known = ", ".join(i.key for i in self.initiatives)
        raise KeyError(f"unknown initiative {key!r} (known: {known})")

    def check_scopes(self, teams: Iterable[str]) -> None:
        """Fail on a scope that names no team of the store (checked once the store is read)."""
        known = set(teams)
        problems = [
            f"{self.source}: initiative {i.key!r}, field 'scope': no team {i.scope!r} in the store"
            for i in self.initiatives
            if i.scope is not None and i.scope not in known
        ]
        if problems:
            raise InitiativesError("\n".join(problems))


@functools.cache
def default_initiatives() -> Initiatives:
    """The shipped initiatives file, read once."""
    return Initiatives.load()


def _where(raw: Mapping[str, Any], loc: Sequence[int | str]) -> str:
    """``initiative 'sde-ratio' (entry 1), field 'target'`` from a pydantic location."""
    if len(loc) >= 2 and loc[0] == "initiatives" and isinstance(loc[1], int):
        entries = raw.get("initiatives")
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else {}
        key = entry.get("key") if isinstance(entry, dict) else None
        named = f"initiative {key!r} (entry {loc[1] + 1})" if key else f"entry {loc[1] + 1}"
        field = ".".join(str(part) for part in loc[2:])
        return f"{named}, field {field!r}" if field else named
    return "field " + repr(".".join(str(part) for part in loc))


def _problems(parsed: _File) -> Iterable[str]:
    """What the types alone do not say: vocabularies, measures and dates that fit together."""
    vocabulary = parsed.vocabulary
    for field, values, known in (
        ("engineer_roles", vocabulary.engineer_roles, vocabulary.roles),
        ("target_platforms", vocabulary.target_platforms, vocabulary.platforms),
    ):
        for value in values:
            if value not in known:
                yield f"vocabulary, field {field!r}: {value!r} is not in {sorted(known)}"
    seen: set[str] = set()
    for number, entry in enumerate(parsed.initiatives, 1):
        where = f"initiative {entry.key!r} (entry {number})"
        if entry.key in seen:
            yield f"{where}, field 'key': another initiative has this key"
        seen.add(entry.key)
        if entry.deadline <= entry.start:
            yield f"{where}, field 'deadline': {entry.deadline} is not after start {entry.start}"
        for field, named, known, measure in (
            ("roles", entry.roles, vocabulary.roles, Measure.ROLE_SHARE),
            ("platforms", entry.platforms, vocabulary.platforms, Measure.PLATFORM_SHARE),
        ):
            if named is None:
                continue
            if entry.measure is not measure:
                yield f"{where}, field {field!r}: only for measure {measure.value!r}"
            elif not named:
                yield f"{where}, field {field!r}: name at least one"
            for value in named:
                if value not in known:
                    yield (
                        f"{where}, field {field!r}: unknown {field[:-1]} {value!r} "
                        f"(vocabulary: {sorted(known)})"
                    )
        if entry.measure is Measure.KPI:
            if entry.kpi is None:
                yield f"{where}, field 'kpi': measure 'kpi' needs the KPI's name"
            elif entry.kpi not in Kpi.__members__:
                yield (
                    f"{where}, field 'kpi': unknown KPI {entry.kpi!r} "
                    f"(one of {', '.join(Kpi.__members__)})"
                )
        elif entry.kpi is not None:
            yield f"{where}, field 'kpi': only for measure 'kpi'"
        kpi = Kpi.__members__.get(entry.kpi or "")
        is_share = entry.measure is not Measure.KPI or (kpi is not None and CATALOGUE[kpi].share)
        if is_share and not 0 <= entry.target <= 1:
            yield f"{where}, field 'target': a share is between 0 and 1, not {entry.target}"
