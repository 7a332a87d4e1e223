"""Finding the table in a bureau workbook, as the bureau laid it out.

A sheet is a grid of cells. Above the table sit a title and a unit line; the header may
span rows under merged cells; inside the table come total rows, group labels and blank
rows; below it notes and sign-off lines. This module reads every visible sheet as text
with a Rust-backed reader (fastexcel; Excel's cached formula values, error cells reported)
and, beside it, what only the sheet's XML tells (sheetxml.py: hidden sheets and rows,
merged cells, formulas saved without a value); finds the header by the aliases in
params/columns.yaml, joins multi-row headers, tells each column's field and unit and the
table's kind, and splits the rows below into data rows and rows recognised as totals,
notes or group labels, each with its Excel row number.
"""

import csv
import io
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import fastexcel
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analysis.errors import InputFileError
from analysis.intake import context, sheethead, sheetxml, signoff

SIGNED_KINDS = ("returns", "progress")  # a department's return sheets: 报送日期 read
HEADER_SCAN_ROWS = 200  # a header is searched for in a sheet's first rows, notes above included
TOTAL_PATTERN = r"^\s*(合\s*计|总\s*计|小\s*计|全\s*[市县]\s*合\s*计|其\s*中)"
NOTE_PREFIXES = ("注", "说明", "备注", "资料来源", "数据来源")
SIGNOFF_WORDS = (
    *("负责人", "填表人", "填报人", "制表人", "审核人"),
    *("报出日期", "填报日期", "报送日期", "联系电话"),
)
SUB_HEADING_WORDS = ("本年", "本期", "本月", "累计", "期末", "人数", "上年", "去年", "同期")
CUMULATIVE = "累计"
_BRACKETED = re.compile(r"[（(]([^）)]*)[）)]")
_REPORTER = re.compile(r"填报单位\s*[:：]\s*([^\s:：]+?)(?:\s|单位[:：]|$)")
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
XML_SUFFIXES = {".xlsx", ".xlsm"}  # zips of XML, where sheetxml.py reads what cells do not
NUMERIC_KINDS = ("amount", "count", "number")
SHOWN_UNSAVED = 10  # formula cells named in the message; the count says how many in all


@dataclass
class Grid:
    """One sheet as text cells (an Arrow table of strings, column j = the sheet's column j);
    row i of `cells` is Excel row i + 1. A hidden sheet has no cells: it is never read."""

    path: Path
    sheet: str
    cells: pa.Table
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    xml: sheetxml.SheetXml = field(default_factory=sheetxml.SheetXml)
    state: str = "visible"

    @property
    def hidden(self) -> bool:
        return self.state != "visible"


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
    choices: list[str] = field(default_factory=list)  # columns chosen over others, and why
    hidden_rows: int = 0  # rows read (data, totals, notes) that the sheet hides
    merged_numbers: list[tuple[int, Column, str]] = field(default_factory=list)
    # (Excel row, column, range) of figures merged over several rows: no firm's own figure
    period_from: str = ""  # the period and every place that states it
    unit_from: str = ""  # the unit of the 单位 line(s) and where they stand
    sent_on: date | None = None  # a department return's 报送日期 (signoff.py)

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

    def firm(self, row: int) -> tuple[str | None, str | None]:
        """The credit code and name of a data row as they stand in the file."""
        found = {c.field: c for c in self.columns if not c.previous}
        return tuple(
            self.shown(row, found[f]) if f in found else None for f in ("credit_code", "name")
        )


def column_letter(index: int) -> str:
    """0 → A, 26 → AA: how Excel names a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


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


def _cells(sheet) -> tuple[pa.Table, int]:
    """The sheet's text cells from column A on (fastexcel starts at the first column in
    use), and how many empty columns were put in front."""
    batch, errors = sheet.to_arrow_with_errors()
    used = sheet.available_columns()
    offset = used[0].absolute_index if used else 0
    columns = [pa.nulls(batch.num_rows, pa.string())] * offset + batch.columns
    cells = pa.table(columns, names=[str(j) for j in range(len(columns))])
    found = {
        (row, col + offset): _error_text(e.detail)
        for e in (errors.errors if errors else [])
        for row, col in [e.position]
    }
    return cells, found


def _excel_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook; a hidden one is listed but not read. An .xlsx file's
    XML is searched in a second thread while fastexcel parses the cells."""
    reader = fastexcel.read_excel(str(path))
    parts = sheetxml.sheet_parts(path) if path.suffix.lower() in XML_SUFFIXES else {}
    grids = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        scans = {
            name: pool.submit(sheetxml.scan_sheet, path, part.member)
            for name, part in parts.items()
            if part.state == "visible"
        }
        for name in reader.sheet_names:
            if name in parts and parts[name].state != "visible":
                grids.append(Grid(path, name, pa.table({}), state=parts[name].state))
                continue
            sheet = reader.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            if sheet.visible != "visible":  # .xls, .ods: known once loaded
                grids.append(Grid(path, name, pa.table({}), state=sheet.visible))
                continue
            cells, errors = _cells(sheet)
            grids.append(Grid(path, name, cells, errors))
        for grid in grids:
            if grid.sheet in scans:
                grid.xml = scans[grid.sheet].result()
    return grids


def _csv_grid(path: Path, raw: bytes | None = None) -> Grid:
    """A CSV as one sheet (or the given start of it); bureaus' CSVs come in UTF-8 or
    GB18030 (GBK)."""
    raw = path.read_bytes() if raw is None else raw
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


_WORKBOOK_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # a zip (xlsx, ods), OLE2 (xls,
# or an .xlsx saved with a password): either is left to the reader, whatever the suffix
_RESAVE = "请用 Excel 或 WPS 打开，另存为 Excel 工作簿（.xlsx）后再导入"


def _not_a_workbook(path: Path) -> str | None:
    """What a file really is when it is no workbook (empty, a web page, text renamed), in
    the user's words with the fix; None when it may be one."""
    with open(path, "rb") as handle:
        start = handle.read(1024)
    if not start:
        return (
            "文件为空（0 字节），没有任何内容：请向报送单位重新索取或重新导出该文件 / "
            "the file is empty (0 bytes): ask the sender for it again or export it again"
        )
    if path.suffix.lower() == ".csv" or start.startswith(_WORKBOOK_STARTS):
        return None
    text = start.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<") or b"<table" in text or b"<html" in text:
        return (
            f"文件实为网页（HTML）表格，只是扩展名为 {path.suffix}（系统导出常见）：{_RESAVE} / "
            f"the file is a web page (HTML table) named {path.suffix}: open it in Excel or WPS, "
            "save it as an Excel workbook (.xlsx) and import that"
        )
    return (
        f"无法作为工作簿读取：文件内容不是 {path.suffix} 工作簿（可能是改了扩展名的文本或"
        f"其他文件，或已损坏）：{_RESAVE} / "
        f"the content is not a {path.suffix} workbook (a renamed or damaged file): open it in "
        "Excel or WPS and save it as .xlsx"
    )


def read_grids(path: Path) -> list[Grid]:
    """Every sheet of a workbook (or the one of a CSV) as a text grid, hidden ones empty."""
    problem = _not_a_workbook(path)
    if problem:
        raise InputFileError(path, problem)
    try:
        return [_csv_grid(path)] if path.suffix.lower() == ".csv" else _excel_grids(path)
    except InputFileError:
        raise
    except Exception as exc:  # fastexcel raises several types for unusable files
        message = str(exc).lower()
        if "password" in message or "encrypt" in message:
            problem = (
                "工作簿有密码保护，无法读取：请在 Excel 或 WPS 中取消密码后另存再导入 / "
                "password-protected: remove the password, save and import again"
            )
        else:
            problem = (
                f"无法作为工作簿读取（文件已损坏或不完整，例如复制或下载时中断）：{_RESAVE}，"
                "打不开时请向报送单位重新索取 / not a readable workbook (damaged or cut "
                "short): open it in Excel or WPS and save it again, or ask the sender for it"
            )
        raise InputFileError(path, problem) from exc


def head_grids(path: Path, rows: int, limit: int) -> list[tuple[Grid, int]]:
    """Every sheet's first `rows` rows as a grid (hidden sheets empty), each with the
    sheet's row count, without parsing the rest where the format allows (sheethead.py);
    a sheet's count is exact up to `limit` at least."""
    problem = _not_a_workbook(path)
    if problem:
        raise InputFileError(path, problem)
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            start, lines = sheethead.csv_head(path)
            grid = _csv_grid(path, start)
            return [(Grid(path, grid.sheet, grid.cells.slice(0, rows)), lines)]
        if suffix in XML_SUFFIXES:
            return [
                (Grid(path, name, cells, state=state), count)
                for name, state, cells, count in sheethead.xlsx_heads(path, rows, limit)
            ]
    except InputFileError:
        raise
    except Exception:  # not readable so: the whole read says why (read_grids)
        pass
    return [
        (Grid(g.path, g.sheet, g.cells.slice(0, rows), state=g.state), g.cells.num_rows)
        for g in read_grids(path)
    ]


class Aliases:
    """Header words and table kinds from params/columns.yaml."""

    def __init__(self, spec: dict):
        fields = spec["fields"].items()
        triples = [(clean_text(a), f, r) for f, d in fields for r, a in enumerate(d["aliases"])]
        self.fields = sorted(triples, key=lambda t: -len(t[0]))
        self.labels = {f: d["aliases"][0] for f, d in fields}
        self.kinds = {f: d["kind"] for f, d in fields}
        self.tables = spec["kinds"]
        q = spec["qualifiers"]
        self.previous = [clean_text(w) for w in q["previous"]]
        self.ignored = [clean_text(w) for w in q["ignored"]]
        self.month_only = [clean_text(w) for w in q["month_only"]]
        self.units = {clean_text(k): float(v) for k, v in spec["units"].items()}
        self.source_units = spec.get("units_by_source") or []  # checked by schema.Columns

    def field_of(self, header: str) -> tuple[str, bool, int] | None:
        """(field, is previous-year column, rank of the alias in the field's list) for a
        joined header, or None if not ours. The longest alias found in the header decides
        the field; its place in the field's list ranks the column against others."""
        text = _BRACKETED.sub("", header)
        for alias, name, rank in self.fields:
            if alias and alias in text:
                rest = text.replace(alias, "", 1)
                if any(word in rest for word in self.ignored) or self._month_only(rest):
                    return None
                return name, any(word in rest for word in self.previous), rank
        return None

    def _month_only(self, qualifier: str) -> bool:
        """A column of one month alone (本月, 当月), not the cumulative one (本月止累计)."""
        return CUMULATIVE not in qualifier and any(w in qualifier for w in self.month_only)

    def aliases_of(self, name: str) -> list[str]:
        return [alias for alias, field, _ in self.fields if field == name]

    def unit_of_source(self, path: Path, kind: str) -> str | None:
        """The unit params/columns.yaml gives a source whose sheets state none: the first
        entry whose file pattern (matched against the end of the path) and kind fit."""
        for rule in self.source_units:
            if (rule.get("files") is None or Path(path).match(rule["files"])) and (
                rule.get("kind") is None or rule["kind"] == kind
            ):
                return clean_text(rule["unit"])
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


def _classify(body: pa.Table, labels: list[int], values: list[int], numbers: list[int]):
    """Which rows below the header hold data; and, by position, what each row set aside is:
    'total', 'note' or 'group' (blank rows are neither). A note alone on its row counts as
    a note even when it stands in a column of codes or dates, as long as the row has no
    figure."""
    present = [_present(body.column(j)) for j in range(body.num_columns)]
    blank = ~np.logical_or.reduce(present)
    totals = [
        pc.match_substring_regex(body.column(j), TOTAL_PATTERN).fill_null(False) for j in labels
    ]
    total = np.logical_or.reduce([t.to_numpy(zero_copy_only=False) for t in totals]) & ~blank
    has_values = np.logical_or.reduce([present[j] for j in values] or [np.zeros_like(blank)])
    none = [np.zeros_like(blank)]
    has_numbers = np.logical_or.reduce([present[j] for j in numbers] or none)
    alone = np.sum(present, axis=0) == 1 if present else blank
    for i in np.flatnonzero(has_values & ~has_numbers & alone & ~total).tolist():
        text = next(t for t in (body.column(j)[i].as_py() for j in range(body.num_columns)) if t)
        has_values[i] = not clean_text(text).startswith(NOTE_PREFIXES)
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


def _lines_above(head: list[list], block: list[int]) -> list[tuple[int, str]]:
    """Each non-empty row above the header as (Excel row, its cells' text joined)."""
    lines = [(i + 1, " ".join(str(c) for c in row if c is not None)) for i, row in enumerate(head)]
    return [(row, text) for row, text in lines[: block[0]] if text.strip()]


def _choose_columns(grid: Grid, headers: list[str], aliases: Aliases):
    """The column read for each field (current and previous year apart). When several
    columns match one field, the alias listed first in params/columns.yaml wins, never
    the column's place; two of the same rank are refused, both named. Returns the columns
    and a sentence per choice made."""
    candidates: dict[tuple[str, bool], list[tuple[int, int, str]]] = {}
    for j, header in enumerate(headers):
        found = aliases.field_of(header)
        if found:
            candidates.setdefault(found[:2], []).append((found[2], j, header))
    columns, choices = [], []
    for (name, previous), found in candidates.items():
        found.sort()
        rank, j, header = found[0]
        named = [f"「{h}」（{column_letter(i)}列）" for _, i, h in found]
        label = aliases.labels[name] + ("（上年同期）" if previous else "")
        ties = [f for f, (r, _, _) in zip(named, found, strict=True) if r == rank]
        if len(ties) > 1:
            raise InputFileError(
                grid.path,
                f"工作表「{grid.sheet}」有 {len(ties)} 列都可作为「{label}」且别名排序相同："
                f"{'与'.join(ties)}；请在 params/columns.yaml 的 {name} 别名中区分先后，"
                f"或把不用的列名中的区别词加入 qualifiers.ignored / columns "
                f"{', '.join(column_letter(i) for r, i, _ in found if r == rank)} "
                f"all match field {name} with the same rank",
            )
        columns.append(Column(j, header, name, previous, aliases.unit_in(header)))
        if len(found) > 1:
            choices.append(
                f"{label}：取{named[0]}，不取{'、'.join(named[1:])}（columns.yaml 中排序在前）"
            )
    return sorted(columns, key=lambda c: c.index), choices


def _spread_merges(grid: Grid, body: pa.Table, start: int, columns: list[Column], aliases):
    """Cells merged down several rows of the data apply to every row they cover (an
    industry merged over its firms). A figure merged so is no single firm's figure: its
    rows are returned (Excel row, column, range) to be quarantined."""
    by_index = {c.index: c for c in columns}
    take: dict[int, np.ndarray] = {}
    merged_numbers = []
    for r0, c0, r1, c1 in grid.xml.merged:
        column = by_index.get(c0)
        if column is None or r0 < start or r1 <= r0 or c0 >= body.num_columns:
            continue
        rows = take.setdefault(c0, np.arange(body.num_rows))
        rows[r0 - start + 1 : r1 - start + 1] = r0 - start
        if aliases.kinds[column.field] in NUMERIC_KINDS:
            span = f"{column_letter(c0)}{r0 + 1}:{column_letter(c1)}{r1 + 1}"
            merged_numbers += [(r + 1, column, span) for r in range(r0, r1 + 1)]
    for j, rows in take.items():
        body = body.set_column(j, body.column_names[j], body.column(j).take(rows))
    return body, merged_numbers


def _refuse_unsaved(grid: Grid, start: int, columns: list[Column], aside: dict[int, str]):
    """A formula saved without its value (a file no spreadsheet program has calculated)
    would read as an empty cell: the file is refused, the cells named, the fix said. Only
    cells the table reads count: columns the suite uses, below the header, outside totals
    and notes."""
    used = {c.index for c in columns}
    unsaved = [
        (r, c)
        for r, c in grid.xml.unsaved
        if r < 0 or (r >= start and c in used and aside.get(r - start) not in ("total", "note"))
    ]
    if not unsaved:
        return
    named = [f"{column_letter(c)}{r + 1}" if r >= 0 else "位置不详" for r, c in unsaved]
    shown = "、".join(named[:SHOWN_UNSAVED]) + ("等" if len(named) > SHOWN_UNSAVED else "")
    raise InputFileError(
        grid.path,
        f"工作表「{grid.sheet}」有 {len(unsaved)} 个公式单元格没有保存计算结果（{shown}），"
        "不能当作空值读取：请用 Excel 或 WPS 打开并保存后再导入 / "
        f"{len(unsaved)} formula cells have no saved value (the file was written by a program "
        "that does not calculate): open and save it in Excel or WPS, then import it again",
    )


def find_table(grid: Grid, aliases: Aliases) -> SheetTable | None:
    """The table on one sheet, or None when the sheet holds no table the suite knows."""
    top = grid.cells.slice(0, HEADER_SCAN_ROWS)
    head = [list(row) for row in zip(*(c.to_pylist() for c in top.columns), strict=True)]
    block = _header_rows(head, aliases)
    if not block:
        return None
    columns, choices = _choose_columns(grid, _joined_headers(head, block), aliases)
    kind = aliases.table_kind({c.field for c in columns})
    lines = _lines_above(head, block)
    units = context.unit_candidates(lines)
    unit = context.agreed(units, "金额单位", grid.path, grid.sheet, context.UNIT_FIX)
    reporter = _REPORTER.search(" ".join(text for _, text in lines if not context.is_note(text)))
    has_period_column = any(c.field == "period" for c in columns)
    periods = [] if has_period_column else context.period_candidates(lines, grid.path, grid.sheet)
    period = context.agreed(periods, "报告期", grid.path, grid.sheet, context.PERIOD_FIX)
    months = context.header_months(columns)
    if periods:
        context.check_header_months(months, period, periods[0].where, grid.path, grid.sheet)
    if period is None and not has_period_column:
        raise InputFileError(
            grid.path,
            f"工作表「{grid.sheet}」无法确定报告期：表中无报告期列，标题、文件名、工作表名中也没有"
            "如“2026年1-9月”的字样（注释行不算）：请在标题或文件名中写明 / no reporting period "
            "in a column, the title, the file name or the sheet name: state it in the title or "
            "the file name",
        )
    start = block[-1] + 1  # the first row below the header, counted from 0
    body, merged_numbers = _spread_merges(grid, grid.cells.slice(start), start, columns, aliases)
    excel_rows = np.arange(start + 1, start + 1 + body.num_rows)
    labels = [c.index for c in columns if c.field == "name"] + [0]
    values = [c.index for c in columns if aliases.kinds[c.field] not in ("text",)]
    numbers = [c.index for c in columns if aliases.kinds[c.field] in NUMERIC_KINDS]
    data, aside = _classify(body, sorted(set(labels)), values, numbers)
    _refuse_unsaved(grid, start, columns, aside)
    kept = excel_rows[data]
    read = np.concatenate([kept, excel_rows[list(aside)]])
    return SheetTable(
        grid=grid,
        kind=kind,
        period=period,
        columns=columns,
        sheet_unit=unit,
        reporter=reporter.group(1) if reporter else None,
        body=_rows(body, data),
        rows=kept,
        skipped={int(excel_rows[i]): what for i, what in aside.items()},
        choices=choices,
        hidden_rows=_read_hidden(grid.xml.hidden_rows, read),
        merged_numbers=[m for m in merged_numbers if m[0] in kept],
        period_from="按报告期列" if has_period_column else context.period_text(periods + months),
        unit_from=context.unit_text(units, columns),
        sent_on=_sent_on(lines, body, aside) if kind in SIGNED_KINDS else None,
    )


def _sent_on(lines: list[tuple[int, str]], body: pa.Table, aside: dict[int, str]):
    """The 报送日期 a return states above its header or on a line set aside below it."""
    below = [
        " ".join(str(v) for j in range(body.num_columns) if (v := body.column(j)[i].as_py()))
        for i in aside
    ]
    return signoff.sent_on([text for _, text in lines] + below)


def _read_hidden(hidden_rows: list[int], read: np.ndarray) -> int:
    """How many of the rows read the sheet hides (most sheets hide none: no search)."""
    return int(np.isin(np.asarray(hidden_rows) + 1, read).sum()) if hidden_rows else 0


class NoHeaderError(InputFileError):
    """A workbook in which no sheet has a header the aliases recognise; the intake collects
    them so that one message names every such file."""

    def __init__(self, path, diagnosis: str):
        self.diagnosis = diagnosis
        super().__init__(path, f"未找到可识别的表头：{diagnosis}")


def _best_header_row(grids: list[Grid], aliases: Aliases):
    """The row most like a header across a workbook's sheets: most fields recognised, then
    most text cells. Returns (grid, row index, texts, fields) or None for no text at all."""
    best, score = None, (0, 0)
    for grid in grids:
        top = grid.cells.slice(0, HEADER_SCAN_ROWS)
        rows = zip(*(c.to_pylist() for c in top.columns), strict=True) if top.num_columns else []
        for i, row in enumerate(rows):
            texts = [t for t in _texts(row) if t and not _looks_numeric(t)]
            names = {h[0] for h in map(aliases.field_of, texts) if h}
            if (len(names), len(texts)) > score:
                best, score = (grid, i, texts, names), (len(names), len(texts))
    return best


def header_diagnosis(grids: list[Grid], aliases: Aliases) -> str:
    """Why no table was found, in the user's words: the header texts seen, the fields that
    were missing, and where aliases go."""
    hidden = [g.sheet for g in grids if g.hidden]
    skipped = f"（隐藏的工作表{'、'.join(f'「{s}」' for s in hidden)}未读取）" if hidden else ""
    best = _best_header_row([g for g in grids if not g.hidden], aliases)
    if best is None:
        return f"工作簿中没有文字{skipped} / no text in any visible sheet"
    grid, i, texts, names = best
    seen = "、".join(t[:20] for t in texts[:12]) + ("…" if len(texts) > 12 else "")
    where = f"工作表「{grid.sheet}」第{i + 1}行的列名为：{seen}"
    if not names:
        return f"{where}；其中没有一个是已知的列名{skipped} / no known column name"

    def overlap(rule):
        return len(names & (set(rule["requires"]) | set(rule["identity"])))

    top = max(overlap(rule) for rule in aliases.tables.values())
    tied = [(k, r) for k, r in aliases.tables.items() if overlap(r) == top]
    hints = clean_text(f"{grid.path.stem} {grid.sheet} {_text_above(grid, i)}")
    unknown = [t for t in texts if aliases.field_of(t) is None and t not in _NUMBERING]

    def likeness(rule):  # the file's or title's words, then an unknown column's characters
        wanted = [a for f in rule["requires"] if f not in names for a in aliases.aliases_of(f)]
        shared = [len(set(_BRACKETED.sub("", t)) & set(a)) for t in unknown for a in wanted]
        return clean_text(rule["name"]) in hints, max(shared, default=0)

    best = max(likeness(rule) for _, rule in tied)
    kinds = [(k, r) for k, r in tied if likeness(r) == best]
    needs = [(kind, rule, _missing(rule, names, aliases)) for kind, rule in kinds]
    lacking = "，或".join(f"{'、'.join(m)}列（{rule['name']}表需要）" for _, rule, m in needs)
    advice = ""
    if unknown:
        fields = "、".join(f for _, rule, _ in needs for f in rule["requires"] if f not in names)
        advice = (
            f"；未识别的列名：{'、'.join(unknown[:8])}——若其中一列就是所缺的列，请把它的列名"
            f"加入 params/columns.yaml 中 {fields or '相应字段'} 的 aliases"
        )
    english = "; ".join(
        f"no column for {', '.join(f for f in rule['requires'] if f not in names) or 'identity'}"
        f" ({kind})"
        for kind, rule, _ in needs
    )
    return f"{where}；缺少{lacking}{advice}{skipped} / {english}"


_NUMBERING = {"序号", "编号", "行次"}


def _missing(rule: dict, names: set[str], aliases: Aliases) -> list[str]:
    """The fields a kind of table needs that a header lacks, by their first alias."""
    missing = [f"「{aliases.labels[f]}」" for f in rule["requires"] if f not in names]
    if not names & set(rule["identity"]):
        missing.append("或".join(f"「{aliases.labels[f]}」" for f in rule["identity"]))
    return missing


def _text_above(grid: Grid, row: int) -> str:
    """The text of a sheet's rows above `row` (its title): a hint of the kind of table."""
    top = grid.cells.slice(0, row)
    return " ".join(str(v) for c in top.columns for v in c.to_pylist() if v is not None)
