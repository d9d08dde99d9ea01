"""An operation with its variables coerced, checked before anything runs: page sizes, dates,
windows and trend lengths, and the query's estimated cost against the budget (each field
costs 1, a report 20, a trend one per period, times the page sizes above it)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.type import GraphQLInterfaceType

from api.core.errors import BAD_USER_INPUT, QUERY_TOO_COSTLY, with_code
from api.core.limits import (
    COST_CEILING,
    EARLIEST_DATE,
    FIELD_COST,
    LATEST_DATE,
    LIST_SIZE,
    ORDER_COST,
    Limits,
)
from graph.catalogue import Kpi
from graph.insights import MAX_HORIZON
from graph.trends import Grain, periods


@dataclass
class _Priced:
    """The cost of a selection set for one item of its parent (the caller multiplies), and
    what is wrong with its arguments."""

    cost: int = 0
    problems: list[GraphQLError] = field(default_factory=list)


class _Pricer:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: Any,
        limits: Limits,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.limits = limits
        self.memo: dict[tuple[str, str], _Priced] = {}

    def selection(
        self, selection: SelectionSetNode | None, parent: GraphQLNamedType | None
    ) -> _Priced:
        priced = _Priced()
        if selection is None:
            return priced
        for node in selection.selections:
            if isinstance(node, FieldNode):
                part = self.field(node, parent)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent
                part = self.selection(node.selection_set, kind)
            elif isinstance(node, FragmentSpreadNode):
                part = self.fragment(node.name.value)
            else:  # pragma: no cover
                continue
            priced.cost += part.cost
            priced.problems += part.problems
        return priced

    def fragment(self, name: str) -> _Priced:
        definition = self.fragments.get(name)
        if definition is None:
            return _Priced()
        key = (name, definition.type_condition.name.value)
        if key not in self.memo:
            self.memo[key] = _Priced()  # a cycle (refused by validation) costs nothing more
            kind = self.schema.get_type(key[1])
            self.memo[key] = self.selection(definition.selection_set, kind)
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> _Priced:
        name = node.name.value
        definition = (
            parent.fields.get(name)
            if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
            else None
        )
        if definition is None:  # __typename, __schema, __type: bounded by their shape
            sub = self.selection(node.selection_set, _introspection_type(self.schema, node))
            return _Priced(1 + sub.cost, sub.problems)
        try:
            arguments = get_argument_values(definition, node, self.variables)
        except GraphQLError as error:
            return _Priced(1, [with_code(error, BAD_USER_INPUT)])
        problems = _argument_problems(name, arguments, node, self.limits)
        cost = FIELD_COST.get(name, 1)
        if name == "trend" and not problems:
            cost = max(cost, _trend_points(arguments))
        if name == "correlations":
            cost *= len(arguments.get("kpis") or Kpi)
        if arguments.get("orderBy") is not None:
            cost += ORDER_COST
        kind = definition.type
        while isinstance(kind, GraphQLNonNull):
            kind = kind.of_type
        named = get_named_type(kind)
        if named.name.endswith("Connection"):
            first = arguments.get("first")
            size = first if isinstance(first, int) else self.limits.default_page
        elif isinstance(kind, GraphQLList):
            size = LIST_SIZE.get(name, 1)
        else:
            size = 1
        sub = self.selection(node.selection_set, named)
        return _Priced(cost + max(size, 1) * sub.cost, problems + sub.problems)


def _introspection_type(schema: GraphQLSchema, node: FieldNode) -> GraphQLNamedType | None:
    """The type under ``__schema`` or ``__type`` (its fields are priced 1 each)."""
    if node.name.value == "__schema":
        return schema.get_type("__Schema")
    if node.name.value == "__type":
        return schema.get_type("__Type")
    return None


def _trend_points(arguments: dict[str, Any]) -> int:
    grain = getattr(arguments.get("grain"), "name", arguments.get("grain"))
    start, end = arguments.get("from"), arguments.get("to")
    if not isinstance(start, date) or not isinstance(end, date):
        return 0
    return sum(1 for _ in periods(start, end, Grain.MONTH if grain == "MONTH" else Grain.WEEK))


def _argument_problems(
    name: str, arguments: dict[str, Any], node: FieldNode, limits: Limits
) -> list[GraphQLError]:
    """What is wrong with a field's arguments, found before anything runs."""

    def problem(message: str) -> GraphQLError:
        return GraphQLError(f"field '{name}': {message}", node, extensions={"code": BAD_USER_INPUT})

    problems = []
    horizon = arguments.get("horizon")
    if name == "forecast" and isinstance(horizon, int):
        grain = (
            Grain.MONTH if getattr(arguments.get("grain"), "name", None) == "MONTH" else Grain.WEEK
        )
        most = MAX_HORIZON[grain]
        if not 1 <= horizon <= most:
            problems.append(
                problem(
                    f"horizon must be between 1 and {most} {grain.name.lower()}s, got {horizon}"
                )
            )
    first = arguments.get("first")
    if isinstance(first, int) and not 0 <= first <= limits.max_page:
        problems.append(problem(f"first must be between 0 and {limits.max_page}, got {first}"))
    dates = {k: v for k, v in _dates(arguments) if isinstance(v, date)}
    for key, value in dates.items():
        if not EARLIEST_DATE <= value <= LATEST_DATE:
            problems.append(
                problem(
                    f"{key} {value.isoformat()} is outside the dates orgraph answers for "
                    f"({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()})"
                )
            )
    start, end = dates.get("from"), dates.get("to")
    if problems or start is None or end is None:
        return problems
    if end <= start:
        problems.append(problem(f"empty window [{start}, {end}): 'to' must be after 'from'"))
    elif name == "trend":
        points = _trend_points(arguments)
        if points > limits.max_trend_points:
            problems.append(
                problem(
                    f"a trend of {points} periods is longer than the maximum of "
                    f"{limits.max_trend_points}: ask for a shorter window or a coarser grain"
                )
            )
    return problems


def _dates(arguments: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """The arguments, those of an input object (``orderBy: {kpi, from, to}``) inlined."""
    for key, value in arguments.items():
        inner = value if isinstance(value, dict) else getattr(value, "__dict__", None)
        if isinstance(inner, dict) and not isinstance(value, Enum):
            yield from ((_GRAPHQL_NAMES.get(str(k), str(k)), v) for k, v in inner.items())
        else:
            yield key, value


#: Python names of input fields whose GraphQL names are keywords
_GRAPHQL_NAMES = {"start": "from", "end": "to"}


@dataclass(frozen=True)
class Checked:
    """An operation's problems (none: it may run) and its estimated cost."""

    problems: list[GraphQLError]
    cost: int = 0


def check_operation(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
    limits: Limits,
) -> Checked:
    """The variables coerced, the arguments checked and the cost estimated with them, for a
    document that passed validation. Nothing is executed."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return Checked([])  # no such operation: the execution names it
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), raw_variables or {}, max_errors=50
    )
    if isinstance(coerced, list):
        return Checked([with_code(error, BAD_USER_INPUT) for error in coerced])
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    priced = _Pricer(schema, fragments, coerced, limits).selection(operation.selection_set, root)
    cost = min(priced.cost, COST_CEILING)
    if priced.problems:
        return Checked(priced.problems[:50], cost)
    if priced.cost > limits.cost_budget:
        return Checked(
            [
                GraphQLError(
                    f"query too costly: estimated cost {cost}"
                    f"{' or more' if cost == COST_CEILING else ''} is over the budget of "
                    f"{limits.cost_budget} (each field costs 1, a report 20, a trend one per "
                    "period and at least 10, times the page sizes above it): ask for smaller "
                    "pages",
                    operation,
                    extensions={
                        "code": QUERY_TOO_COSTLY,
                        "cost": cost,
                        "budget": limits.cost_budget,
                    },
                )
            ],
            cost,
        )
    return Checked([], cost)
