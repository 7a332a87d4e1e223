"""对号入座: each firm's own goals, as it placed itself against the programme, followed
against its own figures.

A 年度 goal is judged on the basis of its kind (judgement.py): a revenue or tax goal is a
year's figure, judged on the firm's full-year projection (tiers.firm_table, the same
projection the tier counts use); an upgrade-investment goal on the firm's 技改项目
investment in the project office's list, done so far and scaled to the year by 序时进度;
a listing goal on the furthest step of the finance office's list this year. 近期 and 远期
goals are listed with the firm's figures, not judged. The firms whose own yearly goal is
projected short are the office's list of whom to visit, the largest shortfall (as a share
of the goal) first.
"""

import re

import numpy as np
import pandas as pd

from analysis import judgement as t
from analysis.intake.periods import Period
from analysis.intake.sources import GOAL_WORDS, LISTING_STAGES, UPGRADE_PROJECT

LIST_ID, LIST_NAME, OWNER = "firm_goals", "对号入座（企业年度目标）", "经信局"
PLAN = 3  # 骨干攀登: "明确企业发展方向和奋斗目标" — the firms' goals are followed with it
YEARLY = "年度"
NOT_JUDGED = "列示，不判定"  # a 近期 or 远期 goal
SHORT = (t.OFF_COURSE, t.NOT_DONE)  # a yearly goal the office must act on
MEASURE_NAMES = {"revenue": "销售收入", "tax": "纳税", "upgrade": "技改投资", "listing": "上市"}
BASES = {
    "revenue": "全年预计营业收入对照目标（与企业分档页相同的推算）",
    "tax": "全年预计税收对照目标（与企业分档页相同的推算）",
    "upgrade": "技改项目本年累计完成投资按序时进度折算全年，对照目标",
    "listing": "本年达到的上市步骤对照目标阶段",
}
COLUMNS = [
    "credit_code",
    "name",
    "industry",
    "horizon",
    "goal",
    "measure",
    "target",
    "target_stage",
    "ytd",
    "projected",
    "reached_stage",
    "gap",
    "gap_share",
    "status",
    "basis",
    "measures",
    "note",
    "source_file",
    "source_row",
]
_AMOUNT = re.compile(r"过?\s*(\d+(?:\.\d+)?)?\s*(千万|亿|万)")
_UNITS = {"千万": 1e7, "亿": 1e8, "万": 1e4}


def measure_of(goal: str) -> str | None:
    """What a goal is about (sources.GOAL_WORDS: the first kind whose word it holds)."""
    for measure, words in GOAL_WORDS.items():
        if any(w in str(goal) for w in words):
            return measure
    return None


def amount_in(goal: str) -> float:
    """The amount a goal's words name, in yuan: 过亿 1亿, 过5亿 5亿, 过千万 1000万, 过5000万;
    NaN when they name none."""
    found = _AMOUNT.search(str(goal))
    if not found:
        return np.nan
    number = float(found[1]) if found[1] else 1.0
    return number * _UNITS[found[2]]


def _stage(text) -> float:
    return float(LISTING_STAGES.index(text)) if text in LISTING_STAGES else np.nan


def _figures(goals: pd.DataFrame, firms: pd.DataFrame, projects, financing, period: Period):
    """Per goal: the firm's figure so far (yuan, or the listing step reached) and its
    full-year projection, from the firm table, the project and the finance office's lists."""
    by_firm = firms.set_index(firms["credit_code"].astype(object))
    codes = goals["credit_code"].astype(object)
    ytd = pd.Series(np.nan, index=goals.index)
    projected = pd.Series(np.nan, index=goals.index)
    for measure in ("revenue", "tax"):
        rows = goals["measure"] == measure
        ytd[rows] = by_firm[f"{measure}_ytd"].reindex(codes[rows]).to_numpy(dtype=float)
        projected[rows] = by_firm[f"{measure}_projected"].reindex(codes[rows]).to_numpy(dtype=float)
    upgrades = projects[projects["kind"] == UPGRADE_PROJECT]
    done = upgrades.groupby(upgrades["credit_code"].astype(object))["completed_investment"].sum()
    rows = goals["measure"] == "upgrade"
    ytd[rows] = done.reindex(codes[rows]).to_numpy(dtype=float)
    projected[rows] = ytd[rows] if period.month == 12 else ytd[rows] / period.elapsed
    steps = financing[financing["event"].isin(LISTING_STAGES)]
    reached = (
        steps.assign(step=steps["event"].map(_stage))
        .groupby(steps["credit_code"].astype(object))["step"]
        .max()
    )
    stage = pd.Series(np.nan, index=goals.index)
    rows = goals["measure"] == "listing"
    stage[rows] = reached.reindex(codes[rows]).to_numpy(dtype=float)
    return ytd, projected, stage


def _status(row, month: int, rule: str) -> tuple[str, str]:
    """(status, note) of one goal."""
    if row.horizon != YEARLY:
        return NOT_JUDGED, ""
    if row.measure == "listing":
        if pd.isna(row.target_step):
            return t.NO_DATA, "目标阶段未填"
        done = pd.notna(row.reached_step) and row.reached_step >= row.target_step
        if done:
            return t.DONE, ""
        return (t.NOT_DONE if month == 12 else t.IN_PROGRESS), (
            "" if pd.notna(row.reached_step) else "金融办本年报表未列该企业的上市步骤"
        )
    if pd.isna(row.target):
        return t.NO_DATA, "目标数额未填，目标文字中也无金额"
    figure = row.ytd if month == 12 else row.projected
    if pd.isna(figure):
        where = "项目办技改项目清单未列该企业" if row.measure == "upgrade" else "本期报表无该企业"
        return t.NO_DATA, where
    met = figure > row.target if rule == "gt" else figure >= row.target
    if month == 12:
        return (t.DONE if met else t.NOT_DONE), ""
    return (t.ON_COURSE if met else t.OFF_COURSE), ""


def followed(
    goals: pd.DataFrame,
    firms: pd.DataFrame,
    projects: pd.DataFrame,
    financing: pd.DataFrame,
    period: Period,
    rule: str = "ge",
) -> pd.DataFrame:
    """Every goal of the period's year (COLUMNS): its target, the firm's figures and, for a
    年度 goal, its status; `projects` and `financing` are the period's lists, `rule` the
    thresholds' bound_rule (过 as ≥ or >). Amounts in yuan."""
    goals = goals[goals["year"] == period.year].reset_index(drop=True)
    goals = goals.reindex(
        columns=[*goals.columns.drop("code_problem", errors="ignore"), "code_problem"]
    )
    goals = goals.assign(
        measure=goals["goal"].map(measure_of),
        horizon=goals["horizon"].astype(str).str.strip().str[:2],
    )
    stated = pd.to_numeric(goals["goal_amount"], errors="coerce")
    target = stated.where(stated.notna(), goals["goal"].map(amount_in))
    target = target.where(goals["measure"] != "listing")
    ytd, projected, reached = _figures(goals, firms, projects, financing, period)
    table = goals.assign(
        target=target,
        target_step=goals["goal_stage"].map(_stage).where(goals["measure"] == "listing"),
        ytd=ytd,
        projected=projected,
        reached_step=reached,
    )
    judged = [_status(row, period.month, rule) for row in table.itertuples()]
    figure = table["ytd"] if period.month == 12 else table["projected"]
    gap = (table["target"] - figure).clip(lower=0)
    placed = firms.set_index(firms["credit_code"].astype(object))["industry"]
    table = table.assign(
        industry=placed.reindex(table["credit_code"].astype(object)).astype(object).to_numpy(),
        status=[s for s, _ in judged],
        note=[
            "；".join(p for p in (n, f"信用代码：{c}" if isinstance(c, str) else "") if p)
            for (_, n), c in zip(judged, table["code_problem"], strict=True)
        ],
        gap=gap,
        gap_share=gap / table["target"],
        basis=table["measure"].map(BASES).where(table["horizon"] == YEARLY, ""),
        target_stage=table["goal_stage"].where(table["measure"] == "listing"),
        reached_stage=table["reached_step"].map(
            lambda s: LISTING_STAGES[int(s)] if pd.notna(s) else None
        ),
        measure=table["measure"].map(MEASURE_NAMES),
    )
    return table.reindex(columns=COLUMNS)


def shortfalls(table: pd.DataFrame) -> pd.DataFrame:
    """The firms whose own yearly goal is projected short (at 1-12月: missed), the largest
    shortfall as a share of the goal first (a listing goal, which has no amount, after
    them): whom the office visits."""
    short = table[(table["horizon"] == YEARLY) & table["status"].isin(SHORT)]
    return short.sort_values("gap_share", ascending=False, na_position="last", kind="stable")


def as_items(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """The yearly goals as rows of items.csv (list firm_goals): target and actual (the
    full-year projection, or at 1-12月 the year's figure) in 万元; a listing goal's step
    in words in its note."""
    yearly = table[table["horizon"] == YEARLY].reset_index(drop=True)
    amount = yearly["measure"] != MEASURE_NAMES["listing"]
    notes = []
    for row, has_amount in zip(yearly.itertuples(), amount, strict=True):
        if has_amount:
            said = "" if pd.isna(row.ytd) else f"本年累计{row.ytd / 1e4:,.2f}万元"
        else:
            said = (
                f"目标阶段：{row.target_stage or '—'}，本年达到：{row.reached_stage or '未有进展'}"
            )
        notes.append("；".join(part for part in (said, row.note) if part))
    return pd.DataFrame(
        {
            "list": LIST_ID,
            "item_id": yearly["credit_code"] + "-" + yearly["goal"],
            "item": yearly["name"] + "：" + yearly["goal"],
            "credit_code": yearly["credit_code"],
            "owner": OWNER,
            "year": year,
            "target": (yearly["target"] / 1e4).where(amount),
            "actual": (yearly["projected"] / 1e4).where(amount),
            "unit": np.where(amount, "万元", "上市步骤"),
            "status": yearly["status"],
            "in_return": yearly["status"] != t.NO_DATA,
            "matched_by": "信用代码",
            "reported_name": yearly["name"],
            "note": notes,
            "list_name": LIST_NAME,
            "plan": PLAN,
            "indicator": np.nan,  # no indicator of targets.yaml is computed from them
            "started": False,  # a goal has no start to be due (as a firm item)
            "due": False,
            "completed": np.nan,
        }
    )


def counts(table: pd.DataFrame) -> pd.DataFrame:
    """Goals by what they are about, horizon and status, in that order: counts, no names."""
    order = {
        "measure": list(MEASURE_NAMES.values()),
        "horizon": ["年度", "近期", "远期"],
        "status": [*t.STATUS_ORDER, NOT_JUDGED],
    }
    found = table.groupby(list(order), sort=False).size().reset_index(name="firms")
    ranks = {c: found[c].map({v: i for i, v in enumerate(o)}) for c, o in order.items()}
    return found.iloc[pd.DataFrame(ranks).sort_values(list(order)).index].reset_index(drop=True)


def sentence(table: pd.DataFrame, year: int) -> str:
    """The section's opening: firms and goals, the yearly goals by status, how many firms
    are projected short. Counts only: the public edition says the same."""
    if table.empty:
        return f"未收到{year}年度企业对号入座目标汇总表（经信局汇总），本节无数据。"
    yearly = table[table["horizon"] == YEARLY]
    counts = yearly["status"].value_counts()
    by_status = "、".join(f"{s} {n} 项" for s, n in counts.items())
    short = shortfalls(table)
    text = (
        f"{year}年度共 {table['credit_code'].nunique()} 家企业对号入座目标 {len(table)} 项，"
        f"其中年度目标 {len(yearly)} 项（{by_status or '无'}），近期、远期目标 "
        f"{len(table) - len(yearly)} 项只列示。"
    )
    if len(short):
        text += f"年度目标预计未达成的企业 {short['credit_code'].nunique()} 家，宜逐家走访帮扶。"
    return text
