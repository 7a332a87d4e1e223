"""Every indicator of a generated city judged by the rule of its kind, against judgements
made here record by record from the generator's truth tables and the YAML as written:
tier counts and their projections firm by firm, the other figures as test_ten_plans
computes them, the rules as the README states them."""

import math

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


def judgement(basis: str, actual, projected, target, month: int) -> str:
    """The README's rules, written out once more."""
    band = LIMITS["on_track_band"]
    if actual is None or math.isnan(actual):
        return "无数据"
    if target is None:
        return "未设目标"
    if basis in ("flow", "rate"):
        due = month / 12 if basis == "flow" else 1.0
        done = actual / target
        if done > due + band:
            return "超序时进度"
        return "达到序时进度" if done >= due - band else "滞后"
    if month == 12:
        return "已达标" if actual >= target else "未达标"
    if basis == "stock":
        return "预计达标" if projected >= target else "预计未达标"
    return "已达标" if actual >= target else "按年度累计"


def test_every_indicator_is_judged_by_the_rule_of_its_kind(city):
    panel, sources, q = city
    card = _quarter_data(panel, sources, q).scorecard().set_index("indicator")
    actual = expected(panel, sources, YEAR, q.month)
    tiers = tier_counts(panel, q.month)
    judged_on = {"flow": "序时进度", "rate": "目标值", "stock": "全年预计", "batch": "按年度累计"}
    seen = set()
    for ind in SPEC["indicators"]:
        target = ind["target"][YEAR]
        now, projected = tiers.get(ind["id"], (actual.get(ind["id"]), None))
        if ind["id"] in tiers:
            assert (card.at[ind["id"], "actual"], card.at[ind["id"], "projected"]) == (
                now,
                projected,
            ), ind["id"]
        verdict = judgement(ind["basis"], now, projected, target, q.month)
        assert card.at[ind["id"], "status"] == verdict, ind["id"]
        if target is not None:
            year_end = q.month == 12 and ind["basis"] in ("stock", "batch")
            on = "全年完成" if year_end else judged_on[ind["basis"]]
            assert card.at[ind["id"], "judged_on"] == on, ind["id"]
        seen.add(verdict)
    # the generated city exercises each rule's verdicts, not one of them alone
    if q.month == 9:
        assert {"预计达标", "按年度累计", "滞后"} <= seen
    else:
        assert {"已达标", "未达标"} <= seen
