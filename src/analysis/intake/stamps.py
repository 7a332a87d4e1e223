"""Files' checksums remembered with their stamps (size, mtime, ctime, inode, device), so that
an unchanged file is not read again to be hashed: the run's manifest keeps them for the
whole raw folder, the intake's cache for the files it reads (see run/manifest.py's
raw_checksums for why the rule is safe). Only the standard library: the manifest decides
an unchanged rerun without the intake's libraries.
"""

import hashlib
import json
import os
import time
from pathlib import Path

# A file changed this shortly before it was hashed may change again within one tick of the
# file system's clock, unseen by its ctime: 2 s is FAT's tick, the coarsest in use.
RACY_NS = 2_000_000_000


def sha256(path: Path) -> str:
    """The file's sha256, read in blocks (a province's workbook need not be held whole)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def stamp_of(path: Path) -> list[int]:
    """What changes whenever a file's content does: size, mtime, ctime, inode, device."""
    status = Path(path).stat()
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]


def remembered_sha256(path: Path, known: dict) -> tuple[str, list[int]]:
    """The file's sha256, from `known` (absolute path → [*stamp, sha256]) when its stamp is
    unchanged, else read; and its stamp, taken before it is read, so that a write while it
    is hashed or later shows in the next stamp."""
    stamp = stamp_of(path)
    entry = known.get(str(Path(path).absolute()))
    digest = entry[-1] if entry and entry[:-1] == stamp else sha256(path)
    return digest, stamp


def hashed(paths: list[Path], known: dict) -> tuple[dict, dict, dict]:
    """Each file's sha256 and stamp (remembered_sha256), by path; and what to remember() of
    them: the files changed at least RACY_NS before their hashing began (settled)."""
    found, taken, keep = {}, {}, {}
    now = time.time_ns()
    for path in paths:
        found[path], taken[path] = remembered_sha256(path, known)
        if settled(taken[path], now):
            keep[str(Path(path).absolute())] = [*taken[path], found[path]]
    return found, taken, keep


def settled(stamp: list[int], now: int) -> bool:
    """Whether a file of this stamp may be remembered: changed at least RACY_NS before
    `now` (time.time_ns() taken before any file was hashed)."""
    return stamp[2] < now - RACY_NS


def memo_of(path: Path | None) -> dict:
    """What remember() kept in `path`; nothing when it is missing or damaged."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return {}


def remember(path: Path, entries: dict) -> None:
    """raw_checksums' entries kept in `path`, written whole or not at all (two runs may
    share the processed folder), and only when they changed."""
    path = Path(path)
    if memo_of(path) == entries:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    staging.write_text(json.dumps(entries), encoding="utf-8")
    os.replace(staging, path)
