"""Engine enums served as GraphQL enums: Strawberry wraps the engine's own class, so resolvers
hand engine members straight out with no copy to keep equal, and each value is described."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar

import strawberry

E = TypeVar("E", bound=type[Enum])


def described(cls: E, name: str, description: str, values: Mapping[str, str]) -> E:
    """``cls`` as the GraphQL enum ``name``, every value described (one missing is an error,
    so a value added to the engine cannot reach the schema undescribed)."""
    strawberry.enum(cls, name=name, description=description)
    for value in cls.__strawberry_definition__.values:  # type: ignore[attr-defined]
        value.description = values[value.name]
    return cls
