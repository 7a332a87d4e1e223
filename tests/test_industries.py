import numpy as np
import pandas as pd
import pytest

from analysis.intake.periods import Period
from analysis.measures import industries
from analysis.measures.disclosure import SUPPRESSED
from analysis.report import narrative


def _firms():
    return pd.DataFrame(
        {
            "credit_code": list("ABCDEFG"),
            "industry": ["海洋工业"] * 5 + ["新兴产业"] * 2,
            "revenue_ytd": [100.0, 100.0, 100.0, 100.0, 100.0, 300.0, 100.0],
            "revenue_prev_ytd": [80.0, 80.0, 80.0, 80.0, np.nan, 200.0, 100.0],
            "tax_ytd": [5.0] * 7,
            "tax_prev_ytd": [4.0] * 7,
        }
    )


def test_structure_gives_size_same_firm_growth_and_share_change():
    table = industries.structure(_firms()).set_index("industry")
    assert table.at["海洋工业", "revenue_ytd"] == 500
    assert table.at["海洋工业", "revenue_growth"] == pytest.approx(400 / 320 - 1)  # E has no base
    assert table.at["新兴产业", "revenue_share"] == pytest.approx(400 / 900)
    assert table.at["新兴产业", "revenue_share_last_year"] == pytest.approx(300 / 620)
    change = 100 * (400 / 900 - 300 / 620)
    assert table.at["新兴产业", "revenue_share_change"] == pytest.approx(change)
    assert table["revenue_share_change"].sum() == pytest.approx(0)
    assert table.index.tolist() == ["海洋工业", "新兴产业"]  # by revenue


def test_public_structure_hides_an_industry_of_too_few_firms_and_a_complement():
    thresholds = {"disclosure_min_firms": 3, "disclosure_dominance": [2, 0.85]}
    structure = industries.structure(_firms())
    shown = industries.published(
        structure, _firms(), industries.STRUCTURE_DISCLOSURE, thresholds
    ).set_index("industry")
    assert shown.at["新兴产业", "revenue_ytd"] == SUPPRESSED  # two firms
    assert shown.at["新兴产业", "revenue_share_change"] == SUPPRESSED
    assert shown.at["海洋工业", "revenue_ytd"] == SUPPRESSED  # else total − rest gives it
    assert shown.at["海洋工业", "firms"] == 5


def test_sentence_names_the_largest_share_and_the_biggest_moves():
    structure = industries.structure(_firms())
    text = narrative.industries_sentence(structure, 1234.5e8, Period(2026, 9))
    assert text.startswith("截至2026年9月底，七大主导产业规模以上工业企业实现营业收入1,234.50亿元")
    assert "海洋工业占比最高（55.6%）" in text
    assert "海洋工业占比提高最多（+3.9个百分点）" in text
    assert "新兴产业占比下降最多（-3.9个百分点）" in text


def test_sentence_skips_suppressed_rows_but_keeps_the_city_total():
    structure = industries.structure(_firms()).astype(object)
    structure.loc[:, "revenue_share_change"] = SUPPRESSED
    text = narrative.industries_sentence(structure, 12.3e8, Period(2026, 9))
    assert text.endswith("实现营业收入12.30亿元。")


def test_sentence_without_last_years_figures_names_the_largest_share_only():
    structure = industries.structure(_firms())
    structure["revenue_share_change"] = np.nan  # a city whose workbooks carry no 上年同期
    text = narrative.industries_sentence(structure, 1234.5e8, Period(2026, 9))
    assert text.endswith("海洋工业占比最高（55.6%）。")
