"""The reader on workbooks saved by LibreOffice (see corpus/make_corpus.py), against
figures written out by hand from the values the corpus was drafted with."""

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.config import PARAMS_DIR
from analysis.errors import InputFileError
from analysis.intake.ingest import as_text, ingest
from analysis.run.runner import RunPaths, run
from tests.conftest import without_libreoffice

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


def test_the_cache_is_read_and_follows_a_moved_file(tmp_path, monkeypatch):
    """A second run parses no file, reads no file's head and starts no reading process
    (the parser, the head reader and the readers' pool are made to fail: every table and
    head must come from the cache) and gives the same tables; a workbook moved to another
    folder keeps its entry, and every table names it where it now is."""
    import analysis.intake.ingest as intake_module

    raw, cache_dir = tmp_path / "raw", tmp_path / "cache"
    shutil.copytree(CORPUS / "good", raw)
    first = ingest(raw, cache_dir=cache_dir)
    entries = sorted(p.name for p in cache_dir.iterdir() if p.is_dir())
    assert len(entries) == 4 and len(list(cache_dir.glob("heads-*.json"))) == 1
    old, new = raw / "统计局" / STATS, raw / "归档" / "统计局" / STATS
    new.parent.mkdir(parents=True)
    shutil.move(old, new)

    def parse(path, *args):
        raise AssertionError(f"{path} parsed again: the cache was not read")

    def head(path, *args):
        raise AssertionError(f"{path}'s head read again: the heads were not remembered")

    def pool(workers):
        raise AssertionError(f"{workers} reading processes started for cached files")

    monkeypatch.setattr(intake_module, "read_source", parse)
    monkeypatch.setattr(intake_module.selection, "heads", head)
    monkeypatch.setattr(intake_module, "reader_pool", pool)
    second = ingest(raw, cache_dir=cache_dir)
    assert sorted(p.name for p in cache_dir.iterdir() if p.is_dir()) == entries

    def moved(frame, column):  # compared as written: the file labels as text
        frame = as_text(frame)
        return frame.assign(**{column: frame[column].replace(str(old), str(new))})

    pd.testing.assert_frame_equal(moved(first.panel, "source_file"), as_text(second.panel))
    pd.testing.assert_frame_equal(moved(first.quarantine, "file"), second.quarantine)
    assert str(new) in set(second.files["file"]) and str(old) not in set(second.files["file"])
    assert set(second.quarantine["file"]) >= {str(new)}
    assert set(second.sheets["file"]) >= {str(new)} and str(old) not in set(second.sheets["file"])


def test_a_damaged_cache_entry_is_parsed_again_and_replaced(tmp_path):
    raw, cache_dir = tmp_path / "raw", tmp_path / "cache"
    shutil.copytree(CORPUS / "good", raw)
    first = ingest(raw, cache_dir=cache_dir)
    entries = sorted(p for p in cache_dir.iterdir() if p.is_dir())
    (entries[0] / "records.arrow").write_bytes(b"torn")
    again = ingest(raw, cache_dir=cache_dir)
    for name in set(first.table_names()) - {"reading"}:  # how each file was had differs
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    assert list(again.reading["action"]).count("解析") == 1  # that file alone, parsed
    assert sorted(p for p in cache_dir.iterdir() if p.is_dir()) == entries
    assert (entries[0] / "records.arrow").read_bytes() != b"torn"


def test_entries_another_reading_code_wrote_are_removed_and_ours_kept(tmp_path, monkeypatch):
    """A change of the reading code (or of columns.yaml) gives every entry a new key: the
    run parses the files again and removes the entries and heads the other code wrote, which
    no run of this code can read; a file of another name is left alone."""
    from analysis.intake import cache

    raw, cache_dir = tmp_path / "raw", tmp_path / "cache"
    shutil.copytree(CORPUS / "good", raw)
    monkeypatch.setattr(cache, "reader_fingerprint", lambda spec: "0" * 16)  # an older code
    ingest(raw, cache_dir=cache_dir)
    older = sorted(p.name for p in cache_dir.iterdir())
    assert sum(name.endswith("-" + "0" * 16) for name in older) == 4
    (cache_dir / "notes.txt").write_text("kept", encoding="utf-8")
    monkeypatch.undo()
    again = ingest(raw, cache_dir=cache_dir)
    assert set(again.reading["action"]) == {"解析"}  # nothing of the older code was read
    now = sorted(p.name for p in cache_dir.iterdir())
    assert not set(older) & set(now) - {"raw-stamps.json"}
    assert "notes.txt" in now and len([n for n in now if (cache_dir / n).is_dir()]) == 4
    assert len(list(cache_dir.glob("heads-*.json"))) == 1


def test_a_refused_file_leaves_the_cache_untouched_too(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(CORPUS / "good", raw)
    shutil.copy(CORPUS / "broken" / "truncated" / "2026年1-9月截断.xlsx", raw)
    with pytest.raises(InputFileError, match="截断"):
        ingest(raw, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["raw"]  # no staged entries left


@pytest.mark.parametrize("folder", ["good", "versions/revision"])
def test_files_read_in_two_processes_give_the_tables_of_one_reading_in_turn(folder, monkeypatch):
    """Workers finish in any order; the tables do not depend on it (the largest file is
    handed out first, the results are taken in file order)."""
    import analysis.intake.ingest as intake_module

    monkeypatch.setattr(intake_module, "_readers", lambda paths, alongside: 0)  # in this process
    alone = ingest(CORPUS / folder)
    monkeypatch.setattr(intake_module, "_readers", lambda paths, alongside: 2)
    together = ingest(CORPUS / folder)
    assert len(alone.files) > 1
    for name in alone.table_names():
        pd.testing.assert_frame_equal(getattr(alone, name), getattr(together, name))


def test_a_folder_never_seen_before_gets_a_whole_report(tmp_path):
    """No sources besides statistics and tax, no last year: every notebook still renders,
    and the tiers count the corpus firms by the figures written out above."""
    paths = RunPaths(raw=CORPUS / "good", out=tmp_path / "out", processed=tmp_path / "p")
    with without_libreoffice():
        report = run("2026Q3", paths)
    card = pd.read_csv(report / "scorecard.csv", encoding="utf-8-sig").set_index("indicator")
    # ≥1亿: A (1.20005亿), C (1.00005亿), 金牌饲料 (2.35亿); 中机模具 (0.99亿) is below
    assert card.loc["sales_ge_100m", "actual"] == 3
    assert card.loc["tax_ge_10m", "actual"] == 1  # A: 12,345,678 yuan
    assert card.loc["upgrade_investment", "status"] == "无数据"
    assert "本期无相关数据" in (report / "05_projects.html").read_text(encoding="utf-8")


# --- Every rejected or doubtful value traced to a firm (issue 9) ---


def test_quarantine_names_the_firm_of_each_rejected_row_as_the_file_gives_it(good):
    got = {
        (Path(e.file).name, e.row): (e.credit_code, e.name) for e in good.quarantine.itertuples()
    }
    assert got == {
        (STATS, 11): ("913710821234567894", "坏值示例有限公司"),
        (STATS, 12): ("91371082MA3C4XKT1Q", "文本示例有限公司"),
        (STATS, 13): ("91371082MA3C4XKT2U", "负数示例有限公司"),
        ("补报.xlsx", 6): ("91371082MA3C4XKT42", "韩孚生化有限公司"),
        ("补报.xlsx", 7): ("91371082MA3C4XKT42", "韩孚生化有限公司"),
    }


def test_an_industry_merged_over_its_firms_applies_to_each_and_a_merged_figure_to_none():
    intake = ingest(CORPUS / "merged")
    industries = intake.panel.set_index("credit_code")["industry"].to_dict()
    assert industries == {A: "现代制造业", B: "现代制造业", "913710821234567894": "现代制造业"}
    q = intake.quarantine
    assert q[["row", "credit_code", "name", "column", "value"]].values.tolist() == [
        [7, "91371082MA3C4XKT55", "金牌饲料有限公司", "营业收入本年累计（D列）", "23456.7"],
        [8, "91371082MA3C4XKT68", "中机模具有限公司", "营业收入本年累计（D列）", "23456.7"],
    ]
    assert set(q["reason_zh"]) == {"数值单元格跨行合并（D7:D8），不是某一家企业的数"}
    files = intake.files.iloc[0]
    # rows 4-8 and the note merged across row 10: 3 accepted, 2 quarantined, 1 note
    assert (files["rows_read"], files["rows_accepted"], files["rows_quarantined"]) == (6, 3, 2)
    assert files["rows_totals_notes"] == 1


def test_two_columns_for_one_field_are_settled_by_the_alias_order_not_the_column_order():
    intake = ingest(CORPUS / "ambiguous")
    a = _firm(intake, A)
    assert a["revenue"] == 120_005_000  # 营业收入 (G) 12000.5万, not 主营业务收入 (F) 11000万
    assert a["industry"] == "现代制造业"  # 所属产业 (E), not 行业代码 (D) C3670
    assert _firm(intake, B)["revenue"] == 23_456_000
    entry = _quarantined(intake, "2026年1-9月两列同名.xlsx", 6)
    assert (entry["column"], entry["value"]) == ("营业收入（G列）", "1.2万")  # column A empty
    assert intake.sheets["column_choices"].tolist() == [
        "所属产业：取「所属产业」（E列），不取「行业代码」（D列）（columns.yaml 中排序在前）；"
        "营业收入：取「营业收入」（G列），不取「主营业务收入」（F列）（columns.yaml 中排序在前）"
    ]


def test_two_columns_of_the_same_rank_are_refused_with_both_headers_named():
    with pytest.raises(InputFileError) as err:
        ingest(CORPUS / "broken" / "tie")
    assert err.value.problem.startswith(
        "工作表「规上工业」有 2 列都可作为「营业收入」且别名排序相同："
        "「营业收入」（C列）与「营业收入(调整后)」（D列）；"
    )


def test_a_hidden_sheet_is_listed_not_read_and_hidden_rows_are_read_and_counted():
    intake = ingest(CORPUS / "hidden")
    assert intake.panel.set_index("credit_code")["revenue"].to_dict() == {
        "91371082MA3C4XKT68": 98_765_000,  # the visible sheet beside the hidden one
        A: 120_005_000,  # row 4, hidden
        B: 23_456_000,
        "913710821234567894": 50_000_000,  # row 6, hidden
        "91371082MA3C4XKT55": 234_567_000,
    }
    sheets = intake.sheets.assign(file=intake.sheets["file"].map(lambda p: Path(p).name))
    assert sheets[["file", "sheet", "status", "rows_hidden"]].values.tolist() == [
        ["2026年1-9月隐藏工作表.xlsx", "旧表", "隐藏，未读取", 0],
        ["2026年1-9月隐藏工作表.xlsx", "规上工业", "已读取", 0],
        ["2026年1-9月隐藏行（补报）.xlsx", "规上工业", "已读取", 2],
    ]
    assert intake.quarantine.empty


def test_formulas_without_saved_values_refuse_the_file_naming_the_cells_and_the_fix():
    with pytest.raises(InputFileError) as err:
        ingest(CORPUS / "broken" / "unsaved_formulas")
    # D5 and C6 feed figures; the total row (C4, D4) and the 同比 column (E) do not
    assert err.value.problem.startswith(
        "工作表「规上工业」有 2 个公式单元格没有保存计算结果（D5、C6），不能当作空值读取："
        "请用 Excel 或 WPS 打开并保存后再导入"
    )
    assert err.value.path.name == "2026年1-9月程序生成.xlsx"


def test_every_file_without_a_header_is_named_with_what_was_seen_and_what_is_missing():
    folder = CORPUS / "broken" / "unknown_headers"
    with pytest.raises(InputFileError) as err:
        ingest(folder)
    message = str(err.value)
    assert err.value.path == folder
    assert message.count("工作表「规上工业」") == 2
    assert (
        f"{folder / '2026年1-9月经信局重点企业.xlsx'}：工作表「规上工业」第2行的列名为："
        "序号、统一社会信用代码、企业名称、营收(万元)；缺少「营业收入」列（企业主要经济指标表需要）"
    ) in message
    assert (
        f"{folder / '2026年1-9月税收.xlsx'}：工作表「规上工业」第1行的列名为："
        "纳税编号、户名、税额；其中没有一个是已知的列名"
    ) in message
    assert "params/columns.yaml" in message


def test_a_unit_stated_nowhere_can_be_given_per_source_in_params(tmp_path):
    spec = yaml.safe_load((PARAMS_DIR / "columns.yaml").read_text(encoding="utf-8"))
    for name in ("targets.yaml", "thresholds.yaml", "industries.yaml", "lists.yaml"):
        shutil.copy(PARAMS_DIR / name, tmp_path)
    spec["units_by_source"] = [{"files": "no_unit/无单位.xlsx", "unit": "万元"}]
    (tmp_path / "columns.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    intake = ingest(CORPUS / "broken" / "no_unit", params_dir=tmp_path)
    assert _firm(intake, A)["revenue"] == 120_005_000  # 12000.5 万元
    assert _firm(intake, B)["revenue"] == 23_456_000
    spec["units_by_source"] = [{"files": "other/*.xlsx", "unit": "万元"}]
    (tmp_path / "columns.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    with pytest.raises(InputFileError, match="units_by_source"):
        ingest(CORPUS / "broken" / "no_unit", params_dir=tmp_path)


def test_the_data_quality_page_lists_column_choices_hidden_sheets_and_hidden_rows():
    from analysis.intake import quality

    hidden = quality.hidden_parts(ingest(CORPUS / "hidden"))
    assert hidden.values.tolist() == [
        ["2026年1-9月隐藏工作表.xlsx", "旧表", 0],
        ["2026年1-9月隐藏行（补报）.xlsx", "", 2],
    ]
    choices = quality.column_choices(ingest(CORPUS / "ambiguous"))
    assert choices[["file", "sheet"]].values.tolist() == [["2026年1-9月两列同名.xlsx", "规上工业"]]
    assert quality.column_choices(ingest(CORPUS / "merged")).empty


def test_a_monthly_table_reads_the_cumulative_column_not_the_months_own():
    intake = ingest(CORPUS / "monthly")
    assert (_firm(intake, A)["year"], _firm(intake, A)["month"]) == (2026, 10)
    assert _firm(intake, A)["revenue"] == 120_005_000  # 1-10月累计 12000.5万, not 本月 1300万
    assert _firm(intake, A)["revenue_prev"] == 100_000_000
    assert _firm(intake, B)["revenue"] == 23_456_000
    assert intake.quarantine.empty


READERS_THEN_WAIT = """
import os, sys, time
from analysis.intake.ingest import reader_pool
pool = reader_pool(2)
pids = {pool.submit(os.getpid).result() for _ in range(20)}
print(" ".join(map(str, pids)), flush=True)
time.sleep(60)
"""


def test_reading_processes_end_when_their_run_is_killed():
    """A scheduler that kills a run mid-intake leaves no reader waiting for work."""
    import os
    import signal
    import subprocess
    import sys
    import time

    with subprocess.Popen(
        [sys.executable, "-c", READERS_THEN_WAIT], stdout=subprocess.PIPE, text=True
    ) as run_:
        readers = [int(pid) for pid in run_.stdout.readline().split()]
        assert readers and all(_alive(pid) for pid in readers)
        os.kill(run_.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in readers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in readers)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
