"""The real notebooks, executed by papermill on a small generated city, checked against an
independent computation from the generator's own figures."""

import json
import re
import subprocess
import sys

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.config import PARAMS_DIR
from analysis.errors import NotebookFailed
from analysis.run import runner
from analysis.run.runner import RunPaths, run
from tests.conftest import BANDS, HOSTILE, cell_texts, copy_report, notebooks_with_cell, tag_names

YEAR, QUARTER = 2026, 3


@pytest.fixture(scope="module")
def city(report):
    return report.truth, report.paths, report.internal.folder


def _expected_projection(truth: pd.DataFrame, measure: str) -> pd.Series:
    now = truth[(truth.year == YEAR) & (truth.month == 3 * QUARTER)].set_index("credit_code")
    last = truth[truth.year == YEAR - 1]
    same = last[last.month == 3 * QUARTER].set_index("credit_code")[measure]
    full = last[last.month == 12].set_index("credit_code")[measure]
    share = (same / full).reindex(now.index)
    linear = 3 * QUARTER / 12
    seasonal_ok = share.between(0.5 * linear, min(1.0, 1.5 * linear))
    return (now[measure] / share).where(seasonal_ok, now[measure] / linear)


def test_report_folder_holds_every_output(city):
    _, _, report = city
    names = {p.name for p in report.iterdir()}
    for stem in ("01_data_quality", "02_firm_tiers", "03_scorecard"):
        assert {f"{stem}.ipynb", f"{stem}.html"} <= names
    assert {"index.html", "scorecard.csv", "tiers.csv", "quarantine.csv"} <= names
    assert report.name == f"{YEAR}Q{QUARTER}"


def test_executed_notebooks_have_no_errors_and_charts(city):
    _, _, report = city
    for path in report.glob("*.ipynb"):
        book = nbformat.read(path, as_version=4)
        outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"], path.name
        assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    tiers_book = nbformat.read(report / "02_firm_tiers.ipynb", as_version=4)
    images = [
        o
        for c in tiers_book.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(images) >= 3


def test_tiers_csv_holds_the_generators_figures_in_yuan(city):
    truth, _, report = city
    tiers = pd.read_csv(report / "tiers.csv", dtype={"credit_code": str}, encoding="utf-8-sig")
    assert list(tiers.columns[:6]) == [
        "credit_code",
        "name",
        "industry",
        "revenue_ytd",
        "tax_ytd",
        "rd_ytd",
    ]
    now = truth[(truth.year == YEAR) & (truth.month == 3 * QUARTER)].set_index("credit_code")
    got = tiers.set_index("credit_code").loc[now.index]
    for measure in ("revenue", "tax", "rd"):
        np.testing.assert_allclose(got[f"{measure}_ytd"], now[measure], atol=0.005)  # to 分
    assert (got["name"] == now["name"]).all()


def test_scorecard_counts_match_an_independent_count_and_a_recount_of_tiers_csv(city):
    truth, _, report = city
    card = pd.read_csv(report / "scorecard.csv", encoding="utf-8-sig").set_index("indicator")
    assert list(card.reset_index().columns) == [
        "indicator",
        "plan",
        "name",
        "unit",
        "target",
        "actual",
        "projected",
        "progress",
        "expected_progress",
        "status",
        "judged_on",
        "departments",
    ]
    tiers = pd.read_csv(report / "tiers.csv", dtype={"credit_code": str}, encoding="utf-8-sig")
    now = truth[(truth.year == YEAR) & (truth.month == 3 * QUARTER)].set_index("credit_code")
    for indicator, (measure, lower, upper) in BANDS.items():
        values = now[measure]
        expected = int(((values >= lower) & (values < upper)).sum())
        assert card.loc[indicator, "actual"] == expected, indicator
        recount = tiers[f"{measure}_ytd"]
        assert int(((recount >= lower) & (recount < upper)).sum()) == expected
        projected = _expected_projection(truth, measure)
        assert card.loc[indicator, "projected"] == int(
            ((projected >= lower) & (projected < upper)).sum()
        ), indicator
        progress = 100 * expected / card.loc[indicator, "target"]  # in percent, 1 decimal
        assert card.loc[indicator, "progress"] == pytest.approx(progress, abs=0.05)
    assert card.loc["leading_industries_revenue", "actual"] == pytest.approx(
        now["revenue"].sum() / 1e8, abs=0.005
    )
    assert set(card.loc[card["actual"].notna(), "plan"]) == set(range(1, 11))
    # 序时进度 by basis, as params/targets.yaml states it: flows 9/12 = 75%, rates judged
    # against the rate itself (100%), stocks and batches none; every basis present
    written = yaml.safe_load((PARAMS_DIR / "targets.yaml").read_text(encoding="utf-8"))
    basis = pd.Series({i["id"]: i["basis"] for i in written["indicators"]})
    expected = basis.map({"flow": 75.0, "rate": 100.0, "stock": np.nan, "batch": np.nan})
    assert set(basis) == {"flow", "rate", "stock", "batch"}
    pd.testing.assert_series_equal(
        card.loc[basis.index, "expected_progress"], expected, check_names=False
    )


def test_html_is_chinese_without_code_and_index_links_every_section(city):
    _, _, report = city
    index = (report / "index.html").read_text(encoding="utf-8")
    for page in ("01_data_quality.html", "02_firm_tiers.html", "03_scorecard.html"):
        assert f'href="{page}"' in index
        text = (report / page).read_text(encoding="utf-8")
        assert "data:image/png;base64" in text or page == "01_data_quality.html"
        images = re.findall(r"<img\b[^>]*>", text)
        assert all(re.search(r'alt="图表：[^"]+"', image) for image in images)  # charts' titles
        assert "load_period" not in text  # code is hidden
        assert "Traceback" not in text
    assert "十大计划目标完成情况一览" in index and "销售收入过1亿元工业企业" in index


def test_a_hostile_firm_name_in_a_table_is_text_not_markup(city):
    truth, _, report = city
    assert HOSTILE in set(truth["name"])  # the shared report's city carries it
    page = (report / "02_firm_tiers.html").read_text(encoding="utf-8")
    assert HOSTILE in cell_texts(page)  # a table cell shows it, as a browser would
    assert "script" not in tag_names(page) and HOSTILE not in page


def test_a_failing_notebook_names_its_cell_keeps_evidence_and_leaves_the_report(report, tmp_path):
    paths = copy_report(report, tmp_path)  # the shared report is read by others meanwhile
    before = (paths.out / "2026Q3" / "scorecard.csv").read_bytes()
    notebooks = notebooks_with_cell(
        tmp_path / "notebooks",
        lambda name: "raise ValueError('故意的错误')" if name == "02_firm_tiers.ipynb" else "",
        bare=runner.NOTEBOOKS,  # what they compute is not the question
    )
    failing = RunPaths(raw=paths.raw, out=paths.out, processed=paths.processed, notebooks=notebooks)
    with pytest.raises(NotebookFailed) as err:
        run("latest", failing)
    assert err.value.notebook == "02_firm_tiers.ipynb"
    assert "ValueError: 故意的错误" in str(err.value)
    assert err.value.kept_at.exists()
    assert (paths.out / "2026Q3" / "scorecard.csv").read_bytes() == before
    assert not list(paths.out.glob(".staging-*"))


def test_cli_refuses_a_broken_file_in_one_line_without_traceback(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "2026年1-9月指标.xlsx").write_bytes(b"not a workbook")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "run",
            "--raw",
            str(raw),
            "--out",
            str(tmp_path / "out"),
            "--processed",
            str(tmp_path / "p"),
            "--params",
            str(PARAMS_DIR),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "2026年1-9月指标.xlsx" in lines[0]
    assert not (tmp_path / "out").exists()


def test_parameters_reach_the_notebooks_typed(city):
    _, _, report = city
    book = json.loads((report / "03_scorecard.ipynb").read_text(encoding="utf-8"))
    injected = next(
        c for c in book["cells"] if "injected-parameters" in c["metadata"].get("tags", [])
    )
    source = "".join(injected["source"])
    assert f"year = {YEAR}\n" in source and f"month = {3 * QUARTER}\n" in source
