"""Versions of one return: which file stands when a source sends a period's table again.

A bureau sends a period's table first as 快报, then corrected (修订/更正/修正, sometimes
第二次修订) and finally 正式; the later version replaces the earlier one as a whole. Two
files of one source (kind of table, and department for department returns) and one period
are versions of one return, settled in this order:

1. a marker in the file's name (or folder) or in the sheet's title: 正式 over
   修订/更正/修正 (第N次 over an earlier N) over 快报/初步/unmarked;
2. else the report date in the sheet (报送日期, 填报日期, 报出日期, or a dated sign-off line);
3. else the run is refused, naming the files and how to settle it.

File modification times are no rule: copying a folder changes them. Files marked 补报 add
firms to a return rather than replace it, and are never versions. Identical files (same
checksum) are one version.
"""

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analysis.errors import InputFileError
from analysis.intake.duplicates import DUPLICATE_KEYS, PERIOD, SOURCE, key_codes

SUPERSEDED_FOLDER = "superseded"
SUPERSEDED_PARAMS = "superseded.yaml"
SUPPLEMENT = "补报"
FINAL, CORRECTED = ("正式",), ("修订", "更正", "修正")
# each department's return is a source of its own
SOURCE_KEYS = {"returns": ["department"], "progress": ["department"]}
VERSION_COLUMNS = ["kind", "year", "month", "file", "status", "rule", "standing_file"]
CHANGE_COLUMNS = [
    "kind",
    "year",
    "month",
    "key",
    "name",
    "change",
    "field",
    "old",
    "new",
    "old_file",
    "new_file",
]
STOOD, SUPERSEDED, COPY = "采用", "被替代", "相同文件，只读一次"
CHANGED, ADDED, MISSING = "数值修改", "修订版新增", "修订版未列"
_NUMERALS = dict(zip("一二三四五六七八九十", range(1, 11), strict=True))
_NTH = re.compile(r"第\s*([0-9一二三四五六七八九十]+)\s*次\s*(?:修订|更正|修正)")
_DATE = r"(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})"
_LABELLED_DATE = re.compile(r"(?:报送|填报|报出|报表|制表)日期\s*[:：]?\s*" + _DATE)
_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@dataclass(frozen=True)
class Version:
    """What a file says about its own version: its path shown to the user (relative to
    the raw folder), the titles of its sheets, and the latest report date in it."""

    file: str
    label: str
    title: str = ""
    reported: date | None = None
    sha256: str = ""


def marker(text: str) -> tuple[int, int]:
    """The rank a name or title gives its version: (2, 0) 正式, (1, N) the N-th
    correction (修订 alone is the first), (0, 0) 快报, 初步 or no marker."""
    if any(word in text for word in FINAL):
        return 2, 0
    nth = _NTH.search(text)
    if nth:
        n = nth.group(1)
        return 1, int(n) if n.isdigit() else _NUMERALS.get(n, 1)
    return (1, 1) if any(word in text for word in CORRECTED) else (0, 0)


def marker_word(rank: tuple[int, int]) -> str:
    return {(2, 0): "正式", (0, 0): "快报/无标记"}.get(
        rank, "修订" if rank == (1, 1) else f"第{rank[1]}次修订"
    )


def is_supplement(text: str) -> bool:
    """A 补报 file adds late firms to a return; it does not replace it."""
    return SUPPLEMENT in text


def report_date(texts: list[str]) -> date | None:
    """The latest report date in a sheet's title and sign-off lines: a labelled date
    (报送日期：2026年10月15日) on any of them, or a full date on a sign-off line."""
    found = []
    for text in texts:
        for match in [*_LABELLED_DATE.finditer(text), *_FULL_DATE.finditer(text)]:
            try:
                found.append(date(*(int(g) for g in match.groups())))
            except ValueError:  # 2026年13月 is no date
                continue
    return max(found, default=None)


def _names(versions: list[Version]) -> str:
    return "、".join(f"「{v.label}」" for v in versions)


def settle(versions: list[Version], what: str) -> list[tuple[Version, str, str]]:
    """Each version of one return with its status (采用 / 被替代) and the rule that decided;
    refused (InputFileError) when neither marker nor report date decides."""
    ranks = {v.file: marker(f"{v.label} {v.title}") for v in versions}
    top = max(ranks.values())
    leaders = [v for v in versions if ranks[v.file] == top]
    if len(leaders) == 1:
        winner, rule = leaders[0], f"标记：{marker_word(top)}"
    else:
        dates = [v.reported for v in leaders]
        latest = max((d for d in dates if d), default=None)
        if None in dates or dates.count(latest) > 1:
            same_day = None not in dates  # both dated, and on the same day
            raise InputFileError(
                leaders[0].label,
                f"与{_names(leaders[1:])}是同一报表（{what}）的不同版本，但文件名和标题中"
                "没有能区分先后的标记（修订、更正、正式等），"
                + (
                    f"表内报送日期相同（{latest:%Y-%m-%d}），"
                    if same_day
                    else "表内也没有可比较的报送日期，"
                )
                + f"无法确定以哪个为准。请把被替代的文件移入 {SUPERSEDED_FOLDER}/ 子目录，"
                f"或把它的文件名写入 params/{SUPERSEDED_PARAMS} / two versions of one return "
                + (
                    f"with no marker and the same report date ({latest:%Y-%m-%d}): "
                    if same_day
                    else "and no marker or report date decides which stands: "
                )
                + f"move the superseded file into a {SUPERSEDED_FOLDER}/ sub-folder or list it "
                f"in params/{SUPERSEDED_PARAMS}",
            )
        winner = leaders[dates.index(latest)]
        rule = f"报送日期：{latest:%Y-%m-%d}"
    return [(v, STOOD if v is winner else SUPERSEDED, rule) for v in versions]


def source_groups(records: pd.DataFrame) -> pd.DataFrame:
    """One row per source, period and file holding rows of it."""
    parts = []
    for kind, rows in _kinds(records):
        extra = [c for c in SOURCE_KEYS.get(kind, []) if c in rows]
        found = rows[extra + PERIOD + ["source_file"]]
        found = found[~pd.Series(key_codes(found, list(found))).duplicated().to_numpy()]
        parts.append(found.assign(kind=kind, source=found[extra].astype(str).agg("/".join, axis=1)))
    columns = ["kind", "source", "year", "month", "source_file"]
    if not parts:
        return pd.DataFrame(columns=columns)
    groups = pd.concat(parts, ignore_index=True)
    groups["source_file"] = groups["source_file"].astype(str)
    return groups[columns].reset_index(drop=True)


def _kinds(records: pd.DataFrame):
    """(kind, its rows) as groupby("kind") gives them, but a frame of one kind (as the
    intake settles them, kind by kind) is not copied."""
    kinds = records["kind"]
    if len(kinds) and (kinds == kinds.iloc[0]).all():
        return [(kinds.iloc[0], records)]
    return records.groupby("kind", observed=True)


def principal_key(kind: str) -> list[str]:
    """What one object of a source is, period aside: a firm's code, a project, …"""
    return [k for k in DUPLICATE_KEYS[kind] if k not in PERIOD]


def changes(old: pd.DataFrame, new: pd.DataFrame, kind: str) -> pd.DataFrame:
    """What a revision changed: every figure that differs (old → new), every object the
    revision adds and every one it no longer lists."""
    keys = [k for k in principal_key(kind) if k in old or k in new]
    figures = [
        c
        for c in old.columns.intersection(new.columns)
        if c not in keys + PERIOD + SOURCE and pd.api.types.is_float_dtype(old[c])
    ]
    before = old.drop_duplicates(keys).set_index(keys)
    after = new.drop_duplicates(keys).set_index(keys)
    common = before.index.intersection(after.index)
    was, now = before.loc[common, figures], after.loc[common, figures]
    differs = (was.isna() != now.isna()) | ((was - now).abs() > 0.005)  # half a fen
    where = np.nonzero(differs.to_numpy())
    changed = pd.DataFrame(
        {
            "key": common[where[0]],
            "name": after.loc[common, "name"].to_numpy()[where[0]] if "name" in after else "",
            "change": CHANGED,
            "field": np.array(figures, dtype=object)[where[1]],
            "old": was.to_numpy()[where],
            "new": now.to_numpy()[where],
        }
    )
    added, missing = after.index.difference(before.index), before.index.difference(after.index)
    listed = [
        pd.DataFrame(
            {
                "key": keys_of,
                "name": frame.loc[keys_of, "name"].to_numpy() if "name" in frame else "",
                "change": change,
                "field": "",
            }
        )
        for keys_of, frame, change in ((added, after, ADDED), (missing, before, MISSING))
    ]
    table = pd.concat([changed, *listed], ignore_index=True)
    table["key"] = [
        " / ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in table["key"]
    ]
    return table.reindex(columns=CHANGE_COLUMNS[3:9])


def _source_rows(records: pd.DataFrame, group: pd.DataFrame) -> pd.Series:
    """Which records belong to one source and period."""
    kind, source, year, month = group.iloc[0][["kind", "source", "year", "month"]]
    mask = (records["kind"] == kind) & (records["year"] == year) & (records["month"] == month)
    extra = [c for c in SOURCE_KEYS.get(kind, []) if c in records]
    if extra:
        mask &= records[extra].astype(str).agg("/".join, axis=1) == source
    return mask


def resolve(records: pd.DataFrame, describe, kind_names: dict[str, str]):
    """The records of the standing versions only; every version with its status and rule;
    and what each superseded version's successor changed. `describe(file)` gives a file's
    Version (its name, title, report date and checksum), read only for files in question."""
    groups = source_groups(records)
    shared = groups.groupby(["kind", "source", "year", "month"])["source_file"].transform("size")
    statuses, changed = [], []
    superseded = np.zeros(len(records), dtype=bool)
    for (kind, _, year, month), group in groups[shared > 1].groupby(
        ["kind", "source", "year", "month"]
    ):
        versions = [describe(f) for f in group["source_file"]]
        versions = [v for v in versions if not is_supplement(f"{v.label} {v.title}")]
        firsts = {v.sha256: v for v in reversed(versions)}  # identical files: the first
        copies = [v for v in versions if firsts[v.sha256] is not v]
        distinct = [v for v in versions if firsts[v.sha256] is v]
        if len(distinct) < 2 and not copies:
            continue
        what = f"{kind_names.get(kind, kind)}，{year}年1-{month}月"
        settled = settle(distinct, what) if len(distinct) > 1 else [(distinct[0], STOOD, "")]
        settled += [(v, COPY, f"与「{firsts[v.sha256].label}」内容相同") for v in copies]
        standing = next(v for v, status, _ in settled if status == STOOD)
        rows = _source_rows(records, group)
        new = records[rows & (records["source_file"].astype(str) == standing.file)]
        for version, status, rule in settled:
            statuses.append(
                dict(
                    kind=kind,
                    year=year,
                    month=month,
                    file=version.label,
                    status=status,
                    rule=rule,
                    standing_file=standing.label,
                )
            )
            if version is standing:
                continue
            old_rows = rows & (records["source_file"].astype(str) == version.file)
            superseded |= old_rows.to_numpy()
            if status == SUPERSEDED:
                found = changes(records[old_rows], new, kind)
                changed.append(
                    found.assign(
                        kind=kind,
                        year=year,
                        month=month,
                        old_file=version.label,
                        new_file=standing.label,
                    )
                )
    versions = pd.DataFrame(statuses, columns=VERSION_COLUMNS)
    if not superseded.any():  # the common case: no copy of a large table
        return records, records.iloc[:0], versions, pd.DataFrame(columns=CHANGE_COLUMNS)
    changed = [c for c in changed if not c.empty]
    revisions = (
        pd.concat(changed, ignore_index=True)[CHANGE_COLUMNS]
        if changed
        else pd.DataFrame(columns=CHANGE_COLUMNS)
    )
    return records[~superseded], records[superseded], versions, revisions
