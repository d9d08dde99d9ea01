"""Whole numbers go out as JSON integers: a headcount of 262 reads ``262``, not ``262.0``.

GraphQL's ``Float`` result is a JSON number, and ``262`` is the same number as ``262.0`` to
every JSON reader, so this changes no value; it stops counts (headcount, debt minutes, a
median of days) from reading as measurements in a terminal, a log or a Python client.
graphql-core forbids redefining the built-in ``Float`` scalar, so its output coercion, the
one place every ``Float`` result passes, is wrapped once, when the API is imported.

>>> from graphql import GraphQLFloat
>>> GraphQLFloat.coerce_output_value(262.0), GraphQLFloat.coerce_output_value(2.5)
(262, 2.5)
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLFloat

#: beyond this a float no longer holds every integer exactly: it stays a float
EXACT_INTEGERS = 2**53

_float = GraphQLFloat.coerce_output_value
assert _float is not None


def _whole_as_int(value: Any) -> Any:
    assert _float is not None
    out = _float(value)
    if isinstance(out, float) and out.is_integer() and abs(out) <= EXACT_INTEGERS:
        return int(out)
    return out


GraphQLFloat.coerce_output_value = _whole_as_int
