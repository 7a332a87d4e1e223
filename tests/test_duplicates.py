import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from analysis.intake.duplicates import key_codes, repeated, resolve_duplicates, sorted_by

keys = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "C", None]),
        st.sampled_from([2025, 2026]),
        st.sampled_from([3, 9]),
    ),
    min_size=1,
    max_size=40,
)


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "credit_code": pd.Series([r[0] for r in rows], dtype="str"),
            "year": [r[1] for r in rows],
            "month": [r[2] for r in rows],
        }
    )


@given(keys)
def test_repeated_keys_agree_with_pandas(rows):
    records = frame(rows)
    expected = records.duplicated(["credit_code", "year", "month"], keep=False)
    assert repeated(records, ["credit_code", "year", "month"]).tolist() == expected.tolist()


@given(keys)
def test_sorting_agrees_with_pandas(rows):
    records = frame(rows).assign(row=range(len(rows)))
    expected = records.sort_values(["credit_code", "year", "month"], kind="stable")
    assert sorted_by(records, ["credit_code", "year", "month"])["row"].tolist() == (
        expected["row"].tolist()
    )


@given(keys)
def test_a_frame_in_order_already_comes_back_the_same_and_renumbered(rows):
    records = frame(rows).sort_values(["credit_code", "year", "month"], kind="stable")
    records = records.assign(row=range(len(rows))).set_axis(range(10, 10 + len(rows)))
    result = sorted_by(records, ["credit_code", "year", "month"])
    pd.testing.assert_frame_equal(result, records.reset_index(drop=True))


def test_exact_repeats_merge_and_disagreeing_rows_are_all_quarantined():
    records = pd.DataFrame(
        {
            "credit_code": ["A", "A", "B", "B", "C"],
            "year": 2026,
            "month": 9,
            "revenue": [1.0, 1.0, 2.0, 3.0, 4.0],
            "source_file": ["f1", "f2", "f1", "f1", "f1"],
            "source_sheet": "s",
            "source_row": [4, 4, 5, 6, 7],
            "kind": "indicators",
        }
    )
    kept, entries, merged_from, _ = resolve_duplicates(records, "indicators")
    assert kept["credit_code"].tolist() == ["A", "C"]
    assert kept["source_file"].tolist() == ["f1", "f1"]  # the first of the repeats stays
    assert sorted((e["row"], e["value"]) for e in entries) == [
        (5, "B / 2026 / 9"),
        (6, "B / 2026 / 9"),
    ]
    assert merged_from.tolist() == ["f2"]


def test_key_codes_tell_rows_apart_as_pandas_duplicated_does():
    """Text (Arrow, in chunks, with missing), figures with NaN, categories and integers:
    rows share a code exactly where pandas' duplicated finds them equal."""
    rng = np.random.default_rng(7)
    n = 4000
    names = pd.array([None, "甲", "乙", "丙", ""], dtype="str")
    frame = pd.DataFrame(
        {
            "text": pd.concat(
                [pd.Series(names.take(rng.integers(0, 5, n // 2))) for _ in range(2)],
                ignore_index=True,
            ),
            "figure": rng.choice([1.5, np.nan, 2.0], size=n),
            "label": pd.Categorical(rng.choice(["a", "b", None], size=n), categories=list("cab")),
            "year": rng.integers(2025, 2027, size=n),
        }
    )
    codes = pd.Series(key_codes(frame, list(frame)))
    for keep in ("first", False):
        assert (codes.duplicated(keep=keep) == frame.duplicated(keep=keep)).all()
    assert codes.nunique() == len(frame.drop_duplicates())
