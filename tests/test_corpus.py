"""The reader on workbooks saved by LibreOffice (see corpus/make_corpus.py), against
figures written out by hand from the values the corpus was drafted with."""

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import InputFileError
from analysis.ingest import ingest
from analysis.runner import RunPaths, run

CORPUS = Path(__file__).parent / "corpus"
A, B, C = "91350100M000100Y43", "91371082MA3C4XKT0M", "91371082MA3C4XKT0B"
STATS = "主要指标.xlsx"


@pytest.fixture(scope="module")
def good():
    return ingest(CORPUS / "good")


def _firm(intake, code):
    return intake.panel.set_index("credit_code").loc[code]


def test_every_sheet_balances_rows_read_against_accepted_quarantined_and_totals(good):
    files = good.files.assign(file=good.files["file"].map(lambda p: Path(p).name))
    counts = files.set_index("file")[
        ["rows_read", "rows_accepted", "rows_quarantined", "rows_totals_notes"]
    ]
    # counted by hand from make_corpus.py: (read, accepted, quarantined, totals and notes)
    assert counts.apply(tuple, axis=1).to_dict() == {
        # rows 5-17 less the blank rows 9 and 15; 合计, the group label, 其中, the note
        # and the sign-off are recognised; rows 7, 8, 10 accepted, 11, 12, 13 quarantined
        STATS: (11, 3, 3, 5),
        # rows 3-5 are firms (the unmatched one is still read and listed), row 6 合计
        "2026年1-9月入库税收.xls": (4, 3, 0, 1),
        # an exact repeat (both rows accepted, merged into one) and two rows that disagree
        "补报.xlsx": (4, 2, 2, 0),
        "营业收入（元）.xlsx": (4, 4, 0, 0),
    }
    assert "填表说明" not in set(files["sheet"])  # a sheet without a table is not counted
    assert set(files["file"]) == {
        STATS,
        "2026年1-9月入库税收.xls",
        "补报.xlsx",
        "营业收入（元）.xlsx",
    }


def test_two_row_merged_header_text_numbers_and_formulas(good):
    a = _firm(good, A)
    assert (a["year"], a["month"]) == (2026, 9)
    assert a["revenue"] == pytest.approx(120_005_000)
    assert a["revenue_prev"] == pytest.approx(100_002_500)  # "10,000.25" as text
    assert (a["rd"], a["rd_prev"]) == (3_000_000, 2_500_000)
    assert a["industry"] == "现代制造业"
    c = _firm(good, C)
    assert c["revenue"] == pytest.approx(100_005_000)  # =E7-2000, LibreOffice's cached value
    assert "应为M" in c["code_problem"]  # flagged, still counted


def test_full_width_lower_case_code_and_dashes_for_missing(good):
    b = _firm(good, B)
    assert b["name"] == "佰德信环保科技有限公司"
    assert b["revenue"] == pytest.approx(23_456_000)  # "２３４５.６"
    assert b["rd"] == pytest.approx(450_000)  # " 45 "
    assert math.isnan(b["revenue_prev"]) and math.isnan(b["rd_prev"])  # "—" and "--"
    assert pd.isna(b["code_problem"])


def _quarantined(intake, file, row):
    q = intake.quarantine
    hits = q[(q["file"].map(lambda p: Path(p).name) == file) & (q["row"] == row)]
    assert len(hits) == 1, hits
    return hits.iloc[0].to_dict()


def test_excel_error_cell_is_quarantined_with_the_cell_named(good):
    entry = _quarantined(good, STATS, 11)
    assert entry["column"] == "营业收入本年累计（E列）"
    assert entry["value"] == "#N/A"
    assert (entry["reason_zh"], entry["reason_en"]) == (
        "Excel 错误值 #N/A",
        "Excel error value #N/A",
    )


def test_text_that_is_not_a_number_is_quarantined(good):
    entry = _quarantined(good, STATS, 12)
    assert (entry["column"], entry["value"]) == ("营业收入本年累计（E列）", "1.2万")
    assert entry["reason_zh"] == "无法识别的数值（不是数字：'1.2万'）"


def test_a_negative_amount_fails_validation_and_names_its_header(good):
    entry = _quarantined(good, STATS, 13)
    assert (entry["column"], entry["value"]) == ("研发费用本年累计（G列）", "-3")
    assert (entry["reason_zh"], entry["reason_en"]) == ("数值为负", "negative value")


def test_error_in_a_column_the_suite_ignores_does_not_cost_the_row(good):
    # row 10's 同比 column holds #DIV/0!; the suite recomputes growth itself
    assert _firm(good, C)["source_row"] == 10


def test_legacy_xls_tax_joins_by_code_and_by_name_and_lists_the_unmatched(good):
    assert _firm(good, A)["tax"] == 12_345_678
    assert _firm(good, A)["tax_prev"] == 10_000_000
    assert _firm(good, B)["tax"] == pytest.approx(2_345_678.5)
    matched = good.matches.iloc[0]
    assert (matched["name"], matched["matched_code"]) == ("佰德信环保科技有限责任公司", B)
    lost = good.unmatched
    assert lost["name"].tolist() == ["外地贸易有限公司"] and lost["kind"].tolist() == ["tax"]


def test_exact_duplicates_count_once_and_conflicting_ones_are_quarantined(good):
    assert _firm(good, "913710821234567894")["revenue"] == 50_000_000
    files = good.files.set_index(good.files["file"].map(lambda p: Path(p).name))
    assert files.loc["补报.xlsx", "duplicates_merged"] == 1
    for row in (6, 7):
        entry = _quarantined(good, "补报.xlsx", row)
        assert entry["reason_en"] == "conflicting duplicate rows for one key and period"
    assert "91371082MA3C4XKT42" not in set(good.panel["credit_code"])


def test_yuan_is_inferred_only_from_unmistakable_magnitude_and_names_stay_text(good):
    assert _firm(good, "91371082MA3C4XKT55")["revenue"] == 234_567_890
    assert _firm(good, "91371082MA3C4XKT7B")["name"] == "<script>alert(1)</script>"
    assert _firm(good, "91371082MA3C4XKT8E")["name"] == (
        '=HYPERLINK("http://example.invalid","点我")'
    )


def test_gbk_csv_with_period_in_file_name_and_unit_in_header():
    intake = ingest(CORPUS / "csv")
    a = _firm(intake, A)
    assert (a["year"], a["month"]) == (2026, 9)
    assert a["revenue"] == 120_005_000 and a["revenue_prev"] == 100_002_500
    assert _firm(intake, B)["revenue"] == 23_456_000


def test_period_column_and_unit_in_yi():
    intake = ingest(CORPUS / "period_column")
    rows = intake.panel.set_index(["year", "month"])["revenue"]
    assert rows.to_dict() == {(2026, 6): 80_000_000, (2026, 9): 120_000_000}
    entry = _quarantined(intake, "分期.xlsx", 6)
    assert entry["reason_zh"] == "无法识别的数值（无法识别报告期：本年）"


@pytest.mark.parametrize(
    "folder, problem",
    [
        ("no_unit", "单位无法确定"),
        ("no_period", "无法确定报告期"),
        ("no_header", "未找到可识别的表头"),
        ("truncated", "无法作为工作簿读取"),
        ("not_a_workbook", "无法作为工作簿读取"),
        ("password", "密码保护"),
    ],
)
def test_unusable_files_are_refused_by_name(folder, problem):
    with pytest.raises(InputFileError) as err:
        ingest(CORPUS / "broken" / folder)
    assert problem in str(err.value)
    assert str(CORPUS / "broken" / folder) in str(err.value.path)


def test_a_refused_file_stops_the_run_before_the_report_folder_is_touched(tmp_path):
    previous = tmp_path / "out" / "2026Q3"
    previous.mkdir(parents=True)
    (previous / "index.html").write_text("上一期报告", encoding="utf-8")
    paths = RunPaths(
        raw=CORPUS / "broken" / "truncated", out=tmp_path / "out", processed=tmp_path / "processed"
    )
    with pytest.raises(InputFileError):
        run("2026Q3", paths)
    assert (previous / "index.html").read_text(encoding="utf-8") == "上一期报告"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026Q3"]
    assert not (tmp_path / "processed").exists()


def test_raw_files_are_never_written(tmp_path):
    before = {p: p.read_bytes() for p in (CORPUS / "good").rglob("*") if p.is_file()}
    ingest(CORPUS / "good", cache_dir=tmp_path / "cache")
    assert before == {p: p.read_bytes() for p in (CORPUS / "good").rglob("*") if p.is_file()}


def test_the_cache_returns_the_same_tables_and_follows_a_moved_file(tmp_path):
    first = ingest(CORPUS / "good", cache_dir=tmp_path / "cache")
    entries = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(entries) == 4
    second = ingest(CORPUS / "good", cache_dir=tmp_path / "cache")
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == entries
    pd.testing.assert_frame_equal(first.panel, second.panel)
    pd.testing.assert_frame_equal(first.quarantine, second.quarantine)


def test_a_refused_file_leaves_the_cache_untouched_too(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CORPUS / "good", raw)
    shutil.copy(CORPUS / "broken" / "truncated" / "2026年1-9月截断.xlsx", raw)
    with pytest.raises(InputFileError, match="截断"):
        ingest(raw, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_a_folder_never_seen_before_gets_a_whole_report(tmp_path):
    """No sources besides statistics and tax, no last year: every notebook still renders,
    and the tiers count the corpus firms by the figures written out above."""
    paths = RunPaths(raw=CORPUS / "good", out=tmp_path / "out", processed=tmp_path / "p")
    report = run("2026Q3", paths)
    card = pd.read_csv(report / "scorecard.csv", encoding="utf-8-sig").set_index("indicator")
    # ≥1亿: A (1.20005亿), C (1.00005亿), 金牌饲料 (2.35亿); 中机模具 (0.99亿) is below
    assert card.loc["sales_ge_100m", "actual"] == 3
    assert card.loc["tax_ge_10m", "actual"] == 1  # A: 12,345,678 yuan
    assert card.loc["upgrade_investment", "status"] == "无数据"
    assert "本期无相关数据" in (report / "05_projects.html").read_text(encoding="utf-8")
