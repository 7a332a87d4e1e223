"""Shared fixtures: small workbooks in the bureaus' layout, written with openpyxl."""

from pathlib import Path

import openpyxl
import pytest


def write_sheet(path: Path, rows: list[list], merges: tuple[str, ...] = (), sheet="Sheet1"):
    """A workbook whose first sheet holds `rows` from A1, with the given merged ranges."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    book.save(path)
    return path


STATS_HEADER = [
    ["序号", "统一社会信用代码", "企业名称", "所属行业", "营业收入", None, "研发费用", None],
    [None, None, None, None, "本年累计", "上年同期", "本年累计", "上年同期"],
]
STATS_MERGES = ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:H3")
CODE_A = "91350100M000100Y43"


@pytest.fixture
def stats_rows():
    """A statistics-bureau table: title, unit line, two-row header, total row first."""
    return [
        ["2026年1-9月全市规模以上工业企业主要经济指标"],
        ["填报单位：海阳市统计局", None, None, None, None, "单位：万元"],
        *STATS_HEADER,
        [None, None, "合计", None, 15000, 12000, 300, 200],
        [1, CODE_A, "黄海汽车配件有限公司", "现代制造业", 10000, "8,000.5", 200, 150],
        [None, None, None, None, None, None, None, None],
        [None, None, "一、海洋工业", None, None, None, None, None],
        [2, "91371082MA3C4XKT0B", "海阳海洋食品有限公司", "海洋工业", 5000, "—", 100, "--"],
        [None],
        ["注：1.本表为快报数据。"],
        ["单位负责人：张明    填表人：王芳"],
    ]


def small_city(root: Path, seed: int, month: int = 9, jan_feb: bool = False):
    """A 40-firm generated city written as the offices' workbooks under root/raw, with
    this year up to `month` (sample.reported_months): its truth panel, and the run's
    folders under root."""
    from analysis import sample
    from analysis.runner import RunPaths

    truth = sample.generate_city(firms=40, seed=seed, year=2026, month=month, jan_feb=jan_feb)
    sample.write_city(truth, root / "raw")
    return truth, RunPaths(raw=root / "raw", out=root / "reports", processed=root / "processed")


def notebooks_with_cell(folder: Path, source_for, position: int | None = None) -> Path:
    """Copies of the report notebooks in `folder`, each with one more code cell
    (`source_for(name)`), appended or inserted at `position`."""
    import nbformat

    from analysis import runner
    from analysis.config import NOTEBOOKS_DIR

    folder.mkdir()
    for name in runner.NOTEBOOKS:
        book = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        cell = nbformat.v4.new_code_cell(source_for(name))
        book.cells.insert(len(book.cells) if position is None else position, cell)
        nbformat.write(book, folder / name)
    return folder
