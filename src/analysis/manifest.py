"""The run manifest: what went into a report, what came out, and how long it took.

Its fingerprint covers everything that can change a report: the raw files' checksums,
the parameters, params/*.yaml, the notebooks, the package's code and the versions of
the libraries. A rerun with the same fingerprint reuses the published report.
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

NAME = "manifest.json"
PACKAGES = ("tenplans", "pandas", "numpy", "papermill", "nbconvert", "matplotlib", "ipykernel")
CODE_DIR = Path(analysis.__file__).parent


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def checksums(paths, root: Path) -> dict[str, str]:
    """sha256 per file, keyed by its path relative to `root`."""
    return {Path(p).relative_to(root).as_posix(): sha256(p) for p in sorted(paths)}


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


def new(period: str, edition: str, parameters: dict, files, notebooks: dict, raw_dir: Path) -> dict:
    """A manifest for a run about to start; `notebooks` maps each notebook to its path."""
    manifest = dict(
        period=period,
        edition=edition,
        started=datetime.now().astimezone().isoformat(timespec="seconds"),
        finished=None,
        outcome="running",
        commit=git_commit(),
        parameters=parameters,
        inputs=inputs(files, Path(raw_dir)),
        params=checksums(Path(parameters["params_dir"]).glob("*.yaml"), parameters["params_dir"]),
        notebook_files={name: sha256(path) for name, path in notebooks.items()},
        code=code_checksums(),
        versions=versions(),
        notebooks={},
    )
    manifest["fingerprint"] = fingerprint(manifest)
    return manifest


def fingerprint(manifest: dict) -> str:
    """A digest of everything that decides a report's content; times and outcome excluded."""
    keys = ("period", "edition", "parameters", "inputs", "params", "notebook_files", "code")
    decisive = {k: manifest[k] for k in keys} | {"versions": manifest["versions"]}
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
