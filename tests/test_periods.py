import math

import numpy as np
import pandas as pd
import pytest

from analysis.intake.periods import (
    Period,
    growth,
    period_from_text,
    project_full_year,
    quarter_values,
)
from analysis.measures.targets import expected_progress


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026年1-9月全市规模以上工业企业主要经济指标", (2026, 9)),
        ("2026年1—9月", (2026, 9)),
        ("2026年1～6月", (2026, 6)),
        ("2026年9月", (2026, 9)),
        ("2025年度工业企业入库税收", (2025, 12)),
        ("tax_2026Q3.xlsx", (2026, 9)),
        ("2026年三季度", (2026, 9)),
        ("2026年第一季度", (2026, 3)),
        ("全市工业企业名录", None),
    ],
)
def test_period_from_titles_and_file_names(text, expected):
    assert period_from_text(text) == expected


@pytest.mark.parametrize(
    "text, year, month",
    [
        ("2026-10", 2026, 10),
        ("2026-2", 2026, 2),
        ("2026/02", 2026, 2),
        ("2026M10", 2026, 10),
        ("2026m02", 2026, 2),
        ("2026年1-10月", 2026, 10),
        ("2026年1—10月", 2026, 10),
        ("2026年1～2月", 2026, 2),
        ("2026年10月", 2026, 10),
        ("2026Q3", 2026, 9),
        ("2026q1", 2026, 3),
        ("2026-Q4", 2026, 12),
        ("2026年三季度", 2026, 9),
        (" 2026-10 ", 2026, 10),
    ],
)
def test_every_spelling_of_a_period(text, year, month):
    period = Period.parse(text)
    assert (period.year, period.month) == (year, month)


@pytest.mark.parametrize("text", ["2026-13", "2026-0", "2026M13", "2026Q5", "Q3", "最新", "2026"])
def test_a_period_that_is_no_period_is_refused(text):
    with pytest.raises(ValueError):
        Period.parse(text)


@pytest.mark.parametrize(
    "year, month, folder, label, title",
    [
        (2026, 9, "2026Q3", "2026年1-9月", "2026年第3季度"),
        (2026, 12, "2026Q4", "2026年1-12月", "2026年第4季度"),
        (2026, 10, "2026-10", "2026年1-10月", "2026年10月"),
        (2026, 2, "2026-02", "2026年1-2月", "2026年2月"),
    ],
)
def test_a_quarter_end_keeps_its_quarter_folder_and_any_other_month_is_named_by_it(
    year, month, folder, label, title
):
    period = Period(year, month)
    assert (str(period), period.label, period.title) == (folder, label, title)
    assert Period.parse(folder) == period  # a folder name reads back as its period


def test_schedule_is_months_over_twelve_and_1_2_months_count_as_two():
    assert Period.parse("2026年1-10月").elapsed == pytest.approx(10 / 12)
    assert round(100 * Period.parse("2026-10").elapsed, 1) == 83.3
    assert Period.parse("2026年1-2月").elapsed == pytest.approx(2 / 12)
    assert Period.parse("2026Q3").elapsed == 0.75
    assert expected_progress("flow", Period(2026, 10)) == pytest.approx(10 / 12)
    assert expected_progress("flow", Period(2026, 2)) == pytest.approx(2 / 12)
    assert np.isnan(expected_progress("rate", Period(2026, 2)))  # a rate is not on the calendar
    schedules = [Period(2026, m).schedule for m in (2, 9, 10, 12)]
    assert schedules == ["16.7%", "75%", "83.3%", "100%"]


def test_notebook_parameters_name_a_month_or_an_earlier_reports_quarter():
    assert Period.of(2026, 10) == Period(2026, 10)
    assert Period.of(2026, 9, quarter=2) == Period(2026, 6)  # parameters.yaml of old reports
    with pytest.raises(ValueError):
        Period.of(2026, 9, quarter=5)


def test_periods_order_by_year_then_month():
    periods = [Period.parse(t) for t in ("2026-10", "2025Q4", "2026年1-2月", "2026Q3")]
    assert [str(p) for p in sorted(periods)] == ["2025Q4", "2026-02", "2026Q3", "2026-10"]


def _panel(rows):
    return pd.DataFrame(rows, columns=["credit_code", "year", "month", "revenue"])


def test_a_quarters_own_value_is_the_difference_of_cumulative_figures():
    panel = _panel(
        [
            ("A", 2026, 3, 100.0),
            ("A", 2026, 6, 250.0),
            ("A", 2026, 9, 420.0),
            ("B", 2026, 6, 80.0),
            ("B", 2026, 9, 200.0),  # B entered at mid-year
        ]
    )
    own = quarter_values(panel, "revenue")
    assert own.tolist()[:3] == [100.0, 150.0, 170.0]
    assert math.isnan(own.iloc[3])  # no Q1 figure: 1-6月 is not a quarter's value
    assert own.iloc[4] == 120.0


def test_a_months_own_value_is_the_difference_with_the_previous_period_of_the_year():
    panel = _panel(
        [
            ("A", 2025, 12, 999.0),
            ("A", 2026, 2, 60.0),  # 1-2月: the year's first table, January and February
            ("A", 2026, 3, 100.0),
            ("A", 2026, 6, 250.0),
            ("A", 2026, 9, 420.0),
            ("A", 2026, 10, 480.0),
            ("B", 2026, 2, 30.0),
            ("B", 2026, 3, 45.0),
            ("B", 2026, 10, 300.0),  # B's 1-9月 is missing: not a month's value
        ]
    )
    own = quarter_values(panel, "revenue")
    assert math.isnan(own.iloc[0])  # 1-12月 alone in its year: not a quarter's or month's
    assert own.tolist()[1:8] == [60.0, 40.0, 150.0, 170.0, 60.0, 30.0, 15.0]
    assert math.isnan(own.iloc[8])


def test_growth_needs_a_positive_base():
    rates = growth([110.0, 50.0, 10.0], [100.0, 0.0, np.nan])
    assert rates.iloc[0] == pytest.approx(0.10)
    assert rates.iloc[1:].isna().all()


def test_projection_is_seasonal_with_history_and_linear_without():
    panel = _panel(
        [
            ("A", 2025, 9, 600.0),
            ("A", 2025, 12, 1000.0),
            ("A", 2026, 9, 660.0),
            ("B", 2026, 9, 300.0),  # new firm: no history
            ("C", 2025, 9, 100.0),
            ("C", 2025, 12, 1000.0),
            ("C", 2026, 9, 120.0),  # odd share
        ]
    )
    result = project_full_year(panel, Period(2026, 9), "revenue").set_index("credit_code")
    assert result.loc["A", "revenue_projected"] == pytest.approx(1100.0)
    assert result.loc["A", "revenue_method"] == "seasonal"
    assert result.loc["B", "revenue_projected"] == pytest.approx(400.0)
    assert result.loc["B", "revenue_method"] == "linear"
    # last year's share 10% is far outside [0.5, 1.5] × 75%: linear, not ×10
    assert result.loc["C", "revenue_projected"] == pytest.approx(160.0)


def test_projection_at_year_end_is_the_actual_figure():
    panel = _panel([("A", 2025, 12, 900.0), ("A", 2026, 12, 1000.0)])
    result = project_full_year(panel, Period(2026, 12), "revenue")
    assert result["revenue_projected"].tolist() == [1000.0]
    assert result["revenue_method"].tolist() == ["actual"]


def test_jan_feb_is_projected_by_the_same_tables_prior_year_column():
    """No 1-2月 table of last year exists; the 1-2月 table's 上年同期 column gives last
    year's same point, so the firm is projected seasonally, not linearly (issue 19)."""
    panel = _panel([("A", 2025, 12, 1200.0), ("A", 2026, 2, 150.0), ("B", 2026, 2, 100.0)])
    panel["revenue_prev"] = [float("nan"), 120.0, float("nan")]  # A's 2025年1-2月: 10%
    result = project_full_year(panel, Period(2026, 2), "revenue").set_index("credit_code")
    assert result.loc["A", "revenue_method"] == "seasonal"
    assert result.loc["A", "revenue_projected"] == pytest.approx(150.0 / 0.1)
    assert result.loc["B", "revenue_method"] == "linear"  # no history at all
    assert result.loc["B", "revenue_projected"] == pytest.approx(600.0)
