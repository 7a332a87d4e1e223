import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.numbers import NotANumber, parse_number


@pytest.mark.parametrize(
    "cell, expected",
    [
        (12.5, 12.5),
        (7, 7.0),
        ("1,234.56", 1234.56),
        (" 1234 ", 1234.0),
        ("１２３．４", 123.4),
        ("-5.5", -5.5),
        ("1，000", 1000.0),
    ],
)
def test_numbers_as_bureaus_type_them(cell, expected):
    assert parse_number(cell) == pytest.approx(expected)


@pytest.mark.parametrize("cell", [None, "", "  ", "—", "--", "-", "／", "/"])
def test_not_applicable_marks_are_missing_not_zero(cell):
    assert math.isnan(parse_number(cell))


@pytest.mark.parametrize("cell", ["#N/A", "#DIV/0!", "#VALUE!", "abc", "12万", True])
def test_other_text_is_refused(cell):
    with pytest.raises(NotANumber):
        parse_number(cell)


@given(st.decimals(min_value=-1e12, max_value=1e12, places=2, allow_nan=False))
def test_thousands_separated_text_round_trips(value):
    assert parse_number(f"{value:,.2f}") == pytest.approx(float(value))
