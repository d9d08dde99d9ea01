"""The schema extensions that enforce the API's limits, in order: parsing (cached, with a cap
on tokens), the checks of the document and of the operation (all before execution), then the
masking of unexpected errors."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSyntaxError, Node
from graphql.language.parser import parse
from graphql.validation import (
    ASTValidationRule,
    NoSchemaIntrospectionCustomRule,
    ValuesOfCorrectTypeRule,
    specified_rules,
)
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.schema import validate_document

from api.core.budgets import Budgets
from api.core.context import Context
from api.core.cost import Checked, check_operation
from api.core.errors import (
    BAD_USER_INPUT,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    INTERNAL_SERVER_ERROR,
    QUERY_TOO_DEEP,
    RATE_LIMITED,
    TOO_MANY_TOKENS,
    with_code,
)
from api.core.limits import Limits
from api.core.shape import shape_problems
from graph.lru import Lru


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
#: with introspection off (ORGRAPH_INTROSPECTION=false): ``__schema`` and ``__type`` refused
NO_INTROSPECTION = _coded_rule(NoSchemaIntrospectionCustomRule)


class _Validator(SchemaExtension):
    """The shape checks, then the standard validation (cached by query text: Strawberry's
    cache hashes the whole syntax tree on every request), then the operation's checks with
    its variables (cached by query text, operation and variables), then the client's budget
    for the minute (``Budgets``): what it spends is the operation's estimated cost."""

    def __init__(
        self,
        limits: Limits,
        rules: tuple[type[ASTValidationRule], ...],
        documents: Lru[list[GraphQLError]],
        operations: Lru[Checked],
        budgets: Budgets,
    ) -> None:
        super().__init__()
        self.limits = limits
        self.rules = rules
        self.documents = documents
        self.operations = operations
        self.budgets = budgets

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None  # parsed before validation
        schema = context.schema._schema

        def validate() -> list[GraphQLError]:
            shape = shape_problems(document, self.limits)
            if shape:
                return shape
            errors = validate_document(schema, document, self.rules)
            return [with_code(e, GRAPHQL_VALIDATION_FAILED) for e in errors]

        query = context.query or ""
        errors = self.documents.get_or_compute(query, validate)
        if not errors:
            variables = context.variables or {}
            key = (query, context.operation_name, orjson.dumps(variables, default=str))
            checked = self.operations.get_or_compute(
                key,
                lambda: check_operation(
                    schema, document, context.operation_name, variables, self.limits
                ),
            )
            errors = checked.problems
            request = context.context
            if isinstance(request, Context):
                request.operation = context.operation_name
                request.cost = checked.cost
            if not errors and isinstance(request, Context):
                wait = self.budgets.spend(request.principal.id, checked.cost)
                if wait:
                    errors = [rate_limited(checked.cost, self.limits.cost_per_minute, wait)]
        context.pre_execution_errors = errors
        yield


def rate_limited(cost: int, per_minute: int, wait: float) -> GraphQLError:
    seconds = max(1, math.ceil(wait))
    return GraphQLError(
        f"rate limited: this query's estimated cost {cost} is more than what is left of your "
        f"budget of {per_minute} a minute (ORGRAPH_COST_PER_MINUTE); try again in {seconds} s",
        extensions={"code": RATE_LIMITED, "retryAfter": seconds, "cost": cost},
    )


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
    operations = Lru[Checked](4096)
    rules = CODED_RULES if limits.introspection else (*CODED_RULES, NO_INTROSPECTION)
    chosen: list[Callable[[], SchemaExtension]] = [
        functools.partial(_Parser, limits.max_tokens),
        functools.partial(
            _Validator, limits, rules, documents, operations, Budgets(limits.cost_per_minute)
        ),
    ]
    if limits.mask_errors:
        chosen.append(functools.partial(_Masked, should_mask_error=_unexpected))
    return chosen
