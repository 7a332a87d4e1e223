"""Plan 7 (融资突破) from the finance office's list of this year's financing events.

Equity financing is not projected: a year holds a handful of deals, each lumpy and
dated by negotiation, so scaling the year-to-date sum would mislead.
"""

import numpy as np
import pandas as pd

from analysis.intake.sources import EQUITY, LISTING_STAGES, within_year


def this_years(financing: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """Events on the period's list dated this year up to the period's end."""
    return financing[within_year(financing["event_date"], year, month)]


def equity_raised(financing: pd.DataFrame, year: int, month: int) -> float:
    """股权融资额 this year, in yuan; NaN when nothing was reported."""
    if financing.empty:
        return np.nan
    events = this_years(financing, year, month)
    return float(events.loc[events["event"] == EQUITY, "amount"].sum())


def listing_pipeline(financing: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """One row per firm that took a step toward listing this year: the furthest stage
    reached, its date and how many steps the firm took this year."""
    events = this_years(financing, year, month)
    steps = events[events["event"].isin(LISTING_STAGES)].copy()
    steps["stage_rank"] = steps["event"].map({s: i for i, s in enumerate(LISTING_STAGES)})
    steps = steps.sort_values(["stage_rank", "event_date"])
    furthest = steps.groupby("credit_code", sort=False).tail(1).set_index("credit_code")
    furthest["steps"] = steps.groupby("credit_code").size()
    columns = ["credit_code", "name", "event", "event_date", "note", "steps"]
    return (
        furthest.reset_index()
        .sort_values(["stage_rank", "event_date"], ascending=[False, True])[columns]
        .reset_index(drop=True)
    )


def listing_firms(financing: pd.DataFrame, year: int, month: int) -> float:
    """推进上市企业: firms with a listing step this year; NaN when nothing was reported."""
    if financing.empty:
        return np.nan
    return float(len(listing_pipeline(financing, year, month)))


def equity_by_firm(
    financing: pd.DataFrame, year: int, month: int, tracked: list[str] | None = None
) -> pd.DataFrame:
    """Equity raised this year per firm; the firms the programme names are listed even
    before they raise anything, marked as tracked."""
    events = this_years(financing, year, month)
    equity = events[events["event"] == EQUITY]
    table = equity.groupby(["credit_code", "name"], as_index=False).agg(
        amount=("amount", "sum"), deals=("amount", "size"), last_date=("event_date", "max")
    )
    tracked = list(tracked or [])
    missing = [n for n in tracked if n not in set(table["name"])]
    if missing:
        table = pd.concat(
            [table, pd.DataFrame({"name": missing, "amount": 0.0, "deals": 0})], ignore_index=True
        )
    table["tracked"] = table["name"].isin(tracked)
    return table.sort_values(["tracked", "amount"], ascending=False).reset_index(drop=True)
