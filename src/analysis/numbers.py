"""Numbers as bureaus type them: text with separators, full-width digits, dashes for none."""

import math
import re
import unicodedata

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
