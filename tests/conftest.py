"""Shared fixtures: small workbooks in the bureaus' layout, written with openpyxl, and the
generated report that every module which only reads a report shares."""

import contextlib
import fcntl
import os
import pickle
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import openpyxl
import pandas as pd
import pytest
from hypothesis import settings

# Property tests are judged on what they find, not on how fast a loaded machine runs them:
# Hypothesis' 200 ms deadline fails them at random when CI or other work shares the cores.
settings.register_profile("tenplans", deadline=None)
settings.load_profile("tenplans")

# The modules that run whole reports, longest first (as measured by --durations), the
# shared report's maker beside one that does not wait for it: run first, so that under
# pytest-xdist (make test) no worker idles at the start and no long module is left to run
# alone at the end. Only the order changes; a module missing here (all under 3 s, as
# measured by --durations) runs after them, in the usual order.
LONG_FIRST = [
    "test_runner_manifest",  # makes the shared report…
    "test_months",  # …while the other workers make reports of their own
    "test_versions",
    "test_runner_lock",
    "test_browser",  # opens every page once (conftest.opened)…
    "test_area_notebooks",  # (the other worker's work meanwhile)
    "test_corpus",
    "test_products",
    "test_print",  # …and reads their prints, by now made
    "test_document",  # two more runs, and LibreOffice
    "test_return_forms",  # a city read twice, and LibreOffice
    "test_schema",
    # then the rest of the modules over 3 s, longest first: whichever worker is free
    # takes the next, so the last ones, run while the other worker may be done, are short
    "test_kernels",
    "test_warnings",
    "test_item_lists",
    "test_charts",
    "test_items",
    "test_end_to_end",
    "test_sample_sources",
    "test_intake_rules",
    "test_file_labels",
    "test_intake_misreads",
    "test_bulletin",
    "test_owners",
]


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.module.__name__.rpartition(".")[2]
        return LONG_FIRST.index(name) if name in LONG_FIRST else len(LONG_FIRST)

    items.sort(key=rank)


def require_program(present: bool, absent: str) -> None:
    """Skip a test whose outside program is missing, but fail under CI (the CI variable
    set): .ci/run installs Chromium and LibreOffice, so a skip there would hide a broken
    setup."""
    if not present:
        if os.environ.get("CI"):
            pytest.fail(f"{absent}; with CI set this test may not be skipped")
        pytest.skip(absent)


def workbook_rows(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's rows (values) by sheet name, read by openpyxl in read-only mode and the
    file closed at once: a read-only workbook holds its file open until it is closed."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {sheet.title: list(sheet.values) for sheet in book.worksheets}
    finally:
        book.close()


def first_sheet_rows(path: Path) -> list[tuple]:
    return next(iter(workbook_rows(path).values()))


def write_sheet(path: Path, rows: list[list], merges: tuple[str, ...] = (), sheet="Sheet1"):
    """A workbook whose first sheet holds `rows` from A1, with the given merged ranges."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for cells in merges:
        ws.merge_cells(cells)
    book.save(path)
    return path


STATS_HEADER = [
    ["序号", "统一社会信用代码", "企业名称", "所属行业", "营业收入", None, "研发费用", None],
    [None, None, None, None, "本年累计", "上年同期", "本年累计", "上年同期"],
]
STATS_MERGES = ("A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:F3", "G3:H3")
CODE_A = "91350100M000100Y43"
BANDS = {  # the programme's tiers, written out here rather than read from params
    "sales_ge_100m": ("revenue", 1e8, float("inf")),
    "sales_500m_1b": ("revenue", 5e8, 1e9),
    "sales_ge_1b": ("revenue", 1e9, float("inf")),
    "tax_ge_10m": ("tax", 1e7, float("inf")),
    "tax_50m_100m": ("tax", 5e7, 1e8),
    "tax_ge_100m": ("tax", 1e8, float("inf")),
}


@pytest.fixture
def stats_rows():
    """A statistics-bureau table: title, unit line, two-row header, total row first."""
    return [
        ["2026年1-9月全市规模以上工业企业主要经济指标"],
        ["填报单位：海阳市统计局", None, None, None, None, "单位：万元"],
        *STATS_HEADER,
        [None, None, "合计", None, 15000, 12000, 300, 200],
        [1, CODE_A, "黄海汽车配件有限公司", "现代制造业", 10000, "8,000.5", 200, 150],
        [None, None, None, None, None, None, None, None],
        [None, None, "一、海洋工业", None, None, None, None, None],
        [2, "91371082MA3C4XKT0B", "海阳海洋食品有限公司", "海洋工业", 5000, "—", 100, "--"],
        [None],
        ["注：1.本表为快报数据。"],
        ["单位负责人：张明    填表人：王芳"],
    ]


def small_city(root: Path, seed: int, month: int = 9, jan_feb: bool = False):
    """A 40-firm generated city written as the offices' workbooks under root/raw, with
    this year up to `month` (sample.reported_months): its truth panel, and the run's
    folders under root."""
    from analysis.run.runner import RunPaths
    from analysis.sample import city as sample

    truth = sample.generate_city(firms=40, seed=seed, year=2026, month=month, jan_feb=jan_feb)
    sample.write_city(truth, root / "raw")
    return truth, RunPaths(raw=root / "raw", out=root / "reports", processed=root / "processed")


@contextlib.contextmanager
def without_libreoffice():
    """Runs inside go as on a machine without LibreOffice: no bulletin.pdf, a line in the
    run's log (document.to_pdf). For the runs whose tests do not read the PDF: converting
    it is about 1.4 CPU-seconds of each run. The shared report's runs, test_document's own
    conversions and the runs that are killed or interrupted keep LibreOffice."""
    found = shutil.which

    def which(name, *args, **kwargs):
        return None if name == "soffice" else found(name, *args, **kwargs)

    with mock.patch("shutil.which", which):
        yield


def notebooks_with_cell(folder: Path, source_for, position: int | None = None, bare=()) -> Path:
    """Copies of the report notebooks in `folder`, each with one more code cell
    (`source_for(name)`), appended or inserted at `position`. The notebooks named in
    `bare` keep only their parameters cell, for tests about running notebooks rather
    than about what they compute: a kernel starts and stops in seconds."""
    import nbformat

    from analysis.config import NOTEBOOKS_DIR
    from analysis.run import runner

    folder.mkdir()
    for name in runner.NOTEBOOKS:
        book = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        if name in bare:
            book.cells = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
        cell = nbformat.v4.new_code_cell(source_for(name))
        book.cells.insert(len(book.cells) if position is None else position, cell)
        nbformat.write(book, folder / name)
    return folder


def execute_page(name: str, processed: Path, out: Path, **parameters) -> Path:
    """One report notebook executed by papermill, as a scheduler runs it, on a processed
    folder (period 2026年1-9月, bundled params, internal edition unless given)."""
    import papermill

    from analysis.config import NOTEBOOKS_DIR, PARAMS_DIR

    given = dict(year=2026, month=9, processed_dir=str(processed), params_dir=str(PARAMS_DIR))
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / name),
        str(out),
        parameters=given | {"edition": "internal"} | parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(NOTEBOOKS_DIR),
    )
    return out


HOSTILE = '<script>alert(1)</script>=HYPERLINK("http://x")'
"""A firm name that is markup and a spreadsheet formula: it must show as text everywhere."""


@dataclass
class Report:
    """A generated city (`truth`, the generator's firm panel), its run folders, and the
    report of both editions (runner.RunResult)."""

    truth: pd.DataFrame
    paths: object
    internal: object
    public: object


def once_per_session(tmp_path_factory, name: str, build):
    """`build(folder)`, run once per test session however many pytest-xdist workers share
    it: the first worker to ask builds it in a folder every worker sees, under a file lock,
    and the others wait and read the pickled result (pytest-xdist's documented pattern).
    Without xdist, simply built."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(tmp_path_factory.mktemp(name))
    folder = tmp_path_factory.getbasetemp().parent / name
    built = folder.with_name(f"{name}.pickle")
    with open(folder.with_name(f"{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not built.exists():
            shutil.rmtree(folder, ignore_errors=True)  # what a failed build left
            built.write_bytes(pickle.dumps(build(folder)))
        return pickle.loads(built.read_bytes())


@pytest.fixture(scope="session")
def report(tmp_path_factory) -> Report:
    """The report of a 40-firm city (seed 7), run once per session in both editions and
    shared by the modules that only read it (by every xdist worker: once_per_session). The
    largest firm of the revenue cultivation pool (≥ 0.7亿, < 1亿) bears the HOSTILE name,
    so its table rows carry it. Tests that rerun, kill or break a run make their own
    report, or run on a copy (copy_report)."""
    return once_per_session(tmp_path_factory, "report", _make_report)


def _make_report(root: Path) -> Report:
    from analysis.run.runner import RunPaths, produce
    from analysis.sample import city as sample

    truth = sample.generate_city(firms=40, seed=7, year=2026, month=9)
    now = truth[(truth.year == 2026) & (truth.month == 9)]
    pool = now[(now["revenue"] >= 0.7e8) & (now["revenue"] < 1e8)]
    code = pool.sort_values("revenue").iloc[-1]["credit_code"]
    truth.loc[truth["credit_code"] == code, "name"] = HOSTILE
    sample.write_city(truth, root / "raw")
    paths = RunPaths(raw=root / "raw", out=root / "reports", processed=root / "processed")
    internal = produce("latest", paths)
    return Report(truth, paths, internal, produce("latest", paths, edition="public"))


@pytest.fixture(scope="session")
def opened(report, tmp_path_factory) -> dict:
    """Every page of the shared report, both editions, opened once in Chromium with the
    network cut (test_browser.open_every_page): each page's state, first screen and
    print, for test_browser and test_print. Skipped where Chromium is absent (not under
    CI)."""
    from tests.test_browser import open_every_page, require_chromium

    require_chromium()
    folders = {"internal": report.internal.folder, "public": report.public.folder}
    return once_per_session(
        tmp_path_factory, "opened", lambda root: open_every_page(folders, report.paths.out)
    )


@pytest.fixture(scope="session")
def october(tmp_path_factory):
    """A 40-firm city (seed 7) whose tables run from 1-2月 to 1-10月, reported for
    2026年1-10月 beside two earlier reports' folders (2026-02, 2026Q3), with only the
    scorecard and the bulletin computed (the other notebooks bare): its truth panel, run
    folders and report folder. Built once per session (once_per_session) for the modules
    that read it: test_months reads the report, test_browser runs a notebook by hand on its
    processed tables. Nothing may write into it."""
    return once_per_session(tmp_path_factory, "october", _make_october)


def _make_october(root: Path):
    from dataclasses import replace

    from analysis.run.runner import NOTEBOOKS, run

    truth, paths = small_city(root, seed=7, month=10, jan_feb=True)
    for earlier in ("2026-02", "2026Q3"):  # reports of earlier periods, one of each kind
        (paths.out / earlier).mkdir(parents=True)
        (paths.out / earlier / "index.html").write_text("往期", encoding="utf-8")
    shown = {"03_scorecard.ipynb", "09_bulletin.ipynb"}  # the pages test_months reads
    notebooks = notebooks_with_cell(
        root / "notebooks", lambda name: "", bare=set(NOTEBOOKS) - shown
    )
    with without_libreoffice():
        return truth, paths, run("2026年1-10月", replace(paths, notebooks=notebooks))


def copy_report(report: Report, root: Path):
    """The shared report's internal folder and processed tables copied under `root`, as the
    run's paths (raw and params as the report's: nothing writes to them), for a test that
    runs into a report: other tests, on other workers too, read the originals meanwhile.
    Copying is quicker than ingesting again; the report keeps its manifest."""
    from dataclasses import replace

    internal = report.internal.folder
    out, processed = root / "reports", root / "processed"
    shutil.copytree(internal, out / internal.name)
    shutil.copytree(report.paths.processed, processed)
    return replace(report.paths, out=out, processed=processed)


@pytest.fixture(scope="session")
def q2_beside(report, tmp_path_factory):
    """A copy of the shared report (copy_report) with a 2026Q2 report made beside it from
    bare notebooks (only the run's own files are looked at), once per session for the
    modules that run into it (test_document, test_published): each takes a copy of its
    own (copy_q2_beside). Nothing may write into it."""
    return once_per_session(tmp_path_factory, "q2_beside", lambda root: _make_q2(report, root))


def _make_q2(report: Report, root: Path):
    from dataclasses import replace

    from analysis.run.runner import NOTEBOOKS, produce

    copy = copy_report(report, root)  # makes root first: under xdist it is not made yet
    bare = notebooks_with_cell(root / "bare", lambda name: "", bare=NOTEBOOKS)
    paths = replace(copy, notebooks=bare)
    with without_libreoffice():
        return produce("2026Q2", paths), paths


def copy_q2_beside(made, root: Path):
    """The q2_beside reports (2026Q3 and 2026Q2, as publishing 2026Q2 left them) and
    processed tables copied under `root`: 2026Q2's RunResult and the run's paths (the bare
    notebooks; raw and params as the shared report's), for a test that runs into them."""
    from dataclasses import replace

    earlier, paths = made
    out, processed = root / "reports", root / "processed"
    shutil.copytree(paths.out, out)
    shutil.copytree(paths.processed, processed)
    own = replace(paths, out=out, processed=processed)
    return replace(earlier, folder=out / earlier.folder.name), own


class _Markup(HTMLParser):
    """The tags of a page and the text of its table cells."""

    def __init__(self):
        super().__init__()
        self.tags, self.cells, self._cell = set(), [], None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _markup(html: str) -> _Markup:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser


def cell_texts(html: str) -> list[str]:
    """The text of every table cell, entities decoded, as a browser would show it."""
    return _markup(html).cells


def tag_names(html: str) -> set[str]:
    """Every element name that occurs as markup in the page."""
    return _markup(html).tags
