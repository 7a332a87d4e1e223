"""The sample city's 对号入座 workbook: the goals its firms take on against the programme at
the start of the year (年度, 近期, 远期), with their measures, as the leading group's office
collects them — one row per firm and goal.

Goals are set from last year's 1-12月 figures, as a firm sets them in January: the next
revenue or tax tier above last year's figure for firms near one (some reach it, some fall
short), the tier a firm already holds for a few (met), a leap two tiers up for one (short
by far); this year's upgrade plan for firms on the project office's list; the next
listing step for firms in the finance office's pipeline. Drawn from a generator of its
own, so the rest of the city is as before.
"""

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.intake.names import CITY
from analysis.intake.sources import LISTING_STAGES, UPGRADE_PROJECT, Sources
from analysis.sample.sheets import new_workbook

WAN, YI = 1e4, 1e8
TIERS = {  # the programme's tiers, as a firm names its goal
    "revenue": (
        (1 * YI, "销售收入过亿元"),
        (5 * YI, "销售收入过5亿元"),
        (10 * YI, "销售收入过10亿元"),
    ),
    "tax": ((1000 * WAN, "纳税过千万元"), (5000 * WAN, "纳税过5000万元"), (1 * YI, "纳税过亿元")),
}
NEAR = 0.8  # a firm at this share of a tier or more takes it on as this year's goal
MEASURES = {
    "revenue": (
        "扩大产能，新上生产线",
        "开拓国内外市场，稳定大客户订单",
        "延伸产业链，发展高附加值产品",
    ),
    "tax": ("提高产品附加值，增加利润", "规范财务核算，依法足额纳税", "压降成本，提升盈利水平"),
    "upgrade": ("实施设备更新和智能化改造", "引进自动化生产线", "建设数字化车间"),
    "listing": (
        "完成股份制改造，规范公司治理",
        "聘请保荐机构开展上市辅导",
        "完善财务内控，准备申报材料",
    ),
}
HEADER = {
    "序号": None,
    "统一社会信用代码": "credit_code",
    "企业名称": "name",
    "对号入座目标": "goal",
    "目标期限": "horizon",
    "目标数额（万元）": "goal_amount",
    "目标阶段": "goal_stage",
    "主要措施": "measures",
}
NOTE = "注：目标期限分年度、近期（三年内）、远期（五年内）；年度目标按月跟踪，近期、远期目标列示。"


def _row(firm, goal: str, horizon: str, amount, stage, measure: str, rng) -> dict:
    first, second = rng.choice(len(MEASURES[measure]), 2, replace=False)
    return dict(
        credit_code=firm["credit_code"],
        name=firm["name"],
        goal=goal,
        horizon=horizon,
        goal_amount=amount,
        goal_stage=stage,
        measures=f"{MEASURES[measure][first]}；{MEASURES[measure][second]}",
    )


def _tier_goals(rng, firms: pd.DataFrame, measure: str) -> list[dict]:
    """The next tier above last year's figure for firms near one (with the one after as a
    near-term goal for some), the held tier for a few large ones, a leap for one."""
    rows, tiers = [], TIERS[measure]
    value = firms[measure].to_numpy(dtype=float)
    for i, firm in enumerate(firms.to_dict("records")):
        above = [k for k, (bound, _) in enumerate(tiers) if bound > value[i]]
        if above and value[i] >= NEAR * tiers[above[0]][0]:
            bound, goal = tiers[above[0]]
            rows.append(_row(firm, goal, "年度", bound, None, measure, rng))
            if len(above) > 1 and rng.random() < 0.5:
                bound, goal = tiers[above[1]]
                rows.append(_row(firm, goal, "近期", bound, None, measure, rng))
        elif not above or (above[0] > 0 and rng.random() < 0.3):
            bound, goal = tiers[(above[0] if above else len(tiers)) - 1]  # held: keep it
            rows.append(_row(firm, goal, "年度", bound, None, measure, rng))
            if above:
                bound, goal = tiers[-1]
                rows.append(_row(firm, goal, "远期", bound, None, measure, rng))
    below = np.flatnonzero(value < NEAR * tiers[0][0])
    if len(below) and measure == "revenue":  # one firm leaps two tiers: short by far
        firm = firms.iloc[below[0]].to_dict()
        bound, goal = tiers[1]
        rows.append(_row(firm, goal, "年度", bound, None, measure, rng))
    return rows


def _upgrade_goals(rng, firms: pd.DataFrame, projects: pd.DataFrame, year: int) -> list[dict]:
    """Firms whose upgrade project is on this year's list commit to its investment, some
    to a little more than its plan."""
    listed = projects[(projects["year"] == year) & (projects["kind"] == UPGRADE_PROJECT)]
    plans = listed.groupby("credit_code")["annual_plan_investment"].max()
    chosen = firms[firms["credit_code"].isin(plans.index)].head(12)
    rows = []
    for firm in chosen.to_dict("records"):
        amount = np.rint(plans[firm["credit_code"]] * rng.uniform(0.9, 1.25) / WAN) * WAN
        rows.append(_row(firm, "技改投资", "年度", amount, None, "upgrade", rng))
    return rows


def _listing_goals(rng, firms: pd.DataFrame, financing: pd.DataFrame, year: int) -> list[dict]:
    """Firms in the listing pipeline: the next step this year, listing itself later."""
    events = financing[(financing["year"] == year) & financing["event"].isin(LISTING_STAGES)]
    rows = []
    for code in events["credit_code"].drop_duplicates().head(6):
        firm = firms[firms["credit_code"] == code]
        if firm.empty:
            continue
        step = int(rng.integers(0, 2))
        rows.append(
            _row(firm.iloc[0], "推进上市", "年度", None, LISTING_STAGES[step], "listing", rng)
        )
        rows.append(_row(firm.iloc[0], "企业上市", "远期", None, "上市", "listing", rng))
    return rows


def generate_goals(panel: pd.DataFrame, sources: Sources) -> pd.DataFrame:
    """This year's goals of the city whose firms are `panel` and whose lists are `sources`:
    one row per firm and goal (credit_code, name, goal, horizon, goal_amount in yuan,
    goal_stage, measures), in the order the office lists them (by firm)."""
    year = int(panel["year"].max())
    rng = np.random.default_rng([year, 2015])
    last = panel[(panel["year"] == year - 1) & (panel["month"] == 12)]
    now = panel.loc[panel["year"] == year, ["credit_code"]].drop_duplicates()
    firms = last[last["credit_code"].isin(now["credit_code"])]
    firms = firms[["credit_code", "name", "revenue", "tax"]].reset_index(drop=True)
    firms = firms.sort_values("revenue", ascending=False, kind="stable")
    rows = (
        _tier_goals(rng, firms, "revenue")
        + _tier_goals(rng, firms[firms["tax"] >= 600 * WAN], "tax")
        + _upgrade_goals(rng, firms, sources.projects, year)
        + _listing_goals(rng, firms, sources.financing, year)
    )
    goals = pd.DataFrame(rows).assign(year=year)
    order = {code: i for i, code in enumerate(firms["credit_code"])}
    goals = goals.assign(_firm=goals["credit_code"].map(order))
    return goals.sort_values("_firm", kind="stable").drop(columns="_firm").reset_index(drop=True)


def write_goals(goals: pd.DataFrame, out_dir: Path) -> Path:
    """The goals as the office sends them: a title, 填报单位 and 单位 line, one header row,
    a row per firm and goal (codes as text, amounts in 万元), a note."""
    year = int(goals["year"].iloc[0])
    path = Path(out_dir) / "经信局" / f"{year}年度企业对号入座目标.xlsx"
    book = new_workbook(path)
    ws = book.add_worksheet("对号入座")
    last = len(HEADER) - 1
    title = book.add_format({"bold": True, "font_size": 14, "align": "center"})
    ws.merge_range(0, 0, 0, last, f"{year}年度工业企业“对号入座”目标汇总表", title)
    ws.merge_range(1, 0, 1, last, f"填报单位：{CITY}市工业振兴领导小组办公室    单位：万元")
    ws.write_row(2, 0, list(HEADER), book.add_format({"bold": True, "align": "center"}))
    text, amount = book.add_format({"num_format": "@"}), book.add_format({"num_format": "#,##0.00"})
    for i, row in enumerate(goals.to_dict("records")):
        for col, column in enumerate(HEADER.values()):
            value = i + 1 if column is None else row[column]
            if column == "goal_amount":
                if pd.notna(value):
                    ws.write_number(3 + i, col, round(value / WAN, 2), amount)
            elif column == "credit_code":
                ws.write_string(3 + i, col, value, text)
            elif value is not None and not (isinstance(value, float) and np.isnan(value)):
                ws.write(3 + i, col, value)
    ws.write_string(len(goals) + 4, 0, NOTE)
    for col, name in enumerate(HEADER):
        ws.set_column(col, col, 36 if name == "主要措施" else max(10, 2.2 * len(name) + 4))
    ws.freeze_panes(3, 0)
    book.close()
    return path
