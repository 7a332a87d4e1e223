"""A report for any month, not only a quarter's end: a small generated city with 1-2月 and
1-10月 tables, run end to end through papermill, its counts recounted here from the
generator's truth panel; the notebooks run from any working directory."""

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.config import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT
from analysis.measures import store
from analysis.run import cli
from analysis.sample import city as sample
from analysis.sample.sources import generate_sources
from tests.conftest import BANDS

YEAR = 2026


@pytest.fixture(scope="module")
def city(october):
    """The session's October city (conftest.october): 1-2月 to 1-10月, reported for
    2026年1-10月 beside a 2026-02 and a 2026Q3 report."""
    return october


def _at(truth: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    return truth[(truth.year == year) & (truth.month == month)].set_index("credit_code")


def _projected(truth: pd.DataFrame, measure: str, month: int) -> pd.Series:
    """Full year = cumulative ÷ last year's share by the same month, if plausible, else
    × 12 / month (README: Projection), computed here from the truth panel."""
    now = _at(truth, YEAR, month)[measure]
    if ((truth.year == YEAR - 1) & (truth.month == month)).any():
        same = _at(truth, YEAR - 1, month)[measure].reindex(now.index)
    else:  # no table of last year's month: this table's 上年同期 column
        same = _at(truth, YEAR, month)[f"{measure}_prev"]
    share = same / _at(truth, YEAR - 1, 12)[measure].reindex(now.index)
    linear = month / 12
    return (now / share).where(share.between(0.5 * linear, min(1.0, 1.5 * linear)), now / linear)


def _check_tiers(card: pd.DataFrame, truth: pd.DataFrame, month: int) -> None:
    now = _at(truth, YEAR, month)
    for indicator, (measure, lower, upper) in BANDS.items():
        values, projected = now[measure], _projected(truth, measure, month)
        assert card.loc[indicator, "actual"] == ((values >= lower) & (values < upper)).sum()
        expected = ((projected >= lower) & (projected < upper)).sum()
        assert card.loc[indicator, "projected"] == expected, indicator


def test_a_month_that_ends_no_quarter_gets_its_own_folder_and_months_over_twelve(city):
    truth, _, report = city
    assert report.name == "2026-10"
    card = pd.read_csv(report / "scorecard.csv", encoding="utf-8-sig").set_index("indicator")
    _check_tiers(card, truth, 10)
    flows = card.loc[card["judged_on"] == "完成进度对照序时进度", "expected_progress"]
    assert len(flows) and (flows == 83.3).all()  # 1-10月: 10/12, in percent
    assert card.loc["leading_industries_revenue", "actual"] == pytest.approx(
        _at(truth, YEAR, 10)["revenue"].sum() / 1e8, abs=0.005
    )  # 亿元 to two decimals in scorecard.csv
    tiers = pd.read_csv(report / "tiers.csv", dtype={"credit_code": str}, encoding="utf-8-sig")
    now = _at(truth, YEAR, 10)
    got = tiers.set_index("credit_code").loc[now.index, "revenue_ytd"]
    np.testing.assert_allclose(got, now["revenue"], rtol=1e-9)


def test_the_monthly_report_speaks_of_the_month(city):
    _, _, report = city
    bulletin = (report / "09_bulletin.html").read_text(encoding="utf-8")
    assert "截至10月底" in bulletin
    scorecard = (report / "03_scorecard.html").read_text(encoding="utf-8")
    assert "截至2026年10月底" in scorecard and "序时进度为 83.3%" in scorecard
    index = (report / "index.html").read_text(encoding="utf-8")
    assert "2026年1-10月" in index
    assert index.index('href="../2026Q3/index.html"') < index.index('href="../2026-02/index.html"')
    assert "2026年2月（2026年1-2月）" in index
    parameters = yaml.safe_load((report / "parameters.yaml").read_text(encoding="utf-8"))
    assert (parameters["year"], parameters["month"]) == (YEAR, 10)
    assert not {"quarter", "raw_dir", "out_dir"} & set(parameters)


def test_jan_feb_counts_as_two_months(city):
    truth, paths, _ = city
    data = store.load_period(YEAR, 2, paths.processed, PARAMS_DIR)
    card = data.scorecard().set_index("indicator")
    _check_tiers(card, truth, 2)
    flows = card.loc[card["judged_on"] == "完成进度对照序时进度", "expected_progress"]
    assert len(flows) and np.allclose(flows, 2 / 12)  # 1-2月: two months of twelve


def test_month_paths_where_monthly_tables_exist(city):
    from analysis.measures import history

    _, paths, _ = city
    data = store.load_period(YEAR, 10, paths.processed, PARAMS_DIR)
    path = history.indicator_paths(data)
    held = set(zip(path["year"], path["month"], strict=True))
    assert held == {(2025, m) for m in (3, 6, 9, 10, 12)} | {(2026, m) for m in (2, 3, 6, 9, 10)}
    # an earlier point (measured without projections) is what that period's scorecard says
    for year, month in ((2025, 12), (2026, 6)):
        card = store.load_period(year, month, paths.processed, PARAMS_DIR).scorecard()
        point = path[(path["year"] == year) & (path["month"] == month)]
        stated = card.set_index("indicator")["actual"].reindex(point["indicator"])
        assert point["actual"].notna().sum() > 10
        np.testing.assert_array_equal(point["actual"].to_numpy(), stated.to_numpy())


def _papermill(cwd: Path, output: Path, parameters: dict) -> nbformat.NotebookNode:
    """papermill's own command line, as a scheduler or an economist calls it, in `cwd`."""
    file = output.with_suffix(".yaml")
    file.write_text(yaml.safe_dump(parameters, allow_unicode=True), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "papermill", str(NOTEBOOKS_DIR / "01_data_quality.ipynb")]
        + [str(output), "-f", str(file), "-k", "python3", "--no-progress-bar"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return nbformat.read(output, as_version=4)


def _shown(book) -> str:
    return "".join(
        str(o.get("data", {}).get("text/markdown", ""))
        for c in book.cells
        if c.cell_type == "code"
        for o in c.outputs
    )


def test_notebooks_read_relative_folders_from_the_project_root_in_any_working_directory(
    city, tmp_path
):
    _, paths, _ = city
    # relative to the project root, as the notebooks' own defaults ("data/processed") are,
    # in the parameters.yaml of a report made before monthly periods (quarter, raw_dir,
    # out_dir), through papermill's own command line in another working directory
    processed = os.path.relpath(paths.processed, PROJECT_ROOT)
    earlier = {"year": YEAR, "quarter": 3, "raw_dir": "/nowhere", "out_dir": "/nowhere"}
    book = _papermill(tmp_path, tmp_path / "tmp.ipynb", earlier | {"processed_dir": processed})
    assert "报告期：2026年1-9月" in _shown(book)


def test_the_command_line_takes_a_period_in_every_spelling_and_quarter_as_an_alias():
    parse = cli._parser().parse_args
    for text in ("2026-10", "2026年1-10月", "2026M10", "2026Q3", "latest"):
        assert parse(["run", "--period", text]).period == text
    assert parse(["run", "--quarter", "2026Q3"]).period == "2026Q3"
    assert parse(["run"]).period == "latest"
    with pytest.raises(SystemExit):
        parse(["run", "--period", "2026-13"])


def test_monthly_tables_change_none_of_a_citys_quarter_end_figures():
    quarterly = sample.generate_city(firms=40, seed=11, year=YEAR, month=9)
    monthly = sample.generate_city(firms=40, seed=11, year=YEAR, month=10, jan_feb=True)
    held = set(zip(monthly.year, monthly.month, strict=True))
    assert held == {(2025, m) for m in (3, 6, 9, 10, 12)} | {(2026, m) for m in (2, 3, 6, 9, 10)}
    ends = monthly[monthly.month % 3 == 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(ends, quarterly)
    a, b = generate_sources(quarterly), generate_sources(monthly)
    for name in ("projects", "platforms", "financing", "returns"):
        kept = getattr(b, name)[getattr(b, name).month % 3 == 0].reset_index(drop=True)
        pd.testing.assert_frame_equal(kept, getattr(a, name).reset_index(drop=True))
    # cumulative figures never fall within a year, and 1-2月 is its own first table
    flows = monthly.pivot_table(index="credit_code", columns=["year", "month"], values="revenue")
    for year in (2025, 2026):
        steps = flows[year].dropna().diff(axis=1).iloc[:, 1:]
        assert len(steps) > 30 and (steps >= 0).all().all()
    last_year = _at(monthly, YEAR - 1, 10)["revenue"]  # 上年同期 of firms in both years
    previous = _at(monthly, YEAR, 10)["revenue_prev"].reindex(last_year.index).dropna()
    assert len(previous) > 30
    np.testing.assert_array_equal(previous, last_year.reindex(previous.index))
