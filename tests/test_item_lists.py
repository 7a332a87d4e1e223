"""The named lists of firms to visit, listing candidates, measures and milestones, item by
item: each list-level figure of scorecard.csv recounted from the workbooks (openpyxl) and
params/lists.yaml (yaml), and a firm's visit row deleted from a copy of the 经信局 workbook
that went through LibreOffice."""

import datetime
import shutil
import subprocess

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis.config import PARAMS_DIR
from analysis.intake.ingest import ingest
from analysis.intake.periods import Period
from analysis.measures import products, store
from tests.conftest import require_program, small_city, workbook_rows

END = datetime.datetime(2026, 9, 30)
STAGES = ["辅导备案", "申报", "过会", "上市"]
LIST_FIGURES = {  # the list behind each indicator computed from its items
    "key_firm_visits": "key_firms",
    "growth_firm_visits": "growth_firms",
    "listing_pipeline": "listing_candidates",
    "recognition_measures_done": "recognition_measures",
}


def _lists() -> dict[str, list[dict]]:
    """params/lists.yaml's 2026 items by list, read as plain YAML."""
    text = (PARAMS_DIR / "lists.yaml").read_text(encoding="utf-8")
    return {named["id"]: named["items"].get(2026, []) for named in yaml.safe_load(text)["lists"]}


def _sheet_rows(raw, folder: str, marker: str) -> list[dict]:
    """Every row under the header holding `marker`, of every 2026年1-9月 workbook of
    `folder`, with the sending department."""
    rows = []
    for path in sorted((raw / folder).glob("2026年1-9月*.xlsx")):
        for values in workbook_rows(path).values():
            header = next((r for r in values if r and marker in r), None)
            if header is None:
                continue
            for row in values[values.index(header) + 1 :]:
                if row and row[0] is not None and not str(row[0]).startswith("注"):
                    rows.append(dict(zip(header, row, strict=False)) | {"file": path.name})
    return rows


def _recount(raw) -> dict[str, dict[str, str]]:
    """Each list's item statuses at 1-9月, from the workbooks and the YAML alone."""
    lists = _lists()
    ledger = _sheet_rows(raw, "部门报表", "走访日期")
    found = {}
    for list_id, group in (("key_firms", "重点企业"), ("growth_firms", "成长型企业")):
        mine = [r for r in ledger if r["企业类别"] == group]
        for firm in lists[list_id]:
            rows = [r for r in mine if firm["credit_code"] in (r["统一社会信用代码"],)]
            visited = any(r["走访日期"] and r["走访日期"] <= END for r in rows)
            status = "本期未报送" if not rows else "已完成" if visited else "推进中"
            found.setdefault(list_id, {})[firm["name"]] = status
    events = _sheet_rows(raw, "金融办", "事项")
    for firm in lists["listing_candidates"]:
        steps = [
            STAGES.index(r["事项"]) + 1
            for r in events
            if r["事项"] in STAGES
            and (r["统一社会信用代码"] == firm["credit_code"] or r["企业名称"] == firm["name"])
            and datetime.datetime(2026, 1, 1) <= r["日期"] <= END
        ]
        goal = STAGES.index(firm.get("stage", "辅导备案")) + 1
        late = firm.get("due_month") and firm["due_month"] <= 9
        status = "本期未报送" if not steps else "已完成" if max(steps) >= goal else "推进中"
        found.setdefault("listing_candidates", {})[firm["name"]] = (
            "逾期未完成" if status == "推进中" and late else status
        )
    progress = {r["事项编号"]: r for r in _sheet_rows(raw, "部门报表", "事项编号")}
    for measure in lists["recognition_measures"]:
        row = progress.get(measure["id"])
        due = measure.get("due_month")
        status = (
            "本期未报送" if row is None else
            "已完成" if row["完成情况"] == "已完成" else
            "逾期未完成" if due and due <= 9 else "推进中"
        )  # fmt: skip
        found.setdefault("recognition_measures", {})[measure["name"]] = status
    return found


def test_each_list_figure_of_the_scorecard_is_a_recount_of_the_workbooks(report):
    folder, raw = report.internal.folder, report.paths.raw
    card = pd.read_csv(folder / "scorecard.csv", encoding="utf-8-sig").set_index("indicator")
    items = pd.read_csv(folder / "items.csv", encoding="utf-8-sig", dtype={"item_id": str})
    recount = _recount(raw)
    for indicator, list_id in LIST_FIGURES.items():
        mine = items[items["list"] == list_id]
        assert dict(zip(mine["item"], mine["status"], strict=True)) == recount[list_id], list_id
        statuses = pd.Series(recount[list_id])
        if indicator == "listing_pipeline":  # candidates with a step toward listing this year
            expected = int((statuses != "本期未报送").sum())
        else:  # firms visited, measures done
            expected = int((statuses == "已完成").sum())
        assert card.at[indicator, "actual"] == expected, indicator
        counted = mine["in_return"] & (mine["actual"] > 0)  # and the items' own sum
        assert card.at[indicator, "actual"] == counted.sum(), indicator
        missing = statuses.index[statuses == "本期未报送"]
        named = f"{len(missing)}项未报送：{'、'.join(missing)}" if len(missing) else ""
        assert (card.at[indicator, "unreported_items"] if named else "") == named or (
            pd.isna(card.at[indicator, "unreported_items"]) and not named
        )
    for status in ("已完成", "推进中", "本期未报送"):  # the sample shows them all
        assert (items["status"] == status).any(), status


def test_measures_are_public_by_name_and_firms_to_visit_only_as_counts(report):
    lists = _lists()
    public = (report.public.folder / "08_reform_people.html").read_text(encoding="utf-8")
    internal = report.internal.folder / "firms.xlsx"
    rows = workbook_rows(internal)["点名项目和企业"]
    listed = {cell for row in rows for cell in row if isinstance(cell, str)}
    for measure in lists["recognition_measures"][:9]:  # the tenth the return leaves out
        assert measure["name"] in public
    for firm in lists["key_firms"] + lists["growth_firms"]:
        assert firm["name"] in listed  # in full in the internal edition's firms.xlsx
        assert firm["name"] not in public
    assert "企业数" in public
    card = pd.read_csv(report.public.folder / "scorecard.csv", encoding="utf-8-sig")
    unreported = card.set_index("indicator").at["key_firm_visits", "unreported_items"]
    assert unreported == "1项未报送"  # counted, not named


def _products(raw):
    q = Period(2026, 9)
    return products.Products(q, None, None, data=store.period_data(ingest(raw), q))


@pytest.fixture(scope="module")
def two_cities(tmp_path_factory):
    """A city read whole, and a copy whose 经信局 1-9月 workbook went through LibreOffice
    and then lost one key firm's only visit row (deleted with openpyxl, as an office
    would); the firm, once visited by the end of September."""
    require_program(shutil.which("soffice") is not None, "LibreOffice (soffice) is absent")
    root = tmp_path_factory.mktemp("item_lists")
    small_city(root, seed=29)
    shutil.copytree(root / "raw", root / "copy")
    (path,) = (root / "copy" / "部门报表").glob("2026年1-9月经信局*.xlsx")
    profile = f"-env:UserInstallation=file://{root / 'profile'}"
    converted = root / "converted"
    subprocess.run(
        ["soffice", "--headless", "--norestore", profile, "--convert-to", "xlsx",
         "--outdir", str(converted), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    book = openpyxl.load_workbook(converted / path.name)
    sheet = book["企业走访"]
    rows = [r for r in sheet.iter_rows() if r[1].value == "重点企业"]
    names = [r[3].value for r in rows]
    gone = next(r for r in rows if names.count(r[3].value) == 1 and r[4].value is not None)
    name = gone[3].value
    sheet.delete_rows(gone[0].row)
    book.save(path)
    return _products(root / "raw"), _products(root / "copy"), name


def test_a_firm_missing_from_the_visit_ledger_is_not_reported_and_nothing_else_changes(
    two_cities,
):
    whole, missing, name = two_cities
    before = whole.table("items").set_index(["list", "item"])
    after = missing.table("items").set_index(["list", "item"])
    gone = ("key_firms", name)
    assert before.loc[gone, "status"] == "已完成"
    assert after.loc[gone, "status"] == "本期未报送" and not after.loc[gone, "in_return"]
    others = before.index.drop(gone)
    kept = ["status", "actual", "target", "in_return", "matched_by", "note"]
    pd.testing.assert_frame_equal(before.loc[others, kept], after.loc[others, kept])
    card_before = whole.table("scorecard").set_index("indicator")
    card_after = missing.table("scorecard").set_index("indicator")
    lacking = after.loc["key_firms"].index[after.loc["key_firms", "status"] == "本期未报送"]
    assert len(lacking) == 1 + (before.loc["key_firms", "status"] == "本期未报送").sum()
    named = f"{len(lacking)}项未报送：{'、'.join(lacking)}"
    assert card_after.at["key_firm_visits", "unreported_items"] == named
    visits = "key_firm_visits", "actual"
    assert card_after.at[visits] == card_before.at[visits] - 1
    rest = card_before.index.drop("key_firm_visits")
    shown = ["actual", "projected", "status", "unreported_items"]
    pd.testing.assert_frame_equal(card_before.loc[rest, shown], card_after.loc[rest, shown])


def test_a_measure_is_done_late_overdue_or_at_year_end_not_done():
    from types import SimpleNamespace

    from analysis.intake.sources import PROGRESS_COLUMNS
    from analysis.items import judging, lists

    named = lists.items(PARAMS_DIR, 2026)
    named = named[named["list"] == "recognition_measures"].head(3)  # due 6, due 3, none
    progress = pd.DataFrame(
        [
            ("经信局", None, "CJ-01", None, "评选表彰优秀企业家", True, pd.Timestamp(2026, 8, 2)),
            ("经信局", None, "CJ-02", None, "建立市级领导联系重点企业制度", False, pd.NaT),
            ("经信局", None, "CJ-03", None, "邀请企业家列席市政府有关会议", None, pd.NaT),
        ],
        columns=PROGRESS_COLUMNS[:7],
    ).reindex(columns=PROGRESS_COLUMNS)
    indicator = SimpleNamespace(id="x", name="x", plan=10, measure=None, departments=["经信局"])

    def judged(month):
        table = judging.progress_items(indicator, named, progress, Period(2026, month))[0]
        return list(table["status"]), list(table["note"])

    statuses, notes = judged(9)
    assert statuses == ["已完成", "逾期未完成", "推进中"]
    assert notes[0] == "2026-08-02完成，逾期（应于6月底前）"
    assert judged(2)[0] == ["推进中", "推进中", "推进中"]  # nothing due, nothing done yet
    assert judged(12)[0] == ["已完成", "未完成", "未完成"]  # at 1-12月: done or not
