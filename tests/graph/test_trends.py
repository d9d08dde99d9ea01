"""Trend periods tile the window, and additive counts over them add up to the window's."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from graph.trends import Grain, periods
from tests.graph.oracles import trend

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1))


@given(
    start=DAYS, length=st.integers(min_value=0, max_value=800), grain=st.sampled_from(list(Grain))
)
def test_periods_tile_the_window(start: date, length: int, grain: Grain) -> None:
    end = start + timedelta(days=length)
    spans = list(periods(start, end, grain))
    assert sum((b - a).days for a, b in spans) == length
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] == spans[i + 1][0] for i in range(len(spans) - 1))
    if spans:
        assert spans[0][0] == start
        assert spans[-1][1] == end
        inner = spans[1:-1] if grain is Grain.MONTH else spans[:-1]
        if grain is Grain.MONTH:
            assert all(a.day == 1 for a, _ in spans[1:])
        else:
            assert all((b - a).days == 7 for a, b in inner)


def test_an_additive_kpi_over_the_periods_adds_up_to_the_window() -> None:
    events = [date(2025, 1, 1) + timedelta(days=3 * i) for i in range(100)]

    def count(team: str, start: date, end: date) -> int:
        return sum(start <= day < end for day in events)

    window = (date(2025, 1, 10), date(2025, 9, 3))
    for grain in Grain:
        points = trend(count, "t", *window, grain)
        assert sum(value for _, _, value in points) == count("t", *window)
