import pandas as pd
import pytest

from analysis import params
from analysis.periods import Period
from analysis.targets import AHEAD, BEHIND, NO_DATA, NO_TARGET, ON_TRACK, scorecard, status


@pytest.mark.parametrize(
    "progress, expected, verdict",
    [
        (0.80, 0.75, AHEAD),
        (0.77, 0.75, ON_TRACK),  # within the ±2 point band
        (0.75, 0.75, ON_TRACK),
        (0.73, 0.75, ON_TRACK),
        (0.72, 0.75, BEHIND),
        (float("nan"), 0.75, NO_DATA),
    ],
)
def test_status_against_schedule(progress, expected, verdict):
    assert status(progress, expected, 0.02) == verdict


def test_scorecard_keeps_every_indicator_and_judges_rates_against_the_rate():
    indicators = params.indicators()
    values = pd.DataFrame(
        {
            "indicator": [
                "sales_ge_100m",
                "approval_reduction_ratio",
                "leading_industries_revenue",
            ],
            "actual": [18.0, 50.0, 120.0],
            "projected": [24.0, None, 160.0],
            "growth": None,
        }
    )
    card = scorecard(indicators, values, Period(2026, 9), 0.02).set_index("indicator")
    assert len(card) == len(indicators)
    assert set(card["plan"]) == set(range(1, 11))
    sales = card.loc["sales_ge_100m"]
    assert sales["progress"] == pytest.approx(18 / 23)
    assert sales["expected_progress"] == 0.75 and sales["status"] == AHEAD
    ratio = card.loc["approval_reduction_ratio"]
    assert ratio["expected_progress"] == 1.0 and ratio["status"] == BEHIND  # 50% of 54%
    assert card.loc["leading_industries_revenue", "status"] == NO_TARGET
    assert card.loc["upgrade_investment", "status"] == NO_DATA
    assert pd.isna(card.loc["upgrade_investment", "actual"])
