import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from analysis.codes import (
    ALPHABET,
    check_char,
    credit_code_problem,
    credit_code_problems,
    is_valid_credit_code,
    normalize_credit_code,
    normalize_credit_codes,
    org_code_check_char,
)

VALID = "91350100M000100Y43"


def test_the_standards_example_passes():
    assert is_valid_credit_code(VALID)
    assert check_char(VALID[:17]) == "3"


def test_a_wrong_check_character_is_reported_with_the_right_one():
    problem = credit_code_problem(VALID[:17] + "4")
    assert "应为3" in problem


def test_full_width_lower_case_and_spaces_are_normalised():
    messy = " ９１３５０１００ｍ０００１００ｙ４３ "
    assert normalize_credit_code(messy) == VALID
    assert is_valid_credit_code(messy)


def test_letters_outside_the_alphabet_are_named():
    assert "I" in credit_code_problem("91350100I000100Y43")


def test_wrong_length_and_missing():
    assert "17" in credit_code_problem(VALID[:17])
    assert "缺少" in credit_code_problem("")


def test_organization_code_check():
    # the organization code inside the standard's example: M000100Y-4
    assert org_code_check_char(VALID[8:16]) == VALID[16]


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17))
def test_every_code_with_its_check_character_passes(body):
    assert is_valid_credit_code(body + check_char(body))


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.sampled_from(ALPHABET))
def test_any_other_last_character_fails(body, last):
    if last != check_char(body):
        assert not is_valid_credit_code(body + last)


code_like = st.one_of(
    st.text(alphabet=ALPHABET + "abcxyz ０１９ＡＭ\u3000", max_size=20),
    st.text(alphabet="海阳市ABC0123", min_size=6, max_size=18),  # 18 bytes, not 18 characters
    st.text(alphabet=ALPHABET, min_size=17, max_size=17).map(lambda b: b + check_char(b)),
)


@given(st.lists(code_like, max_size=30))
def test_column_functions_agree_with_the_cell_functions(cells):
    normalized = normalize_credit_codes(pa.array(cells, pa.string())).to_pylist()
    assert normalized == [normalize_credit_code(c) for c in cells]
    problems = credit_code_problems(pd.Series(normalized, dtype="str"))
    assert [None if pd.isna(p) else p for p in problems] == [
        credit_code_problem(c) for c in normalized
    ]
