"""The return the office sends each owning department (部门报表填报模板): one workbook per
department, pre-filled with the indicators it reports (targets.yaml `measure:
department_return`, its `reported_by`) and the items of the named lists it owns
(lists.yaml, any list), so no one types an id or lays out a form of their own.

The form is read back by the intake like any 部门报表: its header says 指标编号 and
本年累计完成, the 填报单位 line above it names the department, and the hidden 指标编号 column
maps each row to its indicator, or to a list's item as `list:item` (intake/returns.py,
ITEM_SEPARATOR). Only the cells to fill are unlocked; the sheet is protected without a
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
from analysis.intake.periods import Period
from analysis.items import lists as item_lists
from analysis.measures import owners

SHEET = "进展"
HEADER_ROW = 3
COLUMNS = {  # header → (width, field of the row table)
    "序号": (6, "number"),
    "计划": (14, "plan"),
    "指标（项目）名称": (46, "name"),
    "单位": (8, "unit"),
    "年度目标": (11, "target"),
    "上期累计": (11, "previous"),
    "本年累计完成": (13, None),
    "备注": (24, None),
    "指标编号": (24, "id"),
}
VALUE, NOTE, ID = "本年累计完成", "备注", "指标编号"
SIGN_OFF = ("填报人：", "联系电话：", "报送日期：")
# What a department reports for an item of a list, by the list's kind (its unit:
# intake/returns.py ITEM_UNITS); an item of any other kind in its indicator's unit.
ITEM_FIGURES = {"project": "本年累计完成投资", "firm": "本年累计金额"}
FILL = PatternFill("solid", fgColor="FFF2CC")  # the cells to fill, pale yellow
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
ROW_COLUMNS = ["id", "plan", "name", "unit", "target", "previous", "kind"]


def departments(indicators: pd.DataFrame, named: pd.DataFrame, order: list[str]) -> list[str]:
    """Every department that owes a return: a reporter of an indicator or an owner of a
    list's item, in targets.yaml's order of departments."""
    owing = set()
    for ind in indicators[indicators["measure"] == "department_return"].itertuples():
        owing.update(department_returns.reporters(ind))
    for owner in named["owner"]:
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
    department: str,
    indicators: pd.DataFrame,
    named: pd.DataFrame,
    plan_names: dict[int, str],
    previous: pd.DataFrame,
) -> pd.DataFrame:
    """The rows of one department's form: its indicators, then its lists' items, with
    the figure of its previous return beside each (ROW_COLUMNS)."""
    rows = []
    for ind in indicators[indicators["measure"] == "department_return"].itertuples():
        if department in department_returns.reporters(ind):
            target, name = _own_target(ind, department)
            rows.append((ind.id, plan_names[ind.plan], name, ind.unit, target, "indicator"))
    units = indicators.set_index("id")["unit"]
    for item in named.itertuples():
        if department not in item.owner.split("、"):
            continue
        unit = department_returns.ITEM_UNITS.get(item.kind, units.get(item.indicator, ""))
        figure = ITEM_FIGURES.get(item.kind, "")
        name = f"{item.list_name}：{item.item}" + (f"（{figure}）" if figure else "")
        target = pd.to_numeric(item.item_target, errors="coerce")
        rows.append(
            (
                department_returns.item_key(item.list, item.item_id, item.credit_code, item.item),
                *(plan_names[item.plan], name, unit or "", target, "item"),
            )
        )
    table = pd.DataFrame(rows, columns=["id", "plan", "name", "unit", "target", "kind"])
    mine = previous[previous["department"] == department].set_index("indicator")["value"]
    table["previous"] = table["id"].map(mine)
    return table[ROW_COLUMNS]


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
        f"1．请于{due.year}年{due.month}月{due.day}日前报送本表（报送截止日期）。",
        f"2．“本年累计完成”填写{period.year}年1月至{period.month}月的累计数，只填数字；"
        "单位为“%”的填0–100之间的数，其余填大于或等于0的数。",
        "3．清单项目行：项目填本年累计完成投资（万元），企业填本年累计金额（万元）；"
        "暂无进展的填0，未填的行视为未报送。",
        "4．“上期累计”为本单位"
        + (f"{before}报表所报的数" if before else "上期报表所报的数（本年尚无上期报表）")
        + "，本期累计数一般不应低于上期，如有调减请在“备注”中说明原因。",
        "5．请勿增删行列、修改指标名称或改动表格结构；填写后连同填报人、联系电话、"
        "报送日期一并报送。",
    ]


def write_form(
    rows: pd.DataFrame, department: str, period: Period, due: date, path: Path, previous
) -> Path:
    """One department's form at `path`: title, 填报单位 line, header, its rows, the
    sign-off lines and the filling instructions; only the cells to fill unlocked."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    width = _letter(len(COLUMNS) - 2)  # the last column shown; the id column after it
    ws["A1"] = f"{period.label}{department}工业振兴十大计划工作进展表"
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{width}1")
    ws["A2"] = f"填报单位：{department}"
    ws.merge_cells("A2:D2")
    _table(ws, rows)
    below = HEADER_ROW + len(rows) + 2
    _sign_off(ws, below)
    for k, line in enumerate(_instructions(period, due, previous), start=below + 4):
        ws.cell(k, 1, line).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(f"A{k}:{width}{k}")
        ws.row_dimensions[k].height = 30
    ws.protection.sheet = True
    _page(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _table(ws, rows: pd.DataFrame) -> None:
    """The header and one row per indicator or item; 本年累计完成 and 备注 unlocked, the
    figure validated by its unit, the id column hidden."""
    headers = list(COLUMNS)
    for j, header in enumerate(headers):
        cell = ws.cell(HEADER_ROW, j + 1, header)
        cell.font, cell.border = Font(bold=True), BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[_letter(j)].width = COLUMNS[header][0]
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


def _sign_off(ws, first: int) -> None:
    """填报人, 联系电话 and 报送日期, a line each from row `first`: the label, then the cell
    to fill (报送日期 a date, the day the office judges 逾期 by)."""
    for k, label in enumerate(SIGN_OFF):
        ws.cell(first + k, 2, label).alignment = Alignment(horizontal="right")
        cell = ws.cell(first + k, 3)
        cell.protection, cell.fill, cell.border = Protection(locked=False), FILL, BOX
    dated = ws.cell(first + len(SIGN_OFF) - 1, 3)
    dated.number_format = 'yyyy"年"m"月"d"日"'
    when = DataValidation(type="date", operator="greaterThan", formula1="36526")  # 2000-01-01
    when.error, when.showErrorMessage, when.allow_blank = "请填写日期，如 2027-01-05", True, True
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
    written = []
    for department in departments(indicators, named, list(targets.departments)):
        rows = form_rows(department, indicators, named, params.plan_names(params_dir), previous)
        own = previous[previous["department"] == department]
        path = Path(out) / file_name(department, period)
        written.append(write_form(rows, department, period, due, path, own))
    return written
