"""Generated sentences in the register of a government report, from computed tables."""

import pandas as pd

from analysis.periods import Quarter
from analysis.targets import AHEAD, BEHIND, ON_TRACK


def tiers_sentence(counts: pd.DataFrame, quarter: Quarter) -> str:
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


def scorecard_sentence(card: pd.DataFrame, quarter: Quarter) -> str:
    """Counts by status and the indicators behind schedule."""
    counts = card["status"].value_counts()
    with_data = card["actual"].notna().sum()
    behind = card.loc[card["status"] == BEHIND, "name"].tolist()
    text = (
        f"截至{quarter.year}年{quarter.month}月底，十大计划共 {len(card)} 项指标，"
        f"其中 {with_data} 项已有数据：{AHEAD} {counts.get(AHEAD, 0)} 项，"
        f"{ON_TRACK} {counts.get(ON_TRACK, 0)} 项，{BEHIND} {counts.get(BEHIND, 0)} 项；"
        f"其余 {len(card) - with_data} 项本期未报送数据。序时进度为 {quarter.elapsed:.0%}。"
    )
    if behind:
        text += "滞后指标：" + "、".join(behind) + "。"
    return text
