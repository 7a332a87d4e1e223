"""The scorecard of the ten plans: each indicator judged by the rule of its kind
(`basis` in targets.yaml): flows against 序时进度, rates against the rate, stocks (firm
counts in tiers) on the full-year projection, batches (awards, deals) at year end."""

import numpy as np
import pandas as pd

from analysis.intake.periods import Period
from analysis.intake.sources import Sources
from analysis.measures import plans

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
STATUS_COLOURS = {
    AHEAD: "#2e7d32",
    MET: "#2e7d32",
    DONE: "#2e7d32",
    ON_TRACK: "#f9a825",
    ON_COURSE: "#f9a825",
    IN_PROGRESS: "#f9a825",
    BEHIND: "#c62828",
    OFF_COURSE: "#c62828",
    NOT_MET: "#c62828",
    OVERDUE: "#c62828",
    NOT_DONE: "#c62828",
    NOT_REPORTED: "#6a1b9a",
    NO_TARGET: "#9e9e9e",
    NO_DATA: "#bdbdbd",
}
SCORECARD_COLUMNS = [
    "indicator",
    "plan",
    "name",
    "unit",
    "target",
    "actual",
    "projected",
    "progress",
    "expected_progress",
    "status",
    "judged_on",
    "departments",
    "not_reported",
]
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


def expected_progress(basis: str, quarter: Period) -> float:
    """The share of a target due by now for flows (time elapsed, m/12); none for the other
    kinds, which are not judged against the calendar (a start count's share due comes from
    its own list: plans.measure)."""
    return quarter.elapsed if basis == "flow" else np.nan


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


def targets_note(year: int, covered: list[int] | None) -> str:
    """What every page says when targets.yaml has no targets for the report's year;
    `covered` the years it has (None: not said), "" when the year is among them."""
    if covered is not None and year in covered:
        return ""
    have = f"（现有{'、'.join(f'{y}年' for y in covered) or '无'}）" if covered is not None else ""
    return (
        f"params/targets.yaml 未设{year}年目标{have}，本期各项指标均标为“未设目标”，"
        "不以其他年份的目标考核。"
    )


def measured(
    firms: pd.DataFrame,
    indicators: pd.DataFrame,
    sources: Sources,
    quarter: Period,
    thresholds: dict,
) -> pd.DataFrame:
    """Actual and projected values, in each indicator's unit, of every indicator with a
    `measure` in targets.yaml (see plans.MEASURES); NaN where the quarter has no data."""
    inputs = plans.Inputs(firms, sources, quarter, thresholds)
    rows = [plans.measure(ind, inputs) for ind in indicators.itertuples() if pd.notna(ind.measure)]
    return pd.DataFrame(rows, columns=["indicator", *plans.MEASURED])


def scorecard(
    indicators: pd.DataFrame, values: pd.DataFrame, quarter: Period, band: float
) -> pd.DataFrame:
    """Every indicator of the ten plans against its target, including those without data,
    each judged by the rule of its kind (judge); a ratio that restates a count
    (`judged_with`) takes the count's verdict, so one fact is judged once."""
    values = values.reindex(columns=["indicator", *plans.MEASURED])
    card = indicators.merge(values, left_on="id", right_on="indicator", how="left")
    card["indicator"] = card["id"]
    calendar = [expected_progress(b, quarter) for b in card["basis"]]
    card["expected_progress"] = card["expected"].where(card["expected"].notna(), calendar)
    card.loc[card["target"].isna(), "expected_progress"] = np.nan
    card["progress"] = card["actual"] / card["target"]
    judged = [
        judge(r.basis, r.actual, r.projected, r.target, r.expected_progress, quarter.month, band,
              r.due_month)
        for r in card.itertuples()
    ]  # fmt: skip
    card["status"] = [s for s, _ in judged]
    card["judged_on"] = [j for _, j in judged]
    card = _judged_with(card)
    card["departments"] = card["departments"].map("、".join)
    card["not_reported"] = card["not_reported"].map(
        lambda names: "、".join(names) if isinstance(names, list | tuple | np.ndarray) else ""
    )
    card["progress"] = card["progress"].replace([np.inf, -np.inf], np.nan)
    extra = ["growth", "basis", "target_year", "judged_with"]
    return card[SCORECARD_COLUMNS + extra].reset_index(drop=True)


def _judged_with(card: pd.DataFrame) -> pd.DataFrame:
    """Each ratio's status and rule replaced by those of the count it restates."""
    by_id = card.set_index("id")
    for i, linked in card["judged_with"].items():
        if pd.isna(linked) or linked not in by_id.index or pd.isna(card.at[i, "target"]):
            continue
        if card.at[i, "status"] == NO_DATA:
            continue
        card.at[i, "status"] = by_id.at[linked, "status"]
        card.at[i, "judged_on"] = SAME_FACT.format(name=by_id.at[linked, "name"])
        card.at[i, "expected_progress"] = by_id.at[linked, "expected_progress"]
    return card


_ALWAYS_COUNTED = (AHEAD, ON_TRACK, BEHIND, NO_TARGET, NO_DATA)  # shown even at 0


def status_summary(card: pd.DataFrame) -> pd.DataFrame:
    """How many indicators are in each status, in the order a reader scans them."""
    counts = card["status"].value_counts().reindex(STATUS_ORDER, fill_value=0)
    counts = counts[(counts > 0) | counts.index.isin(_ALWAYS_COUNTED)]
    return counts.rename_axis("status").reset_index(name="indicators")


def by_department(card: pd.DataFrame, parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per department and indicator it owns; departments in the order the
    scorecard first names them, each one's indicators needing attention first. With
    `parts` (owners.parts), each row carries the department's own figure and status, and
    the joint verdict as `joint_status`."""
    rows = card.assign(department=card["departments"].str.split("、")).explode("department")
    rows["joint_status"] = rows["status"]
    if parts is None:  # each owner shares the joint verdict, with no figure of its own
        parts = rows[["indicator", "department", "status"]].assign(
            own_actual=np.nan, own_target=np.nan, own_rule=""
        )
        parts = parts.rename(columns={"status": "own_status"})
    rows = rows.merge(parts, on=["indicator", "department"], how="left", validate="1:1")
    rows["status"] = rows["own_status"].fillna(rows["status"])
    order = {d: i for i, d in enumerate(rows["department"].drop_duplicates())}
    rows["gap"] = 100 * (rows["progress"] - rows["expected_progress"])
    rows["_department"] = rows["department"].map(order)
    rows["_status"] = rows["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    rows["_plan"] = range(len(rows))
    rows = rows.sort_values(["_department", "_status", "gap", "_plan"], na_position="last")
    return rows.drop(columns=["_department", "_status", "_plan"]).reset_index(drop=True)


def department_summary(card: pd.DataFrame, parts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per department, in by_department's order: its indicators, and how many are in each
    status (its own status where `parts` gives one)."""
    return status_counts(by_department(card, parts))


def status_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Per department of by_department's `rows`, in their order: indicators by status, a
    column for each status some department has."""
    seen = [s for s in STATUS_ORDER if s in set(rows["status"])]
    counts = pd.crosstab(rows["department"], rows["status"]).reindex(columns=seen, fill_value=0)
    order = list(dict.fromkeys(rows["department"]))
    table = counts.reindex(order).astype(int)
    table.insert(0, "indicators", table.sum(axis=1))
    table.columns.name = None
    return table.rename_axis("department").reset_index()
