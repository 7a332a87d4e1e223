"""The departments' forms out and back in: made by `templates`, filled, saved by
LibreOffice, read by the intake; the figures, the return status (已报送 with its day,
逾期, 未报送) and the figures below the previous return checked against the values typed
here and the sample's own workbooks read with openpyxl."""

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis.config import PARAMS_DIR
from analysis.intake import returns
from analysis.intake.ingest import ingest
from analysis.intake.periods import Period
from analysis.measures import owners, products, store
from analysis.report import document, return_forms
from analysis.run.cli import main
from tests.conftest import execute_page, require_program, small_city

Q = Period(2026, 9)
VALUE, ID, UNIT, PREVIOUS = "G", "I", "D", "F"  # the form's columns
SENT = {  # 报送日期 typed on each form; None: left empty; 体育局 sends nothing
    "经信局": dt.date(2026, 10, 3),
    "人社局": dt.date(2026, 10, 12),  # after the 5th: 逾期
    "物价局": dt.date(2026, 10, 5),  # on the due day: on time
    "行政服务中心": None,  # 日期不详
    "卫生局": dt.date(2026, 10, 2),
    "宣传部": dt.date(2026, 10, 2),
    "总工会": dt.date(2026, 10, 2),
    "文广新局": dt.date(2026, 10, 2),
    "组织部": dt.date(2026, 10, 2),
}
TYPED = {  # figures typed where the test names them; every other row: last return + 5
    ("经信局", "key_firm_visits"): 28,
    ("行政服务中心", "approval_items_cut"): 200,
    ("行政服务中心", "approval_reduction_ratio"): 41.7,
}
FALLS = ("经信局", "growth_firm_visits")  # typed one below the department's 1-6月 figure
PROJECT = "key_projects:2026-ZD-003"  # an item row 经信局 fills


def _sheet_rows(path: Path) -> list[tuple]:
    sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def _sample_return(raw: Path, department: str, month: int) -> dict[str, float]:
    """A department's figures in the sample's own workbook (its sheet headed 指标编号; a
    department returning only items has none, one with no return no workbook), read with
    openpyxl."""
    paths = list((raw / "部门报表").glob(f"2026年1-{month}月{department}*.xlsx"))
    for sheet in (s for path in paths for s in openpyxl.load_workbook(path, read_only=True)):
        rows = list(sheet.iter_rows(values_only=True))
        header = next((i for i, r in enumerate(rows) if "指标编号" in r), None)
        if header is not None:
            at = rows[header].index("指标编号"), rows[header].index("本年累计完成")
            return {
                r[at[0]]: r[at[1]] for r in rows[header + 1 :] if r[at[0]] and r[at[1]] is not None
            }
    return {}


def _fill(form: Path, department: str, previous: dict, target: Path) -> dict[str, float]:
    """The form filled as a department would, saved to `target`; the figures typed."""
    book = openpyxl.load_workbook(form)
    sheet = book.active
    typed = {}
    for row in range(4, sheet.max_row + 1):
        key = sheet[f"{ID}{row}"].value
        if not key:
            continue
        if key == PROJECT and department == "经信局":
            typed[key] = 1234.5
        elif ":" in key:
            continue  # the other items left empty: not reported
        elif (department, key) == FALLS:
            typed[key] = previous[key] - 1
        else:
            typed[key] = TYPED.get((department, key), (previous.get(key) or 0) + 5)
        sheet[f"{VALUE}{row}"] = typed[key]
    signed = next(r for r in range(1, sheet.max_row + 1) if sheet[f"B{r}"].value == "报送日期：")
    sheet[f"C{signed - 2}"] = "张三"
    sheet[f"C{signed}"] = SENT[department]
    book.save(target)
    return typed


@pytest.fixture(scope="module")
def trip(tmp_path_factory):
    """Forms for 1-9月 made from the intake of a generated city, filled, converted by
    LibreOffice in one call into a copy of the raw folder whose own 1-9月 returns are gone,
    and read again."""
    require_program(shutil.which("soffice") is not None, "LibreOffice (soffice) not installed")
    root = tmp_path_factory.mktemp("forms")
    small_city(root, seed=21)
    raw = root / "raw"
    shutil.copytree(raw / "部门报表", root / "returns" / "部门报表")  # the returns alone read
    forms = return_forms.write_all(Q, root / "forms", PARAMS_DIR, ingest(root / "returns").returns)
    shutil.copytree(raw, root / "trip")
    for path in (root / "trip" / "部门报表").glob("2026年1-9月*.xlsx"):
        path.unlink()
    (root / "filled").mkdir()
    typed = {}
    for form in forms:
        department = form.name.removeprefix(Q.label).split("工作进展")[0]
        if department in SENT:
            previous = _sample_return(raw, department, 6)
            typed[department] = _fill(form, department, previous, root / "filled" / form.name)
    subprocess.run(
        [
            *("soffice", "--headless", f"-env:UserInstallation=file://{root / 'profile'}"),
            *("--convert-to", "xlsx", "--outdir", str(root / "trip" / "部门报表")),
            *map(str, sorted((root / "filled").glob("*.xlsx"))),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    intake = ingest(root / "trip")
    made = products.Products(Q, None, None, data=store.period_data(intake, Q))
    return dict(raw=raw, forms=forms, typed=typed, trip=root / "trip", made=made, intake=intake)


def test_read_back_files_were_written_by_libreoffice(trip):
    files = sorted((trip["trip"] / "部门报表").glob(f"{Q.label}*.xlsx"))
    assert len(files) == len(SENT)
    for path in files:
        with zipfile.ZipFile(path) as z:
            assert "LibreOffice" in z.read("docProps/app.xml").decode()
    sheet = openpyxl.load_workbook(files[0]).active  # as the department's program saved it
    assert sheet.protection.sheet and sheet.column_dimensions[ID].hidden
    assert not sheet[f"{VALUE}4"].protection.locked and sheet[f"{ID}4"].protection.locked


def test_scorecard_figures_are_the_values_typed(trip):
    card = trip["made"].table("scorecard").set_index("indicator")
    typed = trip["typed"]
    assert card.at["key_firm_visits", "actual"] == 28
    assert card.at["approval_items_cut", "actual"] == 200
    assert card.at["approval_reduction_ratio", "actual"] == pytest.approx(41.7)
    assert card.at["fee_items_cut", "actual"] == typed["物价局"]["fee_items_cut"]
    recognition = sum(
        v["recognition_measures_done"] for v in typed.values() if "recognition_measures_done" in v
    )
    assert card.at["recognition_measures_done", "actual"] == pytest.approx(recognition)
    assert card.at["recognition_measures_done", "not_reported"] == "体育局"


def test_an_item_row_is_read_with_its_id_and_is_no_unknown_indicator(trip):
    returns = trip["intake"].returns
    row = returns[(returns["indicator"] == PROJECT) & (returns["month"] == 9)]
    assert row["department"].tolist() == ["经信局"] and row["value"].tolist() == [1234.5]
    assert trip["made"].table("unknown_returns").empty


def test_return_status_sent_late_undated_and_missing(trip):
    state = trip["made"].table("return_status").set_index("department")
    assert state.at["经信局", "state"] == "已报送"
    assert state.at["经信局", "sent_on"] == "2026年10月3日"
    assert state.at["人社局", "state"] == "逾期"
    assert state.at["人社局", "sent_on"] == "2026年10月12日"
    assert state.at["物价局", "state"] == "已报送"  # on the due day itself
    assert state.at["行政服务中心", "state"] == "已报送"
    assert state.at["行政服务中心", "sent_on"] == "日期不详"
    assert state.at["体育局", "state"] == "未报送"
    assert set(state["due"]) == {"2026年10月5日"}


def test_a_figure_below_the_previous_return_is_listed(trip):
    fell = trip["made"].table("return_decreases")
    before = _sample_return(trip["raw"], "经信局", 6)["growth_firm_visits"]
    assert fell[["department", "indicator"]].values.tolist() == [list(FALLS)]
    assert fell["previous"].tolist() == [before]
    assert fell["value"].tolist() == [before - 1]
    assert fell["previous_period"].tolist() == ["2026年1-6月"]


def test_forms_are_protected_with_only_the_cells_to_fill_open(trip):
    form = next(f for f in trip["forms"] if "行政服务中心" in f.name)
    sheet = openpyxl.load_workbook(form).active
    assert sheet.protection.sheet
    assert sheet.column_dimensions[ID].hidden
    rows = [r for r in range(4, sheet.max_row + 1) if sheet[f"{ID}{r}"].value]
    assert [sheet[f"{ID}{r}"].value for r in rows] == [
        "approval_items_cut",
        "approval_reduction_ratio",
    ]
    for r in rows:
        assert not sheet[f"{VALUE}{r}"].protection.locked
        assert not sheet[f"H{r}"].protection.locked  # 备注
        assert all(sheet[f"{c}{r}"].protection.locked for c in "ABCDEFI")
    rules = {}
    for rule in sheet.data_validations.dataValidation:
        for r in rows:
            if f"{VALUE}{r}" in rule.sqref:
                rules[sheet[f"{UNIT}{r}"].value] = (rule.type, rule.operator, rule.formula1)
                assert (rule.formula2 == "100") == (sheet[f"{UNIT}{r}"].value == "%")
    assert rules == {
        "项": ("decimal", "greaterThanOrEqual", "0"),
        "%": ("decimal", "between", "0"),
    }
    texts = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
    assert "填报单位：行政服务中心" in texts and "2026年10月5日前报送" in texts
    for label in ("填报人：", "联系电话：", "报送日期："):
        r = next(r for r in range(1, sheet.max_row + 1) if sheet[f"B{r}"].value == label)
        assert not sheet[f"C{r}"].protection.locked


def test_forms_carry_targets_previous_figures_and_every_listed_item(trip):
    form = next(f for f in trip["forms"] if "经信局" in f.name)
    sheet = openpyxl.load_workbook(form).active
    by_id = {
        sheet[f"{ID}{r}"].value: r for r in range(4, sheet.max_row + 1) if sheet[f"{ID}{r}"].value
    }
    before = _sample_return(trip["raw"], "经信局", 6)
    assert sheet[f"E{by_id['key_firm_visits']}"].value == 30  # targets.yaml, read here too
    # the ten measures split {经信局: 3, …} over 10 parts: 经信局 is asked for its 3
    assert sheet[f"E{by_id['recognition_measures_done']}"].value == 3
    assert "本单位承担部分" in sheet[f"C{by_id['recognition_measures_done']}"].value
    for key, value in before.items():
        assert sheet[f"{PREVIOUS}{by_id[key]}"].value == value
    lists = yaml.safe_load((PARAMS_DIR / "lists.yaml").read_text(encoding="utf-8"))["lists"]
    items = [  # lists.yaml read here, not through the suite's loader
        f"{named['id']}:{item.get('id') or item.get('credit_code') or item['name']}"
        for named in lists
        if "经信局" in named["departments"]
        for item in named["items"].get(2026, [])
        if item.get("owner", "经信局") == "经信局"
    ]
    assert len(items) > 16 and all(key in by_id for key in items)
    on_form = [k for k in by_id if ":" in k]
    assert on_form == items
    assert sheet[f"{UNIT}{by_id[PROJECT]}"].value == "万元"


def test_templates_command_and_its_refusals(tmp_path, capsys):
    with pytest.raises(SystemExit) as refused:
        main(["templates", "--period", "2026-13", "--out", str(tmp_path)])
    assert refused.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["templates", "--period", "2026-12", "--out", str(blocker / "forms")]) == 2
    assert "无法写入目录" in capsys.readouterr().err
    empty = tmp_path / "processed"  # nothing read yet: forms without 上期累计
    out = tmp_path / "forms"
    assert (
        main(["templates", "--period", "2026-12", "--out", str(out), "--processed", str(empty)])
        == 0
    )
    assert (out / "2026年1-12月经信局工作进展（填报模板）.xlsx").exists()
    rows = _sheet_rows(out / "2026年1-12月经信局工作进展（填报模板）.xlsx")
    assert any("2027年1月5日前报送" in str(r[0]) for r in rows)


def _returns(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["department", "indicator", "value", "year", "month", "reported_on"]
    )


def test_due_day_is_a_parameter_and_december_is_due_in_january():
    indicators = pd.DataFrame(
        [
            dict(
                id="a",
                name="甲",
                unit="项",
                measure="department_return",
                reported_by=None,
                departments=["X局"],
            )
        ]
    )
    sent = _returns([("X局", "a", 3.0, 2026, 9, pd.Timestamp(2026, 10, 7))])
    assert owners.return_status(indicators, sent, Q, 5).at[0, "state"] == "逾期"
    assert owners.return_status(indicators, sent, Q, 8).at[0, "state"] == "已报送"
    assert owners.return_status(indicators, sent.iloc[:0], Q, 5).at[0, "state"] == "未报送"
    assert owners.due_date(Period(2026, 12), 31) == dt.date(2027, 1, 31)
    assert owners.due_date(Period(2026, 1), 31) == dt.date(2026, 2, 28)


def test_only_cumulative_figures_that_fell_are_listed():
    indicators = pd.DataFrame(
        [dict(id="a", name="甲", unit="项"), dict(id="r", name="比率", unit="%")]
    )
    returns = _returns(
        [
            ("X局", "a", 5.0, 2026, 6, pd.NaT),
            ("X局", "a", 4.0, 2026, 9, pd.NaT),  # fell: listed
            ("Z局", "a", 3.0, 2026, 6, pd.NaT),
            ("Z局", "a", 3.0, 2026, 9, pd.NaT),  # unchanged: no error
            ("X局", "r", 50.0, 2026, 6, pd.NaT),
            ("X局", "r", 40.0, 2026, 9, pd.NaT),  # a rate may fall
            ("Y局", "a", 9.0, 2025, 12, pd.NaT),
            ("Y局", "a", 1.0, 2026, 9, pd.NaT),  # January restarts the sums: no previous
        ]
    )
    named = pd.DataFrame(
        columns=["list", "item_id", "credit_code", "item", "list_name", "kind", "indicator"]
    )
    fell = owners.decreases(returns, indicators, Q, named)
    assert fell[["department", "indicator", "previous", "value"]].values.tolist() == [
        ["X局", "a", 5.0, 4.0]
    ]


def test_the_bulletin_says_who_was_late_who_did_not_send_and_what_fell(trip):
    made = trip["made"]
    facts = document.Facts(
        card=made.table("scorecard"),
        rows=made.table("by_department"),
        period=Q,
        plan_names=made.plan_names,
        settings=made.thresholds["bulletin"],
        number=1,
        returns=made.table("return_status"),
        decreases=made.table("return_decreases"),
    )
    text = "".join(block.text for block in document.compose(facts))
    assert "人社局2026年10月12日报送，晚于2026年10月5日的截止日期" in text
    assert "体育局未报送" in text
    assert "经信局的走访成长型企业本期累计数低于上期报表" in text
    assert "人社局本期报表晚于截止日期报送" in text


def test_the_bulletin_page_shows_the_status_and_the_fall(trip, tmp_path):
    store.write_intake(trip["intake"], tmp_path / "processed")
    page = execute_page("09_bulletin.ipynb", tmp_path / "processed", tmp_path / "09.ipynb")
    shown = page.read_text(encoding="utf-8")
    assert "逾期" in shown and "2026年10月12日" in shown and "日期不详" in shown
    assert "走访成长型企业" in shown and "2026年1-6月" in shown


def test_only_rows_of_a_known_list_or_indicator_are_known():
    indicators = pd.DataFrame({"id": ["a"]})
    rows = pd.DataFrame({"indicator": ["a", "key_projects:X", "other_list:X", "b"]})
    unknown = returns.unknown_indicators(rows, indicators, ["key_projects"])
    assert unknown["indicator"].tolist() == ["other_list:X", "b"]
    assert returns.unknown_indicators(rows.iloc[:0], indicators, ["key_projects"]).empty


def test_a_list_of_any_kind_gets_its_rows_on_its_owners_forms():
    """A kind of list the suite has no rule for (a list of measures, as lists.yaml may
    grow): its items on their owner's form, in the unit of the list's indicator."""
    indicators = pd.DataFrame(
        [
            dict(id="m", plan=10, name="措施落实", unit="项", target=10.0, measure="x"),
        ]
    ).assign(reported_by=None, departments=[["甲局"]], shares=None)
    named = pd.DataFrame(
        [
            dict(list="ten", list_name="十项措施", plan=10, kind="measure", indicator="m"),
            dict(list="ten", list_name="十项措施", plan=10, kind="measure", indicator="m"),
        ]
    ).assign(
        item_id=["T1", None],
        credit_code=None,
        item=["评选优秀企业家", "政治安排"],
        owner=["甲局", "乙局"],
        item_target=None,
    )
    previous = pd.DataFrame(
        [("甲局", "ten:T1", 1.0, 2026, 6)],
        columns=["department", "indicator", "value", "year", "month"],
    )
    rows = return_forms.form_rows("甲局", indicators, named, {10: "温暖激励计划"}, previous)
    assert rows[["id", "name", "unit", "previous"]].values.tolist() == [
        ["ten:T1", "十项措施：评选优秀企业家", "项", 1.0]
    ]
    other = return_forms.form_rows("乙局", indicators, named, {10: "温暖激励计划"}, previous)
    assert other["id"].tolist() == ["ten:政治安排"]  # no id: the name stands for it
    assert return_forms.departments(indicators, named, ["乙局", "甲局", "丙局"]) == ["乙局", "甲局"]


def test_each_departments_state_is_the_date_its_sheets_state(report):
    """The generated city's returns state their 报送日期 on the 填报单位 line of each sheet
    (figures, 事项进展, 企业走访): a department returning only items is dated by those. Each
    state is recounted here from the workbooks (openpyxl) against the due date 2026年10月5日."""
    made = products.open(2026, 9, processed_dir=report.paths.processed, params_dir=PARAMS_DIR)
    state = made.table("return_status").set_index("department")
    said = re.compile(r"报送日期：(\d{4})年(\d{1,2})月(\d{1,2})日")
    expected = {}
    for path in (report.paths.raw / "部门报表").glob("2026年1-9月*工作进展.xlsx"):
        department = path.name.removeprefix("2026年1-9月").removesuffix("工作进展.xlsx")
        lines = [
            str(cell.value)
            for sheet in openpyxl.load_workbook(path, read_only=True)
            for row in sheet.iter_rows(max_row=3)
            for cell in row
            if cell.value
        ]
        days = [dt.date(*map(int, m)) for line in lines for m in said.findall(line)]
        assert days, path.name
        expected[department] = max(days)
    assert expected and set(expected) <= set(state.index)
    due = dt.date(2026, 10, 5)
    late = {d for d, day in expected.items() if day > due}
    assert late  # the generated city has a late return in this period
    for department, day in expected.items():
        assert state.at[department, "sent_on"] == f"{day.year}年{day.month}月{day.day}日"
        if department in late:
            assert state.at[department, "state"] == "逾期", department
        else:
            assert state.at[department, "state"] in ("已报送", "缺项"), department
    assert set(state.index[state["state"] == "未报送"]).isdisjoint(expected)
