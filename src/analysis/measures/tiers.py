"""Firm tiers: which firms count toward each size target, who moved, who is close.

A tier indicator counts firms whose cumulative revenue or tax lies in a band
[lower, upper) in yuan (or (lower, upper] when thresholds.yaml says "over" means ">").
"""

import math

import numpy as np
import pandas as pd

from analysis.intake.periods import Period, growth, project_full_year

MEASURES = {"revenue": "营业收入", "tax": "税收"}
FIRM_COLUMNS = ["credit_code", "name", "industry"]


def in_band(values, lower: float, upper: float | None, rule: str = "ge") -> pd.Series:
    """Whether each value falls in the band; NaN values never do."""
    values = pd.Series(values, dtype="float64")
    upper = math.inf if upper is None or pd.isna(upper) else upper
    if rule == "gt":
        return (values > lower) & (values <= upper)
    return (values >= lower) & (values < upper)


def yuan_label(amount: float) -> str:
    """A threshold as a reader says it: 1亿, 5000万."""
    if amount >= 1e8:
        return f"{amount / 1e8:g}亿"
    return f"{amount / 1e4:g}万"


def band_rule_text(lower: float, upper: float | None, rule: str = "ge") -> str:
    """The counting rule printed beside a count, e.g. '≥1亿元且<5亿元' (an amount in words
    keeps its 元)."""
    low = ("≥" if rule == "ge" else ">") + yuan_label(lower) + "元"
    if upper is None or pd.isna(upper):
        return low
    return f"{low}且{'<' if rule == 'ge' else '≤'}{yuan_label(upper)}元"


def band_labels(values, bounds: list[float], rule: str = "ge") -> pd.Series:
    """Disjoint size bands cut at every tier bound of a measure: '<1亿', '1亿-5亿', '≥10亿'."""
    bounds = sorted(set(bounds))
    names = [f"<{yuan_label(bounds[0])}"]
    names += [f"{yuan_label(a)}-{yuan_label(b)}" for a, b in zip(bounds, bounds[1:], strict=False)]
    names += [f"≥{yuan_label(bounds[-1])}"]
    values = pd.Series(values, dtype="float64")
    cut = pd.cut(values, [-math.inf, *bounds, math.inf], labels=names, right=(rule == "gt"))
    return pd.Series(pd.Categorical(cut, categories=names, ordered=True), index=values.index)


def firm_table(
    panel: pd.DataFrame,
    quarter: Period,
    tiers: pd.DataFrame,
    thresholds: dict,
    projections: bool = True,
):
    """One row per firm reporting at `quarter`: cumulative figures, growth, full-year
    projections and, for every tier indicator, whether the firm counts now and by
    projection. This is the table behind tiers.csv and every tier count.

    `projections=False` leaves the projections out (and every column built on them): the
    history paths show each past period's actual figures only, and projecting every firm
    for each of twenty months is most of their cost in a large province."""
    rule = thresholds["bound_rule"]
    figures = [c for m in ("revenue", "tax", "rd") for c in (m, f"{m}_prev")]
    now = _at(panel, quarter.year, quarter.month, [*FIRM_COLUMNS, *figures])
    firms = now[FIRM_COLUMNS].copy()
    for measure in ("revenue", "tax", "rd"):
        firms[f"{measure}_ytd"] = now[measure].to_numpy()
        firms[f"{measure}_prev_ytd"] = now[f"{measure}_prev"].to_numpy()
        firms[f"{measure}_growth"] = growth(now[measure], now[f"{measure}_prev"]).to_numpy()
        if not projections:
            continue
        projection = project_full_year(
            panel, quarter, measure, tuple(thresholds["seasonal_share_limits"])
        )
        # the projection's rows are `now`'s rows in order (one per firm and period, as the
        # intake keeps them): set side by side rather than joined on the text code
        for column in projection.columns.drop("credit_code"):
            firms[column] = projection[column].to_numpy()
    for measure in MEASURES:
        bounds = tiers.loc[tiers["field"] == measure, ["lower_yuan", "upper_yuan"]]
        cuts = [b for b in bounds.to_numpy().ravel() if pd.notna(b)]
        firms[f"{measure}_band"] = band_labels(firms[f"{measure}_ytd"], cuts, rule)
        if projections:
            projected = firms[f"{measure}_projected"]
            firms[f"{measure}_band_projected"] = band_labels(projected, cuts, rule)
    for tier in tiers.itertuples():
        firms[tier.id] = in_band(firms[f"{tier.field}_ytd"], tier.lower_yuan, tier.upper_yuan, rule)
        if projections:
            firms[f"{tier.id}_projected"] = in_band(
                firms[f"{tier.field}_projected"], tier.lower_yuan, tier.upper_yuan, rule
            )
    return firms.sort_values("revenue_ytd", ascending=False, na_position="last").reset_index(
        drop=True
    )


def tier_counts(firms: pd.DataFrame, tiers: pd.DataFrame, thresholds: dict) -> pd.DataFrame:
    """Per tier indicator: the rule, the target, firms counted now and by projection."""
    rule = thresholds["bound_rule"]
    return pd.DataFrame(
        {
            "indicator": tiers["id"],
            "name": tiers["name"],
            "rule": [
                f"{MEASURES[t.field]}{band_rule_text(t.lower_yuan, t.upper_yuan, rule)}"
                for t in tiers.itertuples()
            ],
            "target": tiers["target"],
            "actual": [int(firms[t].sum()) for t in tiers["id"]],
            "projected": [int(firms[f"{t}_projected"].sum()) for t in tiers["id"]],
        }
    )


def _at(panel: pd.DataFrame, year: int, month: int, columns: list[str]) -> pd.DataFrame:
    """The panel's rows of one period, only the columns asked for (a large panel is not
    copied whole to read two of its columns)."""
    return panel.loc[(panel["year"] == year) & (panel["month"] == month), columns]


def same_period_last_year(panel: pd.DataFrame, quarter: Period, measure: str) -> pd.Series:
    """Each firm's figure for the same months of last year, by credit code.

    The 上年同期 column of this year's sheets wins (same-scope, revised); firms that no
    longer report fall back to last year's own sheet.
    """
    now = _at(panel, quarter.year, quarter.month, ["credit_code", f"{measure}_prev"])
    then = _at(panel, quarter.year - 1, quarter.month, ["credit_code", measure])
    reported = now.set_index("credit_code")[f"{measure}_prev"]
    own = then.set_index("credit_code")[measure]
    return reported.combine_first(own)


SOURCE_OF = {"revenue": "indicators", "tax": "tax"}  # which return a tier's figure comes from


def movers(
    panel: pd.DataFrame,
    quarter: Period,
    tiers: pd.DataFrame,
    thresholds: dict,
    left_out: pd.DataFrame | None = None,
):
    """Firms that entered or left each tier since the same period last year. A firm whose
    figure is left out of the count (quality.left_out: conflicting rows, not listed by a
    revision) has not left its tier: it is shown with the reason and where to look."""
    left_out = left_out if left_out is not None else pd.DataFrame(columns=["kind", "credit_code"])
    rule = thresholds["bound_rule"]
    fields = list(dict.fromkeys(tiers["field"]))  # the measures the tiers count on
    now = _at(panel, quarter.year, quarter.month, [*FIRM_COLUMNS, *fields])
    then = _at(panel, quarter.year - 1, quarter.month, FIRM_COLUMNS)
    names = pd.concat([then, now]).drop_duplicates("credit_code", keep="last")
    names = names.set_index("credit_code")[["name", "industry"]]
    reporting = now["credit_code"].astype(object)  # isin on Arrow text loops in Python
    earlier = {field: same_period_last_year(panel, quarter, field) for field in fields}
    frames = []
    for tier in tiers.itertuples():
        current = now.set_index("credit_code")[tier.field]
        before = earlier[tier.field]
        codes = current.index.union(before.index)
        current, before = current.reindex(codes), before.reindex(codes)
        was = in_band(before, tier.lower_yuan, tier.upper_yuan, rule).to_numpy()
        is_ = in_band(current, tier.lower_yuan, tier.upper_yuan, rule).to_numpy()
        change = pd.Series(np.select([is_ & ~was, was & ~is_], ["进入", "退出"], ""), index=codes)
        moved = change[change != ""].index
        why = left_out[left_out["kind"] == SOURCE_OF[tier.field]].set_index("credit_code")
        why = why.reindex(index=moved, columns=["reason", "where"])
        shown = (change[moved] == "退出") & why["reason"].notna() & (why["reason"] != "")
        frames.append(
            pd.DataFrame(
                {
                    "indicator": tier.id,
                    "tier": tier.name,
                    "change": change[moved].where(~shown, why["reason"]),
                    "note": why["where"].where(change[moved] == "退出").fillna("").astype(str),
                    "credit_code": moved,
                    "name": names["name"].reindex(moved),
                    "industry": names["industry"].reindex(moved),
                    "value_now": current[moved],
                    "value_last_year": before[moved],
                    "reporting_now": moved.astype(object).isin(reporting),
                },
                index=moved,
            )
        )
    columns = [
        "indicator",
        "tier",
        "change",
        "note",
        "credit_code",
        "name",
        "industry",
        "value_now",
        "value_last_year",
        "reporting_now",
    ]
    return pd.concat(frames or [pd.DataFrame(columns=columns)], ignore_index=True)[columns]


def cultivation_pool(firms: pd.DataFrame, tiers: pd.DataFrame, thresholds: dict):
    """Firms just below each tier threshold (≥ pool_share of it): the 培育库 to work on.

    One row per firm and threshold, with the gap to the threshold and whether the
    projection for the full year crosses it.
    """
    share = thresholds["pool_share"]
    frames = []
    thresholds_by_measure = tiers.drop_duplicates(["field", "lower_yuan"])
    for tier in thresholds_by_measure.itertuples():
        value = firms[f"{tier.field}_ytd"]
        close = firms[(value < tier.lower_yuan) & (value >= share * tier.lower_yuan)]
        projected = close[f"{tier.field}_projected"]
        frames.append(
            pd.DataFrame(
                {
                    "threshold": f"{MEASURES[tier.field]}{yuan_label(tier.lower_yuan)}元",
                    "credit_code": close["credit_code"],
                    "name": close["name"],
                    "industry": close["industry"],
                    "ytd": close[f"{tier.field}_ytd"],
                    "gap": tier.lower_yuan - close[f"{tier.field}_ytd"],
                    "growth": close[f"{tier.field}_growth"],
                    "projected": projected,
                    "crosses_by_projection": projected >= tier.lower_yuan,
                    "_measure": list(MEASURES).index(tier.field),
                    "_bound": tier.lower_yuan,
                }
            )
        )
    columns = [
        "threshold",
        "credit_code",
        "name",
        "industry",
        "ytd",
        "gap",
        "growth",
        "projected",
        "crosses_by_projection",
    ]
    # By measure, then by the bound as a number (税收5000万 before 税收1亿), then the gap.
    pool = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=[*columns, "_measure", "_bound"])
    )
    return pool.sort_values(["_measure", "_bound", "gap"])[columns].reset_index(drop=True)


def comparable_growth(current: pd.Series, previous: pd.Series) -> float:
    """同比 of a group on the same set of firms: only firms with a 上年同期 figure count."""
    both = current.notna() & previous.notna()
    base = previous[both].sum()
    return current[both].sum() / base - 1 if base > 0 else np.nan


def industry_breakdown(firms: pd.DataFrame, tiers: pd.DataFrame) -> pd.DataFrame:
    """Per industry: firms, cumulative revenue and tax, their growth, and tier counts."""
    grouped = firms.groupby("industry", observed=True)
    table = grouped.agg(
        firms=("credit_code", "size"),
        revenue_ytd=("revenue_ytd", "sum"),
        tax_ytd=("tax_ytd", "sum"),
    )
    for measure in ("revenue", "tax"):
        table[f"{measure}_growth"] = grouped.apply(
            lambda g, m=measure: comparable_growth(g[f"{m}_ytd"], g[f"{m}_prev_ytd"])
        )
    table["revenue_share"] = table["revenue_ytd"] / table["revenue_ytd"].sum()
    for tier_id in tiers["id"]:
        table[tier_id] = grouped[tier_id].sum()
    return table.sort_values("revenue_ytd", ascending=False).reset_index()


def projection_reliability(firms: pd.DataFrame, tiers: pd.DataFrame, near: float = 0.1) -> dict:
    """What the tier projections rest on: firms projected seasonally and linearly (by
    revenue), and firm-tier pairs whose projection lies within ±`near` of the tier's
    lower bound, where a month's figures may move the verdict."""
    methods = firms["revenue_method"].value_counts() if "revenue_method" in firms else {}
    close = 0
    for tier in tiers.itertuples():
        projected = firms[f"{tier.field}_projected"]
        close += int(((projected - tier.lower_yuan).abs() <= near * tier.lower_yuan).sum())
    bounds = list(dict.fromkeys(f"{yuan_label(t.lower_yuan)}元" for t in tiers.itertuples()))
    return {
        "seasonal": int(methods.get("seasonal", 0)),
        "linear": int(methods.get("linear", 0)),
        "near": close,
        "bounds": bounds,
    }
