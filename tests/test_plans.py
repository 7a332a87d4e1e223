import numpy as np
import pandas as pd
import pytest

from analysis import params
from analysis.errors import ParamsError
from analysis.intake.periods import Period
from analysis.intake.sources import COLUMNS, Sources
from analysis.measures import targets

THRESHOLDS = {"seasonal_share_limits": [0.5, 1.5], "on_track_band": 0.02}
Q3 = Period(2026, 9)


def _indicators(rows):
    frame = pd.DataFrame(
        rows, columns=["id", "plan", "name", "unit", "target", "basis", "measure", "departments"]
    )
    frame["lower_yuan"] = np.nan
    frame["kind"] = None
    frame["target_year"] = 2026
    return frame.reindex(columns=params.INDICATOR_COLUMNS)


def _upgrades(rows):
    """技改项目 rows: (year, month, completed yuan)."""
    frame = pd.DataFrame(rows, columns=["year", "month", "completed_investment"])
    return frame.assign(kind="技改项目").reindex(columns=COLUMNS["projects"])


def _sources(projects=None, financing=None, returns=None):
    empty = {name: pd.DataFrame(columns=columns) for name, columns in COLUMNS.items()}
    return Sources(
        projects if projects is not None else empty["projects"],
        empty["platforms"],
        financing if financing is not None else empty["financing"],
        returns if returns is not None else empty["returns"],
    )


UPGRADE_INVESTMENT = (
    "upgrade_investment",
    2,
    "技改投入",
    "亿元",
    35,
    "flow",
    "upgrade_investment",
    ["经信局"],
)


def test_upgrade_investment_in_yi_projected_by_last_years_share():
    projects = _upgrades([(2025, 9, 6e8), (2025, 12, 10e8), (2026, 9, 9e8)])
    indicators = _indicators([UPGRADE_INVESTMENT])
    values = targets.measured(pd.DataFrame(), indicators, _sources(projects), Q3, THRESHOLDS)
    assert values.iloc[0]["actual"] == pytest.approx(9.0)
    assert values.iloc[0]["projected"] == pytest.approx(9.0 / 0.6)


def test_a_quarter_without_a_project_list_has_no_data_not_zero():
    projects = _upgrades([(2026, 6, 9e8)])
    indicators = _indicators([UPGRADE_INVESTMENT])
    values = targets.measured(pd.DataFrame(), indicators, _sources(projects), Q3, THRESHOLDS)
    card = targets.scorecard(indicators, values, Q3, 0.02)
    assert np.isnan(card.iloc[0]["actual"]) and card.iloc[0]["status"] == "无数据"


def test_equity_in_wan_and_a_returned_rate_judged_against_the_rate():
    financing = pd.DataFrame(
        {
            "credit_code": ["A"],
            "name": ["甲"],
            "event": ["股权融资"],
            "amount": [3e7],
            "event_date": pd.to_datetime(["2026-05-01"]),
            "note": [""],
            "year": [2026],
            "month": [9],
        }
    )
    returns = pd.DataFrame(
        {
            "department": ["行政服务中心"],
            "indicator": ["approval_reduction_ratio"],
            "value": [50.0],
            "note": [""],
            "year": [2026],
            "month": [9],
        }
    )
    indicators = _indicators(
        [
            (
                "equity_financing",
                7,
                "股权融资额",
                "万元",
                9000,
                "batch",
                "equity_financing",
                ["金融办"],
            ),
            (
                "approval_reduction_ratio",
                8,
                "审批事项削减比例",
                "%",
                54,
                "rate",
                "department_return",
                ["行政服务中心"],
            ),
        ]
    )
    sources = _sources(financing=financing, returns=returns)
    values = targets.measured(pd.DataFrame(), indicators, sources, Q3, THRESHOLDS)
    card = targets.scorecard(indicators, values, Q3, 0.02).set_index("indicator")
    assert card.at["equity_financing", "actual"] == 3000
    assert np.isnan(card.at["equity_financing", "projected"])
    # a deal comes in batches: 33% by September is progress, not "behind"
    assert card.at["equity_financing", "status"] == "推进中"
    assert card.at["equity_financing", "judged_on"] == "成批事项，达到目标即完成，年底考核"
    assert np.isnan(card.at["approval_reduction_ratio", "expected_progress"])
    assert card.at["approval_reduction_ratio", "progress"] == pytest.approx(50 / 54)
    assert card.at["approval_reduction_ratio", "status"] == "未达到目标"


def test_an_unknown_measure_is_named_in_the_error():
    indicators = _indicators([("x", 1, "某指标", "个", 1, "flow", "guesswork", ["经信局"])])
    with pytest.raises(ParamsError, match="x.*guesswork"):
        targets.measured(pd.DataFrame(), indicators, _sources(), Q3, THRESHOLDS)
