"""Disclosure control: the suppression rules on hand-made tables, and a public report of a
small city checked against the generator's own firm-level figures."""

import re
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis import params
from analysis.config import PARAMS_DIR
from analysis.measures import disclosure
from analysis.report.formatting import wan, yi

X = disclosure.SUPPRESSED


@pytest.mark.parametrize(
    ("values", "hidden"),
    [
        ([], False),  # nobody contributes: nothing to disclose
        ([5.0], True),
        ([5.0, 5.0, 5.0], True),  # 3 firms: at the threshold
        ([5.0, 5.0, 5.0, 5.0], False),
        ([5.0, 5.0, 5.0, 0.0, None], True),  # zero and missing do not count
        ([80.0, 10.0, 3.0, 3.0, 2.0, 2.0], True),  # top two 90% > 85%
        ([70.0, 10.0, 6.0, 5.0, 5.0, 4.0], False),  # top two 80%
    ],
)
def test_primary_rule_counts_contributors_and_dominance(values, hidden):
    assert disclosure.sensitive(values, min_firms=3, dominance=(2, 0.85)) is hidden


def test_the_rules_come_from_thresholds_with_the_common_defaults():
    assert disclosure.rules({}) == (3, (2, 0.85))
    assert disclosure.rules({"disclosure_min_firms": 5, "disclosure_dominance": [1, 0.6]}) == (
        5,
        (1, 0.6),
    )
    assert disclosure.sensitive([10, 10, 10, 10, 10], min_firms=5)


def test_the_shipped_limits_hide_three_firms_and_two_that_make_up_over_85_percent():
    groups = {  # revenue per firm, and whether the cell must go, worked out by hand
        "three": ([10.0, 10, 10], True),  # 3 firms, at the limit of 3
        "four": ([40.0, 30, 20, 10], False),  # the largest two make up 70%
        "dominated": ([50.0, 40, 5, 5], True),  # 90% > 85%
        "at_85": ([45.0, 40, 10, 5], False),  # exactly 85%: not more than 85%
    }
    firms = pd.DataFrame(
        [(group, value) for group, (values, _) in groups.items() for value in values],
        columns=["industry", "revenue_ytd"],
    )
    min_firms, dominance = disclosure.rules(params.thresholds())  # params/thresholds.yaml
    hidden = disclosure.primary(firms, "industry", ["revenue_ytd"], min_firms, dominance)
    assert hidden["revenue_ytd"].to_dict() == {g: hide for g, (_, hide) in groups.items()}


def test_primary_marks_cells_per_group_and_measure():
    firms = pd.DataFrame(
        {
            "industry": ["a"] * 5 + ["b"] * 2,
            "revenue_ytd": [10, 10, 10, 10, 10, 7, 8],
            "tax_ytd": [0, 0, 0, 1, 1, 1, 1],  # a: two taxpayers only
        }
    )
    hidden = disclosure.primary(firms, "industry", ["revenue_ytd", "tax_ytd"], 3, (2, 0.85))
    assert hidden.to_dict() == {
        "revenue_ytd": {"a": False, "b": True},
        "tax_ytd": {"a": True, "b": True},
    }


def test_a_single_hidden_cell_in_a_column_takes_the_smallest_other_with_it():
    values = pd.DataFrame({"revenue": [100.0, 50.0, 20.0, 30.0]}, index=list("abcd"))
    hidden = pd.DataFrame({"revenue": [False, True, False, False]}, index=list("abcd"))
    result = disclosure.secondary(hidden, values, column_totals=True)
    assert result["revenue"].tolist() == [False, True, True, False]  # c (20) goes too
    assert hidden["revenue"].sum() == 1  # the input is not changed


def test_two_hidden_cells_in_a_column_need_no_complement():
    values = pd.DataFrame({"revenue": [100.0, 50.0, 20.0]}, index=list("abc"))
    hidden = pd.DataFrame({"revenue": [False, True, True]}, index=list("abc"))
    assert disclosure.secondary(hidden, values).equals(hidden)


def test_empty_cells_are_no_complement():
    values = pd.DataFrame({"revenue": [0.0, 50.0, None, 80.0]}, index=list("abcd"))
    hidden = pd.DataFrame({"revenue": [False, True, False, False]}, index=list("abcd"))
    result = disclosure.secondary(hidden, values)
    assert result["revenue"].tolist() == [False, True, False, True]


def test_secondary_suppression_propagates_across_rows_and_columns():
    # Industry × size band, with row and column totals published.
    values = pd.DataFrame(
        {"small": [10.0, 40.0, 30.0], "large": [90.0, 60.0, 70.0]}, index=["a", "b", "c"]
    )
    hidden = pd.DataFrame(
        {"small": [True, False, False], "large": [False, False, False]}, index=["a", "b", "c"]
    )
    result = disclosure.secondary(hidden, values, row_totals=True, column_totals=True)
    # Every row and every column holds zero or at least two hidden cells.
    assert set(result.sum(axis=0)) <= {0, 2, 3} and set(result.sum(axis=1)) <= {0, 2}
    assert result.loc["a", "small"] and result.to_numpy().sum() == 4
    # The complements were the smallest available: c·small (30) and a·large (90).
    assert result.loc["c", "small"] and result.loc["a", "large"] and result.loc["c", "large"]


def test_industry_table_hides_amounts_with_their_growth_and_share():
    firms = pd.DataFrame(
        {
            "industry": ["a"] * 4 + ["b"] * 4 + ["c"] * 2,
            "revenue_ytd": [10.0, 10, 10, 10, 20, 20, 20, 20, 5, 5],
            "tax_ytd": [1.0, 1, 1, 1, 2, 2, 2, 2, 1, 1],
        }
    )
    breakdown = pd.DataFrame(
        {
            "industry": ["b", "a", "c"],
            "firms": [4, 4, 2],
            "revenue_ytd": [80.0, 40.0, 10.0],
            "tax_ytd": [8.0, 4.0, 2.0],
            "revenue_growth": [0.1, 0.2, 0.3],
            "tax_growth": [0.1, 0.2, 0.3],
            "revenue_share": [80 / 130, 40 / 130, 10 / 130],
        }
    )
    shown = disclosure.industry_breakdown(breakdown, firms, {}).set_index("industry")
    assert shown.loc["c", ["revenue_ytd", "revenue_growth", "revenue_share", "tax_ytd"]].eq(X).all()
    # a is the smallest other cell of each column: hidden so the total cannot reveal c
    assert shown.loc["a", ["revenue_ytd", "tax_ytd", "tax_growth"]].eq(X).all()
    assert shown.loc["b", "revenue_ytd"] == 80.0 and shown.loc["b", "firms"] == 4
    assert shown.loc["c", "firms"] == 2  # counts of firms are not confidential
    chart = disclosure.published(shown.reset_index(), "revenue_ytd")
    assert chart["industry"].tolist() == ["b"] and chart["revenue_ytd"].dtype == "float64"
    formats = disclosure.keep_marks({"revenue_ytd": yi})
    assert formats["revenue_ytd"](X) == X and formats["revenue_ytd"](2.5e8) == "2.50"


# --- a public report, end to end -------------------------------------------------------


class _Tables(HTMLParser):
    """Rows of every <table class="report-table"> in a page, as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._depth, self._cell = [], 0, None

    def handle_starttag(self, tag, attrs):
        kind = dict(attrs).get("class") or ""
        index = set(kind.split()) - {"wide", "wrap"} == {"scorecard"}  # printing.py's marks
        if tag == "table" and ("report-table" in kind or index):  # index too
            self.tables.append([])
            self._depth = 1
        elif self._depth and tag == "tr":
            self.tables[-1].append([])
        elif self._depth and tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._depth = 0
        elif self._depth and tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _figures(texts) -> re.Pattern:
    """Any of these figures standing alone: not part of a longer number, nor a percentage."""
    either = "|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True)) or "(?!)"
    return re.compile(rf"(?<![\d.,])(?:{either})(?![\d%])")


def _tables(text: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(text)
    return parser.tables


@pytest.fixture(scope="module")
def public(report):
    truth = report.truth
    return truth[(truth.year == 2026) & (truth.month == 9)], report.public.folder


def must_hide(values) -> bool:
    """The shipped primary rule (thresholds.yaml, pinned in test_project), written out:
    a cell is hidden when 1 to 3 firms contribute to it, or when its 2 largest
    contributors make up more than 85% of it. Zero and missing figures do not count."""
    figures = sorted((v for v in values if v > 0), reverse=True)  # NaN > 0 is False
    return 0 < len(figures) <= 3 or sum(figures[:2]) > 0.85 * sum(figures)


def test_public_report_lives_apart_and_holds_no_firm_level_file(public):
    _, report = public
    assert report.parent.name == "public" and report.name == "2026Q3"
    names = {p.name for p in report.iterdir()}
    assert {"index.html", "scorecard.csv", "manifest.json"} <= names
    assert not {"tiers.csv", "quarantine.csv"} & names
    for page in report.glob("*.html"):
        assert "公开版" in page.read_text(encoding="utf-8"), page.name


def test_public_report_names_no_firm_and_shows_no_firms_figures(public):
    now, report = public
    texts = {
        p.name: p.read_text(encoding="utf-8")
        for p in report.iterdir()
        if p.suffix in {".html", ".ipynb", ".csv"}
    }
    for name, text in texts.items():
        text = re.sub(r"[\d.]+ 秒", "", text)  # the run's timings: a 50.0 秒 is not a 50.0万
        leaked = [v for v in [*now["name"], *now["credit_code"]] if v in text]
        assert not leaked, f"{name} names firms: {leaked[:3]}"
        for measure in ("revenue", "tax"):
            figures = {wan(v) for v in now[measure].dropna() if v >= 1e5}
            shown = sorted(set(_figures(figures).findall(text)))
            assert not shown, f"{name} shows firm {measure} figures (万元) {shown[:3]}"


def test_public_industry_table_hides_every_cell_below_the_threshold(public):
    now, report = public
    tables = _tables((report / "02_firm_tiers.html").read_text(encoding="utf-8"))
    industry = next(t for t in tables if t[0][:3] == ["产业", "企业数", "营业收入（亿元）"])
    header, *rows, total = industry
    revenue_at, tax_at = header.index("营业收入（亿元）"), header.index("税收（亿元）")
    # the 合计 row is the city's published total (what secondary suppression protects)
    counted = now[now["industry"].notna()]
    assert total[0] == "合计" and total[1] == str(len(counted))
    assert (total[revenue_at], total[tax_at]) == (
        yi(counted["revenue"].sum()),
        yi(counted["tax"].sum()),
    )
    hidden = {"revenue": 0, "tax": 0}
    for row in rows:
        firms = now[now["industry"] == row[0]]
        for measure, at in (("revenue", revenue_at), ("tax", tax_at)):
            if must_hide(firms[measure]):
                assert row[at] == X, (row[0], measure, row[at])
            hidden[measure] += row[at] == X
            if row[at] != X:
                assert row[at] == yi(firms[measure].sum())
    assert hidden["revenue"] >= 2 and hidden["tax"] >= 2  # the small city has tiny industries
    assert all(row[revenue_at + 1] == X for row in rows if row[revenue_at] == X)  # growth too


def _equity_raised(raw, year: int = 2026, month: int = 9) -> dict[str, float]:
    """Equity raised this year per firm (万元), from the finance office's return of the
    period as openpyxl reads it."""
    import openpyxl

    path = raw / "金融办" / f"{year}年1-{month}月企业融资及上市推进.xlsx"
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if "事项" in r)
    at = {h: rows[header].index(h) for h in ("统一社会信用代码", "事项", "金额", "日期")}
    raised: dict[str, float] = {}
    for r in rows[header + 1 :]:
        when = r[at["日期"]]
        if r[at["事项"]] == "股权融资" and when.year == year and when.month <= month:
            code = r[at["统一社会信用代码"]]
            raised[code] = raised.get(code, 0.0) + float(r[at["金额"]])
    return raised


def test_the_public_financing_page_withholds_a_total_of_the_named_firms(report):
    """The programme names the three firms of this year's equity financing; a total of
    three firms is each firm's figure near enough. The public page shows it, its progress
    and its projection as ×, with the reason; the internal page shows the figure."""
    raised = _equity_raised(report.paths.raw)
    assert 0 < len(raised) <= 3  # the case in question: the named firms alone
    total = f"{sum(raised.values()):,.0f}"  # 万元, as the pages write it
    target = yaml.safe_load((PARAMS_DIR / "targets.yaml").read_text(encoding="utf-8"))
    goal = next(i for i in target["indicators"] if i["id"] == "equity_financing")
    progress = f"{100 * sum(raised.values()) / goal['target'][2026]:.1f}%"
    internal = (report.internal.folder / "07_financing.html").read_text(encoding="utf-8")
    page = (report.public.folder / "07_financing.html").read_text(encoding="utf-8")
    assert total in internal and progress in internal
    assert total not in page and progress not in page
    row = next(r for t in _tables(page) for r in t if len(r) > 4 and r[1] == "股权融资额")
    header = next(t[0] for t in _tables(page) if "股权融资额" in [r[1] for r in t[1:]])
    shown = dict(zip(header, row, strict=True))
    assert [shown[h] for h in ("完成", "全年预计", "完成进度")] == [X, X, X]
    assert shown["年度目标"] == f"{goal['target'][2026]:,.0f}"  # the programme's own figure
    assert f"公开版：股权融资额由 {len(raised)} 家企业构成。" in page
    listing = next(r for t in _tables(page) for r in t if len(r) > 4 and r[1] == "推进上市企业")
    assert X not in listing  # a count of many firms is still published


def test_every_public_page_and_file_withholds_the_named_firms_total(report):
    """Not only the financing page: the scorecard, the index, the bulletin's page and
    workbook, and scorecard.csv of the public edition show × with the reason, never the
    figure; the internal edition shows it."""
    raised = _equity_raised(report.paths.raw)
    total = f"{sum(raised.values()):,.0f}"
    public, internal = report.public.folder, report.internal.folder
    for page in ("index.html", "03_scorecard.html", "09_bulletin.html"):
        text = (public / page).read_text(encoding="utf-8")
        cells = [r for t in _tables(text) for r in t if "股权融资额" in r]
        assert cells and all(total not in r and X in r for r in cells), page
        assert total in "".join(
            c for t in _tables((internal / page).read_text()) for r in t for c in r
        )
    assert "公开版" in (public / "index.html").read_text(encoding="utf-8")
    card = pd.read_csv(public / "scorecard.csv", encoding="utf-8-sig").set_index("indicator")
    assert card.loc["equity_financing", ["actual", "projected", "progress"]].tolist() == [X, X, X]
    assert card.loc["equity_financing", "status"] in ("已完成", "推进中")  # the verdict stays
    inside = pd.read_csv(internal / "scorecard.csv", encoding="utf-8-sig").set_index("indicator")
    assert float(inside.loc["equity_financing", "actual"]) == pytest.approx(sum(raised.values()))
    sheet = openpyxl.load_workbook(public / "bulletin.xlsx")["金融办"]
    row = next(r for r in sheet.iter_rows(min_row=4, values_only=True) if r[2] == "股权融资额")
    assert row[5] == X and float(sum(raised.values())) not in row
