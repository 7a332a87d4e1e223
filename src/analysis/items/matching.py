"""Each named item found in the period's return: by its id (a project's 项目编号) or
credit code first, then by its normalised name; every match says how it was made.

An item found nowhere is `in_return` false (本期未报送), never dropped or counted as zero;
a row of the return's scope that no item claims is returned apart (on no list). A list
the params do not give for the year is the return's own rows, each its own item.
"""

import pandas as pd

from analysis.intake.ingest import normalize_name

BY_ID, BY_CODE, BY_NAME, OWN_ROW = "编号", "信用代码", "名称", "报表所列"


def _own(key: str) -> str:
    """The item's column compared with the return's `key`: its id, or its credit code."""
    return "item_id" if key in ("project_id", "item_id") else "credit_code"


def match(items: pd.DataFrame, rows: pd.DataFrame, key: str, name: str) -> pd.DataFrame:
    """`items` (lists.items of one list and year) with `row`, the index of the return row
    that is each item (NaN when none), and `matched_by`. `key` is the return's column the
    item's id or credit code is compared with, `name` the column its name is."""
    own = _own(key)
    by_key = {v: i for i, v in rows[key].dropna().items()}
    by_name = {normalize_name(v): i for i, v in rows[name].dropna().items()}
    found, how = [], []
    for item in items.itertuples():
        wanted = getattr(item, own)
        if pd.notna(wanted) and wanted in by_key:
            found.append(by_key[wanted])
            how.append(BY_ID if own == "item_id" else BY_CODE)
        elif normalize_name(item.item) in by_name:
            found.append(by_name[normalize_name(item.item)])
            how.append(BY_NAME)
        else:
            found.append(None)
            how.append("")
    matched = items.assign(row=pd.array(found, dtype="Int64"), matched_by=how)
    return matched.assign(in_return=matched["row"].notna())


def unlisted(matched: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """The return's rows that no item of the list claims."""
    return rows.drop(index=matched["row"].dropna().astype(int), errors="ignore")


def own_rows(rows: pd.DataFrame, template: dict, key: str, name: str) -> pd.DataFrame:
    """A list the params do not give: the return's rows in scope, each its own item."""
    own = _own(key)
    table = pd.DataFrame(
        {
            **template,
            own: rows[key].to_numpy(),
            "item": rows[name].to_numpy(),
            "row": pd.array(rows.index, dtype="Int64"),
            "matched_by": OWN_ROW,
            "in_return": True,
        }
    )
    return table
