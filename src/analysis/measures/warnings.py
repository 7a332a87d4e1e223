"""Early warnings (预警): the firms a supervision office watches before a target is missed.

Each rule is data (Rule): an id, its Chinese name, the rule in words with its parameter
(params/thresholds.yaml), and a function of the period's inputs (Inputs) that finds the
firms it puts on the list, each with the figure that put it there and a severity to rank
by. Rules that read more than the firm table and panel read their own field of Inputs:
the named items off schedule read items.csv's table, the firms whose own yearly goal is
projected short read the 对号入座 table (items.goals).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.intake.periods import Period, reported
from analysis.measures import disclosure, industries
from analysis.measures.tiers import MEASURES, in_band, yuan_label

FOUND = ["credit_code", "name", "industry", "indicator", "value", "reference", "change"]
FOUND += ["detail", "severity"]  # what a rule's function returns, one row per firm
COLUMNS = ["rule", "rule_name", "rank", *FOUND[:-1]]  # the warning list (entries)
STATISTICS = "indicators"  # the statistics return (quality.left_out's kind): a 规上 firm's table
# The panel's `sources` of rows the statistics return holds (quality.REPORTED_BY, spelt out:
# the kernels import this module, and the intake's modules are not theirs to import).
STATISTICS_ROWS = ("统计+税务", "仅统计")
TOTAL = "合计"  # the city's row of the by-industry tables
NO_INDUSTRY = "点名事项（不分产业）"  # where a named item, which has no industry, is counted
FIRM_GOALS = "firm_goals"  # items.goals.LIST_ID: own goals have a rule of their own


@dataclass(frozen=True)
class Inputs:
    """What the rules read, for one period."""

    firms: pd.DataFrame  # tiers.firm_table with industries.leading (store.PeriodData.firms)
    panel: pd.DataFrame  # the intake's panel, every period
    period: Period
    tiers: pd.DataFrame  # the tier indicators (params.tiers)
    thresholds: dict  # params/thresholds.yaml as checked
    industries: dict  # params/industries.yaml: places a firm no longer in the firm table
    left_out: pd.DataFrame  # quality.left_out of the period: reported, but not counted
    items: pd.DataFrame | None = None  # the named items judged (items.csv's table)
    goals: pd.DataFrame | None = None  # firms' own goals followed (items.goals.followed)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # as the page and the sheet name the rule
    text: Callable[[dict], str]  # thresholds → the rule in words, with its parameter
    find: Callable[[Inputs], pd.DataFrame]  # the firms it lists (FOUND columns)
    noun: str = "家"  # what an entry is: a firm (家), a named item (项), a firm's goal (项)


def _wan(yuan: float) -> str:
    return "—" if pd.isna(yuan) else f"{yuan / 1e4:,.1f}万元"


def _found(rows: pd.DataFrame, **columns) -> pd.DataFrame:
    """A rule's firms: identity from `rows`, the rest given (scalars or aligned Series)."""
    out = rows[["credit_code", "name", "industry"]].copy()
    for key in FOUND[3:]:
        value = columns.get(key, np.nan)
        out[key] = value.to_numpy() if isinstance(value, pd.Series) else value
    return out[FOUND]


# --- the rules -------------------------------------------------------------------------
def _decline_text(measure: str):
    def text(thresholds: dict) -> str:
        share = thresholds["warning_decline_share"]
        return (
            f"{MEASURES[measure]}本年累计比上年同期（同一企业，报表“上年同期”列）下降 "
            f"{share:.0%} 及以上"
        )

    return text


def _decline(measure: str):
    """Firms whose cumulative figure fell by at least the share 同比 (tiers.firm_table's
    growth: against the table's own 上年同期 column). Ranked by the amount lost."""

    def find(x: Inputs) -> pd.DataFrame:
        growth = x.firms[f"{measure}_growth"]
        hit = x.firms[growth <= -x.thresholds["warning_decline_share"]]
        now, before = hit[f"{measure}_ytd"], hit[f"{measure}_prev_ytd"]
        detail = [
            f"本年累计{_wan(a)}，上年同期{_wan(b)}，同比{g:+.1%}"
            for a, b, g in zip(now, before, hit[f"{measure}_growth"], strict=True)
        ]
        return _found(
            hit,
            indicator=f"{MEASURES[measure]}本年累计",
            value=now,
            reference=before,
            change=hit[f"{measure}_growth"],
            detail=pd.Series(detail, index=hit.index, dtype=object),
            severity=before - now,
        )

    return find


def _statistics_rows(panel: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """The panel's rows of one period that the statistics return holds."""
    rows = (panel["year"] == year) & (panel["month"] == month)
    return panel[rows & panel["sources"].isin(STATISTICS_ROWS)]


def _new_loss(x: Inputs) -> pd.DataFrame:
    """利润总额 below zero now and not below zero a year earlier (the 上年同期 column).
    Ranked by the loss."""
    now = _statistics_rows(x.panel, x.period.year, x.period.month)
    hit = now[(now["profit"] < 0) & (now["profit_prev"] >= 0)]
    placed = x.firms.set_index("credit_code")["industry"]
    hit = hit.assign(industry=placed.reindex(hit["credit_code"]).to_numpy())
    detail = [
        f"利润总额本年累计{_wan(a)}，上年同期{_wan(b)}"
        for a, b in zip(hit["profit"], hit["profit_prev"], strict=True)
    ]
    return _found(
        hit,
        indicator="利润总额本年累计",
        value=hit["profit"],
        reference=hit["profit_prev"],
        detail=pd.Series(detail, index=hit.index, dtype=object),
        severity=-hit["profit"],
    )


def previous_period(panel: pd.DataFrame, period: Period) -> Period | None:
    """The table a firm reporting now also reported in: this year's last period before
    `period`, or last year's 1-12月 at the first period of a year; None when absent."""
    held = reported(panel)
    earlier = [p for p in held if p.year == period.year and p.month < period.month]
    if earlier:
        return earlier[-1]
    last_year = Period(period.year - 1, 12)
    return last_year if last_year in held else None


def _stopped(x: Inputs) -> pd.DataFrame:
    """Firms in the previous period's statistics table and not in this one. A firm whose
    row of this period is in a table but not counted (quality.left_out: conflicting rows,
    a value that could not be read, not listed by a revision) has not stopped: the
    data-quality page lists it. Ranked by its revenue in the previous table."""
    before = previous_period(x.panel, x.period)
    if before is None:
        return _found(x.firms.iloc[:0])
    then = _statistics_rows(x.panel, before.year, before.month)
    now = _statistics_rows(x.panel, x.period.year, x.period.month)
    kept = x.left_out.loc[x.left_out["kind"] == STATISTICS, "credit_code"].astype(object)
    codes = then["credit_code"].astype(object)
    hit = then[~codes.isin(now["credit_code"].astype(object)) & ~codes.isin(kept)]
    hit = hit.assign(industry=industries.classify(hit["industry"], x.industries).to_numpy())
    detail = f"{before.label}统计报表在报，{x.period.label}未报"
    if before.year < x.period.year:
        detail += "（可能已退出规上名录）"
    return _found(
        hit,
        indicator=f"{before.label}营业收入",
        reference=hit["revenue"],
        detail=detail,
        severity=hit["revenue"].fillna(0),
    )


def _leaving_text(thresholds: dict) -> str:
    limit = yuan_label(thresholds["above_size_revenue_yuan"])
    return f"营业收入全年预计低于规模以上工业企业标准 {limit}元（全年预计见企业分档页）"


def _leaving(x: Inputs) -> pd.DataFrame:
    """Firms whose projected full-year revenue is below the above-size threshold.
    Ranked by the shortfall."""
    limit = x.thresholds["above_size_revenue_yuan"]
    hit = x.firms[x.firms["revenue_projected"] < limit]
    projected = hit["revenue_projected"]
    detail = [
        f"本年累计{_wan(a)}，全年预计{_wan(p)}，低于{yuan_label(limit)}元"
        for a, p in zip(hit["revenue_ytd"], projected, strict=True)
    ]
    return _found(
        hit,
        indicator="营业收入全年预计",
        value=projected,
        reference=float(limit),
        detail=pd.Series(detail, index=hit.index, dtype=object),
        severity=limit - projected,
    )


def _tier_drop(x: Inputs) -> pd.DataFrame:
    """Firms that counted for a tier last year (its 1-12月 table) and whose full-year
    projection is below the tier's lower bound. A firm that counts for a tier by its
    cumulative figure now always counts by projection too (a projection is never below the
    cumulative figure), so last year's year-end count is the one a firm can fall from.
    Ranked by the shortfall as a share of the bound."""
    rule = x.thresholds["bound_rule"]
    rows = (x.panel["year"] == x.period.year - 1) & (x.panel["month"] == 12)
    fields = list(dict.fromkeys(x.tiers["field"]))
    last = x.panel.loc[rows, ["credit_code", *fields]].astype({"credit_code": object})
    codes = x.firms["credit_code"].astype(object)  # a join on Arrow text loops in Python
    year_end = {f: last.set_index("credit_code")[f].reindex(codes).to_numpy() for f in fields}
    frames = [_found(x.firms.iloc[:0])]
    for tier in x.tiers.itertuples():
        before = year_end[tier.field]
        counted = in_band(before, tier.lower_yuan, tier.upper_yuan, rule).to_numpy()
        projected = x.firms[f"{tier.field}_projected"]
        below = projected.notna() & ~in_band(projected, tier.lower_yuan, None, rule).to_numpy()
        hit = x.firms[counted & below.to_numpy()]
        last_year = pd.Series(before[counted & below.to_numpy()], index=hit.index)
        name = tier.name.removeprefix("其中：")
        detail = [
            f"上年1-12月{MEASURES[tier.field]}{_wan(b)}，全年预计{_wan(p)}，"
            f"低于{yuan_label(tier.lower_yuan)}元"
            for b, p in zip(last_year, hit[f"{tier.field}_projected"], strict=True)
        ]
        frames.append(
            _found(
                hit,
                indicator=name,
                value=hit[f"{tier.field}_projected"],
                reference=last_year,
                detail=pd.Series(detail, index=hit.index, dtype=object),
                severity=1 - hit[f"{tier.field}_projected"] / tier.lower_yuan,
            )
        )
    return pd.concat(frames, ignore_index=True)


BEHIND_WORD = "滞后"  # judgement.BEHIND


def _items_text(thresholds: dict) -> str:
    words = "、".join(thresholds["warning_item_statuses"])
    lag = thresholds["warning_item_lag"]
    return (
        f"点名清单（重点项目、重大技改、股权融资企业等）中状态为{words}的事项；"
        f"滞后的，完成进度低于序时进度 {100 * lag:.0f} 个百分点及以上"
    )


def _items_off(x: Inputs) -> pd.DataFrame:
    """Named items whose status is one the thresholds list (滞后, 逾期未完成, 本期未报送…),
    an item 滞后 only when it is at least warning_item_lag behind 序时进度; the firms' own
    goals apart (their own rule). Ranked by what is missing: the share of the target not
    done (against 序时进度 for 滞后); an item not reported, nothing known, first."""
    if x.items is None or x.items.empty:
        return _found(x.firms.iloc[:0])
    statuses = x.thresholds["warning_item_statuses"]
    hit = x.items[(x.items["list"] != FIRM_GOALS) & x.items["status"].isin(statuses)]
    target, actual = pd.to_numeric(hit["target"]), pd.to_numeric(hit["actual"])
    done = (actual / target.where(target > 0)).clip(lower=0)
    behind = hit["status"] == BEHIND_WORD
    due = pd.Series(np.where(behind, x.period.elapsed, 1.0), index=hit.index)
    lag = due - done.fillna(0)
    kept = ~behind | (lag >= x.thresholds["warning_item_lag"] - 1e-9)
    hit, target, actual, due, lag = hit[kept], target[kept], actual[kept], due[kept], lag[kept]
    hit = hit.assign(name=hit["item"], industry=NO_INDUSTRY)
    unreported = ~hit["in_return"].astype(bool)
    detail = [
        f"{s}：{list_name}，目标{_plain(t)}，完成{_plain(a)}（{u}）；责任单位{o}"
        + (f"；{n}" if isinstance(n, str) and n else "")
        for s, list_name, t, a, u, o, n in zip(
            hit["status"], hit["list_name"], target, actual, hit["unit"], hit["owner"],
            hit["note"], strict=True,
        )
    ]  # fmt: skip
    yuan = np.where(hit["unit"] == "万元", 1e4, np.nan)  # the sheet's figures are yuan
    return _found(
        hit,
        indicator=hit["list_name"],
        value=actual * yuan,
        reference=target * yuan,
        detail=pd.Series(detail, index=hit.index, dtype=object),
        severity=lag.where(~unreported, 1.0 + due),
    )


def _plain(value) -> str:
    return "—" if pd.isna(value) else f"{float(value):,.2f}"


def _goals_text(thresholds: dict) -> str:
    share = thresholds["warning_goal_gap_share"]
    return (
        "企业对号入座的年度目标，全年预计低于目标且缺口达目标的 "
        f"{share:.0%} 及以上（1-12月：未完成）；上市目标年末未达到目标阶段"
    )


def _goals_short(x: Inputs) -> pd.DataFrame:
    """Firms whose own yearly goal is projected short (items.goals.shortfalls' statuses)
    by at least the share of the goal the thresholds set; a listing goal, which has no
    amount, when missed at year end. Ranked by the shortfall as a share of the goal."""
    if x.goals is None or x.goals.empty:
        return _found(x.firms.iloc[:0])
    goals = x.goals
    short = goals[(goals["horizon"] == "年度") & goals["status"].isin(("预计未达标", "未完成"))]
    share = pd.to_numeric(short["gap_share"])
    hit = short[share.isna() | (share >= x.thresholds["warning_goal_gap_share"])]
    share = pd.to_numeric(hit["gap_share"])
    detail = [
        f"目标{g}：{_wan(t)}，全年预计{_wan(p)}，缺口{_wan(gap)}（{s:.0%}）"
        if pd.notna(t)
        else f"目标{g}：{ts}，本年达到：{rs or '未有进展'}"
        for g, t, p, gap, s, ts, rs in zip(
            hit["goal"], hit["target"], hit["projected"], hit["gap"], share,
            hit["target_stage"], hit["reached_stage"], strict=True,
        )
    ]  # fmt: skip
    return _found(
        hit,
        indicator=hit["goal"] + "（年度）",
        value=pd.to_numeric(hit["projected"]),
        reference=pd.to_numeric(hit["target"]),
        detail=pd.Series(detail, index=hit.index, dtype=object),
        severity=share.fillna(1.0),
    )


RULES: tuple[Rule, ...] = (
    Rule("revenue_decline", "营业收入同比大幅下降", _decline_text("revenue"), _decline("revenue")),
    Rule("tax_decline", "税收同比大幅下降", _decline_text("tax"), _decline("tax")),
    Rule("new_loss", "新增亏损", lambda t: "利润总额本年累计为负，上年同期不为负", _new_loss),
    Rule(
        "stopped_reporting",
        "停报",
        lambda t: (
            "上一报告期（本年第一期为上年1-12月）统计报表在报，本期未报；因数据冲突、"
            "数值无法读取或修订版未列而未计入的企业不在此列，见数据质量页"
        ),
        _stopped,
    ),
    Rule("leaving_above_size", "可能退出规上", _leaving_text, _leaving),
    Rule(
        "tier_drop",
        "可能跌出档位",
        lambda t: "上年1-12月计入某一档位（骨干攀登、强企闯关的分档），本年全年预计低于该档下限",
        _tier_drop,
    ),
    Rule("items_off_schedule", "点名事项进度滞后", _items_text, _items_off, "项"),
    Rule("goal_short", "企业自定目标预计未达成", _goals_text, _goals_short, "项"),
)
"""The rules, in the order the page and the sheet list them."""


# --- what the page and the sheet show ---------------------------------------------------
def entries(x: Inputs, rules=RULES) -> pd.DataFrame:
    """Every firm each rule lists, with the rule that put it there and its rank within the
    rule (1: the most severe). Rows go by rank, the rules taking turns, so the first rows
    hold the top of every rule: a page that shows a few rows shows every rule's worst."""
    frames = [
        rule.find(x).assign(rule=rule.id, rule_name=rule.name, _order=i)
        for i, rule in enumerate(rules)
    ]
    found = pd.concat(frames, ignore_index=True)
    found = found.sort_values(["_order", "severity"], ascending=[True, False], kind="stable")
    found["rank"] = found.groupby("_order").cumcount() + 1
    found = found.sort_values(["rank", "_order"], kind="stable")
    return found[COLUMNS].reset_index(drop=True)


def rule_table(found: pd.DataFrame, thresholds: dict, rules=RULES) -> pd.DataFrame:
    """One row per rule: its name, the rule in words, how many firms it lists."""
    counts = found["rule"].value_counts()
    return pd.DataFrame(
        {
            "rule": [r.id for r in rules],
            "rule_name": [r.name for r in rules],
            "text": [r.text(thresholds) for r in rules],
            "firms": [int(counts.get(r.id, 0)) for r in rules],
        }
    )


def loss_share(x: Inputs) -> pd.DataFrame:
    """亏损面 by industry and for the city (合计, last): firms with a 利润总额 figure, those
    below zero, the share; the same a year earlier on the same firms (the 上年同期 column),
    and the change in percentage points."""
    now = _statistics_rows(x.panel, x.period.year, x.period.month)
    placed = x.firms.set_index("credit_code")["industry"]
    rows = pd.DataFrame(
        {
            "industry": placed.reindex(now["credit_code"].astype(object)).astype(object).to_numpy(),
            "profit": now["profit"].to_numpy(dtype=float),
            "profit_prev": now["profit_prev"].to_numpy(dtype=float),
        }
    )
    names = x.firms["industry"].cat.categories  # industries.leading: every industry, in order
    groups = [(n, rows[rows["industry"] == n]) for n in names if (rows["industry"] == n).any()]
    groups.append((TOTAL, rows))
    table = pd.DataFrame([_loss_row(name, group) for name, group in groups])
    table["change"] = 100 * (table["loss_share"] - table["loss_share_last_year"])
    return table


def _loss_row(name: str, group: pd.DataFrame) -> dict:
    both = group["profit"].notna() & group["profit_prev"].notna()
    firms, firms_before = int(group["profit"].notna().sum()), int(both.sum())
    losing = int((group["profit"] < 0).sum())
    losing_before = int((group.loc[both, "profit_prev"] < 0).sum())
    return {
        "industry": name,
        "firms": firms,
        "loss_firms": losing,
        "loss_share": losing / firms if firms else np.nan,
        "loss_firms_last_year": losing_before,
        "loss_share_last_year": losing_before / firms_before if firms_before else np.nan,
    }


# --- the public edition -----------------------------------------------------------------
def _hidden_counts(counts: pd.DataFrame, thresholds: dict) -> pd.DataFrame:
    """Count cells a reader could trace to a few firms: 1 to disclosure_min_firms firms
    (disclosure.sensitive, each firm contributing one), then complementary cells so a
    published total (the 合计 row) cannot give one back (disclosure.secondary)."""
    min_firms, dominance = disclosure.rules(thresholds)
    hidden = counts.apply(
        lambda column: column.map(
            lambda n: disclosure.sensitive(np.ones(int(n)), min_firms, dominance)
        )
    )
    body = counts.index != TOTAL
    hidden.loc[body] = disclosure.secondary(hidden.loc[body], counts.loc[body])
    return hidden


def public_counts(found: pd.DataFrame, industry_names, thresholds: dict, rules=RULES):
    """Firms per rule (columns, by rule name) and industry (rows, 合计 last), no names:
    counts of one to a few firms as ×, with complementary cells (_hidden_counts)."""
    counts = pd.crosstab(found["industry"], found["rule"]).reindex(
        index=list(industry_names), columns=[r.id for r in rules], fill_value=0
    )
    counts.loc[TOTAL] = counts.sum()
    hidden = _hidden_counts(counts, thresholds)
    shown = counts.astype(object).mask(hidden, disclosure.SUPPRESSED)
    shown.columns = [r.name for r in rules]
    return shown.rename_axis("industry").reset_index()


LOSS_DISCLOSURE = {
    "loss_firms": ["loss_share", "change"],
    "loss_firms_last_year": ["loss_share_last_year", "change"],
}
"""Per count of the 亏损面 table: the figures that would give it away if shown."""


def public_loss_share(table: pd.DataFrame, thresholds: dict) -> pd.DataFrame:
    """loss_share as the public edition shows it: counts of one to a few loss-making firms
    as ×, with the shares and the change they give away."""
    counts = table.set_index("industry")[list(LOSS_DISCLOSURE)]
    hidden = _hidden_counts(counts, thresholds)
    shown = table.set_index("industry").astype(object)
    for count, derived in LOSS_DISCLOSURE.items():
        shown.loc[hidden[count], [count, *derived]] = disclosure.SUPPRESSED
    return shown.reset_index()


def sentence(counts: pd.Series, losses: pd.DataFrame, period: Period, thresholds: dict) -> str:
    """The page's opening: how many firms each rule lists (`counts`: rule name → firms, ×
    where the public edition hides it), and the city's 亏损面 against a year earlier."""
    min_firms, _ = disclosure.rules(thresholds)
    listed = counts[counts.astype(str) != "0"]
    nouns = {r.name: r.noun for r in RULES}
    parts = "，".join(
        f"{name}不超过 {min_firms} {nouns.get(name, '家')}"
        if n == disclosure.SUPPRESSED
        else f"{name} {int(n)} {nouns.get(name, '家')}"
        for name, n in listed.items()
    )
    text = f"{period.label}，" + (f"预警规则列出：{parts}。" if parts else "没有触发预警的企业。")
    city = losses[losses["industry"] == TOTAL].iloc[0]
    if _shown(city["loss_share"]):
        text += f"全市规上工业企业亏损面 {city['loss_share']:.1%}"
        if _shown(city["change"]):
            word = "扩大" if city["change"] > 0 else "收窄" if city["change"] < 0 else "持平"
            text += f"，比上年同期{word} {abs(city['change']):.1f} 个百分点"
        text += "。"
    return text


def _shown(value) -> bool:
    """A figure, neither missing nor hidden (×)."""
    return isinstance(value, int | float) and not np.isnan(value)
