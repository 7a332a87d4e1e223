"""The package's folders are the pipeline: intake → items → measures → report, with run on
top and sample beside. An import that points back up the pipeline is a defect: it is how a report
concern leaks into the figures."""

import ast
from pathlib import Path

import analysis

PACKAGE = Path(analysis.__file__).parent
# what each sub-package may import, besides itself and the shared top-level modules
MAY_IMPORT = {
    "intake": set(),
    "items": {"intake"},
    "measures": {"intake", "items"},
    "report": {"intake", "items", "measures"},
    "run": {"intake", "items", "measures", "report", "sample"},
    "sample": {"intake"},
}
SHARED = {"config", "errors", "params", "schema", "judgement"}  # what every stage reads


def imported(path: Path) -> set[str]:
    """The analysis.* modules a file imports, as dotted names below `analysis`."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "analysis":
                found |= {alias.name for alias in node.names}
            elif node.module.startswith("analysis."):
                found.add(node.module.removeprefix("analysis."))
        elif isinstance(node, ast.Import):
            found |= {
                a.name.removeprefix("analysis.")
                for a in node.names
                if a.name.startswith("analysis.")
            }
    return found


def stage_imports() -> list[tuple[str, str, str]]:
    """(file, its stage, the stage or top-level module it imports) for every import."""
    rows = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        stage = parts[0] if len(parts) > 1 else None
        for name in imported(path):
            rows.append((path.relative_to(PACKAGE).as_posix(), stage, name.split(".")[0]))
    return rows


def test_every_module_lives_in_a_stage_or_the_shared_foundation():
    top = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert top == SHARED
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == set(MAY_IMPORT)


def test_imports_only_point_down_the_pipeline():
    upward = [
        f"{file} imports analysis.{target}"
        for file, stage, target in stage_imports()
        if stage is not None and target not in SHARED | {stage} | MAY_IMPORT[stage]
    ]
    assert upward == []


def test_the_shared_foundation_imports_no_stage():
    assert [
        f"{file} imports analysis.{target}"
        for file, stage, target in stage_imports()
        if stage is None and file != "__main__.py" and target not in SHARED
    ] == []


def test_the_checker_sees_an_upward_import(tmp_path):
    """The rule above is only as good as the parser: an import it should refuse is found."""
    module = tmp_path / "tiers.py"
    module.write_text("from analysis.report import charts\nfrom analysis import store\n")
    assert imported(module) == {"report", "store"}
