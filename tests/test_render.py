"""HTML pages that open offline: a hand-made executed notebook through the offline
template, and the quarter's index page."""

import base64
import re
import time

import nbformat
import pandas as pd
import pytest
from IPython.display import HTML

from analysis.intake.periods import Period
from analysis.report import formatting as fmt
from analysis.report import render
from analysis.report.formatting import scorecard_rows
from tests.conftest import cell_texts, tag_names

HOSTILE = '<script>alert(1)</script>=HYPERLINK("http://x")'
# A 1×1 PNG, as matplotlib's inline backend would embed a chart.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
    )
).decode()
PROVENANCE = {
    "period": "2026Q3",
    "edition": "public",
    "started": "2026-10-15T08:00:00+08:00",
    "commit": "0123abcd",
    "fingerprint": "f" * 64,
    "parameters": {"year": 2026, "month": 9, "edition": "public"},
    "inputs": [{"file": "统计局/2026年1-9月.xlsx", "sha256": "a" * 64}],
    "notebooks": {"02_firm_tiers.ipynb": 3.25},
    "versions": {"python": "3.11", "pandas": "3.1.1"},
}
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import"""
)


def _page(edition="public") -> render.Page:
    sections = [
        ("数据导入与质量", "01_data_quality.html"),
        ("企业分档与培育", "02_firm_tiers.html"),
    ]
    return render.Page("工业振兴十大计划 2026年1-9月 监测报告", edition, sections, PROVENANCE)


@pytest.fixture
def rendered(tmp_path):
    book = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('edition = "public"', metadata={"tags": ["parameters"]})
    chart = nbformat.v4.new_code_cell("charts.tier_progress(counts);")
    chart.outputs = [  # a chart, with its alt text as charts.py gives it; a plain image
        nbformat.v4.new_output(
            "display_data",
            data={"image/png": PNG},
            metadata={"image/png": {"alt": "图表：分档企业数与年度目标"}},
        ),
        nbformat.v4.new_output("display_data", data={"image/jpeg": PNG}),
    ]
    table = nbformat.v4.new_code_cell("fmt.table(moved, ...)")
    moved = fmt.table(pd.DataFrame({"name": [HOSTILE]}), {"name": "企业名称"})  # as a notebook does
    table.outputs = [
        nbformat.v4.new_output(
            "execute_result", data={"text/html": moved._repr_html_()}, execution_count=3
        )
    ]
    book.cells = [
        nbformat.v4.new_markdown_cell("# 企业分档与培育\n\n本节说明。"),
        parameters,
        nbformat.v4.new_markdown_cell("## 分档企业数与年度目标"),
        chart,
        nbformat.v4.new_markdown_cell("## 培育库：接近门槛的企业"),
        table,
    ]
    source = tmp_path / "02_firm_tiers.ipynb"
    nbformat.write(book, source)
    target = tmp_path / "02_firm_tiers.html"
    headings = render.notebook_to_html(source, target, _page())
    return target.read_text(encoding="utf-8"), headings


def test_a_page_loads_nothing_from_outside(rendered):
    text, _ = rendered
    assert '<html lang="zh">' in text
    assert "<script" not in text.replace("&lt;script", "")  # no script at all, only the name
    assert not EXTERNAL.findall(text)
    assert "cdnjs" not in text and "mathjax" not in text.lower()
    assert "data:image/png;base64," in text


def test_images_say_what_they_show_and_cells_are_reached_from_the_keyboard(rendered):
    """What nbconvert's own exporter adds by parsing the page again, without that pass."""
    text, _ = rendered
    assert re.findall(r'<img alt="([^"]*)"', text) == ["图表：分档企业数与年度目标", "图片"]
    assert len(re.findall(r"<img\b", text)) == 2
    cells = re.findall(r'<div class="(jp-Cell-inputWrapper|[^"]*jp-OutputArea-output[^"]*)"', text)
    focusable = re.findall(r'<div class="[^"]*" tabindex="0"', text)
    assert len(cells) == 6 and len(focusable) == len(cells)  # 3 markdown cells, 3 outputs


def test_code_and_parameters_are_hidden_and_content_kept(rendered):
    text, _ = rendered
    assert "charts.tier_progress" not in text and 'edition = "public"' not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and HOSTILE not in text
    assert HOSTILE in cell_texts(text) and "script" not in tag_names(text)


def test_a_table_of_contents_links_every_section_heading(rendered):
    text, headings = rendered
    assert [h.text for h in headings] == ["分档企业数与年度目标", "培育库：接近门槛的企业"]
    toc = re.search(r'<nav[^>]*class="toc".*?</nav>', text, re.S).group(0)
    for heading in headings:
        assert f'href="#{heading.anchor}"' in toc
        assert f'id="{heading.anchor}"' in text


def test_figures_align_right_and_text_left():
    cells = (
        '<td class="data row0 col0" id="a">黄海汽配</td><td class="data row0 col1" id="b">'
        '1,159.4</td><td class="data row0 col2" id="c">-5.8%</td><td class="data" id="d">×</td>'
    )
    marked = render.mark_figures(cells)
    assert marked.count(" num") == 3 and '<td class="data row0 col0" id="a">黄海汽配' in marked


def test_pandas_tables_align_figures_and_their_headers_right():
    """As pandas writes its cells (id before class), on every page alike."""
    frame = pd.DataFrame(
        {"name": ["黄海汽配", "佰德信"], "ytd": [1.15e7, 2e6], "growth": [-0.058, None]}
    )
    shown = fmt.table(
        frame,
        {"name": "企业名称", "ytd": "本期累计", "growth": "同比"},
        {"ytd": fmt.wan, "growth": fmt.percent},
    )
    marked = render.mark_figures(shown.to_html())
    numbers = re.findall(r'<td id="[^"]*" class="([^"]*)" >([^<]*)</td>', marked)
    assert [(v, "num" in c.split()) for c, v in numbers] == [
        ("黄海汽配", False),
        ("1,150.0", True),
        ("-5.8%", True),
        ("佰德信", False),
        ("200.0", True),
        ("—", True),
    ]
    headers = dict(
        (v, "num" in c.split())
        for c, v in re.findall(r'<th id="[^"]*" class="([^"]*)" >([^<]*)</th>', marked)
    )
    assert headers == {"企业名称": False, "本期累计": True, "同比": True}


def test_edition_on_the_page_and_the_printed_footer(rendered):
    text, _ = rendered
    assert text.count("公开版") >= 2
    assert re.search(r'<footer class="edition-footer">公开版', text)
    assert "@media print" in text and "position: fixed" in text


def test_provenance_is_a_collapsed_section_at_the_end(rendered):
    text, _ = rendered
    details = text.index('<details class="provenance"')
    assert details > text.index("</main>")
    assert '<details class="provenance" id="provenance">' in text  # not open
    for fact in ("a" * 64, "统计局/2026年1-9月.xlsx", "0123abcd", "3.2 秒", "pandas", "3.1.1"):
        assert fact in text[details:], fact


def test_other_periods_are_every_report_beside_this_one_newest_first(tmp_path):
    names = ("2025Q4", "2026-02", "2026Q1", "2026Q2", "2026-08", "2026Q3", "2026-10", "2026Q4")
    for name in (*names, "2026-09", "2026-13"):  # not names a run gives a folder
        (tmp_path / name).mkdir()
        if name != "2026Q1":
            (tmp_path / name / "index.html").write_text("x", encoding="utf-8")
    (tmp_path / "failed").mkdir()
    others = render.other_periods(tmp_path, Period(2026, 10))
    assert [href for _, href in others] == [
        "../2026Q4/index.html",  # made after 1-10月, and listed by it too
        "../2026Q3/index.html",
        "../2026-08/index.html",
        "../2026Q2/index.html",
        "../2026-02/index.html",
        "../2025Q4/index.html",
    ]
    assert others[1][0] == "2026年第3季度（2026年1-9月）"
    assert others[2][0] == "2026年8月（2026年1-8月）"


def test_publishing_a_report_rewrites_every_index_s_list(tmp_path):
    """Each index lists the others; a report published later shows up in the older ones."""
    for name in ("2026Q2", "2026Q3"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(_index(), encoding="utf-8")
    (tmp_path / "2026-10").mkdir()
    (tmp_path / "2026-10" / "index.html").write_text(_index(), encoding="utf-8")
    render.refresh_every_index(tmp_path)
    links = {
        name: re.findall(
            r'<ul class="earlier">.*?</ul>',
            (tmp_path / name / "index.html").read_text(encoding="utf-8"),
            re.S,
        )
        for name in ("2026Q2", "2026Q3", "2026-10")
    }
    hrefs = {name: re.findall(r'href="([^"]+)"', found[0]) for name, found in links.items()}
    assert hrefs == {
        "2026Q2": ["../2026-10/index.html", "../2026Q3/index.html"],
        "2026Q3": ["../2026-10/index.html", "../2026Q2/index.html"],
        "2026-10": ["../2026Q3/index.html", "../2026Q2/index.html"],
    }


def test_index_page_escapes_everything_and_links_sections_and_quarters():
    card = pd.DataFrame(
        {
            "plan": [3],
            "name": [HOSTILE],
            "unit": ["家"],
            "target": [23.0],
            "actual": [18.0],
            "projected": [22.0],
            "progress": [18 / 23],
            "expected_progress": [0.75],
            "status": ["预计未达标"],
            "judged_on": ["全年预计"],
            "departments": ["经信局"],
            "not_reported": [""],
        }
    )
    rows = scorecard_rows(card, {3: "骨干攀登计划"})
    heading = render.Heading("%E5%88%86", "分档")
    contents = [("企业分档与培育", "02_firm_tiers.html", [heading])]
    text = render.index_page(
        _page("internal"),
        rows,
        contents,
        [("2026年第2季度", "../2026Q2/index.html")],
        ["scorecard.csv", "tiers.csv"],
        "十大计划共 1 项指标。",
    )
    assert HOSTILE not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script" not in text.replace("&lt;script", "")
    assert 'href="02_firm_tiers.html#%E5%88%86"' in text
    assert 'href="../2026Q2/index.html"' in text and 'href="tiers.csv"' in text
    assert "▼ 滞后" in text and "#c62828" in text  # symbol and word beside the colour
    assert "内部版" in text and not EXTERNAL.findall(text)


def test_every_page_has_its_own_title(rendered, tmp_path):
    text, _ = rendered
    title = re.search(r"<title>(.*?)</title>", text).group(1)
    assert title == "企业分档与培育 · 工业振兴十大计划 2026年1-9月 监测报告（公开版）"
    assert "Notebook" not in title


def test_provenance_speaks_chinese_and_names_no_machinery(rendered):
    text, _ = rendered
    details = text[text.index('<details class="provenance"') :]
    visible = re.sub(r"<[^>]+>", " ", details)
    assert "provenance" not in visible and "not a git checkout" not in visible
    for key in ("edition", "raw_dir", "processed_dir", "ipynb"):
        assert key not in visible, key
    assert re.search(r"<th>年度</th><td>2026</td>", details)
    assert re.search(r"<th>版本</th><td>公开版</td>", details)
    assert "企业分档与培育" in details  # seconds per section, by its name
    assert "<th>报告期</th><td>2026年1-9月</td>" in details and "2026Q3" not in visible


def test_the_run_s_start_reads_as_a_local_time_in_chinese(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        assert (
            render.readable_time("2026-10-15T00:30:00+00:00") == "2026年10月15日 08:30（北京时间）"
        )
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
        assert (
            render.readable_time("2026-10-15T08:00:00+08:00") == "2026年10月15日 00:00（UTC+00:00）"
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert render.readable_time("not a time") == "not a time"


def _index(earlier=()):
    card = pd.DataFrame(
        {
            "plan": [3],
            "name": ["销售收入过1亿元工业企业"],
            "unit": ["家"],
            "target": [23.0],
            "actual": [18.0],
            "projected": [22.0],
            "progress": [18 / 23],
            "expected_progress": [float("nan")],
            "status": ["预计未达标"],
            "judged_on": ["全年预计"],
            "departments": ["经信局"],
            "not_reported": [""],
        }
    )
    contents = [("企业分档与培育", "02_firm_tiers.html", [render.Heading("a", "分档")])]
    return render.index_page(
        _page("internal"),
        scorecard_rows(card, {3: "骨干攀登计划"}),
        contents,
        list(earlier),
        ["scorecard.csv"],
        "十大计划共 1 项指标：▽ 预计未达标 1 项。",
    )


def test_the_index_opens_with_the_status_summary_and_the_scorecard():
    text = _index()
    summary = text.index("十大计划共 1 项指标")
    scorecard = re.search(r'<table class="scorecard(?: wide)?">', text).start()  # printing.py
    contents = text.index('<ol class="contents">')
    assert text.index("<main>") < summary < scorecard < contents


def test_a_published_index_gets_its_earlier_quarters_refreshed(tmp_path):
    index = tmp_path / "index.html"
    index.write_text(_index(), encoding="utf-8")
    assert "没有其他报告期的报告" in index.read_text(encoding="utf-8")
    render.refresh_earlier(index, [("2026年第2季度（2026年1-6月）", "../2026Q2/index.html")])
    text = index.read_text(encoding="utf-8")
    assert 'href="../2026Q2/index.html"' in text and "没有其他报告期的报告" not in text
    assert text.count("<!-- earlier -->") == 1 and "十大计划目标完成情况一览" in text


def test_a_section_page_times_its_own_notebook_and_the_index_every_one():
    """A page is rendered as soon as its notebook is done, before the others' seconds are
    known: it gives its own; the index, rendered last, gives them all."""
    seconds = {"01_data_quality.ipynb": 1.5, "02_firm_tiers.ipynb": 3.25}
    page = render.Page("报告", "public", _page().sections, PROVENANCE | {"notebooks": seconds})
    assert page.timings("02_firm_tiers.html") == [("企业分档与培育", 3.25)]
    assert page.timings("index.html") == [("数据导入与质量", 1.5), ("企业分档与培育", 3.25)]


def _page_with_list(tmp_path, rows: int) -> str:
    """A page whose one output is a firm list of `rows` rows, as fmt.firm_list shows it."""
    pool = pd.DataFrame(
        {
            "threshold": ["营业收入1亿元"] * rows,
            "credit_code": [f"C{i}" for i in range(rows)],
            "name": [f"企业{i}" for i in range(rows - 1)] + [HOSTILE],
            "industry": ["现代制造业"] * rows,
            "ytd": [9e7 - i * 1e6 for i in range(rows)],
            "gap": [1e7 + i * 1e6 for i in range(rows)],
            "growth": [0.05] * rows,
            "projected": [1.1e8] * rows,
            "crosses_by_projection": [True] * rows,
        }
    )
    listed = fmt.firm_list(pool, "pool", 20)
    html = listed.data if isinstance(listed, HTML) else listed.to_html()
    book = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("fmt.firm_list(pool, 'pool', 20)")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/html": html}, execution_count=1)
    ]
    book.cells = [nbformat.v4.new_markdown_cell("# 企业分档与培育"), cell]
    nbformat.write(book, tmp_path / "02_firm_tiers.ipynb")
    render.notebook_to_html(tmp_path / "02_firm_tiers.ipynb", tmp_path / "02.html", _page())
    return (tmp_path / "02.html").read_text(encoding="utf-8")


def test_a_long_list_gets_datatables_inlined_and_a_short_one_no_script(tmp_path):
    long = _page_with_list(tmp_path, 25)
    assert 'class="report-table sortable"' in long and "另有 5 家" in long  # cut at 20
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", long, re.S)
    assert [attributes.strip() for attributes, _ in scripts] == [
        'type="text/plain" id="tenplans-datatables"',
        'type="module"',
    ]
    bundle = scripts[0][1]
    assert "DataTable" in bundle and len(bundle) > 500_000  # the whole library, inlined
    # nothing inside the bundle can end its element or hide the rest of the page
    assert not re.search(r"<(!--|/?script)", bundle, re.I)
    assert not EXTERNAL.findall(long) and "import(url)" in scripts[1][1]
    assert HOSTILE not in long  # the firm names stay escaped text
    short = _page_with_list(tmp_path, 9)
    assert "sortable" not in re.sub(r"<style.*?</style>", "", short, flags=re.S)
    assert "<script" not in short.replace("&lt;script", "")
