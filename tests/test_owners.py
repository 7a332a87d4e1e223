"""Each owner's part of a jointly owned indicator (the ten measures, each carried out by
one department and returned item by item), and a department whose return is missing, on
a generated city's real workbooks read by the intake."""

import shutil

import pytest

from analysis.config import PARAMS_DIR
from analysis.intake.ingest import ingest
from analysis.intake.periods import Period
from analysis.judgement import NOT_REPORTED
from analysis.measures import products, store
from analysis.run.runner import cache_dir
from tests.conftest import workbook_rows

Q = Period(2026, 9)
GONE = "体育局"


def _products(raw, cache):
    data = store.period_data(ingest(raw, PARAMS_DIR, cache), Q)
    return products.Products(Q, None, None, data=data)


@pytest.fixture(scope="module")
def two_cities(report, tmp_path_factory):
    """The same city (the shared report's, whose raw folder is only read here) read whole,
    and with one department's 1-9月 return deleted; the files the report's run parsed are
    taken from a copy of its intake cache (cache.py), the others parsed here."""
    root = tmp_path_factory.mktemp("owners")
    raw, cache = report.paths.raw, root / "cache"
    shutil.copytree(cache_dir(report.paths), cache)
    shutil.copytree(raw, root / "copy")
    [return_file] = (root / "copy" / "部门报表").glob(f"2026年1-9月{GONE}*.xlsx")
    return_file.unlink()
    return _products(raw, cache), _products(root / "copy", cache), raw


def _statuses(p) -> dict[tuple[str, str], str]:
    rows = p.table("by_department")
    return dict(
        zip(zip(rows["department"], rows["indicator"], strict=True), rows["status"], strict=True)
    )


def test_a_missing_return_is_named_and_only_its_department_changes(two_cities):
    whole, missing, _ = two_cities
    before, after = _statuses(whole), _statuses(missing)
    changed = {key for key in before if before[key] != after[key]}
    assert changed == {(GONE, "recognition_measures_done")}
    assert after[(GONE, "recognition_measures_done")] == NOT_REPORTED
    state = missing.table("return_status").set_index("department")
    assert state.at[GONE, "state"] == "未报送"
    assert whole.table("return_status").set_index("department").at[GONE, "state"] == "已报送"
    card = missing.table("scorecard").set_index("indicator")
    items = whole.table("items")
    (measure,) = items.loc[
        (items["list"] == "recognition_measures") & (items["owner"] == GONE), "item"
    ]
    before = whole.table("scorecard").set_index("indicator")
    said = before.at["recognition_measures_done", "unreported_items"]
    lacking = [*(said.partition("：")[2].split("、") if said else []), measure]
    unreported = card.at["recognition_measures_done", "unreported_items"]
    assert unreported.partition("：")[0] == f"{len(lacking)}项未报送"
    assert set(unreported.partition("：")[2].split("、")) == set(lacking)


def test_each_department_sees_its_own_figure_as_its_return_states_it(two_cities):
    whole, _, raw = two_cities
    own = {}  # the ten measures done, read back from the workbooks with openpyxl
    for path in (raw / "部门报表").glob("2026年1-9月*.xlsx"):
        department = path.name.removeprefix("2026年1-9月").split("工作")[0]
        for rows in workbook_rows(path).values():
            for row in rows:
                if row and isinstance(row[1], str) and row[1].startswith("CJ-"):
                    own[department] = own.get(department, 0.0) + (row[3] == "已完成")
    parts = whole.table("department_parts")
    parts = parts[parts["indicator"] == "recognition_measures_done"].set_index("department")
    assert parts["own_actual"].dropna().to_dict() == own
    card = whole.table("scorecard").set_index("indicator")
    assert card.at["recognition_measures_done", "actual"] == sum(own.values())
    shares = {
        "经信局": 3,
        "组织部": 2,
        "卫生局": 1,
        "文广新局": 1,
        "体育局": 1,
        "宣传部": 1,
        "总工会": 1,
    }
    for department, part in shares.items():  # targets.yaml's split of the ten measures
        if department not in own:  # its one measure is not in its latest return
            assert parts.at[department, "own_status"] == NOT_REPORTED
            continue
        assert parts.at[department, "own_target"] == part
        done = own[department] >= part
        assert (parts.at[department, "own_status"] == "已完成") == done, department
