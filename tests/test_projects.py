from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from analysis.intake.periods import Period
from analysis.items import judging, scopes
from analysis.measures import projects

YI = 1e8


def _judged(listed, measure: str, month: int):
    """A project list judged item by item as the measures judge it (no params list: the
    return's own rows are the items)."""
    ind = SimpleNamespace(id=measure, name=measure, plan=6, departments=["经信局"], measure=measure)
    return judging.project_items(ind, None, listed, Period(2026, month), 0.02)[0]


def _starts(listed, measure: str, month: int) -> tuple[int, int]:
    items = _judged(listed, measure, month)
    return int(items["started"].sum()), int(items["due"].sum())


def _projects(rows):
    columns = [
        "project_name",
        "kind",
        "major_upgrade",
        "credit_code",
        "planned_investment",
        "annual_plan_investment",
        "completed_investment",
        "start_date",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["start_date"] = pd.to_datetime(frame["start_date"])
    frame["planned_start_date"] = frame["start_date"]
    frame["project_id"] = [f"P{i:03d}" for i in range(len(frame))]
    frame["department"] = "经信局"
    frame["name"] = frame["credit_code"] + "公司"
    frame["industry"] = "现代制造业"
    return frame


@pytest.fixture
def listed():
    return _projects(
        [
            ("福喜农牧扩建项目", "技改项目", True, "A", 3 * YI, 1.0 * YI, 0.5 * YI, "2026-02-01"),
            ("B技改", "技改项目", True, "B", 2 * YI, 0.8 * YI, 0.0, "2026-10-01"),  # not started
            ("C技改", "技改项目", False, "C", 1e7, 8e6, 7e6, "2025-06-01"),  # continuing
            ("D重点", "重点项目", False, "D", 5 * YI, 1 * YI, 0.3 * YI, "2026-09-30"),
            ("E重点", "重点项目", False, "A", 4 * YI, 1 * YI, 0.0, "2026-10-01"),
            ("F引进", "招引项目", False, "F", 1 * YI, 1e7, 0.0, "2026-03-01"),  # exactly 1亿
            ("G引进", "招引项目", False, "G", 0.99 * YI, 1e7, 0.0, "2026-04-01"),
            ("H引进", "招引项目", False, "H", 5 * YI, 1e7, 0.0, "2025-12-20"),  # last year's
            ("I引进", "招引项目", False, "I", 5 * YI, 1e7, 0.0, None),  # no date
        ]
    )


def test_upgrade_investment_sums_upgrade_projects_only(listed):
    assert projects.upgrade_investment(listed) == pytest.approx(0.5 * YI + 7e6)
    assert np.isnan(projects.upgrade_investment(listed.iloc[:0]))


def test_coverage_is_the_share_of_firms_with_an_upgrade_project(listed):
    firms = pd.DataFrame({"credit_code": ["A", "B", "D", "X"]})
    assert projects.upgrade_coverage(listed, firms) == pytest.approx(0.5)  # A and B of four


def test_a_project_is_under_way_once_its_start_date_has_passed(listed):
    assert _starts(listed, "major_upgrades", 9) == (1, 1)  # B starts in October
    assert _starts(listed, "major_upgrades", 12) == (2, 2)
    assert _starts(listed, "key_projects", 9) == (1, 1)  # D on the last day
    assert projects.list_size(listed, scopes.is_key) == (2, pytest.approx(9 * YI))


def test_starts_are_due_by_the_planned_start_and_late_ones_are_listed(listed):
    listed.loc[listed["project_name"] == "E重点", "planned_start_date"] = pd.Timestamp("2026-07-15")
    listed.loc[listed["project_name"] == "B技改", "planned_start_date"] = pd.NaT  # none given
    assert _starts(listed, "key_projects", 9) == (1, 2)  # E was due in July
    assert _starts(listed, "major_upgrades", 9) == (1, 1)  # B: due once begun
    late = projects.late_starts(listed, Period(2026, 9))
    assert late["project_name"].tolist() == ["E重点"]
    statuses = _judged(listed, "key_projects", 9).set_index("item")["status"]
    assert statuses["E重点"] == "滞后"  # due, not started


def test_a_list_is_judged_on_its_annual_plan_completed(listed):
    # D: 0.3亿 of 1亿, E: 0 of 1亿 → 15% of the key projects' annual plan
    key = _judged(listed, "key_projects", 9)
    assert key["actual"].sum() / key["target"].sum() == pytest.approx(0.15)
    # A: 0.5亿 of 1亿, B: 0 of 0.8亿
    major = _judged(listed, "major_upgrades", 9)
    assert major["actual"].sum() / major["target"].sum() == pytest.approx(0.5 / 1.8)
    assert _judged(listed.iloc[:0], "key_projects", 9).empty


def test_attracted_projects_count_this_years_dates_at_or_over_the_threshold(listed):
    assert projects.attracted_count(listed, 2026, 3, YI) == 1  # F: ≥1亿 on 1 March
    assert projects.attracted_count(listed, 2026, 2, YI) == 0
    brought = projects.attracted_list(listed, Period(2026, 6), YI).set_index("project_name")
    assert brought["counts"].to_dict() == {
        "H引进": False,
        "F引进": True,
        "G引进": False,
        "I引进": False,
    }


def test_a_missing_major_flag_counts_as_not_major(listed):
    listed["major_upgrade"] = pd.array(
        [True, None, False, False, False, False, False, False, False]
    )
    assert _starts(listed, "major_upgrades", 12) == (1, 1)


@pytest.mark.parametrize(
    "ytd, same, full, month, expected",
    [
        (30.0, 30.0, 100.0, 6, 100.0),  # seasonal: last year had 30% done by June
        (30.0, 5.0, 100.0, 6, 60.0),  # 5% is implausible for June: linear
        (30.0, np.nan, np.nan, 6, 60.0),  # no history: linear
        (30.0, 30.0, 100.0, 12, 30.0),  # December is the year
    ],
)
def test_flow_projection_is_seasonal_when_plausible_else_linear(ytd, same, full, month, expected):
    assert projects.project_flow(ytd, same, full, month, (0.5, 1.5)) == pytest.approx(expected)


def test_projects_behind_their_investment_plan_largest_shortfall_first(listed):
    late = projects.behind_plan(listed, Period(2026, 9), band=0.02)
    # E: 0 of 1亿 → behind by 0.75亿; B: 0% → 0.6亿; D: 30% → 0.45亿; A: 50% → 0.25亿;
    # C: 87.5% → fine; projects brought in are not followed on a plan
    assert late["project_name"].tolist() == ["E重点", "B技改", "D重点", "福喜农牧扩建项目"]
    assert late["shortfall"].tolist() == pytest.approx([0.75 * YI, 0.6 * YI, 0.45 * YI, 0.25 * YI])


def test_major_upgrades_mark_the_projects_the_programme_names(listed):
    majors = projects.major_upgrades(listed, Period(2026, 9), ["福喜农牧扩建"])
    assert majors["project_name"].tolist() == ["福喜农牧扩建项目", "B技改"]
    assert majors["tracked"].tolist() == [True, False]
    assert majors["under_way"].tolist() == [True, False]
    assert majors["plan_progress"].tolist() == pytest.approx([0.5, 0.0])
