"""Unified social credit codes (统一社会信用代码, GB 32100-2015): normalising and checking."""

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]

ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def normalize_credit_code(raw) -> str:
    """Trim, fold full-width characters to half-width and upper-case: how codes are compared."""
    if raw is None:
        return ""
    text = unicodedata.normalize("NFKC", str(raw))
    return "".join(text.split()).upper()


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
