"""The statistics–tax join numbers every firm and period as a slot instead of merging:
its keys, positions and sources must be exactly pandas' outer merge's, and where a side
repeats a key it must leave the join to the merge."""

import numpy as np
import pandas as pd
import pytest

from analysis.intake.ingest import KEY, _dense_outer, _outer_merge


def _side(rng, n: int, codes: int) -> pd.DataFrame:
    """n distinct (code, year, month) keys over two years' months, shuffled."""
    slots = rng.choice(codes * 24, size=n, replace=False)
    return pd.DataFrame(
        {
            "credit_code": slots // 24,
            "year": 2025 + (slots % 24) // 12,
            "month": 1 + slots % 12,
            "revenue": rng.normal(size=n),
        }
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_slots_join_as_pandas_outer_merge_does(seed):
    rng = np.random.default_rng(seed)
    left, right = _side(rng, 3000, 500), _side(rng, 2000, 700)
    expected = (
        left[KEY]
        .assign(_left=np.arange(len(left)))
        .merge(
            right[KEY].assign(_right=np.arange(len(right))),
            on=KEY,
            how="outer",
            indicator="sources",
        )
    )
    expected[["_left", "_right"]] = expected[["_left", "_right"]].fillna(-1).astype(np.int64)
    found = _dense_outer(left[KEY], right[KEY])
    pd.testing.assert_frame_equal(found, expected)
    assert set(found["sources"]) == {"left_only", "right_only", "both"}


def test_a_key_on_two_rows_is_left_to_the_merge():
    left = pd.DataFrame({"credit_code": [0, 1], "year": [2026, 2026], "month": [9, 9]})
    right = pd.DataFrame({"credit_code": [1, 1], "year": [2026, 2026], "month": [9, 9]})
    assert _dense_outer(left, right) is None
    left["revenue"], right["tax"] = [1.0, 2.0], [3.0, 4.0]
    merged = _outer_merge([left, right])  # the firm's one row paired with both tax rows
    assert merged[KEY].values.tolist() == [[0, 2026, 9], [1, 2026, 9], [1, 2026, 9]]
    assert merged["revenue"].tolist() == [1.0, 2.0, 2.0]
    assert merged["tax"].isna().tolist() == [True, False, False]
    assert merged["tax"].iloc[1:].tolist() == [3.0, 4.0]
