"""Data-quality tables for the intake notebook: row accounting, versions of one return,
repeated keys, coverage, code problems, and the firms left out of the counts."""

import pandas as pd

from analysis.intake import versions
from analysis.intake.codes import normalize_credit_code
from analysis.intake.duplicates import CONFLICT, CONFLICT_REASON
from analysis.intake.ingest import HIDDEN_SHEET, SOURCES, Intake

FIELD_NAMES = {
    "revenue": "营业收入",
    "profit": "利润总额",
    "tax": "税收",
    "rd": "研发费用",
    "employees": "从业人员",
}
TAX = ("tax_source", "tax_row")  # where a firm only the tax bureau reports was read
KIND_NAMES = {"indicators": "统计（营业收入等）", "tax": "税务（税收）"}
REPORTED_BY = {  # which panel rows carry a source's figures
    "indicators": (SOURCES["both"], SOURCES["left_only"]),
    "tax": (SOURCES["both"], SOURCES["right_only"]),
}
LEFT_OUT_COLUMNS = ["kind", "source", "credit_code", "name", "reason", "where"]
QUARANTINED = "quarantined"
NOT_COUNTED = {
    CONFLICT: "不计入：数据冲突",
    versions.MISSING: "不计入：修订版未列",
    QUARANTINED: "不计入：数值无法读取或未通过检查",
}


def file_accounting(intake: Intake) -> pd.DataFrame:
    """Per file and sheet: rows read = accepted + quarantined + totals/notes + superseded,
    checked; and where the sheet's period and unit were read (every place that states
    them: they agreed, or the file would have been refused)."""
    read_as = intake.sheets.reindex(columns=["file", "sheet", "period_from", "unit_from"])
    files = intake.files.merge(read_as.astype({"file": str}), on=["file", "sheet"], how="left")
    files["file"] = files["file"].map(lambda p: p.rsplit("/", 1)[-1])
    files["balanced"] = (
        files["rows_read"]
        == files["rows_accepted"]
        + files["rows_quarantined"]
        + files["rows_totals_notes"]
        + files["rows_superseded"]
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
    """Firms of the period whose credit code is missing or fails the check digit, each
    with the file and Excel row it was read from: the statistics', or the tax table's for a
    firm only the tax bureau reports. Rows are whole numbers (an empty one stays empty).

    They stay in every count: the problem is flagged for correction, not punished.
    """
    now = panel[(panel["year"] == year) & (panel["month"] == month)]
    flagged = now[now["code_problem"].notna()]
    stats = flagged["source_file"].notna()
    tax_file, tax_row = (flagged.get(c, pd.Series(None, index=flagged.index)) for c in TAX)
    return pd.DataFrame(
        {
            "credit_code": flagged["credit_code"],
            "name": flagged["name"],
            "code_problem": flagged["code_problem"],
            "source_file": flagged["source_file"]
            .astype(object)
            .where(stats, tax_file)
            .map(lambda p: str(p).rsplit("/", 1)[-1], na_action="ignore"),
            "source_row": pd.to_numeric(
                flagged["source_row"].where(stats, tax_row), errors="coerce"
            ).astype("Int64"),
        },
        index=flagged.index,
    )


def summary_sentence(intake: Intake) -> str:
    """One paragraph on what was read and what was set aside."""
    files = intake.files
    sheets, read = len(files), int(files["rows_read"].sum())
    accepted, bad = int(files["rows_accepted"].sum()), int(files["rows_quarantined"].sum())
    skipped = int(files["rows_totals_notes"].sum())
    superseded = int(files["rows_superseded"].sum())
    workbooks = files["file"].nunique()
    return (
        f"本次共导入 {workbooks} 个工作簿、{sheets} 张工作表，读入 {read:,} 行："
        f"接收 {accepted:,} 行，隔离 {bad:,} 行（原因见下表），识别为合计、注释或分组标题的 "
        f"{skipped:,} 行不计入企业数据，{superseded:,} 行属于已被新版本替代的报表。"
        "读入行数 = 接收 + 隔离 + 合计/注释 + 被替代，逐表核对平衡。"
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


SOURCE_NAMES = {
    "indicators": "统计",
    "tax": "税收",
    "projects": "项目",
    "platforms": "创新平台",
    "financing": "融资",
}


def _period(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(
        [
            f"{int(y)}年1-{int(m)}月" if pd.notna(y) else ""
            for y, m in zip(frame["year"], frame["month"], strict=True)
        ],
        index=frame.index,
        dtype=object,
    )


def version_table(intake: Intake, kind_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Per source and period, every version: which stood, which were superseded and by
    what rule, and the files set aside unread (superseded/ folder, params/superseded.yaml)."""
    table = intake.versions.copy()
    table["period"] = _period(table)
    table["kind"] = table["kind"].map(lambda k: (kind_names or {}).get(k, k) if k else "")
    return table


def revision_changes(intake: Intake) -> pd.DataFrame:
    """What each standing version changed against the one it replaced: figures (old → new,
    yuan), firms added, firms no longer listed."""
    table = intake.revisions.copy()
    table["period"] = _period(table)
    prev = table["field"].str.endswith("_prev")
    base = table["field"].str.removesuffix("_prev")
    table["field"] = base.map(FIELD_NAMES).fillna(base) + prev.map(
        {True: "（上年同期）", False: ""}
    )
    return table


def repeated_keys(intake: Intake) -> pd.DataFrame:
    """Keys found on several rows of one period: renamed firms counted once, taxpayers
    whose rows were summed, and conflicts (quarantined)."""
    table = intake.repeats.copy()
    table["period"] = _period(table)
    table["kind"] = table["kind"].map(KIND_NAMES).fillna(table["kind"])
    return table


def _quarantined(intake: Intake, year: int, month: int) -> pd.DataFrame:
    """Firms whose row of the period was quarantined for a value (not for a conflict, which
    repeats lists): their figures of that source are missing from every count."""
    sheets = intake.files.loc[
        intake.files["period"] == f"{year}年1-{month}月", ["file", "sheet", "table"]
    ]
    rows = intake.quarantine.merge(sheets, on=["file", "sheet"])
    rows = rows[
        (rows["reason_zh"] != CONFLICT_REASON)
        & rows["credit_code"].notna()
        & (rows["credit_code"].astype(str) != "")
    ]
    first = rows.sort_values(["file", "row"]).groupby(["table", "credit_code"], sort=False).first()
    return first.reset_index().assign(
        kind=lambda f: f["table"],
        year=year,
        month=month,
        key=lambda f: f["credit_code"].map(normalize_credit_code),
        reason=NOT_COUNTED[QUARANTINED],
        where=lambda f: (
            "隔离行："
            + f["file"].map(lambda p: str(p).rsplit("/", 1)[-1])
            + " 第"
            + f["row"].astype(str)
            + "行（"
            + f["column"]
            + "："
            + f["reason_zh"]
            + "）"
        ),
    )


def left_out(intake: Intake, year: int, month: int) -> pd.DataFrame:
    """Firms of the period whose figures of a source are not counted, and why: rows that
    conflict (quarantined), a row quarantined for a value, or a firm the standing version of
    a return no longer lists.
    A firm another file of the same source still reports is counted, so not listed."""
    panel = intake.panel[(intake.panel["year"] == year) & (intake.panel["month"] == month)]
    conflicts = intake.repeats[intake.repeats["outcome"] == CONFLICT].assign(
        reason=NOT_COUNTED[CONFLICT],
        where=lambda f: "隔离行：" + f["files"] + " 第" + f["rows"] + "行",
        name=lambda f: f["names"],
    )
    missing = intake.revisions[intake.revisions["change"] == versions.MISSING].assign(
        reason=NOT_COUNTED[versions.MISSING],
        where=lambda f: "「" + f["old_file"] + "」有，「" + f["new_file"] + "」无",
    )
    rows = pd.concat(
        [
            frame[["kind", "year", "month", "key", "name", "reason", "where"]]
            for frame in (conflicts, missing, _quarantined(intake, year, month))
            if not frame.empty
        ]
        or [pd.DataFrame(columns=["kind", "year", "month", "key", "name", "reason", "where"])],
        ignore_index=True,
    )
    rows = rows[(rows["year"] == year) & (rows["month"] == month) & rows["kind"].isin(REPORTED_BY)]
    reported = pd.Series(False, index=rows.index)
    for kind, sources in REPORTED_BY.items():
        codes = panel.loc[panel["sources"].isin(sources), "credit_code"].astype(object)
        reported |= (rows["kind"] == kind) & rows["key"].astype(object).isin(codes)
    rows = rows[~reported]
    table = rows.rename(columns={"key": "credit_code"}).assign(
        source=lambda f: f["kind"].map(KIND_NAMES)
    )
    return table[LEFT_OUT_COLUMNS].drop_duplicates(["kind", "credit_code"]).reset_index(drop=True)


def left_out_sentence(table: pd.DataFrame) -> str:
    """One line for any page that shows a count of firms: how many were left out, why."""
    if table.empty:
        return "本期没有因数据冲突、数值无法读取或修订而未计入的企业。"
    parts = [
        f"{KIND_NAMES[kind]}数据未计入 {len(group)} 家（"
        + "、".join(
            f"{r.removeprefix('不计入：')} {n} 家"
            for r, n in group["reason"].value_counts().items()
        )
        + "）"
        for kind, group in table.groupby("kind", sort=False)
    ]
    return (
        "以下计数未包括：" + "；".join(parts) + "。名单及原因见“数据导入与数据质量”一节"
        "（数据冲突的行列于隔离表）。"
    )
