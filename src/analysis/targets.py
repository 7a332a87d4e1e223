"""Target progress against 序时进度 (schedule) and the scorecard of the ten plans."""

import numpy as np
import pandas as pd

from analysis import plans
from analysis.periods import Period
from analysis.sources import Sources

AHEAD, ON_TRACK, BEHIND = "超序时进度", "达到序时进度", "滞后"
NO_DATA, NO_TARGET = "无数据", "未设目标"
STATUS_ORDER = [BEHIND, ON_TRACK, AHEAD, NO_TARGET, NO_DATA]
STATUS_COLOURS = {
    AHEAD: "#2e7d32",
    ON_TRACK: "#f9a825",
    BEHIND: "#c62828",
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
    "departments",
]


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
    """The share of a target due by now: time elapsed for levels, all of it for rates."""
    return 1.0 if basis == "rate" else quarter.elapsed


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
    """Every indicator of the ten plans against its target, including those without data."""
    card = indicators.merge(values, left_on="id", right_on="indicator", how="left")
    card["indicator"] = card["id"]
    card["expected_progress"] = [expected_progress(b, quarter) for b in card["basis"]]
    card["progress"] = card["actual"] / card["target"]
    card["status"] = [
        NO_TARGET if pd.isna(t) and pd.notna(a) else status(p, e, band)
        for t, a, p, e in zip(
            card["target"], card["actual"], card["progress"], card["expected_progress"], strict=True
        )
    ]
    card["departments"] = card["departments"].map("、".join)
    card["progress"] = card["progress"].replace([np.inf, -np.inf], np.nan)
    return card[SCORECARD_COLUMNS + ["growth", "basis"]].reset_index(drop=True)


def status_summary(card: pd.DataFrame) -> pd.DataFrame:
    """How many indicators are in each status, in the order a reader scans them."""
    counts = card["status"].value_counts().reindex(STATUS_ORDER, fill_value=0)
    return counts.rename_axis("status").reset_index(name="indicators")
