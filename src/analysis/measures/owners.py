"""Each owning department's part of the scorecard: what a department is told in the
督查通报 about an indicator it owns alone or with others.

An indicator owned jointly is judged once on the joint figure; each department also sees
its own reported figure beside it. Where targets.yaml splits the target (`shares`), a
reporting department is judged on its own part; a reporter whose figure for the period
is missing is 未报送, never judged on the others' numbers; a co-owner that does not
return the figure itself (not in `reported_by`) shares the joint verdict.
"""

import calendar
from datetime import date

import numpy as np
import pandas as pd

from analysis.intake import returns as department_returns
from analysis.intake.periods import Period, day_label
from analysis.judgement import NOT_REPORTED, judge

PART_COLUMNS = ["indicator", "department", "own_actual", "own_target", "own_status", "own_rule"]
OWN_SHARE = "按本单位分解目标{:g}{}考核"
NOT_REPORTED_RULE = "本期未报送，不以其他单位数据代为考核"


def parts(
    card: pd.DataFrame,
    indicators: pd.DataFrame,
    returns_now: pd.DataFrame,
    quarter: Period,
    band: float,
    items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per indicator and owning department: the department's own figure (returns,
    or a split list's items done by the department: `items`, items.judging's), its part of
    the target and its status, and the rule it was judged by."""
    card = card.set_index("indicator")
    rows = []
    for ind in indicators.itertuples():
        joint = card.loc[ind.id]
        returned = ind.measure == "department_return"
        reporters = department_returns.reporters(ind) if returned else []
        figures = department_returns.reported(returns_now, ind.id).groupby("department")["value"]
        own = figures.sum() if ind.basis != "rate" else figures.first()
        shares = ind.shares if isinstance(ind.shares, dict) else {}
        if not returned and shares and items is not None:
            reporters, own = list(shares), _done_by_owner(items[items["indicator"] == ind.id])
        for department in ind.departments:
            row = dict(indicator=ind.id, department=department, own_actual=np.nan)
            row |= dict(own_target=np.nan, own_status=joint["status"], own_rule="")
            if department in reporters:
                row["own_actual"] = own.get(department, np.nan)
            if department in reporters and pd.isna(row["own_actual"]):
                row["own_status"], row["own_rule"] = NOT_REPORTED, NOT_REPORTED_RULE
            elif department in shares and pd.notna(joint["target"]):
                target = joint["target"] * shares[department] / sum(shares.values())
                row["own_target"], row["own_rule"] = target, OWN_SHARE.format(target, ind.unit)
                row["own_status"], _ = judge(
                    ind.basis,
                    row["own_actual"],
                    np.nan,
                    target,
                    joint["expected_progress"],
                    quarter.month,
                    band,
                    ind.due_month,
                )
            rows.append(row)
    return pd.DataFrame(rows, columns=PART_COLUMNS)


SENT, LATE, LACKING, NOT_SENT = "已报送", "逾期", "缺项", "未报送"
UNDATED = "日期不详"
STATE_ORDER = {NOT_SENT: 0, LATE: 1, LACKING: 2, SENT: 3}
STATUS_COLUMNS = [
    *("department", "period", "state", "sent_on", "due"),
    *("figures", "owed", "lacking"),
]


def due_date(quarter: Period, due_day: int) -> date:
    """The day a period's returns are due: `due_day` of the month after it (the month's
    last day when it is shorter)."""
    year, month = (
        (quarter.year + 1, 1) if quarter.month == 12 else (quarter.year, quarter.month + 1)
    )
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


def _done_by_owner(items: pd.DataFrame) -> pd.Series:
    """Items done per owning department, among the items its return holds (an owner whose
    every item is 本期未报送 has no figure)."""
    sent = items[items["in_return"].astype(bool)]
    return (sent["actual"] > 0).groupby(sent["owner"]).sum().astype(float)


def return_status(
    indicators: pd.DataFrame,
    returns_now: pd.DataFrame,
    quarter: Period,
    due_day: int | None = None,
    items: pd.DataFrame | None = None,
    progress_now: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every department that owes the office a return this period: 未报送 (none came),
    逾期 (its 报送日期 is after the due date), 缺项 (on time but lacking figures or named
    items it owes), else 已报送; the day it states it was sent (日期不详 when it states
    none: a file's modified time is no sending day), how many figures (and named items) it
    holds, which are missing. A department owes its figures (department_return indicators)
    and, with `items` (items.judging's), the firms it visits and the measures and
    milestones it carries out, item by item; the day sent is the latest its sheets state,
    the figures' (`returns_now`) or the items' (`progress_now`, the period's 事项进展)."""
    owed: dict[str, list[str]] = {}
    for ind in indicators[indicators["measure"] == "department_return"].itertuples():
        for department in department_returns.reporters(ind):
            owed.setdefault(department, []).append(ind.name)
    due = due_date(quarter, due_day) if due_day else None
    own_items = _item_returns(items)
    for department in own_items:
        owed.setdefault(department, [])
    rows = []
    for department, names in owed.items():
        mine = returns_now[returns_now["department"] == department]
        have = set(
            indicators.set_index("id")
            .reindex(mine.loc[mine["value"].notna(), "indicator"])["name"]
            .dropna()
        )
        listed = own_items.get(department, pd.DataFrame(columns=["list_name", "in_return"]))
        in_return = listed["in_return"].astype(bool)
        lacking = [n for n in names if n not in have] + [
            f"{name}{len(group)}项"
            for name, group in listed[~in_return].groupby("list_name", sort=False)
        ]
        silent = mine.empty and not in_return.any()
        sent = _sent(mine, progress_now, department)
        late = due is not None and pd.notna(sent) and sent.date() > due
        state = NOT_SENT if silent else LATE if late else LACKING if lacking else SENT
        rows.append(
            dict(
                department=department,
                period=quarter.label,
                state=state,
                sent_on="" if silent else day_label(sent) if pd.notna(sent) else UNDATED,
                due=day_label(due) if due else "",
                figures=int(mine["value"].notna().sum()) + int(in_return.sum()),
                owed=len(names) + len(listed),
                lacking="、".join(lacking) if not silent else "",
            )
        )
    table = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    return table.sort_values("state", key=lambda s: s.map(STATE_ORDER), kind="stable").reset_index(
        drop=True
    )


DECREASE_COLUMNS = [
    *("department", "indicator", "name", "unit"),
    *("previous_period", "previous", "value", "change", "firm"),
]
# firm: the row of a firm's item (a firm's own figure: internal edition only)


def decreases(
    returns: pd.DataFrame, indicators: pd.DataFrame, quarter: Period, named: pd.DataFrame
) -> pd.DataFrame:
    """Figures of this period's returns below the same department's figure in its previous
    return of the year: a cumulative figure does not fall, so each is a likely error to be
    checked with the department. Rates (unit %) can fall and are left out; the rows of a
    named list's items are compared like indicators."""
    year = returns[(returns["year"] == quarter.year) & returns["value"].notna()]
    now = year[year["month"] == quarter.month]
    before = year[year["month"] < quarter.month]
    if now.empty or before.empty:
        return pd.DataFrame(columns=DECREASE_COLUMNS)
    last = before.groupby("department")["month"].transform("max")
    before = before[before["month"] == last]
    pairs = now.merge(
        before[["department", "indicator", "value", "month"]],
        on=["department", "indicator"],
        suffixes=("", "_before"),
    )
    names, units, firms = _labels(indicators, named)
    pairs = pairs.assign(
        name=pairs["indicator"].map(names).fillna(pairs["indicator"]),
        unit=pairs["indicator"].map(units).fillna(""),
    )
    fell = pairs[(pairs["value"] < pairs["value_before"]) & (pairs["unit"] != "%")]
    table = pd.DataFrame(
        {
            "department": fell["department"],
            "indicator": fell["indicator"],
            "name": fell["name"],
            "unit": fell["unit"],
            "previous_period": [Period(quarter.year, int(m)).label for m in fell["month_before"]],
            "previous": fell["value_before"],
            "value": fell["value"],
            "change": fell["value"] - fell["value_before"],
            "firm": fell["indicator"].isin(firms),
        }
    )
    return table.reset_index(drop=True)


def _labels(indicators: pd.DataFrame, named: pd.DataFrame) -> tuple[dict, dict, set]:
    """The name and unit of each id a return may carry (indicators, and lists' items), and
    the ids of firms' items."""
    firms = set()
    names = dict(zip(indicators["id"], indicators["name"], strict=True))
    units = dict(zip(indicators["id"], indicators["unit"], strict=True))
    for item in named.itertuples():
        key = department_returns.item_key(item.list, item.item_id, item.credit_code, item.item)
        names[key] = f"{item.list_name}：{item.item}"
        own = units.get(item.indicator, "")
        units[key] = department_returns.ITEM_UNITS.get(item.kind, own)
        if item.kind == "firm":
            firms.add(key)
    return names, units, firms


def _sent(mine: pd.DataFrame, progress_now: pd.DataFrame | None, department: str):
    """The latest 报送日期 a department's sheets state this period (NaT: none states one)."""
    days = [mine.get("reported_on", pd.Series(dtype=object))]
    if progress_now is not None and "reported_on" in progress_now:
        days.append(progress_now.loc[progress_now["department"] == department, "reported_on"])
    return pd.to_datetime(pd.concat(days, ignore_index=True)).max()


ITEM_RETURN_KINDS = ("visit", "measure", "milestone")  # the departments' own item returns


def _item_returns(items: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The named items each department returns itself, by department (an item of several
    owners is owed by each)."""
    if items is None or items.empty:
        return {}
    mine = items[items["kind"].isin(ITEM_RETURN_KINDS)]
    mine = mine.assign(department=mine["owner"].astype(str).str.split("、")).explode("department")
    return {d: rows for d, rows in mine.groupby("department", sort=False)}
