"""A fictional sample city: a deterministic panel of above-size industrial firms and the
bureaus' workbooks built from it, so the pipeline can run end to end without confidential data.

Amounts are in yuan, cumulative year-to-date (累计), and whole multiples of 100 yuan so that
the workbooks' 万元 figures with two decimals carry them exactly.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from analysis.intake.codes import ALPHABET, ORG_ALPHABET
from analysis.intake.names import BRANDS, CITY, INDUSTRY_WORDS, NAMED_FIRMS, TOWNS
from analysis.sample.goals import generate_goals, write_goals
from analysis.sample.sheets import new_workbook, source_sheets, write_book, write_rows
from analysis.sample.sources import generate_sources

LEADING_INDUSTRIES = (
    "海洋工业",
    "现代制造业",
    "金属冶炼加工业",
    "新兴产业",
    "农(海)产品深加工",
    "休闲旅游度假",
    "健康养生",
)

PANEL_COLUMNS = (
    "credit_code",
    "name",
    "industry",
    "year",
    "month",
    "revenue",
    "revenue_prev",
    "profit",
    "profit_prev",
    "rd",
    "rd_prev",
    "tax",
    "tax_prev",
    "employees",
    "employees_prev",
)

WAN = 10_000
YI = 100_000_000
_STEP = 100  # yuan; 0.01万元, the precision of the bureaus' tables
_ABOVE_SIZE = 2000 * WAN
_FLOWS = ("revenue", "profit", "rd", "tax")
# For each quarter, one firm's cumulative figure is planted at 85% of the 1亿 revenue tier and
# one at 80% of the 1000万 tax tier, so the cultivation pool (培育库) has members whichever
# quarter is reported and whatever share of the tier the pool starts from.
_REVENUE_POOL = 0.85 * YI
_TAX_POOL = 800 * WAN

# Mostly industrial firms; the two service-flavoured industries are thin in a 规上工业 list.
_INDUSTRY_WEIGHTS = (0.16, 0.30, 0.12, 0.14, 0.20, 0.04, 0.04)
_SEASON = (0.22, 0.25, 0.25, 0.28)  # Q1 slow (Spring Festival), Q4 year-end push
_SEASON_TOURISM = (0.17, 0.27, 0.33, 0.23)  # summer peak
_MONTH_SEASON = (  # each quarter's months: February slow (Spring Festival), December busy
    (0.34, 0.24, 0.42),
    (0.32, 0.33, 0.35),
    (0.33, 0.33, 0.34),
    (0.31, 0.32, 0.37),
)
_LABOUR_INTENSIVE = "农(海)产品深加工"
_RD_INTENSIVE = ("新兴产业", "健康养生")
_NAME_ATTEMPTS = 5  # names drawn before a second trade-name word is added
_CODE_CHARS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_CODE_VALUES = np.zeros(256, dtype=np.int64)  # a character's value in the credit-code alphabet
_CODE_VALUES[_CODE_CHARS] = np.arange(len(ALPHABET))
_ORG_VALUES = np.zeros(256, dtype=np.int64)  # and in the organization code's (0-9, A-Z)
_ORG_VALUES[np.frombuffer(ORG_ALPHABET.encode("ascii"), dtype=np.uint8)] = np.arange(36)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHECK = np.frombuffer(b"?123456789X0", dtype=np.uint8)  # by 11 - weighted sum mod 11


def _organization_body(rng: np.random.Generator) -> str:
    """The first 8 characters of an organization code: the old all-digit kind or the
    post-2015 "MA" kind, drawn only from characters the credit-code alphabet allows."""
    if rng.random() < 0.5:
        return str(rng.integers(1, 8)) + "".join(str(d) for d in rng.integers(0, 10, 7))
    return "MA" + "".join(ALPHABET[i] for i in rng.integers(0, 31, 6))


def credit_codes(bodies: list[str], division: str = "371082") -> list[str]:
    """Valid 18-character codes of companies (91) registered in `division`, one for each
    organization-code body (8 characters), both check characters computed a column at once."""
    if len(division) != 6 or not division.isdigit():
        raise ValueError(f"division must be a 6-digit GB/T 2260 code, got {division!r}")
    text = np.frombuffer("".join(bodies).encode("ascii"), dtype=np.uint8).reshape(-1, 8)
    org = _ORG_VALUES[text] @ np.array(_ORG_WEIGHTS)
    first17 = np.empty((len(bodies), 17), dtype=np.uint8)
    first17[:, :8] = np.frombuffer(("91" + division).encode("ascii"), dtype=np.uint8)
    first17[:, 8:16] = text
    first17[:, 16] = _ORG_CHECK[11 - org % 11]
    total = _CODE_VALUES[first17] @ np.array([pow(3, i, 31) for i in range(17)])
    codes = np.column_stack([first17, _CODE_CHARS[(31 - total % 31) % 31]])
    return codes.view("S18").ravel().astype(str).tolist()


def _log_uniform(rng: np.random.Generator, low: float, high: float, size: int) -> NDArray:
    """Sizes spread evenly across orders of magnitude within a tier."""
    return np.exp(rng.uniform(np.log(low), np.log(high), size))


def _pareto(rng: np.random.Generator, alpha: float, low: float, high: float, size: int) -> NDArray:
    """Truncated Pareto: firm sizes are heavy-tailed, most firms near the lower bound."""
    u = rng.random(size)
    return low * (1 - u * (1 - (low / high) ** alpha)) ** (-1 / alpha)


def _current_revenue(rng: np.random.Generator, n_stay: int, scale: float) -> NDArray:
    """This year's full-year revenue of continuing firms, largest first.

    Planted tiers keep every band of the 骨干攀登 and 强企闯关 targets non-empty at any size,
    put a few firms just under 1亿 for the year, and for each quarter one just under 1亿 so
    far; one more is big enough to pay a Q1 tax just under 1000万 at a plausible rate.
    """
    n_huge = max(1, round(1.5 * scale))  # will pay ≥1亿 tax, so must be very large
    n_ten = max(n_huge, round(4 * scale))
    n_five = max(1, round(3 * scale))
    n_one = max(4, round(15 * scale))
    n_near = max(1, round(5 * scale))
    n_bulk = n_stay - n_ten - n_five - n_one - n_near
    parts = [
        _log_uniform(rng, 16 * YI, 40 * YI, n_huge),
        _log_uniform(rng, 10.3 * YI, 15 * YI, n_ten - n_huge),
        _log_uniform(rng, 7 * YI, 9.8 * YI, 1),  # pays 5000万–1亿 tax when the city is small
        _log_uniform(rng, 5.2 * YI, 9.8 * YI, n_five - 1),
        np.array([min(_TAX_POOL / _SEASON[0] / 0.045, 4.95 * YI)]),
        _REVENUE_POOL / np.cumsum(_SEASON),  # the last one is just under 1亿 for the year
        _pareto(rng, 1.1, 1.02 * YI, 4.9 * YI, n_one - 4),
        rng.uniform(8600 * WAN, 9950 * WAN, n_near - 1),
        _pareto(rng, 1.3, 2050 * WAN, 8500 * WAN, n_bulk),
    ]
    return np.sort(np.concatenate(parts))[::-1]


def _yearly_revenue(rng: np.random.Generator, firms: int) -> NDArray:
    """Full-year revenue by firm for years Y-2, Y-1, Y (columns); NaN where a firm had none.

    Rows are continuing firms (largest first), then firms that grew into the above-size set
    this year, genuinely new firms, and firms that dropped out this year.
    """
    scale = firms / 400
    n_entering = max(1, round(0.065 * firms))
    n_new = max(1, round(0.35 * n_entering))
    n_grown = n_entering - n_new
    n_stay = firms - n_entering
    n_leaving = max(1, round(0.07 * firms))

    stay = np.full((n_stay, 3), np.nan)
    stay[:, 2] = _current_revenue(rng, n_stay, scale)
    growth = np.clip(rng.normal(0.07, 0.11, n_stay), -0.25, 0.45)
    stay[:, 1] = stay[:, 2] / (1 + growth)
    low = stay[:, 1] < 2030 * WAN
    stay[low, 1] = rng.uniform(2030 * WAN, 2500 * WAN, int(low.sum()))

    grown = np.full((n_grown, 3), np.nan)
    grown[:, 2] = rng.uniform(2050 * WAN, 3200 * WAN, n_grown)
    grown[:, 1] = rng.uniform(1300 * WAN, 1980 * WAN, n_grown)

    new = np.full((n_new, 3), np.nan)
    new[:, 2] = _log_uniform(rng, 2100 * WAN, 6000 * WAN, n_new)

    leaving = np.full((n_leaving, 3), np.nan)
    leaving[:, 1] = _log_uniform(rng, 2020 * WAN, 3600 * WAN, n_leaving)

    revenue = np.vstack([stay, grown, new, leaving])
    last_year = np.flatnonzero(~np.isnan(revenue[:, 1]))
    growth_before = np.clip(rng.normal(0.06, 0.10, len(last_year)), -0.25, 0.45)
    revenue[last_year, 0] = revenue[last_year, 1] / (1 + growth_before)
    # A few of last year's firms were founded last year: no figures for the year before.
    small = last_year[last_year >= len(NAMED_FIRMS)]
    founded = rng.choice(small, max(1, round(0.02 * len(last_year))), replace=False)
    revenue[founded, 0] = np.nan
    return revenue


def _firm_name(rng: np.random.Generator, industry: str, big: bool, taken: set[str]) -> str:
    """A believable registered name: [city or town] + trade name + business + company form.

    A large city exhausts the single trade names of an industry (tens of thousands), so after
    a few names already taken the trade name gets a second word, as 宏达鑫源 does.
    """
    words = INDUSTRY_WORDS[industry]
    attempt = 0
    while True:
        form = rng.random()
        if form < 0.25:
            prefix = CITY + ("市" if rng.random() < 0.5 else "")
        elif form < 0.35:
            prefix = TOWNS[rng.integers(len(TOWNS))]
        else:
            prefix = ""
        brand = BRANDS[rng.integers(len(BRANDS))]
        if attempt >= _NAME_ATTEMPTS:
            brand += BRANDS[rng.integers(len(BRANDS))]
        word = words[rng.integers(len(words))]
        kind = rng.random()
        if big and kind < 0.5:
            suffix = "集团有限公司"
        elif kind > 0.9:
            suffix = "股份有限公司"
        else:
            suffix = "有限公司"
        name = prefix + brand + word + suffix
        if name not in taken:
            taken.add(name)
            return name
        attempt += 1


def _identities(
    rng: np.random.Generator, revenue: NDArray
) -> tuple[list[str], list[str], list[str]]:
    """Industries, names and unique credit codes; the named firms take the top places."""
    n = len(revenue)
    industries = [industry for _, industry in NAMED_FIRMS]
    drawn = rng.choice(len(LEADING_INDUSTRIES), n - len(NAMED_FIRMS), p=_INDUSTRY_WEIGHTS)
    industries += [LEADING_INDUSTRIES[i] for i in drawn]
    names = [name for name, _ in NAMED_FIRMS]
    taken = set(names)
    peak = np.nanmax(revenue, axis=1)
    for i in range(len(NAMED_FIRMS), n):
        names.append(_firm_name(rng, industries[i], bool(peak[i] >= 5 * YI), taken))
    bodies: dict[str, None] = {}  # insertion-ordered and hashed: a list search is quadratic
    while len(bodies) < n:  # a code is unique when its body is: the rest derives from it
        bodies.setdefault(_organization_body(rng))
    return industries, names, credit_codes(list(bodies))


def _yearly_tax(
    rng: np.random.Generator, revenue: NDArray, scale: float, done: NDArray
) -> tuple[NDArray, NDArray]:
    """Full-year tax, 2–8% of revenue by firm, with the 强企闯关 tiers planted this year.

    The top firms get ≥1亿 and 5000万–1亿, the rest stay under 5000万, at least one pays
    1000万–5000万, a few sit just under 1000万 for the year, and for each quarter one sits
    just under it so far; `done` (firms, 4) is each firm's cumulative share of this year's
    revenue by quarter. Those quarter firms are returned, to be split without noise.
    Earlier years keep each firm's effective rate.
    """
    n = len(revenue)
    rate = np.clip(rng.lognormal(np.log(0.037), 0.4, n), 0.018, 0.08)
    current = revenue[:, 2] * rate * rng.uniform(0.9, 1.1, n)
    members = np.flatnonzero(~np.isnan(revenue[:, 2]))
    order = members[np.argsort(-revenue[members, 2], kind="stable")]
    n_top = max(1, round(1.5 * scale))
    n_second = max(1, round(2 * scale))
    top, second, rest = order[:n_top], order[n_top : n_top + n_second], order[n_top + n_second :]
    current[top] = np.minimum(rng.uniform(1.05 * YI, 1.6 * YI, len(top)), 0.07 * revenue[top, 2])
    current[second] = np.clip(
        rng.uniform(5200 * WAN, 9500 * WAN, len(second)), 5100 * WAN, 0.08 * revenue[second, 2]
    )
    current[rest] = np.minimum(current[rest], rng.uniform(3800 * WAN, 4900 * WAN, len(rest)))

    others, exact = rest, []
    for quarter in range(4):  # Q1 first: it needs the largest firm
        target = _TAX_POOL / done[rest, quarter]
        able = np.flatnonzero(revenue[rest, 2] * 0.09 >= target)
        if able.size:
            pick = able[np.argmin(np.abs(current[rest[able]] - target[able]))]
            current[rest[pick]] = target[pick]
            exact.append(rest[pick])
            rest = np.delete(rest, pick)
    if not (current[others] >= 1000 * WAN).any():
        current[rest[0]] = rng.uniform(1010 * WAN, 1400 * WAN)
    n_pool = max(1, round(3 * scale))
    in_pool = (current[others] >= 800 * WAN) & (current[others] < 1000 * WAN)
    able = rest[(current[rest] < 800 * WAN) & (revenue[rest, 2] >= 1.25 * YI)]
    lift = able[np.argsort(-current[able], kind="stable")][: max(0, n_pool - int(in_pool.sum()))]
    current[lift] = rng.uniform(860 * WAN, 990 * WAN, len(lift))

    effective = np.where(np.isnan(current), rate, current / revenue[:, 2])
    tax = revenue * effective[:, None] * rng.uniform(0.9, 1.1, (n, 3))
    tax[:, 2] = current
    return tax, np.array(exact, dtype=int)


def _seasonal_shares(rng: np.random.Generator, industries: list[str], sigma: float) -> NDArray:
    """Each firm-year's quarterly shares (firms, 3, 4): a common pattern plus firm noise."""
    base = np.array([_SEASON_TOURISM if i == "休闲旅游度假" else _SEASON for i in industries])
    shares = base[:, None, :] * rng.lognormal(0, sigma, (len(industries), 3, 4))
    return shares / shares.sum(axis=2, keepdims=True)


def _split(total: NDArray, shares: NDArray) -> NDArray:
    """Quarterly amounts in 100-yuan steps summing exactly to the yearly total, never negative."""
    steps = np.rint(total / _STEP)
    quarters = np.floor(steps[..., None] * shares)
    quarters[..., 3] = steps - quarters[..., :3].sum(axis=-1)
    return quarters


def _quarterly(
    rng: np.random.Generator,
    revenue: NDArray,
    industries: list[str],
    scale: float,
) -> dict[str, NDArray]:
    """Quarterly flows (in 100-yuan steps) and period-end headcount, each (firms, 3, 4)."""
    n = len(revenue)
    shares = _seasonal_shares(rng, industries, 0.08)
    tax, exact = _yearly_tax(rng, revenue, scale, shares[:, 2].cumsum(axis=1))
    rd_rate = rng.lognormal(np.log(0.015), 0.5, n)
    rd_rate *= np.where(np.isin(industries, _RD_INTENSIVE), 1.8, 1.0)
    # About a quarter of the small firms report no R&D; firms over 1亿 all do.
    spends = (rng.random(n) > 0.25) | (np.nanmax(revenue, axis=1) >= YI)
    rd_rate = np.minimum(rd_rate, 0.05) * spends
    rd = revenue * rd_rate[:, None] * rng.uniform(0.8, 1.2, (n, 3))

    flows = {"revenue": _split(revenue, shares)}
    tax_shares = shares * rng.lognormal(0, 0.15, shares.shape)
    tax_shares[exact] = shares[exact]
    flows["tax"] = _split(tax, tax_shares / tax_shares.sum(axis=2, keepdims=True))
    rd_shares = shares * rng.lognormal(0, 0.25, shares.shape)
    flows["rd"] = _split(rd, rd_shares / rd_shares.sum(axis=2, keepdims=True))
    margin = rng.normal(0.055, 0.035, n)[:, None] + rng.normal(0, 0.015, (n, 3))
    quarter_margin = margin[:, :, None] + rng.normal(0, 0.025, (n, 3, 4))
    flows["profit"] = np.rint(flows["revenue"] * quarter_margin)

    reference = np.where(np.isnan(revenue[:, 2]), revenue[:, 1], revenue[:, 2])
    labour = np.where(np.array(industries) == _LABOUR_INTENSIVE, 1.5, 1.0)
    headcount = 30 * (reference / 1e7) ** 0.75 * rng.lognormal(0, 0.3, n) * labour
    yearly = headcount[:, None] * (revenue / reference[:, None]) ** 0.5
    drift = 1 + rng.normal(0, 0.02, (n, 3, 4))
    flows["employees"] = np.clip(np.rint(yearly[:, :, None] * drift), 20, 3000)
    return flows


def reported_months(
    year: int, month: int, jan_feb: bool = False, monthly: bool = False
) -> dict[int, list[int]]:
    """The periods the sample city has tables for, by year: all of last year's quarter-ends,
    this year's up to `month`, and `month` itself in both years when it ends no quarter (last
    year's same point is the seasonal projection's history); `jan_feb` adds this year's
    1-2月, the first table of a year. `monthly`: every published month instead, as a
    province receives them (1-2月 … 1-12月 of last year, 1-2月 … `month` of this year;
    January alone is not published)."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1-12, got {month}")
    if monthly:
        return {year - 1: list(range(2, 13)), year: list(range(2, month + 1)) or [month]}
    extra = [] if month % 3 == 0 else [month]
    early = [2] if jan_feb and month >= 2 else []
    return {
        year - 1: sorted({3, 6, 9, 12, *extra}),
        year: sorted({m for m in (3, 6, 9, 12) if m <= month} | {*extra, *early}),
    }


def _monthly_shares(seed: int, firms: int) -> NDArray:
    """Each firm-year's share of each quarter's flow done by the end of its first and second
    month (firms, 3, 4, 2). Drawn apart from the quarterly figures, so that adding monthly
    tables to a city changes none of its quarter-end figures."""
    rng = np.random.default_rng([seed, 12])
    months = np.array(_MONTH_SEASON)[None, None] * rng.lognormal(0, 0.1, (firms, 3, 4, 3))
    return np.cumsum(months / months.sum(axis=3, keepdims=True), axis=3)[..., :2]


def _cumulative_at(flows: dict[str, NDArray], shares: NDArray, month: int) -> dict[str, NDArray]:
    """Cumulative yuan (and headcount) by the end of `month`, each (firms, 3): whole quarters
    before it plus the month's share of its own quarter, in 100-yuan steps."""
    quarter, within = divmod(month - 1, 3)
    values = {}
    for key in _FLOWS:
        done = flows[key][:, :, :quarter].sum(axis=2)
        if within < 2:
            done = done + np.floor(flows[key][:, :, quarter] * shares[:, :, quarter, within])
        else:
            done = done + flows[key][:, :, quarter]
        values[key] = done * _STEP
    values["employees"] = flows["employees"][:, :, quarter]
    return values


def generate_city(
    firms: int = 400,
    seed: int = 2026,
    year: int = 2026,
    month: int = 9,
    jan_feb: bool = False,
    monthly: bool = False,
) -> pd.DataFrame:
    """The "truth" panel of a fictional city: one row per above-size firm and reported period.

    Covers the periods of reported_months(year, month, jan_feb, monthly): Y-1's quarter-ends and Y's
    up to `month`, and `month` itself. Flows are cumulative yuan; `*_prev` is 上年同期, the
    firm's own figure for the same months a year earlier (NaN if it had none). `firms` is
    the approximate count this year; the same seed always gives the same city, and the
    same quarter-end figures whichever months are asked for.
    """
    if firms < 20:
        raise ValueError(f"firms must be at least 20 to hold the named firms, got {firms}")
    periods = reported_months(year, month, jan_feb, monthly)
    rng = np.random.default_rng(seed)
    revenue = _yearly_revenue(rng, firms)
    industries, names, codes = _identities(rng, revenue)
    flows = _quarterly(rng, revenue, industries, firms / 400)
    shares = _monthly_shares(seed, len(revenue))
    full_year = flows["revenue"].sum(axis=2) * _STEP

    frames = []
    for offset, months in ((1, periods[year - 1]), (2, periods[year])):
        members = np.flatnonzero(full_year[:, offset] >= _ABOVE_SIZE)
        for m in months:
            cumulative = _cumulative_at(flows, shares, m)
            columns: dict[str, object] = {
                "credit_code": [codes[i] for i in members],
                "name": [names[i] for i in members],
                "industry": [industries[i] for i in members],
                "year": year - 2 + offset,
                "month": m,
            }
            for key in (*_FLOWS, "employees"):
                columns[key] = cumulative[key][members, offset]
                columns[f"{key}_prev"] = cumulative[key][members, offset - 1]
            frames.append(pd.DataFrame(columns))
    panel = pd.concat(frames, ignore_index=True)[list(PANEL_COLUMNS)]
    panel = panel.astype({"year": "int64", "month": "int64"})
    panel = panel.sort_values(
        ["year", "month", "revenue", "credit_code"], ascending=[True, True, False, True]
    )
    return panel.reset_index(drop=True)


def _wan(values: pd.Series) -> list[float | None]:
    """Yuan to 万元 with two decimals, as the bureaus print (exact: amounts are whole
    hundreds of yuan); None where there is no figure."""
    return [None if v != v else v for v in np.round(values.to_numpy(dtype=float) / WAN, 2).tolist()]


def _title(book: Workbook, ws: Worksheet, text: str, last_column: int) -> None:
    """Bold title merged across the table, the first thing a loader has to skip."""
    style = {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}
    ws.merge_range(0, 0, 0, last_column, text, book.add_format(style))


def _widths(ws: Worksheet, widths: dict[str, float]) -> None:
    """Readable column widths, as a bureau would leave them."""
    for column, width in widths.items():
        ws.set_column(f"{column}:{column}", width)


def _header_style(book: Workbook):
    return book.add_format(
        {"bold": True, "align": "center", "valign": "vcenter", "text_wrap": True}
    )


def _sign_off_date(year: int, month: int) -> str:
    """Reports go out on the 15th of the month after the period."""
    return f"{year + 1}年1月15日" if month == 12 else f"{year}年{month + 1}月15日"


def _write_statistics(frame: pd.DataFrame, year: int, month: int, out_dir: Path) -> Path:
    """The statistics bureau's 规上工业 table: merged two-row header, 合计 first, notes below.

    Rows are streamed, so each is written whole before the next: a header cell spanning
    rows 3-4 is merged first and written (styled) within row 3.
    """
    frame = frame.sort_values(["revenue", "credit_code"], ascending=[False, True])
    path = out_dir / "统计局" / f"{year}年1-{month}月规模以上工业企业主要经济指标.xlsx"
    book = new_workbook(path)
    ws = book.add_worksheet("规上工业")
    _title(book, ws, f"{year}年1-{month}月全市规模以上工业企业主要经济指标", 11)
    ws.merge_range("A2:H2", f"填报单位：{CITY}市统计局")
    ws.merge_range("J2:L2", "单位：万元", book.add_format({"align": "right"}))

    header = _header_style(book)
    for column, text in enumerate(("序号", "统一社会信用代码", "企业名称", "所属行业")):
        ws.merge_range(2, column, 3, column, text)
        ws.write_string(2, column, text, header)
    groups = ("营业收入", "利润总额", "研发费用", "从业人员（人）")
    for i, text in enumerate(groups):
        ws.merge_range(2, 4 + 2 * i, 2, 5 + 2 * i, text, header)
    subheads = ["本年累计", "上年同期"] * 3 + ["期末人数", "上年同期"]
    ws.write_row(3, 4, subheads, header)

    amounts = [k for flow in ("revenue", "profit", "rd") for k in (flow, f"{flow}_prev")]
    ws.write_string(4, 2, "合计")
    ws.write_row(4, 4, np.round(frame[amounts].sum().to_numpy() / WAN, 2).tolist())
    ws.write_row(4, 10, [int(frame["employees"].sum()), int(frame["employees_prev"].sum())])

    code, amount = book.add_format({"num_format": "@"}), book.add_format({"num_format": "#,##0.00"})
    figures = [_wan(frame[key]) for key in amounts]
    # Every 15th revenue figure was typed in by hand: a number stored as text.
    figures[0] = [
        f"{value:,.2f}" if value is not None and seq % 15 == 0 else value
        for seq, value in enumerate(figures[0], start=1)
    ]
    staff = [  # headcounts are whole persons
        [None if v != v else int(v) for v in frame[key].to_numpy(dtype=float).tolist()]
        for key in ("employees", "employees_prev")
    ]
    firms = [frame[key].tolist() for key in ("credit_code", "name", "industry")]
    columns = [list(range(1, len(frame) + 1)), *firms, *figures, *staff]
    formats = [None, code, None, None, *[amount] * len(figures), None, None]
    blank_after = (len(frame) + 1) // 2 if len(frame) > 1 else None
    row = write_rows(ws, 5, columns, formats, gap=blank_after)

    ws.write_string(row + 1, 0, "注：1.本表为快报数据，金额单位为万元。2.“上年同期”为同口径数据。")
    sign_off = (
        "单位负责人：张明    统计负责人：李华    填表人：王芳    "
        f"报出日期：{_sign_off_date(year, month)}"
    )
    ws.write_string(row + 2, 0, sign_off)
    _widths(ws, {"A": 6, "B": 22, "C": 34, "D": 18} | dict.fromkeys("EFGHIJKL", 13))
    ws.freeze_panes(4, 0)
    book.close()
    return path


def _growth(current: float, previous: float) -> float | None:
    """同比 in percent to one decimal; empty when there is nothing to compare with."""
    if pd.isna(previous) or previous == 0:
        return None
    return round((current / previous - 1) * 100, 1)


def _growths(current: pd.Series, previous: pd.Series) -> list[float | None]:
    """_growth of every firm at once."""
    now, before = current.to_numpy(dtype=float), previous.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = ((now / before - 1) * 100).tolist()
    valid = (~np.isnan(before) & (before != 0)).tolist()
    return [round(p, 1) if ok else None for p, ok in zip(percent, valid, strict=True)]


def _write_tax(frame: pd.DataFrame, year: int, month: int, out_dir: Path) -> Path:
    """The tax bureau's 入库税收 table: single header row, 合计 last, its own naming."""
    frame = frame.sort_values(["tax", "credit_code"], ascending=[False, True])
    path = out_dir / "税务局" / f"{year}年1-{month}月工业企业入库税收.xlsx"
    book = new_workbook(path)
    ws = book.add_worksheet("入库税收")
    _title(book, ws, f"{year}年1-{month}月全市工业企业入库税收情况", 5)
    ws.write_string(1, 5, "单位：万元")
    header = ("序号", "纳税人识别号", "纳税人名称", "入库税收本年累计", "入库税收上年同期")
    ws.write_row(2, 0, [*header, "同比增减（%）"], _header_style(book))

    code, amount = book.add_format({"num_format": "@"}), book.add_format({"num_format": "#,##0.00"})
    columns = [
        list(range(1, len(frame) + 1)),
        frame["credit_code"].tolist(),
        frame["name"].tolist(),
        _wan(frame["tax"]),
        _wan(frame["tax_prev"]),
        _growths(frame["tax"], frame["tax_prev"]),
    ]
    row = write_rows(ws, 3, columns, [None, code, None, amount, amount, None])
    total, total_prev = frame["tax"].sum(), frame["tax_prev"].sum()
    totals = np.round(np.array([total, total_prev]) / WAN, 2).tolist()
    ws.write_row(row, 2, ["合计", *totals, _growth(total, total_prev)])
    ws.write_string(row + 1, 0, "注：数据来源于税收征管系统。")
    _widths(ws, {"A": 6, "B": 22, "C": 34, "D": 16, "E": 16, "F": 14})
    ws.freeze_panes(3, 0)
    book.close()
    return path


def _usable_cpus() -> int:
    """The CPUs this process may run on (the machine's count where the system cannot say)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def write_city(panel: pd.DataFrame, out_dir: Path, workers: int | None = None) -> list[Path]:
    """Write the panel as the bureaus hand it over, one workbook per bureau and period, so the
    loaders are exercised on merged headers, totals, notes and numbers stored as text; and the
    city's projects, awards, financing and department returns (sample_sources), and its
    firms' own goals (sample.goals, the 对号入座 workbook), as the offices hand them over.

    The workbooks are written side by side by `workers` processes (default: one per CPU
    this process may use); each is a function of its own table only, so the bytes are the
    same whatever the number of workers or the order they finish in.
    """
    out_dir = Path(out_dir)
    workers = workers or _usable_cpus()
    with ProcessPoolExecutor(workers) as pool:
        written = []
        for (year, month), frame in panel.groupby(["year", "month"], sort=True):
            for write in (_write_statistics, _write_tax):
                written.append(pool.submit(write, frame, int(year), int(month), out_dir))
        found = generate_sources(panel)  # while the first are written
        written += [pool.submit(write_book, *sheet) for sheet in source_sheets(found, out_dir)]
        written.append(pool.submit(write_goals, generate_goals(panel, found), out_dir))
        return sorted(future.result() for future in written)
