"""What a valid row of each kind of table is, declared once, and its failures as a table.

Schemas are pandera DataFrameModels validated lazily, so every failing cell is reported
together; the failures come back as rows (index, column, value, reason in Chinese and
English) ready for the quarantine list rather than as exception text.
"""

import pandas as pd
import pandera.backends.pandas.builtin_checks  # noqa: F401  (the checks below; else loaded on first use)
import pandera.pandas as pa
from pandera.typing import Series

from analysis.intake.sources import GOAL_WORDS, HORIZONS, LISTING_STAGES

AMOUNT = {"ge": 0, "nullable": True}
FAILURE_COLUMNS = ["index", "column", "value", "reason_zh", "reason_en"]


class _Period(pa.DataFrameModel):
    year: Series[int] = pa.Field(ge=2000, le=2100)
    month: Series[int] = pa.Field(ge=1, le=12)

    class Config:
        strict = False


class FirmPeriodSchema(_Period):
    """A firm's cumulative figures for one period (statistics or tax bureau), in yuan."""

    revenue: Series[float] = pa.Field(**AMOUNT)
    revenue_prev: Series[float] = pa.Field(**AMOUNT)
    rd: Series[float] = pa.Field(**AMOUNT)
    rd_prev: Series[float] = pa.Field(**AMOUNT)
    employees: Series[float] = pa.Field(ge=0, le=1_000_000, nullable=True)
    employees_prev: Series[float] = pa.Field(ge=0, le=1_000_000, nullable=True)


class ProjectSchema(_Period):
    """A project's investment to date; what was completed cannot be negative."""

    project_name: Series[str] = pa.Field(str_length={"min_value": 1})
    planned_investment: Series[float] = pa.Field(**AMOUNT)
    annual_plan_investment: Series[float] = pa.Field(**AMOUNT)
    completed_investment: Series[float] = pa.Field(**AMOUNT)


class PlatformSchema(_Period):
    platform_kind: Series[str] = pa.Field(str_length={"min_value": 1})
    level: Series[str] = pa.Field(nullable=True)


class FinancingSchema(_Period):
    event: Series[str] = pa.Field(str_length={"min_value": 1})
    amount: Series[float] = pa.Field(**AMOUNT)


class ReturnSchema(_Period):
    indicator: Series[str] = pa.Field(str_length={"min_value": 1})
    value: Series[float] = pa.Field(nullable=True)


GOAL_PATTERN = "|".join(w for words in GOAL_WORDS.values() for w in words)
HORIZON_PATTERN = rf"^\s*({'|'.join(HORIZONS)})"


class GoalSchema(_Period):
    """A firm's own goal: about something the programme measures, with a horizon; an amount
    cannot be negative, a listing stage is one of the steps."""

    goal: Series[str] = pa.Field(str_contains=GOAL_PATTERN)
    horizon: Series[str] = pa.Field(str_matches=HORIZON_PATTERN)
    goal_amount: Series[float] = pa.Field(**AMOUNT)
    goal_stage: Series[str] = pa.Field(isin=list(LISTING_STAGES), nullable=True)


class ProgressSchema(_Period):
    """A named item's row: its period; whether and when the item was done is read as given
    (an unreadable 完成情况 or date is quarantined by the reader)."""


SCHEMAS = {
    "indicators": FirmPeriodSchema,
    "tax": FirmPeriodSchema,
    "projects": ProjectSchema,
    "platforms": PlatformSchema,
    "financing": FinancingSchema,
    "returns": ReturnSchema,
    "goals": GoalSchema,
    "progress": ProgressSchema,
}

REASONS = {
    "greater_than_or_equal_to(0)": ("数值为负", "negative value"),
    "greater_than_or_equal_to(1)": ("月份应为1-12", "month out of range"),
    "less_than_or_equal_to(12)": ("月份应为1-12", "month out of range"),
    "greater_than_or_equal_to(2000)": ("年份不合理", "implausible year"),
    "less_than_or_equal_to(2100)": ("年份不合理", "implausible year"),
    "less_than_or_equal_to(1000000)": ("人数不合理（超过100万）", "implausible head count"),
    "str_length(1, None)": ("必填项为空", "required value missing"),
    "not_nullable": ("必填项为空", "required value missing"),
    f"str_contains('{GOAL_PATTERN}')": (
        f"目标应写明销售收入、纳税、技改或上市（如“销售收入过亿元”）：{GOAL_PATTERN}",
        "the goal names none of revenue, tax, upgrade investment, listing",
    ),
    f"str_matches('{HORIZON_PATTERN}')": (
        f"目标期限应为 {'、'.join(HORIZONS)} 之一",
        "horizon must be 年度, 近期 or 远期",
    ),
    f"isin({list(LISTING_STAGES)})": (
        f"目标阶段应为 {'、'.join(LISTING_STAGES)} 之一",
        "listing stage not one of the steps",
    ),
}


def failures(frame: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Every check a table of `kind` fails, one row per failing cell."""
    schema = SCHEMAS[kind].to_schema()
    schema = schema.remove_columns([c for c in schema.columns if c not in frame])
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna()]
        reasons = (
            cases["check"]
            .astype(str)
            .map(lambda c: REASONS.get(c, (f"未通过检查 {c}", f"failed check {c}")))
        )
        return pd.DataFrame(
            {
                "index": cases["index"].astype(int).to_numpy(),
                "column": cases["column"].to_numpy(),
                "value": cases["failure_case"].astype(str).to_numpy(),
                "reason_zh": [r[0] for r in reasons],
                "reason_en": [r[1] for r in reasons],
            }
        )
    return pd.DataFrame(columns=FAILURE_COLUMNS)
