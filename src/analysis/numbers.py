"""Numbers as bureaus type them: text with separators, full-width digits, dashes for none."""

import math
import re
import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

MISSING_MARKS = {"", "-", "--", "—", "——", "－", "/", "／", "…", "...", "无", "NA", "N/A"}
EXCEL_ERRORS = {"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class NotANumber(ValueError):
    """A cell meant to hold a number holds something else."""


def parse_number(value) -> float:
    """A cell as a float; NaN for an empty or 'not applicable' cell, never zero.

    Raises NotANumber for text that is not a number and for Excel error values.
    """
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise NotANumber(f"逻辑值 {value}")
    if isinstance(value, int | float):
        return float(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.upper() in EXCEL_ERRORS:
        raise NotANumber(f"Excel 错误值 {text}")
    if text in MISSING_MARKS:
        return math.nan
    cleaned = text.replace(",", "").replace(" ", "").replace("，", "")
    if _NUMBER.match(cleaned):
        return float(cleaned)
    raise NotANumber(f"不是数字：{text!r}")


def _plain_numbers(cells: pd.Series) -> pd.Series:
    """The cells that are decimal numbers, with or without thousands separators and
    surrounding spaces, converted in Arrow; NaN elsewhere."""
    text = pa.array(cells.astype("str"), type=pa.string(), from_pandas=True)
    text = pc.utf8_trim_whitespace(pc.replace_substring(text, ",", ""))
    plain = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    numbers = pc.cast(pc.if_else(plain, text, None), pa.float64())
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=cells.index, dtype="float64")


def parse_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A column of cells as floats, and per cell the reason it is not a number (else None).

    Plain numbers take the vectorised path; only cells that fail it (separators, full-width
    digits, dashes, text) go through parse_number, once per distinct value.
    """
    values = _plain_numbers(cells)
    reasons = pd.Series(None, index=cells.index, dtype=object)
    slow = cells.notna() & values.isna()
    if slow.any():
        parsed = {}
        for text in cells[slow].unique():
            try:
                parsed[text] = parse_number(text)
            except NotANumber as exc:
                parsed[text] = exc
        outcome = cells[slow].map(parsed)
        failed = outcome.map(lambda v: isinstance(v, NotANumber))
        values[slow] = outcome.where(~failed, np.nan).astype("float64")
        reasons[slow & failed.reindex(cells.index, fill_value=False)] = outcome[failed].map(str)
    return values, reasons


_DATE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*(?:[月./-]\s*(\d{1,2})\s*日?)?\s*月?$")


def parse_date(value) -> pd.Timestamp:
    """A date as bureaus write it: a real date, 2026-03-01, 2026年3月1日, 2026.3, 2026/3/1,
    or an Excel serial number; NaT for an empty cell. Raises NotANumber otherwise."""
    if value is None:
        return pd.NaT
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text in MISSING_MARKS:
        return pd.NaT
    if re.fullmatch(r"\d{5}(\.\d+)?", text) and 20000 < float(text) < 80000:
        return pd.Timestamp("1899-12-30") + pd.to_timedelta(float(text), unit="D")
    match = _DATE.match(text)
    if match:
        year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
        try:
            return pd.Timestamp(year, month, day)
        except ValueError as exc:
            raise NotANumber(f"不是有效日期：{text!r}") from exc
    try:
        return pd.Timestamp(text)
    except ValueError as exc:
        raise NotANumber(f"不是日期：{text!r}") from exc


def parse_dates(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A column of cells as dates, and per cell the reason it is not a date (else None)."""
    parsed, reasons = {}, {}
    for text in cells.dropna().unique():
        try:
            parsed[text] = parse_date(text)
        except NotANumber as exc:
            reasons[text] = str(exc)
    dates = pd.to_datetime(cells.map(parsed), errors="coerce")
    return dates, cells.map(reasons).where(cells.isin(list(reasons)), None)
