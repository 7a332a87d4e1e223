"""How figures read in the reports: 万元 and 亿元, percentages, status words with symbols."""

import math

import pandas as pd
from IPython.display import HTML

from analysis import judgement as t
from analysis.measures.targets import STATUS_COLOURS

STATUS_SYMBOLS = {
    t.AHEAD: "▲",
    t.ON_TRACK: "●",
    t.BEHIND: "▼",
    t.ON_COURSE: "◎",
    t.OFF_COURSE: "▽",
    t.MET: "★",
    t.NOT_MET: "▽",
    t.DONE: "★",
    t.IN_PROGRESS: "◇",
    t.OVERDUE: "✕",
    t.NOT_DONE: "✕",
    t.NOT_REPORTED: "？",
    t.NO_TARGET: "○",
    t.NO_DATA: "—",
}
COUNT_UNITS = {"家", "个", "项", "人", "人次", "次", "件", "户", "期"}


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def wan(yuan, digits: int = 1) -> str:
    """Yuan shown in 万元 with thousands separators: 12,345.6."""
    return "—" if _missing(yuan) else f"{yuan / 1e4:,.{digits}f}"


def yi(yuan, digits: int = 2) -> str:
    """Yuan shown in 亿元: 3.45."""
    return "—" if _missing(yuan) else f"{yuan / 1e8:,.{digits}f}"


def _unsigned_zero(value: float, digits: int) -> float:
    """A value that rounds to zero as plain 0, never "-0.0"."""
    return 0.0 if round(value, digits) == 0 else value


def percent(share, digits: int = 1) -> str:
    """A share or growth rate as a percentage: 0.123 → 12.3%."""
    return "—" if _missing(share) else f"{_unsigned_zero(share * 100, digits):.{digits}f}%"


def points(change, digits: int = 1) -> str:
    """A change in percentage points with its sign, +0.7 or -0.6; a change that rounds to
    nothing is 0.0, neither "-0.0" nor "+0.0"."""
    if _missing(change):
        return "—"
    value = _unsigned_zero(float(change), digits)
    return f"{value:.{digits}f}" if value == 0 else f"{value:+.{digits}f}"


def schedule(share) -> str:
    """序时进度 as offices write it: 75%, 83.3% (10/12), 16.7% (2/12)."""
    return "—" if _missing(share) else percent(share).replace(".0%", "%")


def number(value, digits: int = 0) -> str:
    return "—" if _missing(value) else f"{value:,.{digits}f}"


def plain(value) -> str:
    """A figure as a department wrote it: no trailing zeros (28, 17.5, 1,234.56)."""
    return "—" if _missing(value) else f"{value:,.2f}".rstrip("0").rstrip(".")


def in_unit(value, unit: str) -> str:
    """A target or actual in its indicator's unit: counts whole, 亿元 to two places."""
    digits = {"亿元": 2, "%": 1}.get(unit, 0)
    return number(value, digits)


def status_text(status: str) -> str:
    """A status with its symbol, so it still reads in greyscale print."""
    return f"{STATUS_SYMBOLS.get(status, '')} {status}".strip()


INK, PAPER = "#1f2933", "#ffffff"  # the pages' text colour, and white


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; AA asks 4.5 for body text)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_on(background: str) -> str:
    """The text colour that reads best on a status colour: white on the dark green, red
    and slate, the page's dark ink on the amber and the greys."""
    return max((PAPER, INK), key=lambda ink: contrast(ink, background))


def status_style(status: str) -> str:
    """CSS for a status cell: the office's colour behind text of enough contrast."""
    colour = STATUS_COLOURS.get(status.split()[-1] if status else "", "")
    shown = (
        f"background-color: {colour}; color: {ink_on(colour)}; font-weight: bold; "
        if colour
        else ""
    )
    return shown + "white-space: nowrap"  # "▲ 超序时进度" on one line


def table(
    frame: pd.DataFrame,
    columns: dict[str, str],
    formats: dict | None = None,
    total: pd.DataFrame | None = None,
):
    """A report table: chosen columns renamed to Chinese, formatted, index hidden.

    `columns` maps source column → Chinese header (and fixes the order); `formats`
    maps source column → a formatter such as `wan` or `percent`. Text is escaped, so a
    firm name like <script> shows as text. An empty table is said in words, since a
    header with no rows under it reads like a rendering fault. `total`, a row of the same
    columns (its first says 合计), goes last, in bold under a rule.
    """
    if frame.empty:
        return HTML('<p class="no-data">本期无相关数据（来源未报送或无符合条件的记录）。</p>')
    if total is not None:
        frame = pd.concat([frame, total[list(columns)]], ignore_index=True)
    shown = frame[list(columns)].rename(columns=columns)
    fmt = {columns[c]: f for c, f in (formats or {}).items()}
    styler = shown.style.format(fmt, na_rep="—", escape="html").hide(axis="index")
    styler = styler.set_td_classes(_short_names(shown))
    if "状态" in shown.columns:
        styler = styler.map(status_style, subset=["状态"])
    if total is not None:
        last = len(shown) - 1
        styler = styler.apply(
            lambda row: [TOTAL_STYLE if row.name == last else "" for _ in row], axis=1
        )
    return styler.set_table_attributes('class="report-table"')


TOTAL_STYLE = "font-weight: bold; border-top: 2px solid #52606d"
SHORT_NAME = 10  # characters: a name this short (an industry, a tier) is never wrapped


def _short_names(shown: pd.DataFrame) -> pd.DataFrame:
    """Class "short" on the cells of text columns whose every value is a short name, so
    that 现代制造业 or 农(海)产品深加工 stays on one line (report.css)."""
    short = [_is_short_name(shown[column].tolist()) for column in shown.columns]
    marks = ["short" if s else "" for s in short]
    return pd.DataFrame([marks] * len(shown), index=shown.index, columns=shown.columns)


def _is_short_name(values: list) -> bool:
    """Every value present is text of at most SHORT_NAME characters (plain Python: a
    page's tables are small and pandas' per-call cost was most of their formatting)."""
    present = [v for v in values if not pd.isna(v)]
    return bool(present) and all(isinstance(v, str) and len(v) <= SHORT_NAME for v in present)


def in_period_order(frame: pd.DataFrame, column: str = "period", within: str | None = None):
    """Rows by their period as the calendar runs (1-3月 before 1-10月, 2025 before 2026),
    not as text sorts; grouped by `within` in the order its values first come. Stable."""
    from analysis.intake.periods import Period

    def when(text) -> tuple[int, int]:
        try:
            period = Period.parse(str(text))
        except ValueError:
            return (9999, 99)  # a period that cannot be read goes last
        return (period.year, period.month)

    keys = pd.DataFrame({"when": frame[column].map(when)}, index=frame.index)
    if within is not None:
        first = {value: i for i, value in enumerate(dict.fromkeys(frame[within]))}
        keys["group"] = frame[within].map(first)
    order = keys.sort_values([c for c in ("group", "when") if c in keys], kind="stable")
    return frame.loc[order.index].reset_index(drop=True)


SORTABLE_ROWS = 10  # a list of this many rows on the page gets sorting and a search box


def firm_list(frame: pd.DataFrame, key: str, limit: int):
    """A firm or project list as a page shows it (firm_workbook.LISTS[key]): its first
    `limit` rows, the most urgent or largest first, and above them a sentence saying how
    the rows are ordered, how many more there are and which sheet of firms.xlsx holds them
    all. A page stays readable, and small, however many firms the city has."""
    from analysis.report.firm_workbook import LISTS, WORKBOOK, labelled

    spec = LISTS[key]
    if frame.empty:
        return table(frame, spec.page_headers())
    rows = labelled(frame, spec)
    formats = dict.fromkeys(spec.wan, wan) | dict.fromkeys(spec.percent, percent)
    formats |= dict.fromkeys(spec.dates, lambda d: "—" if pd.isna(d) else f"{d:%Y-%m-%d}")
    headers = spec.page_headers()
    formats = {c: f for c, f in formats.items() if c in headers}  # the sheet's alone: not here
    shown = table(rows.head(limit), headers, formats)
    if min(len(rows), limit) >= SORTABLE_ROWS:  # render.with_sorting makes it sortable
        shown = shown.set_table_attributes('class="report-table sortable"')
    if len(rows) <= limit:
        return shown
    n, more = len(rows), len(rows) - limit
    note = (
        f'<p class="list-note">共 {n:,} {spec.noun}，{spec.order}，下表列出前 {limit:,} '
        f'{spec.noun}；另有 {more:,} {spec.noun}，完整名单见 <a href="{WORKBOOK}">{WORKBOOK}</a> '
        f"的「{spec.sheet}」工作表。</p>"
    )
    return HTML(note + shown.to_html())


PUBLIC_ITEM_KINDS = ("project", "measure", "milestone")  # public by nature: named in full
ITEM_HEADERS = {
    "list_name": "清单",
    "item_id": "编号",
    "item": "事项",
    "owner": "责任单位",
    "status": "状态",
    "note": "说明",
}


def item_lists(items: pd.DataFrame, public: bool, limit: int):
    """Named lists' items as a page shows them: measures and milestones in full in either
    edition (public by nature), firms by name in the internal edition (firm_list "items")
    and in the public one counted by list and status, never named (disclosure)."""
    if items.empty:
        return table(items, ITEM_HEADERS)
    if set(items["kind"]) <= {"measure", "milestone"}:
        return table(items, ITEM_HEADERS, {"status": status_text})
    if public and not set(items["kind"]) <= set(PUBLIC_ITEM_KINDS):
        counts = items.groupby(["list_name", "status"], sort=False).size()
        return table(counts.reset_index(name="firms"), {
            "list_name": "清单", "status": "状态", "firms": "企业数",
        })  # fmt: skip
    return firm_list(_item_figures(items), "items", limit)


def _item_figures(items: pd.DataFrame) -> pd.DataFrame:
    """An item's target and actual as its unit reads: 万元 to two decimals with thousands
    separators, visits, measures and stages whole (1, not 1.000000)."""

    def shown(value, unit) -> str:
        if pd.isna(value):
            return "—"
        return f"{value:,.2f}" if unit == "万元" else f"{value:,.0f}"

    figures = {
        column: [shown(v, u) for v, u in zip(items[column], items["unit"], strict=True)]
        for column in ("target", "actual")
    }
    return items.assign(**figures)


def apart_text(apart: pd.DataFrame, public: bool) -> str:
    """The rows of a return that name no item of a list: counted, never added to a list's
    figure; named, except firms in the public edition."""
    if apart.empty:
        return ""
    text = f"报表中另有 {len(apart)} 行未列入清单，未计入清单合计"
    if public and apart["credit_code"].notna().any():
        return text + "。"
    return text + "：" + "、".join(apart["name"].astype(str)) + "。"


SCORECARD_HEADERS = {
    "plan": "计划",
    "name": "指标",
    "unit": "单位",
    "target": "年度目标",
    "actual": "完成",
    "projected": "全年预计",
    "progress": "完成进度",
    "expected_progress": "序时进度",
    "status": "状态",
    "judged_on": "考核依据",
    "departments": "责任单位",
    "not_reported": "未报送",
}


def scorecard_rows(card: pd.DataFrame, plan_names: dict[int, str]) -> pd.DataFrame:
    """The scorecard as text a reader scans: each figure in its own unit, status with symbol."""
    units = card["unit"]
    rows = pd.DataFrame(
        {
            "plan": [f"{p} {plan_names[p]}" for p in card["plan"]],
            "name": card["name"],
            "unit": units,
            "target": [in_unit(v, u) for v, u in zip(card["target"], units, strict=True)],
            "actual": [in_unit(v, u) for v, u in zip(card["actual"], units, strict=True)],
            "projected": [in_unit(v, u) for v, u in zip(card["projected"], units, strict=True)],
            "progress": card["progress"].map(percent),
            "expected_progress": card["expected_progress"].map(schedule),
            "status": card["status"].map(status_text),
            "judged_on": card["judged_on"],
            "departments": card["departments"],
            "not_reported": [
                "；".join(part for part in (d, i) if isinstance(part, str) and part)
                for d, i in zip(
                    card["not_reported"],
                    card.get("unreported_items", pd.Series("", index=card.index)),
                    strict=True,
                )
            ],
        }
    )
    if "withheld" in card:  # public edition: a total of a few firms' own figures
        rows.loc[card["withheld"].to_numpy(dtype=bool), WITHHELD_FIGURES] = WITHHELD
    return rows


WITHHELD = "×"  # disclosure.SUPPRESSED: the mark of a figure the public edition withholds
WITHHELD_FIGURES = ["actual", "projected", "progress"]
DEPARTMENT_HEADERS = {
    "plan": "计划",
    "name": "指标",
    "unit": "单位",
    "target": "年度目标",
    "actual": "完成（合计）",
    "own_actual": "本单位报送",
    "own_target": "本单位分解目标",
    "progress": "完成进度",
    "expected_progress": "序时进度",
    "status": "本单位状态",
    "judged_on": "考核依据",
    "departments": "责任单位",
}
RETURN_STATUS_HEADERS = {
    "department": "单位",
    "period": "报告期",
    "state": "报送情况",
    "sent_on": "报送日期",
    "due": "报送截止日期",
    "figures": "已报指标数",
    "owed": "应报指标数",
    "lacking": "缺报指标",
}


RETURN_DECREASE_HEADERS = {
    "department": "单位",
    "name": "指标（项目）",
    "unit": "计量单位",
    "previous_period": "上期",
    "previous": "上期累计",
    "value": "本期累计",
    "change": "增减",
}


def status_count_headers(counts: pd.DataFrame) -> dict[str, str]:
    """Headers of a table of indicators by status per department (targets.status_counts),
    each status with its symbol."""
    statuses = [s for s in STATUS_SYMBOLS if s in counts.columns]
    return {"department": "责任单位", "indicators": "指标数"} | {
        s: status_text(s) for s in statuses
    }


def department_rows(rows: pd.DataFrame, plan_names: dict[int, str]) -> pd.DataFrame:
    """One department's rows of the bulletin (targets.by_department with owners.parts) as
    text: the joint figure, the department's own figure and part, its own status and the
    rule it was judged by."""
    shown = scorecard_rows(rows, plan_names)
    units = rows["unit"].to_numpy()
    for column in ("own_actual", "own_target"):
        shown[column] = [in_unit(v, u) for v, u in zip(rows[column], units, strict=True)]
    if "withheld" in rows:
        shown.loc[rows["withheld"].to_numpy(dtype=bool), "own_actual"] = WITHHELD
    rules = rows["own_rule"].where(rows["own_rule"].astype(bool), rows["judged_on"])
    shown["judged_on"] = rules.to_numpy()
    return shown[list(DEPARTMENT_HEADERS)]


def department_table(rows: pd.DataFrame, plan_names: dict[int, str]):
    """One department's table on the bulletin page (department_rows), without the own-part
    columns where the department has no figure or part of its own, so it fits the page."""
    shown = department_rows(rows, plan_names)
    empty = [c for c in ("own_actual", "own_target") if (shown[c] == "—").all()]
    headers = {c: h for c, h in DEPARTMENT_HEADERS.items() if c not in empty}
    return table(shown, headers)


_FORMULA_START = ("=", "+", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as formulas (=, +, @, or - before text)
    prefixed with an apostrophe, so a firm named '=HYPERLINK(…)' stays text in Excel."""

    def guard(value):
        if not isinstance(value, str):
            return value
        risky = value.startswith(_FORMULA_START) or (
            value.startswith("-") and not value[1:].replace(".", "", 1).isdigit()
        )
        return "'" + value if risky else value

    text = frame.select_dtypes(include=["object", "string"]).columns
    return frame.assign(**{c: frame[c].map(guard) for c in text})


def _digits(unit: str) -> int:
    """Decimals a figure in `unit` means: counts whole, percentages 1, amounts 2."""
    return 0 if unit in COUNT_UNITS else 1 if unit == "%" else 2


def _rounded(value: float, digits: int) -> float | int:
    """A figure rounded to what it means; a count as a whole number (16, not 16.0)."""
    return round(value) if digits == 0 else round(value, digits)


def scorecard_for_files(card: pd.DataFrame) -> pd.DataFrame:
    """The scorecard as published in files: each figure rounded in its own unit, progress
    and 序时进度 in percent (78.3, like every percentage in the files), not as fractions."""
    out = card.copy()
    for column in ("target", "actual", "projected"):
        out[column] = pd.Series(
            [
                None if pd.isna(v) else _rounded(float(v), _digits(u))
                for v, u in zip(out[column], out["unit"], strict=True)
            ],
            index=out.index,
            dtype=object,
        )
    for column in ("progress", "expected_progress"):
        out[column] = (out[column].astype(float) * 100).round(1)
    if "withheld" in card:
        hidden = card["withheld"].to_numpy(dtype=bool)
        for column in WITHHELD_FIGURES:
            out[column] = out[column].astype(object)
            out.loc[hidden, column] = WITHHELD
    return out


def items_for_files(items: pd.DataFrame) -> pd.DataFrame:
    """items.csv: one row per named item; amounts in the row's unit (万元) to 2 decimals,
    in_return true/false."""
    from analysis.items.judging import FILE_COLUMNS

    out = items.reindex(columns=FILE_COLUMNS).copy()
    for column in ("target", "actual"):
        out[column] = pd.to_numeric(out[column], errors="coerce").round(2)
    out["in_return"] = out["in_return"].astype(bool)
    return out


def firms_for_files(firms: pd.DataFrame) -> pd.DataFrame:
    """tiers.csv's firm table: yuan to 2 decimals, growth in percent to 1 decimal."""
    out = firms.copy()
    for column in out.columns:
        if not pd.api.types.is_float_dtype(out[column]):
            continue
        if column.endswith("_growth") or column.endswith("_share"):
            out[column] = (out[column] * 100).round(1)
        else:
            out[column] = out[column].round(2)
    return out


def tier_headers(tiers: pd.DataFrame) -> dict[str, str]:
    """Short column headers for tier counts ("收入过1亿", "纳税5000万-1亿"), so a table
    with a column per tier fits the page with its headers whole."""
    from analysis.measures.tiers import yuan_label

    words = {"revenue": "收入", "tax": "纳税"}
    return {
        t.id: words[t.field]
        + (
            f"过{yuan_label(t.lower_yuan)}"
            if pd.isna(t.upper_yuan)
            else f"{yuan_label(t.lower_yuan)}-{yuan_label(t.upper_yuan)}"
        )
        + "（家）"
        for t in tiers.itertuples()
    }
