"""The sample city's other sources, generated around the programme's targets from the
firm panel: the project office's projects, the science bureau's awards, the finance
office's financing events and each department's return, for every period of the panel.

The same panel and seed always give the same tables. Firms are the panel's own (same
credit codes and names), amounts whole multiples of 100 yuan as 万元 sheets carry them.
Last year is a smaller programme than this year's; this year's lists are drawn so that
some indicators run ahead of 序时进度 and some behind, as in a real year.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis import params
from analysis.config import PARAMS_DIR
from analysis.intake.names import (
    BOARDS,
    BROKERS,
    CITY,
    INVESTORS,
    MAJOR_UPGRADES,
    PROJECT_WORDS,
    RESEARCH_TOPICS,
    UNIVERSITIES,
)
from analysis.intake.sources import (
    ATTRACTED_PROJECT,
    COLUMNS,
    EQUITY,
    KEY_PROJECT,
    LISTING_STAGES,
    UPGRADE_PROJECT,
    Sources,
    period_end,
)

WAN, YI = 1e4, 1e8
_STEP = 100  # yuan
_INVEST_SEASON = np.array([0.18, 0.27, 0.28, 0.27])  # construction slows in winter
_CONSTRUCTION_MONTHS = (1, 2, 6, 9, 10, 9, 8, 7, 6, 4, 2, 1)  # when new projects start
_MAJOR_STARTS = (3, 3, 3, 2, 2, 1, 1, 0.5, 0.5, 0, 0, 0)  # major upgrades start early
_INDUSTRY_DEPARTMENT = {
    "海洋工业": "海渔局",
    "农(海)产品深加工": "农业局",
    "休闲旅游度假": "旅游局",
    "健康养生": "民政局",
}
EQUITY_FIRMS = ("金牌饲料有限公司", "黄海汽车配件有限公司", "中机模具有限公司")
"""Firms the programme expects to raise 9000万 of equity this year."""
LISTING_FIRMS = (
    "双连制动系统有限公司",
    "韩孚生化有限公司",
    "金牌饲料有限公司",
    "黄海汽车配件有限公司",
)
"""Named firms certain to be in the listing pipeline."""


def _months(*active: int) -> tuple[float, ...]:
    return tuple(1.0 if m in active else 0.0 for m in range(1, 13))


_ALL_YEAR = _months(*range(1, 13))
AWARDS = {  # kind: (yearly count around the target, level, months of approval)
    "产业技术创新战略联盟": (1, "省级", _months(6, 7, 8, 9)),
    "院士工作站": (1, "省级", _months(4, 5, 6, 9, 10, 11, 12)),
    "博士后工作站": (1, "国家级", _months(10, 11, 12)),
    "省工程技术研究中心": (1, "省级", _months(8, 9, 10, 11, 12)),
    "省国际科技合作研究中心": (1, "省级", _months(9, 10, 11, 12)),
    "省创新型企业": (1, "省级", _months(6, 7, 8, 9, 10, 11, 12)),
    "高新技术企业": (2, "国家级", _months(7, 11, 12)),
    "市级工程技术研究中心": (2, "市级", _months(3, 4, 5, 6)),
    "国家级科技立项": (4, "国家级", _ALL_YEAR),
    "省级科技立项": (4, "省级", _months(3, 4, 5, 6, 7, 8, 9)),
    "产学研合作项目": (15, "市级", _ALL_YEAR),
}
RETURNS = {  # department: (indicator, yearly total, cumulative share done by Q1..Q4)
    "经信局": (
        ("key_firm_visits", 31, (0.3, 0.55, 0.78, 1.0)),
        ("growth_firm_visits", 20, (0.2, 0.4, 0.6, 1.0)),
        ("executive_training_sessions", 2, (0.0, 0.5, 0.5, 1.0)),
        ("executive_trainees", 260, (0.0, 0.5, 0.5, 1.0)),
        ("recognition_measures_done", 3, (0.34, 0.67, 0.67, 1.0)),
    ),
    "组织部": (
        ("executive_training_sessions", 2, (0.5, 0.5, 1.0, 1.0)),
        ("executive_trainees", 150, (0.5, 0.5, 1.0, 1.0)),
        ("recognition_measures_done", 2, (0.0, 0.5, 0.5, 1.0)),
    ),
    "物价局": (("fee_items_cut", 23, (0.4, 0.7, 0.85, 1.0)),),
    "行政服务中心": (("approval_items_cut", 262, (0.45, 0.72, 0.88, 1.0)),),
    "人社局": (
        ("chief_technicians_selected", 15, (0.0, 0.0, 1.0, 1.0)),
        ("golden_collar_trained", 420, (0.2, 0.45, 0.7, 1.0)),
    ),
    "卫生局": (("recognition_measures_done", 1, (0.0, 1.0, 1.0, 1.0)),),
    "文广新局": (("recognition_measures_done", 1, (0.0, 0.0, 1.0, 1.0)),),
    "体育局": (("recognition_measures_done", 1, (0.0, 0.0, 0.0, 1.0)),),
    "宣传部": (("recognition_measures_done", 1, (0.0, 1.0, 1.0, 1.0)),),
    "总工会": (("recognition_measures_done", 1, (1.0, 1.0, 1.0, 1.0)),),
}
ITEMISED = ("key_firm_visits", "growth_firm_visits", "recognition_measures_done")
"""Indicators now reported item by item (_progress: the firms visited, the measures done,
as lists.yaml names them), not as a department's figure. Their figures are still drawn,
then left out, so that every other table of a city stays as it was."""
VISIT_LEADERS = ("市长", "常务副市长", "分管副市长", "经信局局长", "经信局分管副局长")
VISIT_SOLVED = (
    "协调解决项目用地指标",
    "帮助争取省级技改专项资金",
    "协调银行新增贷款",
    "协调解决用电增容",
    "协调解决用工招聘",
    "协调办理项目环评手续",
    "",
)
APPROVAL_ITEMS_BEFORE = 480  # items subject to approval before the cut: 259 is 54%


@dataclass(frozen=True)
class _Year:
    """One year of the sample: its firms (largest first) and the months it reports."""

    year: int
    months: list[int]
    firms: pd.DataFrame  # credit_code, name, industry, revenue, rd (latest quarter-end)
    current: bool  # this year, at the programme's targets; else last year, smaller

    @property
    def size(self) -> float:
        """This year's programme, or last year's at about 80% of it."""
        return 1.0 if self.current else 0.8


def _seed(panel: pd.DataFrame) -> int:
    """A seed read from the panel itself, so a city always gets the same sources."""
    codes = "".join(sorted(panel["credit_code"].unique()))
    return int(hashlib.sha256(codes.encode()).hexdigest()[:12], 16)


def _quarter_ends(months: list[int]) -> list[int]:
    """The months the random draws depend on (a year's firms, the missed return): monthly
    tables added to a city then change none of its quarter-end figures."""
    return [m for m in months if m % 3 == 0] or months


def _year(panel: pd.DataFrame, year: int, current: bool) -> _Year:
    rows = panel[panel["year"] == year]
    months = sorted(int(m) for m in rows["month"].unique())
    latest = rows[rows["month"] == _quarter_ends(months)[-1]]
    firms = latest[["credit_code", "name", "industry", "revenue", "rd"]].fillna({"rd": 0.0})
    firms = firms.sort_values("revenue", ascending=False).reset_index(drop=True)
    return _Year(year, months, firms, current)


def _amounts(values) -> NDArray:
    """Yuan rounded to 100, the precision of a 万元 figure with two decimals."""
    return np.rint(np.asarray(values, dtype=float) / _STEP) * _STEP


def _dates(rng: np.random.Generator, year: int, weights, size: int) -> list[pd.Timestamp]:
    """Dates in `year`, the month drawn with `weights` (12 numbers), the day in 1-28."""
    p = np.asarray(weights, dtype=float) / np.sum(weights)
    months = rng.choice(12, size, p=p) + 1
    days = rng.integers(1, 29, size)
    return _date_series(np.full(size, year), months, days).tolist()


def _date_series(years, months, days) -> pd.Series:
    return pd.to_datetime(pd.DataFrame({"year": years, "month": months, "day": days}))


def _add_months(dates, months) -> pd.Series:
    """Each date moved on by whole months, the day kept (or the month's last), as
    pd.DateOffset(months=...) does, for a whole column at once."""
    dates = pd.Series(pd.to_datetime(dates))
    total = (dates.dt.year * 12 + dates.dt.month - 1).to_numpy() + np.asarray(months)
    first = _date_series(total // 12, total % 12 + 1, 1)
    day = np.minimum(dates.dt.day.to_numpy(), first.dt.days_in_month.to_numpy())
    return first + pd.to_timedelta(day - 1, unit="D")


def _short(names: pd.Series) -> pd.Series:
    """Firms' names as a project title uses them: no city prefix, no company form."""
    for suffix in ("集团有限公司", "股份有限公司", "有限公司"):
        names = names.str.removesuffix(suffix)
    return names.str.removeprefix(f"{CITY}市").str.removeprefix(CITY)


def _pick(rng: np.random.Generator, firms: pd.DataFrame, size: int, weights) -> pd.DataFrame:
    """`size` firms drawn by weight, distinct while the city has enough of them."""
    p = np.asarray(weights, dtype=float) / np.sum(weights)
    rows = rng.choice(len(firms), size, replace=size > len(firms), p=p)
    return firms.iloc[rows].reset_index(drop=True)


# --- projects ------------------------------------------------------------------------


def _project_items(
    rng: np.random.Generator,
    year: int,
    firms: pd.DataFrame,
    kind: str,
    planned: NDArray,
    start: list[pd.Timestamp],
    listed_quarter: NDArray,
    department: list[str],
) -> pd.DataFrame:
    """A year's projects of one kind; one begun earlier is still open on 1 January, since
    it carries this year's investment plan."""
    words = np.array(PROJECT_WORDS[kind], dtype=object)
    n = len(firms)
    names = _short(firms["name"].reset_index(drop=True)) + words[rng.integers(len(words), size=n)]
    finish = _add_months(start, rng.integers(8, 30, n))
    still_open = _add_months(np.full(n, pd.Timestamp(year, 1, 1)), rng.integers(4, 15, n))
    return pd.DataFrame(
        {
            "project_name": names.to_numpy(),
            "kind": kind,
            "major_upgrade": False,
            "credit_code": firms["credit_code"].to_numpy(),
            "name": firms["name"].to_numpy(),
            "industry": firms["industry"].to_numpy(),
            "planned_investment": _amounts(planned),
            "start_date": pd.to_datetime(pd.Series(start)).to_numpy(),
            "completion_date": np.maximum(finish, still_open).to_numpy(),
            "department": department,
            "listed_quarter": listed_quarter,
        }
    )


def _key_projects(rng: np.random.Generator, y: _Year) -> pd.DataFrame:
    """About 88 key projects (重点项目) totalling about 206亿, a third of them continuing
    from earlier years and three not due to start until next year."""
    n = 88 if y.current else 78
    total = 206 * YI * rng.uniform(0.99, 1.04) * (1 if y.current else 0.84)
    sizes = rng.lognormal(0, 0.7, n)
    firms = _pick(rng, y.firms, n, np.sqrt(y.firms["revenue"]))
    start = _dates(rng, y.year, _CONSTRUCTION_MONTHS, n)
    continuing = rng.random(n) < 0.33
    for i in np.flatnonzero(continuing):
        start[i] = start[i] - pd.DateOffset(years=int(rng.integers(1, 3)))
    for i in rng.choice(np.flatnonzero(~continuing), 3, replace=False):
        start[i] = pd.Timestamp(y.year + 1, 3, 15)
    department = [_INDUSTRY_DEPARTMENT.get(i, "发改局") for i in firms["industry"]]
    items = _project_items(
        rng,
        y.year,
        firms,
        KEY_PROJECT,
        sizes / sizes.sum() * total,
        start,
        np.ones(n, int),
        department,
    )
    items["annual_plan_investment"] = _amounts(
        items["planned_investment"] * rng.uniform(0.2, 0.5, n)
    )
    items["execution"] = rng.uniform(0.75, 1.1, n)
    return items


def _upgrade_projects(rng: np.random.Generator, y: _Year) -> pd.DataFrame:
    """One technical-upgrade project (技改项目) for most firms, listed as firms file their
    plans through the year; 16 of them major (重大技改), the named ones among them."""
    firms = y.firms
    n = len(firms)
    coverage = (0.55, 0.7, 0.82, 0.9) if y.current else (0.45, 0.58, 0.68, 0.75)
    draw = rng.random(n)
    listed = 1 + np.searchsorted(np.array(coverage), draw, side="right")
    n_major = 16 if y.current else 12
    named = dict((f, p) for p, f in MAJOR_UPGRADES) if y.current else {}
    is_named = firms["name"].isin(list(named)).to_numpy()
    others = np.flatnonzero(~is_named)[: max(n_major * 2, 1)]
    chosen = rng.choice(others, min(n_major - int(is_named.sum()), len(others)), replace=False)
    major = is_named.copy()
    major[chosen] = True
    listed[major] = 1
    keep = listed <= 4
    scale = n / 400
    weight = firms["revenue"].to_numpy() ** 0.7 * rng.lognormal(0, 0.5, n)
    rest = ~major & keep
    annual = np.where(major, rng.uniform(0.5 * YI, 2 * YI, n), 0.0)
    annual[rest] = weight[rest] / weight[rest].sum() * (19 if y.current else 16) * YI * scale
    in_quarter = np.minimum(listed, 4)
    filed = pd.Series(_dates(rng, y.year, _ALL_YEAR, n))  # a day; the listing sets the month
    month = 3 * in_quarter - rng.integers(0, 3, n)
    start = _date_series(np.full(n, y.year), month, filed.dt.day.to_numpy()).tolist()
    majors = np.flatnonzero(major)
    for i, when in zip(majors, _dates(rng, y.year, _MAJOR_STARTS, len(majors)), strict=True):
        start[i] = when - pd.DateOffset(years=1) if rng.random() < 0.3 else when
    planned = annual * np.where(major, rng.uniform(1.0, 2.2, n), rng.uniform(1.0, 1.5, n))
    items = _project_items(
        rng, y.year, firms, UPGRADE_PROJECT, planned, start, listed, ["经信局"] * n
    )
    items["major_upgrade"] = major
    items["project_name"] = [
        named.get(f, p) for f, p in zip(firms["name"].tolist(), items["project_name"], strict=True)
    ]
    items["annual_plan_investment"] = _amounts(annual)
    items["execution"] = np.where(major, rng.uniform(0.8, 1.1, n), rng.uniform(0.65, 1.12, n))
    return items[keep]


def _attracted_projects(rng: np.random.Generator, y: _Year) -> pd.DataFrame:
    """Projects brought in (招引项目) through the year, most over 1亿; this year's list also
    carries one signed last December, which counts for last year."""
    big, small = (12, 3) if y.current else (10, 2)
    planned = np.concatenate(
        [np.exp(rng.uniform(np.log(1.05 * YI), np.log(8 * YI), big)),
         rng.uniform(3000 * WAN, 9500 * WAN, small)]
    )  # fmt: skip
    start = _dates(rng, y.year, _ALL_YEAR, big + small)
    if y.current:
        planned = np.append(planned, rng.uniform(1.2 * YI, 3 * YI))
        start.append(pd.Timestamp(y.year - 1, 12, int(rng.integers(1, 29))))
    n = len(planned)
    firms = _pick(rng, y.firms, n, np.ones(len(y.firms)))
    listed = np.array([1 if s.year < y.year else (s.month - 1) // 3 + 1 for s in start])
    department = [("商务局", "经合局")[i % 2] for i in range(n)]
    items = _project_items(
        rng, y.year, firms, ATTRACTED_PROJECT, planned, start, listed, department
    )
    items["annual_plan_investment"] = _amounts(
        items["planned_investment"] * rng.uniform(0.05, 0.25, n)
    )
    items["execution"] = rng.uniform(0.6, 1.0, n)
    return items


def _first_quarter(start: pd.Series, listed: pd.Series, year: int) -> NDArray:
    """The first quarter a project spends money this year: once both listed and started;
    5 for a project that starts only next year."""
    started = np.where(
        start.dt.year < year, 1, np.where(start.dt.year > year, 5, (start.dt.month - 1) // 3 + 1)
    )
    return np.maximum(started, listed.to_numpy())


def _within_quarter(month: int) -> tuple[int, float]:
    """The quarter (1-4) a month falls in and the share of that quarter gone by its end."""
    return (month + 2) // 3, ((month - 1) % 3 + 1) / 3


def _at_month(path: NDArray, month: int) -> NDArray:
    """A cumulative path by quarter-end (…, 4) read at any month: the quarter-end value, or
    the previous quarter-end's plus the month's share of the quarter's step."""
    q, part = _within_quarter(month)
    if part == 1:
        return path[..., q - 1]
    before = path[..., q - 2] if q > 1 else np.zeros_like(path[..., 0])
    return before + part * (path[..., q - 1] - before)


def _investment_paths(rng: np.random.Generator, first: NDArray) -> NDArray:
    """Cumulative share of each project's year done by the end of Q1..Q4 (rows sum to 1 by
    Q4 once started), seasonal with project noise."""
    raw = _INVEST_SEASON * rng.lognormal(0, 0.3, (len(first), 4))
    raw[np.arange(4)[None, :] < (first - 1)[:, None]] = 0.0
    total = raw.sum(axis=1, keepdims=True)
    shares = np.divide(raw, total, out=np.zeros_like(raw), where=total > 0)
    return np.cumsum(shares, axis=1)


def _planned_starts(items: pd.DataFrame, year: int) -> pd.Series:
    """计划开工时间: the start date for most projects; a fifth of the year's new key and
    major upgrade projects started one to five months later than planned, and two key
    projects due this year were put off to the next. Drawn from a generator of its own, so
    the rest of the city is as before."""
    rng = np.random.default_rng([year, 4754])
    start = pd.to_datetime(items["start_date"])
    named = (items["kind"] == KEY_PROJECT) | items["major_upgrade"].astype(bool)
    new = named & (start.dt.year == year)
    late = new & (rng.random(len(items)) < 0.2)
    delay = pd.Series(rng.integers(1, 6, len(items)), index=items.index)
    planned = start.copy()
    planned[late] = [
        d - pd.DateOffset(months=int(m)) for d, m in zip(start[late], delay[late], strict=True)
    ]
    put_off = np.flatnonzero(((items["kind"] == KEY_PROJECT) & (start.dt.year > year)).to_numpy())
    for i, month in zip(
        rng.choice(put_off, min(2, len(put_off)), replace=False), (6, 9), strict=False
    ):
        planned.iloc[i] = pd.Timestamp(year, month, 15)  # due this year, put off to the next
    return planned


def _projects(rng: np.random.Generator, y: _Year) -> pd.DataFrame:
    """The project office's list at every period of the year."""
    items = pd.concat(
        [_key_projects(rng, y), _upgrade_projects(rng, y), _attracted_projects(rng, y)],
        ignore_index=True,
    )
    prefix = {KEY_PROJECT: "ZD", UPGRADE_PROJECT: "JG", ATTRACTED_PROJECT: "ZS"}
    # numbered by kind, the major upgrade projects first: a city's 十六大技改项目 are
    # 2026-JG-001 … 016 whatever its firms, as its 88 key projects are 2026-ZD-001 … 088
    order = items.assign(_minor=~items["major_upgrade"]).sort_values(
        ["kind", "_minor"], kind="stable"
    )
    number = (order.groupby("kind").cumcount() + 1).reindex(items.index).astype(str).str.zfill(3)
    items["project_id"] = f"{y.year}-" + items["kind"].map(prefix) + "-" + number
    items["planned_start_date"] = _planned_starts(items, y.year)
    first = _first_quarter(items["start_date"], items["listed_quarter"], y.year)
    path = _investment_paths(rng, first)
    budget = items["annual_plan_investment"].to_numpy() * items["execution"].to_numpy()
    frames = []
    for month in y.months:
        q, _ = _within_quarter(month)
        end = period_end(y.year, month)
        listed = items["listed_quarter"].to_numpy() <= q
        rows = items[listed].copy()
        rows["completed_investment"] = _amounts(budget[listed] * _at_month(path[listed], month))
        rows["status"] = np.select(
            [rows["start_date"] > end, rows["completion_date"] <= end], ["未开工", "竣工"], "在建"
        )
        frames.append(rows.assign(year=y.year, month=month))
    return pd.concat(frames, ignore_index=True)


# --- innovation awards ---------------------------------------------------------------


def _award_count(rng: np.random.Generator, target: int, size: float) -> int:
    """A year's awards of one kind: around the target, sometimes one short or one over."""
    base = max(1, round(target * size))
    if base == 1:
        return int(rng.choice([0, 1, 1, 1, 2]))
    spread = 3 if base >= 10 else 1
    return int(max(0, base + rng.integers(-spread, spread + 1)))


def _award_title(rng: np.random.Generator, kind: str, firm: pd.Series) -> str:
    topics = RESEARCH_TOPICS[firm["industry"]]
    topic = topics[rng.integers(len(topics))]
    short = _short(pd.Series([firm["name"]])).iloc[0]
    return {
        "产业技术创新战略联盟": f"{CITY}市{topic}产业技术创新战略联盟",
        "院士工作站": f"{short}院士工作站",
        "博士后工作站": f"{short}博士后科研工作站",
        "省工程技术研究中心": f"省{topic}工程技术研究中心",
        "省国际科技合作研究中心": f"省{topic}国际科技合作研究中心",
        "省创新型企业": firm["name"],
        "高新技术企业": firm["name"],
        "市级工程技术研究中心": f"{CITY}市{topic}工程技术研究中心",
        "产学研合作项目": f"与{UNIVERSITIES[rng.integers(len(UNIVERSITIES))]}合作{topic}技术研发",
    }.get(kind, f"{topic}关键技术研究与产业化")


def _platforms(rng: np.random.Generator, y: _Year) -> pd.DataFrame:
    """This year's awards, listed cumulatively at each period; firms that spend on R&D
    win them, and a firm is recognised (高企, 省创新型企业) at most once a year."""
    weights = y.firms["rd"].to_numpy() + 0.05 * y.firms["rd"].mean() + 1.0
    awards = []
    for kind, (target, level, months) in AWARDS.items():
        count = _award_count(rng, target, y.size)
        distinct = kind in ("高新技术企业", "省创新型企业")
        if distinct:
            count = min(count, len(y.firms))
            rows = rng.choice(len(y.firms), count, replace=False, p=weights / weights.sum())
            firms = y.firms.iloc[rows].reset_index(drop=True)
        else:
            firms = _pick(rng, y.firms, count, weights)
        dates = _dates(rng, y.year, months, count)
        if kind == "产学研合作项目" and count:  # cooperation starts early: never an empty Q1
            dates[0] = dates[0].replace(month=int(rng.integers(1, 4)))
        for (_, firm), when in zip(firms.iterrows(), dates, strict=True):
            awards.append(
                dict(
                    credit_code=firm["credit_code"],
                    name=firm["name"],
                    kind=kind,
                    level=level,
                    title=_award_title(rng, kind, firm),
                    approved_date=when,
                )
            )
    awards = pd.DataFrame(awards)
    frames = [
        awards[awards["approved_date"] <= period_end(y.year, m)].assign(year=y.year, month=m)
        for m in y.months
    ]
    return pd.concat(frames, ignore_index=True)


# --- financing -----------------------------------------------------------------------


def _firms_named(y: _Year, names) -> pd.DataFrame:
    return y.firms[y.firms["name"].isin(list(names))]


def _equity_events(rng: np.random.Generator, y: _Year) -> list[dict]:
    """This year: the three named firms raise about 9000万 between them, one late in the
    year; last year two other large firms raised equity."""
    if y.current:
        firms = _firms_named(y, EQUITY_FIRMS)
        months = rng.permutation([int(rng.integers(q, q + 3)) for q in (4, 7, 10)])[: len(firms)]
    else:
        firms = y.firms.iloc[rng.choice(np.arange(10, 30), 2, replace=False)]
        months = rng.choice(np.arange(2, 12), 2, replace=False) + 1
    events = []
    for (_, firm), month in zip(firms.iterrows(), months, strict=True):
        investor = INVESTORS[rng.integers(len(INVESTORS))]
        events.append(
            dict(
                credit_code=firm["credit_code"],
                name=firm["name"],
                event=EQUITY,
                amount=round(rng.uniform(2400, 4000), -1) * WAN,
                event_date=pd.Timestamp(y.year, int(month), int(rng.integers(1, 29))),
                note=f"{investor}领投",
            )
        )
    return events


def _listing_note(rng: np.random.Generator, stage: str) -> str:
    board = BOARDS[rng.integers(len(BOARDS))]
    return {
        "辅导备案": f"辅导机构：{BROKERS[rng.integers(len(BROKERS))]}",
        "申报": f"拟在{board}上市，已报送申请材料",
        "过会": "已通过发行审核",
        "上市": f"于{board}挂牌上市",
    }[stage]


def _listing_events(rng: np.random.Generator, y: _Year) -> list[dict]:
    """About 13 firms take a step toward listing this year (8 last year): most file for
    tutoring, some apply, few pass review; a third take two steps."""
    count = 13 if y.current else 8
    named = _firms_named(y, LISTING_FIRMS) if y.current else y.firms.iloc[:0]
    pool = y.firms.iloc[: max(count * 3, 1)]
    pool = pool[~pool["credit_code"].isin(named["credit_code"])]
    extra = pool.iloc[rng.choice(len(pool), min(count - len(named), len(pool)), replace=False)]
    events = []
    for _, firm in pd.concat([named, extra]).iterrows():
        stage = int(rng.choice(3, p=[0.6, 0.3, 0.1]))
        month = int(rng.integers(1, 12))
        steps = 2 if rng.random() < 0.33 and month <= 9 else 1
        for step in range(steps):
            when = pd.Timestamp(y.year, min(12, month + 3 * step), int(rng.integers(1, 29)))
            name = LISTING_STAGES[min(stage + step, len(LISTING_STAGES) - 1)]
            events.append(
                dict(
                    credit_code=firm["credit_code"],
                    name=firm["name"],
                    event=name,
                    amount=np.nan,
                    event_date=when,
                    note=_listing_note(rng, name),
                )
            )
    return events


def _financing(rng: np.random.Generator, y: _Year) -> pd.DataFrame:
    """The finance office's list of this year's events, cumulative at each period."""
    events = pd.DataFrame(_equity_events(rng, y) + _listing_events(rng, y))
    events = events.sort_values("event_date", kind="stable")
    frames = [
        events[events["event_date"] <= period_end(y.year, m)].assign(year=y.year, month=m)
        for m in y.months
    ]
    return pd.concat(frames, ignore_index=True)


# --- department returns --------------------------------------------------------------


def _path(rng: np.random.Generator, total: int, shares) -> NDArray:
    """Cumulative whole counts by Q1..Q4, never falling, reaching `total` by Q4."""
    noisy = np.clip(np.asarray(shares) + rng.normal(0, 0.04, 4) * (np.asarray(shares) > 0), 0, 1)
    noisy[3] = 1.0
    return np.rint(total * np.maximum.accumulate(noisy)).astype(int)


def _returns(rng: np.random.Generator, y: _Year) -> pd.DataFrame:
    """Every department's return at every period; the approval-cut ratio and the cut in
    intermediary fees are rates. The small department drawn to miss one return this year
    reports only item by item now (ITEMISED): its missed item return is _progress's."""
    rows = []
    for department, items in RETURNS.items():
        for indicator, total, shares in items:
            year_total = round(total * y.size * (rng.uniform(0.9, 1.08) if total >= 10 else 1))
            path = _path(rng, year_total, shares)
            for m in y.months:
                done = int(np.floor(_at_month(path, m)))
                period = dict(department=department, year=y.year, month=m)
                rows.append(dict(period, indicator=indicator, value=done, note=""))
                if indicator == "approval_items_cut":
                    ratio = round(100 * done / APPROVAL_ITEMS_BEFORE, 1)
                    note = f"原有审批事项{APPROVAL_ITEMS_BEFORE}项"
                    rows.append(
                        dict(period, indicator="approval_reduction_ratio", value=ratio, note=note)
                    )
    fee_cut = rng.uniform(16, 19) + np.arange(4) * rng.uniform(0.6, 1.4)
    for m in y.months:
        rows.append(
            dict(
                department="物价局",
                year=y.year,
                month=m,
                indicator="intermediary_fee_reduction",
                value=round(float(fee_cut[_within_quarter(m)[0] - 1]), 1),
                note="较最低收费标准下浮幅度",
            )
        )
    table = pd.DataFrame(rows)
    if y.current and len(_quarter_ends(y.months)) > 1:
        missed = (
            rng.choice(["卫生局", "文广新局", "体育局", "宣传部"]),
            int(rng.choice(_quarter_ends(y.months)[:-1])),
        )
        lost = (table["department"] == missed[0]) & (table["month"] == missed[1])
        table = table[~lost]
    return table[~table["indicator"].isin(ITEMISED)]


# --- item returns ----------------------------------------------------------------------


def _visit_rows(rng: np.random.Generator, y: _Year, items: pd.DataFrame) -> list[dict]:
    """The 企业走访 ledger of every period: each firm of a visit list on a row, dated once
    visited (a third of the visited twice); a quarter of the growth firms are visited
    late in the year, so that list runs behind 序时进度."""
    rows = []
    for name, firms in items.groupby("list_name", sort=False):
        n = len(firms)
        slow = firms["list"].iloc[0] != "key_firms"
        months = rng.integers(1, 13, n) if not slow else rng.integers(2, 15, n)
        dates = [
            pd.Timestamp(y.year, int(m), int(rng.integers(1, 29))) if m <= 12 else pd.NaT
            for m in months
        ]
        again = rng.random(n) < 0.33
        for firm, first, twice in zip(firms.itertuples(), dates, again, strict=True):
            visits = [first]
            if twice and pd.notna(first) and first.month <= 9:
                visits.append(first + pd.DateOffset(months=int(rng.integers(2, 4))))
            for when in visits:
                leader = VISIT_LEADERS[int(rng.integers(len(VISIT_LEADERS)))]
                solved = VISIT_SOLVED[int(rng.integers(len(VISIT_SOLVED)))]
                rows.append(
                    dict(item_list=name, credit_code=firm.credit_code, name=firm.item,
                         done_date=when, visit_leader=leader, solved=solved,
                         department=firm.owner.split("、")[0])
                )  # fmt: skip
    return rows


def _item_rows(rng: np.random.Generator, y: _Year, items: pd.DataFrame) -> list[dict]:
    """The 事项进展 rows of the measures and milestones: each done in a month of its own,
    by its due month mostly; the first item due before December is done late, the second is
    not done by it (逾期未完成), and the rest as drawn (some not this year)."""
    due = items["due_month"].to_numpy(dtype=float)
    month = np.where(
        np.isnan(due),
        rng.integers(2, 16, len(items)),
        np.nan_to_num(due) - rng.integers(0, 3, len(items)),
    ).astype(float)
    with_due = np.flatnonzero(due < 12)  # due before the year's end
    if len(with_due) >= 2:
        month[with_due[0]] = due[with_due[0]] + 2  # done, two months late
        month[with_due[1]] = 13.0  # not done this year
    rows = []
    for item, m in zip(items.itertuples(), np.maximum(month, 1), strict=True):
        when = pd.Timestamp(y.year, int(m), int(rng.integers(1, 29))) if m <= 12 else pd.NaT
        rows.append(
            dict(item_id=item.item_id, name=item.item, done_date=when,
                 department=item.owner.split("、")[0])
        )  # fmt: skip
    return rows


def _named(params_dir: Path) -> pd.DataFrame:
    """The named lists' items (lists.yaml), one row each: the columns the generator uses of
    what items.lists gives the pipeline (the sample reads the parameters, not that stage)."""
    rows = [
        dict(list=named["id"], list_name=named["name"], kind=named["kind"], year=year,
             item_id=entry.get("id"), item=entry["name"], credit_code=entry.get("credit_code"),
             owner="、".join([entry["owner"]] if entry.get("owner") else named["departments"]),
             due_month=entry.get("due_month") or named.get("due_month"))
        for named in params.lists(params_dir)
        for year, entries in named["items"].items()
        for entry in entries
    ]  # fmt: skip
    return pd.DataFrame(rows).astype({"due_month": float})


def _as_of(table: pd.DataFrame, end: pd.Timestamp) -> pd.DataFrame:
    """An item return at a period's end: the rows done by then, and one undated row for
    each item not done yet (nothing said of its visit or result)."""
    done = table[table["done_date"] <= end]
    pending = table[~table["name"].isin(done["name"])].drop_duplicates("name")
    blank = [c for c in ("done_date", "visit_leader", "solved") if c in table]
    return pd.concat([done, pending.assign(**dict.fromkeys(blank))]).sort_index()


def _progress(y: _Year, named: pd.DataFrame) -> pd.DataFrame:
    """The departments' item returns at every period, for the year's named lists of firms
    to visit, measures and milestones (lists.yaml): what was done by each period's end.
    The latest return leaves out one firm to visit and one measure (本期未报送), and one
    small department misses an earlier quarter's return. Drawn from a generator of its
    own, so the rest of the city is as before."""
    rng = np.random.default_rng([y.year, 20])
    mine = named[named["year"] == y.year]
    visits = pd.DataFrame(_visit_rows(rng, y, mine[mine["kind"] == "visit"]))
    things = pd.DataFrame(_item_rows(rng, y, mine[mine["kind"].isin(["measure", "milestone"])]))
    frames = []
    for table in (visits, things):
        if table.empty:
            continue
        table = table.assign(done_date=pd.to_datetime(table["done_date"]))
        left_out = table["name"].drop_duplicates().iloc[len(table["name"].unique()) // 2]
        for m in y.months:
            rows = _as_of(table, period_end(y.year, m))
            if m == max(y.months):
                rows = rows[rows["name"] != left_out]
            if "item_id" in rows:
                rows = rows.assign(done=rows["done_date"].notna())
            frames.append(rows.assign(year=y.year, month=m))
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    earlier = _quarter_ends(y.months)[:-1]
    if earlier:
        missed = rng.choice(["卫生局", "文广新局", "体育局", "宣传部"]), int(rng.choice(earlier))
        table = table[(table["department"] != missed[0]) | (table["month"] != missed[1])]
    return table


# --- the whole ------------------------------------------------------------------------


def _tidy(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """A table in the intake's layout: its columns, in order, with their types."""
    frame = frame.reindex(columns=COLUMNS[table]).reset_index(drop=True)
    for column in frame.columns:
        if column.endswith("_date") or column == "reported_on":
            frame[column] = pd.to_datetime(frame[column])
        elif column in ("year", "month"):
            frame[column] = frame[column].astype("int64")
        elif column in ("value", "amount") or column.endswith("investment"):
            frame[column] = frame[column].astype("float64")
    if table == "projects":
        frame["major_upgrade"] = frame["major_upgrade"].astype(bool)
    if table == "progress":
        frame["done"] = frame["done"].astype("boolean")
    return frame


def generate_sources(
    panel: pd.DataFrame, seed: int | None = None, params_dir: Path = PARAMS_DIR
) -> Sources:
    """The five source tables of the city whose firms are `panel` (sample.generate_city),
    for every period the panel has (quarter-ends and any months), last year's and this year's.

    These are the truth tables: sample_sheets writes them as the bureaus' workbooks, and
    tests compare what the suite computes with figures computed from them directly.
    Without a seed, one is read from the panel, so a city always has the same sources.
    The item returns follow the named lists of `params_dir` (lists.yaml), so the sample and
    the lists agree.
    """
    rng = np.random.default_rng(_seed(panel) if seed is None else seed)
    named = _named(params_dir)
    this_year = int(panel["year"].max())
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in COLUMNS}
    for year in (this_year - 1, this_year):
        y = _year(panel, year, current=year == this_year)
        parts["projects"].append(_projects(rng, y))
        parts["platforms"].append(_platforms(rng, y))
        parts["financing"].append(_financing(rng, y))
        parts["returns"].append(_returns(rng, y))
        parts["progress"].append(_progress(y, named))
    for name in ("returns", "progress"):  # each department's return states its day
        parts[name] = [_dated(part) for part in parts[name]]
    return Sources(*(_tidy(pd.concat(parts[name]), name) for name in COLUMNS))


def sent_on(year: int, month: int, department: str) -> pd.Timestamp:
    """The day a department's return says it was sent: within the month after the period,
    mostly by the 5th (params' returns.due_day), about one return in eight a week later (逾期).
    Drawn from the names, not the city's random numbers, so no other table changes."""
    draw = zlib.crc32(f"{year}-{month}-{department}".encode())
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return pd.Timestamp(year, month, 8 + draw % 5 if draw % 8 == 0 else 1 + draw % 5)


def _dated(part: pd.DataFrame) -> pd.DataFrame:
    """A department return's rows with the day its sheets state (none: a year without lists)."""
    if part.empty:
        return part
    keys = zip(part["year"], part["month"], part["department"], strict=True)
    return part.assign(reported_on=pd.to_datetime([sent_on(*key) for key in keys]))
