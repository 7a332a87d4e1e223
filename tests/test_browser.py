"""Every page of a generated report, opened in headless Chromium with the network cut:
no request leaves the file, no console error, charts drawn, Chinese present, a hostile
firm name shown as text, a title of its own; the index's first screen shows the status
summary; printed to PDF, no table row is split across two sheets. Screenshots are kept
under OUT/screenshots for a person. Skipped where Chromium is absent, except under CI (the
CI variable set), where that fails."""

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
    scripts: document.scripts.length,
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


@pytest.fixture(scope="module")
def browsed(reports):
    from playwright.sync_api import sync_playwright

    out, folders = reports
    shots = out / "screenshots"
    shots.mkdir(exist_ok=True)
    seen = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        outside = []
        context.route("**/*", lambda route: _only_files(route, outside))
        context.set_offline(True)
        for edition, folder in folders.items():
            for path in sorted(folder.glob("*.html")):
                shot = shots / f"{edition}-{path.stem}.png"
                seen[(edition, path.name)] = _visit(context, path, shot)
        print_check = _print_view(context, folders["internal"] / "index.html")
        print_check["split"] = {
            name: _rows_split_in_print(context, folders["internal"] / name)
            for name in ("index.html", "03_scorecard.html")
        }
        print_check["first_screen"] = _first_screen(context, folders["internal"] / "index.html")
        browser.close()
    return seen, outside, print_check, folders, shots


def _only_files(route, outside: list) -> None:
    url = route.request.url
    if url.startswith(("file:", "data:")):
        route.continue_()
    else:
        outside.append(url)
        route.abort()


def _visit(context, path: Path, screenshot: Path) -> dict:
    page = context.new_page()
    errors, dialogs, requests = [], [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    state = page.evaluate(PAGE_STATE)
    page.screenshot(path=str(screenshot), full_page=True)
    page.close()
    return state | {"errors": errors, "dialogs": dialogs, "requests": requests}


def _print_view(context, path: Path) -> dict:
    page = context.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    check = page.evaluate(
        """() => ({
            nav: getComputedStyle(document.querySelector('nav.sections')).display,
            footer: getComputedStyle(document.querySelector('.edition-footer')).position,
        })"""
    )
    check["pdf"] = page.pdf(format="A4")
    page.close()
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


def _rows_split_in_print(context, path: Path) -> dict:
    """Rows printed with their top and bottom on different sheets, and the rows seen."""
    import pypdfium2

    page = context.new_page()
    page.goto(path.as_uri())
    rows = page.evaluate(MARK_ROWS)
    pdf = pypdfium2.PdfDocument(page.pdf(format="A4"))
    page.close()
    sheets = {}
    for number in range(len(pdf)):
        text = pdf[number].get_textpage().get_text_range()
        for edge, row in re.findall(r"Q([TB])(\d+)Q", text):
            sheets.setdefault(int(row), {}).setdefault(edge, set()).add(number)
    split = [row for row, seen in sheets.items() if seen.get("T") != seen.get("B")]
    return {"rows": rows, "found": len(sheets), "sheets": len(pdf), "split": split}


def _first_screen(context, path: Path) -> dict:
    """Where the status summary and the scorecard start on the index, in a 1280×900 view."""
    page = context.new_page()
    page.goto(path.as_uri())
    place = page.evaluate(
        """() => ({
            summary: document.querySelector('.status-summary').getBoundingClientRect().bottom,
            scorecard: document.querySelector('table.scorecard').getBoundingClientRect().top,
            contents: document.querySelector('ol.contents').getBoundingClientRect().top,
            height: window.innerHeight,
        })"""
    )
    page.close()
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
        assert all(url.startswith(("file:", "data:")) for url in state["requests"]), key
        assert state["scripts"] == 0, key


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
    assert print_check["nav"] == "none" and print_check["footer"] == "fixed"
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
