"""Plan 1 (产业助推): size, growth and share of each leading industry, and how the
structure moved since last year.

Last year's structure is taken from the 上年同期 figures of this year's firms, the same
scope as 同比, so a change of share reflects industries growing at different speeds
rather than firms entering or leaving the above-size list.
"""

import pandas as pd

from analysis.measures import disclosure
from analysis.measures.tiers import comparable_growth

STRUCTURE_DISCLOSURE = {
    "revenue_ytd": [
        "revenue_prev_ytd",
        "revenue_growth",
        "revenue_share",
        "revenue_share_last_year",
        "revenue_share_change",
    ],
    "tax_ytd": [
        "tax_prev_ytd",
        "tax_growth",
        "tax_share",
        "tax_share_last_year",
        "tax_share_change",
    ],
}
"""Per amount of the structure table: the figures that would give it away if shown."""


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


def published(table: pd.DataFrame, firms: pd.DataFrame, reveal: dict, thresholds: dict):
    """A by-industry table as the public edition shows it: amounts that too few firms
    make, or one or two dominate, as ×, with whatever would give them away (`reveal`:
    amount → derived columns), and complementary cells so the city total cannot."""
    min_firms, dominance = disclosure.rules(thresholds)
    table = table.set_index("industry")
    amounts = list(reveal)
    hidden = disclosure.primary(firms, "industry", amounts, min_firms, dominance)
    hidden = disclosure.secondary(hidden.reindex(table.index, fill_value=False), table[amounts])
    shown = table.astype(object)
    for amount, derived in reveal.items():
        shown.loc[hidden[amount], [amount, *derived]] = disclosure.SUPPRESSED
    return shown.reset_index()
