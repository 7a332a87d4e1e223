"""督查通报: the scorecard broken down by owning department, for the supervision office to
circulate, as tables with a generated paragraph each and as bulletin.xlsx.

An indicator owned by several departments appears under each of them, with the
department's own reported figure and, where the target is split, its own part and status
(owners.parts); a department whose return is missing is 未报送 there. Within a department
the indicators needing attention come first, the furthest behind on top; each row says
the rule it was judged by (judgement.judge). The
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
from analysis.judgement import ATTENTION, RULES_SUMMARY, STATUS_ORDER
from analysis.measures.plans import UNIT_YUAN
from analysis.measures.targets import STATUS_COLOURS, status_counts
from analysis.report import narrative
from analysis.report.formatting import WITHHELD, status_text

SUMMARY_SHEET = "汇总"
DEPARTMENT_COLUMNS = [  # header, width
    ("序号", 6),
    ("计划", 14),
    ("指标", 30),
    ("单位", 7),
    ("年度目标", 13),
    ("完成（合计）", 13),
    ("本单位报送", 12),
    ("本单位分解目标", 12),
    ("全年预计", 13),
    ("完成进度", 10),
    ("序时进度", 10),
    ("进度差（百分点）", 12),
    ("本单位状态", 15),
    ("考核依据", 24),
    ("责任单位", 28),
]
SUMMARY_COLUMNS = [
    ("序号", 6),
    ("责任单位", 14),
    ("指标数", 8),
    *((status, max(8, 2 * len(status) + 2)) for status in STATUS_ORDER),
    ("通报", 90),
]
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="ECEFF1")
_FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: "_" for c in "[]:*?/\\"})


def _argb(colour: str) -> str:
    """'#c62828' as Excel wants it: opaque, upper case."""
    return "FF" + colour.lstrip("#").upper()


def summary(rows: pd.DataFrame, quarter: Period) -> pd.DataFrame:
    """Per department: indicators by its own status and the bulletin's paragraph; `rows`
    are targets.by_department's rows with the departments' parts."""
    paragraphs = {
        department: narrative.department_paragraph(own, department, quarter)
        for department, own in rows.groupby("department", sort=False)
    }
    table = status_counts(rows)
    return table.assign(paragraph=table["department"].map(paragraphs))


def _workbook_unit(unit: str) -> tuple[float, str, str]:
    """(divisor, unit shown, number format) of an indicator's figures in the workbook:
    money in 万元, rates as percentages, counts whole, whatever the figure."""
    if unit in UNIT_YUAN:
        return UNIT_YUAN["万元"] / UNIT_YUAN[unit], "万元", "#,##0.00"
    if unit == "%":
        return 100.0, "%", "0.0%"
    return 1.0, unit, "#,##0"


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


def _department_sheet(ws, department, own, plan_names, quarter, paragraph: str) -> None:
    title = f"{department}承担指标推进情况（{quarter.label}）"
    columns = len(DEPARTMENT_COLUMNS)
    _heading(ws, title, paragraph, columns)
    _header(ws, *zip(*DEPARTMENT_COLUMNS, strict=True))
    for i, row in enumerate(own.itertuples(), start=1):
        r = 3 + i
        divisor, unit, fmt = _workbook_unit(row.unit)
        figures = (row.target, row.actual, row.own_actual, row.own_target, row.projected)
        _number(ws, r, 1, i, "0")
        _text(ws, r, 2, f"{row.plan} {plan_names.get(row.plan, '')}")
        _text(ws, r, 3, row.name)
        _text(ws, r, 4, unit)
        for column, value in enumerate(figures, start=5):
            _number(ws, r, column, None if pd.isna(value) else value / divisor, fmt)
        _number(ws, r, 10, row.progress, "0.0%")
        if getattr(row, "withheld", False):  # public edition: a few firms' own figures
            for column in (6, 7, 9, 10):
                _text(ws, r, column, WITHHELD)
        _number(ws, r, 11, row.expected_progress, "0.0%")
        _number(ws, r, 12, row.gap, "+0.0;-0.0;0.0")
        _text(ws, r, 13, status_text(row.status))
        _text(ws, r, 14, row.own_rule or row.judged_on)
        _text(ws, r, 15, row.departments)
        for column in range(1, columns + 1):
            ws.cell(row=r, column=column).border = _BORDER
    if len(own):
        _status_colours(ws, f"M4:M{3 + len(own)}")


def _summary_sheet(ws, table: pd.DataFrame, card: pd.DataFrame, quarter: Period) -> None:
    title = f"工业振兴十大计划推进情况督查通报（{quarter.label}）"
    legend = "；".join(status_text(s) for s in STATUS_ORDER)
    line = (
        narrative.no_targets(card, quarter)
        + RULES_SUMMARY.format(schedule=quarter.schedule)
        + f"状态：{legend}。一项指标有多个责任单位的，在每个责任单位下均列出。金额单位：万元。"
    )
    if "withheld" in card and card["withheld"].any():
        line += f"标 {WITHHELD} 的数额由少数企业构成，公开版不公布。"
    _heading(ws, title, line, len(SUMMARY_COLUMNS))
    _header(ws, *zip(*SUMMARY_COLUMNS, strict=True))
    last = len(SUMMARY_COLUMNS)
    for r, row in enumerate(table.to_dict("records"), start=4):
        _number(ws, r, 1, r - 3, "0")
        _text(ws, r, 2, row["department"])
        _number(ws, r, 3, row["indicators"], "0")
        for column, status in enumerate(STATUS_ORDER, start=4):
            _number(ws, r, column, row.get(status, 0), "0")
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
    card: pd.DataFrame,
    rows: pd.DataFrame,
    path: Path,
    quarter: Period,
    plan_names: dict[int, str],
) -> Path:
    """bulletin.xlsx: a summary sheet, then one sheet per department with its indicators;
    `rows` are targets.by_department's rows with the departments' parts (owners.parts)."""
    book = Workbook()
    table = summary(rows, quarter)
    _summary_sheet(book.active, table, card, quarter)
    book.active.title = SUMMARY_SHEET
    taken = {SUMMARY_SHEET}
    paragraphs = dict(zip(table["department"], table["paragraph"], strict=True))
    for department, own in rows.groupby("department", sort=False):
        ws = book.create_sheet(_sheet_name(department, taken))
        _department_sheet(ws, department, own, plan_names, quarter, paragraphs[department])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
