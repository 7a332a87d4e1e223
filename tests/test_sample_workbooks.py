"""The sample city's statistics and tax workbooks: the bureaus' layouts (title, unit line,
merged two-row header, 合计, numbers stored as text, notes, sign-off), streamed row by row,
and the same bytes for the same seed."""

import signal
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from analysis.intake.names import BRANDS, CITY, INDUSTRY_WORDS, TOWNS
from analysis.sample import city as sample

SEED = 13


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    truth = sample.generate_city(firms=40, seed=SEED, year=2026, month=3)
    root = tmp_path_factory.mktemp("city")
    sample.write_city(truth, root)
    period = truth[(truth["year"] == 2026) & (truth["month"] == 3)]
    return period, root


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_same_seed_writes_the_same_bytes_side_by_side_or_one_at_a_time(city, tmp_path):
    _, root = city
    truth = sample.generate_city(firms=40, seed=SEED, year=2026, month=3)
    sample.write_city(truth, tmp_path, workers=1)
    first, again = _files(root), _files(tmp_path)
    assert len(first) > 20 and first.keys() == again.keys()
    assert [name for name in first if first[name] != again[name]] == []


def test_statistics_workbook_in_the_bureaus_layout(city):
    truth, root = city
    ws = openpyxl.load_workbook(root / "统计局" / "2026年1-3月规模以上工业企业主要经济指标.xlsx")[
        "规上工业"
    ]
    assert ws["A1"].value == "2026年1-3月全市规模以上工业企业主要经济指标" and ws["A1"].font.b
    assert ws["A2"].value == "填报单位：海阳市统计局" and ws["J2"].value == "单位：万元"
    assert {str(r) for r in ws.merged_cells.ranges} == {
        "A1:L1",
        "A2:H2",
        "J2:L2",
        "A3:A4",
        "B3:B4",
        "C3:C4",
        "D3:D4",
        "E3:F3",
        "G3:H3",
        "I3:J3",
        "K3:L3",
    }
    assert [ws.cell(3, c).value for c in (1, 2, 3, 4, 5, 7, 9, 11)] == [
        "序号",
        "统一社会信用代码",
        "企业名称",
        "所属行业",
        "营业收入",
        "利润总额",
        "研发费用",
        "从业人员（人）",
    ]
    assert [ws.cell(4, c).value for c in range(5, 13)] == ["本年累计", "上年同期"] * 3 + [
        "期末人数",
        "上年同期",
    ]
    assert ws["A3"].font.b and ws["F4"].font.b
    assert ws.freeze_panes == "A5"
    assert ws["C5"].value == "合计"
    assert ws["E5"].value == pytest.approx(truth["revenue"].sum() / 1e4)
    assert ws["K5"].value == truth["employees"].sum()

    rows = list(ws.iter_rows(min_row=6, values_only=True))
    firms = [r for r in rows if isinstance(r[0], int)]
    assert [r[0] for r in firms] == list(range(1, len(truth) + 1))
    half = (len(truth) + 1) // 2
    assert all(v is None for v in rows[half])  # one blank row inside the table
    expected = truth.sort_values(["revenue", "credit_code"], ascending=[False, True])
    assert [r[1] for r in firms] == expected["credit_code"].tolist()
    for firm, (_, want) in zip(firms, expected.iterrows(), strict=True):
        revenue = firm[4]
        if firm[0] % 15 == 0:  # typed in by hand
            assert revenue == f"{want['revenue'] / 1e4:,.2f}"
        else:
            assert revenue == pytest.approx(want["revenue"] / 1e4, abs=1e-9)
        assert firm[10] == want["employees"] and firm[2] == want["name"]
    assert ws.cell(6, 2).number_format == "@" and ws.cell(6, 6).number_format == "#,##0.00"
    written = [r[0] for r in rows if r[0] is not None and not isinstance(r[0], int)]
    assert written[0].startswith("注：1.本表为快报数据")
    assert written[1].startswith("单位负责人：") and written[1].endswith("报出日期：2026年4月15日")


def test_tax_workbook_in_the_bureaus_layout(city):
    truth, root = city
    ws = openpyxl.load_workbook(root / "税务局" / "2026年1-3月工业企业入库税收.xlsx")["入库税收"]
    assert ws["A1"].value == "2026年1-3月全市工业企业入库税收情况"
    assert "A1:F1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["F2"].value == "单位：万元" and ws.freeze_panes == "A4"
    assert [c.value for c in ws[3]] == [
        "序号",
        "纳税人识别号",
        "纳税人名称",
        "入库税收本年累计",
        "入库税收上年同期",
        "同比增减（%）",
    ]
    expected = truth.sort_values(["tax", "credit_code"], ascending=[False, True])
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    firms, total, note = rows[: len(truth)], rows[len(truth)], rows[len(truth) + 1]
    assert [r[1] for r in firms] == expected["credit_code"].tolist()
    assert [r[3] for r in firms] == pytest.approx((expected["tax"] / 1e4).tolist())
    assert total[2] == "合计" and total[3] == pytest.approx(truth["tax"].sum() / 1e4)
    assert note[0] == "注：数据来源于税收征管系统。" and len(rows) == len(truth) + 2


def test_credit_codes_carry_both_check_characters():
    # The worked example of GB 32100 in DOMAIN.md: organization code M000100Y-4, code ...3.
    assert sample.credit_codes(["M000100Y"], division="350100") == ["91350100M000100Y43"]
    with pytest.raises(ValueError, match="6-digit"):
        sample.credit_codes(["M000100Y"], division="3501")


def test_a_large_city_that_has_used_every_single_trade_name_gets_two_word_names():
    words = INDUSTRY_WORDS["健康养生"]
    prefixes = ["", CITY, CITY + "市", *TOWNS]
    suffixes = ["有限公司", "股份有限公司", "集团有限公司"]
    taken = {p + b + w + s for p in prefixes for b in BRANDS for w in words for s in suffixes}
    before = len(taken)

    def stuck(*_):
        raise TimeoutError("no free name found")

    signal.signal(signal.SIGALRM, stuck)
    signal.alarm(20)
    try:
        rng = np.random.default_rng(1)
        names = [sample._firm_name(rng, "健康养生", True, taken) for _ in range(50)]
    finally:
        signal.alarm(0)
    assert len(set(names)) == 50 and len(taken) == before + 50
    pairs = {a + b for a in BRANDS for b in BRANDS}
    assert all(any(pair in n for pair in pairs) for n in names)
