"""The processed folder: the intake saved as Parquet, and the period's tables built from it."""

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from analysis import config, params
from analysis.errors import NoDataError
from analysis.intake.ingest import Intake, as_text
from analysis.intake.periods import Period, reported
from analysis.intake.sources import Sources
from analysis.items import judging
from analysis.items import lists as item_lists
from analysis.measures import industries, targets, tiers

TABLES = Intake.table_names()


def write_intake(intake: Intake, processed_dir: Path) -> None:
    """Every table of the intake as Parquet, its file labels as text (as_text): the files
    are the same whether the labels were held as categories or not."""
    processed_dir = Path(processed_dir)
    processed_dir.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        as_text(getattr(intake, name)).to_parquet(processed_dir / f"{name}.parquet", index=False)


def read_intake(processed_dir: Path) -> Intake:
    processed_dir = config.resolve(processed_dir)
    missing = [n for n in TABLES if not (processed_dir / f"{n}.parquet").exists()]
    if missing:
        raise NoDataError(
            f"{processed_dir}: 尚未导入数据（缺少 {', '.join(missing)}.parquet），"
            "请先运行 python -m analysis ingest / run the ingest first"
        )
    return Intake(*(pd.read_parquet(processed_dir / f"{n}.parquet") for n in TABLES))


def latest_period(panel: pd.DataFrame) -> Period:
    """The newest period present in the data, a quarter's end or any other month."""
    present = reported(panel)
    if not present:
        raise NoDataError("数据中没有任何报告期的累计数据 / no period in the data")
    return present[-1]


def require(panel: pd.DataFrame, period: Period) -> None:
    """Refuse a period the data lack, naming the periods they hold."""
    present = reported(panel)
    if period not in present:
        held = "、".join(p.label for p in present) or "无"
        raise NoDataError(
            f"数据中没有 {period.label} 的累计数据（已有：{held}）/ no data for {period}"
        )


@dataclass
class PeriodData:
    """Everything a report notebook needs for one period, computed the one way."""

    period: Period
    intake: Intake
    firms: pd.DataFrame
    indicators: pd.DataFrame
    tiers: pd.DataFrame
    thresholds: dict
    plan_names: dict[int, str]
    # params/industries.yaml: the leading industries and how firms are placed in them
    industries: dict = field(default_factory=lambda: params.industries())
    # params/lists.yaml: the named lists' items of every year (items.lists)
    named: pd.DataFrame = field(default_factory=lambda: item_lists.items())

    def named_of(self, year: int) -> pd.DataFrame:
        """The named lists' items of one year."""
        return self.named[self.named["year"] == year]

    @property
    def panel(self) -> pd.DataFrame:
        return self.intake.panel

    @cached_property
    def sources(self) -> Sources:
        """The intake's project, platform, financing, department-return and item tables."""
        return Sources.from_intake(self.intake)

    @cached_property
    def now(self) -> Sources:
        """The sources as they stood at the period (Sources.at), for every product of it."""
        return self.sources.at(self.period.year, self.period.month)

    @cached_property
    def judged(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every list's items of the period judged, and the returns' rows no list claims
        (judging.judged): items.csv and the unlisted rows are made from one judgement."""
        band = self.thresholds["on_track_band"]
        named = self.named_of(self.period.year)
        return judging.judged(self.indicators, named, self.now, self.period, band)

    @cached_property
    def measured(self) -> pd.DataFrame:
        """Every indicator's measured figures this period (targets.measured), shared by the
        scorecard and the history paths' last point."""
        return targets.measured(
            self.firms,
            self.indicators,
            self.sources,
            self.period,
            self.thresholds,
            self.named_of(self.period.year),
        )

    def scorecard(self) -> pd.DataFrame:
        """Every indicator of the ten plans against target and schedule, this period."""
        return targets.scorecard(
            self.indicators, self.measured, self.period, self.thresholds["on_track_band"]
        )


def load_period(
    year: int,
    month: int,
    processed_dir: Path = config.PROCESSED_DIR,
    params_dir: Path = config.PARAMS_DIR,
    quarter: int | None = None,
) -> PeriodData:
    """Read the processed intake and build the period's firm table.

    Relative folders are read from the project root, so a notebook runs the same from any
    working directory; `quarter`, the parameter of earlier reports, names the quarter's last
    month (see periods.Period.of)."""
    params_dir = config.resolve(params_dir)
    params.check(params_dir)  # a notebook refuses bad parameters as the run does
    intake = read_intake(processed_dir)
    period = Period.of(year, month, quarter)
    require(intake.panel, period)
    return period_data(intake, period, params_dir)


def period_data(intake: Intake, period: Period, params_dir: Path = config.PARAMS_DIR):
    """The period's tables from an intake in hand (the run's own, not read back)."""
    params_dir = config.resolve(params_dir)
    tier_defs = params.tiers(params_dir, period.year)
    limits = params.thresholds(params_dir)
    spec = params.industries(params_dir)
    firms = industries.leading(tiers.firm_table(intake.panel, period, tier_defs, limits), spec)
    return PeriodData(
        period,
        intake,
        firms,
        params.indicators(params_dir, period.year),
        tier_defs,
        limits,
        params.plan_names(params_dir),
        spec,
        item_lists.items(params_dir),
    )
