"""How a rendered page prints on A4: the classes the print stylesheet (report.css) acts on.

A browser cannot be asked at run time how wide a table will print, so its width is
estimated here from its text, the way the stylesheet sets it (8 pt type, names kept whole):
a table too wide for a portrait sheet gets class "wide", and the part of the page that holds
it — the table with the text and heading above it — class "print-wide", which report.css
puts on A4 landscape sheets (a named page). A table too wide even for those gets "wrap"
(its text may break anywhere, not its figures). A block holding a chart gets
"print-figure" (never split across sheets), text just above a table or chart "print-keep"
(printed on its sheet). The rules go by what a table holds, not by which table it is, so a section
added to a notebook prints as well as today's.
"""

import html
import re
import unicodedata

# The print stylesheet's table type and the sheets' width for it (A4 less 12 mm margins,
# less the page's own padding), in points.
TYPE_PT = 8.0
CELL_PT = 5.5  # a cell's padding (3 px each side) and its rule
PORTRAIT_PT = 495.0  # 186 mm
LANDSCAPE_PT = 740.0  # 273 mm
# A column wider than this (in characters) is left to wrap: a portrait sheet is not worth
# giving up for one long name or sentence.
WRAP_AT = 12
# Where a line may break in a cell whose words are kept whole (word-break: keep-all): at a
# space, after Chinese punctuation, before an opening bracket.
_BREAK = re.compile(r"(?<=[\s、，。；：！？）」』】,;])|(?=[（「『【])")
_NOWRAP = {"num", "status", "short"}  # report.css: these cells never wrap

_TABLE = re.compile(r"(<table\b)([^>]*)(>.*?</table>)", re.S)
_ROW = re.compile(r"<tr\b.*?</tr>", re.S)
_CELL = re.compile(r"<(td|th)\b([^>]*)>(.*?)</\1>", re.S)
_CLASS = re.compile(r'\bclass="([^"]*)"')
_SPAN = re.compile(r'\bcolspan="?(\d+)')
_TAG = re.compile(r"<[^>]+>")
_LINE_BREAK = re.compile(r"<br\s*/?>", re.I)
# The blocks a page is printed in: a markdown cell, one output of a code cell, a section
# of the index page.
_BLOCK = re.compile(
    r'<(?:div|section)(?: id="[^"]*")? class="((?:jp-Cell jp-MarkdownCell|jp-OutputArea-child'
    r'|report-section)\b[^"]*)"'
)
_HEADING = re.compile(r"<h([1-4])\b")


def text_width(text: str) -> float:
    """Width of a line of text in points at the tables' print type: a Chinese (or other
    wide or ambiguous) character one em, any other about half."""
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.55 for c in text)
    return ems * TYPE_PT


def cell_widths(cell_html: str, classes: set[str]) -> tuple[float, float]:
    """The narrowest a cell can print (its longest unbreakable word, or all of it where it
    never wraps) and its width on one line, in points."""
    lines = [html.unescape(_TAG.sub("", line)).strip() for line in _LINE_BREAK.split(cell_html)]
    widest = max((text_width(line) for line in lines), default=0.0)
    if classes & _NOWRAP:
        return widest, widest
    words = [w for line in lines for w in _BREAK.split(line)]
    return max((text_width(w.strip()) for w in words), default=0.0), widest


def table_widths(table_html: str) -> tuple[float, float]:
    """A table's narrowest print width and its comfortable one (each column as wide as its
    longest line, up to WRAP_AT characters), in points."""
    narrowest: dict[int, float] = {}
    comfortable: dict[int, float] = {}
    for row in _ROW.findall(table_html):
        column = 0
        for _, attributes, content in _CELL.findall(row):
            found = _CLASS.search(attributes)
            span = _SPAN.search(attributes)
            least, line = cell_widths(content, set(found[1].split()) if found else set())
            if not span or span[1] == "1":  # a spanning header sets no column's width
                narrowest[column] = max(narrowest.get(column, 0.0), least)
                wanted = max(least, min(line, WRAP_AT * TYPE_PT))
                comfortable[column] = max(comfortable.get(column, 0.0), wanted)
            column += int(span[1]) if span else 1
    cells = CELL_PT * len(narrowest)
    return sum(narrowest.values()) + cells, sum(comfortable.values()) + cells


def mark_tables(body: str) -> str:
    """Class "wide" on a table of the page's <main> that does not fit a portrait sheet, and
    "wrap" as well on one that does not fit a landscape sheet with its words whole."""

    def mark(table: re.Match) -> str:
        narrowest, comfortable = table_widths(table.group(0))
        added = []
        if comfortable > PORTRAIT_PT:  # never less than the narrowest
            added.append("wide")
        if narrowest > LANDSCAPE_PT:
            added.append("wrap")
        if not added:
            return table.group(0)
        return table[1] + with_classes(table[2], added) + table[3]

    start, end = body.find("<main"), body.rfind("</main>")
    if start < 0 or end < start:
        return body
    return body[:start] + _TABLE.sub(mark, body[start:end]) + body[end:]


def with_classes(attributes: str, added: list[str]) -> str:
    """A tag's attributes with classes added (to its class attribute, or a new one)."""
    words = " ".join(added)
    if _CLASS.search(attributes):
        return _CLASS.sub(lambda c: f'class="{c[1]} {words}"', attributes, count=1)
    return f' class="{words}"{attributes}'


def mark_blocks(body: str) -> str:
    """Class "print-figure" on every block of the page's <main> holding a chart,
    "print-keep" on text just above a table or chart (kept on its sheet), and
    "print-wide" on every block holding a wide table, with the text around it: the text
    above it back to its heading (not the page's title), so that the heading prints on
    the sheet of its table, the notes below it up to the next heading, and what lies
    between two such parts when it is text alone or in the same section (no ## heading
    between), and text alone before the first (with the masthead), so that no short
    portrait sheet comes between landscape ones."""
    start, end = body.find("<main"), body.rfind("</main>")
    if start < 0 or end < start:
        return body
    starts = [m.start(1) for m in _BLOCK.finditer(body, start, end)]
    if not starts:
        return body
    blocks = [body[s:e] for s, e in zip(starts, starts[1:] + [end], strict=True)]
    kinds = [_kind(block) for block in blocks]
    levels = [min(map(int, _HEADING.findall(block)), default=0) for block in blocks]
    wide = [kind == "wide" for kind in kinds]
    for i in [i for i, kind in enumerate(kinds) if kind == "wide"]:
        for j in range(i - 1, -1, -1):  # up to its heading
            if kinds[j] != "text" or levels[j] == 1:
                break
            wide[j] = True
            if levels[j]:
                break
        for j in range(i + 1, len(blocks)):  # its notes
            if kinds[j] != "text" or levels[j]:
                break
            wide[j] = True
    marked = [i for i, w in enumerate(wide) if w]
    for before, after in zip(marked, marked[1:], strict=False):
        between = range(before + 1, after)  # text, or anything in the same section
        if all(kinds[j] in ("text", "empty") for j in between) or all(
            levels[j] > 2 for j in between if levels[j]
        ):
            wide[before + 1 : after] = [True] * (after - before - 1)
    head = body[: starts[0]]
    if True in wide and all(k == "text" for k in kinds[: wide.index(True)]):
        # a page that opens with a wide part: landscape from its masthead on, not a
        # portrait sheet with the title alone
        wide[: wide.index(True)] = [True] * wide.index(True)
        head = head.replace('<header class="masthead', '<header class="masthead print-wide', 1)
    pieces = [head]
    # text just above a table or chart (its heading, its note) printed on its sheet
    keep = [k == "text" and n != "text" for k, n in zip(kinds, kinds[1:] + ["text"], strict=True)]
    for block, kind, in_wide, with_next in zip(blocks, kinds, wide, keep, strict=True):
        added = ["print-wide"] * in_wide + ["print-figure"] * (kind == "figure")
        added += ["print-empty"] * (kind == "empty")
        added += ["print-keep"] * with_next
        if added:  # a block starts with its class list, then the list's closing quote
            quote = block.index('"')
            block = block[:quote] + " " + " ".join(added) + block[quote:]
        pieces.append(block)
    return "".join(pieces) + body[end:]


def _kind(block: str) -> str:
    """What a block holds, for its printing: a wide table, a chart, a table, text, or
    nothing to see (an empty output: left out of the print, where its padding alone could
    spill onto a sheet of its own)."""
    inside = block[block.find(">") + 1 :]  # a block starts within its opening tag
    if "<img" not in block and "<table" not in block and not _visible(inside):
        return "empty"
    if re.search(r'<table\b[^>]*\bclass="[^"]*\bwide\b', block):
        return "wide"
    if "<img" in block:
        return "figure"
    return "table" if "<table" in block else "text"


def _visible(markup: str) -> str:
    return html.unescape(_TAG.sub("", markup)).strip()


def for_print(body: str) -> str:
    """A rendered page with the classes its printing goes by (wide tables, their blocks,
    charts)."""
    return mark_blocks(mark_tables(body))


def css_string(text: str) -> str:
    """`text` as the inside of a CSS string, safe inside a <style> element too: every
    ASCII character but letters, digits and spaces written as a hex escape."""
    return "".join(c if c.isalnum() or c == " " or ord(c) > 127 else f"\\{ord(c):x} " for c in text)
