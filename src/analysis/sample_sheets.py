"""The sample city's project, award, financing and department-return tables written as
the offices hand them over: a title naming the period, a 填报单位 / 单位 line, one header
row, the rows, a note. Amounts in 万元, dates as real Excel dates, codes as text.
"""

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from analysis import params
from analysis.names import CITY
from analysis.sources import Sources

WAN = 10_000
PROJECT_HEADER = {
    "序号": None,
    "项目编号": "project_id",
    "项目名称": "project_name",
    "项目类别": "kind",
    "是否重大技改项目": "major_upgrade",
    "统一社会信用代码": "credit_code",
    "建设单位": "name",
    "所属产业": "industry",
    "计划总投资": "planned_investment",
    "本年计划投资": "annual_plan_investment",
    "本年累计完成投资": "completed_investment",
    "开工时间": "start_date",
    "竣工时间": "completion_date",
    "项目状态": "status",
    "责任单位": "department",
}
PLATFORM_HEADER = {
    "序号": None,
    "统一社会信用代码": "credit_code",
    "企业名称": "name",
    "类别": "kind",
    "级别": "level",
    "平台（项目）名称": "title",
    "批准时间": "approved_date",
}
FINANCING_HEADER = {
    "序号": None,
    "统一社会信用代码": "credit_code",
    "企业名称": "name",
    "事项": "event",
    "金额": "amount",
    "日期": "event_date",
    "备注": "note",
}
RETURN_HEADER = {
    "指标编号": "indicator",
    "指标名称": "indicator_name",
    "本年累计完成": "value",
    "备注": "note",
}


def _cell_value(value, column: str):
    """A tidy value as the office types it: 万元 to two decimals, 是/否, dates, blanks."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if column == "major_upgrade":
        return "是" if value else "否"
    if column.endswith("investment") or column == "amount":
        return round(float(value) / WAN, 2)
    if column.endswith("_date"):
        return pd.Timestamp(value).to_pydatetime()
    if column == "value":
        return float(value)
    return value


def _sheet(path: Path, sheet: str, title: str, unit_line: str, header: dict, rows: pd.DataFrame):
    """One workbook in the offices' layout; returns its path."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    last = get_column_letter(len(header))
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = unit_line
    ws.merge_cells(f"A2:{last}2")
    ws.append(list(header))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for seq, record in enumerate(rows.to_dict("records"), start=1):
        values = [
            seq if column is None else _cell_value(record[column], column)
            for column in header.values()
        ]
        ws.append(values)
        for cell, column in zip(ws[ws.max_row], header.values(), strict=True):
            if column == "credit_code":
                cell.number_format = "@"
            elif column and column.endswith("_date"):
                cell.number_format = "yyyy-mm-dd"
            elif column and (column.endswith("investment") or column == "amount"):
                cell.number_format = "#,##0.00"
    ws.append([])
    ws.append(["注：本表数据为本年1月1日起累计数。"])
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, 2.2 * len(name) + 4)
    ws.freeze_panes = "A4"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _periods(table: pd.DataFrame):
    return table.groupby(["year", "month"], sort=True)


def write_sources(
    sources: Sources, out_dir: Path, params_dir: Path = params.PARAMS_DIR
) -> list[Path]:
    """Every period's workbooks of the four offices under `out_dir`, one folder each."""
    out_dir = Path(out_dir)
    paths = []
    for (year, month), rows in _periods(sources.projects):
        paths.append(
            _sheet(
                out_dir / "项目办" / f"{year}年1-{month}月重点项目及技改项目进展.xlsx",
                "项目",
                f"{year}年1-{month}月全市重点项目及技改项目进展情况",
                f"填报单位：{CITY}市重大项目办公室    单位：万元",
                PROJECT_HEADER,
                rows.sort_values("project_id"),
            )
        )
    for (year, month), rows in _periods(sources.platforms):
        paths.append(
            _sheet(
                out_dir / "科技局" / f"{year}年1-{month}月创新平台及科技项目.xlsx",
                "创新平台",
                f"{year}年1-{month}月新建创新平台及科技立项情况",
                f"填报单位：{CITY}市科学技术局",
                PLATFORM_HEADER,
                rows.sort_values(["approved_date", "kind"]),
            )
        )
    for (year, month), rows in _periods(sources.financing):
        paths.append(
            _sheet(
                out_dir / "金融办" / f"{year}年1-{month}月企业融资及上市推进.xlsx",
                "融资",
                f"{year}年1-{month}月企业融资及上市推进情况",
                f"填报单位：{CITY}市金融工作办公室    单位：万元",
                FINANCING_HEADER,
                rows.sort_values("event_date", kind="stable"),
            )
        )
    names = params.indicators(params_dir).set_index("id")["name"]
    returns = sources.returns.assign(indicator_name=lambda f: f["indicator"].map(names))
    for (year, month, department), rows in returns.groupby(["year", "month", "department"]):
        paths.append(
            _sheet(
                out_dir / "部门报表" / f"{year}年1-{month}月{department}工作进展.xlsx",
                "进展",
                f"{year}年1-{month}月{department}十大计划工作进展",
                f"填报单位：{department}",
                RETURN_HEADER,
                rows,
            )
        )
    return paths
