"""Plans 2 (百企改造) and 6 (项目倍增) from the project office's list of projects.

Every function takes the list as reported for one period (cumulative to its month).
A list of named projects (重点项目, 重大技改) is judged as a supervision office judges it:
by its 年度计划投资完成率 (the year's completed investment over the year's planned
investment) against 序时进度, and by its starts against the starts its own planned start
dates (计划开工时间) make due; the count and total investment of the list describe the list,
not its progress. A project is under way (实施) once its start date (开工时间) has passed;
技改投入 is the year's cumulative completed investment of technical-upgrade projects, the
only flow here steady enough to project to the full year (seasonally, else linearly).
"""

import numpy as np
import pandas as pd

from analysis.intake.periods import Period
from analysis.intake.sources import (
    ATTRACTED_PROJECT,
    KEY_PROJECT,
    UPGRADE_PROJECT,
    period_end,
    within_year,
)


def started(projects: pd.DataFrame, year: int, month: int) -> pd.Series:
    """Projects whose start date is on or before the period's end."""
    return pd.to_datetime(projects["start_date"]) <= period_end(year, month)


def is_major(projects: pd.DataFrame) -> pd.Series:
    """重大技改项目 flags; an unreadable flag counts as not major."""
    return projects["major_upgrade"].fillna(False).astype(bool)


def upgrade_investment(projects: pd.DataFrame) -> float:
    """技改投入: completed investment of technical-upgrade projects this year, in yuan."""
    if projects.empty:
        return np.nan
    return float(projects.loc[projects["kind"] == UPGRADE_PROJECT, "completed_investment"].sum())


def upgrade_coverage(projects: pd.DataFrame, firms: pd.DataFrame) -> float:
    """Share of the period's above-size firms with a technical-upgrade project on the list."""
    if projects.empty or firms.empty:
        return np.nan
    planned = projects.loc[projects["kind"] == UPGRADE_PROJECT, "credit_code"].astype(object)
    return float(firms["credit_code"].astype(object).isin(planned).mean())  # hashed, in C


def is_key(projects: pd.DataFrame) -> pd.Series:
    """重点项目 of the list."""
    return projects["kind"] == KEY_PROJECT


def due_to_start(projects: pd.DataFrame, year: int, month: int) -> pd.Series:
    """Projects whose planned start (计划开工时间) is on or before the period's end; where the
    list gives no planned start, a project already started was due when it started."""
    planned = pd.to_datetime(projects["planned_start_date"])
    return (planned <= period_end(year, month)) | (planned.isna() & started(projects, year, month))


def starts(projects: pd.DataFrame, chosen, year: int, month: int) -> tuple[float, float]:
    """(under way, due to have started) among the projects `chosen` picks; NaN for a period
    without a list, and NaN due when no project of the list has a planned start date."""
    if projects.empty:
        return np.nan, np.nan
    mine = projects[chosen(projects)]
    due = float(due_to_start(mine, year, month).sum())
    if mine["planned_start_date"].isna().all():
        due = np.nan
    return float(started(mine, year, month).sum()), due


def plan_completion(projects: pd.DataFrame, chosen) -> float:
    """年度计划投资完成率 of the projects `chosen` picks, as a share: the year's completed
    investment over the year's planned investment; NaN without a list or a plan."""
    mine = projects[chosen(projects)] if not projects.empty else projects
    plan = mine["annual_plan_investment"].sum() if not mine.empty else 0.0
    if not plan > 0:
        return np.nan
    return float(mine["completed_investment"].sum() / plan)


def list_size(projects: pd.DataFrame, chosen) -> tuple[int, float]:
    """How many projects the list holds and their planned total investment (yuan): what the
    list is, shown beside the programme's figures (88 个, 206亿), not judged."""
    mine = projects[chosen(projects)] if not projects.empty else projects
    return len(mine), float(mine["planned_investment"].sum()) if len(mine) else 0.0


def attracted(projects: pd.DataFrame, year: int, month: int, lower_yuan: float) -> pd.Series:
    """Projects brought in this year (dated from January to the period's end) whose planned
    investment is at least `lower_yuan`; one dated last year was last year's success."""
    dates = pd.to_datetime(projects["start_date"])
    dated = within_year(dates, year, month) & dates.notna()
    big = projects["planned_investment"] >= lower_yuan
    return (projects["kind"] == ATTRACTED_PROJECT) & dated & big


def attracted_count(projects: pd.DataFrame, year: int, month: int, lower_yuan: float) -> float:
    """How many projects count toward the target of projects over `lower_yuan`."""
    if projects.empty:
        return np.nan
    return float(attracted(projects, year, month, lower_yuan).sum())


def project_flow(
    ytd: float,
    last_same_point: float,
    last_full_year: float,
    month: int,
    share_limits: tuple[float, float],
) -> float:
    """Full-year projection of a city-wide flow, in the spirit of periods.project_full_year:
    ÷ last year's share done by the same month when that share is plausible, else × 12/m."""
    if month == 12 or pd.isna(ytd):
        return ytd
    linear = month / 12
    share = last_same_point / last_full_year if last_full_year else np.nan
    lo, hi = share_limits
    if pd.notna(share) and lo * linear <= share <= min(1.0, hi * linear):
        return ytd / share
    return ytd / linear


def plan_progress(projects: pd.DataFrame) -> pd.DataFrame:
    """Each project's completed investment against its annual plan (本年计划投资)."""
    table = projects.copy()
    plan = table["annual_plan_investment"].where(table["annual_plan_investment"] > 0)
    table["plan_progress"] = table["completed_investment"] / plan
    return table


def behind_plan(projects: pd.DataFrame, quarter: Period, band: float) -> pd.DataFrame:
    """Key and technical-upgrade projects whose completed investment lags their annual plan
    by more than the band below 序时进度, the largest shortfall first."""
    followed = projects[projects["kind"].isin([KEY_PROJECT, UPGRADE_PROJECT])]
    table = plan_progress(followed)
    late = table[table["plan_progress"] < quarter.elapsed - band].copy()
    late["shortfall"] = (
        late["annual_plan_investment"] * quarter.elapsed - late["completed_investment"]
    )
    return late.sort_values("shortfall", ascending=False).reset_index(drop=True)


def late_starts(projects: pd.DataFrame, quarter: Period) -> pd.DataFrame:
    """Key and major upgrade projects due to have started by the period's end (计划开工时间)
    that have not, the longest overdue first."""
    named = projects[is_key(projects) | is_major(projects)]
    due = due_to_start(named, quarter.year, quarter.month)
    late = named[due & ~started(named, quarter.year, quarter.month)].copy()
    return late.sort_values("planned_start_date").reset_index(drop=True)


def major_upgrades(projects: pd.DataFrame, quarter: Period, tracked=()) -> pd.DataFrame:
    """The major upgrade projects: under way or not, investment against the annual plan,
    and whether the programme names it (`tracked`: words of the names it uses)."""
    major = plan_progress(projects[is_major(projects)])
    major["under_way"] = started(major, quarter.year, quarter.month)
    major["tracked"] = [any(t in name for t in tracked) for name in major["project_name"]]
    return major.sort_values(["tracked", "annual_plan_investment"], ascending=False).reset_index(
        drop=True
    )


def attracted_list(projects: pd.DataFrame, quarter: Period, lower_yuan: float) -> pd.DataFrame:
    """Projects brought in, each marked whether it counts toward the target."""
    counts = attracted(projects, quarter.year, quarter.month, lower_yuan)
    brought = projects.assign(counts=counts)[projects["kind"] == ATTRACTED_PROJECT]
    return brought.sort_values("start_date").reset_index(drop=True)
