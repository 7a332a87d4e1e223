"""Reporting periods and the arithmetic of cumulative year-to-date figures."""

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

KEYS = ["credit_code", "year"]
_CHINESE_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter; its figures are cumulative from January to `month`."""

    year: int
    quarter: int

    def __post_init__(self):
        if self.quarter not in (1, 2, 3, 4):
            raise ValueError(f"季度应为1-4，收到 {self.quarter}")

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """'2026Q3' (also '2026q3', '2026-Q3')."""
        match = re.fullmatch(r"\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*", str(text))
        if not match:
            raise ValueError(f"无法识别季度 {text!r}，应写作 2026Q3")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def month(self) -> int:
        return 3 * self.quarter

    @property
    def elapsed(self) -> float:
        """Share of the year gone by the quarter's end: the 序时进度 of a yearly target."""
        return self.quarter / 4

    @property
    def label(self) -> str:
        return f"{self.year}年1-{self.month}月"

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"


def period_from_text(text: str) -> tuple[int, int] | None:
    """(year, last month) of a cumulative period named in a title or file name, else None.

    Understands 2026年1-9月 (any dash), 2026年9月, 2026年三季度, 2026Q3, 2025年度.
    """
    text = str(text)
    patterns = [
        (r"(\d{4})\s*年\s*1\s*[-—–~～至到－]+\s*(\d{1,2})\s*月", lambda m: int(m.group(2))),
        (r"(\d{4})\s*年\s*(?:第)?([一二三四1-4])\s*季度", lambda m: 3 * _CHINESE_QUARTER[m[2]]),
        (r"(\d{4})\s*[-_ ]?[Qq]([1-4])", lambda m: 3 * int(m.group(2))),
        (r"(\d{4})\s*年\s*(\d{1,2})\s*月", lambda m: int(m.group(2))),
        (r"(\d{4})\s*年度", lambda m: 12),
    ]
    for pattern, month_of in patterns:
        match = re.search(pattern, text)
        if match:
            month = month_of(match)
            if 1 <= month <= 12:
                return int(match.group(1)), month
    return None


def quarter_values(panel: pd.DataFrame, column: str) -> pd.Series:
    """A period's own value: this cumulative figure less the previous one of the same year.

    The first period of a year is its own value. A firm missing the previous period of the
    year gets NaN rather than a cumulative figure passed off as a quarter.
    """
    ordered = panel.sort_values(KEYS + ["month"])
    previous = ordered.groupby(KEYS)[column].shift()
    previous_month = ordered.groupby(KEYS)["month"].shift()
    first = ordered["month"] == ordered.groupby(KEYS)["month"].transform("min")
    contiguous = (ordered["month"] - previous_month) == 3
    own = np.where(first & (ordered["month"] <= 3), ordered[column], np.nan)
    own = np.where(contiguous, ordered[column] - previous, own)
    return pd.Series(own, index=ordered.index, name=f"{column}_quarter").reindex(panel.index)


def growth(current, previous):
    """同比: relative change against 上年同期; NaN when there is no positive base."""
    current = pd.Series(current, dtype="float64")
    previous = pd.Series(previous, dtype="float64")
    rate = (current - previous) / previous
    return rate.where(previous > 0)


def project_full_year(
    panel: pd.DataFrame,
    quarter: Quarter,
    column: str,
    share_limits: tuple[float, float] = (0.5, 1.5),
) -> pd.DataFrame:
    """Full-year projection of a cumulative figure for every firm reporting at `quarter`.

    Seasonal: cumulative ÷ the share of last year's total the firm had done by the same
    month, when that history exists and the share lies within `share_limits` × m/12.
    Otherwise linear: cumulative × 12 / m. At Q4 the projection is the year's figure.
    Returns credit_code, the projection and the method used (seasonal / linear / actual).
    """
    now = panel[(panel["year"] == quarter.year) & (panel["month"] == quarter.month)]
    now = now[["credit_code", column]].set_index("credit_code")[column]
    last_year = panel[panel["year"] == quarter.year - 1]
    same_point = last_year[last_year["month"] == quarter.month].set_index("credit_code")[column]
    full = last_year[last_year["month"] == 12].set_index("credit_code")[column]
    share = (same_point / full).reindex(now.index)
    linear_share = quarter.month / 12
    lo, hi = share_limits
    usable = share.notna() & (share >= lo * linear_share) & (share <= min(1.0, hi * linear_share))
    if quarter.month == 12:
        projected, method = now, pd.Series("actual", index=now.index)
    else:
        projected = (now / share).where(usable, now / linear_share)
        method = pd.Series(np.where(usable, "seasonal", "linear"), index=now.index)
    return pd.DataFrame(
        {
            "credit_code": now.index,
            f"{column}_projected": projected.to_numpy(),
            f"{column}_method": method.to_numpy(),
        }
    )
