"""Generated sentences in the register of a government report, from computed tables.

Each indicator is spoken of by the rule of its kind (targets.judge): a flow by its
progress against 序时进度, a stock (firms in a tier) by its full-year projection, a batch
(awards, deals) by its running total until year end, a rate by the rate."""

import pandas as pd

from analysis.intake.periods import Period
from analysis.measures.targets import (
    AHEAD,
    ATTENTION,
    MISSED,
    NO_DATA,
    OFF_COURSE,
    ON_COURSE,
    ON_TRACK,
    REACHED,
    STATUS_ORDER,
    YEARLY,
    targets_note,
)


def no_targets(card: pd.DataFrame, quarter: Period) -> str:
    """The warning every page gives when targets.yaml sets nothing for the report's year
    (the scorecard's `target_year` is then empty throughout); else ""."""
    if card.empty or card["target_year"].notna().any():
        return ""
    return targets_note(quarter.year, None)


def tiers_sentence(counts: pd.DataFrame, quarter: Period) -> str:
    """What the tier counts say against their targets, headline tier first: a count of
    firms is judged at year end, on the full-year projection, never on 序时进度."""
    year_end = quarter.month == 12
    parts = []
    for row in counts.itertuples():
        name = f"{row.name.removeprefix('其中：')}（{row.rule}）"
        if pd.isna(row.target):
            parts.append(f"{name}{row.actual} 家，按全年预计 {row.projected} 家，本年未设目标")
        elif year_end:
            verdict = REACHED if row.actual >= row.target else MISSED
            parts.append(f"{name}全年 {row.actual} 家，目标 {row.target:g} 家，{verdict}")
        else:
            verdict = ON_COURSE if row.projected >= row.target else OFF_COURSE
            parts.append(
                f"{name}目前 {row.actual} 家，按全年预计 {row.projected} 家，"
                f"目标 {row.target:g} 家，{verdict}"
            )
    return f"截至{quarter.year}年{quarter.month}月底，" + "。".join(parts) + "。"


def _tally(statuses: pd.Series) -> str:
    counts = statuses.value_counts()
    return "，".join(f"{s} {counts[s]} 项" for s in STATUS_ORDER if counts.get(s))


def scorecard_sentence(card: pd.DataFrame, quarter: Period) -> str:
    """Counts by status and the indicators needing attention (滞后, 预计未达标, 未达标)."""
    with_data = card["actual"].notna()
    attention = card.loc[card["status"].isin(ATTENTION), "name"].str.removeprefix("其中：")
    text = no_targets(card, quarter) + (
        f"截至{quarter.year}年{quarter.month}月底，十大计划共 {len(card)} 项指标，"
        f"其中 {with_data.sum()} 项已有数据：{_tally(card.loc[with_data, 'status'])}；"
        f"其余 {len(card) - with_data.sum()} 项本期未报送数据。"
        f"流量指标的序时进度为 {quarter.schedule}。"
    )
    if not attention.empty:
        text += "需加快推进的指标：" + "、".join(attention) + "。"
    return text


def _figure(value: float, unit: str) -> str:
    """A figure with its unit as a sentence writes it: 24.44亿元, 46.7%, 12项."""
    digits = {"亿元": 2, "%": 1}.get(unit, 0)
    return f"{value:,.{digits}f}{unit}"


def _judged(row) -> str:
    """One indicator with a target and data, in the words of its rule."""
    name = row.name.removeprefix("其中：")
    actual, target = _figure(row.actual, row.unit), _figure(row.target, row.unit)
    if row.basis == "stock" and pd.notna(row.projected) and row.status in (ON_COURSE, OFF_COURSE):
        return (
            f"{name}目前{actual}，全年预计{_figure(row.projected, row.unit)}，"
            f"目标{target}（{row.status}）"
        )
    if row.basis in ("stock", "batch"):
        verdict = "按年度累计，12月末考核" if row.status == YEARLY else row.status
        return f"{name}本年累计{actual}，目标{target}，完成{row.progress:.1%}（{verdict}）"
    return f"{name}{actual}，目标{target}，完成{row.progress:.1%}（{row.status}）"


def plan_sentence(card: pd.DataFrame, plans: list[int], quarter: Period) -> str:
    """Every indicator of the given plans: actual against target and its judgement by the
    rule of its kind; indicators without data are named as such."""
    shown = card[card["plan"].isin(plans)]
    parts, missing = [], []
    for row in shown.itertuples():
        name = row.name.removeprefix("其中：")
        if pd.isna(row.actual):
            missing.append(name)
        elif pd.isna(row.target):
            parts.append(f"{name}{_figure(row.actual, row.unit)}")
        else:
            parts.append(_judged(row))
    text = f"截至{quarter.year}年{quarter.month}月底，" + "；".join(parts) + "。" if parts else ""
    if missing:
        text += "本期未报送数据：" + "、".join(missing) + "。"
    return no_targets(card, quarter) + text


def _attention_clause(row) -> str:
    """How far an indicator needing attention is from its target, by its rule."""
    name = row.name.removeprefix("其中：")
    if row.basis == "rate":
        gap = row.target - row.actual
        points = "个百分点" if row.unit == "%" else row.unit
        return (
            f"{name}为{_figure(row.actual, row.unit)}，"
            f"低于目标{_figure(row.target, row.unit)}（差{gap:.1f}{points}）"
        )
    if row.status == OFF_COURSE:
        return (
            f"{name}目前{_figure(row.actual, row.unit)}，全年预计"
            f"{_figure(row.projected, row.unit)}，低于目标{_figure(row.target, row.unit)}"
        )
    if row.status == MISSED:
        return (
            f"{name}全年{_figure(row.actual, row.unit)}，未完成目标{_figure(row.target, row.unit)}"
        )
    gap = 100 * (row.expected_progress - row.progress)
    return f"{name}完成年度目标的{row.progress:.1%}，低于序时进度{gap:.1f}个百分点"


def department_paragraph(rows: pd.DataFrame, department: str, quarter: Period) -> str:
    """A department's paragraph of the 督查通报: its indicators by status, each one needing
    attention with how far it is from its target, and those it has not reported.

    `rows` are the department's rows of targets.by_department, those needing attention
    first.
    """
    text = no_targets(rows, quarter)
    text += f"截至{quarter.month}月底，{department}牵头的{len(rows)}项指标中，"
    text += _tally(rows["status"]).replace(" ", "").replace("，", "、") + "。"
    attention = rows[rows["status"].isin(ATTENTION)]
    if not attention.empty:
        clauses = "；".join(_attention_clause(r) for r in attention.itertuples())
        text += f"需加快推进：{clauses}。请采取有效措施，加快推进。"
    elif rows["status"].isin([AHEAD, ON_TRACK, REACHED, ON_COURSE]).any():
        text += "有目标且已报送的指标均未滞后。"
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
    share = shown.set_index("industry")["revenue_share"].astype(float).dropna()
    change = shown.set_index("industry")["revenue_share_change"].astype(float).dropna()
    if share.empty:
        return text + "。"
    text += f"，{share.idxmax()}占比最高（{share.max():.1%}）"
    if change.empty:  # no 上年同期 of the same firms to compare with
        return text + "。"
    return text + (
        f"。与上年同期相比，{change.idxmax()}占比提高最多（{change.max():+.1f}个百分点），"
        f"{change.idxmin()}占比下降最多（{change.min():+.1f}个百分点）。"
    )
