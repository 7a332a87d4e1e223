"""The sample city's project, award, financing and department-return tables written as
the offices hand them over: a title naming the period, a 填报单位 / 单位 line, one header
row, the rows, a note. Amounts in 万元, dates as real Excel dates, codes as text.
"""

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from analysis import params
from analysis.intake.names import CITY
from analysis.intake.periods import day_label
from analysis.intake.sources import ITEM_HEADER, VISIT_HEADER, Sources
from analysis.sample.rowxml import write_block
from analysis.sample.sources import sent_on

WAN = 10_000
CREATED = datetime.datetime(2026, 1, 1)  # the workbooks' creation date, fixed
EXCEL_EPOCH = pd.Timestamp(1899, 12, 30)  # day 0 of Excel's dates after 1900-02-28
PROJECT_HEADER = {
    "序号": None,
    "项目编号": "project_id",
    "项目名称": "project_name",
    "项目类别": "kind",
    "是否重大技改项目": "major_upgrade",
    "统一社会信用代码": "credit_code",
    "建设单位": "name",
    "所属产业": "industry",
    "计划总投资": "planned_investment",
    "本年计划投资": "annual_plan_investment",
    "本年累计完成投资": "completed_investment",
    "计划开工时间": "planned_start_date",
    "开工时间": "start_date",
    "竣工时间": "completion_date",
    "项目状态": "status",
    "责任单位": "department",
}
PLATFORM_HEADER = {
    "序号": None,
    "统一社会信用代码": "credit_code",
    "企业名称": "name",
    "类别": "kind",
    "级别": "level",
    "平台（项目）名称": "title",
    "批准时间": "approved_date",
}
FINANCING_HEADER = {
    "序号": None,
    "统一社会信用代码": "credit_code",
    "企业名称": "name",
    "事项": "event",
    "金额": "amount",
    "日期": "event_date",
    "备注": "note",
}
RETURN_HEADER = {
    "指标编号": "indicator",
    "指标名称": "indicator_name",
    "本年累计完成": "value",
    "备注": "note",
}


def _column_values(values: pd.Series, column: str) -> list:
    """A tidy column as the office types it: 万元 to two decimals, 是/否, dates, blanks."""
    if column == "major_upgrade":
        return np.where(values.to_numpy(dtype=bool), "是", "否").tolist()
    if column == "done":
        return np.where(values.fillna(False).to_numpy(dtype=bool), "已完成", "推进中").tolist()
    if column.endswith("investment") or column == "amount":
        amounts = values.to_numpy(dtype=float) / WAN
        return [None if a != a else round(a, 2) for a in amounts.tolist()]
    if column.endswith("_date"):
        return excel_dates(values)
    if column == "value":
        return [None if v != v else v for v in values.to_numpy(dtype=float).tolist()]
    return values.astype(object).where(values.notna(), None).tolist()


def excel_dates(values: pd.Series) -> list:
    """Dates as Excel's serial day numbers (what a date cell holds, 1900 date system), a whole
    column at once; None where there is no date."""
    days = (pd.to_datetime(values) - EXCEL_EPOCH).dt.days.to_numpy(dtype=float, na_value=np.nan)
    return [None if d != d else d for d in days.tolist()]


BLOCK_ROWS = 20_000  # rows built as XML at once: a few MB of text


def write_rows(ws: Worksheet, first_row: int, columns: list[list], formats: list, gap=None):
    """Stream a table's rows under its header, from column A (a blank value: an empty cell,
    formatted if its column is). `gap`: the count of rows after which one blank row is left.
    Returns the next free row.

    Blocks of rows go in as XML (rowxml.write_block: the same bytes, far fewer Python calls
    per cell); a block it cannot take is written cell by cell through xlsxwriter."""
    count = len(columns[0]) if columns else 0
    rows = [first_row + i + (1 if gap and i >= gap else 0) for i in range(count)]
    for start in range(0, count, BLOCK_ROWS):
        block = rows[start : start + BLOCK_ROWS]
        values = [column[start : start + BLOCK_ROWS] for column in columns]
        if not write_block(ws, block, 0, values, formats):
            for row, cells in zip(block, zip(*values, strict=True), strict=True):
                for col, (value, style) in enumerate(zip(cells, formats, strict=True)):
                    ws.write(row, col, value, style)
    return first_row + count + (1 if gap and gap <= count else 0)


def new_workbook(path: Path) -> Workbook:
    """A workbook streamed to `path` row by row (xlsxwriter's constant-memory mode: a large
    city's sheets are written in seconds and never held whole), dated at a fixed moment so
    that the same seed gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(path, {"constant_memory": True})
    book.set_properties({"created": CREATED})
    return book


def _formats(book: Workbook, header: dict) -> list:
    """Each column's cell format: codes as text, dates as dates, amounts with separators."""
    code = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    amount = book.add_format({"num_format": "#,##0.00"})
    formats = []
    for column in header.values():
        if column == "credit_code":
            formats.append(code)
        elif column and column.endswith("_date"):
            formats.append(date)
        elif column and (column.endswith("investment") or column == "amount"):
            formats.append(amount)
        else:
            formats.append(None)
    return formats


def write_book(path: Path, sheets: list[tuple]):
    """One workbook in the offices' layout, a sheet for each (sheet, title, unit line,
    header, rows); returns its path."""
    book = new_workbook(path)
    for sheet in sheets:
        _add_sheet(book, *sheet)
    book.close()
    return path


def _add_sheet(
    book: Workbook, sheet: str, title: str, unit_line: str, header: dict, rows: pd.DataFrame
) -> None:
    ws = book.add_worksheet(sheet)
    last = len(header) - 1
    ws.merge_range(
        0, 0, 0, last, title, book.add_format({"bold": True, "font_size": 14, "align": "center"})
    )
    ws.merge_range(1, 0, 1, last, unit_line)
    ws.write_row(
        2, 0, list(header), book.add_format({"bold": True, "align": "center", "text_wrap": True})
    )
    columns = [
        list(range(1, len(rows) + 1)) if column is None else _column_values(rows[column], column)
        for column in header.values()
    ]
    write_rows(ws, 3, columns, _formats(book, header))
    ws.write_string(len(rows) + 4, 0, "注：本表数据为本年1月1日起累计数。")
    for col, name in enumerate(header):
        ws.set_column(col, col, max(8, 2.2 * len(name) + 4))
    ws.freeze_panes(3, 0)


def _periods(table: pd.DataFrame):
    return table.groupby(["year", "month"], sort=True)


def write_sources(
    sources: Sources, out_dir: Path, params_dir: Path = params.PARAMS_DIR
) -> list[Path]:
    """Every period's workbooks of the offices under `out_dir`, one folder each."""
    return [write_book(*book) for book in source_sheets(sources, out_dir, params_dir)]


def source_sheets(
    sources: Sources, out_dir: Path, params_dir: Path = params.PARAMS_DIR
) -> list[tuple]:
    """The arguments of write_book for each of the offices' workbooks, so that they can be
    written side by side. A department's workbook holds its figures (进展), the measures
    and milestones it carries out (事项进展) and, at 经信局, its visits (企业走访)."""
    out_dir = Path(out_dir)
    sheets = []
    for (year, month), rows in _periods(sources.projects):
        sheets.append(
            _one(
                out_dir / "项目办" / f"{year}年1-{month}月重点项目及技改项目进展.xlsx",
                "项目",
                f"{year}年1-{month}月全市重点项目及技改项目进展情况",
                f"填报单位：{CITY}市重大项目办公室    单位：万元",
                PROJECT_HEADER,
                rows.sort_values("project_id"),
            )
        )
    for (year, month), rows in _periods(sources.platforms):
        sheets.append(
            _one(
                out_dir / "科技局" / f"{year}年1-{month}月创新平台及科技项目.xlsx",
                "创新平台",
                f"{year}年1-{month}月新建创新平台及科技立项情况",
                f"填报单位：{CITY}市科学技术局",
                PLATFORM_HEADER,
                rows.sort_values(["approved_date", "kind"]),
            )
        )
    for (year, month), rows in _periods(sources.financing):
        sheets.append(
            _one(
                out_dir / "金融办" / f"{year}年1-{month}月企业融资及上市推进.xlsx",
                "融资",
                f"{year}年1-{month}月企业融资及上市推进情况",
                f"填报单位：{CITY}市金融工作办公室    单位：万元",
                FINANCING_HEADER,
                rows.sort_values("event_date", kind="stable"),
            )
        )
    names = params.indicators(params_dir).set_index("id")["name"]
    returns = sources.returns.assign(indicator_name=lambda f: f["indicator"].map(names))
    books: dict[tuple, list] = {}
    keys = ["year", "month", "department"]
    for (year, month, department), rows in returns.groupby(keys):
        books.setdefault((year, month, department), []).append(
            ("进展", f"{year}年1-{month}月{department}十大计划工作进展", RETURN_HEADER, rows)
        )
    progress = sources.progress
    visits = progress["item_list"].notna()
    for (year, month, department), rows in progress[~visits].groupby(keys):
        books.setdefault((year, month, department), []).append(
            ("事项进展", f"{year}年1-{month}月{department}十大计划事项进展", ITEM_HEADER, rows)
        )
    for (year, month, department), rows in progress[visits].groupby(keys):
        books.setdefault((year, month, department), []).append(
            ("企业走访", f"{year}年1-{month}月重点企业和成长型企业走访情况", VISIT_HEADER, rows)
        )
    for (year, month, department), parts in sorted(books.items()):
        path = out_dir / "部门报表" / f"{year}年1-{month}月{department}工作进展.xlsx"
        unit = f"填报单位：{department}    报送日期：{day_label(sent_on(year, month, department))}"
        sheets.append(
            (path, [(name, title, unit, header, rows) for name, title, header, rows in parts])
        )
    return sheets


def _one(path: Path, sheet: str, title: str, unit_line: str, header: dict, rows) -> tuple:
    """write_book's arguments for a workbook of one sheet."""
    return path, [(sheet, title, unit_line, header, rows)]
