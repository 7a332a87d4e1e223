"""Repeated rows: what counts as one object in one period, and what to do with repeats.

Bureaus resend rows: the same firm twice in a sheet, or again in a 补报 file. Exact repeats
count once (and are reported); so do rows that differ only in the name (a renamed firm,
listed). Tax rows of one taxpayer that differ (several tax offices) are summed when
thresholds.yaml says so (tax_rows_of_one_taxpayer: sum), and listed. Other rows of one key
that disagree are all quarantined, since the suite cannot tell which is right. Repeated keys
are found by hashing (pandas' duplicated, text hashed in Arrow), about three times faster
than sorting the keys for the million rows of a province's quarter.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PERIOD = ["year", "month"]
KEY = ["credit_code"] + PERIOD
SOURCE = ["source_file", "source_sheet", "source_row"]
CONFLICT_REASON = "同一对象同一期存在数值不同的重复行"
DUPLICATE_KEYS = {
    "indicators": KEY,
    "tax": KEY,
    "projects": ["project_id", "project_name"] + PERIOD,
    "platforms": ["credit_code", "platform_kind", "title"] + PERIOD,
    "financing": ["credit_code", "event", "event_date"] + PERIOD,
    "returns": ["department", "indicator"] + PERIOD,
    "goals": ["credit_code", "goal", "horizon"] + PERIOD,
    "progress": ["department", "item_list", "item_id", "credit_code", "done_date"] + PERIOD,
}
RENAMED, SUMMED, CONFLICT = "更名（数值相同，按一家计）", "多行税收相加", "数据冲突（已隔离）"
REPEAT_COLUMNS = ["kind", "key", "year", "month", "names", "outcome", "files", "rows"]


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
    """The frame in the order of its keys, renumbered from 0 (not copied if in order)."""
    if frame.empty:
        return frame.reset_index(drop=True)
    _, order = _order(frame, _varying(frame, keys))
    if np.array_equal(order, np.arange(len(order))):  # in order already (a merge's output)
        return frame.reset_index(drop=True)  # spares a copy of every column
    return frame.iloc[order].reset_index(drop=True)


def repeated(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Whether another row shares each row's keys (missing equal to missing): pandas'
    duplicated(keep=False) over the keys that vary, on key_codes."""
    return pd.Series(key_codes(frame, _varying(frame, keys))).duplicated(keep=False).to_numpy()


def key_codes(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One integer per row, equal where the rows' keys are (missing equal to missing), as
    pandas' duplicated compares them: each key's values numbered (text in Arrow, twice as
    fast as pandas' factorize of a province's codes; categories by their codes), the numbers
    combined, renumbered first when the product would pass 2**62."""
    combined, size = np.zeros(len(frame), dtype=np.int64), 1
    for key in keys:
        codes, count = _numbered(frame[key])
        if size * (count + 1) >= 2**62:
            combined, uniques = pd.factorize(combined)
            size = len(uniques)
        combined = combined * (count + 1) + codes + 1
        size *= count + 1
    return combined


def _numbered(column: pd.Series) -> tuple[np.ndarray, int]:
    """Each value's number (-1: missing) and how many numbers there are."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(dtype=np.int64), len(column.cat.categories)
    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        text = pa.array(column.array)
        chunks = pc.dictionary_encode(
            pa.chunked_array([text]) if isinstance(text, pa.Array) else text
        ).chunks
        if not chunks:
            return np.zeros(0, dtype=np.int64), 0
        codes = [c.indices.fill_null(-1).to_numpy().astype(np.int64) for c in chunks]
        return np.concatenate(codes), len(chunks[-1].dictionary)
    codes, uniques = pd.factorize(column)
    return codes.astype(np.int64), len(uniques)


def _report(kind: str, keys: list[str], rows: pd.DataFrame, outcome: str) -> dict:
    """One line of the repeats table: the key, the names it was given, where the rows are."""
    first = rows.iloc[0]
    names = rows["name"].dropna().astype(str).unique() if "name" in rows else []
    files = rows["source_file"].astype(str).map(lambda p: p.rsplit("/", 1)[-1]).unique()
    return dict(
        kind=kind,
        key=" / ".join(str(first[k]) for k in keys if k not in PERIOD),
        year=first.get("year"),
        month=first.get("month"),
        names="／".join(names),
        outcome=outcome,
        files="、".join(files),
        rows="、".join(str(r) for r in rows["source_row"]),
    )


def _conflict_entries(rows: pd.DataFrame, keys: list[str]) -> list[dict]:
    return [
        dict(
            file=r.source_file,
            sheet=r.source_sheet,
            row=r.source_row,
            credit_code=getattr(r, "credit_code", None),
            name=getattr(r, "name", None),
            column="",
            value=" / ".join(str(getattr(r, k)) for k in keys),
            reason_zh=CONFLICT_REASON,
            reason_en="conflicting duplicate rows for one key and period",
        )
        for r in rows.itertuples()
    ]


def resolve_duplicates(records: pd.DataFrame, kind: str, tax_rule: str = "conflict"):
    """Rows that share a key: exact repeats, and rows differing only in the name, count
    once; tax rows that differ are summed under the `sum` rule; otherwise rows of one key
    that disagree are all quarantined. Returns the kept rows, quarantine entries, the files
    of merged repeats and a table of every key found on several rows (but exact repeats)."""
    keys = [k for k in DUPLICATE_KEYS[kind] if k in records]
    values = [c for c in records.columns if c not in keys + SOURCE + ["kind"]]
    figures = [c for c in values if c != "name"]
    if records.empty or not (shared := repeated(records, keys)).any():
        return records, [], pd.Series(dtype=str), pd.DataFrame(columns=REPEAT_COLUMNS)
    candidates = records[shared]
    dropped, merged, entries, report, summed = [], [], [], [], {}
    summing = kind == "tax" and tax_rule == "sum"
    amounts = [c for c in figures if pd.api.types.is_float_dtype(records[c])]
    for _, rows in candidates.groupby(keys, dropna=False, sort=False):
        distinct = rows.drop_duplicates(values)
        if len(distinct) == 1 or len(distinct.drop_duplicates(figures)) == 1:
            dropped += list(rows.index[1:])
            merged += list(rows["source_file"].iloc[1:].astype(str))
            if len(distinct) > 1:
                report.append(_report(kind, keys, distinct, RENAMED))
        elif summing:  # an exact repeat among the rows is one row sent twice: added once
            summed[rows.index[0]] = distinct[amounts].sum(min_count=1)
            dropped += list(rows.index[1:])
            merged += list(rows["source_file"].drop(distinct.index).astype(str))
            report.append(_report(kind, keys, distinct, SUMMED))
        else:
            dropped += list(rows.index)
            entries += _conflict_entries(rows, keys)
            report.append(_report(kind, keys, rows, CONFLICT))
    kept = records.drop(index=dropped)
    if summed:
        kept = kept.copy()
        for index, totals in summed.items():
            kept.loc[index, amounts] = totals.to_numpy()
    return kept, entries, pd.Series(merged, dtype=str), pd.DataFrame(report, columns=REPEAT_COLUMNS)
