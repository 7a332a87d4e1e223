"""The processed folder: the intake saved as Parquet, and the quarter's tables built from it."""

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import params, targets, tiers
from analysis.errors import NoDataError
from analysis.ingest import Intake
from analysis.periods import Quarter
from analysis.sources import Sources

TABLES = Intake.table_names()


def write_intake(intake: Intake, processed_dir: Path) -> None:
    processed_dir = Path(processed_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        getattr(intake, name).to_parquet(processed_dir / f"{name}.parquet", index=False)


def read_intake(processed_dir: Path) -> Intake:
    processed_dir = Path(processed_dir)
    missing = [n for n in TABLES if not (processed_dir / f"{n}.parquet").exists()]
    if missing:
        raise NoDataError(
            f"{processed_dir}: 尚未导入数据（缺少 {', '.join(missing)}.parquet），"
            "请先运行 python -m analysis ingest / run the ingest first"
        )
    return Intake(*(pd.read_parquet(processed_dir / f"{n}.parquet") for n in TABLES))


def latest_quarter(panel: pd.DataFrame) -> Quarter:
    """The newest quarter-end period present in the data."""
    ends = panel.loc[panel["month"] % 3 == 0, ["year", "month"]].drop_duplicates()
    if ends.empty:
        raise NoDataError("数据中没有季末（3/6/9/12月）累计数据 / no quarter-end period in data")
    year, month = ends.sort_values(["year", "month"]).iloc[-1]
    return Quarter(int(year), int(month) // 3)


@dataclass
class QuarterData:
    """Everything a report notebook needs for one quarter, computed the one way."""

    quarter: Quarter
    intake: Intake
    firms: pd.DataFrame
    indicators: pd.DataFrame
    tiers: pd.DataFrame
    thresholds: dict
    plan_names: dict[int, str]

    @property
    def panel(self) -> pd.DataFrame:
        return self.intake.panel

    # --- Issue 4: the programme's other sources (projects, platforms, financing, returns) ---
    @property
    def sources(self) -> Sources:
        """The intake's project, platform, financing and department-return tables."""
        return Sources.from_intake(self.intake)

    # --- end Issue 4 ---

    def scorecard(self) -> pd.DataFrame:
        """Every indicator of the ten plans against target and schedule, this quarter."""
        values = targets.measured(
            self.firms, self.indicators, self.sources, self.quarter, self.thresholds
        )
        return targets.scorecard(
            self.indicators, values, self.quarter, self.thresholds["on_track_band"]
        )


def load_quarter(year: int, quarter: int, processed_dir: Path, params_dir: Path) -> QuarterData:
    """Read the processed intake and build the quarter's firm table."""
    params.check(params_dir)  # a notebook refuses bad parameters as the run does
    intake = read_intake(processed_dir)
    q = Quarter(int(year), int(quarter))
    present = intake.panel[(intake.panel["year"] == q.year) & (intake.panel["month"] == q.month)]
    if present.empty:
        raise NoDataError(f"数据中没有 {q.label} 的累计数据 / no data for {q}")
    tier_defs = params.tiers(params_dir, q.year)
    limits = params.thresholds(params_dir)
    firms = tiers.firm_table(intake.panel, q, tier_defs, limits)
    return QuarterData(
        q,
        intake,
        firms,
        params.indicators(params_dir, q.year),
        tier_defs,
        limits,
        params.plan_names(params_dir),
    )
