"""Indicators only a department can report (plans 3, 8, 9, 10), from their returns.

Each department reports its own part of an indicator, cumulative for the year. A count
or amount is the sum over the departments that return it (`reported_by`, default every
owner); a rate cannot be summed, so it is the figure of the first of them (in targets.yaml
order) that reported it, else of any. A reporter with no figure for the period is named
(missing), never counted as zero.
"""

import numpy as np
import pandas as pd

ITEM_SEPARATOR = ":"
"""A row for an item of a named list (the templates' `key_projects:2026-ZD-001`), not an
indicator: the list's id, this separator, the item's id, credit code or name."""
ITEM_UNITS = {"project": "万元", "firm": "万元"}
"""The unit of an item's figure by its list's kind: a project's investment completed this
year, a firm's amount raised (as items/judging.py judges them); any other kind's item is
in its list's indicator's unit."""


def reported(returns: pd.DataFrame, indicator: str) -> pd.DataFrame:
    """The period's returns for one indicator, with a value."""
    return returns[(returns["indicator"] == indicator) & returns["value"].notna()]


def reporters(indicator) -> list[str]:
    """The departments that return an indicator's figure: `reported_by`, else its owners."""
    chosen = indicator.reported_by
    return list(chosen) if isinstance(chosen, list | tuple) else list(indicator.departments)


def missing(returns: pd.DataFrame, indicator: str, departments: list[str]) -> list[str]:
    """The departments among `departments` with no figure for the indicator this period
    (their return is missing, or lacks the row, or leaves it empty)."""
    have = set(reported(returns, indicator)["department"])
    return [d for d in departments if d not in have]


def value(returns: pd.DataFrame, indicator: str, basis: str, owners: list[str]) -> float:
    """The indicator's value this period; NaN when no department reported it."""
    rows = reported(returns, indicator)
    if rows.empty:
        return np.nan
    if basis != "rate":
        return float(rows["value"].sum())
    order = {d: i for i, d in enumerate(owners)}
    ranked = rows.assign(rank=rows["department"].map(order).fillna(len(order)))
    return float(ranked.sort_values("rank", kind="stable")["value"].iloc[0])


def by_department(returns: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """What each department reported this period, with the indicator's name, unit and
    target, and whether the department is among the indicator's owners."""
    known = indicators.set_index("id")
    table = returns[returns["indicator"].isin(known.index)].copy()
    table["name"] = table["indicator"].map(known["name"])
    table["unit"] = table["indicator"].map(known["unit"])
    table["target"] = table["indicator"].map(known["target"])
    table["plan"] = table["indicator"].map(known["plan"])
    table["owner"] = [
        d in known.at[i, "departments"]
        for d, i in zip(table["department"], table["indicator"], strict=True)
    ]
    return table.sort_values(["plan", "indicator", "department"]).reset_index(drop=True)


def item_key(list_id: str, item_id, credit_code, name) -> str:
    """The id a return gives an item of a named list: the list's id and the item's own id,
    else its credit code, else its name."""
    key = next(str(k) for k in (item_id, credit_code, name) if pd.notna(k) and str(k))
    return f"{list_id}{ITEM_SEPARATOR}{key}"


def is_item(returns: pd.DataFrame, lists=()) -> pd.Series:
    """Rows that report an item of one of `lists` (the ids of lists.yaml's lists)."""
    ids = returns["indicator"].astype("string")
    marked = ids.str.contains(ITEM_SEPARATOR, regex=False).fillna(False).astype(bool)
    return marked & ids.str.split(ITEM_SEPARATOR, n=1).str[0].isin(list(lists))


def unknown_indicators(returns: pd.DataFrame, indicators: pd.DataFrame, lists=()) -> pd.DataFrame:
    """Returned rows whose indicator id is not in targets.yaml, nor an item of one of
    `lists`: counted nowhere, listed so the department can correct its sheet."""
    known = returns["indicator"].isin(indicators["id"]) | is_item(returns, lists)
    return returns[~known].reset_index(drop=True)
