import math

import numpy as np
import pandas as pd
import pytest

from analysis.periods import Quarter, growth, period_from_text, project_full_year, quarter_values


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


def test_quarter_parsing_and_schedule():
    q = Quarter.parse("2026Q3")
    assert (q.year, q.quarter, q.month, q.elapsed) == (2026, 3, 9, 0.75)
    assert str(q) == "2026Q3" and q.label == "2026年1-9月"
    with pytest.raises(ValueError):
        Quarter.parse("2026-9")


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
    result = project_full_year(panel, Quarter(2026, 3), "revenue").set_index("credit_code")
    assert result.loc["A", "revenue_projected"] == pytest.approx(1100.0)
    assert result.loc["A", "revenue_method"] == "seasonal"
    assert result.loc["B", "revenue_projected"] == pytest.approx(400.0)
    assert result.loc["B", "revenue_method"] == "linear"
    # last year's share 10% is far outside [0.5, 1.5] × 75%: linear, not ×10
    assert result.loc["C", "revenue_projected"] == pytest.approx(160.0)


def test_projection_at_year_end_is_the_actual_figure():
    panel = _panel([("A", 2025, 12, 900.0), ("A", 2026, 12, 1000.0)])
    result = project_full_year(panel, Quarter(2026, 4), "revenue")
    assert result["revenue_projected"].tolist() == [1000.0]
    assert result["revenue_method"].tolist() == ["actual"]
