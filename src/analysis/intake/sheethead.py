"""The head of every sheet of a workbook, and how many rows the sheet holds, without
parsing the rest.

Before a file's rows are parsed the run must know its period (to skip files no page
needs) and its size (to refuse a sheet past the row limit before its parse begins).
fastexcel builds a sheet whole even when asked for its first rows (a million-row sheet:
seconds and half a gigabyte), so an .xlsx sheet's XML is streamed here instead and left
after its first `rows` rows; its size is the last row its <dimension> names (the extent
the cell reader allocates), counted from the rows themselves when a writer left it out.
Shared strings are read only as far as the head's cells refer to. An .xls file holds at
most 65,536 rows a sheet by its format and an .ods file is rare: both are read whole by
the cell reader, as are CSVs' first megabyte (their lines are counted, not parsed).
"""

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pyarrow as pa

from analysis.intake import sheetxml

BLOCK = 1 << 16  # bytes of XML fed to the parser at a time
CSV_HEAD = 1 << 20  # bytes of a CSV decoded for its head
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\sref=\"[A-Z]*\d*:?[A-Z]*(\d+)\"")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _column(reference: str) -> int:
    letters = reference.rstrip("0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return column - 1


def _text(element) -> str:
    """The text of a shared or inline string: its runs, without phonetic guides."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts += [t.text or "" for t in child if _local(t.tag) == "t"]
    return "".join(parts)


def _prefix(stream, end: re.Pattern, count: int, first: bytes = b"") -> bytes:
    """The stream's bytes up to the `count`-th match of `end` (all of them if fewer)."""
    data, found, at = first, 0, 0
    while True:
        for match in end.finditer(data, at):
            found, at = found + 1, match.end()
            if found >= count:
                return data[:at]
        at = max(at, len(data) - 16)  # an end tag cut by the block's edge is found next time
        block = stream.read(BLOCK)
        if not block:
            return data
        data += block


def _elements(xml: bytes, tag: str):
    """Each complete element named `tag` in the start of an XML document, in order."""
    parser = ElementTree.XMLPullParser(events=("end",))
    parser.feed(xml)
    for _, element in parser.read_events():
        if _local(element.tag) == tag:
            yield element


_ROW_END = re.compile(rb"</(?:\w+:)?row>")
_SI_END = re.compile(rb"</(?:\w+:)?si>|<(?:\w+:)?si\s*/>")


def _head_cells(book: zipfile.ZipFile, member: str, rows: int):
    """The first `rows` rows of a sheet as {row: {column: (type, raw text)}}, and the
    last row its <dimension> names (None when it names none). Only the XML of those rows
    is parsed."""
    with book.open(member) as stream:
        first = stream.read(BLOCK)
        match = _DIMENSION.search(first)
        xml = _prefix(stream, _ROW_END, rows, first)
    found, last_row = {}, -1
    for element in _elements(xml, "row"):
        number = element.get("r")
        last_row = int(number) - 1 if number else last_row + 1
        if last_row >= rows:
            break
        cells, column = {}, -1
        for cell in element:
            reference = cell.get("r")
            column = _column(reference) if reference else column + 1
            kind = cell.get("t", "n")
            if kind == "inlineStr":
                inline = next((c for c in cell if _local(c.tag) == "is"), None)
                value = _text(inline) if inline is not None else None
            else:
                value = next((c.text for c in cell if _local(c.tag) == "v"), None)
            if value is not None:
                cells[column] = (kind, value)
        found[last_row] = cells
    return found, int(match.group(1)) if match else None


def _shared_strings(book: zipfile.ZipFile, wanted: set[int]) -> dict[int, str]:
    """The shared strings of the given indexes, read no further than the largest."""
    names = [n for n in book.namelist() if n.lower().endswith("sharedstrings.xml")]
    if not wanted or not names:
        return {}
    with book.open(sorted(names)[0]) as stream:
        xml = _prefix(stream, _SI_END, max(wanted) + 1)
    return {i: _text(si) for i, si in enumerate(_elements(xml, "si")) if i in wanted}


def _rows_counted(book: zipfile.ZipFile, member: str, limit: int) -> int:
    """Rows of a sheet whose XML states no extent, counted up to just past `limit`."""
    count, carry = 0, b""
    with book.open(member) as stream:
        while count <= limit and (block := stream.read(sheetxml.BLOCK)):
            text = carry + block
            cut = max(0, len(text) - 8)
            count += len(_ROW_TAG.findall(text, 0, cut))
            carry = text[cut:]
    return count + len(_ROW_TAG.findall(carry))


def _table(rows: list[list[str | None]]) -> pa.Table:
    width = max((len(r) for r in rows), default=0)
    columns = [[r[j] if j < len(r) else None for r in rows] for j in range(width)]
    return pa.table({str(j): pa.array(c, pa.string()) for j, c in enumerate(columns)})


def xlsx_heads(path: Path, rows: int, limit: int) -> list[tuple[str, str, pa.Table, int]]:
    """Every sheet of an .xlsx file: (name, visibility, its first `rows` rows as text
    cells, its row count — the last row its extent names, or counted up to `limit`)."""
    parts = sheetxml.sheet_parts(path)
    heads = []
    with zipfile.ZipFile(path) as book:
        for name, part in parts.items():
            if part.state != "visible":
                heads.append((name, part.state, pa.table({}), 0))
                continue
            cells, dimension = _head_cells(book, part.member, rows)
            strings = _shared_strings(
                book, {int(v) for r in cells.values() for k, v in r.values() if k == "s"}
            )
            height = max(cells, default=-1) + 1
            grid = [[None] * (max(cells.get(i, {}), default=-1) + 1) for i in range(height)]
            for i, row in cells.items():
                for j, (kind, value) in row.items():
                    grid[i][j] = strings.get(int(value)) if kind == "s" else value
            trusted = dimension and (dimension > height or height < rows)  # not a stub "A1"
            total = dimension if trusted else _rows_counted(book, part.member, limit)
            heads.append((name, "visible", _table(grid), max(total, height)))
    return heads


def csv_head(path: Path) -> tuple[bytes, int]:
    """A CSV's first megabyte cut at a line's end, as bytes to decode, and its line count."""
    with open(path, "rb") as handle:
        start = handle.read(CSV_HEAD)
        lines = start.count(b"\n")
        for block in iter(lambda: handle.read(1 << 20), b""):
            lines += block.count(b"\n")
    if len(start) == CSV_HEAD and b"\n" in start:
        start = start[: start.rfind(b"\n") + 1]
    return start, max(lines, 1)
