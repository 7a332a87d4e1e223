"""The measures that params/targets.yaml names: for one indicator and quarter, the actual
value, the full-year projection where one makes sense, and 同比 where it is defined,
all in the indicator's own unit (亿元, 万元, 个, %...).

Projections: firm figures and 技改投入 are projected (seasonally, else linearly); award
counts, financing deals, project starts and department returns are not (see the area
modules for why), so their projection is empty. A count of starts also carries the share
of its target due by now by the list's own planned start dates (`expected`), and a
departments' return the owners who owe a figure and sent none (`not_reported`).
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


MEASURED = ["actual", "projected", "growth", "expected", "not_reported"]


@dataclass(frozen=True)
class Value:
    """One indicator's measured figures, in its unit; NaN where they do not apply."""

    actual: float
    projected: float = NONE
    growth: float = NONE
    expected: float = NONE  # share of the target due by now, when the data set it
    not_reported: tuple[str, ...] = ()  # departments whose part of a return is missing


def _amount(yuan: float, unit: str) -> float:
    return yuan / UNIT_YUAN[unit]


def _leading(firms: pd.DataFrame) -> pd.DataFrame:
    """The firms of the seven leading industries (params/industries.yaml), not 其他."""
    return firms[firms["leading"]] if "leading" in firms else firms


def _tier(ind, x: Inputs) -> Value:
    return Value(float(x.firms[ind.id].sum()), float(x.firms[f"{ind.id}_projected"].sum()))


def _firm_total(ind, x: Inputs) -> Value:
    m = ind.measure.removesuffix("_total")
    firms = _leading(x.firms)
    return Value(
        _amount(firms[f"{m}_ytd"].sum(), ind.unit),
        _amount(firms[f"{m}_projected"].sum(), ind.unit),
        comparable_growth(firms[f"{m}_ytd"], firms[f"{m}_prev_ytd"]),
    )


def _revenue_growth(ind, x: Inputs) -> Value:
    firms = _leading(x.firms)
    return Value(100 * comparable_growth(firms["revenue_ytd"], firms["revenue_prev_ytd"]))


def _rd_intensity(ind, x: Inputs) -> Value:
    return Value(100 * innovation.rd_intensity(x.firms))


def _upgrade_coverage(ind, x: Inputs) -> Value:
    return Value(100 * projects.upgrade_coverage(x.now.projects, x.firms))


def _starts(chosen: Callable[[pd.DataFrame], pd.Series]) -> Callable[..., Value]:
    """Projects of a list under way, with the share of the target due by now by the list's
    planned start dates (none when the list gives none)."""

    def compute(ind, x: Inputs) -> Value:
        started, due = projects.starts(x.now.projects, chosen, *x.period)
        expected = due / ind.target if pd.notna(ind.target) and ind.target > 0 else NONE
        return Value(started, expected=expected)

    return compute


def _plan_completion(chosen: Callable[[pd.DataFrame], pd.Series]) -> Callable[..., Value]:
    """年度计划投资完成率 of a list (%): its completed investment over its annual plan."""

    def compute(ind, x: Inputs) -> Value:
        return Value(100 * projects.plan_completion(x.now.projects, chosen))

    return compute


def _upgrade_investment(ind, x: Inputs) -> Value:
    year, month = x.period
    ytd = projects.upgrade_investment(x.now.projects)
    same = projects.upgrade_investment(x.sources.at(year - 1, month).projects)
    full = projects.upgrade_investment(x.sources.at(year - 1, 12).projects)
    limits = tuple(x.thresholds["seasonal_share_limits"])
    projected = projects.project_flow(ytd, same, full, month, limits)
    return Value(_amount(ytd, ind.unit), _amount(projected, ind.unit))


def _attracted(ind, x: Inputs) -> Value:
    return Value(projects.attracted_count(x.now.projects, *x.period, ind.lower_yuan))


def _awards(ind, x: Inputs) -> Value:
    return Value(innovation.award_count(x.now.platforms, ind.kind, *x.period))


def _listing(ind, x: Inputs) -> Value:
    return Value(financing.listing_firms(x.now.financing, *x.period))


def _equity(ind, x: Inputs) -> Value:
    return Value(_amount(financing.equity_raised(x.now.financing, *x.period), ind.unit))


def _department_return(ind, x: Inputs) -> Value:
    reporters = returns.reporters(ind)
    return Value(
        returns.value(x.now.returns, ind.id, ind.basis, reporters),
        not_reported=tuple(returns.missing(x.now.returns, ind.id, reporters)),
    )


MEASURES: dict[str, Callable[..., Value]] = {
    "tier": _tier,
    "revenue_total": _firm_total,
    "tax_total": _firm_total,
    "rd_total": _firm_total,
    "revenue_growth": _revenue_growth,
    "rd_intensity": _rd_intensity,
    "upgrade_coverage": _upgrade_coverage,
    "major_upgrades": _starts(projects.is_major),
    "major_upgrades_plan": _plan_completion(projects.is_major),
    "upgrade_investment": _upgrade_investment,
    "key_projects": _starts(projects.is_key),
    "key_projects_plan": _plan_completion(projects.is_key),
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
    value = compute(ind, inputs)
    return {"indicator": ind.id} | {name: getattr(value, name) for name in MEASURED}
