"""Which rows of a return a named list is drawn from, and the dates that say whether a
project is under way or due to be: facts of one row, shared by the items and the
measures."""

import pandas as pd

from analysis.intake.sources import EQUITY, KEY_PROJECT, period_end, within_year


def is_key(projects: pd.DataFrame) -> pd.Series:
    """重点项目 of the project office's list."""
    return projects["kind"] == KEY_PROJECT


def is_major(projects: pd.DataFrame) -> pd.Series:
    """重大技改项目 flags; an unreadable flag counts as not major."""
    return projects["major_upgrade"].fillna(False).astype(bool)


def started(projects: pd.DataFrame, year: int, month: int) -> pd.Series:
    """Projects whose start date is on or before the period's end."""
    return pd.to_datetime(projects["start_date"]) <= period_end(year, month)


def due_to_start(projects: pd.DataFrame, year: int, month: int) -> pd.Series:
    """Projects whose planned start (计划开工时间) is on or before the period's end; where the
    list gives no planned start, a project already started was due when it started."""
    planned = pd.to_datetime(projects["planned_start_date"])
    return (planned <= period_end(year, month)) | (planned.isna() & started(projects, year, month))


def equity_by_firm(financing: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """股权融资 this year, one row per firm: credit code, name and the yuan raised."""
    events = financing[
        (financing["event"] == EQUITY) & within_year(financing["event_date"], year, month)
    ]
    table = events.groupby(["credit_code", "name"], dropna=False, sort=False)["amount"].sum()
    return table.reset_index()


# The rows each list measure is drawn from: the project office's list or the finance
# office's, and the part of it that is the list's scope.
PROJECT_SCOPES = {"key_projects": is_key, "major_upgrades": is_major}
FIRM_SCOPES = {"equity_financing": equity_by_firm}
