"""What changed since the last 通报: which indicators fell behind, stayed behind or caught
up, and how far behind each one is, from two scorecards (targets.scorecard).

"Behind" is the supervision office's attention list (judgement.ATTENTION: 滞后, 逾期未完成,
未完成, 预计未达标, 未达到目标), whatever the indicator's kind. How far behind is one
measure for every kind, so the items can be ranked together: the share of the yearly
target by which the indicator falls short of what is due by now (`shortfall`).
"""

import numpy as np
import pandas as pd

from analysis.judgement import ATTENTION, NO_DATA, NO_TARGET, RULES, YEAR_END

NEWLY, STILL, RECOVERED, UNJUDGED = "newly", "still", "recovered", "unjudged"
CHANGE_COLUMNS = [
    "indicator",
    "plan",
    "name",
    "departments",
    "change",
    "status_before",
    "status_now",
    "shortfall_before",
    "shortfall_now",
]


def shortfall(card: pd.DataFrame) -> pd.Series:
    """Per indicator, the share of its yearly target it lacks against what is due by now:
    序时进度 − progress for flows and starts, 1 − projected ÷ target for a stock before
    year end, 1 − progress otherwise (rates, batches, the year's end). NaN without a
    target or figure; negative when ahead."""
    due = card["expected_progress"].astype(float).fillna(1.0)
    reached = card["progress"].astype(float)
    stock = (card["basis"] == "stock") & (card["judged_on"] != YEAR_END)
    projected = card["projected"].astype(float) / card["target"].astype(float)
    reached = reached.where(~stock, projected)
    return (due - reached).where(card["target"].notna())


def from_file(frame: pd.DataFrame) -> pd.DataFrame:
    """A scorecard as scorecard.csv publishes it (progress and 序时进度 in percent) in the
    form targets.scorecard gives (fractions); a stock told by its rule when `basis` is absent."""
    out = frame.copy()
    for column in ("progress", "expected_progress"):
        out[column] = pd.to_numeric(out[column], errors="coerce") / 100
    for column in ("target", "actual", "projected"):
        out[column] = pd.to_numeric(out[column], errors="coerce")
    if "basis" not in out:
        out["basis"] = np.where(out["judged_on"] == RULES["stock"], "stock", "")
    out["judged_on"] = out["judged_on"].fillna("")
    return out


def most_behind(card: pd.DataFrame) -> pd.DataFrame:
    """The indicators needing attention, the furthest behind (largest shortfall) first,
    with their `shortfall`; ties keep the scorecard's order."""
    behind = card[card["status"].isin(ATTENTION)].assign(shortfall=shortfall(card))
    return behind.sort_values("shortfall", ascending=False, kind="stable", na_position="last")


def since(previous: pd.DataFrame, current: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator behind in either scorecard: NEWLY behind now, STILL behind,
    RECOVERED (judged now, no longer behind) or UNJUDGED (behind before, now without a
    figure or target). An indicator absent from `previous` counts as not behind there.
    Rows in `current`'s order, the indicators only `previous` has last."""
    before = previous.set_index("indicator")
    now = current.set_index("indicator")
    gap_before, gap_now = shortfall(previous), shortfall(current)
    gap_before.index, gap_now.index = before.index, now.index
    ids = list(now.index) + [i for i in before.index if i not in now.index]
    rows = []
    for indicator in ids:
        was = before["status"].get(indicator, "")
        is_ = now["status"].get(indicator, "")
        if was not in ATTENTION and is_ not in ATTENTION:
            continue
        if is_ in ATTENTION:
            change = STILL if was in ATTENTION else NEWLY
        elif is_ in ("", NO_DATA, NO_TARGET):
            change = UNJUDGED
        else:
            change = RECOVERED
        source = now if indicator in now.index else before
        rows.append(
            dict(
                indicator=indicator,
                plan=source.at[indicator, "plan"],
                name=source.at[indicator, "name"],
                departments=source.at[indicator, "departments"],
                change=change,
                status_before=was,
                status_now=is_,
                shortfall_before=gap_before.get(indicator, np.nan),
                shortfall_now=gap_now.get(indicator, np.nan),
            )
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
