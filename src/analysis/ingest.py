"""The intake: every raw file read into one tidy firm × period table, nothing lost.

For each file: rows read = rows accepted + rows quarantined + rows recognised as totals,
notes or group labels. Row-level problems go to the quarantine table with file, sheet,
Excel row, column, value and reason; a file that cannot be used at all stops the intake.
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import params
from analysis.codes import credit_code_problem, normalize_credit_code
from analysis.errors import InputFileError
from analysis.numbers import NotANumber, parse_number
from analysis.reading import SheetTable, read_grid, read_sheet
from analysis.validation import failures

RAW_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
AMOUNT_FIELDS = ["revenue", "profit", "tax", "rd"]
VALUE_FIELDS = AMOUNT_FIELDS + ["employees"]
VALUE_COLUMNS = [f"{f}{s}" for f in VALUE_FIELDS for s in ("", "_prev")]
KEY = ["credit_code", "year", "month"]
SOURCE = ["source_file", "source_sheet", "source_row"]
QUARANTINE_COLUMNS = ["file", "sheet", "row", "column", "value", "reason_zh", "reason_en"]
NAME_KEY = "名称:"  # stands in for a missing credit code, so the firm is still counted
KIND_NAMES = {"indicators": "企业主要经济指标", "tax": "税收"}


@dataclass
class Intake:
    """The result of reading a raw folder."""

    panel: pd.DataFrame  # one row per firm × period, amounts in yuan
    quarantine: pd.DataFrame  # one row per rejected cell or row
    files: pd.DataFrame  # per-file accounting of rows
    matches: pd.DataFrame  # rows joined by firm name because their code matched no firm


def file_checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def normalize_name(name) -> str:
    """A firm name as compared across sources: folded width, no spaces, one legal suffix."""
    text = "".join(unicodedata.normalize("NFKC", str(name or "")).split())
    text = text.replace("(", "（").replace(")", "）")
    return re.sub(r"有限责任公司$", "有限公司", text)


def raw_files(raw_dir: Path) -> list[Path]:
    """Workbooks under the raw folder, in any sub-folder; temporary lock files excluded."""
    found = [
        p
        for p in Path(raw_dir).rglob("*")
        if p.is_file() and p.suffix.lower() in RAW_SUFFIXES and not p.name.startswith("~$")
    ]
    return sorted(found)


def _source_kind(table: SheetTable) -> str | None:
    if "revenue" in table.fields:
        return "indicators"
    if "tax" in table.fields:
        return "tax"
    return None


def _quarantine_entry(table, row, column, value, zh, en) -> dict:
    return dict(
        file=str(table.path),
        sheet=table.sheet,
        row=row,
        column=column,
        value=str(value),
        reason_zh=zh,
        reason_en=en,
    )


def _records(table: SheetTable, units: dict, kinds: dict) -> tuple[list[dict], list[dict]]:
    """The sheet's data rows as records in yuan, and the quarantine entries of bad rows."""
    records, rejected = [], []
    for excel_row, cells in table.rows:
        record = {
            "year": table.period[0],
            "month": table.period[1],
            "source_file": str(table.path),
            "source_sheet": table.sheet,
            "source_row": excel_row,
        }
        problems = []
        for col in table.columns:
            value = cells[col.index] if col.index < len(cells) else None
            target = f"{col.field}_prev" if col.previous else col.field
            kind = kinds[col.field]
            if kind in ("code", "text"):
                text = value if isinstance(value, str) else ("" if value in (None, "") else value)
                if kind == "code" and isinstance(value, float):
                    problems.append(
                        (
                            col.header,
                            value,
                            "信用代码被存为数字，已丢失位数",
                            "credit code stored as a number, digits lost",
                        )
                    )
                record[target] = (
                    normalize_credit_code(text) if kind == "code" else str(text).strip()
                )
                continue
            try:
                number = parse_number(value)
            except NotANumber as exc:
                problems.append((col.header, value, f"无法识别的数值（{exc}）", "not a number"))
                continue
            if kind == "amount":
                number *= units[col.unit or table.sheet_unit]
            record[target] = number
        if problems:
            rejected += [_quarantine_entry(table, excel_row, *p) for p in problems]
        else:
            records.append(record)
    return records, rejected


def _check_units(table: SheetTable, kinds: dict) -> None:
    amounts = [c for c in table.columns if kinds[c.field] == "amount"]
    unknown = [c.header for c in amounts if not (c.unit or table.sheet_unit)]
    if unknown:
        raise InputFileError(
            table.path,
            f"工作表「{table.sheet}」金额列 {', '.join(unknown)} 的单位无法确定"
            "（表头或“单位：万元”行中均未注明） / unit of amount columns not stated",
        )


def read_file(path: Path, spec: dict) -> list[SheetTable]:
    """The tables in one workbook; a workbook with none is refused by name."""
    tables = []
    for sheet, grid in read_grid(path).items():
        table = read_sheet(path, sheet, grid, spec)
        if table is not None and _source_kind(table):
            tables.append(table)
    if not tables:
        raise InputFileError(
            path, "未找到可识别的表头（企业名称/信用代码及指标列） / no recognisable header"
        )
    return tables


def _resolve_duplicates(records: pd.DataFrame) -> tuple[pd.DataFrame, list[dict], pd.Series]:
    """Exact repeats of a firm-period in one kind of source count once; conflicting ones
    are all quarantined. Returns the kept records, quarantine entries, and the files of
    the repeats merged away."""
    if records.empty:
        return records, [], pd.Series(dtype=str)
    values = [c for c in VALUE_COLUMNS if c in records]
    keys = ["kind"] + KEY
    versions = records.drop_duplicates(keys + values).groupby(keys).size()
    conflicting = versions[versions > 1].index
    conflict = pd.MultiIndex.from_frame(records[keys]).isin(conflicting)
    entries = [
        dict(
            file=r.source_file,
            sheet=r.source_sheet,
            row=r.source_row,
            column="",
            value=r.credit_code,
            reason_zh="同一企业同一期存在数值不同的重复行",
            reason_en="conflicting duplicate rows for one firm and period",
        )
        for r in records[conflict].itertuples()
    ]
    kept = records[~conflict]
    repeat = kept.duplicated(["kind"] + KEY, keep="first")
    return kept[~repeat], entries, kept.loc[repeat, "source_file"]


def _join_by_name(indicators: pd.DataFrame, tax: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tax rows whose code matches no firm take the code of the one firm with their name."""
    known = set(
        zip(indicators["credit_code"], indicators["year"], indicators["month"], strict=True)
    )
    unmatched = ~pd.Series(
        [k in known for k in zip(tax["credit_code"], tax["year"], tax["month"], strict=True)],
        index=tax.index,
    )
    by_name = indicators.assign(norm=indicators["name"].map(normalize_name))
    by_name = by_name.groupby("norm")["credit_code"].agg(lambda s: sorted(set(s)))
    matched = []
    for idx in tax.index[unmatched]:
        codes = by_name.get(normalize_name(tax.at[idx, "name"]), [])
        if len(codes) == 1:
            matched.append(
                dict(
                    file=tax.at[idx, "source_file"],
                    row=tax.at[idx, "source_row"],
                    name=tax.at[idx, "name"],
                    code_in_file=tax.at[idx, "credit_code"],
                    matched_code=codes[0],
                )
            )
            tax.at[idx, "credit_code"] = codes[0]
    return tax, pd.DataFrame(
        matched, columns=["file", "row", "name", "code_in_file", "matched_code"]
    )


def _panel(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Firm-indicator and tax records merged into one row per firm and period."""
    indicators = records[records["kind"] == "indicators"]
    tax = records[records["kind"] == "tax"].copy()
    tax, matches = _join_by_name(indicators, tax)
    tax_cols = KEY + ["name", "tax", "tax_prev", "source_file"]
    tax = tax.reindex(columns=tax_cols).rename(
        columns={"name": "tax_name", "source_file": "tax_source"}
    )
    panel = indicators.drop(columns=["tax", "tax_prev"], errors="ignore").merge(
        tax, on=KEY, how="outer", indicator="sources"
    )
    panel["name"] = panel["name"].fillna(panel.pop("tax_name"))
    panel["sources"] = (
        panel["sources"]
        .map({"both": "统计+税务", "left_only": "仅统计", "right_only": "仅税务"})
        .astype(str)
    )
    panel["industry"] = panel["industry"].replace("", np.nan).fillna("未归类")
    panel["code_problem"] = panel["credit_code"].map(
        lambda c: credit_code_problem("" if c.startswith(NAME_KEY) else c)
    )
    for col in VALUE_COLUMNS:
        panel[col] = panel.get(col, pd.Series(np.nan, index=panel.index)).astype("float64")
    ordered = KEY + ["name", "industry"] + VALUE_COLUMNS + ["code_problem", "sources"] + SOURCE
    return panel.reindex(columns=ordered + ["tax_source"]).sort_values(KEY).reset_index(
        drop=True
    ), matches


def ingest(raw_dir: Path, params_dir: Path = params.PARAMS_DIR) -> Intake:
    """Read every workbook under `raw_dir` into the tidy panel, quarantining bad rows."""
    spec = params.columns(params_dir)
    kinds = {f: d["kind"] for f, d in spec["fields"].items()}
    units = {k: float(v) for k, v in spec["units"].items()}
    paths = raw_files(raw_dir)
    if not paths:
        raise InputFileError(raw_dir, "目录中没有 .xlsx/.xls 文件 / no workbooks found")
    all_records, quarantine, accounting = [], [], []
    for path in paths:
        for table in read_file(path, spec):
            _check_units(table, kinds)
            records, rejected = _records(table, units, kinds)
            kind = _source_kind(table)
            for r in records:
                r["kind"] = kind
                if not r.get("credit_code"):
                    r["credit_code"] = NAME_KEY + normalize_name(r.get("name"))
            all_records += records
            quarantine += rejected
            accounting.append(
                dict(
                    file=str(path),
                    sheet=table.sheet,
                    kind=KIND_NAMES[kind],
                    period=f"{table.period[0]}年1-{table.period[1]}月",
                    rows_read=len(table.rows) + len(table.skipped),
                    rows_quarantined=len({q["row"] for q in rejected}),
                    rows_totals_notes=len(table.skipped),
                    sha256=file_checksum(path),
                )
            )
    records = pd.DataFrame(all_records)
    for col in VALUE_COLUMNS + ["name", "industry"]:
        if col not in records:
            records[col] = np.nan
    records[VALUE_COLUMNS] = records[VALUE_COLUMNS].astype("float64")
    checked = failures(records)
    for case in checked.itertuples():
        row = records.loc[case.index]
        quarantine.append(
            dict(
                file=row.source_file,
                sheet=row.source_sheet,
                row=row.source_row,
                column=case.column,
                value=case.value,
                reason_zh=case.reason_zh,
                reason_en=case.reason_en,
            )
        )
    records = records.drop(index=checked["index"].unique())
    records, conflicts, repeated_in = _resolve_duplicates(records)
    quarantine += conflicts
    quarantine = pd.DataFrame(quarantine, columns=QUARANTINE_COLUMNS)
    files = pd.DataFrame(accounting)
    bad_rows = quarantine.groupby(["file", "sheet"])["row"].nunique()
    files["rows_quarantined"] = [
        bad_rows.get((f, s), 0) for f, s in zip(files["file"], files["sheet"], strict=True)
    ]
    files["rows_accepted"] = (
        files["rows_read"] - files["rows_quarantined"] - files["rows_totals_notes"]
    )
    merged = repeated_in.value_counts()
    files["duplicates_merged"] = files["file"].map(merged).fillna(0).astype(int)
    panel, matches = _panel(records)
    return Intake(panel, quarantine, files, matches)
