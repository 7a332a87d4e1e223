"""Generated sentences in the register of a government report, from computed tables.

Each indicator is spoken of by the rule of its kind (judgement.judge): a flow by its
progress against 序时进度, a count of starts against the starts due, a stock (firms in a
tier) by its full-year projection, a batch (awards, deals, documents) as done or not, a
rate against the rate; at 1-12月 every indicator as 已完成 or 未完成."""

import pandas as pd

from analysis.intake.periods import Period
from analysis.judgement import (
    ATTENTION,
    DONE,
    IN_PROGRESS,
    NO_DATA,
    NO_PLANNED_STARTS,
    NOT_DONE,
    NOT_MET,
    NOT_REPORTED,
    OFF_COURSE,
    ON_COURSE,
    OVERDUE,
    RULES,
    STATUS_ORDER,
    YEAR_END,
)
from analysis.measures.targets import targets_note


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
            verdict = DONE if row.actual >= row.target else NOT_DONE
            parts.append(f"{name}全年 {row.actual} 家，目标 {row.target:g} 家，{verdict}")
        else:
            verdict = ON_COURSE if row.projected >= row.target else OFF_COURSE
            parts.append(
                f"{name}目前 {row.actual} 家，按全年预计 {row.projected} 家，"
                f"目标 {row.target:g} 家，{verdict}"
            )
    return f"截至{quarter.year}年{quarter.month}月底，" + "。".join(parts) + "。"


def projection_caveat(reliability: dict, quarter: Period) -> str:
    """How far the tier verdicts can be trusted (tiers.projection_reliability): how many
    firms were projected by last year's seasonal share and how many by the straight line,
    and how many lie so near a threshold that the next month may move them."""
    if quarter.month == 12 or not reliability:
        return ""
    text = (
        f"全年预计以每家企业上年同期占上年全年的比重推算（季节法）{reliability['seasonal']} 家，"
        f"缺少上年数据或比重异常、按已过月份线性推算 {reliability['linear']} 家。"
    )
    if quarter.month <= 3:
        text += (
            f"年初仅有 {quarter.month} 个月的数据，全年预计误差较大，档位判断可能随后续月份改变，"
            "请结合后续月份数据看待。"
        )
    if reliability["near"]:
        text += (
            f"全年预计在门槛（{'、'.join(reliability['bounds'])}）上下 10% 以内的企业共 "
            f"{reliability['near']} 家次，其档位判断最易变动。"
        )
    return text


def _tally(statuses: pd.Series) -> str:
    counts = statuses.value_counts()
    return "，".join(f"{s} {counts[s]} 项" for s in STATUS_ORDER if counts.get(s))


def _name(row) -> str:
    return row.name.removeprefix("其中：")


def scorecard_sentence(card: pd.DataFrame, quarter: Period) -> str:
    """Counts by status, the indicators needing attention, and the departments whose
    return for the period is missing."""
    with_data = card["actual"].notna()
    attention = card.loc[card["status"].isin(ATTENTION), "name"].str.removeprefix("其中：")
    missing = sorted({d for names in card["not_reported"] for d in names.split("、") if d})
    text = no_targets(card, quarter) + (
        f"截至{quarter.year}年{quarter.month}月底，十大计划共 {len(card)} 项指标，"
        f"其中 {with_data.sum()} 项已有数据：{_tally(card.loc[with_data, 'status'])}"
    )
    if (~with_data).any():
        text += f"；另有 {(~with_data).sum()} 项本期无数据"
    text += "。"
    if quarter.month < 12:
        text += f"流量指标的序时进度为 {quarter.schedule}。"
    if not attention.empty:
        text += "需加快推进的指标：" + "、".join(attention) + "。"
    if missing:
        text += "本期未报送报表的单位：" + "、".join(missing) + "（其承担的数未计入合计）。"
    return text


def _figure(value: float, unit: str) -> str:
    """A figure with its unit as a sentence writes it: 24.44亿元, 46.7%, 12项."""
    digits = {"亿元": 2, "%": 1}.get(unit, 0)
    return f"{value:,.{digits}f}{unit}"


def _withheld(row) -> bool:
    """A figure the public edition does not publish (disclosure.withhold_card)."""
    return bool(getattr(row, "withheld", False))


def _judged(row) -> str:
    """One indicator with a target and data, in the words of its rule."""
    if _withheld(row):
        return f"{_name(row)}{row.status}（数额由少数企业构成，公开版不公布）"
    actual, target = _figure(row.actual, row.unit), _figure(row.target, row.unit)
    if row.judged_on == YEAR_END:
        return f"{_name(row)}全年{actual}，目标{target}（{row.status}）"
    if row.basis == "stock" and pd.notna(row.projected):
        return (
            f"{_name(row)}目前{actual}，全年预计{_figure(row.projected, row.unit)}，"
            f"目标{target}（{row.status}）"
        )
    if row.basis == "rate":
        return f"{_name(row)}{actual}，目标{target}（{row.status}）"
    if row.basis == "batch":
        return f"{_name(row)}本年累计{actual}，目标{target}（{row.status}）"
    if row.basis == "starts" and pd.isna(row.expected_progress):
        return f"{_name(row)}：已开工{actual}，清单{target}（{NO_PLANNED_STARTS}）"
    if row.basis == "starts":
        due = round(row.expected_progress * row.target)
        return (
            f"{_name(row)}：已开工{actual}，按计划应开工{due:g}{row.unit}，"
            f"清单{target}（{row.status}）"
        )
    if row.unit == "%" and pd.notna(row.expected_progress):  # a share of a plan done
        schedule = f"{row.expected_progress:.1%}".replace(".0%", "%")
        return f"{_name(row)}{actual}，序时进度{schedule}（{row.status}）"
    return f"{_name(row)}{actual}，目标{target}，完成{row.progress:.1%}（{row.status}）"


def plan_sentence(card: pd.DataFrame, plans: list[int], quarter: Period) -> str:
    """Every indicator of the given plans: actual against target and its judgement by the
    rule of its kind; indicators without data are named as such."""
    shown = card[card["plan"].isin(plans)]
    parts, missing = [], []
    for row in shown.itertuples():
        if _withheld(row):
            parts.append(_judged(row))
        elif pd.isna(row.actual):
            missing.append(_name(row))
        elif pd.isna(row.target):
            parts.append(f"{_name(row)}{_figure(row.actual, row.unit)}")
        else:
            parts.append(_judged(row))
    text = f"截至{quarter.year}年{quarter.month}月底，" + "；".join(parts) + "。" if parts else ""
    if missing:
        text += "本期无数据：" + "、".join(missing) + "。"
    return no_targets(card, quarter) + text


def _attention_clause(row) -> str:
    """How far an indicator needing attention is from its target, by its rule."""
    if _withheld(row):
        return _judged(row)
    actual, target = _figure(row.actual, row.unit), _figure(row.target, row.unit)
    if row.status == NOT_DONE:
        return f"{_name(row)}全年{actual}，未完成目标{target}"
    if row.status == NOT_MET:
        gap = row.target - row.actual
        points = "个百分点" if row.unit == "%" else row.unit
        return f"{_name(row)}为{actual}，低于目标{target}（差{gap:,.1f}{points}）"
    if row.status == OFF_COURSE:
        projected = _figure(row.projected, row.unit)
        return f"{_name(row)}目前{actual}，全年预计{projected}，低于目标{target}"
    if row.status == OVERDUE:
        return f"{_name(row)}累计{actual}，已过完成期限仍未达到目标{target}"
    if row.basis == "starts":
        due = round(row.expected_progress * row.target)
        late = due - row.actual
        return (
            f"{_name(row)}：已开工{actual}，按计划应开工{due:g}{row.unit}，"
            f"{late:g}{row.unit}未按期开工"
        )
    gap = 100 * (row.expected_progress - row.progress)
    if row.unit == "%":
        return f"{_name(row)}{actual}，低于序时进度{gap:.1f}个百分点"
    return f"{_name(row)}完成年度目标的{row.progress:.1%}，低于序时进度{gap:.1f}个百分点"


def _own_clause(row) -> str:
    """A jointly owned indicator as one of its owners reads it: its own figure (and its
    part of the target) beside the joint figure."""
    own = getattr(row, "own_actual", float("nan"))
    if pd.isna(own):
        return ""
    part = getattr(row, "own_target", float("nan"))
    text = f"{_name(row)}本单位报送{_figure(own, row.unit)}"
    if pd.notna(part):
        text += f"，分解目标{_figure(part, row.unit)}（{row.status}）"
    return text + f"，全市合计{_figure(row.actual, row.unit)}"


def department_paragraph(rows: pd.DataFrame, department: str, quarter: Period) -> str:
    """A department's paragraph of the 督查通报: its indicators by status, each one needing
    attention with how far it is from its target, its own part of joint indicators, and
    the figures it did not report.

    `rows` are the department's rows of targets.by_department, those needing attention
    first.
    """
    text = no_targets(rows, quarter)
    text += f"截至{quarter.month}月底，{department}承担的{len(rows)}项指标中，"
    text += _tally(rows["status"]).replace(" ", "").replace("，", "、") + "。"
    attention = rows[rows["status"].isin(ATTENTION)]
    if not attention.empty:
        clauses = "；".join(_attention_clause(r) for r in attention.itertuples())
        text += f"进度滞后或预计难以完成的：{clauses}。"
    if "own_actual" in rows:
        joint = rows[rows["departments"].str.contains("、") & rows["own_actual"].notna()]
        own = [_own_clause(r) for r in joint.itertuples()]
        text += "共同承担的指标中，" + "；".join(own) + "。" if own else ""
    unreported = rows.loc[rows["status"] == NOT_REPORTED, "name"].str.removeprefix("其中：")
    if not unreported.empty:
        text += f"本期未报送：{'、'.join(unreported)}，请尽快补报。"
    missing = rows.loc[rows["status"] == NO_DATA, "name"].str.removeprefix("其中：")
    if not missing.empty:
        text += "本期无数据：" + "、".join(missing) + "。"
    if attention.empty and unreported.empty:
        pending = rows["status"].isin([IN_PROGRESS]).any()
        text += "有目标的指标均未滞后" + ("，成批事项仍在推进" if pending else "") + "。"
    return text


def rules_text(card: pd.DataFrame, quarter: Period, band: float) -> str:
    """Every rule the scorecard applies this period, each with an example from this
    period's own figures, as a Markdown list (README "How each indicator is judged")."""
    lines = []
    examples = card[card["actual"].notna() & card["target"].notna()]  # none withheld
    example = {b: examples[examples["basis"] == b].head(1) for b in RULES}
    if quarter.month == 12:
        lines.append(
            "- **年末（1-12月）**：每项有目标的指标以全年完成数对照年度目标，"
            "只判“已完成”或“未完成”；开工指标以按计划年内应开工的项目数为准。"
        )
    described = {
        "flow": (
            "流量指标（逐月累计的投资、走访、培训、削减事项，以及项目清单的年度计划投资完成率）",
            "完成进度 = 本年累计 ÷ 年度目标，对照序时进度"
            f"（已过月数 ÷ 12，本期 {quarter.schedule}），高出 {band * 100:g} 个百分点以上为"
            f"“超序时进度”，上下 {band * 100:g} 个百分点以内为“达到序时进度”，低于为“滞后”。"
            "项目清单（重点项目、重大技改）按各项目本年累计完成投资 ÷ 本年计划投资之和考核，"
            "清单的项目个数和总投资只说明清单本身。",
        ),
        "starts": (
            "开工指标（重点项目、重大技改项目）",
            "已开工项目数对照清单中计划开工时间已到的项目数（应开工数），"
            f"差距超过目标的 {band * 100:g}% 为“滞后”。",
        ),
        "stock": (
            "年末存量指标（销售收入、纳税过某一档位的企业家数）",
            "企业家数是年末时点的存量，以全年预计值对照年度目标：不低于为“预计达标”，否则"
            "“预计未达标”；本年累计家数照列，不按序时进度考核。",
        ),
        "rate": (
            "比率指标（覆盖率、收费下浮幅度等）",
            "实际比率对照目标比率，达到为“达到目标”，未达到为“未达到目标”，不适用序时进度。"
            "以固定基数计算的比率（审批事项削减比例 = 削减事项 ÷ 原有事项）与其事项数为同一事项，"
            "随事项数一并判定，不另下结论。",
        ),
        "batch": (
            "成批事项（认定、立项、签约、上市、融资、收费文件、十项措施）",
            "成批或按文件发生，不按序时进度考核：达到目标为“已完成”，未达到为“推进中”；"
            "设有完成期限的，过期仍未完成为“逾期未完成”。",
        ),
    }
    for basis, (kind, rule) in described.items():
        if not (card["basis"] == basis).any():
            continue
        line = f"- **{kind}**：{rule}"
        shown = example[basis]
        if quarter.month < 12 and not shown.empty:
            line += f"本期例：{_judged(next(shown.itertuples()))}。"
        lines.append(line)
    lines.append(
        "- **共同责任**：一项指标由多个单位共同承担的，按合计数判定一次；各单位同时看到本单位"
        "报送的数，目标已分解到单位的按本单位的分解目标判定。应报送而本期未报送的单位标为"
        "“未报送”，不以其他单位的数据代为考核，其应报的数不计入合计。"
    )
    lines.append("- 未设本年度目标的指标标为“未设目标”，只列完成数；没有数据的标为“无数据”。")
    return "\n".join(lines)


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
    moves = []  # a share that rose, or fell, by at least a rounded 0.1 point
    if round(change.max(), 1) > 0:
        moves.append(f"{change.idxmax()}占比提高最多（{change.max():+.1f}个百分点）")
    if round(change.min(), 1) < 0:
        moves.append(f"{change.idxmin()}占比下降最多（{change.min():+.1f}个百分点）")
    if not moves:
        return text + "。与上年同期相比，各产业占比基本未变。"
    return text + "。与上年同期相比，" + "，".join(moves) + "。"


def figure(value: float, unit: str) -> str:
    """A figure with its unit as a sentence writes it (for the 通报's own sentences)."""
    return _figure(value, unit)


def _lack(value: float, unit: str) -> str:
    """A shortfall in its unit; a rate's in percentage points."""
    return f"{value:,.1f}个百分点" if unit == "%" else _figure(value, unit)


def gap_text(row, withheld: bool = False) -> str:
    """How far an indicator needing attention is from where it should be, in words and
    figures, without its name (the index's 差距, the 通报's lists); `withheld`: its total
    is a few firms' own figures (disclosure.withheld), so the status only."""
    if withheld:
        return f"{row.status}（数额由少数企业构成，公开版不公布）"
    actual, target = _figure(row.actual, row.unit), _figure(row.target, row.unit)
    short = _lack(row.target - row.actual, row.unit)
    if row.status == NOT_DONE:
        return f"全年{actual}，比目标{target}少{short}"
    if row.status == NOT_MET:
        return f"{actual}，比目标{target}低{short}"
    if row.status == OFF_COURSE:
        projected = _figure(row.projected, row.unit)
        lacking = _lack(row.target - row.projected, row.unit)
        return f"目前{actual}，全年预计{projected}，比目标{target}少{lacking}"
    if row.status == OVERDUE:
        return f"累计{actual}，已过完成期限，距目标{target}还差{short}"
    schedule = f"{row.expected_progress:.1%}".replace(".0%", "%")
    gap = 100 * (row.expected_progress - row.progress)
    if row.basis == "starts":
        due = round(row.expected_progress * row.target)
        late = due - row.actual
        return f"{actual}，按计划应开工{due:g}{row.unit}，{late:g}{row.unit}未按期开工"
    if row.unit == "%":
        return f"{actual}，比序时进度{schedule}低{gap:.1f}个百分点"
    return (
        f"完成{actual}，为年度目标{target}的{row.progress:.1%}，"
        f"比序时进度{schedule}低{gap:.1f}个百分点"
    )
