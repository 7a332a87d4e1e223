"""Every path the suite uses, resolved from the project root, never the working directory."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RAW_DIR = PROJECT_ROOT / "data" / "raw"
PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
PARAMS_DIR = PROJECT_ROOT / "params"
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"


def resolve(path) -> Path:
    """A folder as given: absolute as it is, relative from the project root."""
    return PROJECT_ROOT / Path(path).expanduser()
