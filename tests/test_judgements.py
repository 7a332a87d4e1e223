"""Every indicator of a generated city judged by the rule of its kind, against judgements
made here record by record from the generator's truth tables and the YAML as written:
tier counts and their projections firm by firm, the other figures as test_ten_plans
computes them, the rules as the README states them."""

import math

import pandas as pd
import pytest
import yaml

from analysis.config import PARAMS_DIR
from analysis.intake.periods import Period
from analysis.sample import city as sample
from analysis.sample.sources import generate_sources
from tests.test_ten_plans import YEAR, _quarter_data, _records, expected

SPEC = yaml.safe_load((PARAMS_DIR / "targets.yaml").read_text(encoding="utf-8"))
LIMITS = yaml.safe_load((PARAMS_DIR / "thresholds.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module", params=[9, 12], ids=["September", "December"])
def city(request):
    panel = sample.generate_city(firms=120, seed=11, year=YEAR, month=request.param)
    return panel, generate_sources(panel), Period(YEAR, request.param)


def tier_counts(panel, month: int) -> dict[str, tuple[int, int]]:
    """Firms in each tier now and by full-year projection, one firm at a time: seasonal
    by last year's share done by the same month when it is plausible, else linear."""
    low, high = LIMITS["seasonal_share_limits"]
    elapsed = month / 12
    before = {(f["credit_code"], f["month"]): f for f in _records(panel, YEAR - 1, month)}
    before |= {(f["credit_code"], 12): f for f in _records(panel, YEAR - 1, 12)}
    counts = {}
    for ind in SPEC["indicators"]:
        if ind.get("measure") != "tier":
            continue
        lower, upper = ind["lower_yuan"], ind["upper_yuan"] or math.inf
        now = projected = 0
        for firm in _records(panel, YEAR, month):
            value = firm[ind["field"]]
            same = before.get((firm["credit_code"], month))
            full = before.get((firm["credit_code"], 12))
            share = same[ind["field"]] / full[ind["field"]] if same and full else math.nan
            seasonal = low * elapsed <= share <= min(1.0, high * elapsed)
            year_value = value if month == 12 else value / (share if seasonal else elapsed)
            now += lower <= value < upper
            projected += lower <= year_value < upper
        counts[ind["id"]] = (now, projected)
    return counts


def due_to_start(sources, month: int) -> dict[str, float]:
    """Per list judged on its starts, the projects whose planned start has come by the
    period's end (a project without one: due when it started), one project at a time."""
    end = pd.Timestamp(YEAR, month, 1) + pd.offsets.MonthEnd(0)
    due = {"key_projects": 0, "major_upgrade_projects": 0}
    for p in _records(sources.projects, YEAR, month):
        planned = p["planned_start_date"]
        is_due = planned <= end if pd.notna(planned) else p["start_date"] <= end
        if p["kind"] == "重点项目":
            due["key_projects"] += is_due
        if p["major_upgrade"]:
            due["major_upgrade_projects"] += is_due
    return due


def judgement(ind: dict, actual, projected, target, month: int, due=None) -> str:
    """The README's rules, written out once more."""
    band = LIMITS["on_track_band"]
    basis = ind["basis"]
    if actual is None or math.isnan(actual):
        return "无数据"
    if target is None:
        return "未设目标"
    if month == 12:  # a list's starts: the projects its plan makes due this year
        needed = due if basis == "starts" else target
        return "已完成" if actual >= needed else "未完成"
    if basis == "rate":
        return "达到目标" if actual >= target else "未达到目标"
    if basis == "stock":
        return "预计达标" if projected >= target else "预计未达标"
    if basis == "batch":
        if actual >= target:
            return "已完成"
        late = ind.get("due_month") is not None and month >= ind["due_month"]
        return "逾期未完成" if late else "推进中"
    share_due = month / 12 if basis == "flow" else due / target
    done = actual / target
    if done > share_due + band:
        return "超序时进度"
    return "达到序时进度" if done >= share_due - band else "滞后"


RULE = {  # judged_on, as the README names each rule
    "flow": "完成进度对照序时进度",
    "starts": "已开工数对照计划开工数",
    "stock": "全年预计对照年度目标",
    "rate": "实际值对照目标值",
    "batch": "成批事项，达到目标即完成，年底考核",
}


def test_every_indicator_is_judged_by_the_rule_of_its_kind(city):
    panel, sources, q = city
    card = _quarter_data(panel, sources, q).scorecard().set_index("indicator")
    actual = expected(panel, sources, YEAR, q.month)
    tiers = tier_counts(panel, q.month)
    due = due_to_start(sources, q.month)
    seen = set()
    verdicts = {}
    for ind in SPEC["indicators"]:
        target = ind["target"][YEAR]
        now, projected = tiers.get(ind["id"], (actual.get(ind["id"]), None))
        if ind["id"] in tiers:
            assert (card.at[ind["id"], "actual"], card.at[ind["id"], "projected"]) == (
                now,
                projected,
            ), ind["id"]
        verdicts[ind["id"]] = judgement(ind, now, projected, target, q.month, due.get(ind["id"]))
    for ind in SPEC["indicators"]:  # one fact, one verdict: a ratio follows its count
        verdict = verdicts[ind.get("judged_with") or ind["id"]]
        assert card.at[ind["id"], "status"] == verdict, ind["id"]
        if ind["target"][YEAR] is not None:
            on = "年末完成数对照年度目标" if q.month == 12 else RULE[ind["basis"]]
            if ind.get("judged_with"):
                on = f"与“{card.at[ind['judged_with'], 'name']}”为同一事项，随其判定"
            assert card.at[ind["id"], "judged_on"] == on, ind["id"]
        seen.add(verdict)
    # the generated city exercises each rule's verdicts, not one of them alone
    if q.month == 9:
        assert {"预计达标", "推进中", "滞后", "未达到目标"} <= seen
    else:
        assert seen <= {"已完成", "未完成", "未设目标"} and {"已完成", "未完成"} <= seen
