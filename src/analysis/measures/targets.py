"""The scorecard of the ten plans: each indicator judged by the rule of its kind
(`basis` in targets.yaml): flows against 序时进度, rates against the rate, stocks (firm
counts in tiers) on the full-year projection, batches (awards, deals) at year end."""

import numpy as np
import pandas as pd

from analysis.intake.periods import Period
from analysis.intake.sources import Sources
from analysis.judgement import (
    AHEAD,
    BEHIND,
    DONE,
    IN_PROGRESS,
    MET,
    NO_DATA,
    NO_TARGET,
    NOT_DONE,
    NOT_MET,
    NOT_REPORTED,
    OFF_COURSE,
    ON_COURSE,
    ON_TRACK,
    OVERDUE,
    SAME_FACT,
    STATUS_ORDER,
    judge,
)
from analysis.measures import plans

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
    "unreported_items",
]


def expected_progress(basis: str, quarter: Period) -> float:
    """The share of a target due by now for flows (time elapsed, m/12); none for the other
    kinds, which are not judged against the calendar (a start count's share due comes from
    its own list: plans.measure)."""
    return quarter.elapsed if basis == "flow" else np.nan


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
    named: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Actual and projected values, in each indicator's unit, of every indicator with a
    `measure` in targets.yaml (see plans.MEASURES); NaN where the quarter has no data.
    `named`: the named lists' items of the year (items.lists), whose indicators are
    computed from their items."""
    inputs = plans.Inputs(firms, sources, quarter, thresholds, indicators, named)
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
    card["unreported_items"] = card["unreported_items"].astype(object).fillna("")
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
