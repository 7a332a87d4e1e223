"""The run manifest, reuse of an unchanged report, notebooks side by side, the terminal
a scheduler sees, and papermill's own command line on a report's parameters."""

import gc
import hashlib
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path
from unittest import mock

import nbformat
import pytest

from analysis.config import NOTEBOOKS_DIR, PARAMS_DIR, PROJECT_ROOT
from analysis.intake import stamps
from analysis.run import manifest, runner
from analysis.run.runner import RunPaths, produce
from tests.conftest import copy_report, notebooks_with_cell, without_libreoffice


@pytest.fixture(scope="module")
def city(report):
    """The shared report, for the tests that only read it."""
    return report.paths.out, report.paths, report.internal


def _cli(
    paths: RunPaths, *extra: str, stderr=subprocess.PIPE, python=()
) -> subprocess.CompletedProcess:
    command = [sys.executable, *python, "-m", "analysis", "run", "--raw", str(paths.raw)]
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
    assert "analysis/run/runner.py" in {f"analysis/{k}" for k in record["code"]}
    page = (result.folder / "02_firm_tiers.html").read_text(encoding="utf-8")
    assert record["fingerprint"] in page and record["inputs"][0]["sha256"] in page


def test_every_run_logs_to_the_output_folder(city):
    root, paths, result = city
    logs = list((paths.out / "logs").glob("*.log"))
    assert logs
    text = (result.folder / "run.log").read_text(encoding="utf-8")
    for name in runner.NOTEBOOKS:
        assert f"{name} done in" in text


def test_an_unchanged_rerun_reuses_the_report_and_force_reruns(report, tmp_path):
    copied = copy_report(report, tmp_path)  # the shared report's output, copied
    paths = replace(copied, processed=report.paths.processed)  # and what it was made from
    before = (report.internal.folder / "manifest.json").read_bytes()
    result = produce("latest", paths)
    assert result.reused and result.folder == copied.out / report.internal.folder.name
    assert (result.folder / "manifest.json").read_bytes() == before

    reused = _cli(paths)
    assert reused.returncode == 0 and reused.stderr == ""
    assert "reused" in reused.stdout and len(reused.stdout.splitlines()) == 1
    logs = sorted((paths.out / "logs").glob("*.log"), key=lambda p: p.stat().st_mtime_ns)
    assert "reused" in logs[-1].read_text(encoding="utf-8")

    # decided from checksums alone: not one of the libraries a run needs is loaded
    profiled = _cli(paths, python=["-X", "importtime"])
    assert "reused" in profiled.stdout
    loaded = set(re.findall(r"^import time:.*\| +([\w.]+)$", profiled.stderr, flags=re.M))
    assert {"analysis.run.cli", "analysis.run.runner", "analysis.run.manifest"} <= loaded
    heavy = {"pandas", "numpy", "pyarrow", "matplotlib", "papermill", "nbconvert", "openpyxl"}
    heavy |= {"jupyter_client", "fastexcel", "pandera", "yaml", "tqdm"}
    assert not heavy & loaded, heavy & loaded

    master, slave = pty.openpty()  # a person at a terminal sees a progress bar
    screen = []
    reader = threading.Thread(target=_drain, args=(master, screen))
    reader.start()
    bare = notebooks_with_cell(tmp_path / "bare", lambda name: "", bare=runner.NOTEBOOKS)
    # into the copy (others read the shared processed folder), pages not the question
    forced = _cli(copied, "--force", "--notebooks", str(bare), stderr=slave)
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
    assert record["code"]["run/runner.py"] == _sha256(Path(runner.__file__))
    # the digest as the manifest's docstring defines it, made here: sha256 of the sorted
    # JSON of everything that decides the report, times, durations and outcome left out
    assert record["raw"] == {
        p.relative_to(paths.raw).as_posix(): _sha256(p) for p in paths.raw.rglob("*") if p.is_file()
    }
    decisive = ["period", "edition", "parameters", "raw", "params", "notebook_files"]
    decisive += ["code", "versions"]
    text = json.dumps({k: record[k] for k in decisive}, sort_keys=True, ensure_ascii=False)
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == record["fingerprint"]
    for key, change in [
        ("params", {"thresholds.yaml": "0" * 64}),
        ("code", {"runner.py": "0" * 64}),
        ("raw", dict(list(record["raw"].items())[1:])),
        ("period", "2026Q2"),
        ("edition", "public"),
    ]:
        assert manifest.fingerprint(record | {key: change}) != record["fingerprint"], key


def _repack(workbook: Path, change=None) -> None:
    """The workbook rewritten uncompressed, its sheet's XML through `change`: one digit
    changed for another then leaves the file's size as it was, to the byte."""
    with zipfile.ZipFile(workbook) as book:
        members = [(info.filename, book.read(info)) for info in book.infolist()]
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_STORED) as book:
        for name, data in members:
            if change and name == "xl/worksheets/sheet1.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            book.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data)


def _first_revenue_changed(xml: str) -> str:
    """The first figure of column E (营业收入) with its last digit one higher (9 → 0)."""
    figure = re.search(r'<c r="E\d+"[^>]*><v>[^<]*(\d)</v>', xml)
    digit = str((int(figure[1]) + 1) % 10)
    return xml[: figure.start(1)] + digit + xml[figure.end(1) :]


def test_a_changed_raw_file_or_parameter_is_run_again(report, tmp_path, monkeypatch):
    paths = report.paths  # its workbooks copied, its parsed files too
    raw, params_dir = tmp_path / "raw", tmp_path / "params"
    shutil.copytree(paths.raw, raw)
    shutil.copytree(PARAMS_DIR, params_dir)
    workbook = sorted((raw / "统计局").glob("*.xlsx"))[-1]
    _repack(workbook)  # uncompressed from the start, so that the change below keeps its size
    bare = notebooks_with_cell(tmp_path / "bare", lambda name: "", bare=runner.NOTEBOOKS)
    own = RunPaths(raw, tmp_path / "reports", tmp_path / "processed", params_dir, bare)
    shutil.copytree(paths.processed / "cache", own.processed / "cache")  # files parsed before
    with without_libreoffice():  # what the runs made is not the question here
        first = produce("latest", own)
    again = produce("latest", own)  # the raw files are seconds old now: checksums remembered
    assert not first.reused and again.reused
    remembered = json.loads((own.processed / "cache" / "raw-checksums.json").read_text())
    assert len(remembered) == len([p for p in raw.rglob("*") if p.is_file()])

    before = workbook.stat()
    _repack(workbook, _first_revenue_changed)
    os.utime(workbook, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (workbook.stat().st_size, workbook.stat().st_mtime_ns) == (
        before.st_size,
        before.st_mtime_ns,
    )
    with without_libreoffice():
        changed = produce("latest", own)
    record = changed.manifest
    name = workbook.relative_to(raw).as_posix()
    assert not changed.reused and record["outcome"] == "done"
    assert record["raw"][name] == _sha256(workbook) != first.manifest["raw"][name]
    assert {i["file"]: i["sha256"] for i in record["inputs"]}[name] == _sha256(workbook)

    thresholds = params_dir / "thresholds.yaml"
    text = thresholds.read_text(encoding="utf-8")
    thresholds.write_text(text.replace("on_track_band: 0.02", "on_track_band: 0.03"), "utf-8")
    assert thresholds.read_text(encoding="utf-8") != text
    # run again, not reused: it gets as far as the intake with the new parameters (what
    # the run then makes of them is any run's, as above)
    monkeypatch.setattr(runner, "_ingest_and_run", mock.Mock(side_effect=RuntimeError("ran")))
    with pytest.raises(RuntimeError, match="ran"):
        produce("latest", own)
    gathered = runner._ingest_and_run.call_args.args[4]
    assert gathered["params"]["thresholds.yaml"] == _sha256(thresholds)
    assert gathered["raw"] == record["raw"]


def test_a_file_changed_under_its_old_size_and_time_is_hashed_again(tmp_path, monkeypatch):
    monkeypatch.setattr(stamps, "RACY_NS", 500_000_000)  # the rule, on a shorter wait
    raw, remembered = tmp_path / "raw", tmp_path / "remembered.json"
    raw.mkdir()
    (raw / "a.xlsx").write_text("revenue 1000")
    (raw / "b.xlsx").write_text("revenue 2000")
    (raw / "~$a.xlsx").write_text("lock")  # Office's lock file, not data
    truth = {"a.xlsx": _sha256(raw / "a.xlsx"), "b.xlsx": _sha256(raw / "b.xlsx")}
    found, entries = manifest.raw_checksums(raw, remembered)
    assert found == truth and entries == {}  # both just written: not remembered yet
    time.sleep(stamps.RACY_NS / 1e9 + 0.1)
    found, entries = manifest.raw_checksums(raw, remembered)
    assert found == truth and len(entries) == 2
    # a remembered checksum stands while the file's stat is as it was: b is not read again
    entries[str(raw / "b.xlsx")][-1] = "0" * 64
    manifest.remember(remembered, entries)
    before = (raw / "a.xlsx").stat()
    (raw / "a.xlsx").write_text("revenue 1001")  # same size; its time set back below
    os.utime(raw / "a.xlsx", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (raw / "a.xlsx").stat().st_size == before.st_size
    found, _ = manifest.raw_checksums(raw, remembered)
    assert found == {"a.xlsx": _sha256(raw / "a.xlsx"), "b.xlsx": "0" * 64}
    assert found["a.xlsx"] != truth["a.xlsx"]


def test_notebooks_run_side_by_side_in_their_own_kernels(report, tmp_path):
    paths = copy_report(report, tmp_path)
    traces = tmp_path / "traces"
    traces.mkdir()
    first = list(runner.NOTEBOOKS)[: runner.WORKERS]  # handed out first, so all at once

    def cell(name: str) -> str:  # each says which process ran it, and when
        pause = 1.5 if name in first else 0  # long enough to overlap; the others need not
        return (
            f"import json, os, pathlib, time\nstarted = time.time()\ntime.sleep({pause})\n"
            f"pathlib.Path({str(traces / f'{name}.json')!r}).write_text(json.dumps("
            "[os.getpid(), started, time.time()]))"
        )

    # what they compute is not the question here
    notebooks = notebooks_with_cell(tmp_path / "notebooks", cell, bare=runner.NOTEBOOKS)
    changed = RunPaths(paths.raw, paths.out, paths.processed, paths.params, notebooks)
    gc.collect()  # what earlier tests left; then what the run leaves is the run's
    with without_libreoffice(), warnings.catch_warnings(record=True) as left:
        warnings.simplefilter("always", ResourceWarning)
        rerun = produce("latest", changed)
        gc.collect()
    assert not rerun.reused  # the notebooks changed: the report is made again
    # no thread that executed a notebook leaves its event loop (and sockets) open
    assert [str(w.message) for w in left if issubclass(w.category, ResourceWarning)] == []
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
