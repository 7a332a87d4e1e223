"""The panel: statistics and tax joined on code and period (the codes joined as integers
ranked like their text), one row per firm and period, in the order of the codes."""

import gc
import weakref

import numpy as np
import pandas as pd

from analysis import params
from analysis.config import PARAMS_DIR, RAW_DIR
from analysis.intake.ingest import VALUE_COLUMNS, _panel, _records_by_kind, read_source
from analysis.intake.reading import Aliases


def _labels(value: str, count: int) -> pd.Categorical:
    return pd.Categorical([value] * count)


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Statistics of four firms (one twice, one without a code) and tax rows of three."""
    indicators = pd.DataFrame(
        {
            "credit_code": pd.array(["B", None, "A", "C", "A"], dtype="str"),
            "year": 2026,
            "month": [3, 3, 3, 3, 6],
            "name": pd.array(["乙", None, "甲", "丙", "甲"], dtype="str"),
            "industry": pd.array(["海洋工业", "", None, "新兴产业", "海洋工业"], dtype="str"),
            **{c: [1.0, 2.0, 3.0, np.nan, 5.0] for c in VALUE_COLUMNS},
            "code_problem": np.nan,
            "source_file": _labels("统计.xlsx", 5),
            "source_sheet": _labels("规上工业", 5),
            "source_row": [5, 6, 7, 8, 9],
        }
    )
    tax = pd.DataFrame(
        {
            "credit_code": pd.array([None, "A", "D"], dtype="str"),
            "name": pd.array(["无码", "甲", "丁"], dtype="str"),
            "year": 2026,
            "month": 3,
            "tax": [10.0, 20.0, 30.0],
            "tax_prev": np.nan,
            "code_problem": ["缺少代码", None, None],
            "source_file": _labels("税务.xlsx", 3),
            "source_sheet": _labels("入库税收", 3),
            "source_row": [1, 2, 3],
        }
    )
    return indicators, tax


def test_statistics_and_tax_join_on_code_and_period_missing_codes_last():
    indicators, tax = _tables()
    panel = _panel([indicators, tax])
    assert panel["credit_code"].tolist()[:5] == ["A", "A", "B", "C", "D"]
    assert panel["credit_code"].isna().tolist() == [False] * 5 + [True]
    assert panel["month"].tolist() == [3, 6, 3, 3, 3, 3]
    # tax is the tax bureau's figure, joined by code and month; rows without a code on
    # either side join each other, as pandas joins missing keys
    assert panel["tax"].fillna(-1).tolist() == [20.0, -1, -1, -1, 30.0, 10.0]
    both, stats, tax_only = "统计+税务", "仅统计", "仅税务"
    assert panel["sources"].tolist() == [both, stats, stats, stats, tax_only, both]
    assert panel["name"].tolist()[4:] == ["丁", "无码"]
    assert panel["source_row"].isna().tolist() == [False] * 4 + [True, False]
    assert panel["credit_code"].dtype == indicators["credit_code"].dtype


def test_the_panel_lets_go_of_the_tables_it_merged():
    """A province's statistics and tax tables are its largest (8M rows): the panel takes
    them out of the caller's list, so that they are freed once merged, not held beside
    the panel until the intake ends."""
    merged = list(_tables())
    gone = [weakref.ref(t) for t in merged]
    panel = _panel(merged)
    gc.collect()
    assert merged == []
    assert [ref() for ref in gone] == [None, None]
    assert len(panel) == 6


def test_each_files_records_are_let_go_once_joined_by_kind():
    """The files' records (10.7M rows in a province's 20 months) are held once: each
    file's table is let go once joined into its kind's, and its Parsed keeps none."""
    aliases = Aliases(params.columns(PARAMS_DIR))
    paths = (
        sorted((RAW_DIR / "统计局").glob("*.xlsx"))[:2]
        + sorted((RAW_DIR / "税务局").glob("*.xlsx"))[:1]
    )
    parsed = [read_source(path, aliases, 5e6) for path in paths]
    rows = {kind: 0 for kind in ("indicators", "tax")}
    for p in parsed:
        rows[p.records["kind"].iat[0]] += len(p.records)
    gone = [weakref.ref(p.records) for p in parsed]
    kinds = _records_by_kind(parsed)
    gc.collect()
    assert min(rows.values()) > 0
    assert {kind: len(table) for kind, table in kinds.items()} == rows
    assert all(p.records.empty for p in parsed)
    assert [ref() for ref in gone] == [None] * len(paths)
