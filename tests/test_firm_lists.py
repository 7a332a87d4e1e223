"""Long firm and project lists: a page shows the first page_list_limit rows, most urgent
first, and says how many more there are; firms.xlsx of the internal edition holds every
list in full (the shared report of tests/conftest.py); the public edition has neither.
Expected counts come from the generator's panel and the raw workbooks, not from the code."""

import re
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from analysis.report import formatting as fmt
from tests.conftest import BANDS, HOSTILE, first_sheet_rows

YEAR, MONTH, LIMIT = 2026, 9, 20  # params/thresholds.yaml: page_list_limit: 20
ELAPSED, BAND = 0.75, 0.02  # 1-9月 of the year; on_track_band
LIST_SHEETS = [
    "档位变动企业",
    "培育库",
    "隔离行",
    "按名称匹配",
    "未匹配记录",
    "未计入的企业",
    "信用代码问题",
    "修订变动",
    "多行企业",
    "投资进度滞后的项目",
    "点名项目和企业",
    "未按计划开工的项目",
    "引进项目",
    "新批平台和科技项目",
    "上市进展",
    "股权融资",
    "预警企业",
    "对号入座",
    "对号入座（全部目标）",
]
TIER_SHEETS = {  # the tiers of params/targets.yaml, named without 其中：
    "sales_ge_100m": "销售收入过1亿元工业企业",
    "sales_500m_1b": "销售收入5亿元至10亿元",
    "sales_ge_1b": "销售收入过10亿元",
    "tax_ge_10m": "纳税过1000万元工业企业",
    "tax_50m_100m": "纳税5000万元至1亿元",
    "tax_ge_100m": "纳税过1亿元",
}
POOL_HEADERS = [
    "门槛",
    "信用代码",
    "企业名称",
    "产业",
    "本期累计（万元）",
    "距门槛（万元）",
    "同比（%）",
    "全年预计（万元）",
    "研判",
]


def _raw_rows(report, office: str, header: str) -> list[dict]:
    """The rows of the period's workbook of one office, read with openpyxl as dicts."""
    (path,) = (report.paths.raw / office).glob(f"{YEAR}年1-{MONTH}月*.xlsx")
    rows = first_sheet_rows(path)
    at = next(i for i, r in enumerate(rows) if header in r)
    return [dict(zip(rows[at], r, strict=False)) for r in rows[at + 1 :] if r[0] is not None]


def _late_projects(report) -> list[dict]:
    """Key and upgrade projects whose completed investment is below 序时进度 less the band."""
    rows = _raw_rows(report, "项目办", "项目名称")
    return [
        r
        for r in rows
        if r["项目类别"] in ("技改项目", "重点项目")
        and (r["本年计划投资"] or 0) > 0
        and r["本年累计完成投资"] / r["本年计划投资"] < ELAPSED - BAND
    ]


def _awards(report) -> list[dict]:
    rows = _raw_rows(report, "科技局", "批准时间")
    start, end = datetime(YEAR, 1, 1), datetime(YEAR, MONTH, 30, 23, 59)
    dated = [r for r in rows if isinstance(r["批准时间"], datetime)]  # not the foot notes
    return [r for r in dated if start <= r["批准时间"] <= end]


def _listed(page: str, sheet: str) -> tuple[str, int]:
    """The sentence above a cut list naming `sheet`, and the rows of the table under it."""
    note = re.search(rf'<p class="list-note">[^<]*<a[^>]*>[^<]*</a>[^<]*「{sheet}」[^<]*</p>', page)
    assert note, sheet
    table = page[note.end() :].split("</table>")[0]
    return note.group(0), table.count("<tr") - 1  # less the header row


@pytest.mark.parametrize(
    "page, sheet, noun, expected",
    [
        ("05_projects.html", "投资进度滞后的项目", "个", _late_projects),
        ("06_innovation.html", "新批平台和科技项目", "项", _awards),
    ],
)
def test_a_list_longer_than_the_limit_shows_limit_rows_and_how_many_more(
    report, page, sheet, noun, expected
):
    total = len(expected(report))
    assert total > LIMIT  # the shared city has more than a page of both lists
    html = (report.internal.folder / page).read_text(encoding="utf-8")
    note, shown = _listed(html, sheet)
    assert shown == LIMIT
    assert f"共 {total:,} {noun}" in note and f"另有 {total - LIMIT:,} {noun}" in note
    assert 'href="firms.xlsx"' in note


def test_the_late_projects_page_starts_with_the_largest_shortfall(report):
    late = _late_projects(report)
    first = max(late, key=lambda r: r["本年计划投资"] * ELAPSED - r["本年累计完成投资"])
    html = (report.internal.folder / "05_projects.html").read_text(encoding="utf-8")
    note, _ = _listed(html, "投资进度滞后的项目")
    first_row = html[html.index(note) :].split("</tr>")[1]  # [0] is the header row
    assert first["项目名称"] in first_row


@pytest.fixture(scope="module")
def book(report):
    return openpyxl.load_workbook(report.internal.folder / "firms.xlsx")


def _now(report) -> pd.DataFrame:
    truth = report.truth
    return truth[(truth.year == YEAR) & (truth.month == MONTH)]


def test_the_workbook_has_a_sheet_per_list_and_per_tier(book):
    assert book.sheetnames == LIST_SHEETS + list(TIER_SHEETS.values())
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert all(isinstance(c.value, str) for c in ws[1]), ws.title  # Chinese headers


def test_every_firm_of_each_tier_is_in_its_sheet(report, book):
    now = _now(report).set_index("credit_code")
    for indicator, (measure, lower, upper) in BANDS.items():
        inside = now[(now[measure] >= lower) & (now[measure] < upper)]
        rows = list(book[TIER_SHEETS[indicator]].values)
        assert rows[0][:3] == ("信用代码", "企业名称", "产业")
        assert sorted(r[0] for r in rows[1:]) == sorted(inside.index), indicator


def test_the_pool_sheet_holds_every_firm_near_a_threshold_in_wan(report, book):
    now = _now(report)
    thresholds = {
        m: sorted({lo for mm, lo, _ in BANDS.values() if mm == m}) for m in ("revenue", "tax")
    }
    expected = sum(
        int(((now[m] >= 0.7 * lower) & (now[m] < lower)).sum())
        for m, lowers in thresholds.items()
        for lower in lowers
    )
    rows = list(book["培育库"].iter_rows(min_row=1))
    assert [c.value for c in rows[0]] == POOL_HEADERS
    assert len(rows) - 1 == expected
    hostile = next(r for r in rows[1:] if r[2].value == HOSTILE)  # text, not a formula
    assert hostile[2].data_type == "s"
    revenue = now.loc[now["name"] == HOSTILE, "revenue"].iloc[0]
    assert hostile[4].value == pytest.approx(revenue / 1e4, abs=0.005)
    assert hostile[4].number_format == "#,##0.00" and hostile[6].number_format == "0.0"


def test_the_workbook_holds_the_whole_lists_the_pages_cut(report, book):
    late = list(book["投资进度滞后的项目"].values)
    assert late[0][:3] == ("项目名称", "项目类别", "建设单位")
    assert len(late) - 1 == len(_late_projects(report))
    assert len(list(book["新批平台和科技项目"].values)) - 1 == len(_awards(report))
    quarantined = list(book["隔离行"].values)
    # the shared city's only defects: attracted projects listed before they start
    assert quarantined[1:] and [(r[0], r[2]) for r in quarantined[1:]] == _attracted_outside(report)
    assert all("不在报告期" in r[-1] for r in quarantined[1:])


def _attracted_outside(report) -> list[tuple]:
    """(file, row) of each attracted project dated outside the period of its list, read
    from every list of the project office with openpyxl."""
    found = []
    for path in sorted((report.paths.raw / "项目办").glob("*.xlsx")):
        year, month = map(int, re.match(r"(\d{4})年1-(\d{1,2})月", path.name).groups())
        start = datetime(year, 1, 1)
        end = datetime(year + month // 12, month % 12 + 1, 1)  # the first day after the period
        rows = first_sheet_rows(path)
        at = next(i for i, r in enumerate(rows) if "项目名称" in r)
        kind, day = rows[at].index("项目类别"), rows[at].index("开工时间")
        found += [
            (path.name, i + 1)
            for i, r in enumerate(rows[at + 1 :], start=at + 1)
            if r[0] is not None and r[kind] == "招引项目" and not start <= r[day] < end
        ]
    return found


def test_the_public_edition_has_no_firm_workbook_and_names_no_firm(report):
    folder = report.public.folder
    assert not (folder / "firms.xlsx").exists()
    names = set(report.truth["name"])
    for page in folder.glob("0[1-5]*.html"):  # 06 lists awards, published by the bodies
        text = page.read_text(encoding="utf-8")
        assert "firms.xlsx" not in text and not [n for n in names if n in text], page.name
    for file in [*folder.glob("*.csv"), *folder.glob("*.xlsx")]:
        book = openpyxl.load_workbook(file) if file.suffix == ".xlsx" else None
        text = (
            file.read_text(encoding="utf-8-sig")
            if book is None
            else " ".join(str(v) for ws in book.worksheets for r in ws.values for v in r)
        )
        assert not [n for n in names if n in text], file.name


def test_a_short_list_is_shown_whole_and_a_long_one_closest_to_its_threshold_first():
    pool = pd.DataFrame(
        {
            "threshold": ["营业收入1亿元", "纳税1000万元", "营业收入10亿元"],
            "credit_code": ["A", "B", "C"],
            "name": ["甲", "乙", "丙"],
            "industry": ["海洋工业"] * 3,
            "ytd": [7.5e7, 9.6e6, 9.0e8],  # 75%, 96%, 90% of their thresholds
            "gap": [2.5e7, 4e5, 1e8],
            "growth": [0.1, 0.2, 0.3],
            "projected": [1e8, 1.2e7, 1.1e9],
            "crosses_by_projection": [True, True, True],
        }
    )
    whole = fmt.firm_list(pool, "pool", 3).to_html()
    assert "list-note" not in whole and whole.count("<tr") == 4
    cut = fmt.firm_list(pool, "pool", 2).data
    assert "共 3 家" in cut and "另有 1 家" in cut and "「培育库」" in cut
    rows = cut.split("<tr")[2:]
    assert "乙" in rows[0] and "丙" in rows[1] and "甲" not in cut
