"""Loading the economists' YAML files in params/: targets, thresholds, column aliases."""

from pathlib import Path

import pandas as pd
import yaml

from analysis.config import PARAMS_DIR
from analysis.errors import ParamsError

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when built
INDICATOR_KEYS = ("id", "plan", "name", "unit", "target", "basis", "departments")


def _load(params_dir: Path, name: str) -> dict:
    path = Path(params_dir) / name
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except FileNotFoundError as exc:
        raise ParamsError(f"{path}: 参数文件不存在 / parameter file missing") from exc
    except yaml.YAMLError as exc:
        raise ParamsError(f"{path}: YAML 格式错误 / not valid YAML: {exc}") from exc


def thresholds(params_dir: Path = PARAMS_DIR) -> dict:
    return _load(params_dir, "thresholds.yaml")


def columns(params_dir: Path = PARAMS_DIR) -> dict:
    return _load(params_dir, "columns.yaml")


def plan_names(params_dir: Path = PARAMS_DIR) -> dict[int, str]:
    return {int(k): v for k, v in _load(params_dir, "targets.yaml")["plans"].items()}


def indicators(params_dir: Path = PARAMS_DIR) -> pd.DataFrame:
    """One row per indicator of the ten plans, in the order targets.yaml lists them."""
    path = Path(params_dir) / "targets.yaml"
    items = _load(params_dir, "targets.yaml")["indicators"]
    for item in items:
        missing = [k for k in INDICATOR_KEYS if k not in item]
        if missing:
            raise ParamsError(f"{path}: 指标 {item.get('id', '?')} 缺少 {', '.join(missing)}")
        if item.get("measure") == "tier" and item.get("field") not in ("revenue", "tax"):
            raise ParamsError(f"{path}: 档位指标 {item['id']} 的 field 应为 revenue 或 tax")
    frame = pd.DataFrame(items)
    for optional in ("measure", "field", "lower_yuan", "upper_yuan"):
        if optional not in frame:
            frame[optional] = None
    frame["target"] = pd.to_numeric(frame["target"], errors="coerce")
    frame["lower_yuan"] = pd.to_numeric(frame["lower_yuan"], errors="coerce")
    frame["upper_yuan"] = pd.to_numeric(frame["upper_yuan"], errors="coerce")
    if frame["id"].duplicated().any():
        dupes = ", ".join(frame.loc[frame["id"].duplicated(), "id"])
        raise ParamsError(f"{path}: 指标编号重复 / duplicate indicator ids: {dupes}")
    return frame


def tiers(params_dir: Path = PARAMS_DIR) -> pd.DataFrame:
    """The tier indicators (measure: tier) with their bands in yuan."""
    frame = indicators(params_dir)
    return frame[frame["measure"] == "tier"].reset_index(drop=True)
