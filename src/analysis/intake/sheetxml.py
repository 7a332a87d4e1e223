"""What an .xlsx file's XML says that the cell reader does not: which sheets are hidden,
which rows are hidden, which cells are merged, and which formulas were saved without a
value.

fastexcel reads the value a spreadsheet program saved with each formula. A file written by
a program that never calculated its formulas (openpyxl, many report generators) has none,
and such a cell would read as empty. Merged cells keep their value in the top-left cell
only, and a hidden row looks like any other. Each sheet's XML is streamed from the zip
once, in large blocks searched by byte patterns, so the cost stays a fraction of the parse
(which it runs beside, in a second thread) even for sheets of half a million rows.
"""

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

BLOCK = 1 << 22  # bytes of sheet XML searched at a time
OFFICE_DOCUMENT = "/officeDocument"


@dataclass(frozen=True)
class SheetPart:
    """A sheet as the workbook lists it: its visibility and its XML inside the zip."""

    state: str  # visible, hidden or veryHidden
    member: str


@dataclass
class SheetXml:
    """What the sheet's XML adds to its cells. Rows and columns count from 0 (row 0 is
    Excel row 1); a formula cell whose position the file does not state is (-1, -1)."""

    hidden_rows: list[int] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1
    unsaved: list[tuple[int, int]] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relations(book: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """The relationships of a part: id → (type, target path inside the zip)."""
    folder, name = posixpath.split(part)
    root = ElementTree.fromstring(book.read(posixpath.join(folder, "_rels", f"{name}.rels")))
    found = {}
    for rel in root:
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
        found[rel.get("Id")] = (rel.get("Type", ""), posixpath.normpath(path))
    return found


def sheet_parts(path: Path) -> dict[str, SheetPart]:
    """Each sheet's name → its visibility and XML member, from the workbook's own parts."""
    with zipfile.ZipFile(path) as book:
        main = next(t for k, t in _relations(book, "").values() if k.endswith(OFFICE_DOCUMENT))
        targets = _relations(book, main)
        parts = {}
        for element in ElementTree.fromstring(book.read(main)).iter():
            if _local(element.tag) != "sheet":
                continue
            rid = next(v for k, v in element.attrib.items() if _local(k) == "id")
            state = element.get("state", "visible")
            parts[element.get("name")] = SheetPart(state, targets[rid][1])
        return parts


def _cell(reference: bytes) -> tuple[int, int]:
    """b"E5" → (4, 4): Excel's A1 reference as 0-based row and column."""
    letters = reference.rstrip(b"0123456789")
    column = 0
    for letter in letters:
        column = column * 26 + letter - 64
    return int(reference[len(letters) :]) - 1, column - 1


class _Patterns:
    """The byte patterns of one sheet, for the namespace prefix it uses (usually none)."""

    def __init__(self, prefix: bytes):
        p = re.escape(prefix)
        self.row_end = b"</" + prefix + b"row>"
        self.cell_start = b"<" + prefix + b"c"
        # a formula followed by the end of its cell, with no value or an empty one
        self.no_value = re.compile(
            rb"<" + p + rb"f\b[^>]*?(?:/>|>[^<]*</" + p + rb"f>)\s*"
            rb"(?P<empty><" + p + rb"v\b[^>]*?/>|<" + p + rb"v\b[^>]*>\s*</" + p + rb"v>)?"
            rb"\s*</" + p + rb"c>"
        )
        self.hidden_row = re.compile(rb"<" + p + rb"row\b[^>]*?\shidden=\"(?:1|true)\"[^>]*>")
        self.merge = re.compile(
            rb"<" + p + rb"mergeCell\b[^>]*?\sref=\"([A-Z]+\d+)(?::([A-Z]+\d+))?\""
        )


_PREFIX = re.compile(rb"<(\w+:)?worksheet\b")
_ROW_NUMBER = re.compile(rb"\sr=\"(\d+)\"")
_CELL_REF = re.compile(rb"\sr=\"([A-Z]+\d+)\"")
_CELL_TYPE = re.compile(rb"\st=\"(\w+)\"")


def _search(text: bytes, patterns: _Patterns, found: SheetXml) -> None:
    """Add what one stretch of whole rows (or of what follows the rows) holds."""
    for match in patterns.no_value.finditer(text):
        start = text.rfind(patterns.cell_start, 0, match.start())
        tag = text[start : text.find(b">", start)]
        kind = _CELL_TYPE.search(tag)
        if kind and kind.group(1) == b"str" and match.group("empty"):
            continue  # a formula whose saved result is the empty string
        reference = _CELL_REF.search(tag)
        found.unsaved.append(_cell(reference.group(1)) if reference else (-1, -1))
    if b'hidden="' in text:
        for match in patterns.hidden_row.finditer(text):
            number = _ROW_NUMBER.search(match.group())
            if number:
                found.hidden_rows.append(int(number.group(1)) - 1)
    if b"mergeCell" in text:
        for match in patterns.merge.finditer(text):
            first = _cell(match.group(1))
            last = _cell(match.group(2)) if match.group(2) else first
            found.merged.append((*first, *last))


def scan_sheet(path: Path, member: str) -> SheetXml:
    """Hidden rows, merged cells and formulas without a saved value of one sheet, read in
    blocks cut after a row's end so that no cell is split between two searches."""
    found, patterns, carry = SheetXml(), None, b""
    with zipfile.ZipFile(path) as book, book.open(member) as stream:
        while block := stream.read(BLOCK):
            text = carry + block
            if patterns is None:
                prefix = _PREFIX.search(text)
                patterns = _Patterns(prefix.group(1) or b"" if prefix else b"")
            cut = text.rfind(patterns.row_end)
            cut = cut + len(patterns.row_end) if cut >= 0 else 0  # no row ended: keep it all
            _search(text[:cut], patterns, found)
            carry = text[cut:]
    if patterns is not None:
        _search(carry, patterns, found)
    return found
