"""GraphQL types that wrap engine objects (api/core/wrapping.py): fields read along a path of
the wrapped object, as plain fields (no resolver), in the order the class declares them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import strawberry

from api.core.wrapping import in_declared_order, reads


@dataclass(frozen=True)
class Inner:
    median: float | None


@dataclass(frozen=True)
class Found:
    sample: int
    inner: Inner | None


@strawberry.type(description="A wrapper.")
@in_declared_order
class Wrapper:
    found: strawberry.Private[Found]

    size: int = reads("found.sample", name="sampleSize", description="The sample.")

    @strawberry.field(description="Computed here.")
    def doubled(self) -> int:
        return 2 * self.found.sample

    median: float | None = reads("found.inner.median", description="Through a nested object.")


@strawberry.type(description="Entry points.")
class Query:
    @strawberry.field(description="Both shapes of the engine's object.")
    def wrapped(self) -> list[Wrapper]:
        return [Wrapper(found=Found(3, Inner(1.5))), Wrapper(found=Found(4, None))]


def test_fields_are_read_from_the_wrapped_object_along_their_path() -> None:
    # given a schema whose type wraps an engine object
    schema = strawberry.Schema(query=Query)
    # when a query reads its fields
    result = schema.execute_sync("{ wrapped { sampleSize doubled median } }")
    # then each comes from the wrapped object, and a missing object on the way gives null
    assert result.errors is None
    assert result.data == {
        "wrapped": [
            {"sampleSize": 3, "doubled": 6, "median": 1.5},
            {"sampleSize": 4, "doubled": 8, "median": None},
        ]
    }


def test_the_type_is_built_from_its_wrapped_object_alone_and_keeps_its_order() -> None:
    schema = strawberry.Schema(query=Query)
    # the only constructor argument is the engine's object: nothing is copied into the type
    assert [f.name for f in dataclasses.fields(Wrapper) if f.init] == ["found"]
    # a field that reads is a plain field to Strawberry (no resolver to call per value)
    definition = schema.get_type_by_name("Wrapper")
    assert definition is not None
    by_name = {f.graphql_name or f.python_name: f for f in definition.fields}  # type: ignore[union-attr]
    assert by_name["sampleSize"].is_basic_field
    assert not by_name["doubled"].is_basic_field
    # and the schema lists the fields as the class declares them, resolvers in their place
    assert "type Wrapper {" in str(schema)
    listed = str(schema).split("type Wrapper {")[1].split("}")[0]
    fields = [line.split(":")[0].strip() for line in listed.splitlines() if ":" in line]
    assert fields == ["sampleSize", "doubled", "median"]
