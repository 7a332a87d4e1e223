"""Which raw files a report needs, decided from each file's head before any row is parsed.

A province's folder holds every published month of several years; a report reads only a
few of them. Each file's sheets are read to their header (sheethead.py): the period comes
from the title, the file name and the sheet name exactly as a full read would take it
(reading.find_table, context.py: disagreement stops the file either way), and the sheet's
size from its extent. A file is skipped only when every table on it names a period the
report does not read (sheets without a table decide nothing); a table whose period stands
in a column, or a file with no table in its heads (the full read then says why), is read
whole. Selection is by period alone, whatever the kind of
table, so every source (statistics, tax, the offices' lists, department returns, new
ones) follows the same rule.
"""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from analysis.errors import InputFileError
from analysis.intake.periods import Period
from analysis.intake.reading import HEADER_SCAN_ROWS, Aliases, find_table, head_grids

PANEL_KINDS = ("indicators", "tax")  # the tables whose latest period is the run's 'latest'
# Tables of a year's plan, not of cumulative figures: a firms' goals workbook (对号入座) is
# titled by its year (2026年度, read as 1-12月) and every report of that year reads it.
YEAR_KINDS = ("goals",)


def needed_periods(report: Period) -> frozenset[Period]:
    """Every period a report of `report` reads: each month of last year and each month of
    this year up to the report's own.

    Why these: the history paths (measures/history.py, the scorecard's and the pages'
    charts) show every period of last year and of this year to the report's that the data
    hold — the quarter-ends of quarterly tables, each month of monthly ones; the tier
    movers, growth and full-year projections (measures/tiers.py, periods.project_full_year)
    read the same period last year and last year's 1-12月; the early warnings
    (measures/warnings.py) the period before (this year's, or last year's 1-12月 at a
    year's first table); 技改投入's projection (measures/plans.py) the offices' lists of the
    same two periods of last year. Last year's own figures on the paths are actuals only:
    nothing reads the year before last, and nothing reads a period after the report's.
    """
    last_year = {Period(report.year - 1, m) for m in range(1, 13)}
    return frozenset(last_year | {Period(report.year, m) for m in range(1, report.month + 1)})


@dataclass(frozen=True)
class SheetHead:
    """What a sheet's head tells: its table's kind and period (None: no table in the
    head, or the period stands in a column) and how many rows the sheet holds."""

    sheet: str
    kind: str | None
    period: Period | None
    rows: int


def heads(path: Path, aliases: Aliases, limit: int) -> list[SheetHead]:
    """Each visible sheet of a file as its head shows it."""
    found = []
    for grid, rows in head_grids(path, HEADER_SCAN_ROWS, limit):
        if grid.hidden:
            continue
        table = find_table(grid, aliases)
        period = Period(*table.period) if table and table.period else None
        found.append(SheetHead(grid.sheet, table.kind if table else None, period, rows))
    return found


def heads_of(
    paths: list[Path], aliases: Aliases, limit: int, remembered: Path | None, checksums: dict
) -> tuple[dict[Path, list[SheetHead]], dict]:
    """Each file's heads, and what to remember of them (remember). With `remembered` (a
    file in the cache: cache.heads_file), an unchanged file's heads are read once: kept by
    the file's checksum (`checksums`, by path) and name (a period may come from
    the name), so a province's three hundred files are not opened again each month for
    their heads."""
    if remembered is None:
        return {path: heads(path, aliases, limit) for path in paths}, {}
    known = _remembered(remembered)
    found, keys = {}, {}
    for path in paths:
        keys[path] = f"{checksums[path]}:{path.name}"
        stored = known.get(keys[path])
        found[path] = [_head(h) for h in stored] if stored else heads(path, aliases, limit)
    # only this folder's files: the list does not grow with the years
    return found, {keys[path]: [asdict(h) for h in found[path]] for path in paths}


def _head(stored: dict) -> SheetHead:
    period = stored["period"]
    return SheetHead(**stored | {"period": None if period is None else Period(**period)})


def _remembered(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or torn by a crash: read the heads again
        return {}


def remember(path: Path, kept: dict) -> None:
    """The heads heads_of found, kept for the next run; written whole, then moved into
    place, so two runs at once each leave a whole file. Called once the run's files are
    read, as the cache's entries are (a refused run leaves the cache as it was)."""
    if not kept or kept == _remembered(path):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)


def latest(heads_of: dict[Path, list[SheetHead]]) -> Period | None:
    """The newest period of the statistics and tax tables (what 'latest' means), or None
    when a head cannot tell: no such table, or one with its period in a column."""
    panel = [h for sheets in heads_of.values() for h in sheets if h.kind in PANEL_KINDS]
    if not panel or any(h.period is None for h in panel):
        return None
    return max(h.period for h in panel)


def skip_reason(sheets: list[SheetHead], report: Period) -> str | None:
    """Why a file is not read for `report`, or None when it must be read."""
    wanted = needed_periods(report)
    tables = [h for h in sheets if h.kind is not None]  # a sheet of notes decides nothing
    if not tables or any(_needed(h, report, wanted) for h in tables):
        return None
    shown = "、".join(sorted({h.period.label for h in tables}))
    return (
        f"报告期 {shown} 不在 {report.label} 报告所需期间（{report.year - 1}年各期、"
        f"{report.year}年1-{report.month}月各期）内，未解析 / not among the periods the "
        f"{report} report reads (last year's and this year's to month {report.month}): "
        "not parsed"
    )


def _needed(head: SheetHead, report: Period, wanted: frozenset[Period]) -> bool:
    if head.period is None:
        return True
    if head.kind in YEAR_KINDS:
        return head.period.year == report.year
    return head.period in wanted


def refuse_oversized(path: Path, sheets: list[SheetHead], limit: int) -> None:
    """A sheet past the row limit stops the run in one line, before its parse."""
    for head in sheets:
        if head.rows > limit:
            raise InputFileError(
                path,
                f"工作表「{head.sheet}」有 {head.rows:,} 行，超过每张工作表 {limit:,} 行的上限"
                "（params/thresholds.yaml 的 max_rows_per_sheet）：请按地区或行业拆成几个文件，"
                f"或调高该上限 / sheet {head.sheet!r} has {head.rows:,} rows, over the limit of "
                f"{limit:,} (max_rows_per_sheet in params/thresholds.yaml): split the file or "
                "raise the limit",
            )
