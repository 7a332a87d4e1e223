"""The named lists of params/lists.yaml as one table: one row per list, year and item."""

from pathlib import Path

import pandas as pd

from analysis import params
from analysis.config import PARAMS_DIR

ITEM_COLUMNS = [
    "list",
    "list_name",
    "plan",
    "kind",
    "indicator",
    "departments",
    "year",
    "item_id",
    "item",
    "credit_code",
    "owner",
    "item_target",
    "stage",
    "due_month",
]


def items(params_dir: Path = PARAMS_DIR, year: int | None = None) -> pd.DataFrame:
    """Every item of every named list (of `year` only, when given), in file order; an
    item's owner is the list's owners when it names none, its due month the list's."""
    rows = []
    for named in params.lists(params_dir):
        for item_year, entries in named["items"].items():
            if year is not None and item_year != year:
                continue
            for entry in entries:
                owners = [entry["owner"]] if entry.get("owner") else named["departments"]
                rows.append(
                    {
                        "list": named["id"],
                        "list_name": named["name"],
                        "plan": named["plan"],
                        "kind": named["kind"],
                        "indicator": named.get("indicator"),
                        "departments": "、".join(named["departments"]),
                        "year": item_year,
                        "item_id": entry.get("id"),
                        "item": entry["name"],
                        "credit_code": entry.get("credit_code"),
                        "owner": "、".join(owners),
                        "item_target": entry.get("target"),
                        "stage": entry.get("stage"),
                        "due_month": entry.get("due_month") or named.get("due_month"),
                    }
                )
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)
