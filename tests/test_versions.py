"""Versions of one return, renamed firms and tax rows of one taxpayer, on workbooks saved by
LibreOffice (corpus/make_corpus.py, write_versions), against figures written out by hand."""

import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis.config import PARAMS_DIR
from analysis.errors import InputFileError
from analysis.intake import quality
from analysis.intake.ingest import ingest
from analysis.intake.periods import Period
from analysis.intake.versions import Version, marker, report_date, settle
from analysis.measures.tiers import movers
from analysis.run import cli
from tests.conftest import STATS_MERGES, execute_page, write_sheet

VERSIONS = Path(__file__).parent / "corpus" / "versions"
NAME = "2026年1-9月规模以上工业企业主要经济指标"
A, B = "91350100M000100Y43", "91371082MA3C4XKT0M"
D, E = "913710821234567894", "91371082MA3C4XKT42"
F, G = "91371082MA3C4XKT55", "91371082MA3C4XKT68"
# the revised return as drafted, 万元: revenue, revenue last year
REVISED = {A: (12000, 10000), B: (10100, 9000), D: (4000, 3600), F: (2600, 2100)}


def _revenue(intake) -> dict:
    panel = intake.panel
    return {
        code: (revenue / 1e4, prev / 1e4)
        for code, revenue, prev in zip(
            panel["credit_code"], panel["revenue"], panel["revenue_prev"], strict=True
        )
    }


def _rows_as_written(path: Path) -> tuple[int, int]:
    """(rows below the header, firm rows) counted from the workbook itself: rows with any
    cell filled below the row holding 统一社会信用代码, and those with a 序号."""
    sheet = openpyxl.load_workbook(path).active
    rows = [[c for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if "统一社会信用代码" in r)
    below = [r for r in rows[header + 1 :] if r]
    return len(below), sum(isinstance(r[0], int) for r in below)


def _file_row(intake, name: str) -> pd.Series:
    files = intake.files.set_index(intake.files["file"].map(lambda p: Path(p).name))
    return files.loc[name]


def test_markers_rank_final_over_corrections_over_flash():
    assert marker("2026年1-9月…（快报）") == marker("初步数") == marker("主要指标") == (0, 0)
    assert marker("（修订）") == marker("更正") == marker("修正版") == (1, 1)
    assert marker("第二次修订") == (1, 2) and marker("第3次更正") == (1, 3)
    assert marker("（正式）") == (2, 0)


def test_report_date_is_the_latest_labelled_or_signed_date():
    lines = ["填表人：王芳  报送日期：2026年10月12日", "海阳市统计局  2026年10月15日", "2026年13月"]
    assert report_date(lines) == date(2026, 10, 15)
    assert report_date(["2026年1-9月全市规模以上工业企业主要经济指标"]) is None


def test_a_marker_decides_before_a_report_date():
    flash = Version("a", "a.xlsx", "（快报）", date(2026, 10, 30))
    revised = Version("b", "b（修订）.xlsx", "", date(2026, 10, 1))
    statuses = {v.file: (status, rule) for v, status, rule in settle([flash, revised], "x")}
    assert statuses == {"a": ("被替代", "标记：修订"), "b": ("采用", "标记：修订")}


def test_revision_replaces_the_return_and_lists_what_changed():
    intake = ingest(VERSIONS / "revision")
    assert _revenue(intake) == REVISED
    stood = intake.versions.set_index("file")["status"].to_dict()
    assert stood == {f"{NAME}.xlsx": "被替代", f"{NAME}（修订）.xlsx": "采用"}
    changes = {
        (r.key, r.change, r.field, r.old, r.new)
        for r in intake.revisions.fillna({"old": 0, "new": 0}).itertuples()
    }
    assert changes == {
        (B, "数值修改", "revenue", 98_000_000, 101_000_000),
        (D, "数值修改", "revenue_prev", 35_000_000, 36_000_000),
        (F, "修订版新增", "", 0, 0),
        (E, "修订版未列", "", 0, 0),
    }
    # E is not counted, and says so: listed as left out, not silently dropped
    left = quality.left_out(intake, 2026, 9)
    assert left[["credit_code", "reason"]].values.tolist() == [[E, "不计入：修订版未列"]]


def test_every_file_balances_with_its_superseded_rows_counted_from_the_workbook():
    intake = ingest(VERSIONS / "revision")
    for name, superseded in ((f"{NAME}.xlsx", True), (f"{NAME}（修订）.xlsx", False)):
        below, firms = _rows_as_written(VERSIONS / "revision" / name)
        row = _file_row(intake, name)
        assert row["rows_read"] == below
        assert row["rows_totals_notes"] == below - firms  # 合计 and the note
        assert row["rows_superseded"] == (firms if superseded else 0)
        assert row["rows_accepted"] == (0 if superseded else firms)
        assert row["rows_quarantined"] == 0


def test_without_markers_the_later_report_date_stands():
    intake = ingest(VERSIONS / "report_date")
    assert _revenue(intake) == REVISED
    table = intake.versions.set_index("file")
    assert table.loc[f"统计局（重发）/{NAME}.xlsx", "status"] == "采用"
    assert table.loc[f"统计局/{NAME}.xlsx", "status"] == "被替代"
    assert set(table["rule"]) == {"报送日期：2026-10-20"}


def test_a_pair_nothing_tells_apart_is_refused_with_exit_2_and_the_fix(tmp_path, capsys):
    with pytest.raises(InputFileError) as err:
        ingest(VERSIONS / "unsettled")
    message = str(err.value)
    assert f"{NAME}.xlsx" in message and "规上工业主要指标.xlsx" in message
    assert "superseded/" in message and "params/superseded.yaml" in message
    # the command line's own code, in this process (test_cli runs `analysis ingest` as a
    # process of its own for its exit status)
    argv = ["ingest", "--raw", str(VERSIONS / "unsettled")]
    assert cli.main(argv + ["--processed", str(tmp_path / "processed")]) == 2
    said = capsys.readouterr()
    assert said.out == "" and said.err.startswith("错误 / error: ")
    assert len(said.err.strip().splitlines()) == 1 and "Traceback" not in said.err
    assert f"{NAME}.xlsx" in said.err and "params/superseded.yaml" in said.err
    assert not list((tmp_path / "processed").glob("*.parquet"))  # no table written


def test_a_superseded_folder_settles_the_pair_and_is_listed(tmp_path):
    shutil.copytree(VERSIONS / "unsettled", tmp_path / "raw")
    (tmp_path / "raw" / "superseded").mkdir()
    shutil.move(tmp_path / "raw" / f"{NAME}.xlsx", tmp_path / "raw" / "superseded")
    intake = ingest(tmp_path / "raw")
    assert _revenue(intake) == REVISED
    aside = intake.versions.set_index("file").loc[f"superseded/{NAME}.xlsx"]
    assert (aside["status"], aside["rule"]) == ("未读取", "位于 superseded/ 目录，未读取")


def test_params_superseded_yaml_settles_the_pair(tmp_path):
    params = shutil.copytree(PARAMS_DIR, tmp_path / "params")
    (params / "superseded.yaml").write_text(
        yaml.safe_dump(["规上工业主要指标.xlsx"], allow_unicode=True), encoding="utf-8"
    )
    intake = ingest(VERSIONS / "unsettled", params)
    assert _revenue(intake)[B] == (9800, 9000)  # the other file stands
    assert intake.versions["file"].tolist() == ["规上工业主要指标.xlsx"]


def test_a_renamed_firm_counts_once_and_a_conflict_is_left_out_by_name():
    intake = ingest(VERSIONS / "within_file")
    assert _revenue(intake)[G] == (8000, 7000)  # rows 5 and 6: one firm
    repeats = intake.repeats.set_index(["kind", "key"])
    renamed = repeats.loc[("indicators", G)]
    assert renamed["names"] == "中机模具有限公司／山东中机精密模具有限公司"
    assert repeats.loc[("indicators", B), "rows"] == "7、8"
    q = intake.quarantine
    assert sorted(q["row"]) == [7, 8]
    left = quality.left_out(intake, 2026, 9)
    assert left[["kind", "credit_code", "reason"]].values.tolist() == [
        ["indicators", B, "不计入：数据冲突"]
    ]
    assert "第7、8行" in left["where"].iloc[0]
    assert "未计入 1 家（数据冲突 1 家）" in quality.left_out_sentence(left)


def test_a_firm_whose_only_row_was_quarantined_is_left_out_with_its_cell(tmp_path, stats_rows):
    stats_rows[8][4] = "一万二"  # row 9: 海阳海洋食品's revenue cannot be read
    write_sheet(tmp_path / "stats.xlsx", stats_rows, STATS_MERGES)
    left = quality.left_out(ingest(tmp_path), 2026, 9)
    assert left[["kind", "credit_code", "name", "reason"]].values.tolist() == [
        [
            "indicators",
            "91371082MA3C4XKT0B",
            "海阳海洋食品有限公司",
            "不计入：数值无法读取或未通过检查",
        ]
    ]
    assert left["where"].iloc[0].startswith("隔离行：stats.xlsx 第9行（营业收入本年累计")
    assert "未计入 1 家（数值无法读取或未通过检查 1 家）" in quality.left_out_sentence(left)


def test_tax_rows_of_one_taxpayer_are_summed_and_listed():
    intake = ingest(VERSIONS / "within_file")
    firm = intake.panel.set_index("credit_code").loc[A]
    assert (firm["tax"], firm["tax_prev"]) == (10_500_000, 5_000_000)  # 600+450 万, 500+—
    summed = intake.repeats.set_index(["kind", "key"]).loc[("tax", A)]
    assert summed["outcome"] == "多行税收相加" and summed["rows"] == "4、5"


def test_the_tax_rule_is_the_economists_to_change(tmp_path):
    params = shutil.copytree(PARAMS_DIR, tmp_path / "params")
    thresholds = params / "thresholds.yaml"
    text = thresholds.read_text(encoding="utf-8")
    thresholds.write_text(
        text.replace("tax_rows_of_one_taxpayer: sum", "tax_rows_of_one_taxpayer: conflict"),
        encoding="utf-8",
    )
    intake = ingest(VERSIONS / "within_file", params)
    tax_rows = intake.quarantine[intake.quarantine["file"].str.endswith("入库税收.xlsx")]
    assert sorted(tax_rows["row"]) == [4, 5]
    assert pd.isna(intake.panel.set_index("credit_code").loc[A, "tax"])


def test_a_firm_left_out_of_the_count_never_shows_as_leaving_its_tier():
    panel = pd.DataFrame(
        {
            "credit_code": [B, A],
            "name": ["佰德信环保科技有限公司", "黄海汽车配件有限公司"],
            "industry": "新兴产业",
            "year": [2025, 2026],
            "month": 9,
            "revenue": [2e8, 1.5e8],
            "revenue_prev": [None, 1.2e8],
        }
    )
    tiers = pd.DataFrame(
        [dict(id="rev_ge_100m", name="过1亿", field="revenue", lower_yuan=1e8, upper_yuan=None)]
    )
    left = pd.DataFrame(
        [dict(kind="indicators", credit_code=B, reason="不计入：数据冲突", where="隔离行：x")]
    )
    plain = movers(panel, Period(2026, 9), tiers, {"bound_rule": "ge"})
    assert plain.set_index("credit_code").loc[B, "change"] == "退出"
    marked = movers(panel, Period(2026, 9), tiers, {"bound_rule": "ge"}, left)
    row = marked.set_index("credit_code").loc[B]
    assert (row["change"], row["note"]) == ("不计入：数据冲突", "隔离行：x")


def test_the_version_tables_survive_the_processed_folder(tmp_path):
    from analysis.measures import store

    store.write_intake(ingest(VERSIONS / "revision"), tmp_path)
    intake = store.read_intake(tmp_path)
    table = quality.version_table(intake, {"indicators": "企业主要经济指标"})
    assert set(table["period"]) == {"2026年1-9月"} and set(table["kind"]) == {"企业主要经济指标"}
    changed = quality.revision_changes(intake).set_index("key")
    assert changed.loc[D, "field"] == "营业收入（上年同期）"
    assert quality.left_out(intake, 2026, 9)["credit_code"].tolist() == [E]


def _table_rows(html: str) -> list[list[str]]:
    """The cells of every table row in rendered HTML, as text."""
    cell = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.S)
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in cell.findall(row)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
    ]


def _firms_in(path: Path) -> dict[str, tuple[str, float]]:
    """Credit code → (name, revenue of the year in 万元) as the workbook holds them."""
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "统一社会信用代码" in r)
    code, name, revenue = (
        rows[header].index(h) for h in ("统一社会信用代码", "企业名称", "营业收入")
    )
    return {
        r[code]: (r[name], float(str(r[revenue]).replace(",", "")))
        for r in rows[header + 1 :]
        if isinstance(r[0], int) and r[revenue] is not None
    }


def test_the_tier_page_counts_the_revision_and_shows_no_left_out_firm_as_leaving(tmp_path):
    """A 修订 of the city's 1-9月 table, written by LibreOffice, drops a firm that was over
    1亿 last year and repeats another with figures that disagree: the tier page counts the
    revision's firms and shows both firms as not counted, never as 退出."""
    import nbformat

    from analysis.measures import store
    from analysis.sample import city as sample
    from tests.corpus.make_corpus import save_with_libreoffice

    sample.write_city(sample.generate_city(firms=40, seed=3, year=2026, month=9), tmp_path / "raw")
    folder = tmp_path / "raw" / "统计局"
    last_year = _firms_in(folder / "2025年1-9月规模以上工业企业主要经济指标.xlsx")
    book = openpyxl.load_workbook(folder / f"{NAME}.xlsx")
    sheet = book.active
    sheet["A1"] = "2026年1-9月全市规模以上工业企业主要经济指标（修订）"
    big = [c for c, (_, revenue) in last_year.items() if revenue >= 10000]
    rows = {r[1].value: r[0].row for r in sheet.iter_rows() if r[1].value in big}
    dropped, conflicting = [c for c in big if c in rows][:2]
    copy = [c.value for c in sheet[rows[conflicting]]]
    sheet.delete_rows(rows[dropped])
    sheet.append([copy[0], copy[1], copy[2], copy[3], float(str(copy[4]).replace(",", "")) + 1])
    save_with_libreoffice(book, folder / f"{NAME}（修订）.xlsx", "xlsx")

    revised = _firms_in(folder / f"{NAME}（修订）.xlsx")
    expected = sum(
        revenue >= 10000 for code, (_, revenue) in revised.items() if code != conflicting
    )
    store.write_intake(ingest(tmp_path / "raw"), tmp_path / "processed")
    out = tmp_path / "02.ipynb"
    execute_page("02_firm_tiers.ipynb", tmp_path / "processed", out)
    shown = " ".join(
        str(o.get("data", {}).get("text/html", ""))
        + str(o.get("data", {}).get("text/markdown", ""))
        for c in nbformat.read(out, as_version=4).cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    rows = _table_rows(shown)
    counted = next(r for r in rows if r[0] == "销售收入过1亿元工业企业" and len(r) == 5)
    assert int(counted[3]) == expected  # 按累计数（家）
    assert "未计入 2 家（数据冲突 1 家、修订版未列 1 家）" in shown
    for code in (dropped, conflicting):
        name = last_year[code][0]
        changes = {  # the movers table, revenue tiers (its tax still counts)
            r[1] for r in rows if len(r) == 8 and r[3] == name and "销售收入" in r[0]
        }
        assert changes and "退出" not in changes, (name, changes)
        assert changes <= {"不计入：数据冲突", "不计入：修订版未列"}
