"""Every page of the shared report, both editions, printed to PDF as a person prints it:
Chromium's print (Page.printToPDF, the page's own @page sizes, network cut; made in the
one pass over the pages that test_browser shares, conftest.opened), the PDF read back
with poppler's pdftotext, pdfinfo and pdfimages. Nothing the page shows is lost on
paper — every heading and every table cell's text is in the PDF's text — no sheet is
blank, each sheet carries the edition at its foot, the page count is sane, a wide table
(the bulletin's department tables) prints on landscape sheets and whole, a table's header
repeats on every sheet it runs over. The PDFs are kept under OUT/printed for a person.
The printing rules themselves (printing.py) are checked on small pages first, without a
browser."""

import html
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from analysis.report import printing
from tests.conftest import cell_texts, require_program

EDITIONS = {"internal": "内部版", "public": "公开版"}
# What a printed page does not show: styles and scripts, the navigation and contents (hidden
# in print), the run details (a closed <details>), the heading anchors, the footer element
# (on paper it is the sheets' margin text instead).
_NOT_PRINTED = re.compile(
    r"<(style|script)\b.*?</\1>|<nav\b.*?</nav>|<details\b.*?</details>"
    r'|<a class="anchor-link".*?</a>|<footer\b.*?</footer>',
    re.S,
)
_HEADING = re.compile(r"<h([1-4])\b[^>]*>(.*?)</h\1>", re.S)
_TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
_SPACE = re.compile(r"\s+")


def squeezed(text: str) -> str:
    """Text without any whitespace: pdftotext breaks lines (inside Chinese words too) where
    the sheet does."""
    return _SPACE.sub("", text)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def printed_parts(page_html: str) -> dict:
    """What a page prints, from its HTML file: its headings, the text of every table cell,
    and each table's header cells, whether it is wide, and its body cells."""
    shown = _NOT_PRINTED.sub("", page_html)
    tables = []
    for attributes, content in _TABLE.findall(shown):
        head = content.split("</thead>")[0] if "</thead>" in content else ""
        tables.append(
            dict(
                wide=bool(re.search(r'class="[^"]*\bwide\b', attributes)),
                header=[c for c in cell_texts(head) if c],
                body=[c for c in cell_texts(content.split("</thead>")[-1]) if c],
            )
        )
    return dict(
        headings=[_text(h) for _, h in _HEADING.findall(shown) if _text(h)],
        cells=[c for c in cell_texts(shown) if c],
        tables=tables,
        outside_tables=squeezed(_text(_TABLE.sub("", shown))),
    )


def _poppler(*args) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def read_pdf(pdf: Path) -> dict:
    """Each sheet's text (in the order it was drawn, -raw: a table cell's lines together,
    not interleaved with its neighbours'), whether it is landscape, whether it is A4 (either
    way), whether it holds an image."""
    info = _poppler("pdfinfo", "-f", "1", "-l", "9999", pdf)
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)
    images = [line.split() for line in _poppler("pdfimages", "-list", pdf).splitlines()[2:]]
    with_image = {int(image[0]) for image in images}
    texts = _poppler("pdftotext", "-raw", pdf, "-").split("\f")  # a form feed ends a sheet
    sheets = [
        dict(
            text=text,
            landscape=float(width) > float(height),
            a4=sorted((round(float(width)), round(float(height)))) == [595, 842],
            image=n in with_image,
        )
        for n, ((width, height), text) in enumerate(zip(sizes, texts, strict=False), start=1)
    ]
    # an image drawn on more than one sheet: a chart split across them
    drawn = {(image[10], image[11]) for image in images}
    split = [i for i in drawn if len({im[0] for im in images if (im[10], im[11]) == i}) > 1]
    return dict(sheets=sheets, text="".join(s["text"] for s in sheets), split=split)


@pytest.fixture(scope="module")
def printed(report, opened):
    """Every page of both editions as Chromium printed it (conftest.opened), read back."""
    require_program(shutil.which("pdftotext") is not None, "pdftotext is absent (poppler-utils)")
    folders = {"internal": report.internal.folder, "public": report.public.folder}
    with ThreadPoolExecutor(max_workers=os.cpu_count()) as pool:
        done = {key: pool.submit(read_pdf, pdf) for key, pdf in opened["printed"].items()}
        results = {key: future.result() for key, future in done.items()}
    for (edition, name), result in results.items():
        page_html = (folders[edition] / name).read_text(encoding="utf-8")
        result["parts"] = printed_parts(page_html)
        result["footer"] = _text(re.search(r"<footer\b[^>]*>(.*?)</footer>", page_html, re.S)[1])
    return results


def test_every_page_of_both_editions_is_printed(printed, report):
    for edition, folder in (("internal", report.internal), ("public", report.public)):
        pages = {p.name for p in folder.folder.glob("*.html")}
        assert len(pages) >= 11 and {n for e, n in printed if e == edition} == pages


def test_nothing_the_page_shows_is_lost_on_paper(printed):
    """Every heading and every table cell's text is in the PDF's text: a column cut off at
    the sheet's right edge (as the bulletin's were in portrait) is not."""
    for key, result in printed.items():
        paper = squeezed(result["text"])
        parts = result["parts"]
        assert parts["cells"] and parts["headings"], key
        lost = [t for t in parts["headings"] + parts["cells"] if squeezed(t) not in paper]
        assert not lost, (key, lost[:10])


def test_no_sheet_is_blank_and_each_carries_the_edition(printed):
    """Each sheet has something of the page on it (text or a chart) besides its foot, and
    at its foot the edition and the report's title (the page's footer) and its number."""
    for key, result in printed.items():
        total = len(result["sheets"])
        for number, sheet in enumerate(result["sheets"], start=1):
            text = squeezed(sheet["text"])
            foot = [squeezed(result["footer"]), f"第{number}页，共{total}页"]
            assert all(part in text for part in foot), (key, number, foot)
            for part in foot:
                text = text.replace(part, "")
            assert text or sheet["image"], (key, number, "blank sheet")


def test_no_heading_is_left_at_the_foot_of_a_sheet(printed):
    """A heading prints on the sheet of what it heads, never last on the sheet before (a
    heading that is also a cell's text, 经信局, may end a sheet as that cell)."""
    for key, result in printed.items():
        total = len(result["sheets"])
        cells = set(result["parts"]["cells"])
        headings = [h for h in result["parts"]["headings"] if h not in cells]
        for number, sheet in enumerate(result["sheets"], start=1):
            text = squeezed(sheet["text"])
            for part in (squeezed(result["footer"]), f"第{number}页，共{total}页"):
                text = text.replace(part, "")
            last = [h for h in headings if text.endswith(squeezed(h))]
            assert number == total or not last, (key, number, last)


def test_the_page_count_is_sane(printed):
    """Not a sheet per row, nor a sheet left over: at most what the content could fill."""
    for key, result in printed.items():
        parts, sheets = result["parts"], len(result["sheets"])
        rows = sum(len(t["body"]) // max(len(t["header"]), 1) for t in parts["tables"])
        charts = sum(s["image"] for s in result["sheets"])
        assert 1 <= sheets <= 3 + rows // 5 + charts + len(parts["headings"]) // 2, (
            key,
            sheets,
            rows,
        )


def _markers(parts: dict) -> list[tuple[int, str]]:
    """(table, text) of body cells that name one place on the page: long, found in one
    table's cells alone, in no other cell and nowhere outside the tables."""
    cells = [squeezed(c) for t in parts["tables"] for c in t["body"] + t["header"]]
    found = []
    for number, table in enumerate(parts["tables"]):
        for cell in {squeezed(c) for c in table["body"]}:
            alone = sum(cell in other for other in cells) == 1
            if len(cell) >= 8 and alone and cell not in parts["outside_tables"]:
                found.append((number, cell))
    return found


def _sheets_of(result: dict) -> dict[int, list[int]]:
    """For each table with a marker, the sheets its rows are printed on."""
    sheets: dict[int, set[int]] = {}
    paper = [squeezed(s["text"]) for s in result["sheets"]]
    for table, cell in _markers(result["parts"]):
        for number, text in enumerate(paper):
            if cell in text:
                sheets.setdefault(table, set()).add(number)
    return {table: sorted(found) for table, found in sheets.items()}


def test_every_sheet_is_a4(printed):
    """The pages' own @page size (A4, portrait or landscape), not the browser's default
    Letter."""
    for key, result in printed.items():
        assert all(sheet["a4"] for sheet in result["sheets"]), key


def test_wide_tables_print_on_landscape_sheets(printed):
    """A table marked wide (the bulletin's department tables among them) has every row on
    a landscape sheet; the bulletin has such tables, whole (its 本单位状态 and 责任单位
    columns printed)."""
    for key, result in printed.items():
        for table, sheets in _sheets_of(result).items():
            if result["parts"]["tables"][table]["wide"]:
                portrait = [n + 1 for n in sheets if not result["sheets"][n]["landscape"]]
                assert not portrait, (key, table, portrait)
    for edition in EDITIONS:
        bulletin = printed[(edition, "09_bulletin.html")]
        wide = [t for t in bulletin["parts"]["tables"] if t["wide"]]
        assert len(wide) >= 5, edition
        assert any(s["landscape"] for s in bulletin["sheets"])
        for sheet in bulletin["sheets"]:
            if "本单位状态" in sheet["text"]:
                assert sheet["landscape"] and "责任单位" in sheet["text"]


def test_a_table_header_repeats_on_every_sheet_it_runs_over(printed):
    runs_over = 0
    for key, result in printed.items():
        for table, sheets in _sheets_of(result).items():
            header = result["parts"]["tables"][table]["header"]
            runs_over += len(sheets) > 1 and bool(header)
            for number in sheets:
                text = squeezed(result["sheets"][number]["text"])
                missing = [h for h in header if squeezed(h) not in text]
                assert not missing, (key, table, number + 1, missing)
    assert runs_over >= 3  # the report has tables long enough to need it


def test_no_chart_is_split_across_sheets(printed):
    charts = 0
    for key, result in printed.items():
        charts += sum(s["image"] for s in result["sheets"])
        assert not result["split"], (key, result["split"])
    assert charts >= 10


def test_the_scorecard_chart_is_whole_on_one_sheet(printed):
    """The scorecard's progress chart (a bar per indicator) on one sheet with its heading,
    not split into the footer: its sheet holds an image and the heading above it."""
    for edition in EDITIONS:
        scorecard = printed[(edition, "03_scorecard.html")]
        with_chart = [s for s in scorecard["sheets"] if "已有数据指标的完成进度" in s["text"]]
        assert len(with_chart) == 1 and with_chart[0]["image"], edition


# The printing rules on small pages, without a browser.

PAGE = """<body><header class="masthead">报告</header><main>
<div id="cell-id=a" class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><h1>标题</h1></div>
<div class="jp-OutputArea-child"><p>说明</p></div>
<div class="jp-OutputArea-child">{chart}</div>
<div id="cell-id=b" class="jp-Cell jp-MarkdownCell jp-Notebook-cell"><h2>甲</h2><p>注</p></div>
<div class="jp-OutputArea-child">{first}</div>
<div id="cell-id=c" class="jp-Cell jp-MarkdownCell jp-Notebook-cell">{next_heading}</div>
<div class="jp-OutputArea-child">{second}</div>
</main><details><table><tr><td>{long}</td></tr></table></details></body>"""
CHART = '<img src="data:image/png;base64,AA">'


def _table(columns: int, text: str = "营业收入（亿元）") -> str:
    header = "".join(f'<th class="col_heading col{i}">{text}{i}</th>' for i in range(columns))
    row = "".join(f'<td class="data col{i}">现代制造业企业</td>' for i in range(columns))
    return f'<table class="report-table"><thead><tr>{header}</tr></thead><tr>{row}</tr></table>'


def _classes(page: str) -> list[str]:
    return re.findall(r'class="((?:jp-Cell jp-Mark|jp-OutputArea-child|masthead)[^"]*)"', page)


def test_a_table_too_wide_for_portrait_is_marked_wide_with_its_heading():
    page = printing.for_print(
        PAGE.format(
            chart=CHART,
            first=_table(12),
            next_heading="<h2>乙</h2>",
            second=_table(3),
            long="甲" * 200,
        )
    )
    classes = _classes(page)  # masthead, title, intro, chart, 甲, its table, 乙, its table
    assert 'class="report-table wide"' in page and page.count(" wide") == 1
    assert not any("print-wide" in c for c in classes[:4])
    assert "print-figure" in classes[3] and "print-keep" in classes[2]  # intro with chart
    assert "print-wide" in classes[4] and "print-wide" in classes[5]  # heading 甲, table
    assert "print-keep" in classes[4]  # the heading stays with its table
    assert not any("print-wide" in c for c in classes[6:])  # 乙: three columns fit
    assert "<details><table><tr>" in page  # outside <main>: never marked


def test_a_wide_part_opening_the_page_takes_the_masthead_and_fills_its_section():
    """No chart before 甲's wide table: landscape from the masthead on. A narrow table
    between two wide ones: landscape too when in the same section (### 乙), not when it
    opens a section of its own (## 乙)."""
    then_wide = PAGE.replace(
        "</main>", f'<div class="jp-OutputArea-child">{_table(9)}</div></main>'
    )
    for heading, filled in (("<h3>乙</h3>", True), ("<h2>乙</h2>", False)):
        page = printing.for_print(
            then_wide.format(
                chart="", first=_table(9), next_heading=heading, second=_table(3), long=""
            )
        )
        classes = _classes(page)
        assert all("print-wide" in c for c in classes[:6] + classes[8:]), heading
        assert all(("print-wide" in c) == filled for c in classes[6:8]), heading


def test_an_empty_output_after_a_wide_table_is_left_out_of_the_print():
    """An output that shows nothing (a note with nothing to say) below a wide table is not
    printed: as part of the landscape part its padding alone spilled onto a blank sheet."""
    empty = '<div class="jp-RenderedMarkdown jp-OutputArea-output">\n</div>'
    page = printing.for_print(
        PAGE.replace("</main>", f'<div class="jp-OutputArea-child">{empty}</div></main>').format(
            chart=CHART, first=_table(12), next_heading="<h2>乙</h2>", second=_table(3), long=""
        )
    )
    last = _classes(page)[-1]
    assert "print-empty" in last and "print-wide" not in last
    assert ".print-empty { display: none; }" in (
        Path(printing.__file__).parent / "templates" / "offline" / "report.css"
    ).read_text(encoding="utf-8")


def test_a_table_too_wide_even_for_landscape_wraps_its_text():
    narrow_enough, _ = printing.table_widths(_table(10))
    assert printing.PORTRAIT_PT < narrow_enough < printing.LANDSCAPE_PT
    page = printing.mark_tables(f"<main>{_table(30)}{_table(10)}{_table(2)}</main>")
    assert re.findall(r'class="report-table([^"]*)"', page) == [" wide wrap", " wide", ""]


def test_widths_count_chinese_as_one_em_and_break_only_between_words():
    assert printing.text_width("现代制造业") == 5 * printing.TYPE_PT
    assert printing.text_width("2026") == pytest.approx(4 * 0.55 * printing.TYPE_PT)
    least, line = printing.cell_widths("发改委、经信局、海渔局", set())
    assert least == printing.text_width("发改委、") and line == printing.text_width(
        "发改委、经信局、海渔局"
    )
    assert printing.cell_widths("12,345.6", {"num"}) == (printing.text_width("12,345.6"),) * 2


def test_the_footer_text_is_a_safe_css_string():
    escaped = printing.css_string('内部版 · "x"</style>\\')
    assert escaped.startswith("内部版 · ") and '"' not in escaped and "<" not in escaped
    assert "\\22 x\\22 " in escaped and "\\5c " in escaped
