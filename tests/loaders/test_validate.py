"""The vectorised fast path agrees with convert_cell, the one definition of every rule."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.reader import LINE, RawBatch
from loaders.validate import CellError, convert_batch, convert_cell
from store.contract import Column, Entity, Kind

DIGITS = st.text("0123456789", min_size=1, max_size=3)
TIMESTAMPS = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac, zone: f"{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{zone}",
    st.sampled_from(["2024", "1999", "0001", "9999", "24"]),
    st.sampled_from(["01", "02", "12", "13", "1"]),
    st.sampled_from(["01", "29", "30", "31", "00"]),
    st.sampled_from(["T", " ", "t", "_"]),
    st.sampled_from(["00", "09", "23", "24"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["00", "59", "60", "5"]),
    st.sampled_from(["", ".1", ".123456", ".1234567", "."]),
    st.sampled_from(["Z", "z", "+00:00", "-05:30", "+0530", "+05", "+24:00", "", "+23:59"]),
)
CELLS = {
    Kind.TIMESTAMP: TIMESTAMPS | st.text(max_size=12),
    Kind.DATE: st.builds(lambda y, m, d: f"{y}-{m}-{d}", DIGITS, DIGITS, DIGITS)
    | st.text(max_size=10),
    Kind.COUNT: st.one_of(
        DIGITS, st.from_regex(r"[-+ ]?\d{1,20} ?", fullmatch=True), st.text(max_size=5)
    ),
    Kind.CHOICE: st.sampled_from(["success", "failed", "Success", "", "x"]),
}


def _cell_result(column: Column, cell: str) -> object:
    try:
        return convert_cell(column, cell)
    except CellError:
        return "rejected"


@settings(max_examples=500, deadline=None)
@given(kind=st.sampled_from(list(CELLS)), data=st.data())
def test_fast_path_equals_cell_by_cell(kind: Kind, data: st.DataObject) -> None:
    cells = data.draw(st.lists(CELLS[kind], min_size=1, max_size=20))
    column = Column("v", kind, choices=frozenset({"success", "failed"}))
    entity = Entity("x", (column,), key=("v",))
    frame = pl.DataFrame(
        {"v": pl.Series([c or None for c in cells], dtype=pl.String)}
    ).with_columns(pl.Series(LINE, range(2, len(cells) + 2), dtype=pl.Int64))
    typed = convert_batch(entity, RawBatch(frame), "x.csv")
    got: dict[int, object] = dict.fromkeys(range(2, len(cells) + 2), "rejected")
    got.update({line: value for value, line in typed.frame.select("v", LINE).iter_rows()})
    expected = {}
    for line, cell in enumerate(cells, start=2):
        result = _cell_result(column, cell)
        if isinstance(result, datetime):
            result = result.astimezone(UTC)
        expected[line] = result
    assert got == expected
