"""A found table's data rows as typed records, and every cell that cannot be read.

Each column is converted at once (numbers, dates, codes), amounts into yuan. A row with
any unreadable cell is set aside whole, with one quarantine entry per bad cell naming the
file, sheet, Excel row, the firm (credit code and name as the row gives them), column and
value, so no partial row enters the figures and every rejected value is traced to a firm.
"""

from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from analysis.errors import InputFileError
from analysis.intake.codes import credit_code_problems, normalize_credit_codes
from analysis.intake.numbers import NotANumber, parse_dates, parse_numbers, read_cells
from analysis.intake.periods import period_from_text
from analysis.intake.reading import Aliases, Column, SheetTable, column_letter

QUARANTINE_COLUMNS = [
    "file",
    "sheet",
    "row",
    "credit_code",
    "name",
    "column",
    "value",
    "reason_zh",
    "reason_en",
]
FLAGS = {
    "是": True,
    "否": False,
    "Y": True,
    "N": False,
    "√": True,
    "×": False,
    "1": True,
    "0": False,
    # an item return's 完成情况: done, or not yet
    "已完成": True,
    "完成": True,
    "已走访": True,
    "未完成": False,
    "推进中": False,
    "正在推进": False,
    "未开展": False,
}


def where(column: Column) -> str:
    return f"{column.header}（{column_letter(column.index)}列）"


def _unit_factor(table: SheetTable, column: Column, aliases: Aliases, yuan_above: float):
    """Yuan per unit of an amount column: its header, the sheet's unit line, the unit
    params/columns.yaml gives the source (units_by_source), or — only when firm revenue is
    too large to be anything but yuan — yuan; else the sheet is refused."""
    unit = column.unit or table.sheet_unit or aliases.unit_of_source(table.path, table.kind)
    if unit:
        return aliases.units[unit]
    revenue = [c for c in table.columns if c.field == "revenue" and not c.previous]
    if revenue:
        values, _ = parse_numbers(table.cells(revenue[0]))
        if pd.Series(values).median() > yuan_above:
            return 1.0
    raise InputFileError(
        table.path,
        f"工作表「{table.sheet}」金额列「{column.header}」的单位无法确定（表头和“单位：”行中均未注明，"
        "数值大小也不足以判断）；可在表中注明，或在 params/columns.yaml 的 units_by_source 中"
        "为该来源指定 / unit of amount column not stated and magnitude ambiguous: state it "
        "in the sheet or under units_by_source in params/columns.yaml",
    )


def _flag(text: str) -> bool:
    flag = FLAGS.get(text.strip().upper())
    if flag is None:
        raise NotANumber(f"不是“是/否”（或“已完成/推进中”）：{text}")
    return flag


def _period(text: str) -> tuple[int, int]:
    found = period_from_text(text)
    if found is None:
        raise NotANumber(f"无法识别报告期：{text}")
    return found


def _convert(table: SheetTable, column: Column, aliases: Aliases, yuan_above: float):
    """The column's values, and by position the reason a cell could not be read."""
    cells = table.cells(column)
    kind = aliases.kinds[column.field]
    if kind == "code":
        return normalize_credit_codes(cells).to_pandas().array, {}
    if kind == "text":
        return pc.utf8_trim_whitespace(cells).to_pandas().array, {}
    if kind == "date":
        return parse_dates(cells)
    if kind == "flag":
        values, bad = read_cells(cells, _flag)
        return pd.array(values, dtype="boolean"), bad
    if kind == "period":
        return read_cells(cells, _period)
    values, reasons = parse_numbers(cells)
    if kind == "amount" and not np.isnan(values).all():
        values = values * _unit_factor(table, column, aliases, yuan_above)
    return values, reasons


def _record_columns(table: SheetTable, column: Column, aliases: Aliases, yuan_above: float):
    """The record columns one sheet column makes, and by position the reason a cell could
    not be read. A credit code brings its check along (code_problem: flagged in the quality
    report, the row is kept)."""
    values, reasons = _convert(table, column, aliases, yuan_above)
    columns = {f"{column.field}_prev" if column.previous else column.field: values}
    if aliases.kinds[column.field] == "code":
        columns["code_problem"] = credit_code_problems(pd.Series(values)).array
    return columns, reasons


def constant(value: str, length: int) -> pd.Categorical:
    """One label for every row (the file, sheet or kind of a table), stored once."""
    return pd.Categorical.from_codes(np.zeros(length, dtype=np.int8), categories=[value])


def entry(table: SheetTable, row: int, where: str, value, zh: str, en: str) -> dict:
    """A quarantine entry for one cell of a data row, with the row's firm."""
    credit_code, name = table.firm(row)
    return dict(
        file=str(table.path),
        sheet=table.sheet,
        row=int(row),
        credit_code=credit_code,
        name=name,
        column=where,
        value="" if value is None else str(value),
        reason_zh=zh,
        reason_en=en,
    )


def table_records(table: SheetTable, aliases: Aliases, yuan_above: float):
    """Typed records of a table's data rows, and the quarantine entries of its bad cells."""
    converted, problems = {}, []
    # Arrow's kernels let go of the interpreter: two columns are converted at a time
    with ThreadPoolExecutor(max_workers=2) as pool:
        convert = partial(_record_columns, table, aliases=aliases, yuan_above=yuan_above)
        outcomes = list(zip(table.columns, pool.map(convert, table.columns), strict=True))
    for column, (columns, reasons) in outcomes:
        converted |= columns
        cells = table.cells(column)
        problems += [
            entry(
                table,
                table.rows[i],
                where(column),
                cells[i].as_py(),
                f"无法识别的数值（{reason}）",
                "unreadable value",
            )
            for i, reason in reasons.items()
        ]
    problems += [
        entry(
            table,
            row,
            where(column),
            table.shown(row, column),
            f"数值单元格跨行合并（{span}），不是某一家企业的数",
            f"figure merged over several rows ({span}): not one firm's figure",
        )
        for row, column, span in table.merged_numbers
    ]
    records = pd.DataFrame(converted, index=table.rows)
    for (row0, col), error in table.grid.errors.items():
        column = next((c for c in table.columns if c.index == col), None)
        if column is not None and row0 + 1 in records.index:
            problems.append(
                entry(
                    table,
                    row0 + 1,
                    where(column),
                    error,
                    f"Excel 错误值 {error}",
                    f"Excel error value {error}",
                )
            )
    if "period" in records:
        periods = records.pop("period")
        records["year"] = periods.map(lambda p: p[0], na_action="ignore").astype("Int64")
        records["month"] = periods.map(lambda p: p[1], na_action="ignore").astype("Int64")
        missing = periods.isna() & ~records.index.isin([p["row"] for p in problems])
        period_column = next(c for c in table.columns if c.field == "period")
        problems += [
            entry(table, row, where(period_column), "", "缺少报告期", "no period")
            for row in records.index[missing]
        ]
    else:
        records["year"], records["month"] = table.period
    if table.kind in ("returns", "progress") and table.reporter and "department" not in records:
        records["department"] = table.reporter
    if table.kind in ("returns", "progress"):
        records["reported_on"] = pd.Timestamp(table.sent_on) if table.sent_on else pd.NaT
    if problems:
        records = records[~records.index.isin([p["row"] for p in problems])]
    records["kind"] = constant(table.kind, len(records))
    records["source_file"] = constant(str(table.path), len(records))
    records["source_sheet"] = constant(table.sheet, len(records))
    records["source_row"] = records.index.astype(int)
    return records.reset_index(drop=True), problems
