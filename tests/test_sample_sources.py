"""The sample city's projects, awards, financing and returns: plausible, deterministic,
tied to the panel's firms, and written in the layouts the intake reads back exactly."""

import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.intake.ingest import ingest
from analysis.intake.sources import Sources
from analysis.sample import city as sample
from analysis.sample.sheets import PROJECT_HEADER, write_sources
from analysis.sample.sources import generate_sources

YEAR = 2026


@pytest.fixture(scope="module")
def full_year():
    """The bundled city's size, through Q4 of this year, so yearly totals can be checked."""
    panel = sample.generate_city(firms=400, seed=2026, year=YEAR, month=12)
    return panel, generate_sources(panel)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    panel = sample.generate_city(firms=40, seed=11, year=YEAR, month=6)
    sources = generate_sources(panel)
    raw = tmp_path_factory.mktemp("raw")
    paths = write_sources(sources, raw)
    return panel, sources, raw, paths


def _at(table, year, month):
    return table[(table["year"] == year) & (table["month"] == month)]


def test_the_same_panel_gives_the_same_sources_and_a_seed_changes_them(small):
    panel, sources, _, _ = small
    again = generate_sources(panel)
    for name in ("projects", "platforms", "financing", "returns"):
        pd.testing.assert_frame_equal(getattr(sources, name), getattr(again, name))
    other = generate_sources(panel, seed=1)
    assert not other.projects["planned_investment"].equals(sources.projects["planned_investment"])


def test_every_period_of_the_panel_is_reported_by_every_office(small):
    panel, sources, _, _ = small
    periods = set(zip(panel["year"], panel["month"], strict=True))
    for name in ("projects", "platforms", "financing", "returns"):
        table = getattr(sources, name)
        assert set(zip(table["year"], table["month"], strict=True)) == periods, name


def test_firms_are_the_panels_own(small):
    panel, sources, _, _ = small
    for name in ("projects", "platforms", "financing"):
        table = getattr(sources, name)
        for year, rows in table.groupby("year"):
            year_firms = panel[panel["year"] == year]
            firms = set(zip(year_firms["credit_code"], year_firms["name"], strict=True))
            assert set(zip(rows["credit_code"], rows["name"], strict=True)) <= firms, name


def test_cumulative_figures_never_fall_within_a_year(small):
    _, sources, _, _ = small
    completed = sources.projects.pivot_table(
        index="project_id", columns="month", values="completed_investment"
    )
    assert (completed.diff(axis=1).fillna(0) >= 0).all().all()
    counts = sources.returns[~sources.returns["indicator"].str.contains("ratio|reduction")]
    by_month = counts.pivot_table(
        index=["year", "department", "indicator"], columns="month", values="value"
    )
    assert (by_month.diff(axis=1).fillna(0) >= 0).all().all()
    assert (sources.projects["completed_investment"] % 100 == 0).all()


def test_this_years_programme_is_near_its_targets(full_year):
    _, sources = full_year
    projects = _at(sources.projects, YEAR, 12)
    key = projects[projects["kind"] == "重点项目"]
    assert len(key) == 88
    assert 200e8 <= key["planned_investment"].sum() <= 215e8
    major = projects[projects["major_upgrade"]]
    assert len(major) == 16
    assert {"福喜农牧扩建项目", "黄海汽配扩规项目", "佰德信汽车尾气催化剂项目"} <= set(
        major["project_name"]
    )
    upgrade = projects.loc[projects["kind"] == "技改项目", "completed_investment"].sum()
    assert 28e8 <= upgrade <= 42e8
    late = projects["completed_investment"] < projects["annual_plan_investment"]
    assert late.sum() >= 10  # some projects fall short of their annual plan
    attracted = projects[
        (projects["kind"] == "招引项目")
        & (projects["start_date"].dt.year == YEAR)
        & (projects["planned_investment"] >= 1e8)
    ]
    assert 10 <= len(attracted) <= 15
    financing = _at(sources.financing, YEAR, 12)
    equity = financing[financing["event"] == "股权融资"]
    assert set(equity["name"]) == {"金牌饲料有限公司", "黄海汽车配件有限公司", "中机模具有限公司"}
    assert 7000e4 <= equity["amount"].sum() <= 12000e4
    listing = financing[financing["event"] != "股权融资"]
    assert 11 <= listing["credit_code"].nunique() <= 14
    platforms = _at(sources.platforms, YEAR, 12)
    assert 10 <= (platforms["kind"] == "产学研合作项目").sum() <= 20
    returns = _at(sources.returns, YEAR, 12)
    assert {"经信局", "物价局", "行政服务中心", "人社局", "组织部"} <= set(returns["department"])
    progress = _at(sources.progress, YEAR, 12)  # the named lists, item by item
    assert {"经信局", "经合局", "金融办", "发改局"} <= set(progress["department"])
    visits = progress[progress["item_list"].notna()]
    firms = visits.groupby("item_list")["name"].nunique().to_dict()
    assert firms == {"重点企业": 29, "成长型企业": 20}  # one left out of the latest ledger


def test_workbooks_carry_title_unit_line_header_dates_and_text_codes(small):
    _, sources, raw, paths = small
    path = raw / "项目办" / f"{YEAR}年1-6月重点项目及技改项目进展.xlsx"
    assert path in paths
    ws = openpyxl.load_workbook(path)["项目"]
    assert ws["A1"].value.startswith(f"{YEAR}年1-6月")
    assert "填报单位：" in ws["A2"].value and "单位：万元" in ws["A2"].value
    assert [c.value for c in ws[3]] == list(PROJECT_HEADER)
    first = _at(sources.projects, YEAR, 6).sort_values("project_id").iloc[0]
    row = [c.value for c in ws[4]]
    assert row[1] == first["project_id"] and isinstance(row[5], str)
    assert row[8] == pytest.approx(first["planned_investment"] / 1e4)
    assert isinstance(row[11], datetime.datetime)
    assert ws.cell(row=ws.max_row, column=1).value.startswith("注：")
    departments = {p.name for p in (raw / "部门报表").iterdir()}
    assert f"{YEAR}年1-6月人社局工作进展.xlsx" in departments
    book = openpyxl.load_workbook(raw / "部门报表" / f"{YEAR}年1-6月经信局工作进展.xlsx")
    assert book.sheetnames == ["进展", "事项进展", "企业走访"]  # figures, measures, visits
    assert [c.value for c in book["企业走访"][3]][1:5] == [
        "企业类别",
        "统一社会信用代码",
        "企业名称",
        "走访日期",
    ]


def _attracted_outside(projects: pd.DataFrame) -> pd.Series:
    """Attracted projects (招引项目) whose start date falls before January of their list's
    year or after the list's month: the generator lists signed projects before they start."""
    dates = pd.to_datetime(projects["start_date"])
    starts = pd.to_datetime(dict(year=projects["year"], month=1, day=1))
    ends = pd.to_datetime(dict(year=projects["year"], month=projects["month"], day=1))
    ends += pd.offsets.MonthEnd(0)
    return (projects["kind"] == "招引项目") & ((dates < starts) | (dates > ends))


def test_the_intake_reads_the_sample_city_back_to_the_same_tables(small, tmp_path):
    panel, sources, _, _ = small
    sample.write_city(panel, tmp_path)
    read = Sources.from_intake(ingest(tmp_path))
    keys = {
        "projects": ["project_id", "year", "month"],
        "platforms": ["credit_code", "kind", "title", "year", "month"],
        "financing": ["credit_code", "event", "event_date", "year", "month"],
        "returns": ["department", "indicator", "year", "month"],
        "progress": ["department", "item_list", "item_id", "name", "done_date", "year", "month"],
    }
    for name, key in keys.items():
        truth = getattr(sources, name)
        if name == "projects":  # attracted projects dated outside their period: quarantined
            truth = truth[~_attracted_outside(truth)]
        truth = truth.sort_values(key).reset_index(drop=True)
        got = getattr(read, name).sort_values(key).reset_index(drop=True)[truth.columns]
        assert len(got) == len(truth), name
        for column in truth.columns:
            if truth[column].dtype.kind == "f":
                np.testing.assert_allclose(got[column], truth[column], rtol=1e-12, err_msg=column)
            elif truth[column].dtype.kind == "M":
                same = (got[column] == truth[column]) | (got[column].isna() & truth[column].isna())
                assert same.all(), column
            else:
                expected = truth[column].astype(object).where(truth[column].notna(), "")
                actual = got[column].astype(object).where(got[column].notna(), "")
                assert (actual == expected).all(), f"{name}.{column}"
