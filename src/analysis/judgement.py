"""The supervision office's words and rules of judgement (README "How each indicator is
judged"): the status words, the rule each kind of indicator is judged by, and the judging
itself. Shared by the scorecard (measures.targets) and the named items (items.judging),
so an indicator and its items are judged alike."""

import numpy as np
import pandas as pd

AHEAD, ON_TRACK, BEHIND = "超序时进度", "达到序时进度", "滞后"
ON_COURSE, OFF_COURSE = "预计达标", "预计未达标"
MET, NOT_MET = "达到目标", "未达到目标"
DONE, IN_PROGRESS, OVERDUE = "已完成", "推进中", "逾期未完成"
NOT_DONE = "未完成"
NO_DATA, NO_TARGET = "无数据", "未设目标"
NOT_REPORTED = "未报送"  # a department's own part only: its return for the period is missing
STATUS_ORDER = [
    BEHIND,
    OVERDUE,
    NOT_DONE,
    OFF_COURSE,
    NOT_MET,
    NOT_REPORTED,
    ON_TRACK,
    ON_COURSE,
    IN_PROGRESS,
    AHEAD,
    MET,
    DONE,
    NO_TARGET,
    NO_DATA,
]
ATTENTION = (BEHIND, OVERDUE, NOT_DONE, OFF_COURSE, NOT_MET)  # the owners asked to speed up
# The rule each kind of indicator (`basis` in targets.yaml) is judged by, as scorecard.csv's
# judged_on and every page name it (README "How each indicator is judged").
RULES = {
    "flow": "完成进度对照序时进度",
    "starts": "已开工数对照计划开工数",
    "stock": "全年预计对照年度目标",
    "rate": "实际值对照目标值",
    "batch": "成批事项，达到目标即完成",
}
YEAR_END = "年末完成数对照年度目标"
NO_PLANNED_STARTS = "项目清单未填计划开工时间，无法判断是否按期开工"
RULES_SUMMARY = (
    "考核依据：流量指标（投资、走访、培训、削减事项，及重点项目、重大技改的年度计划投资完成率）"
    "以完成进度对照序时进度（本期{schedule}）；重点项目、重大技改开工数对照按计划开工时间应开工数；"
    "比率指标对照目标值（达到/未达到目标），以固定基数计算的比率随其事项数判定；"
    "年末存量指标（分档企业数）以全年预计对照年度目标；成批事项（认定、立项、签约、融资、"
    "收费文件、十项措施）达到目标即为已完成，未达到为推进中，过期限为逾期未完成；"
    "1-12月各项指标只判已完成或未完成。共同承担的指标按合计判定，目标分解到单位的按本单位"
    "分解目标判定，未报送的单位标为未报送。"
)
SAME_FACT = "与“{name}”为同一事项，随其判定"


def status(progress: float, expected: float, band: float) -> str:
    """超序时进度 / 达到序时进度 / 滞后: progress compared with the share due by now, ± band."""
    if pd.isna(progress) or pd.isna(expected):
        return NO_DATA
    if progress > expected + band:
        return AHEAD
    if progress >= expected - band:
        return ON_TRACK
    return BEHIND


def judge(
    basis: str,
    actual,
    projected,
    target,
    expected: float,
    month: int,
    band: float,
    due_month=None,
) -> tuple[str, str]:
    """(status, judged_on) of one indicator by the rule of its kind (RULES; README "How each
    indicator is judged"); `expected` is the share due by now (flows and starts), `month`
    the last month the figures cover, `due_month` the month by whose end a batch is due
    (None: the year's end)."""
    if pd.isna(actual):
        return NO_DATA, ""
    if pd.isna(target):
        return NO_TARGET, ""
    needed = expected * target if basis == "starts" and pd.notna(expected) else target
    done = actual >= needed - 1e-9  # a list's starts: those its plan makes due this year
    if month == 12:
        return (DONE if done else NOT_DONE), YEAR_END
    if basis == "rate":
        return (MET if done else NOT_MET), RULES["rate"]
    if basis == "stock":
        if pd.isna(projected):
            return NO_DATA, RULES["stock"]
        return (ON_COURSE if projected >= target else OFF_COURSE), RULES["stock"]
    if basis == "batch":
        due = pd.notna(due_month) and due_month is not None
        rule = RULES["batch"] + (f"，{int(due_month)}月底前完成" if due else "，年底考核")
        if done:
            return DONE, rule
        return (OVERDUE if due and month >= due_month else IN_PROGRESS), rule
    if basis == "starts" and pd.isna(expected):
        return NO_DATA, NO_PLANNED_STARTS
    progress = actual / target if target else (np.inf if actual > 0 else 1.0)
    return status(progress, expected, band), RULES[basis]
