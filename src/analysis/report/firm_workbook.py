"""The full firm and project lists, one formatted sheet each, in the internal edition's
firms.xlsx: the pages show only the first `page_list_limit` rows of each
(params/thresholds.yaml) and name the sheet that holds the rest."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter

WORKBOOK = "firms.xlsx"
WAN = "（万元）"  # amounts are shown in 万元, and the header says so
PERCENT = "（%）"  # shares and growth rates in percent (12.3), as in every file of the report


@dataclass(frozen=True)
class FirmList:
    """One list as the page and the workbook show it: the same columns, headers and order."""

    sheet: str  # the workbook's sheet; the page names it
    columns: dict[str, str]  # source column → Chinese header (fixes the order of columns)
    order: str  # how the rows are ordered, said on the page
    sort: Callable[[pd.DataFrame], pd.DataFrame]  # the most urgent or largest rows first
    noun: str = "家"  # what a row is: 家 (firms), 个 (projects), 行 (rows), 项 (awards)
    wan: tuple[str, ...] = ()  # yuan, shown in 万元
    percent: tuple[str, ...] = ()  # shares and growth rates (0.123), shown as 12.3%
    dates: tuple[str, ...] = ()
    labels: dict[str, dict] = field(default_factory=dict)  # column → {value: words}
    workbook_only: tuple[str, ...] = ()  # columns the sheet has and the page leaves out

    def page_headers(self) -> dict[str, str]:
        """The page's headers: a percentage's without （%）, since the page writes the sign
        after every figure (12.3%); the workbook's figures are plain percents (12.3)."""
        return {
            c: h.removesuffix(PERCENT) if c in self.percent else h
            for c, h in self.headers().items()
            if c not in self.workbook_only
        }

    def headers(self) -> dict[str, str]:
        """Headers with their unit: 本期累计（万元）, 同比（%）."""
        unit = dict.fromkeys(self.wan, WAN) | dict.fromkeys(self.percent, PERCENT)
        return {c: h + unit.get(c, "") for c, h in self.columns.items()}


def by(*columns: str, ascending: bool | list[bool] = True):
    """A stable sort on columns, blanks last: rows equal on every key keep their order."""

    def sort(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values(
            list(columns), ascending=ascending, na_position="last", kind="stable"
        )

    return sort


def _by_status(frame: pd.DataFrame, first: str) -> pd.DataFrame:
    """By `first`, then by status in the order a reader scans them (items not reported,
    then those needing attention)."""
    from analysis.items.judging import NOT_REPORTED_ITEM
    from analysis.judgement import STATUS_ORDER

    rank = {s: i for i, s in enumerate([NOT_REPORTED_ITEM, *STATUS_ORDER])}
    keyed = frame.assign(_rank=frame["status"].map(rank))
    return keyed.sort_values([first, "_rank"], kind="stable").drop(columns="_rank")


def _as_given(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def _closest_to_threshold(pool: pd.DataFrame) -> pd.DataFrame:
    """The pool across thresholds, by the share of its threshold reached (ytd / threshold):
    a gap in yuan is not comparable between a 1000万 tax line and a 10亿 revenue line."""
    reached = pool["ytd"] / (pool["ytd"] + pool["gap"])
    order = reached.reset_index(drop=True).sort_values(ascending=False, kind="stable").index
    return pool.iloc[order]


_YES_NO = {True: "是", False: "否"}

LISTS = {
    "movers": FirmList(
        "档位变动企业",
        {
            "tier": "档位",
            "change": "变动",
            "note": "说明",
            "credit_code": "信用代码",
            "name": "企业名称",
            "industry": "产业",
            "value_now": "本期累计",
            "value_last_year": "上年同期",
            "reporting_now": "本期在报",
        },
        "按本期累计由大到小排列，已不在报的企业按上年同期排在最后",
        by("value_now", "value_last_year", ascending=False),
        wan=("value_now", "value_last_year"),
        labels={"reporting_now": {True: "是", False: "否（已不在名录）"}},
        workbook_only=("credit_code",),
    ),
    "pool": FirmList(
        "培育库",
        {
            "threshold": "门槛",
            "credit_code": "信用代码",
            "name": "企业名称",
            "industry": "产业",
            "ytd": "本期累计",
            "gap": "距门槛",
            "growth": "同比",
            "projected": "全年预计",
            "crosses_by_projection": "研判",
        },
        "按距门槛由近到远（本期累计占门槛的比例由高到低）排列",
        _closest_to_threshold,
        wan=("ytd", "gap", "projected"),
        percent=("growth",),
        labels={"crosses_by_projection": {True: "预计可跨越", False: "需重点帮扶"}},
        workbook_only=("credit_code",),
    ),
    "quarantine": FirmList(
        "隔离行",
        {
            "file": "文件",
            "sheet": "工作表",
            "row": "行号",
            "credit_code": "信用代码",
            "name": "企业名称",
            "column": "列",
            "value": "原值",
            "reason_zh": "原因",
        },
        "按文件、工作表、行号排列，便于对照原表更正",
        by("file", "sheet", "row"),
        noun="行",
    ),
    "matches": FirmList(
        "按名称匹配",
        {
            "file": "文件",
            "row": "行号",
            "name": "企业名称",
            "code_in_file": "原表中的代码",
            "matched_code": "匹配到的代码",
        },
        "按文件、行号排列",
        by("file", "row"),
        noun="行",
    ),
    "unmatched": FirmList(
        "未匹配记录",
        {
            "kind": "类别",
            "file": "文件",
            "row": "行号",
            "name": "企业名称",
            "credit_code": "信用代码",
            "candidates": "同名企业数",
        },
        "按类别、文件、行号排列",
        by("kind", "file", "row"),
        noun="行",
    ),
    "left_out": FirmList(
        "未计入的企业",
        {
            "source": "来源",
            "credit_code": "信用代码",
            "name": "企业名称",
            "reason": "原因",
            "where": "出处",
        },
        "按来源、原因排列",
        by("source", "reason"),
    ),
    "code_problems": FirmList(
        "信用代码问题",
        {
            "credit_code": "信用代码",
            "name": "企业名称",
            "code_problem": "问题",
            "source_file": "来源文件",
            "source_row": "行号",
        },
        "按来源文件、行号排列",
        by("source_file", "source_row"),
    ),
    "revisions": FirmList(
        "修订变动",
        {
            "period": "报告期",
            "key": "信用代码",
            "name": "企业名称",
            "change": "变动",
            "field": "指标",
            "old": "旧值",
            "new": "新值",
            "old_file": "被替代版本",
            "new_file": "采用版本",
        },
        "按报告期、变动类别排列",
        by("period", "change"),
        noun="条",
        wan=("old", "new"),
    ),
    "repeats": FirmList(
        "多行企业",
        {
            "period": "报告期",
            "kind": "来源",
            "key": "信用代码",
            "names": "名称",
            "outcome": "处理",
            "files": "文件",
            "rows": "行号",
        },
        "按报告期、来源、处理方式排列",
        by("period", "kind", "outcome"),
    ),
    "late_projects": FirmList(
        "投资进度滞后的项目",
        {
            "project_name": "项目名称",
            "kind": "项目类别",
            "name": "建设单位",
            "industry": "产业",
            "annual_plan_investment": "本年计划投资",
            "completed_investment": "本年累计完成",
            "plan_progress": "完成进度",
            "shortfall": "低于序时差额",
            "department": "责任单位",
        },
        "按低于序时进度的差额由大到小排列",
        by("shortfall", ascending=False),
        noun="个",
        wan=("annual_plan_investment", "completed_investment", "shortfall"),
        percent=("plan_progress",),
    ),
    "items": FirmList(
        "点名项目和企业",
        {
            "list_name": "清单",
            "item_id": "编号",
            "item": "名称",
            "credit_code": "信用代码",
            "owner": "责任单位",
            "target": "目标",
            "actual": "完成",
            "unit": "单位",
            "status": "状态",
            "matched_by": "匹配依据",
            "reported_name": "报表所列名称",
            "note": "说明",
        },
        "按计划排列，每份清单中本期未报送、滞后的在前",
        lambda frame: _by_status(frame, "plan"),
        noun="项",
    ),
    "late_starts": FirmList(
        "未按计划开工的项目",
        {
            "project_id": "项目编号",
            "project_name": "项目名称",
            "kind": "项目类别",
            "name": "建设单位",
            "planned_start_date": "计划开工时间",
            "start_date": "开工时间",
            "status": "项目状态",
            "department": "责任单位",
        },
        "按计划开工时间由早到晚排列",
        by("planned_start_date"),
        noun="个",
        dates=("planned_start_date", "start_date"),
    ),
    "attracted": FirmList(
        "引进项目",
        {
            "project_name": "项目名称",
            "name": "建设单位",
            "planned_investment": "计划总投资",
            "start_date": "引进时间",
            "department": "责任单位",
            "counts": "计入目标",
        },
        "按计划总投资由大到小排列",
        by("planned_investment", ascending=False),
        noun="个",
        wan=("planned_investment",),
        dates=("start_date",),
        labels={"counts": _YES_NO},
    ),
    "awards": FirmList(
        "新批平台和科技项目",
        {
            "approved_date": "批准时间",
            "kind": "类别",
            "level": "级别",
            "title": "平台（项目）名称",
            "name": "企业",
        },
        "按批准时间由近到远排列",
        _as_given,  # innovation.award_list: the most recent first
        noun="项",
        dates=("approved_date",),
    ),
    "listing": FirmList(
        "上市进展",
        {
            "name": "企业名称",
            "event": "最新阶段",
            "event_date": "日期",
            "steps": "本年进展次数",
            "note": "备注",
        },
        "按所处阶段由后到前排列",
        _as_given,  # financing.listing_pipeline: the furthest stage first
        dates=("event_date",),
    ),
    "equity": FirmList(
        "股权融资",
        {
            "name": "企业名称",
            "tracked": "实施意见点名",
            "amount": "融资额",
            "deals": "笔数",
            "last_date": "最近一笔",
        },
        "实施意见点名的企业在前，各按融资额由大到小排列",
        _as_given,  # financing.equity_by_firm: tracked first, then by amount
        wan=("amount",),
        dates=("last_date",),
        labels={"tracked": _YES_NO},
    ),
    "warnings": FirmList(
        "预警企业",
        {
            "rule_name": "预警规则",
            "rank": "规则内排序",
            "credit_code": "信用代码",
            "name": "企业名称",
            "industry": "产业",
            "indicator": "指标",
            "value": "本期数",
            "reference": "比较数",
            "change": "同比",
            "detail": "说明",
        },
        "各规则轮流列出，每条规则内最需关注的在前（降幅、亏损额、缺口由大到小）",
        _as_given,  # warnings.entries: by rank within each rule, the rules taking turns
        noun="条",
        wan=("value", "reference"),
        percent=("change",),
        workbook_only=("credit_code", "value", "reference", "change"),
    ),
    "goal_shortfalls": FirmList(
        "对号入座",
        {
            "credit_code": "信用代码",
            "name": "企业名称",
            "industry": "产业",
            "goal": "对号入座目标",
            "target": "目标",
            "ytd": "本期累计",
            "projected": "全年预计",
            "gap": "缺口",
            "gap_share": "缺口占目标",
            "target_stage": "目标阶段",
            "reached_stage": "本年达到",
            "status": "状态",
            "basis": "判定依据",
            "measures": "企业措施",
            "note": "说明",
        },
        "企业自定年度目标预计未达成的，按缺口占目标的比例由大到小排列（上市目标在后）",
        _as_given,  # goals.shortfalls: by the shortfall's share of the goal
        noun="项",  # a row is a goal: a firm may have two
        wan=("target", "ytd", "projected", "gap"),
        percent=("gap_share",),
        workbook_only=("credit_code", "industry", "basis", "measures"),
    ),
    "firm_goals": FirmList(
        "对号入座（全部目标）",
        {
            "credit_code": "信用代码",
            "name": "企业名称",
            "industry": "产业",
            "horizon": "目标期限",
            "goal": "对号入座目标",
            "target": "目标",
            "target_stage": "目标阶段",
            "ytd": "本期累计",
            "projected": "全年预计",
            "reached_stage": "本年达到",
            "status": "状态",
            "measures": "企业措施",
            "note": "说明",
            "source_row": "原表行号",
        },
        "按汇总表的顺序（逐家企业）；近期、远期目标列示，不判定",
        _as_given,
        noun="项",
        wan=("target", "ytd", "projected"),
        workbook_only=("credit_code", "source_row"),
    ),
}

TIER_COLUMNS = FirmList(
    "",  # one sheet per tier, named by the tier
    {
        "credit_code": "信用代码",
        "name": "企业名称",
        "industry": "产业",
        "revenue_ytd": "营业收入本期累计",
        "revenue_projected": "营业收入全年预计",
        "tax_ytd": "税收本期累计",
        "tax_projected": "税收全年预计",
    },
    "按营业收入由大到小排列",
    by("revenue_ytd", ascending=False),
    wan=("revenue_ytd", "revenue_projected", "tax_ytd", "tax_projected"),
)


def labelled(frame: pd.DataFrame, spec: FirmList) -> pd.DataFrame:
    """The list ordered as the spec says, its codes (True/False) in words; a value already
    in words is kept, so a notebook that labelled a column first gets the same rows."""
    out = spec.sort(frame)
    for column, words in spec.labels.items():
        out = out.assign(**{column: out[column].map(lambda v, w=words: w.get(v, v))})
    return out


def sheet(frame: pd.DataFrame, spec: FirmList) -> pd.DataFrame:
    """A list as its sheet holds it: Chinese headers with units, amounts in 万元, shares in
    percent (12.3), dates as dates."""
    out = labelled(frame, spec).reindex(columns=list(spec.columns))
    for column in spec.wan:
        out[column] = (pd.to_numeric(out[column], errors="coerce") / 1e4).round(2)
    for column in spec.percent:
        out[column] = (pd.to_numeric(out[column], errors="coerce") * 100).round(1)
    for column in spec.dates:
        out[column] = pd.to_datetime(out[column], errors="coerce")
    return out.rename(columns=spec.headers()).reset_index(drop=True)


def tier_sheets(firms: pd.DataFrame, tiers: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Every firm of each tier (now, by its cumulative figure), a sheet per tier."""
    return {
        tier.name.removeprefix("其中：")[:31]: sheet(
            firms[firms[tier.id].astype(bool)], TIER_COLUMNS
        )
        for tier in tiers.itertuples()
    }


def gather(lists: dict[str, pd.DataFrame], firms: pd.DataFrame, tiers: pd.DataFrame):
    """The workbook's sheets from the period's lists (keys of LISTS) and firm table:
    the lists in LISTS' order, then a sheet per tier. An empty list keeps its sheet,
    headers only, so the workbook always has the same sheets."""
    sheets = {LISTS[key].sheet: sheet(frame, LISTS[key]) for key, frame in lists.items()}
    ordered = {s.sheet: sheets[s.sheet] for s in LISTS.values() if s.sheet in sheets}
    return ordered | tier_sheets(firms, tiers)


PRODUCT_OF = {  # each list of the workbook, by the name of the product that holds it
    "movers": "movers",
    "pool": "pool",
    "quarantine": "quarantine",
    "matches": "matches",
    "unmatched": "unmatched",
    "left_out": "left_out",
    "code_problems": "code_problems",
    "revisions": "revision_changes",
    "repeats": "repeated_keys",
    "late_projects": "late_projects",
    "items": "items",
    "late_starts": "late_starts",
    "attracted": "attracted",
    "awards": "awards",
    "listing": "listing_pipeline",
    "equity": "equity",
    "warnings": "warnings",
    "goal_shortfalls": "goal_shortfalls",
    "firm_goals": "firm_goals",
}


def from_products(p) -> dict[str, pd.DataFrame]:
    """The workbook's sheets from the period's products (products.Products): the same
    tables the pages cut, so a page's 另有 N and its sheet always agree."""
    lists = {key: p.table(name) for key, name in PRODUCT_OF.items()}
    lists["matches"] = lists["matches"].assign(
        file=lambda f: f["file"].astype(str).str.rsplit("/", n=1).str[-1]
    )
    return gather(lists, p.table("firms"), p.table("tier_defs"))


def _width(values) -> int:
    """A column's width in characters: a Chinese character counts two."""
    return max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(v)) for v in values), default=0)


def write(path: Path, lists: dict[str, pd.DataFrame]) -> None:
    """One sheet per list (sheet name → rows with Chinese headers): bold frozen header
    row, autofilter, widths from the contents; a header ending （万元） is shown #,##0.00,
    one ending （%） 0.0, dates as yyyy-mm-dd. Text is written as text: a firm named
    '=HYPERLINK(…)' is never a formula or a link. xlsxwriter's constant-memory mode
    writes row by row, so 200,000 rows take little memory."""
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }
    with xlsxwriter.Workbook(str(path), options) as book:
        head = book.add_format({"bold": True, "bg_color": "#E8EDF3", "text_wrap": True})
        formats = {
            WAN: book.add_format({"num_format": "#,##0.00"}),
            PERCENT: book.add_format({"num_format": "0.0"}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        }
        for name, frame in lists.items():
            _write_sheet(book.add_worksheet(name), frame, head, formats)


def _cell_format(frame: pd.DataFrame, header: str, formats: dict):
    if pd.api.types.is_datetime64_any_dtype(frame[header]):
        return formats["date"]
    return next((f for unit, f in formats.items() if header.endswith(unit)), None)


def _write_sheet(ws, frame: pd.DataFrame, head, formats: dict) -> None:
    shown = [_cell_format(frame, header, formats) for header in frame.columns]
    sample = frame.head(200)
    for col, header in enumerate(frame.columns):
        width = max(_width([header]) // 2 + 4, _width(sample[header].dropna()) + 2)
        ws.set_column(col, col, min(max(width, 8), 50))
    ws.write_row(0, 0, list(frame.columns), head)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
    cells = frame.astype(object).where(frame.notna(), None)
    for r, values in enumerate(cells.itertuples(index=False, name=None), start=1):
        for c, value in enumerate(values):
            if value is not None:
                ws.write(r, c, value, shown[c])
