"""Plan 1 (产业助推): size, growth and share of each leading industry, and how the
structure moved since last year.

Last year's structure is taken from the 上年同期 figures of this year's firms, the same
scope as 同比, so a change of share reflects industries growing at different speeds
rather than firms entering or leaving the above-size list.
"""

import pandas as pd

from analysis.tiers import comparable_growth


def _shares(values: pd.Series) -> pd.Series:
    total = values.sum()
    return values / total if total > 0 else values * float("nan")


def structure(firms: pd.DataFrame) -> pd.DataFrame:
    """Per industry: firms, revenue and tax (yuan, cumulative), their 同比, their shares
    now and a year earlier, and the change of share in percentage points."""
    grouped = firms.groupby("industry", observed=True)
    table = grouped.agg(
        firms=("credit_code", "size"),
        revenue_ytd=("revenue_ytd", "sum"),
        revenue_prev_ytd=("revenue_prev_ytd", "sum"),
        tax_ytd=("tax_ytd", "sum"),
        tax_prev_ytd=("tax_prev_ytd", "sum"),
    )
    for measure in ("revenue", "tax"):
        table[f"{measure}_growth"] = [
            comparable_growth(g[f"{measure}_ytd"], g[f"{measure}_prev_ytd"]) for _, g in grouped
        ]
        table[f"{measure}_share"] = _shares(table[f"{measure}_ytd"])
        table[f"{measure}_share_last_year"] = _shares(table[f"{measure}_prev_ytd"])
        table[f"{measure}_share_change"] = 100 * (
            table[f"{measure}_share"] - table[f"{measure}_share_last_year"]
        )
    return table.sort_values("revenue_ytd", ascending=False).reset_index()


def totals(firms: pd.DataFrame) -> dict:
    """The seven industries together: revenue and tax (yuan) and their 同比."""
    return {
        measure: dict(
            ytd=firms[f"{measure}_ytd"].sum(),
            growth=comparable_growth(firms[f"{measure}_ytd"], firms[f"{measure}_prev_ytd"]),
        )
        for measure in ("revenue", "tax")
    }
