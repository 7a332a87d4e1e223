import re
import shutil
import subprocess
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis import judgement
from analysis.intake.periods import Period
from analysis.measures import targets
from analysis.report import bulletin, narrative
from tests.conftest import require_program

Q3 = Period(2026, 9)
PLANS = {2: "百企改造计划", 7: "融资突破计划", 8: "减负提速计划", 9: "素质提升计划"}


@pytest.fixture
def card():
    """A scorecard as targets.scorecard returns it, departments joined with 、."""
    both = "行政服务中心、监察局"
    rows = [
        # indicator, plan, name, unit, target, actual, projected, basis, status, departments
        ("invest", 2, "技改投入", "亿元", 35, 24.5, 37.8, "flow", "滞后", "经信局"),
        ("equity", 7, "股权融资额", "万元", 9000, 6050, np.nan, "batch", "推进中", "金融办"),
        ("ratio", 8, "中介服务收费下浮幅度", "%", 20, 18.7, np.nan, "rate", "未达到目标", both),
        ("cut", 8, "削减审批事项", "项", 259, 224, np.nan, "flow", "超序时进度", both),
        ("fees", 8, "=SUM(A1:A9)", "项", 22, np.nan, np.nan, "batch", "无数据", "监察局"),
        ("visits", 2, "走访企业", "家", 30, 15, np.nan, "flow", "滞后", "经信局"),
        ("trained", 9, "培训期数", "期", np.nan, 3, np.nan, "flow", "未设目标", "组织部、经信局"),
        ("sales", 3, "销售收入过1亿元工业企业", "家", 23, 18, 22, "stock", "预计未达标", "经信局"),
        ("tax", 3, "其中：纳税过1亿元", "家", 1, 0, 3, "stock", "预计达标", "经信局"),
    ]  # fmt: skip
    columns = ["indicator", "plan", "name", "unit", "target", "actual", "projected", "basis"]
    frame = pd.DataFrame(rows, columns=columns + ["status", "departments"])
    frame["expected_progress"] = frame["basis"].map({"flow": 0.75})
    frame.loc[frame["target"].isna(), "expected_progress"] = np.nan
    frame["judged_on"] = frame["basis"].map(judgement.RULES)
    frame["target_year"] = 2026
    frame["progress"] = frame["actual"] / frame["target"]
    frame["growth"] = np.nan
    frame["not_reported"] = ""
    return frame


@pytest.fixture
def rows(card):
    """The card by department, 组织部's own part of the joint training count beside it."""
    parts = targets.by_department(card)[["indicator", "department", "status"]]
    parts = parts.rename(columns={"status": "own_status"}).assign(
        own_actual=np.nan, own_target=np.nan, own_rule=""
    )
    mine = (parts["indicator"] == "trained") & (parts["department"] == "组织部")
    parts.loc[mine, "own_actual"] = 2.0
    return targets.by_department(card, parts)


def test_each_department_lists_its_indicators_needing_attention_first(card):
    rows = targets.by_department(card)
    assert list(dict.fromkeys(rows["department"])) == [
        "经信局",
        "金融办",
        "行政服务中心",
        "监察局",
        "组织部",
    ]
    own = rows[rows["department"] == "经信局"]["indicator"].tolist()
    # 50% before 70% of target, then the stock projected short; no target last
    assert own == ["visits", "invest", "sales", "tax", "trained"]
    watch = rows[rows["department"] == "监察局"]["indicator"].tolist()
    assert watch == ["ratio", "cut", "fees"]  # shared indicators appear under each owner


def test_the_paragraph_reads_as_a_bulletin(rows):
    own = rows[rows["department"] == "经信局"]
    text = narrative.department_paragraph(own, "经信局", Q3)
    assert text.startswith(
        "截至9月底，经信局承担的5项指标中，滞后2项、预计未达标1项、预计达标1项、未设目标1项。"
    )
    assert "走访企业完成年度目标的50.0%，低于序时进度25.0个百分点" in text
    assert "技改投入完成年度目标的70.0%，低于序时进度5.0个百分点" in text
    # a count of firms is spoken of by its projection, never by 序时进度
    assert "销售收入过1亿元工业企业目前18家，全年预计22家，低于目标23家" in text
    assert "纳税过1亿元" not in text  # projected 3 against 1: nothing to chase
    money = rows[rows["department"] == "金融办"]
    text = narrative.department_paragraph(money, "金融办", Q3)
    assert text == (
        "截至9月底，金融办承担的1项指标中，推进中1项。有目标的指标均未滞后，成批事项仍在推进。"
    )
    watch = rows[rows["department"] == "监察局"]
    text = narrative.department_paragraph(watch, "监察局", Q3)
    assert "中介服务收费下浮幅度为18.7%，低于目标20.0%（差1.3个百分点）" in text
    assert "本期无数据：=SUM(A1:A9)。" in text
    trained = rows[rows["department"] == "组织部"]
    text = narrative.department_paragraph(trained, "组织部", Q3)
    assert "共同承担的指标中，培训期数本单位报送2期，全市合计3期。" in text


def test_summary_counts_statuses_per_department(rows):
    table = bulletin.summary(rows, Q3).set_index("department")
    assert table.loc["监察局", ["indicators", "未达到目标", "超序时进度", "无数据"]].tolist() == [
        3,
        1,
        1,
        1,
    ]
    assert table.loc["金融办", "paragraph"].startswith("截至9月底，金融办")
    assert "逾期未完成" not in table.columns  # a status no department has


@pytest.fixture
def workbook(card, rows, tmp_path):
    path = bulletin.write_bulletin(card, rows, tmp_path / "out" / "bulletin.xlsx", Q3, PLANS)
    return openpyxl.load_workbook(path)


def test_workbook_has_a_summary_and_a_sheet_per_department(workbook):
    assert workbook.sheetnames == ["汇总", "经信局", "金融办", "行政服务中心", "监察局", "组织部"]
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A4"
        assert ws.print_title_rows == "$3:$3"
        assert ws.page_setup.orientation == "landscape"
    summary = workbook["汇总"]
    assert [c.value for c in summary[3]][:4] == ["序号", "责任单位", "指标数", "滞后"]
    assert summary["B4"].value == "经信局" and summary["D4"].value == 2
    header = [c.value for c in summary[3]]
    assert summary.cell(4, header.index("预计未达标") + 1).value == 1  # 销售收入过1亿元
    assert summary.cell(4, header.index("逾期未完成") + 1).value == 0  # every status has a column


def test_figures_carry_their_units_and_number_formats(workbook):
    ws = workbook["经信局"]
    header = [c.value for c in ws[3]]
    assert header[:8] == [
        "序号",
        "计划",
        "指标",
        "单位",
        "年度目标",
        "完成（合计）",
        "本单位报送",
        "本单位分解目标",
    ]
    invest = {c.column_letter: c for c in ws[5]}  # second row: 技改投入
    assert invest["C"].value == "技改投入" and invest["D"].value == "万元"
    assert invest["E"].value == pytest.approx(350_000)  # 35亿元 in 万元
    assert invest["F"].value == pytest.approx(245_000)
    assert invest["E"].number_format == "#,##0.00"
    assert invest["J"].value == pytest.approx(0.7) and invest["J"].number_format == "0.0%"
    assert invest["L"].value == pytest.approx(-5.0)
    assert invest["M"].value == "▼ 滞后" and invest["N"].value == "完成进度对照序时进度"
    sales = {c.column_letter: c for c in ws[6]}
    assert sales["M"].value == "▽ 预计未达标" and sales["N"].value == "全年预计对照年度目标"
    assert sales["K"].value is None and sales["I"].value == 22  # no 序时进度 for a stock
    ratio = {c.column_letter: c for c in workbook["行政服务中心"][4]}
    assert ratio["E"].value == pytest.approx(0.20) and ratio["E"].number_format == "0.0%"
    assert ratio["K"].value is None  # a rate is not judged on the calendar
    trained = {c.column_letter: c for c in workbook["经信局"][8]}  # no target: still 期
    assert trained["C"].value == "培训期数" and trained["D"].value == "期"
    assert trained["F"].value == 3 and trained["F"].number_format == "#,##0"
    own = {c.column_letter: c for c in workbook["组织部"][4]}
    assert (own["F"].value, own["G"].value) == (3, 2)


def test_an_amount_without_a_target_is_in_the_unit_its_column_states(card, tmp_path):
    card = card.assign(target=np.nan)  # e.g. 七大主导产业营业收入 in 亿元, no target
    path = bulletin.write_bulletin(
        card, targets.by_department(card), tmp_path / "b.xlsx", Q3, PLANS
    )
    ws = openpyxl.load_workbook(path)["经信局"]
    invest = next(r for r in ws.iter_rows(min_row=4) if r[2].value == "技改投入")
    assert invest[3].value == "万元" and invest[5].value == pytest.approx(245_000)
    assert invest[5].number_format == "#,##0.00"


def test_status_colours_follow_the_status_word(workbook):
    ws = workbook["经信局"]
    ranges = {str(r.sqref): r.rules for r in ws.conditional_formatting}
    rules = ranges["M4:M8"]
    texts = {r.text for r in rules}
    assert {"超序时进度", "达到序时进度", "滞后", "无数据", "未设目标"} <= texts
    assert {"已完成", "未完成", "预计达标", "预计未达标", "推进中", "未报送"} <= texts
    behind = next(r for r in rules if r.text == "滞后")
    assert behind.dxf.fill.bgColor.rgb == "FFC62828"


def test_text_from_the_data_never_becomes_a_formula(workbook, tmp_path):
    ws = workbook["监察局"]
    names = [ws.cell(row=r, column=3) for r in range(4, ws.max_row + 1)]
    injected = next(c for c in names if str(c.value).startswith("="))
    assert injected.data_type == "s" and injected.value == "=SUM(A1:A9)"
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert not any(c.data_type == "f" for c in row)


def test_sheet_names_are_legal_and_unique():
    taken = {"汇总"}
    assert bulletin._sheet_name("办公室[一]/二", taken) == "办公室_一__二"
    assert bulletin._sheet_name("办公室[一]/二", taken) == "办公室_一__二_2"
    assert len(bulletin._sheet_name("长" * 40, taken)) == 31


def test_a_spreadsheet_program_opens_the_workbook_with_every_sheet(card, tmp_path):
    require_program(shutil.which("soffice") is not None, "LibreOffice (soffice) is absent")
    rows = targets.by_department(card)
    path = bulletin.write_bulletin(card, rows, tmp_path / "bulletin.xlsx", Q3, PLANS)
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    command = ["soffice", "--headless", "--norestore", profile, "--convert-to", "ods"]
    subprocess.run(
        [*command, "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    content = zipfile.ZipFile(tmp_path / "bulletin.ods").read("content.xml").decode()
    sheets = re.findall(r'<table:table table:name="([^"]+)"', content)
    assert sheets == ["汇总", "经信局", "金融办", "行政服务中心", "监察局", "组织部"]
    assert "=SUM(A1:A9)" in content and "of:=SUM" not in content
