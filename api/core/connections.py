"""Relay connections: opaque ids and cursors, pages of at most 100 items, and their arguments."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Annotated, Generic, TypeVar

import strawberry

from api.core.errors import ApiError
from api.core.limits import Limits

MAX_PAGE = Limits.max_page
DEFAULT_PAGE = Limits.default_page


def encode(*parts: str) -> str:
    return base64.urlsafe_b64encode(":".join(parts).encode()).decode().rstrip("=")


def decode(value: str) -> list[str]:
    try:
        padded = value + "=" * (-len(value) % 4)
        return base64.urlsafe_b64decode(padded.encode()).decode().split(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ApiError(f"malformed id or cursor {value!r}") from None


def page(first: int | None, after: str | None, total: int) -> tuple[int, int]:
    """The slice ``[start, stop)`` a ``first``/``after`` pair asks for."""
    size = DEFAULT_PAGE if first is None else first
    if size < 0 or size > MAX_PAGE:
        raise ApiError(f"first must be between 0 and {MAX_PAGE}, got {size}")
    start = 0
    if after is not None:
        parts = decode(after)
        if len(parts) != 2 or parts[0] != "o" or not parts[1].isdigit():
            raise ApiError(f"malformed cursor {after!r}")
        start = int(parts[1]) + 1
    return start, min(start + size, total)


@strawberry.interface(description="An object with a global id, fetchable with `Query.node`.")
class Node:
    @strawberry.field(description="Opaque global id.")
    def id(self) -> strawberry.ID:
        raise NotImplementedError


T = TypeVar("T")


@strawberry.type(description="Where a page of a list is, for the next request.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow this page.")
    has_previous_page: bool = strawberry.field(description="Items come before this page.")
    start_cursor: str | None = strawberry.field(description="Cursor of the page's first item.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the page's last item; pass it as `after`."
    )


@strawberry.type(description="One item of a list page and its cursor.")
class Edge(Generic[T]):
    node: T = strawberry.field(description="The item.")
    cursor: str = strawberry.field(
        description="Pass it as `after` to get the items after this one."
    )


@strawberry.type(description="A page of a list (Relay connection): at most 100 items a page.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items of this page, with cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page is in the list.")
    total_count: int = strawberry.field(description="How many items the whole list holds.")


def connection(items: list[T], first: int | None, after: str | None) -> Connection[T]:
    start, stop = page(first, after, len(items))
    edges = [Edge(node=items[i], cursor=encode("o", str(i))) for i in range(start, stop)]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=stop < len(items),
            has_previous_page=start > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=len(items),
    )


FirstArg = Annotated[
    int | None,
    strawberry.argument(description=f"Page size, 0..{MAX_PAGE} (default {DEFAULT_PAGE})."),
]
AfterArg = Annotated[
    str | None, strawberry.argument(description="Cursor after which the page starts.")
]
FromArg = Annotated[
    date, strawberry.argument(name="from", description="First day of the window (inclusive, UTC).")
]
ToArg = Annotated[
    date, strawberry.argument(name="to", description="Day after the window's last day (exclusive).")
]
