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
_PLAIN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


class NotANumber(ValueError):
    """A cell holds something other than what its column holds (a number, a date, 是/否…)."""


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


def _decimals(text: pa.Array) -> pa.Array:
    """Floats where the text is a plain decimal number, null elsewhere (in Arrow). A column
    of nothing but numbers casts at once; Arrow's own spellings of NaN and infinity are not
    numbers a bureau types, so a cast that yields them is redone cell by cell."""
    try:
        numbers = pc.cast(text, pa.float64())
    except pa.ArrowInvalid:
        pass
    else:
        if not pc.any(pc.invert(pc.is_finite(numbers))).as_py():
            return numbers
    plain = pc.match_substring_regex(text, _PLAIN)
    return pc.cast(pc.if_else(plain, text, pa.scalar(None, pa.string())), pa.float64())


def read_cells(text: pa.Array, read, missing=None) -> tuple[list, dict[int, str]]:
    """Each cell read by `read`, once per distinct value: the values (`missing` where a
    cell is empty or unreadable) and, by position, why a cell could not be read (the
    NotANumber `read` raised)."""
    cells = text.to_pylist()
    outcomes = {}
    for cell in set(cells) - {None}:
        try:
            outcomes[cell] = read(cell)
        except NotANumber as exc:
            outcomes[cell] = exc
    values, reasons = [], {}
    for i, cell in enumerate(cells):
        outcome = outcomes.get(cell, missing)
        if isinstance(outcome, NotANumber):
            reasons[i], outcome = str(outcome), missing
        values.append(outcome)
    return values, reasons


def parse_numbers(text: pa.Array) -> tuple[np.ndarray, dict[int, str]]:
    """A column of text cells as floats (NaN where missing), and by position the reason a
    cell is not a number.

    Plain numbers are converted in Arrow; then those with thousands separators or spaces;
    only the cells left (full-width digits, dashes, text) go through parse_number, once per
    distinct value.
    """
    values = _decimals(text).to_numpy(zero_copy_only=False)
    rest = np.flatnonzero(pc.is_valid(text).to_numpy(zero_copy_only=False) & np.isnan(values))
    reasons: dict[int, str] = {}
    if rest.size:
        stripped = pc.utf8_trim_whitespace(pc.replace_substring(text.take(rest), ",", ""))
        second = _decimals(stripped).to_numpy(zero_copy_only=False)
        values[rest] = second
        left = rest[np.isnan(second)]
        found, why = read_cells(text.take(left), parse_number, np.nan)
        values[left] = found
        reasons = {int(left[i]): reason for i, reason in why.items()}
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


def parse_dates(text: pa.Array) -> tuple[np.ndarray, dict[int, str]]:
    """A column of text cells as dates, and by position the reason a cell is not a date."""
    dates, reasons = read_cells(text, parse_date, pd.NaT)
    return pd.to_datetime(dates).to_numpy(dtype="datetime64[ns]"), reasons
