"""Executed notebooks to HTML pages that open anywhere, and the quarter's index page.

The bureau's network is often cut off, so every page is one self-contained file: the
stylesheet inlined, charts embedded as data, no script or font fetched from anywhere
(nbconvert's own templates load require.js, MathJax and mermaid from CDNs; the
`offline` template in templates/ drops them).

formatting and targets (and pandas with them) are imported by the functions that build a
page: refreshing a reused report's list of earlier periods needs none of them.
"""

import functools
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jinja2

from analysis.intake.periods import Period
from analysis.report import printing

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "offline"
HIDDEN_TAGS = {"parameters", "injected-parameters"}
TOC_MARK = "<!-- toc -->"
EDITIONS = {
    "internal": ("内部版", "含企业级数据，仅限局内使用，不得外传"),
    "public": ("公开版", "已按统计法实施披露控制，不含企业级数据"),
}
PERIOD_FOLDER = re.compile(r"\d{4}(Q[1-4]|-(0[124578]|1[01]))")  # str(periods.Period)
_HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"', re.S)
# A cell's text or output (render.accessible), and an image without alt text.
_CELL_DIV = re.compile(
    r'<div (?:[^>]*? )?class="(?:jp-Cell-inputWrapper|[^"]*\bjp-OutputArea-output\b[^"]*)"'
)
_IMAGE_WITHOUT_ALT = re.compile(r"<img(?![^>]*\balt=)")
# A table cell holding a figure (12,345.6 · -5.8% · — · ×), to be aligned on the right.
# pandas writes <td id="…" class="data row0 col3" >, a hand-made table <td class="…">.
_FIGURE_CELL = re.compile(
    r'<td((?: id="[^"]*")?) class="([^"]*)"([^>]*)>(\s*(?:[-+]?[\d,.]+%?|—|×)\s*)</td>'
)
_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_DATA_CELL = re.compile(r'<td(?: id="[^"]*")? class="([^"]*)"')
_COLUMN = re.compile(r"\bcol(\d+)\b")
_HEADING_CELL = re.compile(r'<th((?: id="[^"]*")?) class="(col_heading [^"]*\bcol(\d+)\b[^"]*)"')


@dataclass
class Heading:
    anchor: str
    text: str


@dataclass
class Page:
    """What every page of one report carries besides its own content."""

    title: str
    edition: str
    sections: list[tuple[str, str]]  # (label, file) of every notebook page
    provenance: dict = field(default_factory=dict)

    def page_title(self, current: str) -> str:
        """The browser tab's and the printout's title: the section, the report, the edition."""
        label = dict((href, name) for name, href in self.sections).get(current)
        edition = EDITIONS[self.edition][0]
        return f"{label} · {self.title}（{edition}）" if label else f"{self.title}（{edition}）"

    def context(self, current: str) -> dict:
        label, note = EDITIONS[self.edition]
        return dict(
            title=self.title,
            page_title=self.page_title(current),
            edition=self.edition,
            edition_label=label,
            edition_note=note,
            sections=self.sections,
            provenance=self.provenance,
            started=readable_time(self.provenance.get("started")),
            period_label=_period_label(self.provenance.get("period")),
            parameters=shown_parameters(self.provenance.get("parameters", {})),
            timings=self.timings(current),
            current=current,
            print_footer=jinja2.utils.markupsafe.Markup(
                printing.css_string(f"{label} · {self.title}")
            ),
        )

    def timings(self, current: str) -> list[tuple[str, float]]:
        """Seconds of computation: a section page its own (it is rendered as soon as its
        notebook is done), the index every section's."""
        seconds = self.provenance.get("notebooks", {})
        return [
            (label, seconds[href.replace(".html", ".ipynb")])
            for label, href in self.sections
            if href.replace(".html", ".ipynb") in seconds and current in (href, "index.html")
        ]


def readable_time(stamp: str | None) -> str:
    """A time of the manifest (ISO 8601 with its offset) as an official reads it, in this
    machine's time zone: 2026年10月15日 08:00（北京时间）, or the offset when not UTC+8."""
    try:
        moment = datetime.fromisoformat(str(stamp)).astimezone()
    except ValueError:
        return stamp or ""
    offset = int(moment.utcoffset().total_seconds() // 60)
    sign, hours, minutes = "+" if offset >= 0 else "-", abs(offset) // 60, abs(offset) % 60
    zone = "北京时间" if offset == 480 else f"UTC{sign}{hours:02d}:{minutes:02d}"
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}（{zone}）"


def _period_label(text: str | None) -> str:
    """2026-10 as the bureaus write it: 2026年1-10月."""
    try:
        return Period.parse(str(text)).label
    except ValueError:
        return text or ""


# The parameters a reader of the page can use, in words; folders and other machinery are
# in manifest.json.
PARAMETER_NAMES = {"year": "年度", "quarter": "季度", "month": "月份", "period": "报告期"}


def shown_parameters(parameters: dict) -> list[tuple[str, str]]:
    shown = [(PARAMETER_NAMES[k], str(v)) for k, v in parameters.items() if k in PARAMETER_NAMES]
    if "edition" in parameters:
        shown.append(("版本", EDITIONS.get(parameters["edition"], ("",))[0]))
    return shown


def notebook_to_html(notebook_path: Path, html_path: Path, page: Page) -> list[Heading]:
    """Render with code, prompts and the parameter cells hidden; return the page's headings."""
    import nbformat

    book = nbformat.read(notebook_path, as_version=4)
    book.metadata["title"] = page.page_title(Path(html_path).name)
    body, _ = _exporter().from_notebook_node(
        book, resources={"tenplans": page.context(Path(html_path).name)}
    )
    headings = headings_of(body)
    body = mark_figures(body.replace(TOC_MARK, toc(headings), 1))
    body = accessible(printing.for_print(body))
    Path(html_path).write_text(with_sorting(body), encoding="utf-8")
    return headings


@functools.cache
def _exporter():
    """One exporter for every page of a run: its templates are compiled once."""
    # Imported here, not at the top: nbconvert pulls in jsonschema's format checkers, seconds
    # of start-up that a reused report or a refused run should not pay.
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    class PageExporter(HTMLExporter):
        """HTMLExporter without its last pass, which parses the finished page again with
        BeautifulSoup's pure-Python parser (four fifths of a page's rendering, more than
        the template) only to give images alt text and cells a tabindex: the offline
        template gives charts theirs, and accessible() the rest."""

        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup pass
            language = nb.metadata.get("language_info", {})
            lexer = language.get("pygments_lexer", language.get("name"))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_types)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = HIDDEN_TAGS
    config.TagRemovePreprocessor.enabled = True
    exporter = PageExporter(
        config=config,
        template_name=TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES)],
        embed_images=True,
        language_code="zh",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    return exporter


def accessible(body: str) -> str:
    """What nbconvert's exporter adds to its pages: every cell's text and output reachable
    from the keyboard (a wide table scrolls), and alt text on an image that has none (a
    chart's comes from the chart, charts.alt_text)."""
    body = _CELL_DIV.sub(r'\g<0> tabindex="0"', body)
    return _IMAGE_WITHOUT_ALT.sub('<img alt="图片"', body)


SORTABLE = re.compile(r'<table\b[^>]*\bclass="[^"]*\bsortable\b')
# Text that would end or unbalance the <script> element the bundle is inlined in; a
# backslash escape reads the same inside the JavaScript strings and regexes holding it.
_UNSAFE_IN_SCRIPT = re.compile(r"<(?=!--|/?script)", re.I)


def with_sorting(body: str) -> str:
    """A page with a table marked "sortable" gets DataTables inlined (sortable.html.j2):
    sorting by any column and a search box, offline. Other pages stay without scripts."""
    if not SORTABLE.search(body):
        return body
    block = (
        _environment()
        .get_template("sortable.html.j2")
        .render(js=jinja2.utils.markupsafe.Markup(_datatables()[0]), css=_datatables()[1])
    )
    return body.replace("</body>", block + "\n</body>", 1)


@functools.cache
def _datatables() -> tuple[str, str]:
    """DataTables as itables ships it for its offline mode: the ES module and its CSS."""
    from importlib.resources import files

    folder = files("itables") / "html"
    script = (folder / "dt_bundle.js").read_text(encoding="utf-8")
    css = (folder / "dt_bundle.css").read_text(encoding="utf-8")
    return _UNSAFE_IN_SCRIPT.sub(r"\\x3C", script), jinja2.utils.markupsafe.Markup(css)


def mark_figures(body: str) -> str:
    """Class "num" on every table cell that holds a figure, and on the header of a column
    of figures, so that on every page figures and their headers align right, names left."""
    body = _FIGURE_CELL.sub(r'<td\1 class="\2 num"\3>\4</td>', body)
    return _TABLE.sub(lambda table: _figure_headers(table.group(0)), body)


def _figure_headers(table: str) -> str:
    """A pandas table's column headers marked "num" where every cell below holds a figure."""
    kinds: dict[str, set[bool]] = {}
    for classes in _DATA_CELL.findall(table):
        column = _COLUMN.search(classes)
        if column:
            kinds.setdefault(column[1], set()).add("num" in classes.split())
    figures = {column for column, seen in kinds.items() if seen == {True}}

    def mark(header: re.Match) -> str:
        if header[3] not in figures:
            return header.group(0)
        return f'<th{header[1]} class="{header[2]} num"'

    return _HEADING_CELL.sub(mark, table)


def headings_of(body: str) -> list[Heading]:
    """The section headings (##) of a rendered page, with the anchors nbconvert gave them."""
    return [
        Heading(anchor, html.unescape(re.sub(r"<[^>]+>", "", text)).strip())
        for anchor, text in _HEADING.findall(body)
    ]


def toc(headings: list[Heading]) -> str:
    items = "".join(
        f'<li><a href="#{html.escape(h.anchor)}">{html.escape(h.text)}</a></li>' for h in headings
    )
    return f"<ol>{items}</ol>"


def other_periods(root: Path, current: Period) -> list[tuple[str, str]]:
    """The reports of every other period (quarters or months) beside this one, newest
    first: those made after it as well as before, so an older report leads to the newer."""
    found = [
        Period.parse(p.name)
        for p in Path(root).iterdir()
        if p.is_dir() and PERIOD_FOLDER.fullmatch(p.name) and (p / "index.html").exists()
    ]
    return [
        (f"{q.title}（{q.label}）", f"../{q}/index.html")
        for q in sorted(found, reverse=True)
        if q != current
    ]


def refresh_every_index(root: Path) -> None:
    """Every published report's list of the other periods rewritten: run when a report is
    published, so that the reports made before it list it too."""
    for folder in Path(root).iterdir():
        index = folder / "index.html"
        if folder.is_dir() and PERIOD_FOLDER.fullmatch(folder.name) and index.exists():
            refresh_earlier(index, other_periods(root, Period.parse(folder.name)))


def status_line(summary) -> str:
    """targets.status_summary(...) as one sentence, with each status's symbol."""
    from analysis.report.formatting import status_text

    parts = [
        f"{status_text(s)} {n} 项"
        for s, n in zip(summary["status"], summary["indicators"], strict=True)
    ]
    return f"十大计划共 {int(summary['indicators'].sum())} 项指标：" + "，".join(parts) + "。"


def index_page(
    page: Page, rows, contents, earlier, data_files, summary: str, rules: str = "", behind=()
) -> str:
    """The quarter's front page: the items furthest behind (`behind`:
    document.behind_rows), the scorecard at a glance and a link to every section.

    `rows` is formatting.scorecard_rows(...), every value already text; `contents` is
    (label, file, headings) per section page. Everything is escaped by the template.
    """
    from analysis.measures.targets import STATUS_COLOURS
    from analysis.report.formatting import STATUS_SYMBOLS, ink_on, status_text

    colours = [STATUS_COLOURS.get(row.status.split()[-1], "#9e9e9e") for row in rows.itertuples()]
    scorecard = [
        {**row._asdict(), "colour": colour, "ink": ink_on(colour)}
        for row, colour in zip(rows.itertuples(index=False), colours, strict=True)
    ]
    sections = [dict(label=lbl, href=href, headings=heads) for lbl, href, heads in contents]
    return printing.for_print(
        _environment()
        .get_template("quarter.html.j2")
        .render(
            page=page.context("index.html"),
            rows=scorecard,
            contents=sections,
            earlier=earlier,
            data_files=[(DATA_FILES.get(name, name), name) for name in data_files],
            summary=summary,
            rules=rules,
            behind=list(behind),
            legend=" · ".join(status_text(s) for s in STATUS_SYMBOLS),
        )
    )


# What each data file holds, said beside its name on the index.
DATA_FILES = {
    "scorecard.csv": "全部指标完成情况",
    "bulletin.xlsx": "督查通报",
    "bulletin.docx": "督查通报（公文）",
    "bulletin.pdf": "督查通报（PDF）",
    "tiers.csv": "企业分档明细",
    "items.csv": "点名项目和企业逐项情况",
    "quarantine.csv": "被隔离的数据行",
    "firms.xlsx": "企业和项目完整名单",
}
EARLIER = re.compile(r"<!-- earlier -->.*?<!-- /earlier -->", re.S)


def earlier_block(earlier) -> str:
    return _environment().get_template("earlier.html.j2").render(earlier=earlier)


def refresh_earlier(index: Path, earlier) -> None:
    """Rewrite the list of other periods of a published index page (it goes stale as
    other periods are produced)."""
    text = Path(index).read_text(encoding="utf-8")
    updated = EARLIER.sub(lambda _: earlier_block(earlier), text, count=1)
    if updated != text:
        Path(index).write_text(updated, encoding="utf-8")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / TEMPLATE),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
