"""The named lists item by item (逐个), on a generated city's real workbooks read by the
intake, against figures read from the same workbooks with openpyxl."""

import datetime
import shutil

import openpyxl
import pandas as pd
import pytest

from analysis.intake.ingest import ingest
from analysis.intake.periods import Period
from analysis.items.judging import NOT_REPORTED_ITEM
from analysis.measures import products, store
from tests.conftest import first_sheet_rows, small_city

Q = Period(2026, 9)
GONE = "2026-ZD-005"


def _products(raw):
    data = store.period_data(ingest(raw), Q)
    return products.Products(Q, None, None, data=data)


def _project_rows(raw) -> list[dict]:
    (path,) = (raw / "项目办").glob("2026年1-9月*.xlsx")
    rows = first_sheet_rows(path)
    header = next(r for r in rows if r and "项目名称" in r)
    table = [dict(zip(header, r, strict=False)) for r in rows[rows.index(header) + 1 :]]
    return [r for r in table if r.get("项目编号")]


@pytest.fixture(scope="module")
def two_cities(tmp_path_factory):
    """The same city read whole, and with one key project's row deleted from its 1-9月
    project list (openpyxl, as an office would edit it)."""
    root = tmp_path_factory.mktemp("items")
    small_city(root, seed=23)
    shutil.copytree(root / "raw", root / "copy")
    (path,) = (root / "copy" / "项目办").glob("2026年1-9月*.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    row = next(r[0].row for r in sheet.iter_rows() if r[1].value == GONE)
    sheet.delete_rows(row)
    book.save(path)
    return _products(root / "raw"), _products(root / "copy"), root / "raw"


def test_an_item_missing_from_its_return_is_not_reported_and_nothing_else_changes(two_cities):
    whole, missing, raw = two_cities
    before = whole.table("items").set_index(["list", "item_id"])
    after = missing.table("items").set_index(["list", "item_id"])
    assert after.loc[("key_projects", GONE), "status"] == NOT_REPORTED_ITEM
    assert not after.loc[("key_projects", GONE), "in_return"]
    assert before.loc[("key_projects", GONE), "in_return"]
    others = before.index.drop(("key_projects", GONE))
    pd.testing.assert_frame_equal(before.loc[others], after.loc[others])
    card_before = whole.table("scorecard").set_index("indicator")
    card_after = missing.table("scorecard").set_index("indicator")
    name = before.loc[("key_projects", GONE), "item"]
    for indicator in ("key_projects", "key_projects_plan_completion"):
        assert card_after.at[indicator, "unreported_items"] == f"1项未报送：{name}"
        assert card_before.at[indicator, "unreported_items"] == ""
    started = before.loc[("key_projects", GONE), "started"]
    assert (
        card_after.at["key_projects", "actual"]
        == card_before.at["key_projects", "actual"] - started
    )
    rest = card_before.index.drop(["key_projects", "key_projects_plan_completion"])
    kept = ["actual", "projected", "status"]
    pd.testing.assert_frame_equal(card_before.loc[rest, kept], card_after.loc[rest, kept])


def test_each_project_item_and_the_list_totals_match_a_recount_of_the_workbook(two_cities):
    whole, _, raw = two_cities
    rows = {r["项目编号"]: r for r in _project_rows(raw)}
    end, elapsed, band = datetime.datetime(2026, 9, 30), 9 / 12, 0.02
    items = whole.table("items")
    key = items[items["list"] == "key_projects"]
    assert len(key) == 88 and key["in_return"].all()
    for item in key.itertuples():
        row = rows[item.item_id]
        assert item.target == pytest.approx(row["本年计划投资"])  # 万元, as written
        assert item.actual == pytest.approx(row["本年累计完成投资"])
        began, due = row["开工时间"] <= end, row["计划开工时间"] <= end
        if due and not began:
            expected = "滞后"
        elif not began:
            expected = "推进中"
        else:
            share = row["本年累计完成投资"] / row["本年计划投资"]
            expected = (
                "超序时进度" if share > elapsed + band else
                "达到序时进度" if share >= elapsed - band else "滞后"
            )  # fmt: skip
        assert item.status == expected, item.item_id
    card = whole.table("scorecard").set_index("indicator")
    done = sum(r["本年累计完成投资"] for r in rows.values() if r["项目类别"] == "重点项目")
    plan = sum(r["本年计划投资"] for r in rows.values() if r["项目类别"] == "重点项目")
    assert card.at["key_projects_plan_completion", "actual"] == pytest.approx(100 * done / plan)
    assert card.at["key_projects", "actual"] == key["started"].sum()
    assert card.at["key_projects_plan_completion", "actual"] == pytest.approx(
        100 * key["actual"].sum() / key["target"].sum()
    )  # the list's figure is its items' sum
    majors = items[items["list"] == "major_upgrades"]
    assert card.at["major_upgrade_projects", "actual"] == majors["started"].sum()
    equity = items[items["list"] == "equity_firms"]
    assert card.at["equity_financing", "actual"] == pytest.approx(equity["actual"].sum())


def test_a_list_matches_by_id_then_by_name_and_shows_how(two_cities):
    whole, _, raw = two_cities
    items = whole.table("items")
    key = items[items["list"] == "key_projects"]
    assert set(key["matched_by"]) == {"编号"}  # the generated city's names differ from the list's
    named = key[key["item"] != key["reported_name"]]
    assert len(named)  # each such match is shown with the name the return gives
    equity = items[items["list"] == "equity_firms"]
    found = equity[equity["in_return"]]
    assert len(found) and set(found["matched_by"]) <= {"信用代码", "名称"}
    assert (equity.loc[~equity["in_return"], "status"] == NOT_REPORTED_ITEM).all()
