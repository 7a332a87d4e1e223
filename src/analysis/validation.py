"""What a valid firm × period row is, declared once, and its failures as a readable table."""

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

AMOUNT_CHECK = {"ge": 0, "nullable": True}


class FirmPeriodSchema(pa.DataFrameModel):
    """One firm's cumulative figures for one period, amounts in yuan."""

    credit_code: Series[str] = pa.Field(str_length={"min_value": 1})
    name: Series[str] = pa.Field(nullable=True)
    year: Series[int] = pa.Field(ge=2000, le=2100)
    month: Series[int] = pa.Field(ge=1, le=12)
    revenue: Series[float] = pa.Field(**AMOUNT_CHECK)
    revenue_prev: Series[float] = pa.Field(**AMOUNT_CHECK)
    rd: Series[float] = pa.Field(**AMOUNT_CHECK)
    rd_prev: Series[float] = pa.Field(**AMOUNT_CHECK)
    employees: Series[float] = pa.Field(ge=0, le=1_000_000, nullable=True)
    employees_prev: Series[float] = pa.Field(ge=0, le=1_000_000, nullable=True)

    class Config:
        strict = False


REASONS = {
    "greater_than_or_equal_to(0)": ("数值为负", "negative value"),
    "greater_than_or_equal_to(1)": ("月份应为1-12", "month out of range"),
    "less_than_or_equal_to(12)": ("月份应为1-12", "month out of range"),
    "less_than_or_equal_to(1000000)": ("人数不合理（超过100万）", "implausible head count"),
    "str_length(1, None)": ("缺少企业标识", "no firm identifier"),
}


def failures(frame: pd.DataFrame) -> pd.DataFrame:
    """Every check a table fails, one row per failing cell: index, column, value, reasons.

    Validation is lazy, so all failures are reported together rather than the first.
    """
    try:
        FirmPeriodSchema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        cases = cases[cases["index"].notna()].copy()
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
    return pd.DataFrame(columns=["index", "column", "value", "reason_zh", "reason_en"])
