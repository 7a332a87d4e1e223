import re

import pandas as pd

from analysis.report import formatting as fmt
from analysis.report.formatting import in_unit, percent, spreadsheet_safe, table, wan, yi
from tests.conftest import cell_texts


def test_amounts_read_in_wan_and_yi_with_separators():
    assert wan(123_456_789) == "12,345.7"
    assert yi(1_234_567_890) == "12.35"
    assert percent(0.1234) == "12.3%"
    assert wan(float("nan")) == "—"
    assert in_unit(23.0, "家") == "23" and in_unit(35.0, "亿元") == "35.00"


def test_text_a_spreadsheet_would_run_stays_text():
    frame = pd.DataFrame(
        {
            "name": ['=HYPERLINK("http://x","y")', "+1", "@SUM(A1)", "-3", "-x", "黄海汽配"],
            "value": [1, 2, 3, 4, 5, 6],
        }
    )
    safe = spreadsheet_safe(frame)
    assert safe["name"].tolist() == [
        '\'=HYPERLINK("http://x","y")',
        "'+1",
        "'@SUM(A1)",
        "-3",
        "'-x",
        "黄海汽配",
    ]
    assert safe["value"].tolist() == [1, 2, 3, 4, 5, 6]


def test_an_empty_table_is_said_in_words():
    shown = table(pd.DataFrame(columns=["name"]), {"name": "企业名称"})
    assert "本期无相关数据" in shown._repr_html_()
    filled = table(pd.DataFrame({"name": ["<b>x</b>"]}), {"name": "企业名称"})
    assert "&lt;b&gt;x&lt;/b&gt;" in filled.to_html() and "企业名称" in filled.to_html()


def test_tier_headers_are_short_and_say_the_band():
    from analysis import params
    from analysis.report.formatting import tier_headers

    headers = tier_headers(params.tiers())
    assert headers["sales_ge_100m"] == "收入过1亿（家）"
    assert headers["tax_50m_100m"] == "纳税5000万-1亿（家）"
    assert max(len(h) for h in headers.values()) <= 13


def test_nothing_is_shown_as_minus_zero():
    assert [fmt.percent(v) for v in (-0.0004, 0.0004, -0.004)] == ["0.0%", "0.0%", "-0.4%"]
    assert [fmt.points(v) for v in (-0.04, 0.04, 0.7, -0.6, None)] == [
        "0.0",
        "0.0",
        "+0.7",
        "-0.6",
        "—",
    ]


def test_files_are_listed_by_period_as_the_calendar_runs():
    files = pd.DataFrame(
        {
            "kind": ["税收", "税收", "税收", "统计", "税收"],
            "period": ["2026年1-10月", "2026年1-3月", "2025年1-12月", "2026年1-2月", "2026年1-9月"],
        }
    )
    ordered = fmt.in_period_order(files, "period", within="kind")
    assert ordered["period"].tolist() == [
        "2025年1-12月",
        "2026年1-3月",
        "2026年1-9月",
        "2026年1-10月",
        "2026年1-2月",
    ]
    assert ordered["kind"].tolist() == ["税收"] * 4 + ["统计"]


def test_a_total_row_goes_last_in_bold():
    rows = pd.DataFrame({"industry": ["海洋工业", "新兴产业"], "firms": [3, 4]})
    total = pd.DataFrame({"industry": ["合计"], "firms": [7]})
    html = fmt.table(rows, {"industry": "产业", "firms": "企业数"}, total=total).to_html()
    cells = cell_texts(html)
    assert cells[-2:] == ["合计", "7"]
    assert html.count("font-weight: bold") == 1 and "border-top" in html


def test_every_status_cell_reads_with_wcag_aa_contrast():
    from analysis.measures.targets import STATUS_COLOURS

    for status, colour in STATUS_COLOURS.items():
        style = dict(
            part.split(": ") for part in fmt.status_style(status).split("; ") if ": " in part
        )
        assert style["background-color"] == colour
        assert fmt.contrast(style["color"], colour) >= 4.5, (status, colour, style["color"])
    assert (
        round(fmt.contrast("#ffffff", "#f9a825"), 2) == 1.97
    )  # the amber behind white (WCAG: 1.97:1)
    assert round(fmt.contrast("#000000", "#ffffff"), 1) == 21.0


def test_only_columns_of_short_names_are_kept_on_one_line():
    """现代制造业 must not wrap as 现代制/造业: a column whose every value is text of at most
    ten characters gets class "short" (report.css: nowrap); a firm's name, a figure or a
    column with a long name among short ones does not."""
    frame = pd.DataFrame(
        {
            "industry": ["现代制造业", "农(海)产品深加工", None],
            "firm": ["黄海", "威海市环翠区某某精密机械制造有限公司", "渔具"],
            "revenue": [1.5, 2.0, 3.0],
        }
    )
    headers = {"industry": "产业", "firm": "企业", "revenue": "营业收入"}
    html = table(frame, headers).to_html()
    cells = re.findall(r'<td id="T_\w+_row(\d+)_col(\d+)" class="([^"]*)"', html)
    short = {int(col) for _, col, classes in cells if "short" in classes.split()}
    assert short == {0} and len(cells) == 9
