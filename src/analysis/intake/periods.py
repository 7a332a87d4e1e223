"""Reporting periods and the arithmetic of cumulative year-to-date figures.

pandas and numpy are imported by the functions that compute with them: naming a period
(the command line, a reused report) needs neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

KEYS = ["credit_code", "year"]
_CHINESE_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DASH = r"[-—–~～至到－]+"
_SPELLINGS = (  # how a user may name a period: (pattern, month from the match)
    (r"(\d{4})\s*-?\s*[Qq]([1-4])", lambda m: 3 * int(m[2])),
    (r"(\d{4})\s*[-/]\s*(\d{1,2})", lambda m: int(m[2])),
    (r"(\d{4})\s*[Mm]\s*(\d{1,2})", lambda m: int(m[2])),
    (rf"(\d{{4}})\s*年\s*(?:1\s*{_DASH}\s*)?(\d{{1,2}})\s*月", lambda m: int(m[2])),
    (r"(\d{4})\s*年\s*(?:第)?([一二三四1-4])\s*季度", lambda m: 3 * _CHINESE_QUARTER[m[2]]),
)


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: figures cumulative from January to the end of `month`.

    The bureaus publish 1-2月 first (January alone is not published), then every month to
    1-12月. A quarter-end period is named as its quarter (2026Q3, the folder name kept from
    quarterly reports); any other by its month (2026-10).
    """

    year: int
    month: int

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"月份应为1-12，收到 {self.month}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2026-10', '2026M10', '2026年1-10月', '2026年10月', or a quarter: '2026Q3',
        '2026年三季度' (the quarter's last month, 2026-09)."""
        for pattern, month_of in _SPELLINGS:
            match = re.fullmatch(rf"\s*{pattern}\s*", str(text))
            if match:
                return cls(int(match[1]), month_of(match))
        raise ValueError(
            f"无法识别报告期 {text!r}，"
            "应写作 2026-10、2026年1-10月、2026M10 或 2026Q3（即 2026-09）"
        )

    @classmethod
    def of(cls, year: int, month: int, quarter: int | None = None) -> Period:
        """The period a notebook's parameters name: `year` and `month`, or `quarter` (the
        parameter of reports made before monthly periods, which wins when given)."""
        if quarter is not None:
            if int(quarter) not in (1, 2, 3, 4):
                raise ValueError(f"季度应为1-4，收到 {quarter}")
            return cls(int(year), 3 * int(quarter))
        return cls(int(year), int(month))

    @property
    def elapsed(self) -> float:
        """Share of the year gone by the period's end (m/12): the 序时进度 of a yearly target."""
        return self.month / 12

    @property
    def schedule(self) -> str:
        """序时进度 as the offices write it: 75% at 1-9月, 83.3% at 1-10月, 16.7% at 1-2月."""
        return f"{100 * self.elapsed:.1f}".removesuffix(".0") + "%"

    @property
    def quarter_end(self) -> bool:
        return self.month % 3 == 0

    @property
    def label(self) -> str:
        """The bureaus' name of the cumulative period: 2026年1-10月."""
        return f"{self.year}年1月" if self.month == 1 else f"{self.year}年1-{self.month}月"

    @property
    def title(self) -> str:
        """The report's name: 2026年第3季度, or 2026年10月 for a month that ends no quarter."""
        if self.quarter_end:
            return f"{self.year}年第{self.month // 3}季度"
        return f"{self.year}年{self.month}月"

    def __str__(self) -> str:
        """The report's folder name: 2026Q3 at a quarter's end, else 2026-10."""
        if self.quarter_end:
            return f"{self.year}Q{self.month // 3}"
        return f"{self.year}-{self.month:02d}"


def day_label(day) -> str:
    """A date as an official writes it: 2026年11月5日 (returns' 报送日期, due dates, 落款)."""
    return f"{day.year}年{day.month}月{day.day}日"


def reported(panel: pd.DataFrame) -> list[Period]:
    """Every period the panel holds, oldest first."""
    held = panel[["year", "month"]].drop_duplicates().sort_values(["year", "month"])
    return [Period(int(y), int(m)) for y, m in zip(held["year"], held["month"], strict=True)]


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
    """A period's own value: this cumulative figure less the one of the period before it.

    "The period before" is the previous period the panel holds for the same year, for any
    firm: with quarterly tables the own value is a quarter's, with monthly tables a month's
    (1-2月 counts as the year's first period: its own value covers January and February),
    and where monthly and quarterly tables mix it covers the months since the last table
    (1-10月 after 1-9月: October; 1-9月 after 1-6月: the third quarter). The year's first
    period is its own value when it ends by March (1-2月 or 1-3月). A firm missing the
    period before gets NaN rather than a longer span passed off as the period's own value.
    """
    import numpy as np
    import pandas as pd

    periods = panel[["year", "month"]].drop_duplicates().sort_values(["year", "month"])
    periods["previous"] = periods.groupby("year")["month"].shift()
    rows = panel[KEYS + ["month", column]].merge(periods, on=["year", "month"], how="left")
    before = panel[KEYS + ["month", column]].rename(columns={"month": "previous", column: "before"})
    rows = rows.merge(before, on=KEYS + ["previous"], how="left", validate="many_to_one")
    first = rows["previous"].isna() & (rows["month"] <= 3)
    own = np.where(first, rows[column], rows[column] - rows["before"])
    return pd.Series(own, index=panel.index, name=f"{column}_quarter")


def growth(current, previous):
    """同比: relative change against 上年同期; NaN when there is no positive base."""
    import pandas as pd

    current = pd.Series(current, dtype="float64")
    previous = pd.Series(previous, dtype="float64")
    rate = (current - previous) / previous
    return rate.where(previous > 0)


def project_full_year(
    panel: pd.DataFrame,
    period: Period,
    column: str,
    share_limits: tuple[float, float] = (0.5, 1.5),
) -> pd.DataFrame:
    """Full-year projection of a cumulative figure for every firm reporting at `period`.

    Seasonal: cumulative ÷ the share of last year's total the firm had done by the same
    month, when that history exists and the share lies within `share_limits` × m/12. The
    same month of last year is read from last year's table of that month, else from this
    table's 上年同期 column (no 1-2月 table of last year is needed at 1-2月).
    Otherwise linear: cumulative × 12 / m. At 1-12月 the projection is the year's figure.
    Returns credit_code, the projection and the method used (seasonal / linear / actual).
    """
    import numpy as np
    import pandas as pd

    def at(year: int, month: int) -> pd.Series:  # two columns of one period, not all
        rows = (panel["year"] == year) & (panel["month"] == month)
        return panel.loc[rows, ["credit_code", column]].set_index("credit_code")[column]

    now = at(period.year, period.month)
    same_point, full = at(period.year - 1, period.month), at(period.year - 1, 12)
    same = same_point.reindex(now.index).to_numpy(dtype=float)
    if f"{column}_prev" in panel.columns:  # this table's 上年同期, row for row with `now`
        rows = (panel["year"] == period.year) & (panel["month"] == period.month)
        stated = panel.loc[rows, f"{column}_prev"].to_numpy(dtype=float)
        same = np.where(np.isnan(same), stated, same)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = same / full.reindex(now.index).to_numpy(dtype=float)
    share = pd.Series(share, index=now.index)
    linear_share = period.month / 12
    lo, hi = share_limits
    usable = share.notna() & (share >= lo * linear_share) & (share <= min(1.0, hi * linear_share))
    if period.month == 12:
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
