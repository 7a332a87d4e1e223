"""The departments' forms out and back in: made by `templates`, filled, saved by
LibreOffice, read by the intake; the figures, the items' statuses (measures, milestones,
visits), the return status (已报送 with its day, 逾期, 缺项, 未报送) and the figures below
the previous return checked against the values typed here, lists.yaml read with yaml and
the sample's own workbooks read with openpyxl."""

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
from tests.conftest import (
    execute_page,
    first_sheet_rows,
    require_program,
    small_city,
    workbook_rows,
)

Q = Period(2026, 9)
END = dt.date(2026, 9, 30)  # the period's last day: a later date is not done in it
VALUE, ID, UNIT, PREVIOUS = "G", "I", "D", "F"  # the form's columns on 进展
SENT = {  # 报送日期 typed on each form; None: left empty; 体育局 and others send nothing
    "经信局": dt.date(2026, 10, 3),
    "人社局": dt.date(2026, 10, 12),  # after the 5th: 逾期
    "物价局": dt.date(2026, 10, 5),  # on the due day: on time
    "行政服务中心": None,  # 日期不详
    "卫生局": dt.date(2026, 10, 2),
    "宣传部": dt.date(2026, 10, 2),
    "总工会": dt.date(2026, 10, 2),
    "文广新局": dt.date(2026, 10, 2),
    "组织部": dt.date(2026, 10, 2),  # leaves its last item empty: 缺项
}
TYPED = {  # figures typed where the test names them; every other row: last return + 5
    ("行政服务中心", "approval_items_cut"): 200,
    ("行政服务中心", "approval_reduction_ratio"): 41.7,
}
FALLS = ("经信局", "executive_trainees")  # typed one below the department's 1-6月 figure
SKIPS = "组织部"  # leaves the last row of its 事项进展 empty
VISITS_SENT = dt.date(2026, 10, 4)  # 经信局's 企业走访 sheet, a day after its other sheets


def _sheet_rows(path: Path) -> list[tuple]:
    return first_sheet_rows(path)


def _sample_return(raw: Path, department: str, month: int) -> dict[str, float]:
    """A department's figures in the sample's own workbook (its sheet headed 指标编号; a
    department returning only items has none, one with no return no workbook), read with
    openpyxl."""
    paths = list((raw / "部门报表").glob(f"2026年1-{month}月{department}*.xlsx"))
    for rows in (s for path in paths for s in workbook_rows(path).values()):
        header = next((i for i, r in enumerate(rows) if "指标编号" in r), None)
        if header is not None:
            at = rows[header].index("指标编号"), rows[header].index("本年累计完成")
            return {
                r[at[0]]: r[at[1]] for r in rows[header + 1 :] if r[at[0]] and r[at[1]] is not None
            }
    return {}


def _listed() -> list[dict]:
    """lists.yaml's lists, read here with yaml, not through the suite's loader."""
    return yaml.safe_load((PARAMS_DIR / "lists.yaml").read_text(encoding="utf-8"))["lists"]


def _own_items(department: str, kinds: tuple[str, ...]) -> list[tuple[dict, dict]]:
    """(list, item) of the lists of `kinds` whose item `department` carries out."""
    return [
        (named, item)
        for named in _listed()
        if named["kind"] in kinds
        for item in named["items"].get(2026, [])
        if department in item.get("owner", "、".join(named["departments"])).split("、")
    ]


def _label(sheet, label: str):
    """The cell holding a sign-off label (its place differs by sheet)."""
    return next(c for row in sheet.iter_rows() for c in row if c.value == label)


def _signed(sheet, department: str, day=None) -> None:
    """填报人 and 报送日期 typed on a sheet of the form, beside their labels."""
    signed = _label(sheet, "报送日期：")
    sheet.cell(signed.row - 2, signed.column + 1, "张三")
    sheet.cell(signed.row, signed.column + 1, day or SENT[department])


def _fill(form: Path, department: str, previous: dict, target: Path) -> dict:
    """The form filled as a department would, saved to `target`; what was typed: the
    figures by indicator, the items' (完成情况, 完成时间) by 事项编号 (None: row left
    empty), the visits' 走访日期 by credit code."""
    book = openpyxl.load_workbook(form)
    typed = {"figures": {}, "items": {}, "visits": {}}
    if "进展" in book.sheetnames:
        sheet = book["进展"]
        for row in range(4, sheet.max_row + 1):
            key = sheet[f"{ID}{row}"].value
            if not key:
                continue
            if (department, key) == FALLS:
                value = previous[key] - 1
            else:
                value = TYPED.get((department, key), (previous.get(key) or 0) + 5)
            sheet[f"{VALUE}{row}"] = typed["figures"][key] = value
        _signed(sheet, department)
    if "事项进展" in book.sheetnames:  # 事项编号 B, 完成情况 D, 完成时间 E, 备注 F
        sheet = book["事项进展"]
        rows = [r for r in range(4, sheet.max_row + 1) if isinstance(sheet[f"A{r}"].value, int)]
        for k, r in enumerate(rows):
            if department == SKIPS and r == rows[-1]:
                typed["items"][sheet[f"B{r}"].value] = None
                continue
            done, when = [
                ("已完成", dt.date(2026, 1 + k % 9, 15)),
                ("推进中", None),
                ("已完成", dt.date(2026, 10, 1)),  # done after the period's end
            ][k % 3]
            sheet[f"D{r}"], sheet[f"E{r}"] = done, when
            sheet[f"F{r}"] = "按计划推进" if when is None else None
            typed["items"][sheet[f"B{r}"].value] = (done, when)
        _signed(sheet, department)
    if "企业走访" in book.sheetnames:  # 统一社会信用代码 C, 走访日期 E, 走访领导 F, 解决问题 G
        sheet = book["企业走访"]
        rows = [r for r in range(4, sheet.max_row + 1) if isinstance(sheet[f"A{r}"].value, int)]
        for k, r in enumerate(rows):
            typed["visits"][sheet[f"C{r}"].value] = None
            if k % 7 == 6:
                continue  # not visited yet: its date left empty
            when = dt.date(2026, 10, 2) if k % 4 == 3 else dt.date(2026, 1 + k % 9, 10)
            sheet[f"E{r}"], sheet[f"F{r}"] = when, "王副市长" if k % 2 else "李局长"
            sheet[f"G{r}"] = "协调解决用地指标" if k % 5 == 0 else None
            typed["visits"][sheet[f"C{r}"].value] = when
        _signed(sheet, department, VISITS_SENT)
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


def _status(typed, due_month) -> str:
    """An item's status recounted from what its row says: 本期未报送 when left empty; done
    when 已完成 (or a visit) dated by the period's end; else past its due month or not."""
    if typed is None:
        return "本期未报送"
    done, when = typed
    if done == "已完成" and when is not None and when <= END:
        return "已完成"
    return "逾期未完成" if due_month and due_month <= Q.month else "推进中"


def _expected_items(typed: dict) -> dict[tuple[str, str], str]:
    """Every measure, milestone and firm to visit in lists.yaml, (list, 事项编号 or credit
    code) → the status the rows typed here give it (本期未报送 where no form came back)."""
    expected = {}
    for named in _listed():
        if named["kind"] not in ("measure", "milestone", "visit"):
            continue
        for item in named["items"].get(2026, []):
            owner = item.get("owner", "、".join(named["departments"]))
            sent = typed.get(owner)
            due = item.get("due_month", named.get("due_month"))
            if named["kind"] == "visit":  # a firm's row is there, its date typed or not
                when = sent["visits"][item["credit_code"]] if sent else None
                row = None if not sent else ("已完成", when) if when else ("未走访", None)
                expected[named["id"], item["credit_code"]] = _status(row, due)
            else:
                row = sent["items"].get(item["id"]) if sent else None
                expected[named["id"], item["id"]] = _status(row, due)
    return expected


def test_read_back_files_were_written_by_libreoffice(trip):
    files = sorted((trip["trip"] / "部门报表").glob(f"{Q.label}*.xlsx"))
    assert len(files) == len(SENT)
    for path in files:
        with zipfile.ZipFile(path) as z:
            assert "LibreOffice" in z.read("docProps/app.xml").decode()
    path = next(f for f in files if "经信局" in f.name)
    book = openpyxl.load_workbook(path)  # as the department's program saved it
    assert book.sheetnames == ["进展", "事项进展", "企业走访"]
    assert all(sheet.protection.sheet for sheet in book)
    sheet = book["进展"]
    assert sheet.column_dimensions[ID].hidden
    assert not sheet[f"{VALUE}4"].protection.locked and sheet[f"{ID}4"].protection.locked
    items, visits = book["事项进展"], book["企业走访"]
    assert not items["D4"].protection.locked and not items["E4"].protection.locked
    assert items["B4"].protection.locked and items["C4"].protection.locked
    assert not visits["E4"].protection.locked and not visits["G4"].protection.locked
    assert visits["C4"].protection.locked and visits["D4"].protection.locked


def test_scorecard_figures_are_the_values_typed(trip):
    card = trip["made"].table("scorecard").set_index("indicator")
    typed = trip["typed"]
    assert card.at["approval_items_cut", "actual"] == 200
    assert card.at["approval_reduction_ratio", "actual"] == pytest.approx(41.7)
    assert card.at["fee_items_cut", "actual"] == typed["物价局"]["figures"]["fee_items_cut"]
    trainees = sum(t["figures"].get("executive_trainees", 0) for t in typed.values())
    assert card.at["executive_trainees", "actual"] == trainees
    visited = {code for code, when in typed["经信局"]["visits"].items() if when and when <= END}
    for list_id, indicator in (
        ("key_firms", "key_firm_visits"),
        ("growth_firms", "growth_firm_visits"),
    ):
        named = next(n for n in _listed() if n["id"] == list_id)
        codes = {item["credit_code"] for item in named["items"][2026]}
        assert 0 < len(codes & visited) < len(codes)  # some visited after the period's end
        assert card.at[indicator, "actual"] == len(codes & visited)
    measures = next(n for n in _listed() if n["id"] == "recognition_measures")
    done = sum(
        _status(t["items"].get(item["id"]), None) == "已完成"
        for t in typed.values()
        for item in measures["items"][2026]
    )
    assert 0 < done < 10
    assert card.at["recognition_measures_done", "actual"] == done
    silent = [i["name"] for i in measures["items"][2026] if i["owner"] not in SENT]
    assert card.at["recognition_measures_done", "unreported_items"] == (
        f"{len(silent)}项未报送：" + "、".join(silent)
    )


def test_items_are_judged_on_the_rows_typed(trip):
    """Each measure, milestone and firm to visit: found on its department's sheet by its
    事项编号 or credit code and judged on what was typed there (done after the period's end
    is not done in it, an empty row is 本期未报送); no row is unknown or on no list."""
    items = trip["made"].table("items")
    expected = _expected_items(trip["typed"])
    key = items["item_id"].where(items["kind"] != "visit", items["credit_code"])
    found = dict(zip(zip(items["list"], key, strict=True), items["status"], strict=True))
    assert {k: found.get(k) for k in expected} == expected
    statuses = set(expected.values())
    assert {"已完成", "推进中", "逾期未完成", "本期未报送"} <= statuses
    sent = items[items["owner"].isin(SENT) & items["kind"].isin(["measure", "milestone"])]
    reported = sent[sent["in_return"].astype(bool)]
    assert len(reported) == len(sent) - 1  # SKIPS's row left empty
    assert set(reported["matched_by"]) == {"编号"}
    visits = items[items["kind"] == "visit"]
    assert visits["in_return"].all() and set(visits["matched_by"]) == {"信用代码"}
    assert trip["made"].table("unknown_returns").empty
    quarantined = trip["intake"].quarantine
    assert not quarantined["file"].astype(str).str.contains("部门报表").any()  # no sign-off row


def test_return_status_sent_late_undated_lacking_and_missing(trip):
    state = trip["made"].table("return_status").set_index("department")
    assert state.at["经信局", "state"] == "已报送"  # every figure and item on its form
    assert state.at["经信局", "sent_on"] == "2026年10月4日"  # its 企业走访, the latest
    assert state.at["人社局", "state"] == "逾期"
    assert state.at["人社局", "sent_on"] == "2026年10月12日"
    assert state.at["物价局", "state"] == "已报送"  # on the due day itself
    assert state.at["行政服务中心", "state"] == "已报送"
    assert state.at["行政服务中心", "sent_on"] == "日期不详"
    for department in ("卫生局", "宣传部", "总工会", "文广新局"):  # items only, dated
        assert state.at[department, "state"] == "已报送", department
        assert state.at[department, "sent_on"] == "2026年10月2日"
    skipped = _own_items(SKIPS, ("measure", "milestone"))[-1][0]["name"]
    assert state.at[SKIPS, "state"] == "缺项"
    assert state.at[SKIPS, "lacking"] == f"{skipped}1项"
    for department in ("体育局", "发改局", "金融办"):  # forms made, none came back
        assert state.at[department, "state"] == "未报送", department
    assert set(state["due"]) == {"2026年10月5日"}


def test_a_figure_below_the_previous_return_is_listed(trip):
    fell = trip["made"].table("return_decreases")
    before = _sample_return(trip["raw"], *FALLS[:1], 6)[FALLS[1]]
    assert fell[["department", "indicator"]].values.tolist() == [list(FALLS)]
    assert fell["previous"].tolist() == [before]
    assert fell["value"].tolist() == [before - 1]
    assert fell["previous_period"].tolist() == ["2026年1-6月"]


def test_forms_are_protected_with_only_the_cells_to_fill_open(trip):
    form = next(f for f in trip["forms"] if "行政服务中心" in f.name)
    book = openpyxl.load_workbook(form)
    assert book.sheetnames == ["进展"]  # no items of its own
    sheet = book.active
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


def _rule_of(sheet, cell: str) -> tuple | None:
    """The (type, formula) of the data validation covering `cell`, None when none does."""
    rules = sheet.data_validations.dataValidation
    return next(((r.type, r.formula1) for r in rules if cell in r.sqref), None)


def _header_of(sheet) -> tuple:
    return next(r for r in sheet.iter_rows(values_only=True) if r and r[0] == "序号")


def test_item_sheets_have_the_intakes_layout_and_open_only_the_cells_to_fill(trip):
    """事项进展 and 企业走访 headed as the sample's own item returns (read with openpyxl),
    ids, codes and names locked, 完成情况 a choice of 已完成/推进中, dates validated, each
    sheet with its 填报单位 line and its own 报送日期 cell."""
    form = openpyxl.load_workbook(next(f for f in trip["forms"] if "经信局" in f.name))
    sample = next((trip["raw"] / "部门报表").glob("2026年1-6月经信局*.xlsx"))
    sample = openpyxl.load_workbook(sample, read_only=True)
    sent = {name: _header_of(sample[name]) for name in ("事项进展", "企业走访")}
    sample.close()  # a read-only workbook holds its file open until closed
    for name, locked, open_ in (("事项进展", "ABC", "DEF"), ("企业走访", "ABCD", "EFG")):
        sheet = form[name]
        header = _header_of(sheet)
        assert header == sent[name]
        assert sheet.protection.sheet
        rows = [r for r in range(4, sheet.max_row + 1) if isinstance(sheet[f"A{r}"].value, int)]
        assert rows == list(range(4, 4 + len(rows))) and rows
        for r in rows:
            assert all(sheet[f"{c}{r}"].protection.locked for c in locked), (name, r)
            assert not any(sheet[f"{c}{r}"].protection.locked for c in open_), (name, r)
        texts = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v)
        assert "填报单位：经信局" in texts and "2026年10月5日前报送" in texts
        assert "2026年1-9月" in str(sheet["A1"].value)
        label = _label(sheet, "报送日期：")
        signed = sheet.cell(label.row, label.column + 1).coordinate
        assert header[label.column - 1] in ("事项编号", "走访领导")  # text columns: not a row
        assert not sheet[signed].protection.locked
        dated = "ABCDEFG"[header.index("完成时间" if name == "事项进展" else "走访日期")]
        assert _rule_of(sheet, signed) == ("date", "36526")  # 2000-01-01 or later
        for r in rows:
            assert _rule_of(sheet, f"{dated}{r}") == ("date", "36526")
            if name == "事项进展":
                assert _rule_of(sheet, f"D{r}") == ("list", '"已完成,推进中"')


def test_forms_carry_targets_previous_figures_and_every_item_a_department_returns(trip):
    forms = {f.name.removeprefix(Q.label).split("工作进展")[0]: f for f in trip["forms"]}
    book = openpyxl.load_workbook(forms["经信局"])
    sheet = book["进展"]
    by_id = {
        sheet[f"{ID}{r}"].value: r for r in range(4, sheet.max_row + 1) if sheet[f"{ID}{r}"].value
    }
    assert list(by_id) == ["executive_training_sessions", "executive_trainees"]
    before = _sample_return(trip["raw"], "经信局", 6)
    assert before
    for key, value in before.items():
        assert sheet[f"{PREVIOUS}{by_id[key]}"].value == value
    center = openpyxl.load_workbook(forms["行政服务中心"])["进展"]
    assert center["E4"].value == 259  # targets.yaml's approval_items_cut, read here too
    items = book["事项进展"]
    on_form = [
        (items[f"B{r}"].value, items[f"C{r}"].value)
        for r in range(4, items.max_row + 1)
        if isinstance(items[f"A{r}"].value, int)
    ]
    wanted = [(i["id"], i["name"]) for _, i in _own_items("经信局", ("measure", "milestone"))]
    assert on_form == wanted and len(wanted) == 4
    visits = book["企业走访"]
    on_form = [
        tuple(visits[f"{c}{r}"].value for c in "BCD")
        for r in range(4, visits.max_row + 1)
        if isinstance(visits[f"A{r}"].value, int)
    ]
    wanted = [(n["name"], i["credit_code"], i["name"]) for n, i in _own_items("经信局", ("visit",))]
    assert on_form == wanted and len(wanted) == 50
    finance = openpyxl.load_workbook(forms["金融办"])
    assert finance.sheetnames == ["事项进展"]  # its equity and listing firms: its own table
    assert [finance["事项进展"][f"B{r}"].value for r in range(4, 9)] == [
        f"JR-0{k}" for k in range(1, 6)
    ]
    every = " ".join(
        str(v)
        for form in trip["forms"]
        for rows in workbook_rows(form).values()
        for row in rows
        for v in row
        if v
    )
    assert "2026-ZD-" not in every and ":" not in every  # no project, no `list:item` id
    assert "大项目办" not in forms  # it returns only projects: no form


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
    silent = re.search(r"，([^，。]*)未报送。", text).group(1).split("、")
    made = {f.name.removeprefix(Q.label).split("工作进展")[0] for f in trip["forms"]}
    assert set(silent) == made - set(SENT) and "体育局" in silent
    assert "经信局的企业家培训人次本期累计数低于上期报表" in text
    assert "人社局本期报表晚于截止日期报送" in text


def test_the_bulletin_page_shows_the_status_and_the_fall(trip, tmp_path):
    store.write_intake(trip["intake"], tmp_path / "processed")
    page = execute_page("09_bulletin.ipynb", tmp_path / "processed", tmp_path / "09.ipynb")
    shown = page.read_text(encoding="utf-8")
    assert "逾期" in shown and "2026年10月12日" in shown and "日期不详" in shown
    assert "企业家培训人次" in shown and "2026年1-6月" in shown


def test_only_rows_of_a_known_list_or_indicator_are_known():
    indicators = pd.DataFrame({"id": ["a"]})
    rows = pd.DataFrame({"indicator": ["a", "key_projects:X", "other_list:X", "b"]})
    unknown = returns.unknown_indicators(rows, indicators, ["key_projects"])
    assert unknown["indicator"].tolist() == ["other_list:X", "b"]
    assert returns.unknown_indicators(rows.iloc[:0], indicators, ["key_projects"]).empty


def test_a_list_of_measures_gets_its_items_on_their_owners_item_sheet():
    """A list of measures added to lists.yaml: each item on its owner's 事项进展, no code;
    a list of projects owes no form (the project office's table holds them); a reporter of
    a split target is asked for its own part."""
    indicators = pd.DataFrame(
        [
            dict(id="m", plan=10, name="措施落实", unit="项", target=10.0, measure="x"),
            dict(id="r", plan=10, name="培训人次", unit="人次", target=90.0),
        ]
    ).assign(
        measure=["x", "department_return"],
        reported_by=[None, ["丙局", "甲局"]],
        departments=[["甲局"], ["甲局", "丙局"]],
        shares=[None, {"甲局": 2, "丙局": 1}],
    )
    named = pd.DataFrame(
        [
            dict(list="ten", list_name="十项措施", plan=10, kind="measure", indicator="m"),
            dict(list="ten", list_name="十项措施", plan=10, kind="measure", indicator="m"),
            dict(list="big", list_name="重点项目", plan=6, kind="project", indicator=None),
        ]
    ).assign(
        item_id=["T1", None, "P1"],
        credit_code=None,
        item=["评选优秀企业家", "政治安排", "某项目"],
        owner=["甲局", "乙局", "丁局"],
    )
    mine = return_forms.item_rows("甲局", named, ("measure", "milestone"))
    assert mine[["item_id", "name", "item_list"]].values.tolist() == [
        ["T1", "评选优秀企业家", "十项措施"]
    ]
    other = return_forms.item_rows("乙局", named, ("measure", "milestone"))
    assert other["name"].tolist() == ["政治安排"] and other["item_id"].isna().all()
    assert return_forms.item_rows("丁局", named, ("measure", "milestone")).empty
    order = ["乙局", "丁局", "甲局", "丙局"]
    assert return_forms.departments(indicators, named, order) == ["乙局", "甲局", "丙局"]
    previous = pd.DataFrame(
        [("甲局", "r", 30.0, 2026, 6)],
        columns=["department", "indicator", "value", "year", "month"],
    )
    rows = return_forms.form_rows("甲局", indicators, {10: "温暖激励计划"}, previous)
    assert rows[["id", "name", "target", "previous"]].values.tolist() == [
        ["r", "培训人次（本单位承担部分）", 60.0, 30.0]
    ]


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
            str(value)
            for rows in workbook_rows(path).values()
            for row in rows[:3]
            for value in row
            if value
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
