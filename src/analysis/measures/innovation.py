"""Plan 5 (科技强企): awards counted by kind from the science bureau's list, and R&D
spending and intensity from the firm indicators.

Awards are not projected: platforms and science projects are approved in batches on the
approving body's calendar (high-tech firms mostly at year end), so neither a seasonal nor
a linear rule says anything about how many will come.
"""

import numpy as np
import pandas as pd

from analysis.intake.sources import within_year
from analysis.measures.tiers import comparable_growth

RD_DISCLOSURE = {"rd_ytd": ["rd_growth", "rd_intensity"]}
"""R&D by industry in the public edition: the figures hidden with a sensitive amount."""


def this_years(platforms: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """Awards on the period's list approved this year up to the period's end."""
    return platforms[within_year(platforms["approved_date"], year, month)]


def award_count(platforms: pd.DataFrame, kind: str, year: int, month: int) -> float:
    """How many awards of one kind (类别) this year; NaN when nothing was reported."""
    if platforms.empty:
        return np.nan
    return float((this_years(platforms, year, month)["kind"] == kind).sum())


def award_list(platforms: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """This year's awards, most recent first."""
    awarded = this_years(platforms, year, month)
    return awarded.sort_values(["approved_date", "kind"], ascending=[False, True]).reset_index(
        drop=True
    )


def rd_intensity(firms: pd.DataFrame) -> float:
    """研发投入强度: R&D spending over revenue, both cumulative, over firms reporting both."""
    both = firms["rd_ytd"].notna() & firms["revenue_ytd"].notna()
    revenue = firms.loc[both, "revenue_ytd"].sum()
    return firms.loc[both, "rd_ytd"].sum() / revenue if revenue > 0 else np.nan


def rd_by_industry(firms: pd.DataFrame) -> pd.DataFrame:
    """Per industry: firms, firms spending on R&D, R&D spending, its 同比 and intensity."""
    rows = []
    for industry, group in firms.groupby("industry", observed=True):
        rows.append(
            dict(
                industry=industry,
                firms=len(group),
                firms_with_rd=int((group["rd_ytd"] > 0).sum()),
                rd_ytd=group["rd_ytd"].sum(),
                rd_growth=comparable_growth(group["rd_ytd"], group["rd_prev_ytd"]),
                rd_intensity=rd_intensity(group),
            )
        )
    table = pd.DataFrame(rows)
    return table.sort_values("rd_ytd", ascending=False).reset_index(drop=True)


def rd_leaders(firms: pd.DataFrame, count: int = 20) -> pd.DataFrame:
    """The firms spending most on R&D, with their growth and intensity."""
    top = firms.nlargest(count, "rd_ytd")
    return top.assign(rd_intensity=top["rd_ytd"] / top["revenue_ytd"])[
        ["credit_code", "name", "industry", "rd_ytd", "rd_growth", "revenue_ytd", "rd_intensity"]
    ].reset_index(drop=True)
