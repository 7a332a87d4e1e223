"""Each indicator's path through the year: its value at every period of this year so far
and of last year that the data hold (every month where the bureaus sent monthly tables,
the quarter-ends where they sent quarterly ones), each computed exactly as that period's
scorecard would be.

Last year's values are measured the same way (same bands, same sources) so the two years
compare; progress and 序时进度 are shown for this year only, the year the targets are for.
"""

import pandas as pd

from analysis.intake.periods import Period, reported
from analysis.measures import industries, targets, tiers

PATH_COLUMNS = [
    "indicator",
    "plan",
    "name",
    "unit",
    "target",
    "basis",
    "year",
    "month",
    "actual",
    "progress",
    "expected_progress",
]


def periods(panel: pd.DataFrame, current: Period) -> list[Period]:
    """Periods of last year and of this year up to `current` that the panel holds."""
    return [
        p
        for p in reported(panel)
        if p.year == current.year - 1 or (p.year == current.year and p <= current)
    ]


def measured_at(data, p: Period) -> pd.DataFrame:
    """The indicators' actual values at an earlier period `p`, as its scorecard measured
    them: the firm table without projections, which a path does not show."""
    firms = tiers.firm_table(data.panel, p, data.tiers, data.thresholds, projections=False)
    firms = industries.leading(firms, data.industries)
    return targets.measured(
        firms, data.indicators, data.sources, p, data.thresholds, data.named_of(p.year)
    )


def indicator_paths(data) -> pd.DataFrame:
    """One row per indicator with a measure and reported period (store.PeriodData in);
    the period's own point is its scorecard's (data.measured)."""
    frames = []
    for p in periods(data.panel, data.period):
        values = data.measured if p == data.period else measured_at(data, p)
        frames.append(values.assign(year=p.year, month=p.month))
    empty = pd.DataFrame(columns=["indicator", "actual", "year", "month"])
    values = pd.concat(frames or [empty], ignore_index=True)
    measured = data.indicators[data.indicators["measure"].notna()]
    paths = measured.merge(values, left_on="id", right_on="indicator")
    this_year = paths["year"] == data.period.year
    paths["progress"] = (paths["actual"] / paths["target"]).where(this_year)
    calendar = [
        targets.expected_progress(b, Period(int(y), int(m)))
        for b, y, m in zip(paths["basis"], paths["year"], paths["month"], strict=True)
    ]  # a list's starts carry their own share due (plans.Value.expected)
    due = paths["expected"].where(paths["expected"].notna(), calendar)
    paths["expected_progress"] = due.where(this_year & paths["target"].notna())
    return paths.reindex(columns=PATH_COLUMNS).reset_index(drop=True)
