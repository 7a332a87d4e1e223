"""Data-quality tables for the intake notebook: row accounting, coverage, code problems."""

import pandas as pd

from analysis.ingest import HIDDEN_SHEET, Intake


def file_accounting(intake: Intake) -> pd.DataFrame:
    """Per file and sheet: rows read = accepted + quarantined + totals/notes, checked."""
    files = intake.files.copy()
    files["file"] = files["file"].map(lambda p: p.rsplit("/", 1)[-1])
    files["balanced"] = (
        files["rows_read"]
        == files["rows_accepted"] + files["rows_quarantined"] + files["rows_totals_notes"]
    ).map({True: "✓ 平衡", False: "✗ 不平衡"})
    return files


def _file_names(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(file=frame["file"].map(lambda p: str(p).rsplit("/", 1)[-1]))


def column_choices(intake: Intake) -> pd.DataFrame:
    """Sheets where several columns matched one field: the column read and the ones not,
    by the order of the aliases in params/columns.yaml (never by the column's place)."""
    sheets = _file_names(intake.sheets)
    return sheets.loc[sheets["column_choices"] != "", ["file", "sheet", "column_choices"]]


def hidden_parts(intake: Intake) -> pd.DataFrame:
    """Per workbook: its hidden sheets (listed, never read) and how many of the rows read
    were hidden rows (read and counted like any other)."""
    sheets = _file_names(intake.sheets)
    hidden = sheets["status"] == HIDDEN_SHEET
    per_file = sheets.assign(hidden_sheets=sheets["sheet"].where(hidden)).groupby(
        "file", sort=False
    )
    table = per_file.agg(
        hidden_sheets=("hidden_sheets", lambda s: "、".join(s.dropna())),
        rows_hidden=("rows_hidden", "sum"),
    ).reset_index()
    return table[(table["hidden_sheets"] != "") | (table["rows_hidden"] > 0)]


def coverage(panel: pd.DataFrame) -> pd.DataFrame:
    """Firms per period and by which sources reported them."""
    table = panel.pivot_table(
        index=["year", "month"],
        columns="sources",
        values="credit_code",
        aggfunc="count",
        fill_value=0,
    )
    table["合计"] = table.sum(axis=1)
    table = table.reset_index()
    table.insert(
        0, "period", [f"{y}年1-{m}月" for y, m in zip(table["year"], table["month"], strict=True)]
    )
    return table.drop(columns=["year", "month"])


def code_problems(panel: pd.DataFrame, year: int, month: int) -> pd.DataFrame:
    """Firms of the quarter whose credit code is missing or fails the check digit.

    They stay in every count: the problem is flagged for correction, not punished.
    """
    now = panel[(panel["year"] == year) & (panel["month"] == month)]
    flagged = now[now["code_problem"].notna()]
    return flagged[["credit_code", "name", "code_problem", "source_file", "source_row"]].assign(
        source_file=lambda f: f["source_file"].map(lambda p: str(p).rsplit("/", 1)[-1])
    )


def summary_sentence(intake: Intake) -> str:
    """One paragraph on what was read and what was set aside."""
    files = intake.files
    sheets, read = len(files), int(files["rows_read"].sum())
    accepted, bad = int(files["rows_accepted"].sum()), int(files["rows_quarantined"].sum())
    skipped = int(files["rows_totals_notes"].sum())
    workbooks = files["file"].nunique()
    return (
        f"本次共导入 {workbooks} 个工作簿、{sheets} 张工作表，读入 {read:,} 行："
        f"接收 {accepted:,} 行，隔离 {bad:,} 行（原因见下表），识别为合计、注释或分组标题的 "
        f"{skipped:,} 行不计入企业数据。读入行数 = 接收 + 隔离 + 合计/注释，逐表核对平衡。"
        f"按企业名称匹配 {len(intake.matches)} 行，未能匹配到企业的 {len(intake.unmatched)} 行"
        "单列于下文。"
    )


def unmatched(intake: Intake) -> pd.DataFrame:
    """Rows of tax, project, award and financing sheets that match no firm of the
    statistics, by code or by name: listed for follow-up, never dropped."""
    rows = intake.unmatched.copy()
    rows["file"] = rows["file"].map(lambda p: str(p).rsplit("/", 1)[-1])
    rows["kind"] = rows["kind"].map(SOURCE_NAMES).fillna(rows["kind"])
    return rows


SOURCE_NAMES = {"tax": "税收", "projects": "项目", "platforms": "创新平台", "financing": "融资"}
