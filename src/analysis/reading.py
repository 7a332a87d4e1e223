"""Finding the table in a bureau workbook and reading it into records with their origin.

A sheet is a grid of cells. Above the table sit a title and a unit line; the header may
span two rows under merged cells; inside the table come total rows, group labels and
blank rows; below it notes and sign-off lines. This module finds the header by the
column aliases in params/columns.yaml, joins multi-row headers, tells each column's field
and unit, and returns every other row with its Excel row number, classified as data or as
a total/note line, so the intake can account for every row it saw.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine

from analysis.errors import InputFileError
from analysis.periods import period_from_text

HEADER_SCAN_ROWS = 30
TOTAL_WORDS = ("合计", "总计", "小计", "全市合计", "总计数")
NOTE_PREFIXES = ("注", "说明", "备注", "资料来源", "数据来源")
SIGNOFF_WORDS = ("负责人", "填表人", "制表人", "审核人", "报出日期", "填报日期", "联系电话")
_BRACKETED = re.compile(r"[（(]([^）)]*)[）)]")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(亿元|万元|千元|元)")


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
    """What one sheet yields: its columns, data rows and the rows recognised as not data."""

    path: Path
    sheet: str
    period: tuple[int, int]
    columns: list[Column]
    sheet_unit: str | None
    rows: list[tuple[int, list]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)

    @property
    def fields(self) -> set[str]:
        return {c.field for c in self.columns}


def clean_text(value) -> str:
    """A header or label cell as comparable text: NFKC-folded, without any spaces."""
    if value is None:
        return ""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _is_blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_grid(path: Path) -> dict[str, list[list]]:
    """Every sheet of a workbook as rows of cell values, row 0 being Excel's row 1."""
    try:
        workbook = python_calamine.CalamineWorkbook.from_path(str(path))
        grids = {}
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            top, left = sheet.start or (0, 0)
            pad = [[""] * (left + max((len(r) for r in rows), default=0))] * top
            grids[name] = pad + [[""] * left + list(r) for r in rows]
        return grids
    except Exception as exc:  # calamine raises several types for unreadable files
        raise InputFileError(path, f"无法作为工作簿读取 / not a readable workbook ({exc})") from exc


class _Aliases:
    """Header words from params/columns.yaml, longest first so 主营业务收入 beats 收入."""

    def __init__(self, spec: dict):
        pairs = [(clean_text(a), f) for f, d in spec["fields"].items() for a in d["aliases"]]
        self.fields = sorted(pairs, key=lambda p: -len(p[0]))
        self.kinds = {f: d["kind"] for f, d in spec["fields"].items()}
        q = spec["qualifiers"]
        self.previous = [clean_text(w) for w in q["previous"]]
        self.ignored = [clean_text(w) for w in q["ignored"]]
        self.units = {clean_text(k): v for k, v in spec["units"].items()}

    def field_of(self, header: str) -> tuple[str, bool] | None:
        """(field, is previous-year column) for a joined header, or None if not ours."""
        text = _BRACKETED.sub("", header)
        for alias, name in self.fields:
            if alias in text:
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


def _header_rows(grid: list[list], aliases: _Aliases) -> list[int]:
    """Row indexes of the header block: the first row naming ≥2 known fields, plus the
    rows under it that carry sub-headings (本年累计 | 上年同期) rather than data."""
    for i, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        hits = {aliases.field_of(clean_text(c)) for c in row if isinstance(c, str) and c.strip()}
        hits.discard(None)
        names = {h[0] for h in hits}
        if len(names) >= 2 and names & {"credit_code", "name"}:
            block = [i]
            for j in range(i + 1, min(i + 3, len(grid))):
                cells = [c for c in grid[j] if not _is_blank(c)]
                words = aliases.previous + ["本年", "本期", "累计", "期末", "人数"]
                sub_heading = cells and all(isinstance(c, str) for c in cells)
                if sub_heading and any(w in clean_text(c) for c in cells for w in words):
                    block.append(j)
                    continue
                break
            return block
    return []


def _joined_headers(grid: list[list], block: list[int]) -> list[str]:
    """One text per column, upper header rows forward-filled across their merged span."""
    width = max(len(grid[r]) for r in block)
    layers = []
    for level, r in enumerate(block):
        row = list(grid[r]) + [""] * (width - len(grid[r]))
        layer = [clean_text(c) for c in row]
        if level < len(block) - 1:
            below = list(grid[block[-1]]) + [""] * (width - len(grid[block[-1]]))
            for j in range(1, width):
                if not layer[j] and not _is_blank(below[j]) and layer[j - 1]:
                    layer[j] = layer[j - 1]
        layers.append(layer)
    return ["".join(parts) for parts in zip(*layers, strict=True)]


def _row_kind(cells: list, label_columns: list[int], value_columns: list[int]) -> str | None:
    """Why a row below the header is not a firm row ('total', 'note', 'group'), or None."""
    texts = [clean_text(c) for c in cells if not _is_blank(c)]
    if not texts:
        return "blank"
    first = texts[0]
    if first.startswith(NOTE_PREFIXES) and len(texts) <= 2:
        return "note"
    if any(word in t for t in texts for word in SIGNOFF_WORDS):
        return "note"
    labels = [clean_text(cells[j]) for j in label_columns if j < len(cells)]
    if any(lab in TOTAL_WORDS or lab.startswith(("其中", "合计", "总计")) for lab in labels):
        return "total"
    if not any(j < len(cells) and not _is_blank(cells[j]) for j in value_columns):
        return "group"
    return None


def read_sheet(path: Path, sheet: str, grid: list[list], spec: dict) -> SheetTable | None:
    """The table on one sheet, or None when the sheet holds no table the suite knows."""
    aliases = _Aliases(spec)
    block = _header_rows(grid, aliases)
    if not block:
        return None
    headers = _joined_headers(grid, block)
    above = " ".join(clean_text(c) for row in grid[: block[0]] for c in row if not _is_blank(c))
    unit_match = _UNIT_LINE.search(above)
    sheet_unit = unit_match.group(1) if unit_match else None
    columns = []
    for j, header in enumerate(headers):
        found = aliases.field_of(header)
        if found and not any(c.field == found[0] and c.previous == found[1] for c in columns):
            columns.append(Column(j, header, found[0], found[1], aliases.unit_in(header)))
    period = period_from_text(above) or period_from_text(path.stem) or period_from_text(sheet)
    if period is None:
        raise InputFileError(
            path,
            f"工作表「{sheet}」无法确定报告期（标题、文件名中均未找到如“2026年1-9月”的字样）"
            " / no reporting period in title or file name",
        )
    table = SheetTable(path, sheet, period, columns, sheet_unit)
    label_columns = [c.index for c in columns if c.field in ("name",)] + [0]
    numeric = [c.index for c in columns if aliases.kinds[c.field] in ("amount", "count", "code")]
    for r in range(block[-1] + 1, len(grid)):
        cells = list(grid[r])
        kind = _row_kind(cells, label_columns, numeric)
        if kind == "blank":
            continue
        if kind:
            table.skipped.append((r + 1, kind))
        else:
            table.rows.append((r + 1, cells))
    return table
