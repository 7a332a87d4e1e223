"""One run per output folder, and a killed run that leaves the last report as it was."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace

import psutil
import pytest

from analysis.config import PARAMS_DIR
from analysis.errors import RunLocked
from analysis.run import lock, runner
from analysis.run.runner import RunPaths
from tests.conftest import copy_report, notebooks_with_cell

HOLD = """
import sys, time
from pathlib import Path
from analysis.run import lock
with lock.hold(Path(sys.argv[1]), quarter="2026Q3"):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.fixture(scope="module")
def city(report, tmp_path_factory):
    """A copy of the shared report, for runs that are killed or turned away in it."""
    root = tmp_path_factory.mktemp("lock")
    paths = copy_report(report, root)
    return root, paths, paths.out / report.internal.folder.name


def _command(paths: RunPaths, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "analysis", "run", "--raw", str(paths.raw)]
    command += ["--out", str(paths.out), "--processed", str(paths.processed)]
    return command + ["--params", str(PARAMS_DIR), *extra]


def _cli(paths: RunPaths, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        _command(paths, *extra), capture_output=True, text=True, check=False, timeout=300
    )


def _halfway(city, tmp_path):
    """The report's folders, its files as they are, and copies of the notebooks that wait
    once their kernel runs (a marker each in `markers` says so)."""
    root, paths, report = city
    before = {p.name: p.read_bytes() for p in report.iterdir()}
    markers = tmp_path / "markers"
    markers.mkdir()
    return paths, report, before, markers, _slow_notebooks(tmp_path / "notebooks", markers)


def _slow_notebooks(folder, marker_dir):
    """Copies of the report notebooks that, once their kernel runs, say so and then wait."""
    return notebooks_with_cell(
        folder,
        lambda name: (
            f"import pathlib, time\npathlib.Path({str(marker_dir / f'{name}.running')!r})"
            ".touch()\ntime.sleep(120)"
        ),
        position=0,  # at once: the run is killed before any notebook would have finished
        bare=runner.NOTEBOOKS,  # what they compute is not the question
    )


def _wait_for(condition, seconds=90):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_second_holder_is_refused_with_who_holds_it(tmp_path):
    with lock.hold(tmp_path, quarter="2026Q3") as note:
        with pytest.raises(RunLocked) as refused, lock.hold(tmp_path):
            pass
        assert refused.value.exit_code == 4
        assert refused.value.holder["pid"] == note["pid"] == os.getpid()
        assert f"pid {os.getpid()}" in str(refused.value) and "2026Q3" in str(refused.value)
    with lock.hold(tmp_path):  # released on leaving the block
        pass


def test_the_lock_goes_with_a_killed_holder(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RunLocked) as refused, lock.hold(tmp_path):
            pass
        assert refused.value.holder["pid"] == holder.pid
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with lock.hold(tmp_path):
        pass


def test_a_report_moved_aside_by_a_killed_publish_is_put_back(tmp_path):
    (tmp_path / ".retired-2026Q3").mkdir()
    (tmp_path / ".retired-2026Q3" / "index.html").write_text("上次的报告", encoding="utf-8")
    (tmp_path / ".staging-2026Q3").mkdir()
    runner._recover(tmp_path)
    assert (tmp_path / "2026Q3" / "index.html").read_text(encoding="utf-8") == "上次的报告"
    assert not list(tmp_path.glob(".*-2026Q3"))


def test_second_run_is_turned_away_and_a_killed_run_leaves_the_report(city, tmp_path):
    paths, report, before, markers, notebooks = _halfway(city, tmp_path)
    script = (
        "import sys\nfrom pathlib import Path\nfrom analysis.run import runner\n"
        "a = [Path(p) for p in sys.argv[1:]]\n"
        "runner.run('latest', runner.RunPaths(raw=a[0], out=a[1], processed=a[2], "
        "notebooks=a[3]), force=True)\n"
    )
    temp = tmp_path / "temp"  # where its kernels' connection and socket files go
    temp.mkdir()
    first = subprocess.Popen(
        [sys.executable, "-c", script, str(paths.raw), str(paths.out), str(paths.processed)]
        + [str(notebooks)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ | {"TMPDIR": str(temp)},
    )
    try:
        running = min(runner.WORKERS, len(runner.NOTEBOOKS))
        _wait_for(lambda: len(list(markers.iterdir())) == running)
        second = _cli(paths, "--force")
        assert second.returncode == 4
        assert second.stdout == "" and len(second.stderr.strip().splitlines()) == 1
        assert f"pid {first.pid}" in second.stderr and "2026Q3" in second.stderr

        left = psutil.Process(first.pid).children(recursive=True)  # kernels, fork server
        first.send_signal(signal.SIGKILL)  # half way: a kernel per worker is executing
        first.wait()
    finally:
        first.kill()
    _wait_for(lambda: not any(_alive(p) for p in left), seconds=15)  # none stays behind
    _wait_for(lambda: not list(temp.glob("tenplans-*")) and not list(temp.glob("*.json")))
    holder = json.loads((paths.out / ".run.lock").read_text(encoding="utf-8") or "{}")
    assert holder.get("pid") == first.pid  # the note stays, but the lock went with it
    assert {p.name: p.read_bytes() for p in report.iterdir()} == before
    assert list(paths.out.glob(".staging-*"))  # the killed run's half-built folder

    bare = notebooks_with_cell(tmp_path / "bare", lambda name: "", bare=runner.NOTEBOOKS)
    third = _cli(paths, "--force", "--notebooks", str(bare))  # the pages are not the question
    assert third.returncode == 0, third.stderr
    assert third.stderr == "" and len(third.stdout.splitlines()) == 1  # a scheduler's view
    assert third.stdout.strip().endswith(str(report / "index.html"))
    assert not list(paths.out.glob(".staging-*"))
    assert (report / "manifest.json").read_bytes() != before["manifest.json"]
    assert json.loads((report / "manifest.json").read_text(encoding="utf-8"))["outcome"] == "done"


def test_an_interrupted_run_says_so_in_one_line_and_leaves_nothing_running(city, tmp_path):
    """Ctrl-C in the terminal reaches the run's whole process group."""
    paths, report, before, markers, notebooks = _halfway(city, tmp_path)
    command = _command(paths, "--notebooks", str(notebooks), "--force")
    run_ = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        running = min(runner.WORKERS, len(runner.NOTEBOOKS))
        _wait_for(lambda: len(list(markers.iterdir())) == running)
        left = psutil.Process(run_.pid).children(recursive=True)
        os.killpg(run_.pid, signal.SIGINT)
        out, err = run_.communicate(timeout=60)
    finally:
        run_.kill()
    assert run_.returncode == 130
    assert out == "" and err.strip().splitlines() == [
        "已中断 / interrupted: 已发布的报告未改动 / no report was changed"
    ]
    _wait_for(lambda: not any(_alive(p) for p in left), seconds=15)
    assert {p.name: p.read_bytes() for p in report.iterdir()} == before
    log = sorted((paths.out / "logs").iterdir())[-1].read_text(encoding="utf-8")
    assert "stopped" in log and "KeyboardInterrupt" in log


def test_a_ctrl_c_that_python_drops_still_stops_the_run(city, tmp_path, monkeypatch):
    """Python drops a KeyboardInterrupt raised inside a finalizer or an import's lock
    callback ("Exception ignored in …"); the kernels, in sessions of their own, never see
    the signal. Such a Ctrl-C, landing while the run writes its files, still stops the
    kernels at once and ends the run as interrupted, the report untouched (it used to wait
    for the notebooks)."""
    paths, report, before, markers, notebooks = _halfway(city, tmp_path)
    write_tables = runner.write_tables

    def ctrl_c_dropped(*args):
        running = min(runner.WORKERS, len(runner.NOTEBOOKS))
        _wait_for(lambda: len(list(markers.iterdir())) == running)  # kernels at work
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the signal's handler runs here
        except KeyboardInterrupt:
            pass  # dropped, as Python drops it in a finalizer
        return write_tables(*args)

    monkeypatch.setattr(runner, "write_tables", ctrl_c_dropped)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        runner.produce("latest", replace(paths, notebooks=notebooks), force=True)
    assert time.monotonic() - started < 60  # the notebooks wait 120 s each
    assert {p.name: p.read_bytes() for p in report.iterdir()} == before
    assert not list(paths.out.glob(".staging-*"))
