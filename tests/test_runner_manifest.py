"""The run manifest, reuse of an unchanged report, notebooks side by side, the terminal
a scheduler sees, and papermill's own command line on a report's parameters."""

import hashlib
import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from analysis import manifest, runner
from analysis.config import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT
from analysis.runner import RunPaths, produce
from tests.conftest import notebooks_with_cell


@pytest.fixture(scope="module")
def city(report):
    """The shared report, for the tests that only read it."""
    return report.paths.out, report.paths, report.internal


def _cli(paths: RunPaths, *extra: str, stderr=subprocess.PIPE) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "analysis", "run", "--raw", str(paths.raw)]
    command += ["--out", str(paths.out), "--processed", str(paths.processed)]
    command += ["--params", str(PARAMS_DIR), *extra]
    return subprocess.run(
        command, stdout=subprocess.PIPE, stderr=stderr, text=True, check=False, timeout=300
    )


def test_manifest_records_inputs_parameters_durations_versions_and_outcome(city):
    root, paths, result = city
    assert not result.reused
    record = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    raw_files = sorted(paths.raw.rglob("*.xlsx"))
    assert [i["file"] for i in record["inputs"]] == [
        p.relative_to(paths.raw).as_posix() for p in raw_files
    ]
    assert [i["sha256"] for i in record["inputs"]] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in raw_files
    ]
    assert record["parameters"]["edition"] == "internal"
    assert record["parameters"]["year"] == 2026 and record["parameters"]["month"] == 9
    assert set(record["notebooks"]) == set(runner.NOTEBOOKS)
    assert all(seconds > 0 for seconds in record["notebooks"].values())
    assert {"python", "pandas", "papermill", "nbconvert", "tenplans"} <= set(record["versions"])
    assert record["outcome"] == "done" and record["finished"] >= record["started"]
    assert set(record["params"]) >= {"targets.yaml", "thresholds.yaml"}
    assert "analysis/runner.py" in {f"analysis/{k}" for k in record["code"]}
    page = (result.folder / "02_firm_tiers.html").read_text(encoding="utf-8")
    assert record["fingerprint"] in page and record["inputs"][0]["sha256"] in page


def test_every_run_logs_to_the_output_folder(city):
    root, paths, result = city
    logs = list((paths.out / "logs").glob("*.log"))
    assert logs
    text = (result.folder / "run.log").read_text(encoding="utf-8")
    for name in runner.NOTEBOOKS:
        assert f"{name} done in" in text


def test_an_unchanged_rerun_reuses_the_report_and_force_reruns(scratch):
    root, paths, _ = scratch
    result = produce("latest", paths)  # the report of the notebooks as they are
    before = (result.folder / "manifest.json").read_bytes()
    again = produce("latest", paths)
    assert again.reused and again.folder == result.folder
    assert (result.folder / "manifest.json").read_bytes() == before

    reused = _cli(paths)
    assert reused.returncode == 0 and reused.stderr == ""
    assert "reused" in reused.stdout and len(reused.stdout.splitlines()) == 1

    master, slave = pty.openpty()  # a person at a terminal sees a progress bar
    screen = []
    reader = threading.Thread(target=_drain, args=(master, screen))
    reader.start()
    forced = _cli(paths, "--force", stderr=slave)
    os.close(slave)
    reader.join(timeout=30)
    assert forced.returncode == 0
    assert forced.stdout.strip() == f"报告已生成 / report written: {result.folder / 'index.html'}"
    done = f"{len(runner.NOTEBOOKS)}/{len(runner.NOTEBOOKS)}"
    assert "执行笔记本" in "".join(screen) and done in "".join(screen)
    after = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert after["started"] > json.loads(before)["started"] and after["outcome"] == "done"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _drain(fd: int, into: list) -> None:
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        into.append(chunk.decode("utf-8", "replace"))
    os.close(fd)


def test_a_change_of_params_code_or_data_changes_the_fingerprint(city, tmp_path):
    root, paths, result = city
    record = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    # what went in, hashed here from the files themselves
    assert record["params"] == {p.name: _sha256(p) for p in sorted(PARAMS_DIR.glob("*.yaml"))}
    assert record["notebook_files"] == {n: _sha256(NOTEBOOKS_DIR / n) for n in runner.NOTEBOOKS}
    assert record["code"]["runner.py"] == _sha256(Path(runner.__file__))
    # the digest as the manifest's docstring defines it, made here: sha256 of the sorted
    # JSON of everything that decides the report, times, durations and outcome left out
    decisive = ["period", "edition", "parameters", "inputs", "params", "notebook_files"]
    decisive += ["code", "versions"]
    text = json.dumps({k: record[k] for k in decisive}, sort_keys=True, ensure_ascii=False)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == record["fingerprint"]
    for key, change in [
        ("params", {"thresholds.yaml": "0" * 64}),
        ("code", {"runner.py": "0" * 64}),
        ("inputs", record["inputs"][1:]),
        ("edition", "public"),
    ]:
        assert manifest.fingerprint(record | {key: change}) != record["fingerprint"], key


def test_notebooks_run_side_by_side_in_their_own_kernels(scratch, tmp_path):
    root, paths, result = scratch
    traces = tmp_path / "traces"
    traces.mkdir()
    notebooks = notebooks_with_cell(
        tmp_path / "notebooks",
        lambda name: (
            "import json, os, pathlib, time\nstarted = time.time()\ntime.sleep(3)\n"
            f"pathlib.Path({str(traces / f'{name}.json')!r}).write_text(json.dumps("
            "[os.getpid(), started, time.time()]))"
        ),
        bare=runner.NOTEBOOKS,  # what they compute is not the question here
    )
    changed = RunPaths(paths.raw, paths.out, paths.processed, paths.params, notebooks)
    rerun = produce("latest", changed)
    assert not rerun.reused  # the notebooks changed: the report is made again
    spans = [json.loads(p.read_text()) for p in traces.iterdir()]
    assert len(spans) == len({pid for pid, _, _ in spans}) == len(runner.NOTEBOOKS)
    at_once = max(sum(s <= start < e for _, s, e in spans) for _, start, _ in spans)
    assert at_once == min(runner.WORKERS, len(runner.NOTEBOOKS))


def test_papermill_command_line_runs_a_notebook_with_the_reports_parameters(city, tmp_path):
    root, paths, result = city
    output = tmp_path / "tiers.ipynb"
    done = subprocess.run(
        [sys.executable, "-m", "papermill", "notebooks/02_firm_tiers.ipynb", str(output)]
        + ["-f", str(result.folder / "parameters.yaml"), "-p", "edition", "public"]
        + ["-k", "python3"],  # the venv's kernel: the notebook's tenplans may not be installed
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    book = nbformat.read(output, as_version=4)
    injected = next(c for c in book.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'edition = "public"' in injected.source and "year = 2026" in injected.source
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
