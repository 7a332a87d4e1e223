"""Charts: Chinese drawn as glyphs (not boxes) in the bundled font, on any machine; counts
on whole-number ticks; the seaborn charts (size distribution, status heatmap, industry
growth) drawn without a missing glyph."""

import json
import os
import subprocess
import sys
import textwrap
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

from analysis.report import charts  # noqa: E402

# Renders text alone in the chart's default font: two different strings of Chinese that
# come out as the same pixels are boxes (tofu), whatever file the font was taken from.
GLYPH_PROBE = textwrap.dedent(
    """
    import json, warnings
    import matplotlib
    matplotlib.use("Agg")
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from analysis.report import charts

    charts.use_chinese_font()

    def ink(text):
        fig = Figure(figsize=(3, 0.6), dpi=100)
        FigureCanvasAgg(fig)
        fig.text(0.02, 0.2, text, fontsize=20)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., 0]

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a, b = ink("销售收入过亿"), ink("纳税企业培育")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the boxes below are meant to be missing glyphs
        c = ink("\\ue000\\ue001\\ue002")
    print(json.dumps({
        "warnings": [str(w.message) for w in caught],
        "differ": int((a != b).sum()),
        "tofu_differ": int((c != ink("\\ue003\\ue004\\ue005")).sum()),
        "inked": int((a < 128).sum()),
    }))
    """
)


def _probe(tmp_path) -> dict:
    config = tmp_path / "mplconfig"
    config.mkdir()
    env = os.environ | {"MPLCONFIGDIR": str(config)}  # no font cache from an earlier run
    done = subprocess.run(
        [sys.executable, "-c", GLYPH_PROBE], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_chinese_renders_as_glyphs_with_an_empty_matplotlib_cache(tmp_path):
    seen = _probe(tmp_path)
    assert not [w for w in seen["warnings"] if "missing" in w.lower()], seen["warnings"]
    # Characters no font has are drawn as identical boxes; Chinese must not be.
    assert seen["tofu_differ"] == 0
    assert seen["differ"] > 500 and seen["inked"] > 500


def test_the_font_is_the_bundled_file_by_path():
    name = charts.use_chinese_font()
    from matplotlib import font_manager

    assert font_manager.FontProperties(fname=str(charts.FONT_FILE)).get_name() == name
    same_name = [f.fname for f in font_manager.fontManager.ttflist if f.name == name]
    assert same_name == [str(charts.FONT_FILE)]


def _no_missing_glyphs(draw, path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font" would raise here
        fig = draw()
        fig.savefig(path)
    assert path.stat().st_size > 10_000
    return fig


def test_tier_chart_has_no_missing_glyphs_and_counts_whole_firms(tmp_path):
    counts = pd.DataFrame(
        {
            "name": ["销售收入过1亿元工业企业", "其中：纳税过1亿元"],
            "target": [3, 1],
            "actual": [2, 0],
            "projected": [2, 1],
        }
    )
    fig = _no_missing_glyphs(lambda: charts.tier_progress(counts), tmp_path / "chart.png")
    low, high = fig.axes[0].get_xlim()
    ticks = [t for t in fig.axes[0].get_xticks() if low <= t <= high]
    assert all(float(t).is_integer() for t in ticks)  # firms are counted whole


def _ticks(ax) -> list[float]:
    low, high = ax.get_ylim()
    return [t for t in ax.get_yticks() if low <= t <= high]


def test_small_multiples_of_counts_have_whole_number_ticks(tmp_path):
    paths = pd.DataFrame(
        {
            "indicator": ["listed"] * 4 + ["rate"] * 4,
            "name": ["推进上市企业"] * 4 + ["研发投入强度"] * 4,
            "unit": ["家"] * 4 + ["%"] * 4,
            "year": [2026, 2026, 2025, 2025] * 2,
            "month": [3, 6, 3, 6] * 2,
            "actual": [0, 1, 1, 1, 0.2, 0.5, 0.3, 0.4],
            "target": [2.0] * 4 + [1.0] * 4,
            "basis": ["flow"] * 4 + ["rate"] * 4,
        }
    )
    fig = _no_missing_glyphs(lambda: charts.indicator_paths(paths), tmp_path / "paths.png")
    counts, rate = fig.axes[0], fig.axes[1]
    assert _ticks(counts) and all(float(t).is_integer() for t in _ticks(counts))
    assert not all(float(t).is_integer() for t in _ticks(rate))  # rates keep their decimals


def test_size_distribution_is_on_a_log_scale_with_every_firm_counted(tmp_path):
    rng = np.random.default_rng(1)
    sizes = 10 ** rng.uniform(6.5, 9.5, 120)
    edges = np.geomspace(sizes.min(), sizes.max(), 31)
    counts = np.histogram(sizes, edges)[0]  # binned here, by numpy, not by the code
    histogram = pd.DataFrame(
        {"lower": [0.0, *edges[:-1]], "upper": [0.0, *edges[1:]], "firms": [2, *counts]}
    )
    fig = _no_missing_glyphs(
        lambda: charts.size_distribution(histogram, [1e8, 5e8, 1e9], "累计营业收入分布"),
        tmp_path / "sizes.png",
    )
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert sum(p.get_height() for p in ax.patches) == 120  # the two zeros cannot be placed
    assert "2 家为零" in ax.get_xlabel()
    assert {"1亿", "5亿", "10亿"} <= {t.get_text().strip() for t in ax.texts}


def test_status_heatmap_counts_behind_indicators_per_department_and_plan(tmp_path):
    rows = pd.DataFrame(
        {
            "department": ["经信局", "经信局", "经信局", "科技局"],
            "plan": [3, 3, 5, 5],
            "status": ["滞后", "超序时进度", "滞后", "达到序时进度"],
        }
    )
    names = {3: "骨干攀登计划", 5: "科技强企计划"}
    fig = _no_missing_glyphs(lambda: charts.status_heatmap(rows, names), tmp_path / "heatmap.png")
    labels = sorted(t.get_text() for t in fig.axes[0].texts if t.get_text())
    assert labels == ["0/1", "1/1", "1/2"]  # 经信局: 1 of 2 in plan 3, 1 of 1 in 5; 科技局 0/1
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["经信局", "科技局"]


def test_industry_growth_shows_both_rates_in_percent(tmp_path):
    structure = pd.DataFrame(
        {
            "industry": ["海洋工业", "现代制造业"],
            "revenue_growth": [0.125, -0.05],
            "tax_growth": [0.02, float("nan")],
        }
    )
    fig = _no_missing_glyphs(lambda: charts.industry_growth(structure), tmp_path / "growth.png")
    drawn = sorted(round(p.get_width(), 1) for p in fig.axes[0].patches if p.get_width())
    assert drawn == [-5.0, 2.0, 12.5]


@pytest.mark.parametrize("yuan, text", [(5e7, "5000万"), (1e8, "1亿"), (1.5e9, "15亿")])
def test_money_axis_labels(yuan, text):
    assert charts._money(yuan) == text


def test_a_charts_alt_text_is_its_titles():
    fig, axes = charts._subplots(2, 4)
    for i, ax in enumerate(axes.ravel()):
        ax.set_title(f"指标{i}")
    assert charts.alt_text(fig) == "图表：指标0；指标1；指标2；指标3；指标4；指标5等 8 幅小图"
    one, ax = charts._subplots()
    assert charts.alt_text(one) == "图表"
    ax.set_title("分档企业数与年度目标")
    assert charts.alt_text(one) == "图表：分档企业数与年度目标"


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "launched"])
def test_a_chart_shown_in_a_kernel_is_drawn_once_and_uncropped(tmp_path, fork):
    """pyplot's after-cell redraw and the inline backend's crop each cost a pass over every
    label; a chart is drawn once, into the PNG the page shows, at its own size. In the
    run's kernels, forked from a process that imported matplotlib, or launched."""
    import base64
    import io

    import nbformat
    import papermill
    from PIL import Image

    from analysis.run.kernels import WarmKernels, stop

    count = textwrap.dedent(
        """
        from matplotlib.figure import Figure
        import pandas as pd
        from analysis.report import charts
        draws, _draw = [], Figure.draw
        def counted(figure, renderer):
            draws.append(1)
            return _draw(figure, renderer)
        Figure.draw = counted
        """
    )
    bands = 'pd.DataFrame({"band": ["甲", "乙"], "firms": [3, 4]})'
    chart = f'fig = charts.band_distribution({bands}, "分档")'
    cells = [count, chart, "print(len(draws), fig.get_size_inches() * fig.dpi)"]
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "p", "language": "python"}
    nbformat.write(book, tmp_path / "in.ipynb")
    with WarmKernels([tmp_path / "in.ipynb"], ahead=1, cwd=tmp_path, fork=fork) as warm:
        kernel = warm.take()
        try:
            papermill.execute_notebook(
                str(tmp_path / "in.ipynb"),
                str(tmp_path / "out.ipynb"),
                kernel_name="python3",
                km=kernel,
                progress_bar=False,
            )
        finally:
            stop(kernel)
    done = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells
    png = [o["data"]["image/png"] for o in done[1].outputs if "image/png" in o.get("data", {})]
    assert len(png) == 1
    draws, size = done[2].outputs[0]["text"].split(" ", 1)
    assert draws == "1"
    width, height = Image.open(io.BytesIO(base64.b64decode(png[0]))).size
    assert f"[{width}. {height}.]" == size.strip()  # the figure as laid out, not cropped


@pytest.fixture(scope="module")
def every_chart(report):
    """Every chart of the pages, drawn from the shared report's own products."""
    from analysis.measures import products

    p = products.open(2026, 9, None, report.paths.processed)
    bands = p.table("bands")
    tiers = p.table("tier_defs")
    return {
        "tier_progress": charts.tier_progress(p.table("tier_counts")),
        "band_distribution": charts.band_distribution(
            bands[bands["measure"] == "revenue"], "营业收入分档企业数"
        ),
        "size_distribution": charts.size_distribution(
            p.table("size_histogram"), tiers["lower_yuan"], "营业收入的企业分布"
        ),
        "industry_revenue": charts.industry_revenue(p.table("industry_breakdown")),
        "scorecard_progress": charts.scorecard_progress(p.table("scorecard")),
        "indicator_paths": charts.indicator_paths(p.table("paths")),
        "status_heatmap": charts.status_heatmap(p.table("by_department"), p.plan_names),
        "industry_shares": charts.industry_shares(p.table("structure")),
        "industry_growth": charts.industry_growth(p.table("structure")),
    }


def test_chart_text_is_at_least_ten_pixels_as_the_page_shows_it(every_chart):
    """A page shows a chart at most PAGE_WIDTH_PX wide: text is measured at that size."""
    for name, fig in every_chart.items():
        fig.canvas.draw()
        shown = min(1.0, charts.PAGE_WIDTH_PX / (fig.get_figwidth() * fig.dpi))
        sizes = [
            text.get_fontsize() * fig.dpi / 72 * shown
            for text in fig.findobj(matplotlib.text.Text)
            if text.get_visible() and text.get_text().strip()
        ]
        assert sizes and min(sizes) >= 10, (name, min(sizes))


def test_large_tick_labels_carry_thousands_separators():
    paths = pd.DataFrame(
        {
            "indicator": ["trainees"] * 4,
            "name": ["企业家培训人次"] * 4,
            "unit": ["人次"] * 4,
            "year": [2026, 2026, 2025, 2025],
            "month": [3, 6, 3, 6],
            "actual": [9_000, 19_082, 8_000, 15_000],
            "target": [30_000.0] * 4,
            "basis": ["flow"] * 4,
        }
    )
    fig = charts.indicator_paths(paths)
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    big = [label for label in labels if len(label.replace(",", "")) > 3]
    assert big and all("," in label for label in big), labels


def test_a_small_step_of_a_rate_is_not_drawn_as_a_collapse():
    """46.76% then 46.70%: a 0.06-point step. The panel starts at zero, so the step is the
    sliver it is, not a fall from the top of the panel to its floor."""
    paths = pd.DataFrame(
        {
            "indicator": ["cut_share"] * 3,
            "name": ["审批事项削减比例"] * 3,
            "unit": ["%"] * 3,
            "year": [2026] * 3,
            "month": [3, 6, 9],
            "actual": [46.76, 46.76, 46.70],
            "target": [54.0] * 3,
            "basis": ["rate"] * 3,
        }
    )
    ax = charts.indicator_paths(paths).axes[0]
    low, high = ax.get_ylim()
    assert low == 0 and high >= 46.76
    assert (46.76 - 46.70) / (high - low) < 0.01  # the step is under 1% of the panel


def test_the_progress_chart_explains_its_colours_and_its_line(every_chart, report):
    from analysis.measures import products

    card = products.open(2026, 9, None, report.paths.processed).table("scorecard")
    shown = set(card.loc[card["progress"].notna(), "status"])
    fig = every_chart["scorecard_progress"]
    (legend,) = fig.legends
    named = [t.get_text() for t in legend.get_texts()]
    listed = [status for text in named for status in text.split("、")]
    assert set(listed) == shown | {"序时进度"} and len(listed) == len(shown) + 1
    bars = {p.get_facecolor() for p in fig.axes[0].patches}
    patches = {h.get_facecolor() for h in legend.legend_handles if hasattr(h, "get_facecolor")}
    assert patches == bars  # one entry per colour drawn
