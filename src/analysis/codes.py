"""Unified social credit codes (统一社会信用代码, GB 32100-2015): normalising and checking."""

import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_LOOKUP = np.zeros(256, dtype=np.int64)
_LOOKUP[[ord(c) for c in ALPHABET]] = range(len(ALPHABET))

ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def normalize_credit_code(raw) -> str:
    """Trim, fold full-width characters to half-width and upper-case: how codes are compared."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(text.split()).upper()


def normalize_credit_codes(cells: pd.Series) -> pd.Series:
    """normalize_credit_code for a whole column at once (in Arrow); missing cells become ''."""
    text = pa.array(cells.astype("str"), type=pa.string(), from_pandas=True)
    folded = pc.replace_substring_regex(pc.utf8_normalize(text, "NFKC"), r"\s+", "")
    return pd.Series(pc.utf8_upper(folded).fill_null(""), index=cells.index, dtype="str")


def check_char(first17: str) -> str:
    """The 18th character that GB 32100 derives from the first 17."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The 9th character of an organization code (GB 11714) from its first 8."""
    total = sum(ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def credit_code_problem(code: str) -> str | None:
    """Why a normalised code is not a valid credit code, or None when it is."""
    if not code:
        return "缺少统一社会信用代码 / missing credit code"
    if len(code) != 18:
        return f"长度为{len(code)}位，应为18位 / {len(code)} characters, expected 18"
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return f"含非法字符 {''.join(bad)} / characters outside the GB 32100 alphabet"
    if check_char(code[:17]) != code[17]:
        return (
            f"校验码错误，应为{check_char(code[:17])} / "
            f"check character should be {check_char(code[:17])}"
        )
    return None


def is_valid_credit_code(raw) -> bool:
    """True when the code, once normalised, passes the GB 32100 check."""
    return credit_code_problem(normalize_credit_code(raw)) is None


def credit_code_problems(codes: pd.Series) -> pd.Series:
    """credit_code_problem for a whole column: the check digit computed at once for
    well-formed codes, the reason worded one by one only for the few that fail."""
    text = pa.array(codes.astype("str"), type=pa.string(), from_pandas=True)
    shaped = pc.match_substring_regex(text, f"^[{ALPHABET}]{{18}}$").fill_null(False)
    shaped = shaped.to_numpy(zero_copy_only=False)
    codes = codes.astype(object)
    problems = pd.Series(None, index=codes.index, dtype=object)
    if shaped.any():
        raw = np.frombuffer("".join(codes[shaped]).encode("ascii"), dtype=np.uint8)
        values = _LOOKUP[raw.reshape(-1, 18)]
        expected = (31 - (values[:, :17] @ np.array(_WEIGHTS)) % 31) % 31
        passes = expected == values[:, 17]
        check = np.zeros(len(codes), dtype=bool)
        check[np.flatnonzero(shaped)[passes]] = True
    else:
        check = np.zeros(len(codes), dtype=bool)
    failing = codes[~check]
    problems[~check] = failing.map(lambda c: credit_code_problem("" if pd.isna(c) else c))
    return problems
