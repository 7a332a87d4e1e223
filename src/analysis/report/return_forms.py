"""The return the office sends each owning department (部门报表填报模板): one workbook per
department, pre-filled with the indicators it reports (targets.yaml `measure:
department_return`, its `reported_by`) on the sheet 进展, and the named items it carries out
itself (lists.yaml kinds visit, measure, milestone: owners.ITEM_RETURN_KINDS) on the sheets
事项进展 and 企业走访, so no one types an id or lays out a form of their own.

The form is read back by the intake like any 部门报表: on 进展 the header says 指标编号 and
本年累计完成 and the hidden 指标编号 column maps each row to its indicator; 事项进展 and
企业走访 carry the headers of the departments' item returns (intake/sources.py ITEM_HEADER,
VISIT_HEADER, imported so the two cannot differ), read as `progress` and judged item by item.
Every sheet has its 填报单位 line and its 报送日期. Projects, equity firms and listing
candidates are judged from the project office's and the finance office's own tables, so no
form asks for them. Only the cells to fill are unlocked; each sheet is protected without a
password, so the office can change a form but a department does not by accident.
"""

from datetime import date
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation

from analysis import params
from analysis.intake import returns as department_returns
from analysis.intake.periods import Period, day_label
from analysis.intake.sources import ITEM_HEADER, VISIT_HEADER
from analysis.items import lists as item_lists
from analysis.measures import owners

SHEET, ITEM_SHEET, VISIT_SHEET = "进展", "事项进展", "企业走访"
HEADER_ROW = 3
COLUMNS = {  # header → (width, field of the row table)
    "序号": (6, "number"),
    "计划": (14, "plan"),
    "指标名称": (46, "name"),
    "单位": (8, "unit"),
    "年度目标": (11, "target"),
    "上期累计": (11, "previous"),
    "本年累计完成": (13, None),
    "备注": (24, None),
    "指标编号": (24, "id"),
}
VALUE, NOTE, ID = "本年累计完成", "备注", "指标编号"
SIGN_OFF = ("填报人：", "联系电话：", "报送日期：")
DONE_CHOICES = ("已完成", "推进中")  # 完成情况 as the intake reads it (a flag)
WIDTHS = {"item_id": 11, "item_list": 11, "credit_code": 22, "name": 44, "done": 11}
WIDTHS |= {"done_date": 13, "note": 28, "visit_leader": 14, "solved": 32}
FILLED = ("done", "done_date", "note", "visit_leader", "solved")  # a department's cells
# Fields the intake reads as text: a sign-off line in two of them is a line apart, not an
# item (a code, a date or a flag on it would make it a row of the table)
TEXT_FIELDS = ("item_id", "item_list", "name", "note", "visit_leader", "solved")
FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells to fill, pale yellow
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
ROW_COLUMNS = ["id", "plan", "name", "unit", "target", "previous"]
DATE_FORMAT = 'yyyy"年"m"月"d"日"'


def departments(indicators: pd.DataFrame, named: pd.DataFrame, order: list[str]) -> list[str]:
    """Every department that owes a return: a reporter of an indicator or an owner of an
    item it returns itself (a visit, measure or milestone), in targets.yaml's order."""
    owing = set()
    for ind in indicators[indicators["measure"] == "department_return"].itertuples():
        owing.update(department_returns.reporters(ind))
    for owner in named.loc[named["kind"].isin(owners.ITEM_RETURN_KINDS), "owner"]:
        owing.update(owner.split("、"))
    return [d for d in order if d in owing]


def previous_figures(returns: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Each department's figures of its last return before `period` in the same year (the
    cumulative figures restart in January): department, indicator, value, year, month."""
    earlier = returns[(returns["year"] == period.year) & (returns["month"] < period.month)]
    if earlier.empty:
        return earlier.reindex(columns=["department", "indicator", "value", "year", "month"])
    last = earlier.groupby("department")["month"].transform("max")
    return earlier[earlier["month"] == last]


def form_rows(
    department: str, indicators: pd.DataFrame, plan_names: dict[int, str], previous: pd.DataFrame
) -> pd.DataFrame:
    """The rows of one department's 进展 sheet: the indicators it reports, with the figure
    of its previous return beside each (ROW_COLUMNS)."""
    rows = []
    for ind in indicators[indicators["measure"] == "department_return"].itertuples():
        if department in department_returns.reporters(ind):
            target, name = _own_target(ind, department)
            rows.append((ind.id, plan_names[ind.plan], name, ind.unit, target))
    table = pd.DataFrame(rows, columns=["id", "plan", "name", "unit", "target"])
    mine = previous[previous["department"] == department].set_index("indicator")["value"]
    table["previous"] = table["id"].map(mine)
    return table[ROW_COLUMNS]


def item_rows(department: str, named: pd.DataFrame, kinds: tuple[str, ...]) -> pd.DataFrame:
    """The items of `kinds` a department carries out (an item of several owners is on each
    owner's form), in lists.yaml's order, with the fields of the item sheets' headers."""
    mine = named[
        named["kind"].isin(kinds)
        & named["owner"].astype(str).str.split("、").map(lambda o: department in o)
    ]
    return pd.DataFrame(
        {
            "item_id": mine["item_id"].to_numpy(),
            "item_list": mine["list_name"].to_numpy(),
            "credit_code": mine["credit_code"].to_numpy(),
            "name": mine["item"].to_numpy(),
        }
    )


def _own_target(ind, department: str) -> tuple[float | None, str]:
    """The target a department is judged on (its part where targets.yaml splits it among
    the reporters, `shares`), and the row's name saying so."""
    if pd.isna(ind.target):
        return None, ind.name
    shares = ind.shares if isinstance(ind.shares, dict) else {}
    if department not in shares:
        return ind.target, ind.name
    part = ind.target * shares[department] / sum(shares.values())
    return part, f"{ind.name}（本单位承担部分）"


def file_name(department: str, period: Period) -> str:
    return f"{period.label}{department}工作进展（填报模板）.xlsx"


def _validation(unit: str) -> DataValidation:
    """Numbers ≥ 0, percentages 0–100, with the reason shown when refused."""
    if unit == "%":
        rule = DataValidation(type="decimal", operator="between", formula1="0", formula2="100")
        rule.error = "请填写0到100之间的数（百分数，不带%号）"
    else:
        rule = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        rule.error = "请填写大于或等于0的数"
    rule.errorTitle, rule.showErrorMessage, rule.allow_blank = "数值有误", True, True
    rule.promptTitle, rule.prompt = "本年累计完成", "填写自1月起的本年累计数"
    rule.showInputMessage = True
    return rule


def _instructions(period: Period, due: date, previous: pd.DataFrame) -> list[str]:
    done = previous["month"].dropna()
    before = Period(period.year, int(done.iloc[0])).label if len(done) else None
    return [
        "填报说明：",
        f"1．请于{day_label(due)}前报送本表（报送截止日期）。",
        f"2．“本年累计完成”填写{period.year}年1月至{period.month}月的累计数，只填数字；"
        "单位为“%”的填0–100之间的数，其余填大于或等于0的数；暂无进展的填0，未填的行视为未报送。",
        "3．“上期累计”为本单位"
        + (f"{before}报表所报的数" if before else "上期报表所报的数（本年尚无上期报表）")
        + "，本期累计数一般不应低于上期，如有调减请在“备注”中说明原因。",
        f"4．本单位负责的措施、重点工作在“{ITEM_SHEET}”工作表填报，重点企业、成长型企业走访在"
        f"“{VISIT_SHEET}”工作表填报（本单位有此类事项时才有该表）；重点项目、技改项目的投资进度"
        "以项目办报表、股权融资和上市企业以金融办报表逐个核对，本表不再填报。",
        "5．请勿增删行列、修改指标名称或改动表格结构；每张工作表填写后连同填报人、联系电话、"
        "报送日期一并报送。",
    ]


def _item_instructions(period: Period, due: date, visits: bool) -> list[str]:
    end = f"{period.year}年{period.month}月底"
    how = (
        [
            "2．每家企业一行：已走访的填“走访日期”（最近一次，日期格式）、“走访领导”和"
            "“解决问题”（多次走访的逐次列明）；走访日期须在" + end + "前（含）。",
            "3．尚未走访的企业不填“走访日期”，计为尚未走访；请勿删除该行。",
        ]
        if visits
        else [
            "2．每个事项一行：“完成情况”从下拉列表选“已完成”或“推进中”；已完成的填"
            "“完成时间”（日期格式，须在" + end + "前（含）），推进中的在“备注”写明进度。",
            "3．整行未填的事项视为本期未报送（不视为未完成）。",
        ]
    )
    return [
        "填报说明：",
        f"1．请于{day_label(due)}前报送本表（报送截止日期）。",
        *how,
        "4．事项编号、统一社会信用代码和名称已按督查清单填好，请勿修改或增删行列；"
        "填写后连同填报人、联系电话、报送日期一并报送。",
    ]


def write_form(
    parts: dict[str, pd.DataFrame],
    department: str,
    period: Period,
    due: date,
    path: Path,
    previous: pd.DataFrame,
) -> Path:
    """One department's form at `path`: a sheet for each part it has (its figures on 进展,
    its measures and milestones on 事项进展, its visits on 企业走访), each with a title,
    the 填报单位 line, the header, its rows, the sign-off lines and the filling
    instructions; only the cells to fill unlocked."""
    wb = Workbook()
    wb.remove(wb.active)
    rows = parts.get(SHEET)
    if rows is not None and len(rows):
        ws = _sheet(wb, SHEET, f"{period.label}{department}工业振兴十大计划工作进展表", department)
        _table(ws, rows)
        _foot(ws, len(rows), len(COLUMNS) - 1, _instructions(period, due, previous))
    for name, header in ((ITEM_SHEET, ITEM_HEADER), (VISIT_SHEET, VISIT_HEADER)):
        items = parts.get(name)
        if items is None or items.empty:
            continue
        title = f"{period.label}{department}十大计划{name}情况"
        ws = _sheet(wb, name, title, department, len(header))
        _item_table(ws, header, items)
        lines = _item_instructions(period, due, visits=name == VISIT_SHEET)
        _foot(ws, len(items), len(header), lines, _sign_column(header))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _sheet(wb: Workbook, name: str, title: str, department: str, shown: int = 0):
    """A protected sheet with the form's title across `shown` columns (进展: all but the
    hidden id) and the 填报单位 line the intake names the department by."""
    ws = wb.create_sheet(name)
    width = _letter((shown or len(COLUMNS) - 1) - 1)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{width}1")
    ws["A2"] = f"填报单位：{department}"
    ws.merge_cells("A2:D2")
    ws.protection.sheet = True
    return ws


def _sign_column(header: dict) -> int:
    """The column of the sign-off labels on an item sheet: the first of two text columns
    side by side (事项编号 on 事项进展, 走访领导 on 企业走访), the cell to fill the next."""
    fields = list(header.values())
    pairs = zip(fields, fields[1:], strict=False)
    return next(j for j, pair in enumerate(pairs, start=1) if set(pair) <= set(TEXT_FIELDS))


def _foot(ws, count: int, shown: int, lines: list[str], sign_at: int = 2) -> None:
    """Below the table: the sign-off lines (labels in column `sign_at`), then the filling
    instructions; the page set."""
    below = HEADER_ROW + count + 2
    _sign_off(ws, below, sign_at)
    for k, line in enumerate(lines, start=below + 4):
        ws.cell(k, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(f"A{k}:{_letter(shown - 1)}{k}")
        ws.row_dimensions[k].height = 30
    _page(ws)


def _table(ws, rows: pd.DataFrame) -> None:
    """The header and one row per indicator; 本年累计完成 and 备注 unlocked, the figure
    validated by its unit, the id column hidden."""
    headers = list(COLUMNS)
    _header(ws, headers, [COLUMNS[h][0] for h in headers])
    ws.column_dimensions[_letter(headers.index(ID))].hidden = True
    value_col, note_col = headers.index(VALUE) + 1, headers.index(NOTE) + 1
    rules: dict[str, DataValidation] = {}
    for i, row in enumerate(rows.itertuples(), start=1):
        r = HEADER_ROW + i
        facts = {"number": i} | row._asdict()
        for j, header in enumerate(headers):
            field = COLUMNS[header][1]
            value = facts.get(field) if field else None
            cell = ws.cell(r, j + 1, None if pd.isna(value) else value)
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=field in ("plan", "name"))
            if j + 1 in (value_col, note_col):
                cell.protection, cell.fill = Protection(locked=False), FILL
        rule = rules.setdefault("%" if row.unit == "%" else "", _validation(row.unit))
        rule.add(ws.cell(r, value_col))
    for rule in rules.values():
        ws.add_data_validation(rule)


def _header(ws, headers: list[str], widths: list[float]) -> None:
    for j, (header, width) in enumerate(zip(headers, widths, strict=True)):
        cell = ws.cell(HEADER_ROW, j + 1, header)
        cell.font, cell.border = Font(bold=True), BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[_letter(j)].width = width


def _item_table(ws, header: dict, items: pd.DataFrame) -> None:
    """The header of the intake's item return and one row per item: 序号, ids, codes and
    names filled and locked; 完成情况 a choice of 已完成/推进中, dates validated as dates,
    the rest free text (FILLED) unlocked."""
    fields = list(header.values())
    _header(ws, list(header), [WIDTHS.get(f, 6) for f in fields])
    choice = DataValidation(type="list", formula1='"' + ",".join(DONE_CHOICES) + '"')
    choice.error, choice.errorTitle = "请从下拉列表选择“已完成”或“推进中”", "完成情况有误"
    choice.showErrorMessage, choice.allow_blank = True, True
    when = _date_rule()
    for i, item in enumerate(items.itertuples(), start=1):
        r = HEADER_ROW + i
        for j, field in enumerate(fields):
            value = i if field is None else None if field in FILLED else getattr(item, field)
            cell = ws.cell(r, j + 1, None if pd.isna(value) else value)
            cell.border = BOX
            cell.alignment = Alignment(vertical="center", wrap_text=field in ("name", "solved"))
            if field in FILLED:
                cell.protection, cell.fill = Protection(locked=False), FILL
            if field == "done":
                choice.add(cell)
            elif field == "done_date":
                cell.number_format = DATE_FORMAT
                when.add(cell)
            elif field == "credit_code":
                cell.number_format = "@"
    ws.add_data_validation(choice)
    ws.add_data_validation(when)


def _date_rule() -> DataValidation:
    when = DataValidation(type="date", operator="greaterThan", formula1="36526")  # 2000-01-01
    when.error, when.showErrorMessage, when.allow_blank = "请填写日期，如 2027-01-05", True, True
    return when


def _sign_off(ws, first: int, column: int) -> None:
    """填报人, 联系电话 and 报送日期, a line each from row `first`: the label in `column`,
    then the cell to fill (报送日期 a date, the day the office judges 逾期 by)."""
    for k, label in enumerate(SIGN_OFF):
        ws.cell(first + k, column, label).alignment = Alignment(horizontal="right")
        cell = ws.cell(first + k, column + 1)
        cell.protection, cell.fill, cell.border = Protection(locked=False), FILL, BOX
    dated = ws.cell(first + len(SIGN_OFF) - 1, column + 1)
    dated.number_format = DATE_FORMAT
    when = _date_rule()
    when.add(dated)
    ws.add_data_validation(when)


def _page(ws) -> None:
    """A4 landscape, one sheet wide, the header on every printed sheet and on screen."""
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_options.horizontalCentered = True
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.sheet_properties.pageSetUpPr.fitToPage = 1, True
    ws.page_setup.fitToHeight = 0


def _letter(index: int) -> str:
    return chr(65 + index)


def returns_read(processed_dir: Path) -> pd.DataFrame:
    """The departments' returns the last intake saved (every period), empty when nothing
    was read yet: a form is made before any return comes in."""
    path = Path(processed_dir) / "returns.parquet"
    if not path.exists():
        return pd.DataFrame(columns=["department", "indicator", "value", "year", "month"])
    return pd.read_parquet(path, columns=["department", "indicator", "value", "year", "month"])


def write_all(period: Period, out: Path, params_dir: Path, returns: pd.DataFrame) -> list[Path]:
    """Every department's form for `period` in `out`; `returns` are the returns read so
    far (any periods), for the 上期累计 column."""
    targets = params.check(params_dir)["targets.yaml"]
    indicators = params.indicators(params_dir, period.year)
    named = item_lists.items(params_dir, period.year)
    due = owners.due_date(period, params.thresholds(params_dir)["returns"]["due_day"])
    previous = previous_figures(returns, period)
    plan_names = params.plan_names(params_dir)
    written = []
    for department in departments(indicators, named, list(targets.departments)):
        parts = {
            SHEET: form_rows(department, indicators, plan_names, previous),
            ITEM_SHEET: item_rows(department, named, ("measure", "milestone")),
            VISIT_SHEET: item_rows(department, named, ("visit",)),
        }
        own = previous[previous["department"] == department]
        path = Path(out) / file_name(department, period)
        written.append(write_form(parts, department, period, due, path, own))
    return written
