"""Which rows of a return a named list is drawn from, and the dates that say whether a
project is under way or due to be: facts of one row, shared by the items and the
measures."""

import pandas as pd

from analysis.intake.sources import EQUITY, KEY_PROJECT, LISTING_STAGES, period_end, within_year


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


def furthest_stage(financing: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """上市进展 this year, one row per firm: its furthest stage (`rank` 1-4 in
    LISTING_STAGES) and the date it was reached."""
    steps = financing[
        financing["event"].isin(LISTING_STAGES) & within_year(financing["event_date"], year, month)
    ]
    ranked = steps.assign(rank=steps["event"].map({s: i + 1 for i, s in enumerate(LISTING_STAGES)}))
    ranked = ranked.sort_values(["rank", "event_date"], kind="stable")
    furthest = ranked.groupby("credit_code", sort=False).tail(1)
    return furthest[["credit_code", "name", "event", "rank", "event_date"]].reset_index(drop=True)


def is_visit(progress: pd.DataFrame) -> pd.Series:
    """The rows of a 企业走访 sheet (they name the list, 企业类别, the firm belongs to)."""
    return progress["item_list"].notna() & (progress["item_list"].astype(str) != "")


def done(rows: pd.DataFrame, year: int, month: int) -> pd.Series:
    """An item row says it is done: 完成情况 已完成, or (not stated) a 完成时间 or 走访日期,
    on or before the period's end (a date after it is not done in this period)."""
    dates = pd.to_datetime(rows["done_date"])
    dated = dates <= period_end(year, month)
    stated = rows["done"].astype("boolean")
    return (stated.fillna(dated) & (dated | dates.isna())).astype(bool)


def visits_by_firm(progress: pd.DataFrame, list_name: str, year: int, month: int) -> pd.DataFrame:
    """A visit list's rows of the 企业走访 sheet, one row per firm: the visits made by the
    period's end, the last date, who led them and what they solved."""
    rows = progress[is_visit(progress) & (progress["item_list"].astype(str) == list_name)]
    rows = rows.assign(visited=done(rows, year, month), done_date=pd.to_datetime(rows["done_date"]))
    firm = rows["credit_code"].fillna("名称:" + rows["name"].astype(str))
    grouped = rows.groupby(firm, sort=False)
    joined = lambda s: "；".join(dict.fromkeys(str(v) for v in s.dropna() if str(v)))  # noqa: E731
    table = pd.DataFrame(
        {
            "credit_code": grouped["credit_code"].first(),
            "name": grouped["name"].first(),
            "visits": grouped["visited"].sum().astype(float),
            "last_date": grouped["done_date"].max(),
            "leaders": grouped["visit_leader"].agg(joined),
            "solved": grouped["solved"].agg(joined),
        }
    )
    return table.reset_index(drop=True)


def item_rows(progress: pd.DataFrame, departments: list[str]) -> pd.DataFrame:
    """The 事项进展 rows (not visits) that a measure or milestone list's departments sent."""
    return progress[~is_visit(progress) & progress["department"].isin(departments)]


def overdue(due_month, month: int) -> bool:
    """Due by the end of `due_month` and the period has reached it."""
    return bool(pd.notna(due_month) and month >= due_month)


# The rows each list measure is drawn from: the project office's list or the finance
# office's, and the part of it that is the list's scope.
PROJECT_SCOPES = {"key_projects": is_key, "major_upgrades": is_major}
FIRM_SCOPES = {"equity_financing": equity_by_firm}
# the measures computed from a list of the other kinds (visit, listing, measure, milestone)
LIST_MEASURES = {
    "key_firm_visits": "visit",
    "growth_firm_visits": "visit",
    "listing_firms": "listing",
    "recognition_measures": "measure",
}
# those a department returns item by item (its 企业走访 and 事项进展 sheets)
RETURNED_ITEMS = [m for m, kind in LIST_MEASURES.items() if kind != "listing"]
