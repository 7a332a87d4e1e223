"""Each owning department's part of the scorecard: what a department is told in the
督查通报 about an indicator it owns alone or with others.

An indicator owned jointly is judged once on the joint figure; each department also sees
its own reported figure beside it. Where targets.yaml splits the target (`shares`), a
reporting department is judged on its own part; a reporter whose figure for the period
is missing is 未报送, never judged on the others' numbers; a co-owner that does not
return the figure itself (not in `reported_by`) shares the joint verdict.
"""

import numpy as np
import pandas as pd

from analysis.intake import returns as department_returns
from analysis.intake.periods import Period
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


def _done_by_owner(items: pd.DataFrame) -> pd.Series:
    """Items done per owning department, among the items its return holds (an owner whose
    every item is 本期未报送 has no figure)."""
    sent = items[items["in_return"].astype(bool)]
    return (sent["actual"] > 0).groupby(sent["owner"]).sum().astype(float)


def return_status(
    indicators: pd.DataFrame,
    returns_now: pd.DataFrame,
    quarter: Period,
    items: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every department that owes the office a return this period: whether it sent one,
    how many figures (and named items) it holds, and which are missing. A department owes
    its figures (department_return indicators) and, with `items` (items.judging's), the
    firms it visits and the measures and milestones it carries out, item by item."""
    owed: dict[str, list[str]] = {}
    for ind in indicators[indicators["measure"] == "department_return"].itertuples():
        for department in department_returns.reporters(ind):
            owed.setdefault(department, []).append(ind.name)
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
        sent = listed["in_return"].astype(bool)
        lacking = [n for n in names if n not in have] + [
            f"{name}{len(group)}项"
            for name, group in listed[~sent].groupby("list_name", sort=False)
        ]
        silent = mine.empty and not sent.any()
        state = "未报送" if silent else ("缺项" if lacking else "已报送")
        rows.append(
            dict(
                department=department,
                period=quarter.label,
                state=state,
                figures=int(mine["value"].notna().sum()) + int(sent.sum()),
                owed=len(names) + len(listed),
                lacking="、".join(lacking) if not silent else "",
            )
        )
    order = {"未报送": 0, "缺项": 1, "已报送": 2}
    table = pd.DataFrame(
        rows, columns=["department", "period", "state", "figures", "owed", "lacking"]
    )
    return table.sort_values("state", key=lambda s: s.map(order), kind="stable").reset_index(
        drop=True
    )


ITEM_RETURN_KINDS = ("visit", "measure", "milestone")  # the departments' own item returns


def _item_returns(items: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The named items each department returns itself, by department (an item of several
    owners is owed by each)."""
    if items is None or items.empty:
        return {}
    mine = items[items["kind"].isin(ITEM_RETURN_KINDS)]
    mine = mine.assign(department=mine["owner"].astype(str).str.split("、")).explode("department")
    return {d: rows for d, rows in mine.groupby("department", sort=False)}
