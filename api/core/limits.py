"""What keeps the API safe to expose: limits on size, tokens, depth, aliases, introspection and
estimated cost, all checked before anything is executed, each refusal with its own code.

A request goes through three checks, cheapest first, so that an abusive document is refused
before the costlier standard validation sees it:

1. parsing, with a cap on tokens (and the HTTP view's cap on bytes);
2. the document's shape (:func:`shape_problems`): depth, aliases and nested introspection
   lists, one walk with each fragment measured once, so no fragment can make it exponential;
3. after the standard validation, the operation with its variables coerced
   (:func:`operation_problems`): page sizes, windows and trend lengths are checked, and the
   cost is estimated with the values the request really asks for (``first: $n``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

import orjson
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
    GraphQLSyntaxError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
)
from graphql.execution.values import get_argument_values, get_variable_values
from graphql.language.parser import parse
from graphql.type import GraphQLInterfaceType
from graphql.validation import ASTValidationRule, ValuesOfCorrectTypeRule, specified_rules
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.schema import validate_document

from api.core.errors import (
    BAD_USER_INPUT,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    INTERNAL_SERVER_ERROR,
    INTROSPECTION_TOO_DEEP,
    QUERY_TOO_COSTLY,
    QUERY_TOO_DEEP,
    TOO_MANY_ALIASES,
    TOO_MANY_TOKENS,
    with_code,
)
from graph.lru import Lru
from graph.trends import Grain, periods

#: The dates a request may name (structure dates, windows, status days).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2199, 12, 31)


@dataclass(frozen=True)
class Limits:
    """The limits of one API (docs/configuration.md)."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    cost_budget: int = 10_000
    #: bytes of a POST body or a GET query string (413 or 414 beyond)
    max_request_bytes: int = 128 * 1024
    #: periods of one trend
    max_trend_points: int = 1000
    #: introspection lists nested in one another (``types { fields { args } }`` is 3)
    max_introspection_lists: int = 3
    default_page: int = 20
    max_page: int = 100
    mask_errors: bool = True


#: The cost of one field beyond 1: a KPI report is many look-ups; a trend costs one per
#: period (at least this much); ordering children computes one KPI per child.
FIELD_COST = {"kpis": 20, "trend": 10}
#: Lists that are not connections, with the length assumed for what is under them.
LIST_SIZE = {"ancestors": 10, "path": 10, "initiatives": 10, "roots": 20}
#: What ordering a page of children by a KPI costs: the KPI of every child, up to a page.
ORDER_COST = 100
#: Cost reported beyond this is shown as this (a JSON number every client can read).
COST_CEILING = 2**53 - 1

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


# -- 2. the document's shape -------------------------------------------------------------------


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


# -- 3. the operation with its variables ----------------------------------------------------------


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


def operation_problems(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    raw_variables: dict[str, Any] | None,
    limits: Limits,
) -> list[GraphQLError]:
    """The variables coerced, the arguments checked and the cost estimated with them, for a
    document that passed validation. Nothing is executed."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return []  # no such operation: the execution names it
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), raw_variables or {}, max_errors=50
    )
    if isinstance(coerced, list):
        return [with_code(error, BAD_USER_INPUT) for error in coerced]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    priced = _Pricer(schema, fragments, coerced, limits).selection(operation.selection_set, root)
    if priced.problems:
        return priced.problems[:50]
    if priced.cost > limits.cost_budget:
        cost = min(priced.cost, COST_CEILING)
        return [
            GraphQLError(
                f"query too costly: estimated cost {cost}"
                f"{' or more' if cost == COST_CEILING else ''} is over the budget of "
                f"{limits.cost_budget} (each field costs 1, a report 20, a trend one per "
                "period and at least 10, times the page sizes above it): ask for smaller pages",
                operation,
                extensions={"code": QUERY_TOO_COSTLY, "cost": cost, "budget": limits.cost_budget},
            )
        ]
    return []


# -- the extensions ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _parse(query: str, max_tokens: int) -> Any:
    return parse(query, max_tokens=max_tokens)


class _Parser(SchemaExtension):
    """Parsing, cached by query text, with a cap on tokens; a refusal says which."""

    def __init__(self, max_tokens: int) -> None:
        super().__init__()
        self.max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        try:
            context.graphql_document = _parse(context.query or "", self.max_tokens)
        except GraphQLSyntaxError as error:
            if "tokens" in error.message:
                error.extensions = {"code": TOO_MANY_TOKENS, "limit": self.max_tokens}
            elif "nested too deeply" in error.message:
                error.extensions = {"code": QUERY_TOO_DEEP}
            else:
                error.extensions = {"code": GRAPHQL_PARSE_FAILED}
            raise
        yield


def _coded_rule(rule: type[ASTValidationRule]) -> type[ASTValidationRule]:
    """``rule`` whose errors carry a code: a literal of the wrong type (a bad date) is the
    client's input, anything else a document that does not fit the schema. A scalar's own
    error (``"2025-13-01"`` is no Date) comes without a location: it gets its literal's."""
    code = BAD_USER_INPUT if rule is ValuesOfCorrectTypeRule else GRAPHQL_VALIDATION_FAILED

    def report_error(self: ASTValidationRule, error: GraphQLError) -> None:
        literal: Node | None = getattr(self, "literal", None)
        if not error.nodes and literal is not None:
            error = GraphQLError(
                error.message,
                literal,
                original_error=error.original_error,
                extensions=error.extensions,
            )
        self.context.report_error(with_code(error, code))

    attributes: dict[str, Any] = {"report_error": report_error}
    if rule is ValuesOfCorrectTypeRule:

        def is_valid_value_node(self: ValuesOfCorrectTypeRule, node: Any, kind: Any) -> Any:
            self.literal = node  # type: ignore[attr-defined]
            return ValuesOfCorrectTypeRule.is_valid_value_node(self, node, kind)

        attributes["is_valid_value_node"] = is_valid_value_node
    return type(rule.__name__, (rule,), attributes)


#: graphql-core's rules, each made once, with codes.
CODED_RULES = tuple(_coded_rule(rule) for rule in specified_rules)


class _Validator(SchemaExtension):
    """The shape checks, then the standard validation (cached by query text: Strawberry's
    cache hashes the whole syntax tree on every request), then the operation's checks with
    its variables (cached by query text, operation and variables)."""

    def __init__(
        self,
        limits: Limits,
        documents: Lru[list[GraphQLError]],
        operations: Lru[list[GraphQLError]],
    ) -> None:
        super().__init__()
        self.limits = limits
        self.documents = documents
        self.operations = operations

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # parsed before validation
        schema = context.schema._schema

        def validate() -> list[GraphQLError]:
            shape = shape_problems(document, self.limits)
            if shape:
                return shape
            errors = validate_document(schema, document, CODED_RULES)
            return [with_code(e, GRAPHQL_VALIDATION_FAILED) for e in errors]

        query = context.query or ""
        errors = self.documents.get_or_compute(query, validate)
        if not errors:
            variables = context.variables or {}
            key = (query, context.operation_name, orjson.dumps(variables, default=str))
            errors = self.operations.get_or_compute(
                key,
                lambda: operation_problems(
                    schema, document, context.operation_name, variables, self.limits
                ),
            )
        context.pre_execution_errors = errors
        yield


class _Masked(MaskErrors):
    """Unexpected errors become "internal error" with a stable code and no detail."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        return GraphQLError(
            "internal error",
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": INTERNAL_SERVER_ERROR},
        )


def _unexpected(error: GraphQLError) -> bool:
    """Only errors that are not the API's own (bad input, validation, limits) are masked."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions that enforce ``limits``, in order: parsing, the checks (all
    before execution), then masking."""
    documents = Lru[list[GraphQLError]](1024)
    operations = Lru[list[GraphQLError]](4096)
    chosen: list[Callable[[], SchemaExtension]] = [
        functools.partial(_Parser, limits.max_tokens),
        functools.partial(_Validator, limits, documents, operations),
    ]
    if limits.mask_errors:
        chosen.append(functools.partial(_Masked, should_mask_error=_unexpected))
    return chosen
