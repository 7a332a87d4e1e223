"""Plans 2 (百企改造) and 6 (项目倍增) from the project office's list of projects.

Every function takes the list as reported for one period (cumulative to its month).
The named lists (重点项目, 重大技改) are judged item by item in analysis.items, on their
annual plan and planned starts; here are the tables the pages show beside them (the list's
size, the projects late to start or behind their plan). 技改投入 is the year's cumulative
completed investment of technical-upgrade projects, the only flow here steady enough to
project to the full year (seasonally, else linearly).
"""

import numpy as np
import pandas as pd

from analysis.intake.periods import Period
from analysis.intake.sources import (
    ATTRACTED_PROJECT,
    KEY_PROJECT,
    UPGRADE_PROJECT,
    within_year,
)
from analysis.items.scopes import due_to_start, is_key, is_major, started


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
