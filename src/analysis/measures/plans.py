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
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace

import numpy as np
import pandas as pd

from analysis.errors import ParamsError
from analysis.intake import returns
from analysis.intake.periods import Period
from analysis.intake.sources import Sources, period_rows
from analysis.items import judging
from analysis.measures import innovation, projects
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
    indicators: pd.DataFrame | None = None  # the year's indicators (a list's own row)
    named: pd.DataFrame | None = None  # the named lists' items of the year (items.lists)
    # a list's judged items by measure: a count and its plan-completion rate share them
    _judged: dict = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def now(self) -> Sources:
        return self.sources.at(self.quarter.year, self.quarter.month)

    def items(self, measure: str) -> pd.DataFrame:
        """The judged items of the named list a list measure is drawn from (items.judging):
        the params' list for the year, else the return's own rows."""
        if measure not in self._judged:
            self._judged[measure] = self._judge(measure)
        return self._judged[measure]

    def _judge(self, measure: str) -> pd.DataFrame:
        ind = self._list_indicator(measure)
        named = None
        if self.named is not None and len(self.named):
            named = self.named[self.named["indicator"] == ind.id]
        named = named if named is not None and len(named) else None
        band = self.thresholds.get("on_track_band", 0.0)
        found = judging.list_items(ind, named, self.now, self.quarter, band)
        return found[0] if found else pd.DataFrame(columns=judging.ITEMS_COLUMNS)

    def _list_indicator(self, measure: str):
        if self.indicators is not None:
            rows = self.indicators[self.indicators["measure"] == measure]
            if len(rows):
                return next(rows.itertuples())
        return SimpleNamespace(id=measure, name=measure, plan=0, departments=[], measure=measure)

    @property
    def period(self) -> tuple[int, int]:
        return self.quarter.year, self.quarter.month


MEASURED = ["actual", "projected", "growth", "expected", "not_reported", "unreported_items"]


@dataclass(frozen=True)
class Value:
    """One indicator's measured figures, in its unit; NaN where they do not apply."""

    actual: float
    projected: float = NONE
    growth: float = NONE
    expected: float = NONE  # share of the target due by now, when the data set it
    not_reported: tuple[str, ...] = ()  # departments whose part of a return is missing
    unreported_items: str = ""  # the named items the period's return lacks


def _amount(yuan: float, unit: str) -> float:
    return yuan / UNIT_YUAN[unit]


def _leading(firms: pd.DataFrame) -> pd.DataFrame:
    """The firms of the seven leading industries (params/industries.yaml), not 其他."""
    return firms[firms["leading"]] if "leading" in firms else firms


def _projected(firms: pd.DataFrame, column: str) -> float:
    """The firms' projected total; NaN from a firm table built without projections (the
    history paths': tiers.firm_table)."""
    return float(firms[column].sum()) if column in firms else NONE


def _tier(ind, x: Inputs) -> Value:
    return Value(float(x.firms[ind.id].sum()), _projected(x.firms, f"{ind.id}_projected"))


def _firm_total(ind, x: Inputs) -> Value:
    m = ind.measure.removesuffix("_total")
    firms = _leading(x.firms)
    return Value(
        _amount(firms[f"{m}_ytd"].sum(), ind.unit),
        _amount(_projected(firms, f"{m}_projected"), ind.unit),
        comparable_growth(firms[f"{m}_ytd"], firms[f"{m}_prev_ytd"]),
    )


def _revenue_growth(ind, x: Inputs) -> Value:
    firms = _leading(x.firms)
    return Value(100 * comparable_growth(firms["revenue_ytd"], firms["revenue_prev_ytd"]))


def _rd_intensity(ind, x: Inputs) -> Value:
    return Value(100 * innovation.rd_intensity(x.firms))


def _upgrade_coverage(ind, x: Inputs) -> Value:
    return Value(100 * projects.upgrade_coverage(x.now.projects, x.firms))


def _unreported(items: pd.DataFrame) -> str:
    """The named items the period's return lacks, as the scorecard names them."""
    missing = items.loc[~items["in_return"].astype(bool), "item"]
    return f"{len(missing)}项未报送：{'、'.join(missing)}" if len(missing) else ""


def _starts(ind, x: Inputs) -> Value:
    """Projects of a named list under way, with the share of the target due by now by the
    items' planned start dates (none when the list gives none); the items the return
    lacks are named, not counted."""
    if x.now.projects.empty:
        return Value(NONE)
    items = x.items(ind.measure)
    reported = items[items["in_return"].astype(bool)]
    due = float(reported["due"].sum())
    if x.now.projects["planned_start_date"].isna().all():
        due = NONE
    expected = due / ind.target if pd.notna(ind.target) and ind.target > 0 else NONE
    return Value(
        float(reported["started"].sum()), expected=expected, unreported_items=_unreported(items)
    )


def _plan_completion(ind, x: Inputs) -> Value:
    """年度计划投资完成率 of a named list (%): its reported items' completed investment
    over their annual plans."""
    if x.now.projects.empty:
        return Value(NONE)
    items = x.items(ind.measure.removesuffix("_plan"))
    reported = items[items["in_return"].astype(bool)]
    plan = reported["target"].sum()
    share = reported["actual"].sum() / plan if plan > 0 else NONE
    return Value(100 * share, unreported_items=_unreported(items))


def _last_years_upgrades(x: Inputs, month: int) -> float:
    """技改投入 of last year to `month` (yuan), from the two columns it needs (the history
    paths ask this of every period)."""
    needed = ["kind", "completed_investment"]
    return projects.upgrade_investment(
        period_rows(x.sources.projects, x.quarter.year - 1, month, needed)
    )


def _upgrade_investment(ind, x: Inputs) -> Value:
    year, month = x.period
    ytd = projects.upgrade_investment(x.now.projects)
    same, full = _last_years_upgrades(x, month), _last_years_upgrades(x, 12)
    limits = tuple(x.thresholds["seasonal_share_limits"])
    projected = projects.project_flow(ytd, same, full, month, limits)
    return Value(_amount(ytd, ind.unit), _amount(projected, ind.unit))


def _attracted(ind, x: Inputs) -> Value:
    return Value(projects.attracted_count(x.now.projects, *x.period, ind.lower_yuan))


def _awards(ind, x: Inputs) -> Value:
    return Value(innovation.award_count(x.now.platforms, ind.kind, *x.period))


def _listing(ind, x: Inputs) -> Value:
    """推进上市企业: the listing candidates with a step toward listing this year (the list's
    items in the finance office's return; every firm with a step where the params name
    none); a candidate the return lacks is named, not counted."""
    if x.now.financing.empty:
        return Value(NONE)
    items = x.items(ind.measure)
    return Value(float(items["in_return"].astype(bool).sum()), unreported_items=_unreported(items))


def _done_items(ind, x: Inputs) -> Value:
    """Items of a list done by the period's end (firms visited, measures carried out), from
    the departments' item returns; an item the return lacks is named, not counted."""
    if x.now.progress.empty:
        return Value(NONE)
    items = x.items(ind.measure)
    if items.empty:  # the params give no list for the year
        return Value(NONE)
    done = items["in_return"].astype(bool) & (items["actual"] > 0)
    return Value(float(done.sum()), unreported_items=_unreported(items))


def _equity(ind, x: Inputs) -> Value:
    """股权融资 of the named firms this year (the list's items; every firm's where the
    params name none)."""
    if x.now.financing.empty:
        return Value(NONE)
    items = x.items(ind.measure)
    raised = items.loc[items["in_return"].astype(bool), "actual"].sum() * 1e4
    return Value(_amount(raised, ind.unit), unreported_items=_unreported(items))


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
    "major_upgrades": _starts,
    "major_upgrades_plan": _plan_completion,
    "upgrade_investment": _upgrade_investment,
    "key_projects": _starts,
    "key_projects_plan": _plan_completion,
    "attracted_projects": _attracted,
    "platform_awards": _awards,
    "listing_firms": _listing,
    "key_firm_visits": _done_items,
    "growth_firm_visits": _done_items,
    "recognition_measures": _done_items,
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
