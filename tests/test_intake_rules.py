"""Rules of the intake that the suite once let break unnoticed (issue 23), each held by a
test on workbooks saved by LibreOffice (corpus/make_corpus.py: rules/ and versions/), the
figures checked against the workbook as openpyxl reads it (the .xls and .ods ones, which
openpyxl cannot open, against the figure written out by hand). Each test names the rule
it holds, and fails when that rule is broken alone (tried: see the report of issue 23)."""

import math
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from analysis.config import PARAMS_DIR
from analysis.errors import InputFileError
from analysis.intake.ingest import ingest
from tests.conftest import execute_page

CORPUS = Path(__file__).parent / "corpus"
RULES = CORPUS / "rules"
VERSIONS = CORPUS / "versions"
NAME = "2026年1-9月规模以上工业企业主要经济指标"
A, B = "91350100M000100Y43", "91371082MA3C4XKT0M"


def _cells(path: Path) -> dict[int, list]:
    """Excel row number → the row's values, as openpyxl reads the saved workbook."""
    sheet = openpyxl.load_workbook(path, data_only=True).active
    return {row[0].row: [c.value for c in row] for row in sheet.iter_rows()}


def _firms(path: Path) -> dict[str, tuple[float, float]]:
    """Credit code → (revenue, revenue last year) in yuan, from a numbered statistics
    return (corpus stats_version: 万元, one firm a row under a 序号)."""
    rows = _cells(path).values()
    return {
        r[1]: (r[4] * 1e4, r[5] * 1e4)
        for r in rows
        if isinstance(r[0], int) and r[4] is not None and r[1]
    }


def _revenue(intake) -> dict[str, tuple[float, float]]:
    panel = intake.panel
    return {
        c: (r, p)
        for c, r, p in zip(
            panel["credit_code"], panel["revenue"], panel["revenue_prev"], strict=True
        )
    }


def _statuses(intake) -> dict[str, str]:
    return intake.versions.set_index("file")["status"].to_dict()


def _files(intake):
    return intake.files.set_index(
        intake.files["file"].map(lambda p: Path(p).relative_to(Path(p).parents[1]).as_posix())
    )


# --- versions of one return ------------------------------------------------------------


def test_two_versions_signed_the_same_day_are_refused_naming_both_and_the_date():
    """Rule: when neither marker nor report date tells two versions apart (here both are
    signed 报送日期：2026年10月20日) the run stops; the first file is never taken."""
    folder = RULES / "same_report_date"
    with pytest.raises(InputFileError) as refused:
        ingest(folder)
    message = str(refused.value)
    assert f"统计局/{NAME}.xlsx" in message and f"统计局（重发）/{NAME}.xlsx" in message
    assert "报送日期相同（2026-10-20）" in message
    assert "superseded/" in message and "params/superseded.yaml" in message


def _flash_twice(raw: Path) -> Path:
    """The 快报 of versions/revision, byte for byte, in two folders of the raw folder."""
    flash = VERSIONS / "revision" / f"{NAME}.xlsx"
    for folder in ("统计局", "统计局（转发）"):
        (raw / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(flash, raw / folder / flash.name)
    return flash


def test_identical_files_are_one_version_read_once(tmp_path):
    """Rule: files with the same checksum are one version: read once, the copy listed and
    its rows counted as superseded, never settled against each other (which would stop
    the run: nothing tells two identical files apart)."""
    raw = tmp_path / "raw"
    flash = _flash_twice(raw)
    intake = ingest(raw)
    assert _revenue(intake) == _firms(flash)
    assert sorted(_statuses(intake).values()) == ["相同文件，只读一次", "采用"]
    copy = next(f for f, s in _statuses(intake).items() if s == "相同文件，只读一次")
    firms = len(_firms(flash))
    files = _files(intake)
    assert (files.loc[copy, "rows_superseded"], files.loc[copy, "rows_accepted"]) == (firms, 0)
    assert files["duplicates_merged"].sum() == 0 and intake.quarantine.empty


def test_a_copy_of_a_superseded_version_is_not_read_again(tmp_path):
    """Rule: a copy's rows are set aside with it. The 快报 twice beside its 修订: the
    figures are the 修订's alone; read again, the copy's rows would meet the revision's
    and firms whose figures were corrected would be quarantined as conflicts."""
    raw = tmp_path / "raw"
    _flash_twice(raw)
    revised = VERSIONS / "revision" / f"{NAME}（修订）.xlsx"
    shutil.copy(revised, raw / "统计局" / revised.name)
    intake = ingest(raw)
    assert _revenue(intake) == _firms(revised)
    assert intake.quarantine.empty and intake.repeats.empty
    assert sorted(_statuses(intake).values()) == ["相同文件，只读一次", "被替代", "采用"]
    files = _files(intake)
    flash_rows = len(_firms(VERSIONS / "revision" / f"{NAME}.xlsx"))
    for name, status in _statuses(intake).items():
        superseded = 0 if status == "采用" else flash_rows
        assert files.loc[name, "rows_superseded"] == superseded, name


def test_a_marker_in_the_folder_below_the_raw_folder_decides(tmp_path):
    """Rule: the version marker is read from the file's path below the raw folder (its
    folders too), its name and its title. Two returns named alike, neither titled nor
    dated: the one in a 修订 folder stands. The raw folder's own path is no marker."""
    flash = VERSIONS / "unsettled" / f"{NAME}.xlsx"
    revised = VERSIONS / "unsettled" / "规上工业主要指标.xlsx"
    raw = tmp_path / "raw"
    for folder, source in (("快报", flash), ("修订", revised)):
        (raw / folder).mkdir(parents=True)
        shutil.copy(source, raw / folder / f"{NAME}.xlsx")
    intake = ingest(raw)
    assert _revenue(intake) == _firms(revised)
    table = intake.versions.set_index("file")
    assert table.loc[f"修订/{NAME}.xlsx", ["status", "rule"]].tolist() == ["采用", "标记：修订"]
    assert table.loc[f"快报/{NAME}.xlsx", "status"] == "被替代"

    unmarked = tmp_path / "修订" / "raw"  # the marker above the raw folder: none of theirs
    for folder, source in (("统计局", flash), ("统计局（重发）", revised)):
        (unmarked / folder).mkdir(parents=True)
        shutil.copy(source, unmarked / folder / f"{NAME}.xlsx")
    with pytest.raises(InputFileError, match="没有能区分先后的标记"):
        ingest(unmarked)


# --- cells -----------------------------------------------------------------------------


def test_a_count_merged_over_firms_is_quarantined_not_copied_to_each():
    """Rule: a figure merged down several firms' rows is no firm's own; a count
    (从业人员) as much as an amount. Its rows are quarantined with the range named."""
    path = RULES / "merged_count" / "2026年1-9月从业人员合并.xlsx"
    cells = _cells(path)
    intake = ingest(path.parent)
    q = intake.quarantine
    assert q[["row", "credit_code", "column", "value"]].values.tolist() == [
        [5, cells[5][0], "从业人员（D列）", str(cells[5][3])],
        [6, cells[6][0], "从业人员（D列）", str(cells[5][3])],  # shown as the sheet shows it
    ]
    assert set(q["reason_zh"]) == {"数值单元格跨行合并（D5:D6），不是某一家企业的数"}
    firm = intake.panel.set_index("credit_code").loc[cells[4][0]]
    assert (firm["employees"], firm["revenue"]) == (cells[4][3], cells[4][2] * 1e4)
    assert len(intake.panel) == 1


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_a_hidden_sheet_of_a_legacy_or_opendocument_workbook_is_listed_not_read(suffix):
    """Rule: hidden sheets are never read, whatever the format. In .xls and .ods the
    sheet's state is known only once it is loaded; the hidden 旧表 here (no unit, figures
    too small for yuan) would stop the run if read."""
    intake = ingest(RULES / f"hidden_{suffix}")
    assert intake.panel.set_index("credit_code")["revenue"].to_dict() == {
        "91371082MA3C4XKT68": 98_765_000  # 9876.5 万元 on the visible sheet
    }
    sheets = intake.sheets.set_index("sheet")["status"].to_dict()
    assert sheets == {"旧表": "隐藏，未读取", "规上工业": "已读取"}


def test_a_formula_whose_saved_result_is_empty_text_is_read_as_an_empty_cell():
    """Rule: only a formula saved without any value stops the file. =IF(…,"",…) saved by
    LibreOffice holds the empty string as its value: the cell reads as empty."""
    path = RULES / "empty_formula" / "2026年1-9月空文本公式.xlsx"
    formulas = openpyxl.load_workbook(path).active
    assert str(formulas["C4"].value).startswith("=IF(")  # a formula, saved with ""
    cells = _cells(path)
    intake = ingest(path.parent)
    firms = intake.panel.set_index("credit_code")
    assert firms.loc[cells[4][0], "revenue"] == cells[4][3] * 1e4
    assert firms.loc[cells[4][0], "industry"] == "未归类"  # empty: not classified
    assert firms.loc[cells[5][0], "industry"] == cells[5][2]
    assert intake.quarantine.empty


def test_the_unit_a_sheet_states_wins_over_units_by_source(tmp_path):
    """Rule: units_by_source gives the unit of a source whose sheets state none; a sheet
    that states its unit (单位：万元) is read in it, whatever params say."""
    spec = yaml.safe_load((PARAMS_DIR / "columns.yaml").read_text(encoding="utf-8"))
    params = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, params)
    spec["units_by_source"] = [{"files": "*.xlsx", "unit": "元"}]
    (params / "columns.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    path = VERSIONS / "revision" / f"{NAME}（修订）.xlsx"
    assert any("单位：万元" in str(v) for v in _cells(path)[2])
    assert _revenue(ingest(path.parent, params_dir=params)) == _firms(path)


# --- rows of one taxpayer --------------------------------------------------------------


@pytest.fixture(scope="module")
def tax_rows():
    path = RULES / "tax_rows" / "2026年1-9月入库税收.xlsx"
    return _cells(path), ingest(path.parent)


def test_a_tax_figure_missing_on_every_row_of_a_taxpayer_stays_missing(tax_rows):
    """Rule: summing a taxpayer's rows adds the figures there are; none at all is no
    figure (—), never 0."""
    cells, intake = tax_rows
    assert cells[4][0] == cells[5][0] == A
    assert cells[4][4] is None and cells[5][4] == "—"
    firm = intake.panel.set_index("credit_code").loc[A]
    assert firm["tax"] == (cells[4][3] + cells[5][3]) * 1e4
    assert math.isnan(firm["tax_prev"])


def test_an_exact_repeat_among_a_taxpayers_rows_counts_once(tax_rows):
    """Rule: rows of one taxpayer are summed, but an exact repeat (row 7 = row 6) is the
    same row sent twice: counted once and reported as merged."""
    cells, intake = tax_rows
    assert cells[6] == cells[7] and cells[6][0] == cells[8][0] == B
    firm = intake.panel.set_index("credit_code").loc[B]
    assert firm["tax"] == (cells[6][3] + cells[8][3]) * 1e4
    assert firm["tax_prev"] == (cells[6][4] + cells[8][4]) * 1e4
    files = intake.files.set_index(intake.files["file"].map(lambda p: Path(p).name))
    assert files.loc["2026年1-9月入库税收.xlsx", "duplicates_merged"] == 1
    summed = intake.repeats.set_index(["kind", "key"])
    assert summed.loc[("tax", B), "outcome"] == "多行税收相加"


# --- the data-quality page ---------------------------------------------------------------


def _where_codes_are(folder: Path) -> dict[str, tuple[str, int]]:
    """Credit code → (file name, Excel row) of every code cell in the folder's workbooks,
    as openpyxl reads them."""
    found = {}
    for path in sorted(folder.glob("*.xlsx")):
        for row, values in _cells(path).items():
            for value in values:
                if isinstance(value, str) and len(value) == 18 and value[:2] == "91":
                    found.setdefault(value, (path.name, row))
    return found


def _page_rows(notebook: Path) -> list[list[str]]:
    """The cells of every table row a notebook's outputs show, as text."""
    import nbformat

    from tests.conftest import cell_texts

    rows = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        for output in cell.get("outputs", []):
            shown = str(output.get("data", {}).get("text/html", ""))
            for row in shown.split("<tr")[1:]:
                rows.append(cell_texts("<table><tr" + row.split("</tr>")[0] + "</tr></table>"))
    return rows


def test_the_credit_code_table_names_each_firms_file_and_whole_row(tmp_path):
    """The data-quality page lists a statistics firm with a wrong check character and a
    firm only the tax bureau reports (its code wrong too), each with the file and the
    Excel row it was read from: a whole number, never 14.000000, and a file, never nan."""

    from analysis.intake import quality
    from analysis.measures import store

    folder = RULES / "code_problems"
    where = _where_codes_are(folder)
    intake = ingest(folder)
    table = quality.code_problems(intake.panel, 2026, 9)
    expected = {
        "91371082MA3C4XKT0B": where["91371082MA3C4XKT0B"],  # statistics, row 6
        "91371082MA3C4XKT3A": where["91371082MA3C4XKT3A"],  # tax only, row 5
    }
    assert {
        c: (f, r)
        for c, f, r in zip(
            table["credit_code"], table["source_file"], table["source_row"], strict=True
        )
    } == expected
    store.write_intake(intake, tmp_path / "processed")
    out = tmp_path / "01.ipynb"
    execute_page("01_data_quality.ipynb", tmp_path / "processed", out)
    shown = {r[0]: r for r in _page_rows(out) if len(r) == 5 and r[0] in expected}
    assert {code: r[-2:] for code, r in shown.items()} == {
        code: [file, str(row)] for code, (file, row) in expected.items()
    }
