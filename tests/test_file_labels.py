"""The rows' file and sheet labels: held as categories by the intake (a province's few
hundred paths name 10 million rows: as text they held a gigabyte of its run), written as
text, and the same text whether a product is built from the intake in hand or read back."""

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from analysis.config import PARAMS_DIR
from analysis.intake.ingest import FILE_LABELS, ingest
from analysis.intake.periods import Period
from analysis.measures import products, store
from tests.conftest import small_city

LABELLED = ["panel", "projects", "platforms", "financing", "returns", "progress", "goals"]
WITH_LABELS = ["majors", "late_projects", "awards", "firm_goals"]  # products naming files


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """A generated 40-firm city's workbooks, its intake, and the intake written."""
    root = tmp_path_factory.mktemp("labels")
    _, paths = small_city(root, seed=11)
    intake = ingest(paths.raw)
    store.write_intake(intake, paths.processed)
    return intake, paths


def _row(path: str, sheet: str | None, row: int) -> list:
    """One row of a workbook as openpyxl reads it (the independent reading); sheet None:
    the first (the tax row keeps its file and row, not its sheet)."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        found = book[sheet] if sheet else book.worksheets[0]
        cells = next(found.iter_rows(min_row=row, max_row=row, values_only=True))
    finally:
        book.close()
    return [str(v) for v in cells if v is not None]


def test_the_intake_holds_file_labels_as_categories_in_text_order(city):
    intake, _ = city
    for name in LABELLED:
        table = getattr(intake, name)
        assert len(table), name
        for column in [c for c in FILE_LABELS if c in table]:
            labels = table[column]
            assert labels.dtype == "category", (name, column)
            categories = [str(c) for c in labels.cat.categories]
            assert categories == sorted(categories), (name, column)  # sorts go as on text
            assert labels.notna().all(), (name, column)


def test_each_label_names_the_workbook_sheet_and_row_the_record_came_from(city):
    intake, _ = city
    panel, projects = intake.panel, intake.projects
    for r in panel.iloc[[0, len(panel) // 2, -1]].itertuples():
        assert r.credit_code in _row(r.source_file, r.source_sheet, r.source_row)
        assert r.credit_code in _row(r.tax_source, None, r.tax_row)
    for r in projects.iloc[[0, -1]].itertuples():
        assert r.project_name in _row(r.source_file, r.source_sheet, r.source_row)


def test_the_processed_tables_hold_the_labels_as_plain_text(city):
    intake, paths = city
    for name in LABELLED:
        path = paths.processed / f"{name}.parquet"
        schema = pq.read_schema(path)
        back = pd.read_parquet(path)
        for column in [c for c in FILE_LABELS if c in schema.names]:
            assert schema.field(column).type == pa.large_string(), (name, column)
            held = getattr(intake, name)[column].astype(object)
            assert back[column].astype(object).tolist() == held.tolist(), (name, column)


def test_products_name_files_as_text_whether_built_in_the_run_or_from_the_folder(city):
    intake, paths = city
    period = Period.parse("2026-09")
    data = store.period_data(intake, period, PARAMS_DIR)
    in_hand = products.Products(period, None, PARAMS_DIR, data=data)
    read_back = products.Products(period, paths.processed, PARAMS_DIR)
    for name in WITH_LABELS:
        made, again = in_hand.table(name), read_back.table(name)
        assert len(made) and made["source_file"].dtype == "str", name
        pd.testing.assert_frame_equal(made, again)
