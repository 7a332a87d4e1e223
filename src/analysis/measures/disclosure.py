"""Disclosure control for the public edition: which aggregate figures may leave the bureau.

Firm-level revenue and tax are confidential (Statistics Law, art. 9). A published cell is
hidden when too few firms contribute to it or one or two firms dominate it (primary
suppression); then further cells are hidden so that a published total cannot give a
hidden one back (secondary suppression). The limits live in params/thresholds.yaml.
pandas is imported where a table is made: the command line reads EDITIONS from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

SUPPRESSED = "×"  # shown in place of a hidden figure
EDITIONS = ("internal", "public")
# Per measure of the industry table: the figures that give the measure away with it.
INDUSTRY_MEASURES = {
    "revenue_ytd": ["revenue_growth", "revenue_share"],
    "tax_ytd": ["tax_growth"],
}


def rules(thresholds: dict) -> tuple[int, tuple[int, float]]:
    """(min_firms, (n, k)) from thresholds.yaml, with the common rule (3; 2, 85%) as default."""
    n, k = thresholds.get("disclosure_dominance", [2, 0.85])
    return int(thresholds.get("disclosure_min_firms", 3)), (int(n), float(k))


def sensitive(contributions, min_firms: int = 3, dominance: tuple[int, float] = (2, 0.85)):
    """Whether one cell, given each contributing firm's figure, must be hidden.

    Firms with no figure, or zero, do not contribute. A cell with no contributor discloses
    nothing; one with at most `min_firms` contributors, or whose `n` largest contributors
    make up more than `k` of it, is sensitive.
    """
    import pandas as pd

    values = pd.Series(contributions, dtype="float64").dropna().abs()
    values = values[values > 0]
    if values.empty:
        return False
    if len(values) <= min_firms:
        return True
    n, k = dominance
    return bool(values.nlargest(n).sum() > k * values.sum())


def primary(
    firms: pd.DataFrame, by: str, measures: list[str], min_firms: int, dominance
) -> pd.DataFrame:
    """One row per value of `by`, one column per measure: True where the cell is sensitive."""
    import pandas as pd

    grouped = firms.groupby(by, observed=True)
    return pd.DataFrame(
        {m: grouped[m].apply(lambda v: sensitive(v, min_firms, dominance)) for m in measures}
    )


def secondary(
    hidden: pd.DataFrame, values: pd.DataFrame, row_totals: bool = False, column_totals=True
) -> pd.DataFrame:
    """Hide complementary cells until no published total reveals a hidden one.

    A line (row or column) whose total is published must not hold exactly one hidden
    cell, or total minus the rest gives it back: the smallest other non-empty cell of
    the line is hidden too. Repeated until stable, since a new hidden cell may leave a
    single hidden cell in the line that crosses it.
    """
    hidden = hidden.copy().astype(bool)
    changed = True
    while changed:
        changed = False
        if column_totals:
            changed |= _complete_lines(hidden, values)
        if row_totals:
            transposed = hidden.T
            if _complete_lines(transposed, values.T):
                hidden = transposed.T
                changed = True
    return hidden


def _complete_lines(hidden: pd.DataFrame, values: pd.DataFrame) -> bool:
    """Within each column of `hidden` (changed in place), add one complement if needed."""
    changed = False
    for column in hidden.columns:
        line = hidden[column]
        if line.sum() != 1:
            continue
        figures = values[column].abs()
        candidates = figures[~line & figures.notna() & (figures > 0)]
        if candidates.empty:
            continue  # the hidden cell is the whole total: the total itself is sensitive
        hidden.loc[candidates.idxmin(), column] = True
        changed = True
    return changed


def industry_breakdown(breakdown: pd.DataFrame, firms: pd.DataFrame, thresholds: dict):
    """tiers.industry_breakdown as the public edition shows it: sensitive figures as ×.

    Revenue and tax are checked separately; the city totals of both are published (the
    scorecard, the shares), so each column gets secondary suppression. A hidden amount
    hides its growth and share too, which would otherwise narrow it down.
    """
    min_firms, dominance = rules(thresholds)
    table = breakdown.set_index("industry")
    measures = list(INDUSTRY_MEASURES)
    hidden = primary(firms, "industry", measures, min_firms, dominance)
    hidden = hidden.reindex(table.index, fill_value=False)
    hidden = secondary(hidden, table[measures], column_totals=True)
    shown = table.astype({c: object for m, d in INDUSTRY_MEASURES.items() for c in [m, *d]})
    for measure, derived in INDUSTRY_MEASURES.items():
        shown.loc[hidden[measure], [measure, *derived]] = SUPPRESSED
    return shown.reset_index()


def published(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """The rows whose `column` is shown, as numbers again (e.g. for a chart)."""
    shown = table[table[column].map(lambda v: not (isinstance(v, str) and v == SUPPRESSED))]
    return shown.infer_objects()


def keep_marks(formats: dict) -> dict:
    """Formatters that leave the × mark as it is and format every real figure."""
    return {column: _keeping_marks(f) for column, f in formats.items()}


def _keeping_marks(formatter):
    return lambda v: v if isinstance(v, str) and v == SUPPRESSED else formatter(v)


def firm_counts(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """A firm-level table reduced to how many firms fall in each group: no names, no figures."""
    return frame.groupby(by, observed=True, sort=False).size().reset_index(name="firms")


# The scorecard's figures of an indicator: its total, and what gives the total back (the
# projection; the progress, times the published target). The status, a verdict against the
# target, stays.
SCORECARD_FIGURES = ["actual", "projected", "progress"]


def withheld(contributions: dict, thresholds: dict) -> dict[str, int]:
    """Indicators whose total is a few firms' own figures, by the rule of a table's cells
    (sensitive): indicator → firms contributing. `contributions` gives each indicator's
    figure per firm. The programme names the firms behind some totals (equity financing:
    金牌饲料, 黄海汽配, 中机模具), so a total of three is near enough each firm's figure."""
    import pandas as pd

    min_firms, dominance = rules(thresholds)
    hidden = {}
    for indicator, figures in contributions.items():
        values = pd.Series(figures, dtype="float64").dropna().abs()
        if sensitive(values, min_firms, dominance):
            hidden[indicator] = int((values > 0).sum())
    return hidden


def withhold_scorecard(rows: pd.DataFrame, indicators, hidden: dict) -> pd.DataFrame:
    """Scorecard rows as a page shows them (formatting.scorecard_rows) with the figures of
    `hidden` indicators as ×; `indicators` gives each row's indicator id."""
    import pandas as pd

    out = rows.copy()
    out.loc[pd.Series(indicators).isin(list(hidden)).to_numpy(), SCORECARD_FIGURES] = SUPPRESSED
    return out


def withhold_card(card: pd.DataFrame, hidden) -> pd.DataFrame:
    """The scorecard as the public edition publishes it: the figures of `hidden` indicators
    (withheld) empty and marked `withheld`, so every page and file shows × with the reason;
    their status, a verdict against the programme's own target, stays."""
    out = card.assign(withheld=card["indicator"].isin(list(hidden)))
    figures = [c for c in (*SCORECARD_FIGURES, "own_actual") if c in out.columns]
    out.loc[out["withheld"], figures] = float("nan")
    return out


def withheld_text(names: dict[str, str], hidden: dict, thresholds: dict) -> str:
    """Why an indicator's figures are ×, beside the table that shows them: its name
    (`names`: indicator → name), how many firms make it up, and the rule."""
    min_firms, (n, k) = rules(thresholds)
    which = "；".join(
        f"{names[i].removeprefix('其中：')}由 {firms} 家企业构成" for i, firms in hidden.items()
    )
    return (
        f"公开版：{which}。企业数不超过 {min_firms} 家、或前 {n} 家企业合计超过 {k:.0%} 的"
        f"数额不予公布，其完成额、全年预计和完成进度以 {SUPPRESSED} 表示。"
    )


def rule_text(thresholds: dict) -> str:
    """The rule as printed beneath a suppressed table."""
    min_firms, (n, k) = rules(thresholds)
    return (
        f"公开版：企业数不超过 {min_firms} 家，或前 {n} 家企业合计超过该格 {k:.0%} 的单元格"
        f"以 {SUPPRESSED} 表示；为防止由合计倒推，同列另隐藏最小的单元格。"
    )
