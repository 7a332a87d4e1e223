"""Every page of a generated report, opened in headless Chromium with the network cut:
no request leaves the file, no console error, charts drawn, Chinese present, a hostile
firm name shown as text, a title of its own; the index's first screen shows the status
summary; printed to PDF, no table row is split across two sheets; a long firm list sorts
and filters; status cells have WCAG AA contrast; a notebook run by hand with its default
parameters shows the newest processed period. Each page's first screen is kept under
OUT/screenshots for a person (test_print keeps whole pages as PDFs). Skipped where
Chromium is absent, except under CI (the CI variable set), where that fails."""

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from analysis.run import runner
from tests.conftest import HOSTILE, require_program

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
CHARTS = {"02_firm_tiers.html": 4, "03_scorecard.html": 1}
PAGE_STATE = """() => ({
    title: document.title,
    text: document.body.innerText,
    lang: document.documentElement.lang,
    scripts: [...document.scripts].map(s => s.src),
    sortable: document.querySelectorAll('table.sortable').length,
    // cells drawn on a colour of their own: the status cells (inline or pandas' CSS)
    statusCells: [...document.querySelectorAll('td')]
        .map(td => [td.textContent.trim(), getComputedStyle(td).color,
                    getComputedStyle(td).backgroundColor])
        .filter(([, , paper]) => !['rgba(0, 0, 0, 0)', 'rgb(255, 255, 255)',
                                   'rgb(250, 251, 252)'].includes(paper)),
    images: [...document.images].map(i => i.complete && i.naturalWidth > 0),
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    brokenAnchors: [...document.querySelectorAll('nav.toc a')]
        .filter(a => !document.getElementById(a.hash.slice(1))).length,
})"""


def require_chromium() -> None:
    require_program(
        CHROMIUM.exists(), f"{CHROMIUM} is absent (apt-get install chromium; .ci/run does)"
    )


@pytest.fixture(scope="module")
def reports(report):
    require_chromium()
    folders = {"internal": report.internal.folder, "public": report.public.folder}
    return report.paths.out, folders


def open_every_page(folders: dict, out: Path) -> dict:
    """Every page of both editions opened once in one offline Chromium (no request can
    leave the file: only_local_files): its state, errors and requests (_visit), its first
    screen under OUT/screenshots, and its print under OUT/printed for test_print
    (Page.printToPDF, as the print dialog's "Save as PDF": the page's own @page sizes and
    margins, no browser header or footer); and every request that tried to leave."""
    from playwright.sync_api import sync_playwright

    shots, prints = out / "screenshots", out / "printed"
    shots.mkdir(exist_ok=True)
    prints.mkdir(exist_ok=True)
    seen, printed, outside, checks = {}, {}, [], {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        context.route("**/*", lambda route: only_local_files(route, outside))
        context.set_offline(True)
        for edition, folder in folders.items():
            for path in sorted(folder.glob("*.html")):
                key, name = (edition, path.name), f"{edition}-{path.stem}"
                printed[key] = prints / f"{name}.pdf"
                then = PAGE_CHECKS.get(key, lambda page: {})
                seen[key] = _visit(context, path, shots / f"{name}.png", printed[key], then)
                checks |= seen[key].pop("checks")
        browser.close()
    return dict(seen=seen, printed=printed, outside=outside, shots=shots, checks=checks)


def _index_checks(page) -> dict:
    """The index's first screen, its print view, and its rows on paper."""
    return {
        "first_screen": _first_screen(page),
        **_print_view(page),
        "split_index": _rows_split_in_print(page),
    }


def _long_list_checks(page) -> dict:
    """A long list (25 late 技改 projects): its controls on paper, then sorted and searched."""
    printed = _controls_in_print(page)
    return {"printed_controls": printed, "sorted": _sort_and_search(page, "本年累计完成")}


# Checks made on a page of the shared report once _visit has kept what it keeps, in the
# same load: each adds its findings to conftest.opened's "checks".
PAGE_CHECKS = {
    ("internal", "index.html"): _index_checks,
    ("internal", "03_scorecard.html"): lambda page: {"split_scorecard": _rows_split_in_print(page)},
    ("internal", "05_projects.html"): _long_list_checks,
}


@pytest.fixture(scope="module")
def browsed(reports, opened):
    _, folders = reports
    checks = dict(opened["checks"])
    checks["split"] = {
        "index.html": checks.pop("split_index"),
        "03_scorecard.html": checks.pop("split_scorecard"),
    }
    return opened["seen"], opened["outside"], checks, folders, opened["shots"]


def only_local_files(route, outside: list) -> None:
    url = route.request.url
    if url.startswith(("file:", "data:", "blob:")):  # blob: the page's own inlined script
        route.continue_()
    else:
        outside.append(url)
        route.abort()


def _visit(context, path: Path, screenshot: Path, pdf: Path, then) -> dict:
    page = context.new_page()
    errors, dialogs, requests = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    if page.evaluate("document.querySelector('table.sortable') !== null"):
        page.wait_for_function("document.documentElement.dataset.sortable === 'ready'")
    state = page.evaluate(PAGE_STATE)
    page.screenshot(path=str(screenshot))  # the first screen; the print keeps the whole page
    page.pdf(path=str(pdf), prefer_css_page_size=True)
    checks = then(page)
    page.close()
    return state | {"errors": errors, "dialogs": dialogs, "requests": requests, "checks": checks}


def _print_view(page) -> dict:
    page.emulate_media(media="print")
    check = page.evaluate(
        """() => ({
            nav: getComputedStyle(document.querySelector('nav.sections')).display,
            footer: getComputedStyle(document.querySelector('.edition-footer')).display,
        })"""
    )
    check["pdf"] = page.pdf(format="A4")
    page.emulate_media(media="screen")
    return check


# Two marks in every table row: one before its first line, one after the last line of
# its tallest cell. A row printed whole has both on one sheet; a row a page break splits
# does not.
MARK_ROWS = """() => {
    const rows = document.querySelectorAll(
        'table.scorecard tbody tr, table.report-table tbody tr');
    const mark = (text) => {
        const span = document.createElement('span');
        span.style.fontSize = '6px';
        span.textContent = text;
        return span;
    };
    rows.forEach((row, i) => {
        const cells = [...row.cells];
        const tallest = cells.reduce((a, b) => (b.scrollHeight > a.scrollHeight ? b : a));
        cells[0].prepend(mark(`QT${i}Q`));
        tallest.append(mark(`QB${i}Q`));
    });
    return rows.length;
}"""


def _rows_split_in_print(page) -> dict:
    """Rows printed with their top and bottom on different sheets, and the rows seen (the
    page is marked: the last check made on it)."""
    import pypdfium2

    rows = page.evaluate(MARK_ROWS)
    pdf = pypdfium2.PdfDocument(page.pdf(format="A4"))
    sheets = {}
    for number in range(len(pdf)):
        text = pdf[number].get_textpage().get_text_range()
        for edge, row in re.findall(r"Q([TB])(\d+)Q", text):
            sheets.setdefault(int(row), {}).setdefault(edge, set()).add(number)
    split = [row for row, seen in sheets.items() if seen.get("T") != seen.get("B")]
    return {"rows": rows, "found": len(sheets), "sheets": len(pdf), "split": split}


def _sort_and_search(page, header: str) -> dict:
    """A long list sorted by a click on the header starting with `header`, once and twice,
    and filtered by typing the name in its last row (first column) into its search box."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    table = page.locator("table.sortable", has=page.locator(f"th:has-text('{header}')")).first
    headers = table.locator("thead th").all_inner_texts()
    column = next(i for i, h in enumerate(headers) if h.startswith(header)) + 1
    names = table.locator("tbody td:nth-child(1)")

    def shown() -> list[str]:
        return table.locator(f"tbody td:nth-child({column})").all_inner_texts()

    heading = table.locator("thead th").nth(column - 1)

    def order_by(state: str) -> list[str]:
        """Click the header until DataTables says the column is in `state` order (a click
        made while a loaded machine still sorts is ignored by DataTables), then read."""
        for _ in range(3):
            heading.click()
            try:
                page.wait_for_function(
                    "([th, state]) => th.classList.contains(`dt-ordering-${state}`)",
                    arg=[heading.element_handle(), state],
                    timeout=5000,
                )
                return shown()
            except PlaywrightTimeout:
                continue
        raise AssertionError(f"the column never sorted {state}")

    before = shown()
    ascending = order_by("asc")
    descending = order_by("desc")
    wanted = names.all_inner_texts()[-1]
    search = page.locator(".dt-container", has=table).locator(".dt-search input")
    search.fill(wanted)
    page.wait_for_function(  # the search box filters as one types, a moment later
        "([table, rows]) => table.querySelectorAll('tbody tr').length < rows",
        arg=[table.element_handle(), len(before)],
    )
    found = names.all_inner_texts()
    return dict(
        before=before, ascending=ascending, descending=descending, wanted=wanted, found=found
    )


def _controls_in_print(page) -> dict:
    """Whether the search box shows when the page is printed (it must not)."""
    page.emulate_media(media="print")
    shown = page.evaluate(
        "[...document.querySelectorAll('.dt-search')].map(e => getComputedStyle(e).display)"
    )
    rows = page.evaluate("document.querySelectorAll('table.sortable tbody tr').length")
    page.emulate_media(media="screen")
    return dict(search=shown, rows=rows)


def _first_screen(page) -> dict:
    """Where the status summary and the scorecard start on the index, in a 1280×900 view
    (scrolled to the top first)."""
    page.evaluate("window.scrollTo(0, 0)")
    place = page.evaluate(
        """() => ({
            summary: document.querySelector('.status-summary').getBoundingClientRect().bottom,
            scorecard: document.querySelector('table.scorecard').getBoundingClientRect().top,
            contents: document.querySelector('ol.contents').getBoundingClientRect().top,
            height: window.innerHeight,
        })"""
    )
    return place


def test_every_page_of_both_editions_was_opened(browsed):
    seen, *_ = browsed
    pages = {"index.html"} | {n.replace(".ipynb", ".html") for n in runner.NOTEBOOKS}
    assert {name for _, name in seen} == pages
    assert len(seen) == 2 * len(pages)


def test_no_request_leaves_the_file_and_no_console_error(browsed):
    seen, outside, *_ = browsed
    assert outside == []
    for key, state in seen.items():
        assert state["errors"] == [], key
        assert all(url.startswith(("file:", "data:", "blob:")) for url in state["requests"]), key
        # scripts only where a long list is sorted, all inlined: nothing has a source
        assert all(src == "" for src in state["scripts"]), key
        assert bool(state["scripts"]) == bool(state["sortable"]), key


def test_charts_load_and_chinese_text_is_there(browsed):
    seen, *_ = browsed
    for (edition, name), state in seen.items():
        assert all(state["images"]), (edition, name)
        assert len(state["images"]) >= CHARTS.get(name, 0), (edition, name)
        assert state["lang"].startswith("zh") and "工业振兴十大计划" in state["text"]
        assert ("公开版" if edition == "public" else "内部版") in state["text"]
        assert state["brokenAnchors"] == 0, (edition, name)


def test_every_link_leads_to_a_file_of_the_report(browsed):
    seen, _, _, folders, _ = browsed
    for (edition, name), state in seen.items():
        for href in state["links"]:
            target = unquote(urlparse(href).path)
            if target:
                assert (folders[edition] / target).resolve().exists(), (edition, name, href)


def test_a_hostile_firm_name_shows_as_text(browsed):
    seen, *_ = browsed
    assert HOSTILE in seen[("internal", "02_firm_tiers.html")]["text"]
    assert all(not state["dialogs"] for state in seen.values())
    assert all(HOSTILE not in state["text"] for (e, _), state in seen.items() if e == "public")


def test_print_view_and_screenshots_for_a_person(browsed):
    seen, _, print_check, _, shots = browsed
    # the footer element gives way on paper to the sheets' margin text (test_print)
    assert print_check["nav"] == "none" and print_check["footer"] == "none"
    assert print_check["pdf"].startswith(b"%PDF")
    pictures = sorted(shots.glob("*.png"))
    assert len(pictures) == len(seen) and all(p.stat().st_size > 10_000 for p in pictures)


def test_every_page_has_a_title_of_its_own(browsed):
    seen, *_ = browsed
    for edition in ("internal", "public"):
        titles = {name: state["title"] for (e, name), state in seen.items() if e == edition}
        assert len(set(titles.values())) == len(titles)  # no two pages share a title
        label = "内部版" if edition == "internal" else "公开版"
        for title in titles.values():
            assert "Notebook" not in title and "工业振兴十大计划" in title and label in title
        assert titles["03_scorecard.html"].startswith("十大计划目标考核 · ")


def test_the_index_first_screen_shows_the_status_summary_and_the_scorecard(browsed):
    _, _, print_check, *_ = browsed
    place = print_check["first_screen"]
    assert place["summary"] < place["height"] and place["scorecard"] < place["height"]
    assert place["contents"] > place["scorecard"]


def test_no_table_row_is_split_across_printed_pages(browsed):
    _, _, print_check, *_ = browsed
    for name, found in print_check["split"].items():
        assert found["rows"] >= 20 and found["found"] == found["rows"], (name, found)
        assert found["sheets"] >= 2, (name, found)  # long enough to need page breaks
        assert found["split"] == [], (name, found)


def _figure(text: str) -> float:
    return float(text.replace(",", "").replace("%", ""))


def test_a_long_list_sorts_by_its_figures_and_filters_by_name(browsed):
    seen, _, print_check, *_ = browsed
    assert seen[("internal", "05_projects.html")]["sortable"] >= 1
    assert all(state["sortable"] == 0 for (e, _), state in seen.items() if e == "public")
    got = print_check["sorted"]
    numbers = [_figure(v) for v in got["before"]]
    assert len(numbers) >= 10 and numbers != sorted(numbers)  # the page's own order first
    assert [_figure(v) for v in got["ascending"]] == sorted(numbers)
    assert [_figure(v) for v in got["descending"]] == sorted(numbers, reverse=True)
    assert got["found"] and all(got["wanted"] in name for name in got["found"])
    assert len(got["found"]) < len(numbers)
    printed = print_check["printed_controls"]
    assert printed["search"] and set(printed["search"]) == {"none"} and printed["rows"] >= 10


def _rgb(css: str) -> str:
    red, green, blue = re.findall(r"\d+", css)[:3]
    return f"#{int(red):02x}{int(green):02x}{int(blue):02x}"


def test_status_cells_have_wcag_aa_contrast(browsed):
    from analysis.report.formatting import contrast

    seen, *_ = browsed
    cells = [
        (key, text, _rgb(ink), _rgb(paper))
        for key, state in seen.items()
        for text, ink, paper in state["statusCells"]
    ]
    assert len({key for key, *_ in cells}) >= 3  # the index, the scorecard and the bulletin
    amber = [c for c in cells if c[3] == "#f9a825"]
    assert amber  # the cells that read worst before
    for key, text, ink, paper in cells:
        assert contrast(ink, paper) >= 4.5, (key, text, ink, paper)


def test_a_notebook_run_by_hand_shows_the_newest_processed_period(report, october, tmp_path):
    """The README's papermill line, with no period given, on a city whose data end at
    1-10月 (not the 1-9月 the notebooks once defaulted to; the session's October city,
    conftest.october): the page says which period it shows, and it is the newest one the
    processed panel holds (read here with pyarrow); the kernel runs over IPC, so nothing
    warns about unencrypted TCP."""
    import subprocess
    import sys

    import pyarrow.parquet as pq
    from playwright.sync_api import sync_playwright

    from analysis.config import NOTEBOOKS_DIR
    from analysis.report import render

    require_chromium()
    _, paths, _ = october  # its processed tables are only read
    held = pq.read_table(paths.processed / "panel.parquet", columns=["year", "month"])
    newest = max(zip(held["year"].to_pylist(), held["month"].to_pylist(), strict=True))
    executed = tmp_path / "04_industries.ipynb"
    papermill = Path(sys.executable).with_name("papermill")
    done = subprocess.run(
        [papermill, NOTEBOOKS_DIR / "04_industries.ipynb", executed, "-k", "python3"]
        + ["--engine", "tenplans", "-p", "processed_dir", str(paths.processed)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "without encryption" not in done.stderr
    run = json.loads((report.internal.folder / "manifest.json").read_text(encoding="utf-8"))
    sections = [("产业助推", "04_industries.html")]
    page = render.Page("工业振兴十大计划", "internal", sections, run)
    render.notebook_to_html(executed, tmp_path / "04_industries.html", page)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(locale="zh-CN")
        context.set_offline(True)
        shown = context.new_page()
        shown.goto((tmp_path / "04_industries.html").as_uri())
        first = shown.locator(".jp-OutputArea-output").first.inner_text()
        browser.close()
    assert newest == (2026, 10) and first.startswith("报告期：2026年1-10月"), first
    assert "最新一期" in first
