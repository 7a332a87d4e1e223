"""Every figure that leaves the bureau in the unit its header states: scorecard.csv, the
bulletin workbook, items.csv and the scorecard's page table, each checked against the
period's products recomputed from the processed intake (issue 23's output audit)."""

import re
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest

from analysis.config import PARAMS_DIR
from analysis.measures import store

COUNTS = {"家", "个", "项", "期", "人", "人次", "次"}
TO_WAN = {"亿元": 1e4, "万元": 1.0, "元": 1e-4}


@pytest.fixture(scope="module")
def audit(report):
    folder = report.internal.folder
    data = store.load_period(2026, 9, report.paths.processed, PARAMS_DIR)
    card = data.scorecard().set_index("indicator")
    return folder, card


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def test_scorecard_csv_states_each_figure_in_its_unit(audit):
    folder, card = audit
    written = pd.read_csv(folder / "scorecard.csv", encoding="utf-8-sig", dtype=str)
    assert len(written) == len(card)
    for row in written.itertuples():
        for column in ("target", "actual", "projected"):
            text = getattr(row, column)
            if pd.isna(text):
                assert pd.isna(card.at[row.indicator, column]), (row.indicator, column)
                continue
            digits = 0 if row.unit in COUNTS else 1 if row.unit == "%" else 2
            assert _decimals(text) <= digits, (row.indicator, column, text)  # 16, not 16.0
            assert float(text) == pytest.approx(
                card.at[row.indicator, column], abs=0.51 * 10**-digits
            )
        if pd.notna(row.progress):  # in percent: 78.3, not 0.783
            assert float(row.progress) == pytest.approx(
                100 * card.at[row.indicator, "progress"], abs=0.05
            )
        if pd.notna(row.expected_progress):
            share = card.at[row.indicator, "expected_progress"]
            assert float(row.expected_progress) == pytest.approx(100 * share, abs=0.05)


def test_the_bulletin_workbook_states_money_in_wan_and_rates_as_percentages(audit):
    folder, card = audit
    book = openpyxl.load_workbook(folder / "bulletin.xlsx")
    names = card.reset_index().set_index("name")
    seen = 0
    for sheet in book.worksheets[1:]:
        header = [c.value for c in sheet[3]]
        at = {h: i for i, h in enumerate(header)}
        for cells in sheet.iter_rows(min_row=4):
            name, unit = cells[at["指标"]].value, cells[at["单位"]].value
            row = names.loc[name]
            actual = cells[at["完成（合计）"]]
            if pd.isna(row["actual"]):
                assert actual.value is None
                continue
            seen += 1
            if row["unit"] in TO_WAN:  # 七大主导产业营业收入 221.80亿元 is 2,218,038.86万元
                assert unit == "万元" and actual.number_format == "#,##0.00"
                assert actual.value == pytest.approx(row["actual"] * TO_WAN[row["unit"]])
            elif row["unit"] == "%":  # 10.0% is 0.100 shown as a percentage
                assert unit == "%" and actual.number_format == "0.0%"
                assert actual.value == pytest.approx(row["actual"] / 100)
            else:
                assert unit == row["unit"] and actual.number_format == "#,##0"
                assert actual.value == pytest.approx(row["actual"])
            schedule = cells[at["序时进度"]]
            if schedule.value is not None:  # a share shown as a percentage, never 0.8333 bare
                assert schedule.number_format == "0.0%" and 0 < schedule.value <= 1
    assert seen >= 40  # every owner's rows of every indicator with data


def test_items_csv_holds_amounts_in_wan_to_the_fen(audit, report):
    folder, _ = audit
    items = pd.read_csv(folder / "items.csv", encoding="utf-8-sig", dtype=str)
    # amounts in 万元, visits 次, measures 项, listing stages 阶段; a firm's own listing goal
    # (list firm_goals) is a step, with no figure
    steps = items["unit"] == "上市步骤"
    assert set(items.loc[~steps, "unit"]) == {"万元", "次", "项", "阶段"}
    assert set(items.loc[steps, "list"]) <= {"firm_goals"}
    assert items.loc[steps, ["target", "actual"]].isna().all().all()
    for column in ("target", "actual"):
        assert all(_decimals(v) <= 2 for v in items[column].dropna())
        counted = items.loc[items["unit"] != "万元", column].dropna().astype(float)
        assert (counted == counted.round()).all()  # visits, measures and stages are whole
    assert set(items["in_return"]) <= {"True", "False"}


class _Rows(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._cell = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def test_the_scorecard_page_shows_each_figure_in_its_unit(audit):
    folder, card = audit
    parser = _Rows()
    parser.feed((folder / "03_scorecard.html").read_text(encoding="utf-8"))
    header = next(r for r in parser.rows if r[:4] == ["计划", "指标", "单位", "年度目标"])
    rows = [dict(zip(header, r, strict=False)) for r in parser.rows if len(r) == len(header)]
    names = card.reset_index().set_index("name")
    checked = 0
    for row in rows:
        if row["指标"] not in names.index or row["完成"] in ("—", "×"):
            continue
        figure = names.loc[row["指标"]]
        shown = float(re.sub(r"[,%]", "", row["完成"]))
        digits = {"亿元": 2, "%": 1}.get(figure["unit"], 0)  # pages: 万元 and counts whole
        assert _decimals(row["完成"].rstrip("%")) == digits, row
        assert shown == pytest.approx(figure["actual"], abs=0.51 * 10**-digits), row
        if row["完成进度"] != "—":
            assert row["完成进度"].endswith("%")
            assert float(row["完成进度"].rstrip("%")) == pytest.approx(
                100 * figure["progress"], abs=0.05
            )
        checked += 1
    assert checked >= 30
