"""Repeated rows: what counts as one object in one period, and what to do with repeats.

Bureaus resend rows: the same firm twice in a sheet, or again in a 补报 file. Exact repeats
count once (and are reported); rows of one key that disagree are all quarantined, since
the suite cannot tell which is right. Keys are compared by sorting in Arrow, which is many
times faster than hashing text keys for the few hundred thousand rows of a large sheet.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PERIOD = ["year", "month"]
KEY = ["credit_code"] + PERIOD
SOURCE = ["source_file", "source_sheet", "source_row"]
DUPLICATE_KEYS = {
    "indicators": KEY,
    "tax": KEY,
    "projects": ["project_id", "project_name"] + PERIOD,
    "platforms": ["credit_code", "platform_kind", "title"] + PERIOD,
    "financing": ["credit_code", "event", "event_date"] + PERIOD,
    "returns": ["department", "indicator"] + PERIOD,
}


def _varying(frame: pd.DataFrame, keys: list[str]) -> list[str]:
    """The keys that vary across the frame: a column holding one value throughout (the
    period of a single-period sheet) tells no rows apart."""
    first = frame.iloc[0]
    varying = [k for k in keys if not (frame[k] == first[k]).all()]
    return varying or keys[:1]


def _order(frame: pd.DataFrame, keys: list[str]) -> tuple[pa.Table, np.ndarray]:
    """The key columns and the stable order that sorts them (missing values last)."""
    table = pa.Table.from_pandas(frame[keys], preserve_index=False)
    order = pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys])
    return table, order.to_numpy()


def sorted_by(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The frame in the order of its keys, renumbered from 0."""
    if frame.empty:
        return frame.reset_index(drop=True)
    _, order = _order(frame, _varying(frame, keys))
    return frame.iloc[order].reset_index(drop=True)


def repeated(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Whether another row shares each row's keys (missing equal to missing), as pandas'
    duplicated(keep=False) says, found from the sorted keys."""
    keys = _varying(frame, keys)
    table, order = _order(frame, keys)
    same = np.ones(len(frame) - 1, dtype=bool)
    for key in keys:
        column = table.column(key).take(order)
        after, before = column.slice(1), column.slice(0, len(column) - 1)
        equal = pc.equal(after, before).fill_null(False).to_numpy(zero_copy_only=False)
        both_missing = pc.and_(pc.is_null(after), pc.is_null(before))
        same &= equal | both_missing.to_numpy(zero_copy_only=False)
    in_order = np.zeros(len(frame), dtype=bool)
    in_order[1:] |= same
    in_order[:-1] |= same
    found = np.empty(len(frame), dtype=bool)
    found[order] = in_order
    return found


def resolve_duplicates(records: pd.DataFrame, kind: str):
    """Exact repeats of one key count once; rows of one key that disagree are all
    quarantined. Returns kept rows, quarantine entries and the files of merged repeats."""
    keys = [k for k in DUPLICATE_KEYS[kind] if k in records]
    values = [c for c in records.columns if c not in keys + SOURCE + ["kind"]]
    if records.empty or not (shared := repeated(records, keys)).any():
        return records, [], pd.Series(dtype=str)
    candidates = records[shared]
    versions = candidates.drop_duplicates(keys + values).groupby(keys, dropna=False).size()
    conflicting = versions[versions > 1].index
    conflict = pd.MultiIndex.from_frame(candidates[keys]).isin(conflicting)
    entries = [
        dict(
            file=r.source_file,
            sheet=r.source_sheet,
            row=r.source_row,
            credit_code=getattr(r, "credit_code", None),
            name=getattr(r, "name", None),
            column="",
            value=" / ".join(str(getattr(r, k)) for k in keys),
            reason_zh="同一对象同一期存在数值不同的重复行",
            reason_en="conflicting duplicate rows for one key and period",
        )
        for r in candidates[conflict].itertuples()
    ]
    agreeing = candidates[~conflict]
    repeat = agreeing.duplicated(keys, keep="first")
    dropped = candidates.index[conflict].union(agreeing.index[repeat])
    return records.drop(index=dropped), entries, agreeing.loc[repeat, "source_file"]
