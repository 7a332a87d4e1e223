"""The real notebooks, executed by papermill on a small generated city, checked against an
independent computation from the generator's own figures."""

import datetime
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
from tests.conftest import (
    BANDS,
    HOSTILE,
    cell_texts,
    copy_report,
    first_sheet_rows,
    notebooks_with_cell,
    without_libreoffice,
)

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
        "not_reported",
        "unreported_items",
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
    # 序时进度 by basis, as params/targets.yaml states it: flows with a target 9/12 = 75%,
    # a ratio as its count, starts by the list (below); stocks, rates and batches none
    written = yaml.safe_load((PARAMS_DIR / "targets.yaml").read_text(encoding="utf-8"))
    items = {i["id"]: i for i in written["indicators"]}
    judged = {k: items[i.get("judged_with") or k] for k, i in items.items()}
    expected = pd.Series(
        {
            k: 75.0 if i["basis"] == "flow" and i["target"][YEAR] is not None else np.nan
            for k, i in judged.items()
            if i["basis"] != "starts"
        }
    )
    assert {i["basis"] for i in items.values()} == {"flow", "starts", "rate", "stock", "batch"}
    assert (expected == 75.0).sum() >= 4
    pd.testing.assert_series_equal(
        card.loc[expected.index, "expected_progress"], expected, check_names=False
    )


def test_key_project_lists_are_judged_on_a_recount_of_the_project_workbook(city):
    """重点项目 and 重大技改 recounted from the project office's workbook with openpyxl:
    annual plan completed against 序时进度, starts against the starts planned."""
    _, paths, report = city
    [path] = (paths.raw / "项目办").glob(f"{YEAR}年1-{3 * QUARTER}月*.xlsx")
    rows = first_sheet_rows(path)
    header = next(r for r in rows if r and "项目名称" in r)
    projects = [dict(zip(header, r, strict=False)) for r in rows[rows.index(header) + 1 :]]
    projects = [p for p in projects if p.get("项目类别")]
    end = datetime.datetime(YEAR, 3 * QUARTER, 30)
    card = pd.read_csv(report / "scorecard.csv", encoding="utf-8-sig").set_index("indicator")
    band = 100 * yaml.safe_load((PARAMS_DIR / "thresholds.yaml").read_text())["on_track_band"]
    for indicator, chosen, starts in (
        ("key_projects_plan_completion", lambda p: p["项目类别"] == "重点项目", "key_projects"),
        (
            "major_upgrade_plan_completion",
            lambda p: p["是否重大技改项目"] == "是",
            "major_upgrade_projects",
        ),
    ):
        mine = [p for p in projects if chosen(p)]
        rate = 100 * sum(p["本年累计完成投资"] for p in mine) / sum(p["本年计划投资"] for p in mine)
        assert card.loc[indicator, "actual"] == pytest.approx(rate, abs=0.05), indicator
        verdict = (
            "超序时进度" if rate > 75 + band else "达到序时进度" if rate >= 75 - band else "滞后"
        )
        assert card.loc[indicator, "status"] == verdict, indicator
        started = sum(p["开工时间"] <= end for p in mine)
        due = sum(p["计划开工时间"] <= end for p in mine)
        target = card.loc[starts, "target"]
        assert card.loc[starts, "actual"] == started
        assert card.loc[starts, "expected_progress"] == pytest.approx(100 * due / target, abs=0.05)


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
    # the page's only script is the sortable lists' own (a long list, 对号入座 among them)
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, flags=re.S)
    assert all("alert(1)" not in s for s in scripts) and HOSTILE not in page


def test_a_failing_notebook_names_its_cell_keeps_evidence_and_leaves_the_report(report, tmp_path):
    paths = copy_report(report, tmp_path)  # the shared report is read by others meanwhile
    before = (paths.out / "2026Q3" / "scorecard.csv").read_bytes()
    notebooks = notebooks_with_cell(
        tmp_path / "notebooks",
        lambda name: "raise ValueError('故意的错误')" if name == "02_firm_tiers.ipynb" else "",
        bare=runner.NOTEBOOKS,  # what they compute is not the question
    )
    failing = RunPaths(raw=paths.raw, out=paths.out, processed=paths.processed, notebooks=notebooks)
    with pytest.raises(NotebookFailed) as err, without_libreoffice():
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
