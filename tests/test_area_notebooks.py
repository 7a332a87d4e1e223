"""The area notebooks (04-10) of the shared report (tests/conftest.py), executed by the
runner on a generated city read through the real intake, in both editions; the public one
names no firm outside published lists."""

import warnings

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

from analysis.config import PARAMS_DIR  # noqa: E402
from analysis.measures import history, industries, store  # noqa: E402
from analysis.report import charts

YEAR, QUARTER = 2026, 3
NOTEBOOKS = [
    "04_industries",
    "05_projects",
    "06_innovation",
    "07_financing",
    "08_reform_people",
    "09_bulletin",
    "10_warnings",
]


@pytest.fixture(scope="module")
def executed(report):
    folders = {"internal": report.internal.folder, "public": report.public.folder}
    return {
        (name, edition): nbformat.read(folder / f"{name}.ipynb", as_version=4)
        for name in NOTEBOOKS
        for edition, folder in folders.items()
    }


def _outputs(book):
    return [o for c in book.cells if c.cell_type == "code" for o in c.outputs]


def _text(book) -> str:
    parts = []
    for output in _outputs(book):
        data = output.get("data", {})
        parts += [data.get("text/html", ""), data.get("text/markdown", ""), output.get("text", "")]
    return "".join(str(p) for p in parts)


def test_notebooks_run_without_errors_and_draw_their_charts(executed):
    for (name, edition), book in executed.items():
        outputs = _outputs(book)
        assert not [o for o in outputs if o.output_type == "error"], (name, edition)
        assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
        images = [o for o in outputs if "image/png" in o.get("data", {})]
        if name != "09_bulletin":
            assert images, (name, edition)
            continue
        # the bulletin is tables: who returned, the summary, then a table per department
        html = [o.get("data", {}).get("text/html", "") for o in outputs]
        headings = [o for o in outputs if o.get("data", {}).get("text/markdown", "")[:4] == "### "]
        assert headings and len([h for h in html if 'class="report-table"' in h]) == 2 + len(
            headings
        ), edition


def test_internal_edition_lists_firms_and_projects(executed):
    assert "黄海汽配扩规项目" in _text(executed[("05_projects", "internal")])
    assert "金牌饲料有限公司" in _text(executed[("07_financing", "internal")])
    bulletin = _text(executed[("09_bulletin", "internal")])
    assert "截至9月底，经信局承担的" in bulletin and "滞后" in bulletin
    assert "本单位报送" in bulletin and "已报送" in bulletin


def test_public_edition_names_no_firm_outside_published_award_lists(report, executed):
    panel = report.truth
    names = set(panel.loc[panel["year"] == YEAR, "name"])
    for name in NOTEBOOKS:
        if name == "06_innovation":  # awards are published by the approving bodies
            assert "公开版不列示企业数据" in _text(executed[(name, "public")])
            continue
        text = _text(executed[(name, "public")])
        assert not [n for n in names if n in text], name


def test_small_multiples_and_structure_chart_render_chinese_without_missing_glyphs(
    report, tmp_path
):
    data = store.load_period(YEAR, 3 * QUARTER, report.paths.processed, PARAMS_DIR)
    paths = history.indicator_paths(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # "Glyph ... missing from font" would raise
        charts.indicator_paths(paths).savefig(tmp_path / "paths.png")
        charts.industry_shares(industries.structure(data.firms)).savefig(tmp_path / "shares.png")
    assert (tmp_path / "paths.png").stat().st_size > 50_000
