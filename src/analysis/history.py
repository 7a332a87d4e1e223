"""Each indicator's path through the year: its value at every quarter-end of this year so
far and of last year, each computed exactly as that quarter's scorecard would be.

Last year's values are measured the same way (same bands, same sources) so the two years
compare; progress and 序时进度 are shown for this year only, the year the targets are for.
"""

import pandas as pd

from analysis import targets, tiers
from analysis.periods import Quarter

PATH_COLUMNS = [
    "indicator",
    "plan",
    "name",
    "unit",
    "target",
    "basis",
    "year",
    "quarter",
    "actual",
    "progress",
    "expected_progress",
]


def quarters(panel: pd.DataFrame, current: Quarter) -> list[Quarter]:
    """Quarter-ends of last year and of this year up to `current` that the panel holds."""
    present = set(zip(panel["year"], panel["month"], strict=True))
    wanted = [Quarter(current.year - 1, q) for q in range(1, 5)]
    wanted += [Quarter(current.year, q) for q in range(1, current.quarter + 1)]
    return [q for q in wanted if (q.year, q.month) in present]


def indicator_paths(data) -> pd.DataFrame:
    """One row per indicator with a measure and reported quarter (store.QuarterData in)."""
    frames = []
    for q in quarters(data.panel, data.quarter):
        firms = tiers.firm_table(data.panel, q, data.tiers, data.thresholds)
        values = targets.measured(firms, data.indicators, data.sources, q, data.thresholds)
        frames.append(values.assign(year=q.year, quarter=q.quarter))
    empty = pd.DataFrame(columns=["indicator", "actual", "year", "quarter"])
    values = pd.concat(frames or [empty], ignore_index=True)
    measured = data.indicators[data.indicators["measure"].notna()]
    paths = measured.merge(values, left_on="id", right_on="indicator")
    this_year = paths["year"] == data.quarter.year
    paths["progress"] = (paths["actual"] / paths["target"]).where(this_year)
    paths["expected_progress"] = [
        targets.expected_progress(b, Quarter(int(y), int(q))) if now else float("nan")
        for b, y, q, now in zip(
            paths["basis"], paths["year"], paths["quarter"], this_year, strict=True
        )
    ]
    return paths.reindex(columns=PATH_COLUMNS).reset_index(drop=True)
