"""督查通报: the scorecard broken down by owning department, for the supervision office to
circulate, as tables with a generated paragraph each and as bulletin.xlsx.

An indicator owned by several departments appears under each of them. Within a
department the indicators needing attention (滞后, 未达标, 预计未达标) come first, the
furthest behind on top; each row says what it was judged on (targets.judge). The
workbook is meant to be edited and forwarded, so statuses are coloured by conditional
formatting (an edited status recolours itself) and text from the data is stored as text.
"""

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, Rule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from analysis.intake.periods import Period
from analysis.measures import targets
from analysis.measures.plans import UNIT_YUAN
from analysis.measures.targets import ATTENTION, STATUS_COLOURS, STATUS_ORDER
from analysis.report import narrative
from analysis.report.formatting import status_text

SUMMARY_SHEET = "汇总"
DEPARTMENT_COLUMNS = [  # header, width
    ("序号", 6),
    ("计划", 14),
    ("指标", 30),
    ("单位", 7),
    ("年度目标", 13),
    ("完成", 13),
    ("全年预计", 13),
    ("完成进度", 10),
    ("序时进度", 10),
    ("进度差（百分点）", 12),
    ("状态", 15),
    ("考核依据", 11),
    ("责任单位", 28),
]
SUMMARY_COLUMNS = [
    ("序号", 6),
    ("责任单位", 14),
    ("指标数", 8),
    *((status, max(8, 2 * len(status) + 2)) for status in STATUS_ORDER),
    ("通报", 90),
]
RULES_LINE = (
    "流量指标完成进度对照序时进度{schedule}；比率指标对照目标值；年末存量指标（分档企业数）"
    "以全年预计对照年度目标；成批认定、签约、融资类指标按年度累计，达到年度目标即为已达标，"
    "12月末考核。"
)
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="ECEFF1")
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _argb(colour: str) -> str:
    """'#c62828' as Excel wants it: opaque, upper case."""
    return "FF" + colour.lstrip("#").upper()


def summary(card: pd.DataFrame, quarter: Period) -> pd.DataFrame:
    """Per department: indicators by status (targets.department_summary) and the
    bulletin's paragraph."""
    rows = targets.by_department(card)
    paragraphs = {
        department: narrative.department_paragraph(own, department, quarter)
        for department, own in rows.groupby("department", sort=False)
    }
    table = targets.department_summary(card)
    return table.assign(paragraph=table["department"].map(paragraphs))


def _in_workbook_unit(value: float, unit: str) -> tuple[float | None, str, str]:
    """(value, unit shown, number format): money in 万元, rates as percentages, counts whole."""
    if pd.isna(value):
        return None, unit, "General"
    if unit in UNIT_YUAN:
        return float(value) * UNIT_YUAN[unit] / UNIT_YUAN["万元"], "万元", "#,##0.00"
    if unit == "%":
        return float(value) / 100, "%", "0.0%"
    return float(value), unit, "#,##0"


def _text(ws: Worksheet, row: int, column: int, value) -> None:
    """Text from the data, kept as text: a name starting with '=' never becomes a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = (
        "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    )
    cell.data_type = "s"


def _number(ws: Worksheet, row: int, column: int, value, number_format: str) -> None:
    cell = ws.cell(row=row, column=column)
    cell.value = None if value is None or pd.isna(value) else float(value)
    cell.number_format = number_format


def _heading(ws: Worksheet, title: str, line: str, width: int) -> None:
    """Title on row 1 and an explanatory paragraph on row 2, both across the table."""
    last = get_column_letter(width)
    _text(ws, 1, 1, title)
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 26
    _text(ws, 2, 1, line)
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = max(30, 16 * (len(line) // 60 + 1))


def _header(ws: Worksheet, names: list[str], widths: list[float]) -> None:
    for column, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        _text(ws, 3, column, name)
        cell = ws.cell(row=3, column=column)
        cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = "A4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def _status_colours(ws: Worksheet, cells: str) -> None:
    """Each status word coloured as the office colours it, whatever edits follow."""
    first = cells.split(":")[0]
    for status, colour in STATUS_COLOURS.items():
        fill = PatternFill("solid", bgColor=_argb(colour), fgColor=_argb(colour))
        style = DifferentialStyle(fill=fill, font=Font(bold=True, color="FFFFFF"))
        rule = Rule(type="containsText", operator="containsText", text=status, dxf=style)
        rule.formula = [f'NOT(ISERROR(SEARCH("{status}",{first})))']
        ws.conditional_formatting.add(cells, rule)


def _department_sheet(ws, department, own, plan_names, quarter) -> None:
    title = f"{department}牵头指标推进情况（{quarter.label}）"
    _heading(ws, title, narrative.department_paragraph(own, department, quarter), 13)
    _header(ws, *zip(*DEPARTMENT_COLUMNS, strict=True))
    for i, row in enumerate(own.itertuples(), start=1):
        r = 3 + i
        target, unit, fmt = _in_workbook_unit(row.target, row.unit)
        actual, _, _ = _in_workbook_unit(row.actual, row.unit)
        projected, _, _ = _in_workbook_unit(row.projected, row.unit)
        _number(ws, r, 1, i, "0")
        _text(ws, r, 2, f"{row.plan} {plan_names.get(row.plan, '')}")
        _text(ws, r, 3, row.name)
        _text(ws, r, 4, unit)
        _number(ws, r, 5, target, fmt)
        _number(ws, r, 6, actual, fmt)
        _number(ws, r, 7, projected, fmt)
        _number(ws, r, 8, row.progress, "0.0%")
        _number(ws, r, 9, row.expected_progress, "0.0%")
        _number(ws, r, 10, row.gap, "+0.0;-0.0;0.0")
        _text(ws, r, 11, status_text(row.status))
        _text(ws, r, 12, row.judged_on)
        _text(ws, r, 13, row.departments)
        for column in range(1, 14):
            ws.cell(row=r, column=column).border = _BORDER
    if len(own):
        _status_colours(ws, f"K4:K{3 + len(own)}")


def _summary_sheet(ws, table: pd.DataFrame, card: pd.DataFrame, quarter: Period) -> None:
    title = f"工业振兴十大计划推进情况督查通报（{quarter.label}）"
    legend = "；".join(status_text(s) for s in STATUS_ORDER)
    line = (
        narrative.no_targets(card, quarter)
        + RULES_LINE.format(schedule=quarter.schedule)
        + f"状态：{legend}。一项指标有多个责任单位的，在每个责任单位下均列出。金额单位：万元。"
    )
    _heading(ws, title, line, len(SUMMARY_COLUMNS))
    _header(ws, *zip(*SUMMARY_COLUMNS, strict=True))
    last = len(SUMMARY_COLUMNS)
    for r, row in enumerate(table.to_dict("records"), start=4):
        _number(ws, r, 1, r - 3, "0")
        _text(ws, r, 2, row["department"])
        _number(ws, r, 3, row["indicators"], "0")
        for column, status in enumerate(STATUS_ORDER, start=4):
            _number(ws, r, column, row[status], "0")
        _text(ws, r, last, row["paragraph"])
        ws.cell(row=r, column=last).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 15 * (len(row["paragraph"]) // 45 + 1)
        for column in range(1, last + 1):
            ws.cell(row=r, column=column).border = _BORDER
    for status in ATTENTION if len(table) else ():
        letter = get_column_letter(4 + STATUS_ORDER.index(status))
        red = PatternFill("solid", bgColor=_argb(STATUS_COLOURS[status]))
        rule = CellIsRule(
            operator="greaterThan", formula=["0"], fill=red, font=Font(bold=True, color="FFFFFF")
        )
        ws.conditional_formatting.add(f"{letter}4:{letter}{3 + len(table)}", rule)


def _sheet_name(department: str, taken: set[str]) -> str:
    """A legal, unique sheet name: no []:*?/\\, at most 31 characters."""
    base = department.translate(_FORBIDDEN_IN_SHEET_NAMES)[:31] or "部门"
    name, n = base, 2
    while name in taken:
        name = f"{base[: 31 - len(str(n)) - 1]}_{n}"
        n += 1
    taken.add(name)
    return name


def write_bulletin(
    card: pd.DataFrame, path: Path, quarter: Period, plan_names: dict[int, str]
) -> Path:
    """bulletin.xlsx: a summary sheet, then one sheet per department with its indicators."""
    rows = targets.by_department(card)
    book = Workbook()
    _summary_sheet(book.active, summary(card, quarter), card, quarter)
    book.active.title = SUMMARY_SHEET
    taken = {SUMMARY_SHEET}
    for department, own in rows.groupby("department", sort=False):
        ws = book.create_sheet(_sheet_name(department, taken))
        _department_sheet(ws, department, own, plan_names, quarter)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
