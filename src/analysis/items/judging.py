"""Each named item with its target, actual and status, on the rules the indicators follow
(judgement.judge): a project on its annual plan completed against 序时进度 and on its
planned start; a firm on its own target where it has one. An item its return lacks is
本期未报送: not judged, not counted, named."""

import numpy as np
import pandas as pd

from analysis import judgement as t
from analysis.intake.periods import Period
from analysis.intake.sources import Sources
from analysis.items import matching, scopes

NOT_REPORTED_ITEM = "本期未报送"
FILE_COLUMNS = [  # items.csv's, in order
    "list",
    "item_id",
    "item",
    "credit_code",
    "owner",
    "year",
    "target",
    "actual",
    "unit",
    "status",
    "in_return",
    "matched_by",
    "reported_name",
    "note",
]
# and what the pages and the measures use besides: the list's name, plan and indicator,
# and a project's start, whether it is due, and its completed investment
ITEMS_COLUMNS = [*FILE_COLUMNS, "list_name", "plan", "indicator", "started", "due", "completed"]


def _template(indicator, named: pd.DataFrame | None, year: int) -> dict:
    if named is not None and len(named):
        first = named.iloc[0]
        return {c: first[c] for c in ("list", "list_name", "plan", "owner")} | {"year": year}
    return {"list": indicator.id, "list_name": indicator.name, "plan": indicator.plan,
            "owner": "、".join(indicator.departments), "year": year}  # fmt: skip


def _found(named, rows: pd.DataFrame, key: str, name: str, template: dict):
    """The list's items in the return (the params' list, else the return's own rows), and
    the rows of the return's scope that no item claims."""
    if named is None or named.empty:
        return matching.own_rows(rows, template, key, name), rows.iloc[:0]
    found = matching.match(named, rows, key, name)
    return found, matching.unlisted(found, rows)


def project_items(
    indicator, named, projects: pd.DataFrame, quarter: Period, band: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A project list's items judged: its annual plan completed against 序时进度, due to
    have started by its planned start; with the rows of the return's scope on no list."""
    rows = projects[scopes.PROJECT_SCOPES[indicator.measure](projects)]
    template = _template(indicator, named, quarter.year)
    found, apart = _found(named, rows, "project_id", "project_name", template)
    at = found["row"].astype("float").to_numpy()
    present = found["in_return"].to_numpy(dtype=bool)
    pick = rows.reindex(pd.Index(at)).reset_index(drop=True)  # NaN rows where not found
    table = found.reset_index(drop=True).assign(indicator=indicator.id, unit="万元")
    plan = pick["annual_plan_investment"].to_numpy(dtype=float)
    own_target = (
        table["item_target"] if "item_target" in table else pd.Series(np.nan, index=table.index)
    )
    target = np.where(pd.notna(own_target), pd.to_numeric(own_target, errors="coerce") * 1e4, plan)
    done = pick["completed_investment"].to_numpy(dtype=float)
    started = scopes.started(pick, quarter.year, quarter.month).to_numpy() & present
    due = scopes.due_to_start(pick, quarter.year, quarter.month).to_numpy() & present
    table = table.assign(
        target=target, actual=done, completed=done, started=started, due=due,
        reported_name=pick["project_name"].to_numpy(),
    )  # fmt: skip
    statuses, notes = [], []
    for row, begun, owed in zip(table.itertuples(), started, due, strict=True):
        if not row.in_return:
            statuses.append(NOT_REPORTED_ITEM)
            notes.append("项目办本期报表未列此项目")
        elif owed and not begun:
            statuses.append(t.BEHIND)
            notes.append("计划开工时间已到，尚未开工")
        elif not begun:
            statuses.append(t.IN_PROGRESS)
            notes.append("未到计划开工时间")
        else:
            share = row.actual / row.target if row.target and row.target > 0 else np.nan
            status, _ = t.judge("flow", share, np.nan, 1.0, quarter.elapsed, quarter.month, band)
            statuses.append(status)
            notes.append("" if pd.notna(share) else "未填本年计划投资")
    table = table.assign(status=statuses, note=notes)
    table[["target", "actual", "completed"]] /= 1e4  # 万元, as the office writes them
    return table.reindex(columns=ITEMS_COLUMNS), apart


def firm_items(indicator, named, financing: pd.DataFrame, quarter: Period):
    """A firm list's items: what each firm raised this year against its own target (its
    part of the list's target where the params give one)."""
    rows = scopes.FIRM_SCOPES[indicator.measure](financing, quarter.year, quarter.month)
    template = _template(indicator, named, quarter.year)
    found, apart = _found(named, rows, "credit_code", "name", template)
    table = found.reset_index(drop=True).assign(indicator=indicator.id, unit="万元")
    at = table["row"].astype("float").to_numpy()
    pick = rows.reindex(pd.Index(at)).reset_index(drop=True)
    raised = pick["amount"].to_numpy(dtype=float) / 1e4
    own = table["item_target"] if "item_target" in table else pd.Series(np.nan, index=table.index)
    target = pd.to_numeric(own, errors="coerce").to_numpy(dtype=float)
    statuses = []
    for present, amount, goal in zip(table["in_return"], raised, target, strict=True):
        if not present:
            statuses.append(NOT_REPORTED_ITEM)
        elif pd.isna(goal):
            statuses.append(t.DONE if amount > 0 else t.IN_PROGRESS)
        else:
            statuses.append(t.DONE if amount >= goal else t.IN_PROGRESS)
    table = table.assign(
        target=target, actual=raised, status=statuses, reported_name=pick["name"].to_numpy(),
        note=np.where(table["in_return"], "", "金融办本期报表未列此企业的股权融资"),
        started=False, due=False, completed=np.nan,  # a firm has no start to be due
    )  # fmt: skip
    return table.reindex(columns=ITEMS_COLUMNS), apart


def judged(
    indicators: pd.DataFrame, named: pd.DataFrame, sources: Sources, quarter: Period, band: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every list's items of the period, judged (ITEMS_COLUMNS), and the rows of the
    returns that no list claims. `named` is lists.items of the period's year."""
    tables, apart = [], []
    for indicator in indicators.itertuples():
        own = named[named["indicator"] == indicator.id] if len(named) else None
        if indicator.measure in scopes.PROJECT_SCOPES:
            found, left = project_items(indicator, own, sources.projects, quarter, band)
        elif indicator.measure in scopes.FIRM_SCOPES:
            found, left = firm_items(indicator, own, sources.financing, quarter)
        else:
            continue
        tables.append(found)
        apart.append(left.assign(list=found["list"].iloc[0] if len(found) else indicator.id))
    items = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=ITEMS_COLUMNS)
    return items, pd.concat(apart, ignore_index=True) if apart else pd.DataFrame()
