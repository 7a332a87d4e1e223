"""Figures that cannot be right in the unit they were read in: a wrong unit stops the file.

A unit line that is wrong (or a note taken for one) scales every amount of a sheet by
10,000 at once, and nothing downstream can tell. The statistics bureau's list holds
above-size firms, whose revenue is at least the above-size threshold a year, so:

- every firm of a sheet below the threshold pro rata (× m/12 at 1-m月) means the amounts
  are too small for their unit (元 read where 万元 was meant);
- a median firm above 1万亿元 means they are too large (万元 read as 亿元).

Sheets with fewer than MIN_FIRMS firms reporting revenue are not judged: a short list
of small firms is possible, a whole list is not.
"""

from pathlib import Path

import pandas as pd

from analysis.errors import InputFileError

MIN_FIRMS = 3
LARGEST_MEDIAN_YUAN = 1e12  # 1万亿元: no county firm's revenue comes near it


def check_units(records: pd.DataFrame, sheets: pd.DataFrame, above_size_yuan: float) -> None:
    """Refuse the first statistics sheet whose revenue is implausible for its unit."""
    if records.empty or "revenue" not in records:
        return
    rows = records[(records["kind"] == "indicators") & (records["revenue"] > 0)]
    units = sheets.set_index(["file", "sheet"])["unit_from"].to_dict() if len(sheets) else {}
    groups = rows.groupby(["source_file", "source_sheet", "year", "month"], observed=True)
    for (file, sheet, year, month), group in groups:
        revenue = group["revenue"]
        if len(revenue) < MIN_FIRMS:
            continue
        floor = above_size_yuan * int(month) / 12
        stated = (
            units.get((str(file), str(sheet)))
            or "表中未注明（取自 units_by_source，或按数值大小取为元）"
        )
        if revenue.max() < floor:
            problem = (
                f"全部 {len(revenue)} 家企业的营业收入都低于规模以上标准"
                f"（{above_size_yuan / 1e4:,.0f}万元/年，1-{month}月按 {floor / 1e4:,.0f}万元计），"
                f"最高仅 {revenue.max() / 1e4:,.2f}万元"
            )
            english = "every firm's revenue is below the above-size threshold"
        elif revenue.median() > LARGEST_MEDIAN_YUAN:
            problem = f"中位数企业的营业收入达 {revenue.median() / 1e8:,.0f}亿元，超过 1万亿元"
            english = "the median firm's revenue is over 1 trillion yuan"
        else:
            continue
        raise InputFileError(
            Path(str(file)),
            f"工作表「{sheet}」（{year}年1-{month}月）按单位 {stated} 读取，{problem}："
            "金额单位很可能写错了。请核对表中“单位：”行和表头括号里的单位，改正后再导入 / "
            f"read in the unit stated ({stated}), {english}: the unit is almost certainly "
            "wrong; correct the unit line or the header and import again",
        )
