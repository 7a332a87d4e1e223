"""The programme's sources besides the firm panel, as the intake hands them over.

Five tidy tables, each one row per item and reported period (cumulative from January):
projects (project office), platforms (science bureau), financing (finance office),
returns (one sheet per department) and progress (the departments' rows on named items:
a firm visited, a measure or milestone done, with its date). Amounts are in yuan, dates
datetime64. A table with no rows for a period means the period was not reported: its
indicators show 无数据.
"""

from dataclasses import dataclass, field, fields

import pandas as pd

PROJECT_COLUMNS = [
    "project_id",
    "project_name",
    "kind",
    "major_upgrade",
    "credit_code",
    "name",
    "industry",
    "planned_investment",
    "annual_plan_investment",
    "completed_investment",
    "planned_start_date",
    "start_date",
    "completion_date",
    "status",
    "department",
    "year",
    "month",
]
PLATFORM_COLUMNS = [
    "credit_code",
    "name",
    "kind",
    "level",
    "title",
    "approved_date",
    "year",
    "month",
]
FINANCING_COLUMNS = [
    "credit_code",
    "name",
    "event",
    "amount",
    "event_date",
    "note",
    "year",
    "month",
]
# The headers of a department's item returns, as the sample writes them and the forms
# (report/return_forms.py) carry them: one place, so the two cannot differ
ITEM_HEADER = {  # a department's 事项进展: one row per measure or milestone it carries out
    "序号": None,
    "事项编号": "item_id",
    "事项名称": "name",
    "完成情况": "done",
    "完成时间": "done_date",
    "备注": "note",
}
VISIT_HEADER = {  # the 企业走访 ledger: each firm of the lists, one more row per further visit
    "序号": None,
    "企业类别": "item_list",
    "统一社会信用代码": "credit_code",
    "企业名称": "name",
    "走访日期": "done_date",
    "走访领导": "visit_leader",
    "解决问题": "solved",
}
RETURN_COLUMNS = ["department", "indicator", "value", "note", "year", "month", "reported_on"]
# reported_on: the 报送日期 the return states (intake/signoff.py), NaT when it states none
GOAL_COLUMNS = [  # firms' own goals (对号入座): one row per firm and goal, of the goals' year
    "credit_code",
    "name",
    "goal",
    "horizon",
    "goal_amount",
    "goal_stage",
    "measures",
    "code_problem",
    "year",
    "month",
]
PROGRESS_COLUMNS = [
    "department",
    "item_list",
    "item_id",
    "credit_code",
    "name",
    "done",
    "done_date",
    "visit_leader",
    "solved",
    "note",
    "year",
    "month",
    "reported_on",
]
COLUMNS = {
    "projects": PROJECT_COLUMNS,
    "platforms": PLATFORM_COLUMNS,
    "financing": FINANCING_COLUMNS,
    "returns": RETURN_COLUMNS,
    "progress": PROGRESS_COLUMNS,
}

KEY_PROJECT, UPGRADE_PROJECT, ATTRACTED_PROJECT = "重点项目", "技改项目", "招引项目"
EQUITY = "股权融资"
LISTING_STAGES = ("辅导备案", "申报", "过会", "上市")
"""Steps toward listing, in order; a firm with any of them this year is in the pipeline."""
HORIZONS = ("年度", "近期", "远期")
"""A firm's goal is for this year (年度, followed), the next years or the long run (listed)."""
GOAL_WORDS = {
    "revenue": ("销售收入", "营业收入", "主营业务收入"),
    "tax": ("纳税", "税收"),
    "upgrade": ("技改",),
    "listing": ("上市",),
}
"""What a firm's goal is about, told by the words of its goal (对号入座目标); the first that
fits wins, so 技改 is not mistaken for anything else."""


@dataclass(frozen=True)
class Sources:
    """The five tables, every period the intake read."""

    projects: pd.DataFrame
    platforms: pd.DataFrame
    financing: pd.DataFrame
    returns: pd.DataFrame
    progress: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PROGRESS_COLUMNS))

    @classmethod
    def from_intake(cls, intake) -> "Sources":
        """The intake's tables (ingest.py gives them this module's column names)."""
        return cls(*(getattr(intake, f.name) for f in fields(cls)))

    def at(self, year: int, month: int) -> "Sources":
        """The rows reported for one period (cumulative through `month`)."""
        return Sources(*(period_rows(getattr(self, f.name), year, month) for f in fields(self)))


def period_rows(table: pd.DataFrame, year: int, month: int, columns=None) -> pd.DataFrame:
    """A table's rows reported for one period; only `columns` where given (a province's
    project lists run to millions of rows: a measure needing two columns copies two)."""
    rows = (table["year"] == year) & (table["month"] == month)
    return table.loc[rows] if columns is None else table.loc[rows, columns]


def period_end(year: int, month: int) -> pd.Timestamp:
    """The last day of a reporting period, the cut-off for dates in its lists."""
    return pd.Timestamp(year, month, 1) + pd.offsets.MonthEnd(0)


def within_year(dates: pd.Series, year: int, month: int) -> pd.Series:
    """Dates from 1 January to the period's end; a missing date counts (the row is on this
    year's list), a date of another year does not."""
    dates = pd.to_datetime(dates)
    inside = (dates >= pd.Timestamp(year, 1, 1)) & (dates <= period_end(year, month))
    return inside | dates.isna()
