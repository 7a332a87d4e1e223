"""Charts with Chinese labels, in a font shipped with the package's dependencies.

Noto Sans CJK SC comes from the mplfonts wheel, so Chinese renders on a fresh machine
without system fonts and without missing-glyph boxes.
"""

from importlib.resources import files

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from analysis.targets import STATUS_COLOURS

FONT_FILE = files("mplfonts") / "fonts" / "NotoSansCJKsc-Regular.otf"
TARGET_COLOUR, ACTUAL_COLOUR, PROJECTED_COLOUR = "#90a4ae", "#1565c0", "#64b5f6"


def use_chinese_font() -> str:
    """Register the bundled CJK font and make it matplotlib's default; returns its name."""
    font_manager.fontManager.addfont(str(FONT_FILE))
    name = font_manager.FontProperties(fname=str(FONT_FILE)).get_name()
    plt.rcParams["font.family"] = [name, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["figure.dpi"] = 110
    return name


def tier_progress(counts: pd.DataFrame):
    """Firms counted in each tier now and by projection, against the target."""
    use_chinese_font()
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(counts) + 1.2))
    y = range(len(counts))
    ax.barh([i + 0.27 for i in y], counts["target"], 0.27, color=TARGET_COLOUR, label="年度目标")
    ax.barh(y, counts["actual"], 0.27, color=ACTUAL_COLOUR, label="按累计数")
    ax.barh(
        [i - 0.27 for i in y], counts["projected"], 0.27, color=PROJECTED_COLOUR, label="按全年预计"
    )
    for i, row in enumerate(counts.itertuples()):
        ax.text(row.actual, i, f" {row.actual}", va="center", fontsize=8)
    ax.set_yticks(list(y), counts["name"])
    ax.invert_yaxis()
    ax.set_xlabel("企业数（家）")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("分档企业数与年度目标")
    fig.tight_layout()
    return fig


def band_distribution(firms: pd.DataFrame, measure: str, title: str):
    """How many firms fall in each size band, every band shown even when empty."""
    use_chinese_font()
    counts = firms[f"{measure}_band"].value_counts(sort=False)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    bars = ax.bar(counts.index.astype(str), counts.to_numpy(), color=ACTUAL_COLOUR)
    ax.bar_label(bars, fontsize=9)
    ax.set_ylabel("企业数（家）")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def industry_revenue(breakdown: pd.DataFrame):
    """Cumulative revenue by industry (亿元) with its 同比 growth."""
    use_chinese_font()
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.bar(breakdown["industry"], breakdown["revenue_ytd"] / 1e8, color=ACTUAL_COLOUR)
    for i, row in enumerate(breakdown.itertuples()):
        label = "" if pd.isna(row.revenue_growth) else f"{row.revenue_growth * 100:+.1f}%"
        ax.text(i, row.revenue_ytd / 1e8, label, ha="center", va="bottom", fontsize=8)
    ax.set_ylabel("营业收入（亿元）")
    ax.set_title("分产业营业收入（本年累计）及同比增速")
    ax.tick_params(axis="x", labelrotation=20, labelsize=8)
    fig.tight_layout()
    return fig


def scorecard_progress(card: pd.DataFrame):
    """Progress of every indicator with data against its 序时进度, coloured by status."""
    use_chinese_font()
    shown = card[card["progress"].notna()]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(shown) + 1.2))
    colours = [STATUS_COLOURS[s] for s in shown["status"]]
    ax.barh(shown["name"], shown["progress"] * 100, color=colours)
    for i, row in enumerate(shown.itertuples()):
        ax.plot([row.expected_progress * 100] * 2, [i - 0.4, i + 0.4], color="black", lw=1.5)
        ax.text(row.progress * 100, i, f" {row.progress * 100:.0f}%", va="center", fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("完成年度目标（%），黑线为序时进度")
    ax.set_title("年度目标完成进度")
    fig.tight_layout()
    return fig


def indicator_paths(paths, columns: int = 4):
    """Small multiples, one per indicator with data: its value at each period of this
    year (solid) and last year (dashed), with the target (rates) or the 序时进度 path of a
    yearly target (levels, target × month/12) dotted. `paths` is history.indicator_paths."""
    use_chinese_font()
    shown = paths[paths["actual"].notna()]
    ids = list(dict.fromkeys(shown["indicator"]))
    rows = max(1, -(-len(ids) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(3 * columns, 2.3 * rows), squeeze=False)
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
        ax.set_xticks(range(3, 13, 3), ["3月", "6月", "9月", "12月"], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        name = first["name"].removeprefix("其中：")
        ax.set_title(f"{name[:14]}（{first['unit']}）", fontsize=8)
    for ax in axes.ravel()[len(ids) :]:
        ax.set_axis_off()
    if ids:
        axes.ravel()[0].legend(fontsize=6, loc="upper left")
    fig.tight_layout()
    return fig


def industry_shares(structure):
    """Each industry's share of revenue now and a year earlier (same firms), in percent."""
    use_chinese_font()
    fig, ax = plt.subplots(figsize=(8, 0.5 * len(structure) + 1.2))
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
            f" {row.revenue_share_change:+.1f}",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(list(y), structure["industry"])
    ax.invert_yaxis()
    ax.set_xlabel("营业收入占比（%），数字为占比变化（百分点）")
    ax.set_title("七大主导产业结构变化")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig
