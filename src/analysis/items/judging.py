"""Each named item with its target, actual and status, on the rules the indicators follow
(judgement.judge): a project on its annual plan completed against 序时进度 and on its
planned start; a firm on its own target where it has one; a listing candidate on its
stage; a firm to visit, a measure or a milestone done or not yet against its due month.
An item its return lacks is 本期未报送: not judged, not counted, named."""

from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis import judgement as t
from analysis.intake.periods import Period
from analysis.intake.sources import LISTING_STAGES, Sources
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
# and what the pages and the measures use besides: the list's name, plan, kind (lists.yaml)
# and indicator, and a project's start, whether it is due, and its completed investment
ITEMS_COLUMNS = [
    *FILE_COLUMNS, "list_name", "plan", "kind", "indicator", "started", "due", "completed",
]  # fmt: skip


def _template(indicator, named: pd.DataFrame | None, year: int) -> dict:
    if named is not None and len(named):
        first = named.iloc[0]
        fields = ("list", "list_name", "plan", "kind", "owner")
        return {c: first[c] for c in fields} | {"year": year}
    measure = getattr(indicator, "measure", None)
    kind = "project" if measure in scopes.PROJECT_SCOPES else "firm"
    return {"list": indicator.id, "list_name": indicator.name, "plan": indicator.plan,
            "kind": scopes.LIST_MEASURES.get(measure, kind),
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


def _not_done(due_month, month: int) -> str:
    """A batch item not done yet: 未完成 at 1-12月, 逾期未完成 past its due month, else 推进中."""
    if month == 12:
        return t.NOT_DONE
    return t.OVERDUE if scopes.overdue(due_month, month) else t.IN_PROGRESS


def _late_note(when, due_month) -> str:
    """A done item's date, and whether it came after its due month."""
    if pd.isna(when):
        return ""
    late = pd.notna(due_month) and when.month > due_month
    return f"{when:%Y-%m-%d}完成" + (f"，逾期（应于{int(due_month)}月底前）" if late else "")


def _picked(rows: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """The return's row of each item, NaN where the item was not found."""
    return rows.reindex(pd.Index(found["row"].astype("float").to_numpy())).reset_index(drop=True)


def visit_items(indicator, named, progress: pd.DataFrame, quarter: Period):
    """A list of firms to visit (逐个走访): visited by the period's end or not yet, from the
    department's 企业走访 sheet (one row per firm, more per further visit)."""
    name = named["list_name"].iloc[0] if named is not None and len(named) else indicator.name
    rows = scopes.visits_by_firm(progress, name, quarter.year, quarter.month)
    template = _template(indicator, named, quarter.year)
    found, apart = _found(named, rows, "credit_code", "name", template)
    table = found.reset_index(drop=True).assign(indicator=indicator.id, unit="次")
    pick = _picked(rows, table)
    due = table["due_month"] if "due_month" in table else pd.Series(np.nan, index=table.index)
    statuses, notes = [], []
    for present, row, when in zip(table["in_return"], pick.itertuples(), due, strict=True):
        if not present:
            statuses.append(NOT_REPORTED_ITEM)
            notes.append("本期走访台账未列此企业")
        elif row.visits > 0:
            statuses.append(t.DONE)
            notes.append(
                f"最近走访{row.last_date:%Y-%m-%d}"
                + (f"，走访领导：{row.leaders}" if row.leaders else "")
                + (f"，解决问题：{row.solved}" if row.solved else "")
            )
        else:
            statuses.append(_not_done(when, quarter.month))
            notes.append("尚未走访")
    table = table.assign(
        target=1.0, actual=pick["visits"].to_numpy(), status=statuses, note=notes,
        reported_name=pick["name"].to_numpy(), started=False, due=False, completed=np.nan,
    )  # fmt: skip
    return table.reindex(columns=ITEMS_COLUMNS), apart


def listing_items(indicator, named, financing: pd.DataFrame, quarter: Period):
    """The listing candidates: the furthest stage each reached this year (上市进展 of the
    finance office) against the stage its item asks for (default 辅导备案); target and
    actual are the stages' places (1 辅导备案 … 4 上市), the note names them."""
    rows = scopes.furthest_stage(financing, quarter.year, quarter.month)
    template = _template(indicator, named, quarter.year)
    found, apart = _found(named, rows, "credit_code", "name", template)
    table = found.reset_index(drop=True).assign(indicator=indicator.id, unit="阶段")
    pick = _picked(rows, table)
    wanted = table["stage"] if "stage" in table else pd.Series(None, index=table.index)
    wanted = wanted.astype(object).where(wanted.notna(), LISTING_STAGES[0]).astype(str)
    target = wanted.map({s: i + 1 for i, s in enumerate(LISTING_STAGES)}).to_numpy(dtype=float)
    due = table["due_month"] if "due_month" in table else pd.Series(np.nan, index=table.index)
    statuses, notes = [], []
    for present, row, goal, stage, when in zip(
        table["in_return"], pick.itertuples(), target, wanted, due, strict=True
    ):
        if not present:
            statuses.append(NOT_REPORTED_ITEM)
            notes.append(f"目标阶段{stage}；金融办本期报表未列此企业的上市进展")
            continue
        statuses.append(t.DONE if row.rank >= goal else _not_done(when, quarter.month))
        notes.append(f"目标阶段{stage}；本年已达{row.event}（{row.event_date:%Y-%m-%d}）")
    table = table.assign(
        target=target, actual=pick["rank"].to_numpy(dtype=float), status=statuses, note=notes,
        reported_name=pick["name"].to_numpy(), started=False, due=False, completed=np.nan,
    )  # fmt: skip
    return table.reindex(columns=ITEMS_COLUMNS), apart


def progress_items(indicator, named, progress: pd.DataFrame, quarter: Period):
    """A list of measures or milestones: done (完成情况 已完成, or dated by the period's
    end) or not yet, against each item's due month; from the 事项进展 sheets of the list's
    departments, matched by 事项编号 then 事项名称."""
    departments = str(named["departments"].iloc[0]).split("、")
    rows = scopes.item_rows(progress, departments)
    template = _template(indicator, named, quarter.year)
    found, apart = _found(named, rows, "item_id", "name", template)
    table = found.reset_index(drop=True).assign(indicator=indicator.id, unit="项")
    pick = _picked(rows, table)
    finished = scopes.done(pick, quarter.year, quarter.month).to_numpy() & table["in_return"]
    dates = pd.to_datetime(pick["done_date"])
    statuses, notes = [], []
    for present, ok, when, due in zip(
        table["in_return"], finished, dates, table["due_month"], strict=True
    ):
        if not present:
            statuses.append(NOT_REPORTED_ITEM)
            notes.append("本期事项进展未列此项")
        elif ok:
            statuses.append(t.DONE)
            notes.append(_late_note(when, due))
        else:
            statuses.append(_not_done(due, quarter.month))
            notes.append(f"应于{int(due)}月底前完成" if pd.notna(due) else "")
    table = table.assign(
        target=1.0, actual=finished.astype(float), status=statuses, note=notes,
        reported_name=pick["name"].to_numpy(), started=False, due=False, completed=np.nan,
    )  # fmt: skip
    return table.reindex(columns=ITEMS_COLUMNS), apart


def list_items(indicator, named, sources: Sources, quarter: Period, band: float):
    """One list's judged items and the rows of its return's scope on no item, by its kind
    (the params' kind, else the kind of the indicator's measure)."""
    kind = named["kind"].iloc[0] if named is not None and len(named) else None
    measure = getattr(indicator, "measure", None)
    if measure in scopes.PROJECT_SCOPES:
        return project_items(indicator, named, sources.projects, quarter, band)
    if measure in scopes.FIRM_SCOPES:
        return firm_items(indicator, named, sources.financing, quarter)
    kind = kind or scopes.LIST_MEASURES.get(measure)
    if kind == "visit":
        return visit_items(indicator, named, sources.progress, quarter)
    if kind == "listing":
        return listing_items(indicator, named, sources.financing, quarter)
    if kind in ("measure", "milestone") and named is not None and len(named):
        return progress_items(indicator, named, sources.progress, quarter)
    return None


def judged(
    indicators: pd.DataFrame, named: pd.DataFrame, sources: Sources, quarter: Period, band: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every list's items of the period, judged (ITEMS_COLUMNS), and the rows of the
    returns that no list claims. `named` is lists.items of the period's year: each list
    of it, then each list indicator the params give no items for (the return's rows)."""
    tables, apart, item_apart, scopes_of = [], [], [], {}
    by_id = {i.id: i for i in indicators.itertuples()}
    shown = set()
    for list_id, own in named.groupby("list", sort=False) if len(named) else []:
        first = own.iloc[0]
        indicator = by_id.get(first["indicator"]) or SimpleNamespace(
            id=list_id, name=first["list_name"], plan=first["plan"], measure=None,
            departments=str(first["departments"]).split("、"),
        )  # fmt: skip
        shown.add(indicator.id)
        result = list_items(indicator, own, sources, quarter, band)
        if result is None:
            continue
        tables.append(result[0])
        if first["kind"] in ("measure", "milestone"):
            scopes_of[list_id] = set(str(first["departments"]).split("、"))
            item_apart.append(result[1].assign(list=list_id, _row=result[1].index))
        else:
            apart.append(result[1].assign(list=list_id))
    for indicator in indicators.itertuples():
        listed = indicator.measure in (*scopes.PROJECT_SCOPES, *scopes.FIRM_SCOPES)
        if indicator.id in shown or not (listed or indicator.measure in scopes.LIST_MEASURES):
            continue
        result = list_items(indicator, None, sources, quarter, band)
        if result is not None:
            tables.append(result[0])
            apart.append(result[1].assign(list=indicator.id))
    items = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=ITEMS_COLUMNS)
    apart.append(_unclaimed(item_apart, scopes_of))
    apart = [a for a in apart if len(a)]
    return items, pd.concat(apart, ignore_index=True) if apart else pd.DataFrame()


def _unclaimed(aparts: list[pd.DataFrame], scopes_of: dict[str, set]) -> pd.DataFrame:
    """The 事项进展 rows no measure or milestone list claims: a department's row that one
    of its lists leaves may be another list's item, so a row is apart only when every list
    of its department left it."""
    if not aparts:
        return pd.DataFrame()
    rows = pd.concat(aparts, ignore_index=True)
    lists_of = rows["department"].map(lambda d: sum(d in s for s in scopes_of.values()))
    left_by = rows.groupby("_row")["list"].transform("size")
    unclaimed = rows[left_by == lists_of].drop_duplicates("_row")
    return unclaimed.drop(columns="_row").assign(list=np.nan)
