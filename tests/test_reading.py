import math

import pandas as pd
import pytest

from analysis import params
from analysis.errors import InputFileError
from analysis.intake.ingest import ingest, read_source
from analysis.intake.reading import Aliases
from tests.conftest import CODE_A, STATS_MERGES, write_sheet


def test_bureau_layout_is_read_into_yuan_with_every_row_accounted(tmp_path, stats_rows):
    write_sheet(tmp_path / "统计局" / "指标.xlsx", stats_rows, STATS_MERGES)
    intake = ingest(tmp_path)
    panel = intake.panel.set_index("credit_code")
    assert panel.loc[CODE_A, "revenue"] == 10000 * 1e4
    assert panel.loc[CODE_A, "revenue_prev"] == pytest.approx(8000.5 * 1e4)
    assert panel.loc[CODE_A, ["year", "month"]].tolist() == [2026, 9]
    second = panel.loc["91371082MA3C4XKT0B"]
    assert math.isnan(second["revenue_prev"]) and math.isnan(second["rd_prev"])
    # bad check character: flagged, still counted. By hand, GB 32100 on 91371082MA3C4XKT0:
    # 9·1 + 1·3 + 3·9 + 7·27 + 1·19 + 8·16 + 2·17 + 21·20 + 10·29 + 3·25 + 12·13 + 4·8
    # + 29·24 + 19·10 + 26·30 = 3048; 3048 mod 31 = 10; 31 - 10 = 21, the letter M
    assert "应为M" in second["code_problem"]
    assert pd.isna(panel.loc[CODE_A, "code_problem"])  # the standard's own example
    files = intake.files.iloc[0]
    # total, group label, note and sign-off are recognised; the blank rows are not rows
    assert (
        files["rows_read"],
        files["rows_accepted"],
        files["rows_quarantined"],
        files["rows_totals_notes"],
    ) == (6, 2, 0, 4)


def test_bad_cells_quarantine_their_row_with_its_excel_row_number(tmp_path, stats_rows):
    stats_rows[5][4] = "1.2万"
    stats_rows[8][6] = -5
    write_sheet(tmp_path / "a.xlsx", stats_rows, STATS_MERGES)
    intake = ingest(tmp_path)
    q = intake.quarantine.sort_values("row")
    assert q["row"].tolist() == [6, 9]
    assert q["column"].tolist() == ["营业收入本年累计（E列）", "研发费用本年累计（G列）"]
    assert "不是数字：'1.2万'" in q["reason_zh"].iloc[0]
    assert q["reason_en"].iloc[1] == "negative value"
    assert intake.panel.empty or CODE_A not in set(intake.panel["credit_code"])
    files = intake.files.iloc[0]
    # counted by hand from stats_rows: rows 5-12 less the blank rows 7 and 10; 合计, the
    # group label, the note and the sign-off are recognised; both firm rows quarantined
    assert (
        files["rows_read"],
        files["rows_accepted"],
        files["rows_quarantined"],
        files["rows_totals_notes"],
    ) == (6, 0, 2, 4)


def test_a_sheet_without_a_unit_is_refused_by_name(tmp_path, stats_rows):
    stats_rows[1] = ["填报单位：海阳市统计局"]
    path = write_sheet(tmp_path / "no_unit.xlsx", stats_rows, STATS_MERGES)
    with pytest.raises(InputFileError, match="单位无法确定") as err:
        ingest(tmp_path)
    assert err.value.path == path


def test_a_sheet_without_a_period_is_refused(tmp_path, stats_rows):
    stats_rows[0] = ["全市规模以上工业企业主要经济指标"]
    write_sheet(tmp_path / "指标.xlsx", stats_rows, STATS_MERGES)
    with pytest.raises(InputFileError, match="报告期"):
        ingest(tmp_path)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"this is not a zip file")
    with pytest.raises(InputFileError, match="broken.xlsx"):
        ingest(tmp_path)


def test_unit_in_the_header_and_tax_joined_by_name(tmp_path, stats_rows):
    write_sheet(tmp_path / "stats.xlsx", stats_rows, STATS_MERGES)
    write_sheet(
        tmp_path / "tax_2026年1-9月.xlsx",
        [
            [
                "纳税人识别号",
                "纳税人名称",
                "入库税收本年累计（元）",
                "入库税收上年同期（元）",
                "同比增减（%）",
            ],
            ["", "黄海汽车配件 有限责任公司", 1_234_567, 1_000_000, 23.5],
            ["合计", None, 1_234_567, 1_000_000, None],
        ],
    )
    intake = ingest(tmp_path)
    firm = intake.panel.set_index("credit_code").loc[CODE_A]
    assert firm["tax"] == 1_234_567 and firm["sources"] == "统计+税务"
    assert intake.matches["matched_code"].tolist() == [CODE_A]


def test_conflicting_duplicates_are_quarantined_and_exact_ones_merged(tmp_path, stats_rows):
    firm_row = stats_rows[5]
    rows = stats_rows[:6] + [list(firm_row), list(firm_row[:4]) + [9999, 1, 1, 1]]
    write_sheet(tmp_path / "one.xlsx", stats_rows, STATS_MERGES)
    write_sheet(tmp_path / "two（补报）.xlsx", rows, STATS_MERGES)  # adds to one.xlsx
    intake = ingest(tmp_path)
    reasons = intake.quarantine["reason_en"].unique().tolist()
    assert reasons == ["conflicting duplicate rows for one key and period"]
    assert len(intake.quarantine) == 4  # both copies in one.xlsx, and the two in two.xlsx


def test_header_alone_is_not_a_table(tmp_path):
    path = write_sheet(tmp_path / "empty.xlsx", [["说明"], ["本文件为填报说明"]])
    with pytest.raises(InputFileError, match="表头"):
        read_source(path, Aliases(params.columns()), 5e6)


def test_a_name_two_firms_share_is_refused_as_ambiguous_and_listed(tmp_path, stats_rows):
    # two firms of the statistics whose names differ only in the legal suffix and spaces
    stats_rows[8][2] = "黄海汽车配件 有限责任公司"
    write_sheet(tmp_path / "stats.xlsx", stats_rows, STATS_MERGES)
    write_sheet(
        tmp_path / "tax_2026年1-9月.xlsx",
        [
            ["纳税人识别号", "纳税人名称", "入库税收本年累计（元）", "入库税收上年同期（元）"],
            ["", "黄海汽车配件有限公司", 1_234_567, 1_000_000],  # row 2: which of the two?
        ],
    )
    intake = ingest(tmp_path)
    assert intake.matches.empty
    lost = intake.unmatched
    assert len(lost) == 1
    assert (lost["kind"].iloc[0], lost["row"].iloc[0], lost["candidates"].iloc[0]) == ("tax", 2, 2)
    assert lost["name"].iloc[0] == "黄海汽车配件有限公司"
    panel = intake.panel.set_index("credit_code")
    for code in (CODE_A, "91371082MA3C4XKT0B"):
        assert math.isnan(panel.loc[code, "tax"]), code  # joined to neither firm
        assert panel.loc[code, "sources"] == "仅统计"


@pytest.mark.parametrize("block", [64, 1 << 22])
def test_the_sheet_xml_is_searched_whole_however_it_is_cut_into_blocks(monkeypatch, block):
    """Hidden rows, merged ranges and formulas without values are found the same when the
    XML arrives in blocks that cut through cells (64 bytes) as when it arrives at once."""
    from analysis.intake import sheetxml
    from tests.test_corpus import CORPUS

    monkeypatch.setattr(sheetxml, "BLOCK", block)

    def scan(path, sheet="规上工业"):
        return sheetxml.scan_sheet(path, sheetxml.sheet_parts(path)[sheet].member)

    merged = scan(CORPUS / "merged" / "合并单元格.xlsx")
    assert merged.merged == [(3, 2, 5, 2), (6, 3, 7, 3), (9, 0, 9, 4)]  # C4:C6 D7:D8 A10:E10
    assert scan(CORPUS / "hidden" / "2026年1-9月隐藏行（补报）.xlsx").hidden_rows == [3, 5]  # 4, 6
    unsaved = scan(CORPUS / "broken" / "unsaved_formulas" / "2026年1-9月程序生成.xlsx")
    # C4 D4 (total), D5 E5, C6 E6: every formula openpyxl wrote, none with a value
    assert unsaved.unsaved == [(3, 2), (3, 3), (4, 3), (4, 4), (5, 2), (5, 4)]
    saved = scan(CORPUS / "good" / "统计局" / "主要指标.xlsx")  # LibreOffice saved values
    assert saved.unsaved == [] and saved.hidden_rows == []


def test_a_table_that_starts_in_column_b_names_its_columns_by_their_own_letters(tmp_path):
    rows = [[None, *r] for r in ([["2026年1-9月企业营业收入"], ["单位：万元"]])]
    rows += [
        [None, "统一社会信用代码", "企业名称", "营业收入本年累计"],
        [None, CODE_A, "黄海汽车配件有限公司", "1.2万"],
    ]
    write_sheet(tmp_path / "b.xlsx", rows)
    entry = ingest(tmp_path).quarantine.iloc[0]
    assert (entry["row"], entry["column"], entry["credit_code"]) == (
        4,
        "营业收入本年累计（D列）",
        CODE_A,
    )
