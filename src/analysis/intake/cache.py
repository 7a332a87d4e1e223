"""Parsed raw files cached as Arrow IPC files (uncompressed, read mapped), by checksum.

An unchanged workbook is never parsed twice. The key also covers params/columns.yaml and
the source of the reading code, so a new alias or a reader fix re-reads every file.
Cached files are loaded where the run is, while the reading processes parse the others; a
folder read before starts no process. Entries are written where each file is
parsed (in the reading processes) into a staging folder beside the cache, and moved into
it only once every file of the run was read, so a refused file leaves the cache as it was.
Checksums are remembered beside the entries with each file's stamp (stamps.py, the rule of
the run's manifest), so an unchanged province is not hashed again; an entry is staged only
when the file's stamp after its parse is the one taken before it was hashed, so no entry
holds other bytes than its checksum names.
"""

import functools
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from analysis.intake import stamps
from analysis.intake.records import constant

READER_MODULES = (
    "reading.py",
    "sheetxml.py",
    "records.py",
    "numbers.py",
    "codes.py",
    "validation.py",
    "ingest.py",
    "cache.py",
    "periods.py",
    "context.py",
    "dated.py",
    "sources.py",
    "signoff.py",
    "sheethead.py",
    "selection.py",
)
PARTS = ("records", "quarantine", "files", "sheets")
MEMO = "raw-stamps.json"  # the checksums of the files read, with their stamps


@dataclass
class Parsed:
    """One raw file's records, quarantine entries, per-sheet row accounting, and what
    became of each sheet (read, hidden, no table; hidden rows; columns chosen)."""

    records: pd.DataFrame
    quarantine: pd.DataFrame
    files: pd.DataFrame
    sheets: pd.DataFrame
    path: Path | None = None
    sha256: str = ""
    fresh: bool = False  # parsed by this run (not taken from the cache)


def checksums(paths: list[Path], cache_dir: Path | None) -> tuple[dict, dict, dict]:
    """Each file's sha256 (by path) and its stamp, taken before it was hashed; and what to
    remember() once the run has read them all. With a cache, a file whose stamp is the one
    remembered is not read again (run/manifest.py's rule, racy files included)."""
    memo = stamps.memo_of(Path(cache_dir) / MEMO) if cache_dir else {}
    found, taken, keep = stamps.hashed(paths, memo)
    return found, taken, keep if cache_dir else {}


def remember(cache_dir: Path, keep: dict) -> None:
    """The checksums() of a run's files kept beside the cache, for the next run."""
    stamps.remember(Path(cache_dir) / MEMO, keep)


def unchanged(path: Path, stamp: list[int]) -> bool:
    """Whether the file still has the stamp taken before it was hashed."""
    return stamps.stamp_of(path) == stamp


def reader_fingerprint(spec: dict) -> str:
    """What, besides the file itself, decides how it is parsed."""
    return _fingerprint(json.dumps(spec, sort_keys=True, ensure_ascii=False))


@functools.lru_cache(maxsize=8)
def _fingerprint(spec_text: str) -> str:
    """Hashed once per process and spec, not once per file."""
    digest = hashlib.sha256(spec_text.encode())
    here = Path(__file__).parent
    for name in READER_MODULES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


def _stamped(parsed: Parsed, path: Path, sha256: str) -> Parsed:
    """The cached result as if parsed from `path` (the same content may have moved)."""
    where = str(path)
    if "source_file" in parsed.records:
        parsed.records["source_file"] = constant(where, len(parsed.records))
    parsed.quarantine["file"] = where
    parsed.files["file"] = where
    parsed.sheets["file"] = where
    parsed.path, parsed.sha256 = path, sha256
    return parsed


def heads_file(cache_dir: Path, spec: dict, limit: int) -> Path:
    """Where the raw files' heads are kept (selection.heads_of): for this spec, this reading
    code and this row limit."""
    return Path(cache_dir) / f"heads-{reader_fingerprint(spec)}-{limit}.json"


def entry_for(path: Path, sha256: str, spec: dict, cache_dir: Path) -> Path:
    return Path(cache_dir) / f"{sha256[:32]}-{reader_fingerprint(spec)}"


def entry(path: Path, sha256: str, spec: dict, cache_dir: Path) -> Path | None:
    """The file's complete cache entry, or None when it has none."""
    found = entry_for(path, sha256, spec, cache_dir)
    return found if (found / "complete").exists() else None


def load(entry: Path, path: Path, sha256: str) -> Parsed | None:
    """The file as parsed before, from its entry; None when the entry went or is damaged
    (removed by hand while the run read the others, say): the damaged entry is removed, so
    the file, parsed again, takes its place."""
    try:
        tables = [feather.read_table(entry / f"{part}.arrow", memory_map=True) for part in PARTS]
    except (OSError, pa.ArrowInvalid):
        shutil.rmtree(entry, ignore_errors=True)
        return None
    # a column per block: the figures are not copied here, only once joined by kind
    frames = (_own_text(t).to_pandas(split_blocks=True) for t in tables)
    return _stamped(Parsed(*frames), path, sha256)


def _own_text(table: pa.Table) -> pa.Table:
    """The table's text copied out of the mapped file, chunk by chunk as stored (the chunks
    decide how the text is written again). Text kept into the intake's tables would keep its
    whole file mapped, the figures' pages too: 0.3 GB more at a cached province's peak."""
    for i, field in enumerate(table.schema):
        if pa.types.is_large_string(field.type) or pa.types.is_string(field.type):
            chunks = [pa.concat_arrays([c, c[:0]]) for c in table.column(i).chunks]
            table = table.set_column(i, field, pa.chunked_array(chunks, type=field.type))
    return table


def staging_for(cache_dir: Path) -> Path:
    """Where this run writes its new entries before they join the cache: beside it, so the
    cache folder itself is not even created by a run that is refused."""
    cache_dir = Path(cache_dir)
    return cache_dir.with_name(f".{cache_dir.name}.staging-{os.getpid()}")


def stage(parsed: Parsed, spec: dict, staging: Path) -> Path:
    """Write a parsed file's entry into the staging folder; returns the entry. Arrow's own
    format, uncompressed, writes in a third of Parquet's time and is read back mapped, not
    decoded: a province's 289 entries (10.7M rows) are read in 0.1 CPU-seconds, were 4.5
    with LZ4; they take three times the disk (1.9 GB)."""
    entry = staging / entry_for(parsed.path, parsed.sha256, spec, staging).name
    shutil.rmtree(entry, ignore_errors=True)
    entry.mkdir(parents=True)
    for part in PARTS:
        frame = pa.Table.from_pandas(getattr(parsed, part), preserve_index=False)
        feather.write_feather(frame, entry / f"{part}.arrow", compression="uncompressed")
    (entry / "complete").touch()
    return entry


ENTRY_NAME = re.compile(r"[0-9a-f]{32}-(?P<reader>[0-9a-f]{16})")
HEADS_NAME = re.compile(r"heads-(?P<reader>[0-9a-f]{16})-\d+\.json")


def prune(cache_dir: Path, spec: dict) -> list[str]:
    """Remove the entries and heads another reading code or columns.yaml wrote: no run of
    this code can read them (their key names another reader), and a province's entries take
    gigabytes. Returns the names removed."""
    cache_dir, ours = Path(cache_dir), reader_fingerprint(spec)
    if not cache_dir.is_dir():
        return []
    gone = []
    for item in sorted(cache_dir.iterdir()):
        found = ENTRY_NAME.fullmatch(item.name) or HEADS_NAME.fullmatch(item.name)
        if found and found["reader"] != ours:
            if item.is_dir():
                shutil.rmtree(item, ignore_errors=True)
            else:
                item.unlink(missing_ok=True)
            gone.append(item.name)
    return gone


def commit(staging: Path, cache_dir: Path) -> None:
    """Move the staged entries into the cache, each atomically: readers see a whole entry
    or none. An entry another run stored first is kept."""
    if not staging.exists():
        return
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    for entry in sorted(staging.iterdir()):
        try:
            entry.rename(Path(cache_dir) / entry.name)
        except OSError:  # another run stored the same file first
            shutil.rmtree(entry, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
