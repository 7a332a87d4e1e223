"""The run manifest: what went into a report, what came out, and how long it took.

Its fingerprint covers everything that can change a report: the raw files' checksums,
the parameters, params/*.yaml, the notebooks, the package's code and the versions of
the libraries. A rerun with the same fingerprint reuses the published report.

The fingerprint is made from files as they lie on disk, before the intake reads them, and
each manifest records the period 'latest' stood for, so an unchanged rerun is decided
from checksums alone, without the intake or the libraries a run needs (runner.produce).
"""

import hashlib
import json
import platform
import subprocess
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import analysis
from analysis.config import PROJECT_ROOT
from analysis.intake import stamps

NAME = "manifest.json"
PACKAGES = ("tenplans", "pandas", "numpy", "papermill", "nbconvert", "matplotlib", "ipykernel")
CODE_DIR = Path(analysis.__file__).parent
# What decides the data the intake reads, and so which period 'latest' is.
DATA_KEYS = ("raw", "params", "code", "versions")
DECISIVE = ("period", "edition", "parameters", "notebook_files", *DATA_KEYS)


sha256 = stamps.sha256
remember = stamps.remember  # raw_checksums' entries, kept for the next run


def checksums(paths, root: Path) -> dict[str, str]:
    """sha256 per file, keyed by its path relative to `root`."""
    return {Path(p).relative_to(root).as_posix(): sha256(p) for p in sorted(paths)}


def raw_checksums(raw_dir: Path, remembered: Path | None = None) -> tuple[dict, dict]:
    """sha256 of every file below the raw folder, keyed by its path there (Office lock
    files and hidden files are left out, as the intake leaves them); and what to remember
    of them, for remember() once the run has got past a file it would refuse.

    `remembered` (a JSON file) keeps each checksum with the file's size, mtime, ctime,
    inode and device, and a file whose five are unchanged is not read again. That is safe
    because content cannot change without ctime changing: every write sets it to the
    clock's time and no call sets it back (touch -d, utime and copies that keep times all
    leave ctime at now), and a file replaced by another (save-as, a rename over it) has
    another inode. The one gap, a second write within the same tick of the file system's
    clock, is closed by not remembering a file changed less than stamps.RACY_NS before it was
    hashed (git's rule for its index).
    """
    raw_dir = Path(raw_dir)
    paths = [
        p for p in sorted(raw_dir.rglob("*")) if not p.name.startswith(("~$", ".")) and p.is_file()
    ]
    digests, _, keep = stamps.hashed(paths, stamps.memo_of(remembered))
    return {p.relative_to(raw_dir).as_posix(): digests[p] for p in paths}, keep


def gather(raw_dir: Path, params_dir: Path, notebooks: dict, remembered=None):
    """What decides a report besides its period and edition, read before the intake: the
    raw files (raw_checksums), params/*.yaml, the notebooks (name → path), the package's
    code and the libraries' versions; and the raw files' entries to remember."""
    params_dir = Path(params_dir).resolve()
    raw, entries = raw_checksums(raw_dir, remembered)
    gathered = dict(
        raw=raw,
        params=checksums(params_dir.glob("*.yaml"), params_dir),
        notebook_files={name: sha256(path) for name, path in notebooks.items()},
        code=code_checksums(),
        versions=versions(),
    )
    return gathered, entries


def code_checksums() -> dict[str, str]:
    """The package's own files (code, templates), so that a code change means a rerun."""
    files = [p for p in CODE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return checksums(files, CODE_DIR)


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = analysis.__version__ if name == "tenplans" else "—"
    return found


def git_commit(root: Path = PROJECT_ROOT) -> str | None:
    """The project's commit, marked when the work tree differs from it; None without git."""
    try:
        head = _git(root, "rev-parse", "HEAD")
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head} (+ uncommitted changes)" if dirty else head


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=20
    )
    return done.stdout.strip()


def inputs(files, raw_dir: Path) -> list[dict]:
    """The raw files an intake read (ingest's per-sheet table), one entry per file,
    named relative to the raw folder."""
    unique = files.drop_duplicates("file").sort_values("file")
    return [
        dict(file=_relative(f, raw_dir), sha256=s)
        for f, s in zip(unique["file"], unique["sha256"], strict=True)
    ]


def _relative(path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def new(
    period: str,
    edition: str,
    parameters: dict,
    gathered: dict,
    files,
    raw_dir: Path,
    latest: str,
    targets_note: str,
) -> dict:
    """A manifest for a run about to start: `gathered` by gather(), `files` the intake's
    per-sheet table, `latest` the newest period in the data, `targets_note` what the pages
    say of a year without targets (targets.targets_note)."""
    manifest = dict(
        period=period,
        edition=edition,
        started=datetime.now().astimezone().isoformat(timespec="seconds"),
        finished=None,
        outcome="running",
        commit=git_commit(),
        parameters=parameters,
        inputs=inputs(files, Path(raw_dir)),
        **gathered,
        latest=latest,
        targets_note=targets_note,
        notebooks={},
    )
    manifest["fingerprint"] = fingerprint(manifest)
    return manifest


def fingerprint(manifest: dict) -> str:
    """A digest of everything that decides a report's content; times and outcome excluded.
    The raw files count as found on disk (`raw`), so it can be made before the intake."""
    decisive = {k: manifest[k] for k in DECISIVE}
    text = json.dumps(decisive, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def finish(manifest: dict, outcome: str) -> dict:
    manifest["outcome"] = outcome
    manifest["finished"] = datetime.now().astimezone().isoformat(timespec="seconds")
    return manifest


def write(manifest: dict, folder: Path) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
    (Path(folder) / NAME).write_text(text + "\n", encoding="utf-8")


def read(folder: Path) -> dict | None:
    try:
        return json.loads((Path(folder) / NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def reusable(folder: Path, fingerprint_: str) -> dict | None:
    """The published report's manifest, if that report was made from exactly the same."""
    previous = read(folder)
    same = previous and previous.get("fingerprint") == fingerprint_
    return previous if same and previous.get("outcome") == "done" else None


def latest(root: Path, gathered: dict) -> str | None:
    """The period 'latest' stood for when a report now in `root` was made from the same raw
    files, parameters and code; None when there is none (only the intake can tell then)."""
    if not Path(root).is_dir():
        return None
    for folder in sorted(Path(root).iterdir(), reverse=True):
        previous = None if folder.name.startswith(".") else read(folder)
        same = previous and all(previous.get(k) == gathered[k] for k in DATA_KEYS)
        if same and previous.get("outcome") == "done" and previous.get("latest"):
            return previous["latest"]
    return None
