"""Unified social credit codes (统一社会信用代码, GB 32100-2015): normalising and checking."""

import unicodedata

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_WEIGHTS_16 = np.array(_WEIGHTS, dtype=np.uint16)
_OUTSIDE = 255  # a byte that is no character of the alphabet
_LOOKUP = np.full(256, _OUTSIDE, dtype=np.uint8)
_LOOKUP[[ord(c) for c in ALPHABET]] = range(len(ALPHABET))

ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def normalize_credit_code(raw) -> str:
    """Trim, fold full-width characters to half-width and upper-case: how codes are compared."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(text.split()).upper()


def normalize_credit_codes(text: pa.Array) -> pa.Array:
    """normalize_credit_code for a whole column of text at once; missing cells become ''.
    Columns of plain ASCII codes (the usual case) skip the Unicode folding they don't need."""
    if pc.all(pc.string_is_ascii(text)).as_py() is not False:
        folded = pc.ascii_upper(text)
    else:
        folded = pc.utf8_upper(pc.utf8_normalize(text, "NFKC"))
    if pc.any(pc.match_substring_regex(folded, r"\s")).as_py():
        folded = pc.replace_substring_regex(folded, r"\s+", "")
    return folded.fill_null("")


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
    """credit_code_problem for a whole column: the check character computed at once for
    18-byte codes, the reason worded one by one only for the few that fail."""
    text = pa.array(codes, type=pa.string(), from_pandas=True)
    eighteen = pc.equal(pc.binary_length(text), 18).fill_null(False)
    passes = np.zeros(len(codes), dtype=bool)
    if pc.any(eighteen).as_py():
        # 18 bytes each: the filtered array's data buffer is an (n, 18) grid of characters
        chars = pc.filter(text, eighteen).cast(pa.binary())
        start = int(np.frombuffer(chars.buffers()[1], dtype=np.int32)[chars.offset])
        data = np.frombuffer(
            chars.buffers()[2], dtype=np.uint8, count=18 * len(chars), offset=start
        )
        values = _LOOKUP[data].reshape(-1, 18)
        total = values[:, :17] @ _WEIGHTS_16  # at most 17 × 30 × 30: fits in 16 bits
        right = (values != _OUTSIDE).all(axis=1) & ((31 - total % 31) % 31 == values[:, 17])
        passes[np.flatnonzero(eighteen.to_numpy(zero_copy_only=False))] = right
    problems = np.full(len(codes), None, dtype=object)
    failing = np.flatnonzero(~passes)
    problems[failing] = [credit_code_problem("" if pd.isna(c) else c) for c in codes.iloc[failing]]
    return pd.Series(problems, index=codes.index)
