import numpy as np
import pandas as pd
import pytest

from analysis.intake import returns
from analysis.measures import financing, innovation


def _platforms():
    return pd.DataFrame(
        {
            "credit_code": ["A", "B", "C", "D"],
            "name": ["A公司", "B公司", "C公司", "D公司"],
            "kind": ["高新技术企业", "高新技术企业", "产学研合作项目", "高新技术企业"],
            "level": ["国家级", "国家级", "市级", "国家级"],
            "title": ["A公司", "B公司", "合作", "D公司"],
            "approved_date": pd.to_datetime(["2026-03-31", "2025-12-01", "2026-01-10", None]),
        }
    )


def test_awards_count_this_years_approvals_of_the_kind():
    # B was approved last year; D has no date but is on this year's list
    assert innovation.award_count(_platforms(), "高新技术企业", 2026, 3) == 2
    assert innovation.award_count(_platforms(), "院士工作站", 2026, 3) == 0
    assert np.isnan(innovation.award_count(_platforms().iloc[:0], "高新技术企业", 2026, 3))


def test_rd_intensity_and_by_industry_use_same_firm_growth():
    firms = pd.DataFrame(
        {
            "credit_code": ["A", "B", "C"],
            "industry": ["新兴产业", "新兴产业", "海洋工业"],
            "revenue_ytd": [100.0, 300.0, 200.0],
            "rd_ytd": [4.0, 6.0, 0.0],
            "rd_prev_ytd": [2.0, np.nan, 1.0],
        }
    )
    assert innovation.rd_intensity(firms) == pytest.approx(10 / 600)
    table = innovation.rd_by_industry(firms).set_index("industry")
    assert table.at["新兴产业", "rd_growth"] == pytest.approx(4 / 2 - 1)  # B has no base
    assert table.at["新兴产业", "rd_intensity"] == pytest.approx(10 / 400)
    assert table.at["海洋工业", "firms_with_rd"] == 0


def _financing():
    return pd.DataFrame(
        {
            "credit_code": ["A", "A", "B", "C", "C", "D"],
            "name": ["甲", "甲", "乙", "丙", "丙", "丁"],
            "event": ["辅导备案", "申报", "股权融资", "股权融资", "股权融资", "过会"],
            "amount": [np.nan, np.nan, 3e7, 2e7, 1e7, np.nan],
            "event_date": pd.to_datetime(
                ["2026-02-01", "2026-08-01", "2026-05-01", "2026-06-01", "2026-10-01", "2025-11-01"]
            ),
            "note": "",
        }
    )


def test_listing_pipeline_counts_firms_once_at_their_furthest_stage_this_year():
    pipeline = financing.listing_pipeline(_financing(), 2026, 9)
    assert pipeline[["credit_code", "event", "steps"]].values.tolist() == [["A", "申报", 2]]
    assert financing.listing_firms(_financing(), 2026, 9) == 1  # D's step was last year
    assert financing.listing_pipeline(_financing(), 2026, 6)["event"].tolist() == ["辅导备案"]


def test_equity_sums_this_years_deals_to_the_period_and_lists_named_firms():
    assert financing.equity_raised(_financing(), 2026, 9) == pytest.approx(5e7)
    table = financing.equity_by_firm(_financing(), 2026, 12, ["丙", "戊"]).set_index("name")
    assert table.loc["丙", ["amount", "deals"]].tolist() == [3e7, 2]
    assert table.loc["戊", "amount"] == 0 and table.loc["戊", "tracked"]
    assert not table.loc["乙", "tracked"]


def _returns():
    return pd.DataFrame(
        {
            "department": ["经信局", "组织部", "监察局", "行政服务中心", "体育局"],
            "indicator": ["sessions", "sessions", "ratio", "ratio", "no_such_id"],
            "value": [2.0, 1.0, 40.0, 50.0, 3.0],
            "note": "",
        }
    )


def test_counts_add_up_over_departments_and_a_rate_is_the_first_owners():
    table = _returns()
    assert returns.value(table, "sessions", "level", ["组织部", "经信局"]) == 3
    assert returns.value(table, "ratio", "rate", ["行政服务中心", "监察局"]) == 50
    assert returns.value(table, "ratio", "rate", ["其他", "监察局"]) == 40
    assert np.isnan(returns.value(table, "visits", "level", ["经信局"]))


def test_returns_by_department_flag_owners_and_unknown_ids():
    indicators = pd.DataFrame(
        {
            "id": ["sessions", "ratio"],
            "plan": [9, 8],
            "name": ["培训期数", "削减比例"],
            "unit": ["期", "%"],
            "target": [np.nan, 54.0],
            "departments": [["组织部"], ["行政服务中心"]],
        }
    )
    table = returns.by_department(_returns(), indicators)
    assert table[["department", "indicator", "owner"]].values.tolist() == [
        ["监察局", "ratio", False],
        ["行政服务中心", "ratio", True],
        ["组织部", "sessions", True],
        ["经信局", "sessions", False],
    ]
    assert returns.unknown_indicators(_returns(), indicators)["indicator"].tolist() == [
        "no_such_id"
    ]
