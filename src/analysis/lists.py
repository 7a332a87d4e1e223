"""Long lists of projects, in full, as an Excel workbook beside the pages that show only
their first rows (params/thresholds.yaml: page_list_limit)."""

from pathlib import Path

import pandas as pd

from analysis import projects
from analysis.formatting import spreadsheet_safe

WORKBOOK = "项目清单.xlsx"
# Columns of the list of upgrade projects behind schedule, page and workbook alike.
LATE_PROJECTS = {
    "project_name": "项目名称",
    "name": "建设单位",
    "industry": "产业",
    "annual_plan_investment": "本年计划投资",
    "completed_investment": "本年累计完成",
    "plan_progress": "完成进度",
    "shortfall": "低于序时差额",
    "department": "责任单位",
}
_WAN = ("annual_plan_investment", "completed_investment", "shortfall")


def summary_sentence(total: int, limit: int, what: str) -> str:
    """What a page says above a list cut to its first `limit` rows."""
    if total <= limit:
        return ""
    return f"共 {total} 个{what}，下表列出前 {limit} 个；完整名单见{WORKBOOK}。"


def write_project_lists(data, folder: Path) -> str:
    """The workbook of full project lists (amounts in 万元, progress in percent)."""
    now = data.sources.at(data.period.year, data.period.month)
    late = projects.behind_plan(now.projects, data.period, data.thresholds["on_track_band"])
    sheet = late.reindex(columns=list(LATE_PROJECTS)).copy()
    for column in _WAN:
        sheet[column] = (sheet[column].astype(float) / 1e4).round(2)
    sheet["plan_progress"] = (sheet["plan_progress"].astype(float) * 100).round(1)
    sheet = spreadsheet_safe(sheet).rename(columns=LATE_PROJECTS)
    sheet = sheet.rename(
        columns={
            "本年计划投资": "本年计划投资（万元）",
            "本年累计完成": "本年累计完成（万元）",
            "低于序时差额": "低于序时差额（万元）",
            "完成进度": "完成进度（%）",
        }
    )
    with pd.ExcelWriter(Path(folder) / WORKBOOK, engine="openpyxl") as writer:
        sheet.to_excel(writer, sheet_name="投资进度滞后的技改项目", index=False)
    return WORKBOOK
