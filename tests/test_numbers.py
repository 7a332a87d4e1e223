import math

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.intake.numbers import NotANumber, parse_number, parse_numbers


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


number_texts = st.one_of(
    st.decimals(min_value=-1e9, max_value=1e9, places=2, allow_nan=False).map(
        lambda d: f"{d:,.2f}"
    ),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False).map(repr),
    st.sampled_from(["—", "--", "-", "／", "", " ", "#N/A", "abc", "１２３．４", " 7 ", None]),
    # what Arrow's own cast would take as numbers, but a bureau never means by one
    st.sampled_from(["nan", "NaN", "inf", "-Infinity", "1e5", "+3"]),
)


@given(st.lists(number_texts, max_size=30))
def test_the_column_parser_agrees_with_the_cell_parser(cells):
    values, reasons = parse_numbers(pa.array(cells, pa.string()))
    for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
        reason = reasons.get(i)
        try:
            expected = parse_number(cell)
        except NotANumber:
            assert isinstance(reason, str) and math.isnan(value)
        else:
            assert reason is None
            assert (math.isnan(expected) and math.isnan(value)) or value == pytest.approx(expected)
