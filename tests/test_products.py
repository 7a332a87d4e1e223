"""The period's products (products.py): read back from the run's folder exactly as built on
demand, built once per run and only read by the kernels, and a notebook without a folder
still runs on its own."""

from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest

from analysis.config import NOTEBOOKS_DIR, PARAMS_DIR
from analysis.errors import NoDataError
from analysis.intake.periods import Period
from analysis.measures import products, store
from analysis.run import kernels, runner
from tests.conftest import BANDS, cell_texts, copy_report, without_libreoffice

YEAR, MONTH = 2026, 9


@pytest.fixture(scope="module")
def city(report, tmp_path_factory):
    """A 40-firm generated city read by the real intake: the shared report's, whose run
    folders are only read here; and a folder of this module's own."""
    return tmp_path_factory.mktemp("products"), report.paths


@pytest.fixture(scope="module")
def built(city):
    root, paths = city
    data = store.load_period(YEAR, MONTH, paths.processed, PARAMS_DIR)
    folder = root / "products"
    products.build(data, folder, PARAMS_DIR)
    return folder


def _panel_now(paths) -> pd.DataFrame:
    panel = pd.read_parquet(Path(paths.processed) / "panel.parquet")
    return panel[(panel["year"] == YEAR) & (panel["month"] == MONTH)]


def test_every_product_read_from_the_folder_equals_the_one_built_on_demand(city, built):
    _, paths = city
    read = products.open(YEAR, MONTH, None, paths.processed, PARAMS_DIR, built)
    made = products.open(YEAR, MONTH, None, paths.processed, PARAMS_DIR, None)
    assert sorted(p.name for p in built.glob("*.parquet")) == sorted(
        f"{name}.parquet" for name in products.TABLES
    )
    for name in products.TABLES:
        pd.testing.assert_frame_equal(read.table(name), made.table(name), obj=name)
    assert read.meta == made.meta
    # the public tables keep their × marks through Parquet, figures beside them
    public = read.table("industry_breakdown_public")
    assert (public == "×").any().any()
    assert public["firms"].sum() == len(_panel_now(paths))


def test_the_size_histogram_places_every_firm_in_one_bin(city, built):
    _, paths = city
    histogram = products.open(YEAR, MONTH, None, paths.processed, PARAMS_DIR, built).table(
        "size_histogram"
    )
    revenue = _panel_now(paths)["revenue"].dropna()
    bins = histogram[histogram["upper"] > 0]
    assert len(bins) == products.SIZE_BINS
    assert histogram.loc[histogram["upper"] == 0, "firms"].sum() == (revenue == 0).sum()
    inside = [
        ((revenue >= lo) & (revenue < hi if i < len(bins) - 1 else revenue <= hi)).sum()
        for i, (lo, hi) in enumerate(zip(bins["lower"], bins["upper"], strict=True))
    ]
    # the edges are 10**(log edges): a firm on an edge may sit a rounding off either side
    assert sum(inside) == (revenue > 0).sum()
    assert np.abs(np.array(inside) - bins["firms"].to_numpy()).sum() <= 2


def test_a_notebook_without_products_dir_builds_what_it_shows(city, tmp_path):
    """Opened by hand: no products folder, and no period named either, so it takes the
    newest processed period (the city's is 1-9月) and says so in its first output."""
    _, paths = city
    output = tmp_path / "02.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "02_firm_tiers.ipynb"),
        str(output),
        parameters={"processed_dir": str(paths.processed)},
        kernel_name="python3",
        kernel_manager_class=kernels.IPCKernelManager,
        progress_bar=False,
    )
    book = nbformat.read(output, as_version=4)
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    cells = cell_texts("".join(o.get("data", {}).get("text/html", "") for o in outputs))
    revenue = _panel_now(paths)["revenue"]
    field, lower, upper = BANDS["sales_ge_100m"]
    counted = int(((revenue >= lower) & (revenue < upper)).sum())
    rule = cells.index("营业收入≥1亿元")
    assert cells[rule + 2] == str(counted)  # rule, target, then the count as it stands
    first = outputs[0]["data"]["text/markdown"]
    assert first.startswith("**报告期：2026年1-9月**") and "已导入数据的最新一期" in first


def test_a_period_left_unnamed_is_the_newest_the_processed_data_hold(city, tmp_path):
    _, paths = city
    panel = pd.read_parquet(Path(paths.processed) / "panel.parquet", columns=["year", "month"])
    newest = panel.sort_values(["year", "month"]).iloc[-1]
    assert (int(newest["year"]), int(newest["month"])) == (YEAR, MONTH)  # read independently
    chosen = products.open(processed_dir=paths.processed)
    assert (chosen.period.year, chosen.period.month, chosen.defaulted) == (YEAR, MONTH, True)
    last_year = panel.loc[panel["year"] == YEAR - 1, "month"].max()
    assert products.open(YEAR - 1, processed_dir=paths.processed).period.month == last_year
    assert products.open(month=6, processed_dir=paths.processed).period == Period(YEAR, 6)
    named = products.open(YEAR, 6, None, paths.processed)
    assert not named.defaulted and named.period_note == "**报告期：2026年1-6月**"
    with pytest.raises(NoDataError, match="make ingest"):
        products.open(processed_dir=tmp_path)
    with pytest.raises(NoDataError, match="已有"):
        products.open(2031, processed_dir=paths.processed)


def test_the_run_builds_each_product_once_and_the_kernels_only_read_them(
    report, tmp_path, monkeypatch
):
    """Once built, the processed folder is moved away: a kernel that built a product
    itself would find no intake and fail the run. (A forced run on a copy of the shared
    report: its workbooks are parsed already.)"""
    paths = copy_report(report, tmp_path)
    calls = {name: 0 for name in products.TABLES}

    def counted(name, function):
        def product(p):
            calls[name] += 1
            return function(p)

        return product

    for name, function in list(products.TABLES.items()):
        monkeypatch.setitem(products.TABLES, name, counted(name, function))
    build = products.build

    def build_then_hide_the_intake(data, folder, params_dir):
        made = build(data, folder, params_dir)
        Path(paths.processed).rename(tmp_path / "hidden")
        return made

    monkeypatch.setattr(products, "build", build_then_hide_the_intake)
    with without_libreoffice():
        result = runner.produce("latest", paths, force=True)
    assert calls == {name: 1 for name in products.TABLES}
    assert not (result.folder / runner.PRODUCTS).exists()  # never published
    assert "营业收入≥1亿元" in (result.folder / "02_firm_tiers.html").read_text(encoding="utf-8")
