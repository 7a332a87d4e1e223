"""The economists' YAML files in params/ (targets, thresholds, column aliases), as the
code uses them: checked against schema.py first, every time a file changes, so a notebook
opened by hand refuses a bad file with the same message as the run."""

from pathlib import Path

import pandas as pd

from analysis import schema
from analysis.config import PARAMS_DIR, resolve

INDICATOR_COLUMNS = [
    "id",
    "plan",
    "name",
    "unit",
    "target",
    "basis",
    "measure",
    "departments",
    "field",
    "lower_yuan",
    "upper_yuan",
    "kind",
    "tracked",
    "note",
    "due_month",
    "judged_with",
    "reported_by",
    "shares",
    "target_year",
]
_checked: dict[tuple, dict] = {}


def check(params_dir: Path = PARAMS_DIR) -> dict:
    """The three files checked (schema.check), remembered until one of them changes."""
    folder = resolve(params_dir).resolve()  # relative: from the project root
    stamp = tuple(
        (name, path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else (name,)
        for name in schema.FILES
        for path in [folder / name]
    )
    if stamp not in _checked:
        _checked.clear()
        _checked[stamp] = schema.check(folder)
    return _checked[stamp]


def thresholds(params_dir: Path = PARAMS_DIR) -> dict:
    return check(params_dir)["thresholds.yaml"].model_dump()


def columns(params_dir: Path = PARAMS_DIR) -> dict:
    return check(params_dir)["columns.yaml"].model_dump()


def industries(params_dir: Path = PARAMS_DIR) -> dict:
    """The leading industries and how a firm is placed in one (industries.yaml)."""
    return check(params_dir)["industries.yaml"].model_dump()


def lists(params_dir: Path = PARAMS_DIR) -> list[dict]:
    """The named lists and their items by year (lists.yaml)."""
    return check(params_dir)["lists.yaml"].model_dump()["lists"]


def plan_names(params_dir: Path = PARAMS_DIR) -> dict[int, str]:
    return dict(check(params_dir)["targets.yaml"].plans)


def target_years(params_dir: Path = PARAMS_DIR) -> list[int]:
    """The years targets.yaml sets targets for (the implementing opinions in hand)."""
    items = check(params_dir)["targets.yaml"].indicators
    return sorted({year for item in items for year in item.target})


def indicators(params_dir: Path = PARAMS_DIR, year: int | None = None) -> pd.DataFrame:
    """The indicators of `year`'s programme with that year's targets, in file order
    (`year` None: the latest year the file covers). For a year the file does not cover,
    every indicator with no target (and no `target_year`): judged 未设目标, never on
    another year's numbers."""
    items = check(params_dir)["targets.yaml"].indicators
    covered = target_years(params_dir)
    year = covered[-1] if year is None else year
    if year in covered:
        items = [item for item in items if year in item.target]
    has = year if year in covered else None
    rows = [
        item.model_dump() | {"target": item.target.get(year), "target_year": has} for item in items
    ]
    frame = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    for amount in ("target", "lower_yuan", "upper_yuan"):
        frame[amount] = pd.to_numeric(frame[amount])
    return frame


def tiers(params_dir: Path = PARAMS_DIR, year: int | None = None) -> pd.DataFrame:
    """The tier indicators (measure: tier) with their bands in yuan."""
    frame = indicators(params_dir, year)
    return frame[frame["measure"] == "tier"].reset_index(drop=True)
