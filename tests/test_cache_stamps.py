"""The intake remembers its files' checksums with their stamps (size, mtime, ctime, inode,
device): an unchanged province is not hashed again, a changed file always is, and no cache
entry holds other bytes than the checksum it is stored under."""

import hashlib
import json
import os
from pathlib import Path

import openpyxl
import pyarrow.feather as feather
import pytest

import analysis.intake.ingest as intake_module
from analysis.intake import cache, stamps
from analysis.intake.ingest import ingest

from .conftest import CODE_A, STATS_HEADER, STATS_MERGES, write_sheet

STAMP = 1_767_225_600_123_456_789  # 2026-01-01, in ns: both versions carry this mtime


def _stats(path: Path, revenue: int) -> Path:
    """A statistics table in the bureau's layout, written by openpyxl, one firm."""
    rows = [
        ["2026年1-9月全市规模以上工业企业主要经济指标"],
        ["填报单位：海阳市统计局", None, None, None, None, "单位：万元"],
        *STATS_HEADER,
        [1, CODE_A, "企业0有限公司", "海洋工业", revenue, 4000, 100, 90],
    ]
    write_sheet(path, rows, STATS_MERGES, sheet="规上工业")
    os.utime(path, ns=(STAMP, STAMP))
    return path


def _revenue_in_file(path: Path) -> float:
    """The firm's revenue as openpyxl reads the sheet, in yuan (the sheet is in 万元)."""
    sheet = openpyxl.load_workbook(path, read_only=True).active
    return next(sheet.iter_rows(min_row=5, max_row=5, values_only=True))[4] * 10_000


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _entries(cache_dir: Path, path: Path) -> list[Path]:
    return sorted(cache_dir.glob(f"{_sha256(path)[:32]}-*"))


@pytest.fixture
def counted(monkeypatch):
    """Files hashed and files parsed, in this process (no reading process)."""
    seen = {"hashed": [], "parsed": []}
    hash_file, read_source = stamps.sha256, intake_module.read_source

    def hashed(path):
        seen["hashed"].append(Path(path).name)
        return hash_file(path)

    def parsed(path, *args):
        seen["parsed"].append(Path(path).name)
        return read_source(path, *args)

    monkeypatch.setattr(stamps, "sha256", hashed)
    monkeypatch.setattr(intake_module, "read_source", parsed)
    monkeypatch.setattr(intake_module, "_readers", lambda paths, alongside: 0)
    return seen


def test_an_unchanged_file_is_neither_hashed_nor_parsed_again(tmp_path, counted, monkeypatch):
    monkeypatch.setattr(stamps, "RACY_NS", 0)  # written just now, yet remembered
    raw, cache_dir = tmp_path / "raw", tmp_path / "cache"
    path = _stats(raw / "统计局" / "2026年1-9月规上工业.xlsx", 5000)
    ingest(raw, cache_dir=cache_dir)
    memo = json.loads((cache_dir / cache.MEMO).read_text())
    assert memo[str(path.absolute())][-1] == _sha256(path)
    counted["hashed"].clear(), counted["parsed"].clear()
    again = ingest(raw, cache_dir=cache_dir)
    assert counted == {"hashed": [], "parsed": []}
    assert list(again.reading["action"]) == ["取自缓存"]
    assert again.panel["revenue"].tolist() == [_revenue_in_file(path)]


def test_a_file_rewritten_in_the_same_second_is_hashed_and_parsed_again(
    tmp_path, counted, monkeypatch
):
    monkeypatch.setattr(stamps, "RACY_NS", 0)
    raw, cache_dir = tmp_path / "raw", tmp_path / "cache"
    path = _stats(raw / "统计局" / "2026年1-9月规上工业.xlsx", 5000)
    old = _sha256(path)
    ingest(raw, cache_dir=cache_dir)
    before = path.stat()
    _stats(path, 6000)  # in place, the same mtime to the nanosecond
    after = path.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)
    assert _sha256(path) != old
    counted["hashed"].clear(), counted["parsed"].clear()
    intake = ingest(raw, cache_dir=cache_dir)
    assert counted == {"hashed": [path.name], "parsed": [path.name]}
    assert intake.panel["revenue"].tolist() == [_revenue_in_file(path)] == [6000 * 10_000]
    (entry,) = _entries(cache_dir, path)  # stored under the new bytes' checksum
    records = feather.read_table(entry / "records.arrow").to_pandas()
    assert records["revenue"].tolist() == [6000 * 10_000]
    memo = json.loads((cache_dir / cache.MEMO).read_text())
    assert memo[str(path.absolute())][-1] == _sha256(path)


def test_a_file_changed_less_than_two_seconds_before_it_was_hashed_is_not_remembered(
    tmp_path, counted
):
    raw, cache_dir = tmp_path / "raw", tmp_path / "cache"
    path = _stats(raw / "统计局" / "2026年1-9月规上工业.xlsx", 5000)  # ctime: now
    ingest(raw, cache_dir=cache_dir)
    assert str(path.absolute()) not in stamps.memo_of(cache_dir / cache.MEMO)
    assert _entries(cache_dir, path)  # its entry is stored all the same
    counted["hashed"].clear()
    ingest(raw, cache_dir=cache_dir)
    assert counted["hashed"] == [path.name]


def test_a_file_changed_while_it_is_read_leaves_no_entry_under_its_old_checksum(
    tmp_path, counted, monkeypatch
):
    raw, cache_dir = tmp_path / "raw", tmp_path / "cache"
    path = _stats(raw / "统计局" / "2026年1-9月规上工业.xlsx", 5000)
    old = _sha256(path)
    read_source = intake_module.read_source

    def rewritten_first(where, *args):  # the bureau saves again after the file was hashed
        _stats(path, 6000)
        return read_source(where, *args)

    monkeypatch.setattr(intake_module, "read_source", rewritten_first)
    ingest(raw, cache_dir=cache_dir)
    assert not list(cache_dir.glob(f"{old[:32]}-*"))
    monkeypatch.setattr(intake_module, "read_source", read_source)
    counted["parsed"].clear()
    intake = ingest(raw, cache_dir=cache_dir)
    assert counted["parsed"] == [path.name]
    assert intake.panel["revenue"].tolist() == [_revenue_in_file(path)]
    assert _entries(cache_dir, path)
