"""Rows written as XML (sample/rowxml.py) give the bytes xlsxwriter writes cell by cell:
numbers, strings that need escaping or preserved whitespace, blanks with and without a
format, a gap row, several blocks, and cells only xlsxwriter can write."""

from pathlib import Path

import pytest

from analysis.sample import sheets
from analysis.sample.rowxml import write_block
from analysis.sample.sheets import new_workbook, write_rows

AWKWARD = [
    "甲&乙<丙>",
    " 前导空格",
    "尾随空格 ",
    "控制\x01字符",
    "_x0041_ literal",
    'a "quoted"\nline',
    "",
    "<b>not a tag</b>",
    "1,234.56",
    "普通名称有限公司",
]
NUMBERS = [1, 0, -5, 1234.56, 1 / 3, 1e20, 1.5e-7, 123456789012, None, 2.0]


def _table() -> list[list]:
    count = len(AWKWARD)
    return [
        list(range(1, count + 1)),
        AWKWARD,
        NUMBERS,
        [None] * count,  # formatted: blank cells with a style
        [None] * (count - 1) + ["末行"],  # unformatted: no cell until the last row
        [*NUMBERS[:5], *AWKWARD[:5]],  # mixed types
    ]


def _workbook(path: Path, fill) -> bytes:
    book = new_workbook(path)
    ws = book.add_worksheet("表")
    header = book.add_format({"bold": True})
    ws.write_row(0, 0, ["序号", "名称"], header)  # narrower than the table: its extent counts
    formats = [None, book.add_format({"num_format": "@"}), None]
    formats += [book.add_format({"num_format": "#,##0.00"}), None, None]
    last = fill(ws, formats)
    ws.write_string(last + 1, 0, "注：合计在上。")
    book.close()
    return path.read_bytes()


def _cell_by_cell(columns: list[list], gap=None):
    def fill(ws, formats):
        row = 1
        for i, cells in enumerate(zip(*columns, strict=True)):
            for col, (value, style) in enumerate(zip(cells, formats, strict=True)):
                ws.write(row, col, value, style)
            row += 2 if i + 1 == gap else 1
        return row

    return fill


def _as_xml(columns: list[list], gap=None):
    return lambda ws, formats: write_rows(ws, 1, columns, formats, gap=gap)


@pytest.mark.parametrize("block_rows", [20_000, 3])
@pytest.mark.parametrize("gap", [None, 4])
def test_rows_as_xml_are_the_bytes_xlsxwriter_writes(tmp_path, monkeypatch, block_rows, gap):
    monkeypatch.setattr(sheets, "BLOCK_ROWS", block_rows)
    expected = _workbook(tmp_path / "cells.xlsx", _cell_by_cell(_table(), gap))
    assert _workbook(tmp_path / "xml.xlsx", _as_xml(_table(), gap)) == expected


def test_plain_values_go_in_as_xml_and_others_through_xlsxwriter(tmp_path):
    book = new_workbook(tmp_path / "a.xlsx")
    ws = book.add_worksheet("表")
    assert write_block(ws, list(range(1, len(AWKWARD) + 1)), 0, _table(), [None] * 6)
    assert ws.write(5, 0, 9) == -1  # rows already written are closed, as xlsxwriter's are
    for special in ("=1+1", "http://example.com", "<r>rich</r>", True):
        assert not write_block(ws, [20, 21], 0, [[1, special]], [None])
    book.close()


@pytest.mark.parametrize(
    "special", ["=SUM(A2:A3)", "https://example.com", True, "{=A1}", "<r>rich</r>"]
)
def test_a_block_with_a_formula_link_or_boolean_is_written_by_xlsxwriter(
    tmp_path, monkeypatch, special
):
    monkeypatch.setattr(sheets, "BLOCK_ROWS", 4)
    columns = _table()
    columns[1] = [*AWKWARD[:6], special, *AWKWARD[7:]]  # in the second block
    expected = _workbook(tmp_path / "cells.xlsx", _cell_by_cell(columns))
    assert _workbook(tmp_path / "xml.xlsx", _as_xml(columns)) == expected
