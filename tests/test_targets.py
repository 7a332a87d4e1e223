import shutil

import numpy as np
import pandas as pd
import pytest

from analysis import params
from analysis.config import PARAMS_DIR
from analysis.intake.periods import Period
from analysis.measures import targets
from analysis.measures.targets import (
    AHEAD,
    BEHIND,
    MISSED,
    NO_DATA,
    NO_TARGET,
    OFF_COURSE,
    ON_COURSE,
    ON_TRACK,
    REACHED,
    YEARLY,
    scorecard,
    status,
)
from analysis.report import bulletin, narrative
from analysis.run import cli, runner

Q3, Q4 = Period(2026, 9), Period(2026, 12)


@pytest.mark.parametrize(
    "progress, expected, verdict",
    [
        (0.80, 0.75, AHEAD),
        (0.77, 0.75, ON_TRACK),  # within the ±2 point band
        (0.75, 0.75, ON_TRACK),
        (0.73, 0.75, ON_TRACK),
        (0.72, 0.75, BEHIND),
        (float("nan"), 0.75, NO_DATA),
    ],
)
def test_status_against_schedule(progress, expected, verdict):
    assert status(progress, expected, 0.02) == verdict


def _card(quarter: Period, values: dict) -> pd.DataFrame:
    """The bundled indicators with (actual, projected) for some of them."""
    frame = pd.DataFrame(
        [(k, a, p, np.nan) for k, (a, p) in values.items()],
        columns=["indicator", "actual", "projected", "growth"],
    )
    return scorecard(params.indicators(year=2026), frame, quarter, 0.02).set_index("indicator")


THE_ISSUE = {  # the two judgements quoted in issue 10, and figures of each other kind
    "sales_ge_100m": (18.0, 22.0),  # 18 now, 22 projected, target 23
    "tax_ge_100m": (0.0, 3.0),  # 0 now, 3 projected, target 1
    "approval_reduction_ratio": (50.0, np.nan),  # target 54%
    "upgrade_investment": (26.0, 36.0),  # target 35亿元
    "national_sci_projects": (1.0, np.nan),  # target 4
    "provincial_sci_projects": (5.0, np.nan),  # target 4
    "leading_industries_revenue": (120.0, 160.0),  # no target
}


def test_a_count_of_firms_is_judged_on_its_projection_not_on_the_calendar():
    card = _card(Q3, THE_ISSUE)
    sales = card.loc["sales_ge_100m"]
    assert sales["status"] == OFF_COURSE and sales["judged_on"] == "全年预计"
    assert sales["progress"] == pytest.approx(18 / 23)  # still reported
    assert pd.isna(sales["expected_progress"])  # no 序时进度 for a stock
    tax = card.loc["tax_ge_100m"]
    assert tax["status"] == ON_COURSE and tax["judged_on"] == "全年预计"
    rows = targets.by_department(card.reset_index())
    text = narrative.department_paragraph(rows[rows["department"] == "经信局"], "经信局", Q3)
    assert "销售收入过1亿元工业企业目前18家，全年预计22家，低于目标23家" in text
    assert "75" not in text and "纳税过1亿元" not in text
    sentence = narrative.plan_sentence(card.reset_index(), [3, 4], Q3)
    assert "销售收入过1亿元工业企业目前18家，全年预计22家，目标23家（预计未达标）" in sentence
    assert "纳税过1亿元目前0家，全年预计3家，目标1家（预计达标）" in sentence
    assert AHEAD not in sentence and BEHIND not in sentence


def test_flows_keep_the_schedule_and_rates_the_rate():
    card = _card(Q3, THE_ISSUE)
    invest = card.loc["upgrade_investment"]  # 26/35 = 74.3%, within 2 points of 75%
    assert (invest["status"], invest["judged_on"], invest["expected_progress"]) == (
        ON_TRACK,
        "序时进度",
        0.75,
    )
    ratio = card.loc["approval_reduction_ratio"]  # 50 of 54: 92.6% of the rate
    assert (ratio["status"], ratio["judged_on"], ratio["expected_progress"]) == (
        BEHIND,
        "目标值",
        1.0,
    )
    assert card.loc["leading_industries_revenue", "status"] == NO_TARGET
    assert card.loc["key_projects", "status"] == NO_DATA
    assert pd.isna(card.loc["key_projects", "actual"])
    assert len(card) == len(params.indicators(year=2026))


def test_batches_show_progress_and_are_judged_on_the_whole_target_at_year_end():
    card = _card(Q3, THE_ISSUE)
    national = card.loc["national_sci_projects"]  # 1 of 4 by September: not "behind"
    assert (national["status"], national["judged_on"]) == (YEARLY, "按年度累计")
    assert national["progress"] == pytest.approx(0.25)
    assert card.loc["provincial_sci_projects", "status"] == REACHED  # 5 of 4 already
    sentence = narrative.plan_sentence(card.reset_index(), [5], Q3)
    assert "国家级科技立项本年累计1项，目标4项，完成25.0%（按年度累计，12月末考核）" in sentence
    year_end = _card(Q4, THE_ISSUE)
    assert year_end.loc["national_sci_projects", "status"] == MISSED
    assert year_end.loc["provincial_sci_projects", "status"] == REACHED
    assert year_end.loc["national_sci_projects", "judged_on"] == "全年完成"
    # at year end a stock is judged on the year's own count, the projection set aside
    assert year_end.loc["sales_ge_100m", "status"] == MISSED
    assert year_end.loc["tax_ge_100m", "status"] == MISSED
    assert year_end.loc["upgrade_investment", "expected_progress"] == 1.0
    assert year_end.loc["upgrade_investment", "status"] == BEHIND  # 26 of 35 at 100%


@pytest.fixture
def two_years(tmp_path):
    """params/ whose targets.yaml covers 2025 and 2026: one target differs, one indicator
    is 2025's only."""
    folder = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, folder)
    path = folder / "targets.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("target: {2026: 23}", "target: {2025: 20, 2026: 23}", 1)
    text = text.replace("target: {2026: 30}", "target: {2025: 25}", 1)  # key_firm_visits
    path.write_text(text, encoding="utf-8")
    return folder


def test_each_year_is_judged_on_its_own_targets(two_years):
    assert params.target_years(two_years) == [2025, 2026]
    then = params.indicators(two_years, 2025).set_index("id")
    assert then["target"].to_dict() == {"sales_ge_100m": 20, "key_firm_visits": 25}
    now = params.indicators(two_years, 2026).set_index("id")
    assert now.loc["sales_ge_100m", "target"] == 23 and "key_firm_visits" not in now.index
    assert set(now["target_year"]) == {2026}


def test_a_year_without_targets_says_so_everywhere(two_years):
    indicators = params.indicators(two_years, 2027)
    assert len(indicators) == len(params.indicators(two_years, 2026)) + 1
    assert indicators["target"].isna().all() and indicators["target_year"].isna().all()
    values = pd.DataFrame(
        {"indicator": ["sales_ge_100m"], "actual": [18.0], "projected": [22.0], "growth": [None]}
    )
    q = Period(2027, 3)
    card = scorecard(indicators, values, q, 0.02)
    assert set(card["status"]) == {NO_TARGET, NO_DATA}
    note = "params/targets.yaml 未设2027年目标"
    assert narrative.scorecard_sentence(card, q).startswith(note)
    assert narrative.plan_sentence(card, [3], q).startswith(note)
    assert all(p.startswith(note) for p in bulletin.summary(card, q)["paragraph"])
    said = "params/targets.yaml 未设2027年目标（现有2025年、2026年），本期各项指标均标为“未设目标”"
    assert said in runner._title(q, two_years)  # every page's title
    message = cli._targets_note({"year": 2027, "params_dir": str(two_years)})
    assert said in message  # the run's one line
    assert runner._title(Period(2026, 9), two_years) == "工业振兴十大计划 2026年1-9月 监测报告"
    assert cli._targets_note({"year": 2026, "params_dir": str(two_years)}) == ""
