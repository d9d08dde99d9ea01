"""GraphQL types that wrap an engine object instead of copying it.

A type holds the engine's object in a ``strawberry.Private`` attribute and declares each field
with :func:`reads`, which names where the value sits in that object::

    @strawberry.type(description="One KPI over a window ...")
    class Metric:
        metric: strawberry.Private[graph.report.Metric]
        sample_size: int = reads("metric.sample", description="Events ... behind the value.")

So there is no second declaration of the engine's fields to keep equal by hand, and a field
costs what a plain field costs: Strawberry resolves a field without a resolver by calling
``get_result`` on the source, with no ``Info`` object, no argument parsing and no extension
chain, about a third of a resolver's cost (a full KPI report reads some 150 of them).
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from strawberry.types.field import StrawberryField

T = TypeVar("T")


class _Reads(StrawberryField):
    """A field read from the type's wrapped object along ``path`` (``None`` on the way gives
    ``None``). Not an argument of the type's ``__init__``: only the wrapped object is."""

    def __init__(self, *args: Any, path: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.path = path
        self.init = self.repr = self.compare = False

    def __copy__(self) -> Self:
        new = super().__copy__()
        new.path = self.path
        new.init = new.repr = new.compare = False
        return new

    def get_result(self, source: Any, info: Any, args: Any, kwargs: Any) -> Any:
        value = source
        for name in self.path:
            value = getattr(value, name)
            if value is None:
                return None
        return value


def reads(path: str, *, description: str, name: str | None = None) -> Any:
    """A field whose value is ``path`` (dotted attribute names) of the type's object, e.g.
    ``"metric.comparison.peer_median"``; ``name`` overrides the GraphQL name."""
    return _Reads(path=tuple(path.split(".")), description=description, graphql_name=name)


def in_declared_order(cls: type[T]) -> type[T]:
    """Keep the class body's field order in the schema. Strawberry lists a type's annotated
    fields first and its resolvers after them; a wrapping type mixes the two, so this puts
    each resolver's return annotation where the resolver stands (apply it under
    ``@strawberry.type``)."""
    declared = dict(cls.__annotations__)
    ordered: dict[str, Any] = {}
    for name, value in vars(cls).items():
        if name in declared:
            ordered[name] = declared.pop(name)
        elif isinstance(value, StrawberryField) and value.base_resolver is not None:
            ordered[name] = value.base_resolver.type_annotation
    cls.__annotations__ = ordered | declared
    return cls
