"""Generated sentences in the register of a government report, from computed tables."""

import pandas as pd

from analysis.periods import Period
from analysis.targets import AHEAD, BEHIND, NO_DATA, NO_TARGET, ON_TRACK


def tiers_sentence(counts: pd.DataFrame, quarter: Period) -> str:
    """What the tier counts say against their targets, headline tier first."""
    parts = []
    for row in counts.itertuples():
        verdict = (
            "已达到年度目标"
            if row.actual >= row.target
            else f"距目标差 {row.target - row.actual:g} 家"
        )
        parts.append(
            f"{row.name.removeprefix('其中：')}（{row.rule}）{row.actual} 家，"
            f"目标 {row.target:g} 家，{verdict}；按全年预计 {row.projected} 家"
        )
    return f"截至{quarter.year}年{quarter.month}月底，" + "。".join(parts) + "。"


def scorecard_sentence(card: pd.DataFrame, quarter: Period) -> str:
    """Counts by status and the indicators behind schedule."""
    counts = card["status"].value_counts()
    with_data = card["actual"].notna().sum()
    behind = card.loc[card["status"] == BEHIND, "name"].tolist()
    text = (
        f"截至{quarter.year}年{quarter.month}月底，十大计划共 {len(card)} 项指标，"
        f"其中 {with_data} 项已有数据：{AHEAD} {counts.get(AHEAD, 0)} 项，"
        f"{ON_TRACK} {counts.get(ON_TRACK, 0)} 项，{BEHIND} {counts.get(BEHIND, 0)} 项；"
        f"其余 {len(card) - with_data} 项本期未报送数据。序时进度为 {quarter.schedule}。"
    )
    if behind:
        text += "滞后指标：" + "、".join(behind) + "。"
    return text


def _figure(value: float, unit: str) -> str:
    """A figure with its unit as a sentence writes it: 24.44亿元, 46.7%, 12项."""
    digits = {"亿元": 2, "%": 1}.get(unit, 0)
    return f"{value:,.{digits}f}{unit}"


def plan_sentence(card: pd.DataFrame, plans: list[int], quarter: Period) -> str:
    """Every indicator of the given plans: actual against target, progress and status;
    indicators without data are named as such."""
    shown = card[card["plan"].isin(plans)]
    parts, missing = [], []
    for row in shown.itertuples():
        name = row.name.removeprefix("其中：")
        if pd.isna(row.actual):
            missing.append(name)
        elif pd.isna(row.target):
            parts.append(f"{name}{_figure(row.actual, row.unit)}")
        else:
            parts.append(
                f"{name}{_figure(row.actual, row.unit)}，目标{_figure(row.target, row.unit)}，"
                f"完成{row.progress:.1%}（{row.status}）"
            )
    text = f"截至{quarter.year}年{quarter.month}月底，" + "；".join(parts) + "。" if parts else ""
    if missing:
        text += "本期未报送数据：" + "、".join(missing) + "。"
    return text


def _behind_clause(row) -> str:
    name = row.name.removeprefix("其中：")
    if row.basis == "rate":
        gap = row.target - row.actual
        points = "个百分点" if row.unit == "%" else row.unit
        return (
            f"{name}为{_figure(row.actual, row.unit)}，"
            f"低于目标{_figure(row.target, row.unit)}（差{gap:.1f}{points}）"
        )
    gap = 100 * (row.expected_progress - row.progress)
    return f"{name}完成年度目标的{row.progress:.1%}，低于序时进度{gap:.1f}个百分点"


def department_paragraph(rows: pd.DataFrame, department: str, quarter: Period) -> str:
    """A department's paragraph of the 督查通报: its indicators by status, each one behind
    schedule with how far, and those it has not reported.

    `rows` are the department's rows of bulletin.by_department, behind schedule first.
    """
    counts = rows["status"].value_counts()
    order = [AHEAD, ON_TRACK, BEHIND, NO_TARGET, NO_DATA]
    tally = "、".join(f"{s}{counts[s]}项" for s in order if counts.get(s))
    text = f"截至{quarter.month}月底，{department}牵头的{len(rows)}项指标中，{tally}。"
    behind = rows[rows["status"] == BEHIND]
    if not behind.empty:
        text += "滞后指标：" + "；".join(_behind_clause(r) for r in behind.itertuples()) + "。"
        text += "请采取有效措施，加快推进。"
    elif counts.get(AHEAD, 0) + counts.get(ON_TRACK, 0):
        text += "有目标且已报送的指标均达到或超过序时进度。"
    missing = rows.loc[rows["status"] == NO_DATA, "name"].str.removeprefix("其中：")
    if not missing.empty:
        text += "本期未报送数据：" + "、".join(missing) + "，请按时报送。"
    return text


def industries_sentence(structure: pd.DataFrame, revenue: float, quarter: Period) -> str:
    """Plan 1 in two sentences: the industries' revenue (yuan, the city total), the largest
    one's share, and whose share rose and fell most since last year. Suppressed rows (×)
    are left out of the comparison."""
    text = (
        f"截至{quarter.year}年{quarter.month}月底，七大主导产业规模以上工业企业"
        f"实现营业收入{revenue / 1e8:,.2f}亿元"
    )
    shown = structure[structure["revenue_share_change"].map(lambda v: not isinstance(v, str))]
    if shown.empty:
        return text + "。"
    share = shown.set_index("industry")["revenue_share"].astype(float)
    change = shown.set_index("industry")["revenue_share_change"].astype(float)
    return text + (
        f"，{share.idxmax()}占比最高（{share.max():.1%}）。与上年同期相比，"
        f"{change.idxmax()}占比提高最多（{change.max():+.1f}个百分点），"
        f"{change.idxmin()}占比下降最多（{change.min():+.1f}个百分点）。"
    )
