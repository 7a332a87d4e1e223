"""The scorecard of the ten plans: each indicator judged by the rule of its kind
(`basis` in targets.yaml): flows against 序时进度, rates against the rate, stocks (firm
counts in tiers) on the full-year projection, batches (awards, deals) at year end."""

import numpy as np
import pandas as pd

from analysis.intake.periods import Period
from analysis.intake.sources import Sources
from analysis.measures import plans

AHEAD, ON_TRACK, BEHIND = "超序时进度", "达到序时进度", "滞后"
REACHED, MISSED = "已达标", "未达标"
ON_COURSE, OFF_COURSE = "预计达标", "预计未达标"
YEARLY = "按年度累计"
NO_DATA, NO_TARGET = "无数据", "未设目标"
STATUS_ORDER = [
    BEHIND,
    MISSED,
    OFF_COURSE,
    ON_TRACK,
    ON_COURSE,
    AHEAD,
    REACHED,
    YEARLY,
    NO_TARGET,
    NO_DATA,
]
ATTENTION = (BEHIND, MISSED, OFF_COURSE)  # the bulletin asks these owners to speed up
STATUS_COLOURS = {
    AHEAD: "#2e7d32",
    REACHED: "#2e7d32",
    ON_TRACK: "#f9a825",
    ON_COURSE: "#f9a825",
    BEHIND: "#c62828",
    MISSED: "#c62828",
    OFF_COURSE: "#c62828",
    YEARLY: "#546e7a",
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
]
# What each kind of indicator (`basis` in targets.yaml) is judged on, as scorecard.csv's
# judged_on says it; at year end stocks and batches are judged on the year's own figure.
JUDGED_ON = {"flow": "序时进度", "rate": "目标值", "stock": "全年预计", "batch": "按年度累计"}
YEAR_END = "全年完成"


def status(progress: float, expected: float, band: float) -> str:
    """超序时进度 / 达到序时进度 / 滞后: progress compared with the expected share, ± band."""
    if pd.isna(progress):
        return NO_DATA
    if progress > expected + band:
        return AHEAD
    if progress >= expected - band:
        return ON_TRACK
    return BEHIND


def expected_progress(basis: str, quarter: Period) -> float:
    """The share of a target due by now: time elapsed for flows, all of it for rates; none
    for stocks and batches, which are not judged against the calendar."""
    return {"flow": quarter.elapsed, "rate": 1.0}.get(basis, np.nan)


def judge(
    basis: str, actual, projected, target, expected: float, month: int, band: float
) -> tuple[str, str]:
    """(status, judged_on) of one indicator by the rule of its kind (README "How each
    indicator is judged"); `expected` is
    the share due by now (expected_progress), `month` the last month the figures cover."""
    if pd.isna(actual):
        return NO_DATA, ""
    if pd.isna(target):
        return NO_TARGET, ""
    progress = actual / target if target else (np.inf if actual > 0 else 1.0)
    if basis in ("flow", "rate"):
        return status(progress, expected, band), JUDGED_ON[basis]
    if month == 12:
        return (REACHED if actual >= target else MISSED), YEAR_END
    if basis == "stock" and pd.notna(projected):
        return (ON_COURSE if projected >= target else OFF_COURSE), JUDGED_ON["stock"]
    return (REACHED if actual >= target else YEARLY), JUDGED_ON["batch"]


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
    return pd.DataFrame(rows, columns=["indicator", "actual", "projected", "growth"])


def scorecard(
    indicators: pd.DataFrame, values: pd.DataFrame, quarter: Period, band: float
) -> pd.DataFrame:
    """Every indicator of the ten plans against its target, including those without data,
    each judged by the rule of its kind (judge)."""
    card = indicators.merge(values, left_on="id", right_on="indicator", how="left")
    card["indicator"] = card["id"]
    card["expected_progress"] = [expected_progress(b, quarter) for b in card["basis"]]
    card["progress"] = card["actual"] / card["target"]
    judged = [
        judge(b, a, p, t, e, quarter.month, band)
        for b, a, p, t, e in zip(
            card["basis"],
            card["actual"],
            card["projected"],
            card["target"],
            card["expected_progress"],
            strict=True,
        )
    ]
    card["status"] = [s for s, _ in judged]
    card["judged_on"] = [j for _, j in judged]
    card["departments"] = card["departments"].map("、".join)
    card["progress"] = card["progress"].replace([np.inf, -np.inf], np.nan)
    return card[SCORECARD_COLUMNS + ["growth", "basis", "target_year"]].reset_index(drop=True)


_ALWAYS_COUNTED = (AHEAD, ON_TRACK, BEHIND, NO_TARGET, NO_DATA)


def status_summary(card: pd.DataFrame) -> pd.DataFrame:
    """How many indicators are in each status, in the order a reader scans them."""
    counts = card["status"].value_counts().reindex(STATUS_ORDER, fill_value=0)
    counts = counts[(counts > 0) | counts.index.isin(_ALWAYS_COUNTED)]
    return counts.rename_axis("status").reset_index(name="indicators")


def by_department(card: pd.DataFrame) -> pd.DataFrame:
    """One row per department and indicator it owns; departments in the order the
    scorecard first names them, each one's indicators behind schedule first."""
    rows = card.assign(department=card["departments"].str.split("、")).explode("department")
    order = {d: i for i, d in enumerate(rows["department"].drop_duplicates())}
    rows["gap"] = 100 * (rows["progress"] - rows["expected_progress"])
    rows["_department"] = rows["department"].map(order)
    rows["_status"] = rows["status"].map({s: i for i, s in enumerate(STATUS_ORDER)})
    rows["_plan"] = range(len(rows))
    rows = rows.sort_values(["_department", "_status", "gap", "_plan"], na_position="last")
    return rows.drop(columns=["_department", "_status", "_plan"]).reset_index(drop=True)


def department_summary(card: pd.DataFrame) -> pd.DataFrame:
    """Per department, in by_department's order: its indicators, and how many are in each
    status."""
    rows = by_department(card)
    counts = pd.crosstab(rows["department"], rows["status"]).reindex(
        columns=STATUS_ORDER, fill_value=0
    )
    order = list(dict.fromkeys(rows["department"]))
    table = counts.reindex(order).astype(int)
    table.insert(0, "indicators", table.sum(axis=1))
    table.columns.name = None
    return table.rename_axis("department").reset_index()
