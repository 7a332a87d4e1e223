"""Charts with Chinese labels, in a font shipped with the package's dependencies.

Noto Sans CJK SC comes from the mplfonts wheel, so Chinese renders on a fresh machine
without system fonts and without missing-glyph boxes, and looks the same on a machine
that has its own CJK fonts. Distributions, heatmaps and grouped comparisons are drawn
with seaborn, in the same font.
"""

import functools
import io
import sys
from importlib.resources import files

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from analysis.judgement import ATTENTION, BEHIND
from analysis.measures.targets import STATUS_COLOURS
from analysis.report.formatting import COUNT_UNITS, points

FONT_FILE = files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
TARGET_COLOUR, ACTUAL_COLOUR, PROJECTED_COLOUR = "#90a4ae", "#1565c0", "#64b5f6"
# A page shows a chart at most this wide (px: the body's 1120 less its margins); a wider
# figure is scaled down, and its text with it. Charts are drawn no wider, so that text of
# SMALL_TEXT points stays at least about 10 px on screen (8 pt at 110 dpi: 12 px).
PAGE_WIDTH_PX = 1050
DPI = 110
MAX_WIDTH_IN = PAGE_WIDTH_PX / DPI
SMALL_TEXT = 8


def use_chinese_font() -> str:
    """Register the bundled CJK font by its file and make it matplotlib's default.

    A system font of the same family name (Debian's fonts-noto-cjk has one, in a .ttc
    holding the Japanese and Korean cuts too) would otherwise win the look-up by name, so
    that name is left pointing at the bundled file only. Returns the family name.
    """
    path = str(FONT_FILE)
    manager = font_manager.fontManager
    if not any(f.fname == path for f in manager.ttflist):  # once per process
        manager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    manager.ttflist = [f for f in manager.ttflist if f.name != name or f.fname == path]
    font_manager.FontManager._findfont_cached.cache_clear()  # look-ups made before this
    plt.rcParams["font.family"] = [name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["figure.dpi"] = DPI
    plt.rcParams["axes.titley"] = 1.0  # titles placed, not moved clear of top ticks (none)
    return name


class Chart(Figure):
    """A figure laid out to fit itself (tight_layout or fixed margins), so that a page
    shows it as drawn: without the inline backend's crop to the tight bounding box, a
    second pass measuring every label."""


def _subplots(*args, **kwargs):
    return plt.subplots(*args, FigureClass=Chart, **kwargs)


def _png(fig: Chart) -> tuple[bytes, dict]:
    """The PNG a page shows, with its alt text (alt_text) as the output's metadata."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches=None)
    return buffer.getvalue(), {"alt": alt_text(fig)}


def alt_text(fig: Figure, shown: int = 6) -> str:
    """What a chart shows, for a reader who cannot see it: its titles (the first `shown`
    of a set of small multiples, and how many more)."""
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    if not titles:
        return "图表"
    more = f"等 {len(titles)} 幅小图" if len(titles) > shown else ""
    return "图表：" + "；".join(titles[:shown]) + more


def chart(draw):
    """A chart function: drawn in the bundled font, and rendered once where it is shown.

    In a Jupyter kernel pyplot draws every changed ("stale") figure after each cell, and
    the inline backend then draws it again, cropped, into the PNG it displays; a figure
    laid out once by tight_layout keeps a placeholder layout engine that makes every save
    measure it again. A chart is complete when returned: it is marked as drawn, left
    without a layout engine, and shown as a PNG drawn once (_png).
    """

    @functools.wraps(draw)
    def drawn(*args, **kwargs):
        use_chinese_font()
        shell = _ipython()
        if shell:
            shell.display_formatter.formatters["image/png"].for_type(Chart, _png)
        fig = draw(*args, **kwargs)
        fig.set_layout_engine(None)
        fig.stale = False
        return fig

    return drawn


def _ipython():
    """The running IPython shell, if any; IPython is not imported where it was not."""
    module = sys.modules.get("IPython")
    return module.get_ipython() if module else None


def _money(yuan: float, _position=None) -> str:
    """An axis label for an amount in yuan: 500万, 1亿, 12亿."""
    if yuan >= 1e8:
        return f"{yuan / 1e8:g}亿"
    if yuan >= 1e4:
        return f"{yuan / 1e4:g}万"
    return f"{yuan:g}"


def _grouped(value: float, _position=None) -> str:
    """A tick label with thousands separators: 19,082, 2.5, 0."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}"


def _separated(*axes) -> None:
    """Thousands separators on the given axes' tick labels (ax.xaxis, ax.yaxis)."""
    for axis in axes:
        axis.set_major_formatter(FuncFormatter(_grouped))


def _honest_scale(ax, values) -> None:
    """A small chart's value axis, started where it does not mislead: at zero when every
    value is at or above it (a level, a count, a share), so a 0.06-point step does not
    fill the panel like a collapse; otherwise spanning at least a tenth of the largest
    magnitude around the values."""
    values = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if values.empty:
        return
    low, high = float(values.min()), float(values.max())
    if low >= 0:
        ax.set_ylim(bottom=0, top=max(ax.get_ylim()[1], high * 1.05 or 1))
        return
    span = 0.1 * max(abs(low), abs(high))
    if high - low < span:
        middle = (high + low) / 2
        ax.set_ylim(middle - span / 2, middle + span / 2)


@chart
def tier_progress(counts: pd.DataFrame):
    """Firms counted in each tier now and by projection, against the target."""
    fig, ax = _subplots(figsize=(8, 0.55 * len(counts) + 1.2))
    y = range(len(counts))
    ax.barh([i + 0.27 for i in y], counts["target"], 0.27, color=TARGET_COLOUR, label="年度目标")
    ax.barh(y, counts["actual"], 0.27, color=ACTUAL_COLOUR, label="按累计数")
    ax.barh(
        [i - 0.27 for i in y], counts["projected"], 0.27, color=PROJECTED_COLOUR, label="按全年预计"
    )
    for i, row in enumerate(counts.itertuples()):
        ax.text(row.actual, i, f" {row.actual:,}", va="center", fontsize=SMALL_TEXT)
    ax.set_yticks(list(y), counts["name"])
    ax.invert_yaxis()
    ax.set_xlabel("企业数（家）")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _separated(ax.xaxis)
    ax.legend(loc="lower right", fontsize=SMALL_TEXT)
    ax.set_title("分档企业数与年度目标")
    fig.tight_layout()
    return fig


@chart
def band_distribution(counts: pd.DataFrame, title: str):
    """How many firms fall in each size band (`band`, `firms`: products.py's bands of
    one measure), every band shown even when empty."""
    fig, ax = _subplots(figsize=(7, 3.2))
    bars = ax.bar(counts["band"].astype(str), counts["firms"].to_numpy(), color=ACTUAL_COLOUR)
    ax.bar_label(bars, fmt="{:,.0f}", fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _separated(ax.yaxis)
    ax.set_ylabel("企业数（家）")
    ax.set_title(title)
    fig.tight_layout()
    return fig


@chart
def industry_revenue(breakdown: pd.DataFrame):
    """Cumulative revenue by industry (亿元) with its 同比 growth."""
    fig, ax = _subplots(figsize=(8, 3.6))
    ax.bar(breakdown["industry"], breakdown["revenue_ytd"] / 1e8, color=ACTUAL_COLOUR)
    for i, row in enumerate(breakdown.itertuples()):
        label = "" if pd.isna(row.revenue_growth) else f"{row.revenue_growth * 100:+.1f}%"
        ax.text(i, row.revenue_ytd / 1e8, label, ha="center", va="bottom", fontsize=SMALL_TEXT)
    ax.set_ylabel("营业收入（亿元）")
    _separated(ax.yaxis)
    ax.set_title("分产业营业收入（本年累计）及同比增速")
    ax.tick_params(axis="x", labelrotation=20, labelsize=SMALL_TEXT)
    fig.tight_layout()
    return fig


@chart
def scorecard_progress(card: pd.DataFrame):
    """Progress of every indicator with data against its 序时进度, coloured by status,
    with a legend of the colours shown and of the black line."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    shown = card[card["progress"].notna()]
    fig, ax = _subplots(figsize=(MAX_WIDTH_IN, 0.45 * len(shown) + 1.6))
    colours = [STATUS_COLOURS[s] for s in shown["status"]]
    ax.barh(shown["name"], shown["progress"] * 100, color=colours)
    for i, row in enumerate(shown.itertuples()):
        ax.plot([row.expected_progress * 100] * 2, [i - 0.4, i + 0.4], color="black", lw=1.5)
        ax.text(
            row.progress * 100, i, f" {row.progress * 100:,.0f}%", va="center", fontsize=SMALL_TEXT
        )
    ax.set_ylim(len(shown) - 0.5, -0.5)  # first indicator on top, no empty rows
    ax.set_xlabel("完成年度目标（%），黑线为序时进度")
    _separated(ax.xaxis)
    ax.set_title("年度目标完成进度")
    by_colour: dict[str, list[str]] = {}
    for status in dict.fromkeys(shown["status"]):
        by_colour.setdefault(STATUS_COLOURS[status], []).append(status)
    handles = [Patch(color=c, label="、".join(names)) for c, names in by_colour.items()]
    handles.append(Line2D([], [], color="black", lw=1.5, label="序时进度"))
    columns = min(len(handles), 4)
    rows = -(-len(handles) // columns)
    fig.legend(
        handles=handles, loc="lower center", ncol=columns, fontsize=SMALL_TEXT, frameon=False
    )
    fig.tight_layout(rect=(0, (0.28 * rows + 0.1) / fig.get_figheight(), 1, 1))
    return fig


@chart
def indicator_paths(paths, columns: int = 3):
    """Small multiples, one per indicator with data: its value at each period of this
    year (solid) and last year (dashed), with the target (rates) or the 序时进度 path of a
    yearly target (levels, target × month/12) dotted. `paths` is history.indicator_paths."""
    shown = paths[paths["actual"].notna()]
    ids = list(dict.fromkeys(shown["indicator"]))
    rows = max(1, -(-len(ids) // columns))
    width = MAX_WIDTH_IN / columns  # drawn at the page's width: its text is not scaled down
    fig, axes = _subplots(rows, columns, figsize=(width * columns, 2.3 * rows), squeeze=False)
    this_year = int(paths["year"].max()) if len(paths) else 0
    for ax, indicator in zip(axes.ravel(), ids, strict=False):
        own = shown[shown["indicator"] == indicator]
        first = own.iloc[0]
        for year, style, colour in (
            (this_year - 1, "--", TARGET_COLOUR),
            (this_year, "-", ACTUAL_COLOUR),
        ):
            line = own[own["year"] == year]
            ax.plot(
                line["month"],
                line["actual"],
                style,
                marker="o",
                ms=3,
                color=colour,
                label=f"{year}年",
            )
        if pd.notna(first["target"]):
            schedule = [
                first["target"] * (m / 12 if first["basis"] == "flow" else 1) for m in range(1, 13)
            ]
            ax.plot(range(1, 13), schedule, ":", color="black", lw=1, label="序时进度")
        ax.set_xticks(range(3, 13, 3), ["3月", "6月", "9月", "12月"], fontsize=SMALL_TEXT)
        ax.tick_params(axis="y", labelsize=SMALL_TEXT)
        if first["unit"] in COUNT_UNITS:  # no 0.5 家
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        _honest_scale(ax, own["actual"])
        _separated(ax.yaxis)
        name = first["name"].removeprefix("其中：")
        ax.set_title(f"{name[:14]}（{first['unit']}）", fontsize=9)
    for ax in axes.ravel()[len(ids) :]:
        ax.set_axis_off()
    if ids:
        axes.ravel()[0].legend(fontsize=SMALL_TEXT, loc="lower right")
    # fixed margins, in inches, rather than tight_layout: measuring every label of 40-odd
    # panels in the CJK font cost more than drawing them
    height = 2.3 * rows
    fig.subplots_adjust(
        left=0.07, right=0.98, bottom=0.35 / height, top=1 - 0.3 / height, hspace=0.6, wspace=0.3
    )
    return fig


@chart
def industry_shares(structure):
    """Each industry's share of revenue now and a year earlier (same firms), in percent."""
    fig, ax = _subplots(figsize=(8, 0.5 * len(structure) + 1.2))
    y = range(len(structure))
    ax.barh(
        [i + 0.2 for i in y],
        structure["revenue_share_last_year"] * 100,
        0.4,
        color=TARGET_COLOUR,
        label="上年同期",
    )
    ax.barh(
        [i - 0.2 for i in y],
        structure["revenue_share"] * 100,
        0.4,
        color=ACTUAL_COLOUR,
        label="本期",
    )
    for i, row in enumerate(structure.itertuples()):
        ax.text(
            row.revenue_share * 100,
            i - 0.2,
            f" {points(row.revenue_share_change)}",
            va="center",
            fontsize=SMALL_TEXT,
        )
    ax.set_yticks(list(y), structure["industry"])
    ax.invert_yaxis()
    ax.set_xlabel("营业收入占比（%），数字为占比变化（百分点）")
    ax.set_title("七大主导产业结构变化")
    ax.legend(loc="lower right", fontsize=SMALL_TEXT)
    fig.tight_layout()
    return fig


@chart
def size_distribution(histogram: pd.DataFrame, bounds, title: str):
    """How firms spread by size, on a log scale (sizes span four orders of magnitude),
    with the tier thresholds marked: one bar per bin of `histogram` (`lower`, `upper`,
    `firms`, as products.py bins them), however many firms. Firms with nothing to show
    (zero, the bin whose bounds are 0) are counted in the caption, since a log scale
    cannot place them."""
    zero = histogram["upper"] <= 0
    bins = histogram[~zero]
    fig, ax = _subplots(figsize=(8, 3.4))
    ax.set_xscale("log")
    if len(bins):
        widths = bins["upper"] - bins["lower"]
        ax.bar(bins["lower"], bins["firms"], widths, align="edge", color=ACTUAL_COLOUR, ec="white")
    for bound in sorted(set(bounds)):
        ax.axvline(bound, color="black", ls=":", lw=1)
        ax.text(bound, 1, f" {_money(bound)}", transform=ax.get_xaxis_transform(), va="top")
    ax.xaxis.set_major_formatter(FuncFormatter(_money))
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _separated(ax.yaxis)
    zeros = int(histogram.loc[zero, "firms"].sum())
    note = f"；另有 {zeros} 家为零，未绘出" if zeros else ""
    ax.set_xlabel(f"本期累计（对数刻度），点线为分档门槛{note}")
    ax.set_ylabel("企业数（家）")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


@chart
def status_heatmap(by_department: pd.DataFrame, plan_names: dict[int, str]):
    """Departments × plans: how many of the indicators each department owns in each plan
    need attention (滞后, 预计未达标, 未达到目标, 逾期, 未完成: "n/指标数"), the colour their
    share. `by_department` is
    targets.by_department(card); an empty cell means the department owns none there."""
    import seaborn as sns  # here: only the pages with its charts pay for loading it

    rows = by_department.assign(behind=by_department["status"].isin(ATTENTION))
    owned = rows.pivot_table(
        index="department", columns="plan", values="behind", aggfunc="size", fill_value=0
    )
    behind = rows.pivot_table(
        index="department", columns="plan", values="behind", aggfunc="sum", fill_value=0
    )
    order = list(dict.fromkeys(rows["department"]))
    owned, behind = owned.loc[order], behind.loc[order]
    share = (behind / owned.where(owned > 0)).astype(float)
    labels = np.where(owned > 0, behind.astype(int).astype(str) + "/" + owned.astype(str), "")
    width = min(MAX_WIDTH_IN, 0.75 * owned.shape[1] + 3)  # not scaled down on the page
    fig, ax = _subplots(figsize=(width, 0.42 * len(owned) + 1.8))
    sns.heatmap(
        share,
        annot=labels,
        annot_kws={"fontsize": 9},
        fmt="",
        cmap=sns.light_palette(STATUS_COLOURS[BEHIND], as_cmap=True),
        vmin=0,
        vmax=1,
        linewidths=0.5,
        linecolor="white",
        cbar_kws={
            "label": "需加快推进的指标占比",
            "format": FuncFormatter(lambda v, _: f"{v:.0%}"),
        },
        ax=ax,
    )
    ax.set_xticklabels([f"{p} {plan_names[p][:4]}" for p in owned.columns], rotation=30)
    ax.tick_params(axis="x", labelsize=SMALL_TEXT)
    ax.tick_params(axis="y", labelsize=SMALL_TEXT, rotation=0)
    ax.collections[0].colorbar.ax.tick_params(labelsize=SMALL_TEXT)
    ax.set_xlabel("计划")
    ax.set_ylabel("责任单位")
    ax.set_title("各责任单位承担指标中需加快推进的项数（项数/指标数）")
    fig.tight_layout()
    return fig


@chart
def industry_growth(structure: pd.DataFrame):
    """Revenue and tax 同比 side by side for each industry, in percent, so an industry
    whose tax lags its revenue stands out."""
    import seaborn as sns  # here: only the pages with its charts pay for loading it

    long = structure.melt(
        id_vars="industry",
        value_vars=["revenue_growth", "tax_growth"],
        var_name="measure",
        value_name="growth",
    ).dropna(subset=["growth"])
    long["growth"] = long["growth"].astype(float) * 100
    long["measure"] = long["measure"].map(
        {"revenue_growth": "营业收入同比", "tax_growth": "税收同比"}
    )
    fig, ax = _subplots(figsize=(8, 0.5 * structure["industry"].nunique() + 1.4))
    sns.barplot(
        long,
        y="industry",
        x="growth",
        hue="measure",
        palette=[ACTUAL_COLOUR, TARGET_COLOUR],
        order=list(structure["industry"]),
        ax=ax,
    )
    for container in ax.containers:
        ax.bar_label(container, fmt="%+.1f", fontsize=SMALL_TEXT, padding=2)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel("同口径同比增速（%）")
    _separated(ax.xaxis)
    ax.set_ylabel("")
    ax.set_title("七大主导产业营业收入与税收增速")
    ax.legend(title="", fontsize=SMALL_TEXT, loc="best")
    sns.despine(fig)
    fig.tight_layout()
    return fig


@chart
def loss_share(table: pd.DataFrame):
    """亏损面 (share of loss-making firms) of each industry and the city, now and a year
    earlier on the same firms, in percent (warnings.loss_share)."""
    fig, ax = _subplots(figsize=(8, 0.5 * len(table) + 1.2))
    y = range(len(table))
    before = table["loss_share_last_year"].astype(float) * 100
    now = table["loss_share"].astype(float) * 100
    ax.barh([i + 0.2 for i in y], before, 0.4, color=TARGET_COLOUR, label="上年同期")
    ax.barh([i - 0.2 for i in y], now, 0.4, color=ACTUAL_COLOUR, label="本期")
    for i, (share, change) in enumerate(zip(now, table["change"].astype(float), strict=True)):
        if not np.isnan(change):
            ax.text(share, i - 0.2, f" {change:+.1f}", va="center", fontsize=8)
    ax.set_yticks(list(y), table["industry"])
    ax.invert_yaxis()
    ax.set_xlabel("亏损面（%），数字为比上年同期的变化（百分点）")
    ax.set_title("分产业亏损面")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
