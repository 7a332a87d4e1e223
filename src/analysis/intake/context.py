"""A table's period and unit, each from the places that may state it, never from a note.

The rows above a header hold a title, a 填报单位/单位 line, and sometimes notes and filling
instructions (注：…, 说明：…, 填报说明…) that mention other periods ("与2025年1-9月对比")
or the units of some other form ("原始报表金额单位：元"). Joining that text and taking the
first period or unit found lets a note decide a whole table. Here each place is read on
its own and recorded:

- period: the title lines (every row above the header that is no note, with full dates
  such as 报送日期 2026年10月15日 taken out), the file name and the sheet name; and the
  last month a column header names (营业收入1-10月累计) must be the period's;
- unit: each "单位：…" on a row above the header that is no note.

Every candidate found must agree; two that differ stop the file with one line naming both
and where each stands. A unit in a column's own header ("营业收入（元）") is that column's
and is not compared here.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import InputFileError
from analysis.intake.periods import period_from_text

NOTE_STARTS = (
    *("注", "说明", "备注", "附注", "填报说明", "填表说明", "编制说明"),
    *("资料来源", "数据来源"),
)
_UNIT = re.compile(r"单位\s*[:：]\s*(亿元|万元|千元|元)")
_FULL_DATE = re.compile(  # a day, or a date labelled as the day a form was sent: no period
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}"
    r"|(?:报送|填报|报出|制表|打印)(?:日期|时间)\s*[:：]?\s*\d{4}\s*年\s*\d{1,2}\s*月"
)


@dataclass(frozen=True)
class Candidate:
    """What one place says: the value, and the place in the user's words."""

    value: object
    where: str


def is_note(text: str) -> bool:
    """A row of notes or filling instructions: never the source of a period or a unit."""
    return "".join(text.split()).lstrip("（(【[0-9.、一二三四五六七八九十").startswith(NOTE_STARTS)


def _label(period: tuple[int, int]) -> str:
    year, month = period
    return f"{year}年1月" if month == 1 else f"{year}年1-{month}月"


def period_candidates(lines: list[tuple[int, str]], path: Path, sheet: str) -> list[Candidate]:
    """Every period stated for a table: by the title lines ((Excel row, text) of each row
    above the header), the file name and the sheet name."""
    found = []
    for row, text in lines:
        if is_note(text):
            continue
        period = period_from_text(_FULL_DATE.sub(" ", text))
        if period:
            found.append(Candidate(period, f"标题（第{row}行「{text.strip()[:40]}」）"))
    for period, where in (
        (period_from_text(path.stem), f"文件名「{path.name}」"),
        (period_from_text(sheet), f"工作表名「{sheet}」"),
    ):
        if period:
            found.append(Candidate(period, where))
    return found


_HEADER_MONTHS = re.compile(r"1\s*[-—–~～至到－]+\s*(\d{1,2})\s*月")


def header_months(columns) -> list[Candidate]:
    """The last month a column's header names for its cumulative figure (营业收入 1-10月累计),
    with the year of no one: checked against the month of the table's period."""
    found = []
    for column in columns:
        match = _HEADER_MONTHS.search(column.header)
        if match and 1 <= int(match.group(1)) <= 12:
            found.append(Candidate(int(match.group(1)), f"表头「{column.header}」"))
    return found


def check_header_months(months: list[Candidate], period, where: str, path: Path, sheet: str):
    """A header naming another month than the period's stops the file, both named."""
    for month in months:
        if period is not None and month.value != period[1]:
            raise InputFileError(
                path,
                f"工作表「{sheet}」的报告期前后不一致：{where}为 {_label(period)}，"
                f"{month.where}为 1-{month.value}月；{PERIOD_FIX} / the reporting period "
                f"disagrees: {_label(period)} ({where}) against 1-{month.value} ({month.where})",
            )


def unit_candidates(lines: list[tuple[int, str]]) -> list[Candidate]:
    """Every unit a "单位：" on a row above the header states, notes left out."""
    return [
        Candidate(match.group(1), f"第{row}行「{text.strip()[:40]}」")
        for row, text in lines
        if not is_note(text)
        for match in _UNIT.finditer("".join(text.split()))
    ]


def agreed(candidates: list[Candidate], what: str, path: Path, sheet: str, fix: str):
    """The one value every candidate states (None when there is none); two that differ
    stop the file, both named."""
    first = candidates[0] if candidates else None
    for other in candidates[1:]:
        if other.value != first.value:
            show = _label if what == "报告期" else str
            raise InputFileError(
                path,
                f"工作表「{sheet}」的{what}前后不一致：{first.where}为 {show(first.value)}，"
                f"{other.where}为 {show(other.value)}；{fix} / the {_ENGLISH[what]} "
                f"disagrees: {show(first.value)} ({first.where}) against {show(other.value)} "
                f"({other.where})",
            )
    return first.value if first else None


_ENGLISH = {"报告期": "reporting period", "金额单位": "unit of amounts"}

PERIOD_FIX = "请核对后更正文件名、标题或表头中写错的一处，使报告期一致，再导入"
UNIT_FIX = "请核对后只保留表格真实的“单位：”行（说明性文字请以“注：”开头），再导入"


def described(candidates: list[Candidate], show) -> str:
    """The candidates as the data-quality page lists them: value, then every place."""
    if not candidates:
        return ""
    return f"{show(candidates[0].value)}（{'、'.join(c.where for c in candidates)}）"


def period_text(candidates: list[Candidate]) -> str:
    return described(candidates, _label)


def unit_text(candidates: list[Candidate], columns=()) -> str:
    """The 单位 line's unit and where it stands, then each unit a column's header states
    for itself (that column's, whatever the line says)."""
    own = [f"{c.header}：{c.unit}（表头）" for c in columns if c.unit]
    return "；".join(([described(candidates, str)] if candidates else []) + own)
