"""House rules that keep the project usable: clean notebooks, one set of pins."""

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from analysis.config import PROJECT_ROOT
from analysis.run import runner

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
REQUIRED_PARAMETERS = {"year", "month", "quarter", "processed_dir", "params_dir", "edition"}


def test_there_are_report_notebooks():
    sections = [
        "01_data_quality",
        "02_firm_tiers",
        "03_scorecard",
        "04_industries",
        "05_projects",
        "06_innovation",
        "07_financing",
        "08_reform_people",
        "09_bulletin",
        "10_warnings",
    ]
    assert [p.stem for p in NOTEBOOKS] == sections
    assert list(runner.NOTEBOOKS) == [f"{s}.ipynb" for s in sections]  # all run, in order


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        dirty = [
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
        ]
        assert not dirty, f"{path.name}: cells {dirty} carry outputs"


def test_every_notebook_has_a_tagged_parameters_cell_with_the_common_parameters():
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path.name
        source = "".join(tagged[0]["source"])
        names = set(re.findall(r"^(\w+)\s*=", source, flags=re.M))
        assert names >= REQUIRED_PARAMETERS, f"{path.name} lacks {REQUIRED_PARAMETERS - names}"


def _pins(requirements: list[str]) -> dict[str, str]:
    return {re.split(r"==", r)[0].lower(): r for r in requirements if "==" in r}


def test_environment_yml_mirrors_the_pins_in_pyproject():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pinned = project["project"]["dependencies"] + project["project"]["optional-dependencies"]["dev"]
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pinned) == _pins(pip_section)


def test_papermill_loads_without_compiling_iri_grammars():
    """jsonschema 4.25+ imports rfc3987-syntax, which JupyterLab's extras install and which
    compiles 35 grammars on import: 1.2 CPU-seconds in every process that loads nbformat
    (each run, papermill by hand, each test worker). The pin keeps it out."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, papermill, nbconvert; print(*sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "jsonschema" in loaded and "rfc3987_syntax" not in loaded


def test_tier_targets_are_the_programmes():
    spec = yaml.safe_load((PROJECT_ROOT / "params" / "targets.yaml").read_text(encoding="utf-8"))
    tiers = {i["id"]: i for i in spec["indicators"] if i.get("measure") == "tier"}
    expected = {
        "sales_ge_100m": (23, 1e8, None),
        "sales_500m_1b": (3, 5e8, 1e9),
        "sales_ge_1b": (3, 1e9, None),
        "tax_ge_10m": (10, 1e7, None),
        "tax_50m_100m": (2, 5e7, 1e8),
        "tax_ge_100m": (1, 1e8, None),
    }
    assert {
        k: (t["target"][2026], t["lower_yuan"], t["upper_yuan"]) for k, t in tiers.items()
    } == expected
    assert {i["plan"] for i in spec["indicators"]} == set(range(1, 11))


def test_disclosure_limits_are_the_statistical_conventions():
    limits = yaml.safe_load(
        (PROJECT_ROOT / "params" / "thresholds.yaml").read_text(encoding="utf-8")
    )
    # hidden when at most 3 firms contribute, or the 2 largest make up more than 85%
    assert limits["disclosure_min_firms"] == 3
    assert limits["disclosure_dominance"] == [2, 0.85]


def test_raw_sample_data_is_workbooks_not_csv():
    raw = Path(PROJECT_ROOT / "data" / "raw")
    assert list(raw.rglob("*.xlsx")) and not list(raw.rglob("*.csv"))
