"""The intake: every raw file read into tidy tables, nothing lost, nothing executed.

For each sheet: rows read = rows accepted + rows quarantined + rows recognised as totals,
notes or group labels + rows of a version another file superseded (versions.py).
Row-level problems go to the quarantine table with file, sheet, Excel row, column, value
and reason; a file that cannot be used at all stops the intake
before anything is written. Parsed files are cached by checksum (see cache.py).
"""

import ctypes
import ctypes.util
import multiprocessing
import os
import re
import shutil
import threading
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

from analysis import params
from analysis.errors import InputFileError, ParamsError
from analysis.intake import cache, selection, sources, typos, versions
from analysis.intake.codes import credit_code_problems
from analysis.intake.dated import out_of_period
from analysis.intake.duplicates import (
    DUPLICATE_KEYS,
    KEY,
    REPEAT_COLUMNS,
    SOURCE,
    resolve_duplicates,
    sorted_by,
)
from analysis.intake.periods import Period
from analysis.intake.plausible import check_units
from analysis.intake.reading import (
    EXCEL_SUFFIXES,
    HEADER_SCAN_ROWS,
    Aliases,
    NoHeaderError,
    clean_text,
    find_table,
    header_diagnosis,
    read_grids,
)
from analysis.intake.records import QUARANTINE_COLUMNS, entry, table_records, where
from analysis.intake.validation import failures

RAW_SUFFIXES = EXCEL_SUFFIXES | {".csv"}
AMOUNT_FIELDS = ["revenue", "profit", "tax", "rd"]
VALUE_COLUMNS = [f"{f}{s}" for f in AMOUNT_FIELDS + ["employees"] for s in ("", "_prev")]
SOURCES = {"both": "统计+税务", "left_only": "仅统计", "right_only": "仅税务"}
READERS = 2  # reading processes at most: this suite runs on two-core machines
NAME_KEY = "名称:"  # stands in for a missing credit code, so the firm is still counted
FIRM_KINDS = ("tax", "projects", "platforms", "financing", "goals")
KIND_COLUMNS = {"project_kind": "kind", "platform_kind": "kind"}  # sources.py's names
FILE_COLUMNS = [
    "file",
    "sheet",
    "kind",
    "table",
    "period",
    "rows_read",
    "rows_accepted",
    "rows_quarantined",
    "rows_totals_notes",
    "rows_superseded",
    "duplicates_merged",
    "sha256",
]


@dataclass
class Intake:
    """The result of reading a raw folder: one tidy table per kind of source. The rows'
    file and sheet labels (FILE_LABELS) are categorical; as_text gives a table as written."""

    panel: pd.DataFrame  # firm × period: statistics and tax figures, amounts in yuan
    quarantine: pd.DataFrame  # one row per rejected cell
    files: pd.DataFrame  # per-sheet accounting of rows
    matches: pd.DataFrame  # rows joined to a firm by name because their code matched none
    unmatched: pd.DataFrame  # rows of firm sources that match no firm of the statistics
    projects: pd.DataFrame
    platforms: pd.DataFrame
    financing: pd.DataFrame
    returns: pd.DataFrame
    progress: pd.DataFrame  # the departments' rows on named items (visits, measures)
    versions: pd.DataFrame  # per source and period: which file stood, which were superseded
    revisions: pd.DataFrame  # what each standing version changed: figures, firms added, missing
    repeats: pd.DataFrame  # keys on several rows: renamed firms, tax summed, conflicts
    sheets: pd.DataFrame = field(default_factory=pd.DataFrame)  # every sheet: read or not, why
    reading: pd.DataFrame = field(
        default_factory=pd.DataFrame
    )  # every file: parsed, cached, skipped
    goals: pd.DataFrame = field(default_factory=pd.DataFrame)  # firms' own goals (对号入座)

    @classmethod
    def table_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


def _libc_trim():
    """glibc's malloc_trim, or None where the C library has none (macOS, musl)."""
    try:
        return ctypes.CDLL(ctypes.util.find_library("c")).malloc_trim
    except (AttributeError, OSError, TypeError):
        return None


_TRIM = _libc_trim()


def give_back() -> None:
    """Hand the memory of tables let go back to the system. glibc keeps freed blocks in
    the process's heap for reuse, so after a province's records (gigabytes) are let go the
    process would still hold their pages, and the next table would be built on top."""
    if _TRIM is not None:
        _TRIM(0)


def normalize_name(name) -> str:
    """A firm name as compared across sources: folded width, no spaces, one legal suffix."""
    text = "".join(unicodedata.normalize("NFKC", str(name or "")).split())
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(r"有限责任公司$", "有限公司", text)


# What str.split() splits on (str.isspace), in RE2's syntax; Arrow's \s is ASCII only.
_SPACE = (
    r"[\t-\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}"
    r"\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+"
)


def normalized_names(names: pd.Series) -> pa.Array:
    """normalize_name for a whole column at once, in Arrow; a missing name stays missing,
    so that it is never joined."""
    text = pc.utf8_normalize(pa.array(names, type=pa.string(), from_pandas=True), "NFKC")
    text = pc.replace_substring_regex(text, _SPACE, "")
    text = pc.replace_substring(pc.replace_substring(text, "(", "（"), ")", "）")
    return pc.replace_substring_regex(text, "有限责任公司$", "有限公司")


def raw_files(raw_dir: Path) -> list[Path]:
    """Workbooks and CSVs under the raw folder, in any sub-folder; Office lock files skipped,
    and so are the files in a superseded/ folder (listed by set_aside)."""
    return sorted(
        p
        for p in Path(raw_dir).rglob("*")
        if p.is_file()
        and p.suffix.lower() in RAW_SUFFIXES
        and not p.name.startswith(("~$", "."))
        and versions.SUPERSEDED_FOLDER not in p.relative_to(raw_dir).parts[:-1]
    )


def superseded_names(params_dir: Path) -> list[str]:
    """The files an economist declared superseded in params/superseded.yaml (optional)."""
    path = Path(params_dir) / versions.SUPERSEDED_PARAMS
    if not path.exists():
        return []
    try:
        names = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: YAML 格式错误 / not valid YAML: {exc}") from exc
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ParamsError(f"{path}: 应为文件名列表 / must be a list of file names")
    return names


def set_aside(raw_dir: Path, declared: list[str]) -> tuple[list[Path], pd.DataFrame]:
    """The raw files to read, and a listing of those not read because they were moved
    into a superseded/ folder or named in params/superseded.yaml."""
    kept, aside = [], []
    for path in raw_files(raw_dir):
        label = path.relative_to(raw_dir).as_posix()
        if label in declared or path.name in declared:
            aside.append((label, f"列于 params/{versions.SUPERSEDED_PARAMS}，未读取"))
        else:
            kept.append(path)
    for path in sorted(Path(raw_dir).rglob("*")):
        parts = path.relative_to(raw_dir).parts
        folder = versions.SUPERSEDED_FOLDER in parts[:-1]
        if path.is_file() and folder and path.suffix.lower() in RAW_SUFFIXES:
            aside.append(("/".join(parts), f"位于 {versions.SUPERSEDED_FOLDER}/ 目录，未读取"))
    listing = pd.DataFrame(
        [dict(file=label, status="未读取", rule=why) for label, why in aside],
        columns=versions.VERSION_COLUMNS,
    )
    return kept, listing


def _describer(raw_dir: Path, parsed: list[cache.Parsed], aliases: Aliases):
    """describe(file) → the file's Version: its name below the raw folder, its sheets'
    titles and the latest report date on them. The sheets are read again for this, which
    happens only for files that share a source and period with another file."""
    checksums = {str(p.path): p.sha256 for p in parsed}

    def describe(file: str) -> versions.Version:
        path = Path(file)
        titles, lines = [], []
        for grid in read_grids(path):
            table = find_table(grid, aliases)
            if table is None:
                continue
            rows = [list(r) for r in zip(*(c.to_pylist() for c in grid.cells.columns), strict=True)]
            texts = [" ".join(str(c) for c in row if c is not None) for row in rows]
            below = [*table.rows.tolist(), *table.skipped] or [len(rows) + 1]
            titles += texts[: min(below) - 1]
            lines += [texts[r - 1] for r, what in table.skipped.items() if what == "note"]
        label = path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else file
        title = clean_text(" ".join(titles))
        return versions.Version(
            file, label, title, versions.report_date(titles + lines), checksums.get(file, "")
        )

    return describe


def _validated(records: pd.DataFrame, table) -> tuple[pd.DataFrame, list[dict]]:
    """Records that pass the kind's schema, and an entry for every cell that fails it,
    naming the column by its header and the value as the sheet shows it."""
    if records.empty:
        return records, []
    failed = failures(records, table.kind)
    by_target = {(f"{c.field}_prev" if c.previous else c.field): c for c in table.columns}
    entries = []
    for case in failed.itertuples():
        row = int(records.at[case.index, "source_row"])
        column = by_target.get(case.column)
        shown = table.shown(row, column) if column else case.value
        entries.append(
            entry(
                table,
                row,
                where(column) if column else case.column,
                shown,
                case.reason_zh,
                case.reason_en,
            )
        )
    return (records.drop(index=failed["index"].unique()) if entries else records), entries


SHEET_COLUMNS = [
    "file",
    "sheet",
    "status",
    "rows_hidden",
    "column_choices",
    "period_from",
    "unit_from",
]
HIDDEN_SHEET = "隐藏，未读取"


def read_source(path: Path, aliases: Aliases, yuan_above: float) -> cache.Parsed:
    """One raw file's records, quarantine entries and row accounting, sheet by sheet, and
    what became of each sheet (hidden sheets are listed, never read)."""
    records, problems, accounting, sheets = [], [], [], []
    grids = read_grids(path)
    for grid in grids:
        table = None if grid.hidden else find_table(grid, aliases)
        status = HIDDEN_SHEET if grid.hidden else "已读取" if table else "无可识别的表"
        sheets.append(
            dict(
                file=str(path),
                sheet=grid.sheet,
                status=status,
                rows_hidden=table.hidden_rows if table else 0,
                column_choices="；".join(table.choices) if table else "",
                period_from=table.period_from if table else "",
                unit_from=table.unit_from if table else "",
            )
        )
        if table is None:
            continue
        rows, bad = table_records(table, aliases, yuan_above)
        rows, invalid = _validated(rows, table)
        dated = out_of_period(rows, table)
        rows = rows[~rows["source_row"].isin([d["row"] for d in dated])] if dated else rows
        bad += invalid + dated
        records.append(rows)
        problems += bad
        read, skipped = table.body.num_rows + len(table.skipped), len(table.skipped)
        quarantined = len({p["row"] for p in bad})
        period = (
            "按报告期列" if table.period is None else f"{table.period[0]}年1-{table.period[1]}月"
        )
        accounting.append(
            dict(
                file=str(path),
                sheet=grid.sheet,
                kind=aliases.tables[table.kind]["name"],
                table=table.kind,
                period=period,
                rows_read=read,
                rows_accepted=read - quarantined - skipped,
                rows_quarantined=quarantined,
                rows_totals_notes=skipped,
            )
        )
    if not accounting:
        raise NoHeaderError(path, header_diagnosis(grids, aliases))
    frame = pd.concat(records, ignore_index=True) if records else pd.DataFrame()
    return cache.Parsed(
        frame,
        pd.DataFrame(problems, columns=QUARANTINE_COLUMNS),
        pd.DataFrame(accounting),
        pd.DataFrame(sheets, columns=SHEET_COLUMNS),
    )


def _no_header(refused: list[NoHeaderError], raw_dir: Path) -> InputFileError:
    """One error naming every file without a recognisable header, and what to do."""
    advice = (
        f"表头须在工作表的前 {HEADER_SCAN_ROWS} 行内；如表头用了别的名称，请在 "
        "params/columns.yaml 相应字段的 aliases 中加入 / no recognisable header in the first "
        f"{HEADER_SCAN_ROWS} rows: add the column names as aliases in params/columns.yaml"
    )
    if len(refused) == 1:
        return InputFileError(refused[0].path, f"{refused[0].problem}。{advice}")
    listed = "；".join(f"{e.path}：{e.diagnosis}" for e in refused)
    return InputFileError(raw_dir, f"{len(refused)} 个文件未找到可识别的表头：{listed}。{advice}")


def _name_registry(indicators: pd.DataFrame) -> pa.Table:
    """Each normalised firm name of the statistics: how many distinct codes carry it
    (`candidates`) and the smallest of them (`code`, the firm's when there is one)."""
    pairs = pa.table(
        {
            "norm": normalized_names(indicators["name"]),
            "code": pa.array(indicators["credit_code"], type=pa.string(), from_pandas=True),
        }
    )
    pairs = pairs.filter(pc.is_valid(pairs["norm"]))
    grouped = pairs.group_by("norm").aggregate([("code", "count_distinct"), ("code", "min")])
    return pa.table(
        {
            "norm": grouped["norm"].combine_chunks(),
            "candidates": grouped["code_count_distinct"],
            "code": grouped["code_min"],
        }
    )


def _known_codes(indicators: pd.DataFrame) -> pa.Array:
    """The statistics' distinct credit codes, hashed once for every source joined to them."""
    return pc.unique(pa.array(indicators["credit_code"], type=pa.string(), from_pandas=True))


def _by_name(indicators: pd.DataFrame, rows: pd.DataFrame, kind: str, known: pa.Array):
    """Rows whose code matches no firm (`known`: _known_codes(indicators)) take the code of
    the one firm with their name; rows that still match none (no firm, or several, of that
    name) are returned as unmatched, never dropped. Vectorised over the whole panel: a hash
    lookup of codes, one count of codes per name, one lookup of the strangers' names."""
    codes = pa.array(rows["credit_code"], type=pa.string(), from_pandas=True)
    strangers = np.flatnonzero(~pc.is_in(codes, value_set=known).to_numpy(zero_copy_only=False))
    if not strangers.size:
        return rows, [], []
    found = rows.iloc[strangers]
    names = found["name"] if "name" in found else pd.Series(None, index=found.index, dtype=object)
    registry = _name_registry(indicators)
    at = pc.index_in(normalized_names(names), value_set=registry["norm"])
    candidates = pc.take(registry["candidates"], at).fill_null(0).to_numpy()
    code = pc.take(registry["code"], at).to_numpy(zero_copy_only=False)
    origin = pd.DataFrame(
        {
            "kind": kind,
            "file": found["source_file"].to_numpy(),
            "row": found["source_row"].to_numpy(),
            "name": names.to_numpy(),
        }
    )
    one = candidates == 1
    matched = origin[one].assign(
        code_in_file=found["credit_code"].to_numpy()[one], matched_code=code[one]
    )
    unmatched = origin[~one].assign(
        credit_code=found["credit_code"].to_numpy()[~one], candidates=candidates[~one]
    )
    joined = found.index[one]
    rows.loc[joined, "credit_code"] = code[one]
    rows.loc[joined, "code_problem"] = credit_code_problems(pd.Series(code[one])).to_numpy()
    return rows, matched.to_dict("records"), unmatched.to_dict("records")


# The tax row's own columns in the panel; its file and row name a firm only tax reports.
TAX_ORIGIN = {
    "name": "tax_name",
    "code_problem": "tax_problem",
    "source_file": "tax_source",
    "source_row": "tax_row",
}


def _panel(merged: list[pd.DataFrame]) -> pd.DataFrame:
    """Statistics and tax records ([indicators, tax], taken out of the list so that they
    are let go once merged) merged into one row per firm and period."""
    indicators, tax = merged
    merged.clear()
    give_back()  # what settling versions, repeats and names left behind
    indicators = indicators.drop(columns=["tax", "tax_prev"], errors="ignore")
    if tax.empty:  # nothing to join: every firm is reported by the statistics alone
        panel = indicators.assign(sources=SOURCES["left_only"], tax_source=None)
    else:
        taken = ["name", "tax", "tax_prev", "code_problem", "source_file", "source_row"]
        tax = tax.reindex(columns=KEY + taken).rename(columns=TAX_ORIGIN)
        like = indicators["credit_code"].dtype
        (left, right), texts = _ranked_codes(indicators["credit_code"], tax["credit_code"])
        sides = [indicators.assign(credit_code=left), tax.assign(credit_code=right)]
        del indicators, tax, left, right
        panel = _outer_merge(sides)
        give_back()
        panel["credit_code"] = _code_texts(panel["credit_code"], texts, like)
        panel["name"] = panel["name"].fillna(panel.pop("tax_name"))
        problem = panel["code_problem"].astype(object)  # all missing is float, not text
        panel["code_problem"] = problem.fillna(panel.pop("tax_problem"))
        panel["sources"] = _text(panel["sources"].map(SOURCES))
    industry = panel["industry"].astype("str")
    panel["industry"] = industry.where(industry.notna() & (industry != ""), "未归类")
    ordered = KEY + ["name", "industry"] + VALUE_COLUMNS + ["code_problem", "sources"] + SOURCE
    panel = panel.reindex(columns=ordered + ["tax_source", "tax_row"])
    panel[VALUE_COLUMNS] = panel[VALUE_COLUMNS].astype("float64")
    return sorted_by(panel, KEY)


def _outer_merge(sides: list[pd.DataFrame]) -> pd.DataFrame:
    """left.merge(right, on=KEY, how="outer", indicator="sources") for [left, right] (taken
    out of the list), holding less than the merge: the keys are merged alone, then each
    side's other columns are taken at the rows the merge paired, as the merge takes them
    (a missing row filled as it fills it), and each side is let go once taken. A province's
    statistics and tax tables are its largest (4M rows each): the merge held both beside
    its output."""
    left, right = sides
    sides.clear()
    keys = _dense_outer(left[KEY], right[KEY])
    if keys is None:
        keys = (
            left[KEY]
            .assign(_left=np.arange(len(left)))
            .merge(
                right[KEY].assign(_right=np.arange(len(right))),
                on=KEY,
                how="outer",
                indicator="sources",
            )
        )
    at = [keys.pop(c).fillna(-1).to_numpy(dtype=np.int64) for c in ("_left", "_right")]
    taken = [_rows_at(left, at[0])]
    del left
    taken.append(_rows_at(right, at[1]))
    del right
    return pd.concat([keys[KEY], *taken, keys["sources"]], axis=1)


MERGE_SOURCES = ["left_only", "right_only", "both"]  # a merge's indicator categories
MAX_SLOTS = 2**25  # firms × periods a dense join may number (two int32 arrays of it)


def _dense_outer(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame | None:
    """left.merge(right, on=KEY, how="outer", indicator="sources") with the rows' positions
    (_left, _right; -1 for none), for keys of integers (code ranks, year, month) unique on
    each side: every firm and period numbered as one slot, in the order of the keys, so the
    join is two scatters and one scan, without the merge's hashing and sorting of 8 million
    keys. None (the merge is used) when a side repeats a key (a tax row joined by name to a
    firm that has its own), a column is not of integers or both sides' types, or the slots
    would be too many."""
    columns = [[side[c].to_numpy() for c in KEY] for side in (left, right)]
    if not all(np.issubdtype(c.dtype, np.integer) for side in columns for c in side):
        return None
    if any(a.dtype != b.dtype for a, b in zip(*columns, strict=True)):
        return None
    code, year, month = (np.concatenate(c) for c in zip(*columns, strict=True))
    if not len(code) or min(code.min(), year.min(), month.min()) < 0 or month.max() > 15:
        return None
    period = (year.astype(np.int64) << 4) | month
    periods = np.sort(pd.unique(period))
    slots = (int(code.max()) + 1) * len(periods)
    if slots > MAX_SLOTS:
        return None
    slot = code.astype(np.int64) * len(periods) + np.searchsorted(periods, period)
    at = []
    for part in (slot[: len(left)], slot[len(left) :]):
        rows = np.full(slots, -1, dtype=np.int32)
        rows[part] = np.arange(len(part), dtype=np.int32)
        if np.count_nonzero(rows >= 0) != len(part):  # a key on two rows
            return None
        at.append(rows)
    filled = np.flatnonzero((at[0] >= 0) | (at[1] >= 0))
    left_at, right_at = at[0][filled], at[1][filled]
    which = np.where(left_at < 0, 1, np.where(right_at < 0, 0, 2))
    found = periods[filled % len(periods)]
    return pd.DataFrame(
        {
            "credit_code": (filled // len(periods)).astype(columns[0][0].dtype),
            "year": (found >> 4).astype(columns[0][1].dtype),
            "month": (found & 15).astype(columns[0][2].dtype),
            "_left": left_at.astype(np.int64),
            "_right": right_at.astype(np.int64),
            "sources": pd.Categorical.from_codes(which, categories=MERGE_SOURCES),
        }
    )


def _rows_at(side: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """A side's columns but the keys, at the given row positions (-1: no row, filled as a
    merge fills it: missing, integers as floats)."""
    return side.drop(columns=KEY).reset_index(drop=True).reindex(rows).reset_index(drop=True)


def _ranked_codes(*columns: pd.Series) -> tuple[list[np.ndarray], pa.Array]:
    """Each column's credit codes as integers that sort as their text does (a missing code
    last), and the texts in that order: a merge on integers spares hashing the text of
    both sides again, and its output comes in the order of the text."""
    text = [pa.array(c, type=pa.string(), from_pandas=True) for c in columns]
    chunks = [part for t in text for part in (t.chunks if isinstance(t, pa.ChunkedArray) else [t])]
    encoded = pc.dictionary_encode(pa.chunked_array(chunks, type=pa.string()).combine_chunks())
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = len(order)  # missing
    codes = rank[encoded.indices.fill_null(len(order)).to_numpy()]
    bounds = np.cumsum([0] + [len(c) for c in columns])
    texts = pc.take(encoded.dictionary, pa.array(order))
    return [codes[start:end] for start, end in zip(bounds[:-1], bounds[1:], strict=True)], texts


def _code_texts(codes: pd.Series, texts: pa.Array, like) -> pd.Series:
    """_ranked_codes' integers back to the codes' text, of the dtype `like`."""
    ranks = codes.to_numpy()
    found = pc.take(texts, pa.array(ranks, mask=ranks == len(texts)))
    return pd.Series(pd.array(found, dtype=like), index=codes.index, name=codes.name)


def _source_table(rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """A source's rows under the column names sources.py declares, with their origin."""
    columns = {**sources.COLUMNS, "goals": sources.GOAL_COLUMNS}[kind] + SOURCE
    if rows.empty:  # not reported: empty, but with text columns still text
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    named = rows.drop(columns="kind", errors="ignore").rename(columns=KIND_COLUMNS)
    return named.reindex(columns=columns).reset_index(drop=True)


FILE_LABELS = ("source_file", "source_sheet", "tax_source")  # categorical in the intake


def as_text(table: pd.DataFrame) -> pd.DataFrame:
    """A table of the intake with its file and sheet labels as text, as it is written.
    The intake keeps them categorical (a few hundred files name millions of rows: as text
    they held about a gigabyte of a province's run); their categories are in text order,
    so that sorting and grouping on them go as on the text."""
    labels = [c for c in FILE_LABELS if c in table]
    return table.assign(**{c: _text(table[c]) for c in labels if table[c].dtype == "category"})


def _text(labels: pd.Series) -> pd.Series:
    """A categorical column as text, taken from its categories in Arrow (astype(str)
    would make a Python string of every row)."""
    categories = labels.cat.categories.astype("str").array
    texts = categories.take(labels.cat.codes.to_numpy(), allow_fill=True)
    return pd.Series(texts, index=labels.index, name=labels.name)


@dataclass(frozen=True)
class _Refusal:
    """A file that cannot be used, as a reading process hands it back (an InputFileError
    does not survive pickling); rebuilt as the error in the main process."""

    path: Path
    problem: str
    diagnosis: str | None  # set for a file without a recognisable header

    def error(self) -> InputFileError:
        if self.diagnosis is None:
            return InputFileError(self.path, self.problem)
        return NoHeaderError(self.path, self.diagnosis)


def _read(
    path: Path, checksums: dict, stamps: dict, spec: dict, aliases: Aliases, staging: Path | None
):
    """One raw file parsed, its cache entry staged unless the file changed since it was
    hashed (then the checksum names other bytes); or its refusal."""
    try:
        found = read_source(path, aliases, float(spec["yuan_if_median_revenue_above"]))
    except InputFileError as exc:
        return _Refusal(exc.path, exc.problem, getattr(exc, "diagnosis", None))
    found.path, found.sha256, found.fresh = path, checksums[path], True
    if staging and cache.unchanged(path, stamps[path]):
        return _Staged(cache.stage(found, spec, staging))
    return found


@dataclass
class _Staged:
    """A file parsed and staged by a reading process, handed back as its entry: read back
    mapped (_parsed_now), not pickled. Unpickling a province's parses took the run 5
    CPU-seconds while the readers worked, and left frames slower to join than the cache's."""

    entry: Path


def _parsed_now(found, path: Path, sha256: str):
    """What `_read` handed back, a staged file read back from its entry; None if the entry
    is gone (the file is then read again)."""
    if not isinstance(found, _Staged):
        return found
    back = cache.load(found.entry, path, sha256)
    if back is not None:
        back.fresh = True
    return back


READING_COLUMNS = ["file", "kind", "period", "action", "reason"]
PARSED, CACHED, SKIPPED = "解析", "取自缓存", "未解析"


def _needed(
    paths: list[Path], raw_dir: Path, aliases: Aliases, period, limit: int, remembered, checksums
):
    """The files a report of `period` reads (every file when it is None; 'latest': the
    newest the statistics and tax heads name), each held to the row limit before its
    parse; one row per file skipped, with why (selection.py); and the heads to remember
    (selection.remember) where `remembered` (cache.heads_file) keeps them, else {}."""
    heads_of, heads_kept = selection.heads_of(paths, aliases, limit, remembered, checksums)
    report = selection.latest(heads_of) if period == "latest" else period
    kept, skipped = [], []
    for path, sheets in heads_of.items():
        why = selection.skip_reason(sheets, report) if report else None
        if why is None:
            selection.refuse_oversized(path, sheets, limit)
            kept.append(path)
            continue
        table = next(h for h in sheets if h.kind is not None)
        label = path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path)
        skipped.append(
            dict(
                file=label,
                kind=table.kind,
                year=table.period.year,
                month=table.period.month,
                status="未读取",
                rule=why,
                path=str(path),
                period=table.period.label,
            )
        )
    skipped = pd.DataFrame(skipped, columns=[*versions.VERSION_COLUMNS, "path", "period"])
    return kept, skipped, heads_kept


def _reading(parsed: list[cache.Parsed], skipped: pd.DataFrame) -> pd.DataFrame:
    """Every raw file of the run and what was done with it: parsed now, taken from the
    cache (parsed by an earlier run), or not parsed and why."""
    rows = [
        dict(
            file=str(p.path),
            kind="、".join(dict.fromkeys(p.files["table"])) if "table" in p.files else "",
            period="、".join(dict.fromkeys(p.files["period"])) if "period" in p.files else "",
            action=PARSED if p.fresh else CACHED,
            reason="",
        )
        for p in parsed
    ]
    rows += [
        dict(file=r.path, kind=r.kind, period=r.period, action=SKIPPED, reason=r.rule)
        for r in skipped.itertuples()
    ]
    return pd.DataFrame(rows, columns=READING_COLUMNS)


def _readers(paths: list[Path], alongside: bool) -> int:
    """Reading processes: one per core the run may use, at most one per file; none for a
    lone file unless this process has work of its own `alongside` meanwhile."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(READERS, cores or 1, len(paths))
    return workers if workers > 1 or (alongside and (cores or 1) > 1) else 0


def _read_all(paths: list[Path], read, meanwhile) -> tuple[list, dict]:
    """`read` over every file, in separate processes when there are cores for it (a
    workbook's parse holds the interpreter), and what `meanwhile()` returns, called in this
    process while they parse. Largest files are handed out first, so the processes finish
    together; results come back in the order of `paths` whatever order the processes
    finish in, so the tables built from them do not depend on it."""
    workers = _readers(paths, alongside=meanwhile is not None)
    if not workers:
        return [read(p) for p in paths], meanwhile() if meanwhile else {}
    by_size = sorted(range(len(paths)), key=lambda i: -paths[i].stat().st_size)
    with reader_pool(workers) as pool:
        futures = {i: pool.submit(read, paths[i]) for i in by_size}
        done = meanwhile() if meanwhile else {}
        return [futures[i].result() for i in range(len(paths))], done


def _from_cache_or_read(paths: list[Path], checksums: dict, spec: dict, cache_dir, read) -> list:
    """Each file as parsed before, from its cache entry, else parsed now by `read`: the
    reading processes parse the files the cache lacks while this process loads the others.
    In the order of `paths`."""
    entries = {p: cache.entry(p, checksums[p], spec, cache_dir) for p in paths} if cache_dir else {}
    stored = {p: e for p, e in entries.items() if e is not None}
    new = [p for p in paths if p not in stored]

    def load() -> dict:
        return {p: cache.load(e, p, checksums[p]) for p, e in stored.items()}

    parsed, loaded = _read_all(new, read, load if stored else None)
    found = loaded | {p: _parsed_now(f, p, checksums[p]) for p, f in zip(new, parsed, strict=True)}
    again = {p: _parsed_now(read(p), p, checksums[p]) for p in paths if found[p] is None}
    return [found[p] if found[p] is not None else again[p] for p in paths]


def reader_pool(workers: int) -> ProcessPoolExecutor:
    """Reading processes that end with the run that started them."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(
        workers, mp_context=context, initializer=_end_with_parent, initargs=(os.getpid(),)
    )


def _end_with_parent(parent: int) -> None:
    """A reader whose run is gone (killed, say, by a scheduler's time limit) would wait for
    work for ever, holding its memory: it ends when its parent changes."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def ingest(
    raw_dir: Path,
    params_dir: Path = params.PARAMS_DIR,
    cache_dir: Path | None = None,
    period: Period | str | None = None,
) -> Intake:
    """Read the workbooks under `raw_dir` into the intake's tables; with `cache_dir`,
    files parsed before are taken from the cache and new ones stored there. With a
    `period` (a Period, or 'latest'), only the files a report of it reads are parsed
    (selection.needed_periods); without, every file."""
    spec = params.columns(params_dir)
    aliases = Aliases(spec)
    raw_dir = Path(raw_dir)
    paths, aside = set_aside(raw_dir, superseded_names(params_dir))
    thresholds = params.thresholds(params_dir)
    tax_rule = thresholds["tax_rows_of_one_taxpayer"]
    if not paths:
        raise InputFileError(raw_dir, "目录中没有 .xlsx/.xls/.csv 文件 / no workbooks found")
    limit = thresholds["max_rows_per_sheet"]
    checksums, stamps, stamps_kept = cache.checksums(paths, cache_dir)
    remembered = cache.heads_file(cache_dir, spec, limit) if cache_dir else None
    paths, skipped, heads_kept = _needed(
        paths, raw_dir, aliases, period, limit, remembered, checksums
    )
    staging = cache.staging_for(cache_dir) if cache_dir else None
    read = partial(
        _read, checksums=checksums, stamps=stamps, spec=spec, aliases=aliases, staging=staging
    )
    try:
        outcomes = _from_cache_or_read(paths, checksums, spec, cache_dir, read)
        parsed, refused = [], []
        for found in outcomes:  # in file order: the same file is named as when read in turn
            if isinstance(found, _Refusal) and found.diagnosis is None:
                raise found.error()
            (refused if isinstance(found, _Refusal) else parsed).append(found)
        if refused:  # every file without a header is named, not only the first
            raise _no_header([r.error() for r in refused], raw_dir)
        for found in parsed:  # checked after the cache, so a changed threshold still counts
            check_units(found.records, found.sheets, thresholds["above_size_revenue_yuan"])
    except BaseException:
        if staging:  # a refused file leaves the cache as it was
            shutil.rmtree(staging, ignore_errors=True)
        raise
    if staging:  # only now, every file read, does anything enter the cache
        cache.commit(staging, cache_dir)
        selection.remember(remembered, heads_kept)
        cache.remember(cache_dir, stamps_kept)
        cache.prune(cache_dir, spec)  # entries no run of this code can read
    describe = _describer(raw_dir, parsed, aliases)
    listed = pd.concat([aside, skipped[aside.columns]]) if len(skipped) else aside
    intake = _assemble(parsed, spec, describe, listed, tax_rule)
    intake.sheets = pd.concat([p.sheets for p in parsed], ignore_index=True)
    intake.reading = _reading(parsed, skipped)
    give_back()
    return intake


def _superseded_rows(
    superseded: pd.DataFrame, quarantine: list[pd.DataFrame], held: pd.Series
) -> tuple[pd.Series, list[pd.DataFrame]]:
    """Rows per (file, sheet) that a later version replaced, and the quarantine without the
    entries of files replaced in every period they hold (`held`: rows read per file; their
    problems are moot)."""
    counts = superseded.groupby(["source_file", "source_sheet"], observed=True).size()
    gone = {
        f
        for f, n in superseded.groupby("source_file", observed=True).size().items()
        if n == held.get(f, 0)
    }
    moot = [q[q["file"].isin(gone)] for q in quarantine]
    moot = pd.concat([m for m in moot if not m.empty] or [pd.DataFrame(columns=["file"])])
    if not moot.empty:
        extra = moot.groupby(["file", "sheet"])["row"].nunique()
        counts = counts.add(extra.rename_axis(counts.index.names), fill_value=0)
    return counts, [q[~q["file"].isin(gone)] for q in quarantine]


LABELS = ["kind", "source_file", "source_sheet"]  # one value per table: categorical


def _label_categories(frames: list[pd.DataFrame]) -> dict[str, pd.Index]:
    """The values of each label column over every file, in text order, so that the frames
    of all files share one categorical type (concatenated without recoding, and grouped
    in the order their text would be)."""
    found = {c: set() for c in LABELS}
    for frame in frames:
        for c in LABELS:
            if c in frame:
                column = frame[c]
                values = column.cat.categories if column.dtype == "category" else column.unique()
                found[c].update(str(v) for v in values)
    return {c: pd.Index(sorted(v), dtype="str") for c, v in found.items()}


def _recoded(labels: pd.Series, categories: pd.Index) -> pd.Categorical:
    """A label column as a categorical of the given categories; one already categorical
    (as tables come) is recoded through its few categories, not row by row."""
    if labels.dtype != "category":
        return pd.Categorical(labels, categories=categories)
    codes = labels.cat.codes.to_numpy()
    mapped = categories.get_indexer(labels.cat.categories.astype(str))[codes]
    return pd.Categorical.from_codes(np.where(codes < 0, -1, mapped), categories=categories)


def _records_by_kind(parsed: list[cache.Parsed]) -> dict[str, pd.DataFrame]:
    """Every file's records, one frame per kind of table, in the column order one frame of
    all kinds would give them; the columns that settling versions and repeats read (codes,
    names, keys) are there even when the kind's tables lack them (empty, of the type other
    tables give them), as in one frame of all kinds. Joining kind by kind spares the
    reindexing of every text column that one frame of all kinds costs. Rows without a
    credit code take their normalised name as the key, so the firm is still counted (not
    the rows of item returns, where a measure has no code and a firm's row names a list).
    Each file's records are let go once taken (its Parsed keeps an empty table), and each
    kind's files once joined, so that the run never holds the records twice."""
    frames = [p.records for p in parsed if not p.records.empty]
    for p in parsed:
        p.records = pd.DataFrame()
    order = list(dict.fromkeys(c for f in frames for c in f.columns))
    types = {c: f[c].dtype for f in reversed(frames) for c in f.columns}
    categories = _label_categories(frames)
    by_kind: dict[str, list[pd.DataFrame]] = {}
    for frame in frames:
        frame = frame.assign(**{c: _recoded(frame[c], categories[c]) for c in LABELS if c in frame})
        kinds = frame["kind"].cat.codes.to_numpy()
        if (kinds == kinds[0]).all():  # a file of one kind of table, the usual: no copy
            by_kind.setdefault(frame["kind"].iat[0], []).append(frame)
            continue
        for kind, rows in frame.groupby("kind", observed=True, sort=False):
            by_kind.setdefault(kind, []).append(rows)
    frames.clear()
    kinds = {}
    for kind in list(by_kind):
        joined = pd.concat(by_kind.pop(kind), ignore_index=True)
        read = {"credit_code", "name", *DUPLICATE_KEYS[kind], *versions.SOURCE_KEYS.get(kind, [])}
        absent = (read & set(order)) - set(joined)
        joined = joined.assign(**{c: pd.Series(index=joined.index, dtype=types[c]) for c in absent})
        joined = joined[[c for c in order if c in joined]]
        if "credit_code" in joined and kind != "progress":  # an item return names measures
            no_code = joined["credit_code"].fillna("") == ""
            if no_code.any():  # else spares a copy of the column
                joined.loc[no_code, "credit_code"] = NAME_KEY + joined.loc[no_code, "name"].map(
                    normalize_name
                )
        kinds[kind] = joined
    give_back()  # each file's copy of the records
    return kinds


def _assemble(
    parsed: list[cache.Parsed], spec: dict, describe, aside: pd.DataFrame, tax_rule: str
) -> Intake:
    """The intake's tables from the files' records: versions settled, duplicates resolved,
    sources joined, kind by kind."""
    by_kind = _records_by_kind(parsed)
    quarantine = [p.quarantine for p in parsed]
    files = pd.concat([p.files for p in parsed], ignore_index=True)
    kind_names = {k: rule["name"] for k, rule in spec["kinds"].items()}
    settled = {
        kind: versions.resolve(by_kind[kind], describe, kind_names) for kind in sorted(by_kind)
    }
    versions_read = _stacked([s[2] for s in settled.values()], versions.VERSION_COLUMNS)
    revisions = _stacked([s[3] for s in settled.values()], versions.CHANGE_COLUMNS)
    counts = [r["source_file"].value_counts(sort=False) for r in by_kind.values()]
    held = pd.concat(counts).groupby(level=0).sum() if counts else pd.Series(dtype=int)
    del by_kind, counts  # the records live on in `settled` alone
    superseded_counts, quarantine = _superseded_rows(
        _stacked([s[1] for s in settled.values()], SOURCE), quarantine, held
    )
    kept, merged_from, repeated_keys = {}, [], []
    for kind in spec["kinds"]:
        rows = settled[kind][0].dropna(axis=1, how="all") if kind in settled else pd.DataFrame()
        rows, conflicts, merged, report = resolve_duplicates(rows, kind, tax_rule)
        kept[kind] = rows
        quarantine.append(pd.DataFrame(conflicts, columns=QUARANTINE_COLUMNS))
        merged_from.append(merged)
        repeated_keys.append(report)
    del settled, rows  # the records live on in `kept` alone
    kept.setdefault("goals", pd.DataFrame())  # a columns.yaml without the goals' kind
    indicators = kept.pop("indicators").reindex(
        columns=KEY + ["name", "industry"] + VALUE_COLUMNS + ["code_problem"] + SOURCE
    )
    indicators, matches = typos.rekey(indicators, kept["tax"], normalize_name)
    unmatched, known = [], _known_codes(indicators)
    for kind in FIRM_KINDS:
        if not kept[kind].empty and "credit_code" in kept[kind]:
            kept[kind], found, lost = _by_name(indicators, kept[kind], kind, known)
            matches += found
            unmatched += lost
    quarantine = pd.concat(
        [q for q in quarantine if not q.empty] or [pd.DataFrame(columns=QUARANTINE_COLUMNS)],
        ignore_index=True,
    )
    bad_rows = quarantine.groupby(["file", "sheet"])["row"].nunique()
    files["rows_quarantined"] = [
        int(bad_rows.get(k, 0)) for k in zip(files["file"], files["sheet"], strict=True)
    ]
    files["rows_superseded"] = [
        int(superseded_counts.get(k, 0)) for k in zip(files["file"], files["sheet"], strict=True)
    ]
    files["rows_accepted"] = (
        files["rows_read"]
        - files["rows_quarantined"]
        - files["rows_totals_notes"]
        - files["rows_superseded"]
    )
    repeats = pd.concat(merged_from).value_counts()
    files["duplicates_merged"] = files["file"].map(repeats).fillna(0).astype(int)
    files["sha256"] = files["file"].map({str(p.path): p.sha256 for p in parsed})
    merged = [indicators, kept.pop("tax")]
    del indicators  # _panel lets the two go once merged
    return Intake(
        panel=_panel(merged),
        quarantine=quarantine,
        files=files[FILE_COLUMNS],
        matches=pd.DataFrame(
            matches, columns=["kind", "file", "row", "name", "code_in_file", "matched_code"]
        ),
        unmatched=pd.DataFrame(
            unmatched, columns=["kind", "file", "row", "name", "credit_code", "candidates"]
        ),
        **{kind: _source_table(kept[kind], kind) for kind in sources.COLUMNS},
        goals=_source_table(kept["goals"], "goals"),
        versions=_with_period(pd.concat([versions_read, aside], ignore_index=True)),
        revisions=_with_period(revisions),
        repeats=_with_period(
            pd.concat(
                [r for r in repeated_keys if not r.empty] or [pd.DataFrame(columns=REPEAT_COLUMNS)],
                ignore_index=True,
            )
        ),
    )


def _stacked(tables: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The tables one below the other; empty ones left out, and with none, an empty table."""
    tables = [t for t in tables if not t.empty]
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)


def _with_period(table: pd.DataFrame) -> pd.DataFrame:
    """A report table with its year and month as integers (missing for unread files)."""
    return table.astype({"year": "Int64", "month": "Int64"})
