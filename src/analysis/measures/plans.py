"""The measures that params/targets.yaml names: for one indicator and quarter, the actual
value, the full-year projection where one makes sense, and 同比 where it is defined,
all in the indicator's own unit (亿元, 万元, 个, %...).

Projections: firm figures and 技改投入 are projected (seasonally, else linearly); award
counts, financing deals, project starts and department returns are not (see the area
modules for why), so their projection is empty.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.errors import ParamsError
from analysis.intake import returns
from analysis.intake.periods import Period
from analysis.intake.sources import Sources
from analysis.measures import financing, innovation, projects
from analysis.measures.tiers import comparable_growth

UNIT_YUAN = {"亿元": 1e8, "万元": 1e4, "元": 1.0}
NONE = np.nan


@dataclass(frozen=True)
class Inputs:
    """The quarter's tables: the firm table (tiers.firm_table) and every period's sources."""

    firms: pd.DataFrame
    sources: Sources
    quarter: Period
    thresholds: dict

    @cached_property
    def now(self) -> Sources:
        return self.sources.at(self.quarter.year, self.quarter.month)

    @property
    def period(self) -> tuple[int, int]:
        return self.quarter.year, self.quarter.month


Value = tuple[float, float, float]  # actual, projected, growth


def _amount(yuan: float, unit: str) -> float:
    return yuan / UNIT_YUAN[unit]


def _tier(ind, x: Inputs) -> Value:
    return float(x.firms[ind.id].sum()), float(x.firms[f"{ind.id}_projected"].sum()), NONE


def _firm_total(ind, x: Inputs) -> Value:
    m = ind.measure.removesuffix("_total")
    return (
        _amount(x.firms[f"{m}_ytd"].sum(), ind.unit),
        _amount(x.firms[f"{m}_projected"].sum(), ind.unit),
        comparable_growth(x.firms[f"{m}_ytd"], x.firms[f"{m}_prev_ytd"]),
    )


def _revenue_growth(ind, x: Inputs) -> Value:
    return 100 * comparable_growth(x.firms["revenue_ytd"], x.firms["revenue_prev_ytd"]), NONE, NONE


def _rd_intensity(ind, x: Inputs) -> Value:
    return 100 * innovation.rd_intensity(x.firms), NONE, NONE


def _upgrade_coverage(ind, x: Inputs) -> Value:
    return 100 * projects.upgrade_coverage(x.now.projects, x.firms), NONE, NONE


def _major_upgrades(ind, x: Inputs) -> Value:
    return projects.major_upgrades_started(x.now.projects, *x.period), NONE, NONE


def _upgrade_investment(ind, x: Inputs) -> Value:
    year, month = x.period
    ytd = projects.upgrade_investment(x.now.projects)
    same = projects.upgrade_investment(x.sources.at(year - 1, month).projects)
    full = projects.upgrade_investment(x.sources.at(year - 1, 12).projects)
    limits = tuple(x.thresholds["seasonal_share_limits"])
    projected = projects.project_flow(ytd, same, full, month, limits)
    return _amount(ytd, ind.unit), _amount(projected, ind.unit), NONE


def _key_projects(ind, x: Inputs) -> Value:
    return projects.key_projects_started(x.now.projects, *x.period)[0], NONE, NONE


def _key_projects_investment(ind, x: Inputs) -> Value:
    planned = projects.key_projects_started(x.now.projects, *x.period)[1]
    return _amount(planned, ind.unit), NONE, NONE


def _attracted(ind, x: Inputs) -> Value:
    return projects.attracted_count(x.now.projects, *x.period, ind.lower_yuan), NONE, NONE


def _awards(ind, x: Inputs) -> Value:
    return innovation.award_count(x.now.platforms, ind.kind, *x.period), NONE, NONE


def _listing(ind, x: Inputs) -> Value:
    return financing.listing_firms(x.now.financing, *x.period), NONE, NONE


def _equity(ind, x: Inputs) -> Value:
    return _amount(financing.equity_raised(x.now.financing, *x.period), ind.unit), NONE, NONE


def _department_return(ind, x: Inputs) -> Value:
    return returns.value(x.now.returns, ind.id, ind.basis, list(ind.departments)), NONE, NONE


MEASURES: dict[str, Callable[..., Value]] = {
    "tier": _tier,
    "revenue_total": _firm_total,
    "tax_total": _firm_total,
    "rd_total": _firm_total,
    "revenue_growth": _revenue_growth,
    "rd_intensity": _rd_intensity,
    "upgrade_coverage": _upgrade_coverage,
    "major_upgrades": _major_upgrades,
    "upgrade_investment": _upgrade_investment,
    "key_projects": _key_projects,
    "key_projects_investment": _key_projects_investment,
    "attracted_projects": _attracted,
    "platform_awards": _awards,
    "listing_firms": _listing,
    "equity_financing": _equity,
    "department_return": _department_return,
}


def measure(ind, inputs: Inputs) -> dict:
    """One indicator's row of measured values (NaN where the quarter has no data)."""
    try:
        compute = MEASURES[ind.measure]
    except KeyError:
        raise ParamsError(
            f"targets.yaml: 指标 {ind.id} 的 measure「{ind.measure}」无法识别 / unknown measure; "
            f"可用 / known: {', '.join(MEASURES)}"
        ) from None
    actual, projected, growth = compute(ind, inputs)
    return dict(indicator=ind.id, actual=actual, projected=projected, growth=growth)
