"""Rows of this year's lists dated outside their period: quarantined, never dropped unseen.

The science bureau's awards, the finance office's events and the project office's
attracted projects (招引项目) are lists of what happened this year up to the period's
end: the measures count a row only when its date lies from 1 January to the period's end
(sources.within_year). A row dated in another year, or after the period's end, is a
defect of the list (a late entry, a planned date, last year's row left in): it goes to
quarantine with its file, row, date and the period, so the office sees it and the count
says why it is not there. Key and upgrade projects are not judged by date: they continue
from earlier years and a start date still to come is a plan.
"""

import pandas as pd

from analysis.intake.reading import SheetTable
from analysis.intake.records import entry, where
from analysis.intake.sources import ATTRACTED_PROJECT

DATED = {"platforms": "approved_date", "financing": "event_date", "projects": "start_date"}


def period_ends(years: pd.Series, months: pd.Series) -> pd.Series:
    """sources.period_end of every row at once: a province's project lists run to millions
    of rows, where a Timestamp built row by row cost a reader about 9 µs each."""
    return pd.to_datetime(dict(year=years, month=months, day=1)) + pd.offsets.MonthEnd(0)


def _applies(records: pd.DataFrame, kind: str) -> pd.Series:
    if kind != "projects":
        return pd.Series(True, index=records.index)
    kinds = records["project_kind"] if "project_kind" in records else pd.Series(dtype=object)
    return kinds.reindex(records.index).astype(object).eq(ATTRACTED_PROJECT)


def out_of_period(records: pd.DataFrame, table: SheetTable) -> list[dict]:
    """A quarantine entry for every row of a dated list whose date is outside its period."""
    field = DATED.get(table.kind)
    column = next((c for c in table.columns if c.field == field and not c.previous), None)
    if column is None or records.empty:
        return []
    dates = pd.to_datetime(records[field])
    starts = pd.to_datetime(dict(year=records["year"], month=1, day=1))
    ends = period_ends(records["year"], records["month"])
    applies = _applies(records, table.kind)
    outside = dates.notna() & ((dates < starts) | (dates > ends)) & applies
    undated = dates.isna() & applies & (table.kind == "projects")  # counted only when dated
    return [
        entry(
            table,
            int(records.at[i, "source_row"]),
            where(column),
            "",
            "招引项目缺少开工（引进）时间，无法判断是否本期引进，不计入：请报送单位补填日期",
            "an attracted project without its date is not counted: ask the sender for it",
        )
        for i in records.index[undated]
    ] + [
        entry(
            table,
            int(records.at[i, "source_row"]),
            where(column),
            table.shown(int(records.at[i, "source_row"]), column),
            f"日期 {dates[i]:%Y-%m-%d} 不在报告期 {int(records.at[i, 'year'])}年1-"
            f"{int(records.at[i, 'month'])}月（{starts[i]:%Y-%m-%d} 至 {ends[i]:%Y-%m-%d}）内，"
            "不计入本期：请报送单位核对日期，或移入所属期的报表",
            f"dated {dates[i]:%Y-%m-%d}, outside the period ({starts[i]:%Y-%m-%d} to "
            f"{ends[i]:%Y-%m-%d}): not counted; ask the sender to check the date",
        )
        for i in records.index[outside]
    ]
