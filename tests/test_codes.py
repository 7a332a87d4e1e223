import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from analysis.intake.codes import (
    ALPHABET,
    check_char,
    credit_code_problem,
    credit_code_problems,
    is_valid_credit_code,
    normalize_credit_code,
    normalize_credit_codes,
    org_code_check_char,
)

VALID = "91350100M000100Y43"  # the example GB 32100-2015 gives
# GB 32100 written out here, not taken from analysis.intake.codes: the 31 characters of the
# alphabet (no I, O, S, V, Z), weights 3**i mod 31, check value 31 - (sum mod 31), 31 -> 0.
GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Codes whose check character was worked out by hand:
#   91110000100000000: 9·1 + 1·3 + 1·9 + 1·27 + 1·20 = 68; 68 mod 31 = 6; 31 - 6 = 25 -> R
#   12100000400000000: 1·1 + 2·3 + 1·9 + 4·20 = 96; 96 mod 31 = 3; 31 - 3 = 28 -> W
#   91350100M000100Y4 (M = 21, Y = 30): 9·1 + 1·3 + 3·9 + 5·27 + 1·26 + 21·20 + 1·8
#     + 30·30 + 4·28 = 1640; 1640 mod 31 = 28; 31 - 28 = 3 -> 3, the standard's example
#   91371082000000002: 9 + 1·3 + 3·9 + 7·27 + 1·19 + 8·16 + 2·17 + 2·28 = 465 = 15·31;
#     31 - 0 = 31, which stands for 0
#   91371182000000000: 9 + 1·3 + 3·9 + 7·27 + 1·19 + 1·26 + 8·16 + 2·17 = 435; 435 mod 31
#     = 1; 31 - 1 = 30 -> Y, the last letter of the alphabet
HAND_CHECKED = (
    VALID,
    "91110000100000000R",
    "12100000400000000W",
    "913710820000000020",
    "91371182000000000Y",
)


def gb32100_check(body: str) -> str:
    total = sum(GB32100_ALPHABET.index(c) * w for c, w in zip(body, GB32100_WEIGHTS, strict=True))
    return GB32100_ALPHABET[(31 - total % 31) % 31]


def test_the_standards_example_passes():
    assert is_valid_credit_code(VALID)
    assert check_char(VALID[:17]) == "3"


def test_hand_checked_codes_pass_and_every_other_last_character_fails():
    for code in HAND_CHECKED:
        assert check_char(code[:17]) == code[17] == gb32100_check(code[:17]), code
        assert is_valid_credit_code(code)
        wrong = [code[:17] + c for c in GB32100_ALPHABET if c != code[17]]
        assert not [w for w in wrong if is_valid_credit_code(w)], code


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
    assert is_valid_credit_code(body + gb32100_check(body))


@given(st.text(alphabet=ALPHABET, min_size=17, max_size=17), st.sampled_from(ALPHABET))
def test_any_other_last_character_fails(body, last):
    assert is_valid_credit_code(body + last) is (last == gb32100_check(body))


code_like = st.one_of(
    st.text(alphabet=ALPHABET + "abcxyz ０１９ＡＭ\u3000", max_size=20),
    st.text(alphabet="海阳市ABC0123", min_size=6, max_size=18),  # 18 bytes, not 18 characters
    st.text(alphabet=ALPHABET, min_size=17, max_size=17).map(lambda b: b + gb32100_check(b)),
)


@given(st.lists(code_like, max_size=30))
def test_column_functions_agree_with_the_cell_functions(cells):
    normalized = normalize_credit_codes(pa.array(cells, pa.string())).to_pylist()
    assert normalized == [normalize_credit_code(c) for c in cells]
    problems = credit_code_problems(pd.Series(normalized, dtype="str"))
    assert [None if pd.isna(p) else p for p in problems] == [
        credit_code_problem(c) for c in normalized
    ]
