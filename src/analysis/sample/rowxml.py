"""A block of table rows written straight into an xlsxwriter worksheet as the XML that
xlsxwriter itself would write, for the sample city's large sheets.

xlsxwriter spends some 5 µs of Python on each cell (type dispatch, a tuple per cell, then
each cell's XML through several helper calls): at 200,000 firms, most of the sample's
time. In constant-memory mode a row's XML goes to the sheet's row file once the next row
starts, so a block of rows can go there as text built column by column: the same cell
references, style indexes, inline strings and number format (`.16G`), hence the same
bytes. Cells that xlsxwriter writes as anything but a number, a plain string or a blank
(formulas, links, rich or very long strings, booleans, other types) are not handled: the
caller writes such a block through xlsxwriter. This uses xlsxwriter's internals, which is
why xlsxwriter is pinned; tests compare the bytes with xlsxwriter's own writing.
"""

import re

from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

# A string that needs escaping, a "preserve" attribute, or could be more than text.
_ESCAPED = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_NOT_TEXT = re.compile(r"=|\{=|(ftp|http)s?://|mailto:|(in|ex)ternal:|file://")
_LONG = 32767 // 2  # beyond this xlsxwriter counts UTF-16 units and may truncate


class Unsupported(ValueError):
    """A cell xlsxwriter writes as something other than a number, plain string or blank."""


def _inline(value: str) -> str:
    """The attribute and content of an inline string's <t>, escaped as xlsxwriter does."""
    if len(value) > _LONG or _NOT_TEXT.match(value):
        raise Unsupported(value[:40])
    if not _ESCAPED.search(value):
        return f">{value}"
    text = XMLwriter._escape_control_characters(value)
    if text.startswith("<r>") and text.endswith("</r>"):
        raise Unsupported(value[:40])
    preserve = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
    return f"{preserve}>{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}"


def column_cells(letter: str, xf: int | None, numbers: list[int], values: list) -> list[str]:
    """Each cell's <c> element of one column ("" where xlsxwriter writes no cell: an empty
    value without a format). `numbers`: the rows' 1-based numbers; `xf`: the column's style
    index, None for no format."""
    style = "" if xf is None else f' s="{xf}"'
    cells = []
    append = cells.append
    for number, value in zip(numbers, values, strict=True):
        kind = value.__class__
        if kind is float or kind is int:
            append(f'<c r="{letter}{number}"{style}><v>{value:.16G}</v></c>')
        elif kind is str and value:
            text = _inline(value)
            append(f'<c r="{letter}{number}"{style} t="inlineStr"><is><t{text}</t></is></c>')
        elif value is None or kind is str:
            append(f'<c r="{letter}{number}"{style}/>' if style else "")
        else:
            raise Unsupported(repr(value)[:40])
    return cells


def block_xml(rows: list[int], first_col: int, columns: list[list], xfs: list) -> tuple:
    """The <row> elements of `columns` (from `first_col`) at the 0-based `rows`, and the
    bounds (first row, last row, first column, last column) of the cells written, None if
    there are none."""
    numbers = [row + 1 for row in rows]
    cells = [
        column_cells(xl_col_to_name(first_col + i), xf, numbers, values)
        for i, (xf, values) in enumerate(zip(xfs, columns, strict=True))
    ]
    written = [i for i, column in enumerate(cells) if any(column)]
    parts, filled = [], []
    for number, *row_cells in zip(numbers, *cells, strict=True):
        inner = "".join(row_cells)
        if inner:
            parts.append(f'<row r="{number}">{inner}</row>')
            filled.append(number - 1)
    if not filled:
        return "", None
    return "".join(parts), (filled[0], filled[-1], first_col + written[0], first_col + written[-1])


def _plain_rows(ws: Worksheet, rows: list[int], first_col: int, width: int) -> bool:
    """Whether xlsxwriter would write these rows' cells with nothing but their own values
    and formats: streamed, no row or column formats, heights or comments among them."""
    span = range(rows[0], rows[-1] + 1)
    return (
        ws.constant_memory
        and not ws.write_handlers
        and not ws.strings_to_numbers
        and ws.excel_version == 2007
        and ws.default_row_height == ws.original_row_height
        and rows[0] > ws.previous_row
        and rows[-1] < ws.xls_rowmax
        and first_col + width <= ws.xls_colmax
        and not any(row in span for row in (*ws.row_info, *ws.comments))
        and not any(
            getattr(ws.col_info.get(first_col + i), "column_format", None) for i in range(width)
        )
    )


def write_block(
    ws: Worksheet, rows: list[int], first_col: int, columns: list[list], formats: list
) -> bool:
    """Write `columns` (one list of values each, formats[i] the i-th column's Format or
    None) at the 0-based `rows` as xlsxwriter would; False, with nothing written, where a
    cell or the sheet needs xlsxwriter's own writing."""
    if not rows or not _plain_rows(ws, rows, first_col, len(columns)):
        return False
    ws._write_single_row(rows[0])  # the row still pending, as xlsxwriter would on the next cell
    xfs = [None if style is None else style._get_xf_index() for style in formats]
    try:
        xml, bounds = block_xml(rows, first_col, columns, xfs)
    except Unsupported:
        return False
    if bounds:
        first, last, left, right = bounds
        ws._check_dimensions(first, left)
        ws._check_dimensions(last, right)
        ws.fh.write(xml)
        ws.previous_row = last
    return True
