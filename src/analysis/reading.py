"""Finding the table in a bureau workbook, as the bureau laid it out.

A sheet is a grid of cells. Above the table sit a title and a unit line; the header may
span rows under merged cells; inside the table come total rows, group labels and blank
rows; below it notes and sign-off lines. This module reads every sheet as text with a
Rust-backed reader (fastexcel; Excel's cached formula values, error cells reported), finds
the header by the aliases in params/columns.yaml, joins multi-row headers, tells each
column's field and unit and the table's kind, and splits the rows below into data rows and
rows recognised as totals, notes or group labels, each with its Excel row number.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import InputFileError
from analysis.periods import period_from_text

HEADER_SCAN_ROWS = 30
TOTAL_PATTERN = r"^\s*(合\s*计|总\s*计|小\s*计|全\s*[市县]\s*合\s*计|其\s*中)"
NOTE_PREFIXES = ("注", "说明", "备注", "资料来源", "数据来源")
SIGNOFF_WORDS = ("负责人", "填表人", "制表人", "审核人", "报出日期", "填报日期", "联系电话")
SUB_HEADING_WORDS = ("本年", "本期", "累计", "期末", "人数", "上年", "去年", "同期")
_BRACKETED = re.compile(r"[（(]([^）)]*)[）)]")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(亿元|万元|千元|元)")
_REPORTER = re.compile(r"填报单位\s*[:：]\s*([^\s:：]+?)(?:\s|单位[:：]|$)")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


@dataclass
class Grid:
    """One sheet as text cells (an Arrow table of strings, column j = the sheet's column j);
    row i of `cells` is Excel row i + 1."""

    path: Path
    sheet: str
    cells: pa.Table
    errors: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    """A table column the suite understands: which field, current or previous, its unit."""

    index: int
    header: str
    field: str
    previous: bool
    unit: str | None


@dataclass
class SheetTable:
    """The table found on a sheet: its kind, columns, data rows and the rows set aside."""

    grid: Grid
    kind: str
    period: tuple[int, int] | None
    columns: list[Column]
    sheet_unit: str | None
    reporter: str | None
    body: pa.Table  # data rows only, as text
    rows: np.ndarray  # the Excel row number of each row of `body`
    skipped: dict[int, str]  # Excel row number → 'total' / 'note' / 'group'

    @property
    def path(self) -> Path:
        return self.grid.path

    @property
    def sheet(self) -> str:
        return self.grid.sheet

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns}

    def cells(self, column: Column) -> pa.Array:
        cells = self.body.column(column.index)
        return cells.chunk(0) if cells.num_chunks == 1 else cells.combine_chunks()

    def shown(self, row: int, column: Column):
        """The text of one cell as the sheet shows it, by Excel row number."""
        return self.body.column(column.index)[int(np.searchsorted(self.rows, row))].as_py()


def clean_text(value) -> str:
    """A header or label cell as comparable text: NFKC-folded, without any spaces."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _error_text(detail: str) -> str:
    """fastexcel's "Expected string but got 'Error(NA)'" as Excel shows it: #N/A."""
    names = {
        "NA": "#N/A",
        "Div0": "#DIV/0!",
        "Value": "#VALUE!",
        "Ref": "#REF!",
        "Name": "#NAME?",
        "Num": "#NUM!",
        "Null": "#NULL!",
    }
    match = re.search(r"Error\((\w+)\)", detail)
    return names.get(match.group(1), match.group(1)) if match else detail


def _excel_grids(path: Path) -> list[Grid]:
    reader = fastexcel.read_excel(str(path))
    grids = []
    for name in reader.sheet_names:
        sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
        batch, errors = sheet.to_arrow_with_errors()
        cells = pa.Table.from_batches([batch])
        found = {e.position: _error_text(e.detail) for e in (errors.errors if errors else [])}
        grids.append(Grid(path, name, cells, found))
    return grids


def _csv_grid(path: Path) -> Grid:
    """A CSV as one sheet; bureaus' CSVs come in UTF-8 or GB18030 (GBK)."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputFileError(path, "无法识别文本编码（应为 UTF-8 或 GBK） / unknown text encoding")
    rows = list(csv.reader(io.StringIO(text)))
    width = max((len(r) for r in rows), default=0)
    columns = [[r[j] if j < len(r) and r[j].strip() else None for r in rows] for j in range(width)]
    cells = pa.table({str(j): pa.array(c, pa.string()) for j, c in enumerate(columns)})
    return Grid(path, path.stem, cells)


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook (or the one of a CSV) as a text grid."""
    try:
        if path.suffix.lower() == ".csv":
            return [_csv_grid(path)]
        return _excel_grids(path)
    except InputFileError:
        raise
    except Exception as exc:  # fastexcel raises several types for unusable files
        message = str(exc).splitlines()[0][:200]
        if "password" in message.lower() or "encrypt" in message.lower():
            problem = "工作簿有密码保护，无法读取 / password-protected"
        else:
            problem = (
                f"无法作为工作簿读取（文件损坏或格式不符） / not a readable workbook: {message}"
            )
        raise InputFileError(path, problem) from exc


class Aliases:
    """Header words and table kinds from params/columns.yaml."""

    def __init__(self, spec: dict):
        pairs = [(clean_text(a), f) for f, d in spec["fields"].items() for a in d["aliases"]]
        self.fields = sorted(pairs, key=lambda p: -len(p[0]))
        self.kinds = {f: d["kind"] for f, d in spec["fields"].items()}
        self.tables = spec["kinds"]
        q = spec["qualifiers"]
        self.previous = [clean_text(w) for w in q["previous"]]
        self.ignored = [clean_text(w) for w in q["ignored"]]
        self.units = {clean_text(k): float(v) for k, v in spec["units"].items()}

    def field_of(self, header: str) -> tuple[str, bool] | None:
        """(field, is previous-year column) for a joined header, or None if not ours."""
        text = _BRACKETED.sub("", header)
        for alias, name in self.fields:
            if alias and alias in text:
                rest = text.replace(alias, "", 1)
                if any(word in rest for word in self.ignored):
                    return None
                return name, any(word in rest for word in self.previous)
        return None

    def unit_in(self, header: str) -> str | None:
        for inner in _BRACKETED.findall(header):
            if clean_text(inner) in self.units:
                return clean_text(inner)
        return None

    def table_kind(self, fields: set[str]) -> str | None:
        """The first kind whose required fields and one identity field are all present."""
        for kind, rule in self.tables.items():
            if set(rule["requires"]) <= fields and fields & set(rule["identity"]):
                return kind
        return None


def _texts(row: list) -> list[str]:
    return [clean_text(c) for c in row]


def _header_rows(rows: list[list], aliases: Aliases) -> list[int]:
    """Row indexes of the header block: the first row whose known fields make a table kind,
    plus the rows under it that carry sub-headings (本年累计 | 上年同期) rather than data."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        hits = {aliases.field_of(t) for t in _texts(row) if t}
        names = {h[0] for h in hits if h}
        if len(names) < 2 or not aliases.table_kind(names):
            continue
        block = [i]
        for j in range(i + 1, min(i + 3, len(rows))):
            texts = [t for t in _texts(rows[j]) if t]
            numeric = any(_looks_numeric(t) for t in texts)
            if texts and not numeric and any(w in t for t in texts for w in SUB_HEADING_WORDS):
                block.append(j)
                continue
            break
        return block
    return []


def _looks_numeric(text: str) -> bool:
    return bool(re.fullmatch(r"[-+]?[\d,]*\.?\d+", text))


def _joined_headers(rows: list[list], block: list[int]) -> list[str]:
    """One text per column, upper header rows forward-filled across their merged span."""
    layers = [_texts(rows[r]) for r in block]
    bottom = layers[-1]
    for layer in layers[:-1]:
        for j in range(1, len(layer)):
            if not layer[j] and bottom[j] and layer[j - 1]:
                layer[j] = layer[j - 1]
    return ["".join(parts) for parts in zip(*layers, strict=True)]


def _present(column: pa.ChunkedArray) -> np.ndarray:
    return pc.is_valid(column).to_numpy(zero_copy_only=False)


def _classify(body: pa.Table, labels: list[int], values: list[int]):
    """Which rows below the header hold data; and, by position, what each row set aside is:
    'total', 'note' or 'group' (blank rows are neither)."""
    present = [_present(body.column(j)) for j in range(body.num_columns)]
    blank = ~np.logical_or.reduce(present)
    totals = [
        pc.match_substring_regex(body.column(j), TOTAL_PATTERN).fill_null(False) for j in labels
    ]
    total = np.logical_or.reduce([t.to_numpy(zero_copy_only=False) for t in totals]) & ~blank
    has_values = np.logical_or.reduce([present[j] for j in values] or [np.zeros_like(blank)])
    valueless = ~has_values & ~blank & ~total
    aside = dict.fromkeys(np.flatnonzero(total).tolist(), "total")
    for i in np.flatnonzero(valueless).tolist():
        cells = (body.column(j)[i].as_py() for j in range(body.num_columns))
        texts = [t for t in map(clean_text, cells) if t]
        note = texts[0].startswith(NOTE_PREFIXES) or any(
            w in t for t in texts for w in SIGNOFF_WORDS
        )
        aside[i] = "note" if note else "group"
    return ~(blank | total | valueless), aside


def _rows(body: pa.Table, keep: np.ndarray) -> pa.Table:
    """The rows to keep: a slice (no copy) when they run unbroken, as in most sheets where
    totals and notes sit above or below the data; else a filtered copy."""
    positions = np.flatnonzero(keep)
    if positions.size and positions[-1] - positions[0] + 1 == positions.size:
        return body.slice(positions[0], positions.size)
    return body.filter(pa.array(keep))


def _sheet_period(rows_above: str, grid: Grid) -> tuple[int, int] | None:
    return (
        period_from_text(rows_above)
        or period_from_text(grid.path.stem)
        or period_from_text(grid.sheet)
    )


def find_table(grid: Grid, aliases: Aliases) -> SheetTable | None:
    """The table on one sheet, or None when the sheet holds no table the suite knows."""
    top = grid.cells.slice(0, HEADER_SCAN_ROWS)
    head = [list(row) for row in zip(*(c.to_pylist() for c in top.columns), strict=True)]
    block = _header_rows(head, aliases)
    if not block:
        return None
    headers = _joined_headers(head, block)
    columns: list[Column] = []
    for j, header in enumerate(headers):
        found = aliases.field_of(header)
        if found and not any(c.field == found[0] and c.previous == found[1] for c in columns):
            columns.append(Column(j, header, found[0], found[1], aliases.unit_in(header)))
    kind = aliases.table_kind({c.field for c in columns})
    above_cells = [str(c) for row in head[: block[0]] for c in row if c is not None]
    above = " ".join(above_cells)
    unit = _UNIT_LINE.search(clean_text(above))
    reporter = _REPORTER.search(above)
    has_period_column = any(c.field == "period" for c in columns)
    period = None if has_period_column else _sheet_period(clean_text(above), grid)
    if period is None and not has_period_column:
        raise InputFileError(
            grid.path,
            f"工作表「{grid.sheet}」无法确定报告期：表中无报告期列，标题、文件名中也没有"
            "如“2026年1-9月”的字样 / no reporting period in a column, the title or the file name",
        )
    body = grid.cells.slice(block[-1] + 1)
    excel_rows = np.arange(block[-1] + 2, block[-1] + 2 + body.num_rows)
    labels = [c.index for c in columns if c.field == "name"] + [0]
    values = [c.index for c in columns if aliases.kinds[c.field] not in ("text",)]
    data, aside = _classify(body, sorted(set(labels)), values)
    return SheetTable(
        grid=grid,
        kind=kind,
        period=period,
        columns=columns,
        sheet_unit=unit.group(1) if unit else None,
        reporter=reporter.group(1) if reporter else None,
        body=_rows(body, data),
        rows=excel_rows[data],
        skipped={int(excel_rows[i]): what for i, what in aside.items()},
    )
