"""The shape of a GraphQL document, checked before the standard validation sees it: depth,
aliases and nested introspection lists, in one walk that measures each fragment once (so no
fragment can make it exponential)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
)

from api.core.errors import INTROSPECTION_TOO_DEEP, QUERY_TOO_DEEP, TOO_MANY_ALIASES
from api.core.limits import Limits

INTROSPECTION_LISTS = frozenset(
    {
        "types",
        "fields",
        "args",
        "inputFields",
        "interfaces",
        "possibleTypes",
        "enumValues",
        "directives",
        "locations",
    }
)


@dataclass
class _Shape:
    """What a selection set holds, measured once per fragment."""

    depth: int = 0  # fields nested in one another (introspection left out)
    aliases: int = 0  # aliased fields, a fragment counted each time it is spread
    introspection_lists: int = 0  # introspection lists nested in one another
    deepest: Node | None = None  # where the depth was reached


class _ShapeOf:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.memo: dict[str, _Shape] = {}
        self.open: set[str] = set()  # fragments being measured (a cycle counts as empty)

    def selection(self, selection: SelectionSetNode | None, introspection: bool) -> _Shape:
        shape = _Shape()
        if selection is None:
            return shape
        for node in selection.selections:
            if isinstance(node, FieldNode):
                inside = introspection or node.name.value.startswith("__")
                sub = self.selection(node.selection_set, inside)
                depth = sub.depth if inside else sub.depth + 1
                lists = sub.introspection_lists + (
                    1 if inside and node.name.value in INTROSPECTION_LISTS else 0
                )
                part = _Shape(
                    depth, sub.aliases + (1 if node.alias else 0), lists, sub.deepest or node
                )
            elif isinstance(node, InlineFragmentNode):
                part = self.selection(node.selection_set, introspection)
            elif isinstance(node, FragmentSpreadNode):
                part = self.fragment(node.name.value, introspection)
            else:  # pragma: no cover - every selection is one of the three
                continue
            if part.depth > shape.depth:
                shape.depth, shape.deepest = part.depth, part.deepest
            shape.aliases += part.aliases
            shape.introspection_lists = max(shape.introspection_lists, part.introspection_lists)
        return shape

    def fragment(self, name: str, introspection: bool) -> _Shape:
        key = f"{name}:{introspection}"
        if key in self.memo:
            return self.memo[key]
        definition = self.fragments.get(name)
        if definition is None or key in self.open:
            return _Shape()  # unknown or cyclic: the standard validation names it
        self.open.add(key)
        self.memo[key] = self.selection(definition.selection_set, introspection)
        self.open.discard(key)
        return self.memo[key]


def shape_problems(document: Any, limits: Limits) -> list[GraphQLError]:
    """Depth, aliases and nested introspection lists of every operation, in one walk that
    measures each fragment once (so a document of a few thousand tokens is walked in
    milliseconds, however its fragments spread each other)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walker = _ShapeOf(fragments)
    problems: list[GraphQLError] = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        shape = walker.selection(operation.selection_set, False)
        name = operation.name.value if operation.name else "anonymous"
        if shape.depth > limits.max_depth:
            problems.append(
                GraphQLError(
                    f"operation '{name}' is {shape.depth} fields deep, over the maximum "
                    f"depth of {limits.max_depth}",
                    shape.deepest,
                    extensions={"code": QUERY_TOO_DEEP, "limit": limits.max_depth},
                )
            )
        if shape.aliases > limits.max_aliases:
            problems.append(
                GraphQLError(
                    f"operation '{name}' has {shape.aliases} aliases (fragments counted each "
                    f"time they are spread), over the maximum of {limits.max_aliases}",
                    operation,
                    extensions={"code": TOO_MANY_ALIASES, "limit": limits.max_aliases},
                )
            )
        if shape.introspection_lists > limits.max_introspection_lists:
            problems.append(
                GraphQLError(
                    f"operation '{name}' nests {shape.introspection_lists} introspection lists "
                    f"in one another, over the maximum of {limits.max_introspection_lists} "
                    "(`__schema { types { fields { args } } }` is 3)",
                    operation,
                    extensions={
                        "code": INTROSPECTION_TOO_DEEP,
                        "limit": limits.max_introspection_lists,
                    },
                )
            )
    return problems
