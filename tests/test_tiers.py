import pandas as pd
import pytest

from analysis import params
from analysis.intake.periods import Period
from analysis.measures.tiers import (
    band_labels,
    band_rule_text,
    cultivation_pool,
    firm_table,
    in_band,
    movers,
    tier_counts,
)

YI = 1e8
THRESHOLDS = {"bound_rule": "ge", "pool_share": 0.7, "seasonal_share_limits": [0.5, 1.5]}


def test_a_firm_exactly_at_a_threshold_counts_when_over_means_at_or_above():
    values = [YI - 100, YI, 5 * YI - 100, 5 * YI, 10 * YI]
    assert in_band(values, YI, None).tolist() == [False, True, True, True, True]
    assert in_band(values, 5 * YI, 10 * YI).tolist() == [False, False, False, True, False]


def test_strictly_over_moves_the_exact_threshold_to_the_band_below():
    values = [YI, 5 * YI, 10 * YI]
    assert in_band(values, YI, None, "gt").tolist() == [False, True, True]
    assert in_band(values, 5 * YI, 10 * YI, "gt").tolist() == [False, False, True]


def test_missing_values_never_count():
    assert not in_band([float("nan")], 0, None).any()


def test_rules_read_as_an_economist_writes_them():
    assert band_rule_text(5 * YI, 10 * YI) == "≥5亿元且<10亿元"
    assert band_rule_text(1e7, None) == "≥1000万元"


def test_band_labels_cut_at_every_bound():
    labels = band_labels([5e7, YI, 7 * YI, 12 * YI], [YI, 5 * YI, 10 * YI])
    assert labels.astype(str).tolist() == ["<1亿", "1亿-5亿", "5亿-10亿", "≥10亿"]


def _panel():
    rows = [
        # code, year, month, revenue, revenue_prev, tax, tax_prev
        ("A", 2025, 9, 0.9 * YI, None, 8e6, None),
        ("A", 2025, 12, 1.2 * YI, None, 1.1e7, None),
        ("A", 2026, 9, 1.0 * YI, 0.9 * YI, 9e6, 8e6),
        ("B", 2025, 9, 2.0 * YI, None, 2e7, None),
        ("B", 2025, 12, 2.6 * YI, None, 2.6e7, None),  # B has left the above-size list
        ("C", 2026, 9, 0.8 * YI, 0.5 * YI, 1e6, 5e5),
    ]
    panel = pd.DataFrame(
        rows, columns=["credit_code", "year", "month", "revenue", "revenue_prev", "tax", "tax_prev"]
    )
    panel["name"] = panel["credit_code"] + "公司"
    panel["industry"] = "现代制造业"
    panel["rd"] = panel["rd_prev"] = 0.0
    return panel


def test_firm_table_counts_movers_and_pool():
    tiers = params.tiers()
    firms = firm_table(_panel(), Period(2026, 9), tiers, THRESHOLDS)
    counts = tier_counts(firms, tiers, THRESHOLDS).set_index("indicator")
    assert counts.loc["sales_ge_100m", "actual"] == 1  # A at exactly 1亿
    assert counts.loc["sales_ge_100m", "projected"] == 2  # C: 0.8亿 × 12/9 ≥ 1亿
    assert counts.loc["tax_ge_10m", "actual"] == 0
    moved = movers(_panel(), Period(2026, 9), tiers, THRESHOLDS)
    ge100 = moved[moved["indicator"] == "sales_ge_100m"].set_index("credit_code")
    assert ge100.loc["A", "change"] == "进入"
    assert ge100.loc["B", "change"] == "退出" and not ge100.loc["B", "reporting_now"]
    pool = cultivation_pool(firms, tiers, THRESHOLDS)
    near_100m = pool[pool["threshold"] == "营业收入1亿元"]
    assert near_100m["credit_code"].tolist() == ["C"]
    assert near_100m["gap"].iloc[0] == pytest.approx(0.2 * YI)
    assert near_100m["crosses_by_projection"].iloc[0]
    near_tax = pool[pool["threshold"] == "税收1000万元"]
    assert near_tax["credit_code"].tolist() == ["A"]


def test_movers_compare_with_the_same_months_of_last_year_not_december():
    # D no longer reports: 0.95亿 in Jan-Sep 2025 (below 1亿), 1.3亿 for the whole of 2025.
    # Against the same months of last year D was never in the ≥1亿 tier, so it did not leave.
    # E reports without a 上年同期 figure: 1.1亿 now, 1.2亿 in Jan-Sep 2025, 0.8亿 at
    # December 2025 (a revised annual return): it stayed in the tier, it did not enter.
    rows = [
        ("D", 2025, 9, 0.95 * YI, None),
        ("D", 2025, 12, 1.3 * YI, None),
        ("E", 2025, 9, 1.2 * YI, None),
        ("E", 2025, 12, 0.8 * YI, None),
        ("E", 2026, 9, 1.1 * YI, None),
        ("F", 2025, 9, 1.5 * YI, None),
        ("F", 2025, 12, 0.5 * YI, None),
    ]
    panel = pd.DataFrame(
        rows, columns=["credit_code", "year", "month", "revenue", "revenue_prev"]
    ).assign(name=lambda p: p["credit_code"] + "公司", industry="现代制造业", tax=1e6)
    panel["tax_prev"] = None
    moved = movers(panel, Period(2026, 9), params.tiers(), THRESHOLDS)
    ge100 = moved[moved["indicator"] == "sales_ge_100m"].set_index("credit_code")
    # F was in the tier in Jan-Sep 2025 and no longer reports: it left, from 1.5亿
    assert ge100.index.tolist() == ["F"]
    assert ge100.loc["F", "change"] == "退出"
    assert ge100.loc["F", "value_last_year"] == 1.5 * YI


def test_the_cultivation_pool_starts_at_exactly_seventy_percent_of_a_threshold():
    # 7000万 is 70% of 1亿: in the pool; 6999.99万 is not. 700万 is 70% of 1000万 (tax).
    rows = [
        ("AT", 2026, 9, 70_000_000.0, None, 7_000_000.0, None),
        ("BELOW", 2026, 9, 69_999_900.0, None, 6_999_900.0, None),
    ]
    panel = pd.DataFrame(
        rows, columns=["credit_code", "year", "month", "revenue", "revenue_prev", "tax", "tax_prev"]
    ).assign(name=lambda p: p["credit_code"] + "公司", industry="现代制造业", rd=0.0, rd_prev=0.0)
    tiers = params.tiers()
    firms = firm_table(panel, Period(2026, 9), tiers, THRESHOLDS)
    pool = cultivation_pool(firms, tiers, THRESHOLDS)
    assert pool.loc[pool["threshold"] == "营业收入1亿元", "credit_code"].tolist() == ["AT"]
    assert pool.loc[pool["threshold"] == "税收1000万元", "credit_code"].tolist() == ["AT"]
    at = pool[pool["threshold"] == "营业收入1亿元"].iloc[0]
    assert at["gap"] == 30_000_000.0  # 1亿 - 7000万


def test_the_pool_lists_thresholds_by_their_bound_not_as_text():
    tiers = params.tiers()
    # One firm close to each tax threshold: 900万 (1000万), 4000万 (5000万), 9000万 (1亿),
    # and one close to 1亿 of revenue.
    firms = pd.DataFrame(
        {
            "credit_code": ["T1", "T2", "T3", "R1"],
            "name": ["甲", "乙", "丙", "丁"],
            "industry": ["现代制造业"] * 4,
            "revenue_ytd": [1e7, 1e7, 1e7, 0.9 * YI],
            "tax_ytd": [0.9e7, 4e7, 9e7, 0.0],
        }
    )
    for field in ("revenue", "tax"):
        firms[f"{field}_projected"] = firms[f"{field}_ytd"]
        firms[f"{field}_growth"] = 0.1
    pool = cultivation_pool(firms, tiers, THRESHOLDS)
    assert pool["threshold"].tolist() == [
        "营业收入1亿元",
        "税收1000万元",
        "税收5000万元",
        "税收1亿元",
    ]
