"""All ten plans on the scorecard of a generated city, built straight from the generator's
truth tables, against figures computed here independently, record by record."""

import math
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from analysis import params
from analysis.config import PARAMS_DIR
from analysis.intake.periods import Period
from analysis.measures import history, tiers
from analysis.measures.store import PeriodData
from analysis.sample import city as sample
from analysis.sample.sources import generate_sources

YEAR = 2026
AWARD_KINDS = {  # written out here rather than read from targets.yaml
    "new_innovation_alliance": "产业技术创新战略联盟",
    "new_academician_station": "院士工作站",
    "new_postdoc_station": "博士后工作站",
    "new_prov_engineering_center": "省工程技术研究中心",
    "new_prov_intl_coop_center": "省国际科技合作研究中心",
    "new_prov_innovative_firm": "省创新型企业",
    "new_hitech_firms": "高新技术企业",
    "new_city_engineering_center": "市级工程技术研究中心",
    "national_sci_projects": "国家级科技立项",
    "provincial_sci_projects": "省级科技立项",
    "iur_projects": "产学研合作项目",
}
SUMMED_RETURNS = [
    "fee_items_cut",
    "approval_items_cut",
    "executive_training_sessions",
    "executive_trainees",
    "chief_technicians_selected",
    "golden_collar_trained",
]
VISITS = {
    "key_firm_visits": ("key_firms", "重点企业"),
    "growth_firm_visits": ("growth_firms", "成长型企业"),
}
RATE_RETURNS = {"approval_reduction_ratio": "行政服务中心", "intermediary_fee_reduction": "物价局"}


@pytest.fixture(scope="module")
def city():
    panel = sample.generate_city(firms=120, seed=5, year=YEAR, month=9)
    return panel, generate_sources(panel)


def _quarter_data(panel, sources, q: Period) -> PeriodData:
    intake = SimpleNamespace(
        panel=panel,
        projects=sources.projects,
        platforms=sources.platforms,
        financing=sources.financing,
        returns=sources.returns,
        progress=sources.progress,
    )
    tier_defs, limits = params.tiers(), params.thresholds()
    firms = tiers.firm_table(panel, q, tier_defs, limits)
    return PeriodData(q, intake, firms, params.indicators(), tier_defs, limits, params.plan_names())


def _named(year: int) -> dict[str, list[dict]]:
    """params/lists.yaml's items of `year` by list, read as plain YAML."""
    text = (PARAMS_DIR / "lists.yaml").read_text(encoding="utf-8")
    lists = yaml.safe_load(text)["lists"]
    return {n["id"]: n["items"][year] for n in lists if year in n["items"]}


def _records(table, year, month):
    return [r for r in table.to_dict("records") if r["year"] == year and r["month"] == month]


def _this_year(date, year, end) -> bool:
    return pd.notna(date) and date.year == year and date <= end


def expected(panel, sources, year: int, month: int) -> dict[str, float]:
    """Every measured indicator's actual value, from the truth tables, in its unit."""
    end = pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)
    firms = _records(panel, year, month)
    projects = _records(sources.projects, year, month)
    awards = _records(sources.platforms, year, month)
    events = [e for e in _records(sources.financing, year, month) if e["event_date"] <= end]
    returned = _records(sources.returns, year, month)
    e = {}
    comparable = [f for f in firms if not math.isnan(f["revenue_prev"])]
    revenue_now = sum(f["revenue"] for f in comparable)
    revenue_before = sum(f["revenue_prev"] for f in comparable)
    e["leading_industries_revenue"] = sum(f["revenue"] for f in firms) / 1e8
    e["leading_industries_tax"] = sum(f["tax"] for f in firms) / 1e8
    e["leading_industries_revenue_growth"] = 100 * (revenue_now / revenue_before - 1)
    e["rd_spending"] = sum(f["rd"] for f in firms) / 1e8
    e["rd_intensity"] = 100 * sum(f["rd"] for f in firms) / sum(f["revenue"] for f in firms)
    upgrade = [p for p in projects if p["kind"] == "技改项目"]
    planned = {p["credit_code"] for p in upgrade}
    e["upgrade_plan_coverage"] = 100 * sum(f["credit_code"] in planned for f in firms) / len(firms)
    e["major_upgrade_projects"] = sum(
        p["major_upgrade"] and p["start_date"] <= end for p in projects
    )
    e["upgrade_investment"] = sum(p["completed_investment"] for p in upgrade) / 1e8
    key = [p for p in projects if p["kind"] == "重点项目"]
    e["key_projects"] = sum(p["start_date"] <= end for p in key)
    e["key_projects_plan_completion"] = 100 * (
        sum(p["completed_investment"] for p in key) / sum(p["annual_plan_investment"] for p in key)
    )
    major = [p for p in projects if p["major_upgrade"]]
    e["major_upgrade_plan_completion"] = 100 * (
        sum(p["completed_investment"] for p in major)
        / sum(p["annual_plan_investment"] for p in major)
    )
    e["attracted_projects_100m"] = sum(
        p["kind"] == "招引项目"
        and _this_year(p["start_date"], year, end)
        and p["planned_investment"] >= 1e8
        for p in projects
    )
    for indicator, kind in AWARD_KINDS.items():
        e[indicator] = sum(
            a["kind"] == kind and _this_year(a["approved_date"], year, end) for a in awards
        )
    stages = {"辅导备案", "申报", "过会", "上市"}
    steps = [x for x in events if x["event"] in stages]
    named = _named(year)
    if "listing_candidates" in named:  # the candidates with a step; else every firm with one
        e["listing_pipeline"] = sum(
            any(x["credit_code"] == c.get("credit_code") or x["name"] == c["name"] for x in steps)
            for c in named["listing_candidates"]
        )
    else:
        e["listing_pipeline"] = len({x["credit_code"] for x in steps})
    progress = _records(sources.progress, year, month)
    if progress:  # the firms of a visit list with a visit dated by now; measures done
        for indicator, (list_id, group) in VISITS.items():
            seen = {
                r["credit_code"]
                for r in progress
                if r["item_list"] == group and pd.notna(r["done_date"]) and r["done_date"] <= end
            }
            e[indicator] = sum(f["credit_code"] in seen for f in named[list_id])
        ids = {m["id"] for m in named["recognition_measures"]}
        e["recognition_measures_done"] = sum(
            r["item_id"] in ids and r["done"] is True for r in progress
        )
    e["equity_financing"] = sum(x["amount"] for x in events if x["event"] == "股权融资") / 1e4
    for indicator in SUMMED_RETURNS:
        e[indicator] = sum(r["value"] for r in returned if r["indicator"] == indicator)
    for indicator, department in RATE_RETURNS.items():
        (e[indicator],) = [
            r["value"]
            for r in returned
            if r["indicator"] == indicator and r["department"] == department
        ]
    return e


@pytest.mark.parametrize("quarter", [1, 3])
def test_every_measured_indicator_matches_an_independent_computation(city, quarter):
    panel, sources = city
    card = _quarter_data(panel, sources, Period(YEAR, 3 * quarter)).scorecard()
    actual = card.set_index("indicator")["actual"]
    for indicator, value in expected(panel, sources, YEAR, 3 * quarter).items():
        assert actual[indicator] == pytest.approx(value), indicator


def test_every_plan_has_an_indicator_computed_from_data_and_none_is_dropped(city):
    panel, sources = city
    card = _quarter_data(panel, sources, Period(YEAR, 9)).scorecard()
    assert len(card) == len(params.indicators())
    assert set(card.loc[card["actual"].notna(), "plan"]) == set(range(1, 11))
    assert card["actual"].notna().all()  # the generated city reports everything


def test_upgrade_investment_is_projected_by_last_years_seasonal_share(city):
    panel, sources = city
    card = _quarter_data(panel, sources, Period(YEAR, 9)).scorecard().set_index("indicator")
    done = {m: expected(panel, sources, YEAR - 1, m)["upgrade_investment"] for m in (9, 12)}
    share = done[9] / done[12]
    now = expected(panel, sources, YEAR, 9)["upgrade_investment"]
    projection = now / share if 0.375 <= share <= 1.0 else now / 0.75
    assert card.at["upgrade_investment", "projected"] == pytest.approx(projection)
    assert math.isnan(card.at["key_projects", "projected"])  # counts are not projected


def test_quarter_paths_hold_each_quarters_scorecard_for_both_years(city):
    panel, sources = city
    paths = history.indicator_paths(_quarter_data(panel, sources, Period(YEAR, 9)))
    seen = set(zip(paths["year"], paths["month"], strict=True))
    assert seen == {(YEAR - 1, m) for m in (3, 6, 9, 12)} | {(YEAR, m) for m in (3, 6, 9)}
    paths = paths.set_index(["indicator", "year", "month"])
    for year, month in [(YEAR - 1, 6), (YEAR - 1, 12), (YEAR, 6)]:
        for indicator, value in expected(panel, sources, year, month).items():
            assert paths.at[(indicator, year, month), "actual"] == pytest.approx(value)
    assert math.isnan(paths.at[("key_projects", YEAR - 1, 12), "progress"])
    assert paths.at[("upgrade_investment", YEAR, 6), "expected_progress"] == 0.5
    june = pd.Timestamp(YEAR, 6, 30)
    key = [p for p in _records(sources.projects, YEAR, 6) if p["kind"] == "重点项目"]
    due = sum(
        (p["planned_start_date"] if pd.notna(p["planned_start_date"]) else p["start_date"]) <= june
        for p in key
    )
    assert paths.at[("key_projects", YEAR, 6), "expected_progress"] == pytest.approx(due / 88)
    assert math.isnan(paths.at[("approval_reduction_ratio", YEAR, 3), "expected_progress"])
