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


SPEC = {  # written out here, not read from params/industries.yaml
    "other": "其他",
    "industries": [
        {"name": "现代制造业", "texts": ["现代制造业"], "codes": ["C36", "C34"], "service": False},
        {"name": "海洋工业", "texts": ["海洋工业"], "codes": ["C373", "C1361"], "service": False},
        {"name": "新兴产业", "texts": ["新兴产业"], "codes": ["C39", "3731"], "service": False},
        {"name": "健康养生", "texts": ["健康养生"], "codes": [], "service": True},
    ],
}


def test_a_firm_is_placed_by_its_text_then_by_the_longest_code_prefix_else_other():
    stated = pd.Series(
        ["现代制造业", "C3670", "3732", "C3731", " 海洋工业 ", "C2211", "", "健康养生"]
    )
    placed = industries.classify(stated, SPEC).tolist()
    assert placed == [
        "现代制造业",  # the bureau's own grouping
        "现代制造业",  # 汽车零部件: C36
        "海洋工业",  # 船舶: C373, section letter left out
        "新兴产业",  # the longer prefix 3731 wins over C373
        "海洋工业",  # spaces ignored
        "其他",  # 造纸 is none of them
        "其他",
        "健康养生",
    ]


def test_firms_outside_the_seven_leave_the_leading_industries_totals():
    from analysis.measures import plans

    firms = _firms().assign(industry=["海洋工业"] * 5 + ["C2211", "C3911"])
    placed = industries.leading(firms, SPEC)
    assert placed["leading"].tolist() == [True] * 5 + [False, True]
    assert plans._leading(placed)["revenue_ytd"].sum() == 600.0  # the paper mill left out
    note = industries.coverage_note(placed, SPEC)
    assert "6 家企业归入七大产业，1 家不属于七大产业，计为“其他”" in note
    assert "健康养生属服务业，规模以上工业统计不覆盖" in note


def test_the_bundled_mapping_places_every_sample_firm_by_its_text():
    from analysis import params
    from analysis.sample.city import LEADING_INDUSTRIES

    spec = params.industries()
    assert [i["name"] for i in spec["industries"]] == list(LEADING_INDUSTRIES)
    placed = industries.classify(pd.Series(LEADING_INDUSTRIES), spec)
    assert placed.tolist() == list(LEADING_INDUSTRIES)
    assert industries.services(spec) == ["休闲旅游度假", "健康养生"]


def test_sentence_names_no_fall_when_every_share_rose_or_held():
    structure = pd.DataFrame(
        {
            "industry": ["海洋工业", "新兴产业"],
            "revenue_share": [0.6, 0.4],
            "revenue_share_change": [0.6, 0.0],  # one rose, none fell
        }
    )
    text = narrative.industries_sentence(structure, 1e9, Period(2026, 9))
    assert "海洋工业占比提高最多（+0.6个百分点）" in text and "下降最多" not in text
    still = structure.assign(revenue_share_change=[0.0, -0.04])
    text = narrative.industries_sentence(still, 1e9, Period(2026, 9))
    assert "各产业占比基本未变" in text and "-0.0" not in text
