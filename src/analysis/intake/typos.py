"""A statistics row whose credit code fails its check, joined to its firm by exact name.

A typed code (the letter O for a zero, a wrong check character) on one period's
statistics row would make the firm two firms: the row under the wrong code, the firm's
other periods and its tax row under the right one; the tier page would then say the firm
left its tier. A code that fails the GB 32100 check is known to be wrong, so such a row
takes the one valid code that the statistics (any period) or the tax bureau give the
same normalised name, and the match is listed with the other name matches. Nothing is
joined when the name carries no valid code or several, or when the firm already has a
row of that period under the valid code: the row then stays as it is, flagged.
"""

import pandas as pd

from analysis.intake.codes import credit_code_problems

MATCH_COLUMNS = ["kind", "file", "row", "name", "code_in_file", "matched_code"]


def valid_codes_by_name(frames: list[pd.DataFrame], normalize) -> pd.Series:
    """Normalised name → its one valid credit code, over rows whose code passes the check;
    names with several valid codes are left out (a name shared by two firms)."""
    pairs = pd.concat(
        [
            pd.DataFrame({"norm": f["name"].map(normalize), "code": f["credit_code"].astype(str)})[
                credit_code_problems(f["credit_code"].astype(object)).isna().to_numpy()
            ]
            for f in frames
            if not f.empty and {"name", "credit_code"} <= set(f)
        ]
        or [pd.DataFrame(columns=["norm", "code"])],
        ignore_index=True,
    ).drop_duplicates()
    pairs = pairs[pairs["norm"] != ""]
    single = pairs.groupby("norm")["code"].transform("size") == 1
    return pairs[single].set_index("norm")["code"]


def rekey(indicators: pd.DataFrame, tax: pd.DataFrame, normalize):
    """The statistics with each row of a failing code moved to its firm's valid code, and
    the matches made (MATCH_COLUMNS)."""
    flagged = indicators["code_problem"].notna() & ~indicators["credit_code"].isna()
    if not flagged.any():
        return indicators, []
    known = valid_codes_by_name([indicators, tax], normalize)
    rows = indicators[flagged]
    target = rows["name"].map(normalize).map(known)
    taken = set(
        zip(
            indicators.loc[~flagged, "credit_code"].astype(str),
            indicators.loc[~flagged, "year"],
            indicators.loc[~flagged, "month"],
            strict=True,
        )
    )
    alone = rows.groupby([target, rows["year"], rows["month"]], dropna=False)["name"].transform(
        "size"
    )
    free = [
        pd.notna(code) and (code, y, m) not in taken
        for code, y, m in zip(target, rows["year"], rows["month"], strict=True)
    ]
    joined = rows.index[target.notna().to_numpy() & (alone == 1).to_numpy() & free]
    if joined.empty:
        return indicators, []
    matches = pd.DataFrame(
        {
            "kind": "indicators",
            "file": indicators.loc[joined, "source_file"].astype(str).to_numpy(),
            "row": indicators.loc[joined, "source_row"].to_numpy(),
            "name": indicators.loc[joined, "name"].to_numpy(),
            "code_in_file": indicators.loc[joined, "credit_code"].astype(str).to_numpy(),
            "matched_code": target[joined].to_numpy(),
        }
    )
    indicators = indicators.copy()
    problems = zip(indicators.loc[joined, "code_problem"], target[joined], strict=True)
    indicators.loc[joined, "code_problem"] = [
        f"{problem}；已按企业名称对应到 {code} / joined by name to {code}"
        for problem, code in problems
    ]
    indicators.loc[joined, "credit_code"] = target[joined].to_numpy()
    return indicators, matches.to_dict("records")
