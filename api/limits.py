"""What keeps the API safe to expose: errors with stable codes, unexpected errors masked, and
limits on depth, aliases, tokens and estimated cost, all checked before execution."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document

from graph.lru import Lru

#: Stable error codes, in ``errors[].extensions.code``.
BAD_USER_INPUT = "BAD_USER_INPUT"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
TIMEOUT = "TIMEOUT"


class ApiError(GraphQLError):
    """A request that cannot be answered as asked; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": BAD_USER_INPUT})


class RequestTimeout(GraphQLError):
    """The request ran past its time (``ORGRAPH_REQUEST_TIMEOUT``)."""

    def __init__(self) -> None:
        super().__init__(
            "request timed out: ask for less (smaller pages, fewer reports)",
            extensions={"code": TIMEOUT},
        )


@dataclass(frozen=True)
class Limits:
    """The limits of one API (docs/configuration.md)."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 4000
    cost_budget: int = 10_000
    default_page: int = 20
    max_page: int = 100
    mask_errors: bool = True


#: The cost of one field beyond 1: a KPI report is many look-ups, a trend one per period.
FIELD_COST = {"kpis": 20, "trend": 10}


def query_cost(
    selection: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    *,
    default_page: int,
    max_page: int,
    multiplier: int = 1,
) -> int:
    """Estimated cost: every field costs 1 (a report 20, a trend 10) times the page sizes of
    the connections above it (``first``, or the default page; a variable counts as the
    largest page)."""
    if selection is None:
        return 0
    total = 0
    for node in _fields(selection, fragments, set()):
        total += multiplier * FIELD_COST.get(node.name.value, 1)
        size = _page_size(node, default_page, max_page)
        total += query_cost(
            node.selection_set,
            fragments,
            default_page=default_page,
            max_page=max_page,
            multiplier=multiplier * size,
        )
    return total


def _fields(
    selection: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> Iterator[FieldNode]:
    for node in selection.selections:
        if isinstance(node, FieldNode):
            yield node
        elif isinstance(node, InlineFragmentNode):
            yield from _fields(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set, fragments, seen | {node.name.value})


def _page_size(node: FieldNode, default_page: int, max_page: int) -> int:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(1, int(argument.value.value))
            return max_page  # a variable: assume the largest page
    # a connection without `first` gets the default page; other fields are single
    if node.selection_set and any(
        isinstance(s, FieldNode) and s.name.value == "edges" for s in node.selection_set.selections
    ):
        return default_page
    return 1


def cost_rule(limits: Limits) -> type[ValidationRule]:
    """A validation rule that rejects an operation whose estimated cost is over budget."""

    class CostRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.fragments = {
                d.name.value: d
                for d in context.document.definitions
                if isinstance(d, FragmentDefinitionNode)
            }

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            cost = query_cost(
                node.selection_set,
                self.fragments,
                default_page=limits.default_page,
                max_page=limits.max_page,
            )
            if cost > limits.cost_budget:
                self.report_error(
                    GraphQLError(
                        f"query too costly: estimated cost {cost} is over the budget of "
                        f"{limits.cost_budget} (each field costs 1, a report 20, a trend 10, "
                        "times the page sizes above it): ask for smaller pages",
                        node,
                        extensions={
                            "code": QUERY_TOO_COSTLY,
                            "cost": cost,
                            "budget": limits.cost_budget,
                        },
                    )
                )

    return CostRule


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


class _ValidationCache(SchemaExtension):
    """Validation results by query text and rules, least recently used dropped first.

    Strawberry's ``ValidationCache`` keys its cache by the parsed document, and hashing a
    document walks its whole syntax tree on every request: a tenth of a full report's time.
    The text says the same, and a string's hash is computed once."""

    def __init__(self, results: Lru[list[GraphQLError]]) -> None:
        super().__init__()
        self.results = results

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context

        def validate() -> list[GraphQLError]:
            assert context.graphql_document is not None  # parsed before validation
            rules = context.validation_rules
            return validate_document(context.schema._schema, context.graphql_document, rules)

        if context.query is None:
            errors = validate()
        else:
            errors = self.results.get_or_compute(
                (context.query, context.validation_rules), validate
            )
        context.pre_execution_errors = errors
        yield


def extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """The schema extensions that enforce ``limits``, in order: cached parsing and validation
    first, then the limits (all before execution), then masking."""
    # The rule classes are made once: strawberry's limiters make a new class per instance, and
    # the validation cache is keyed by the rules, so per-request classes would never hit it.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
        cost_rule(limits),
    ]
    chosen: list[Callable[[], SchemaExtension]] = [
        functools.partial(ParserCache, maxsize=1024),
        functools.partial(_ValidationCache, Lru[list[GraphQLError]](1024)),
        functools.partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        functools.partial(AddValidationRules, rules),
    ]
    if limits.mask_errors:
        chosen.append(functools.partial(_Masked, should_mask_error=_unexpected))
    return chosen
