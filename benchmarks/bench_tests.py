"""Where `make test`'s time goes: its wall time, the CPU-seconds of every process it
starts by kind (pytest workers, kernels, Chromium, LibreOffice, command-line runs…), the
cores left idle, and the CPU taken meanwhile by processes outside the suite (another job
on the machine makes the wall time a figure of that machine, not of the suite).

Run by hand (not part of the test suite), from the project root, on a fresh clone:

    .venv/bin/python benchmarks/bench_tests.py                 # make test
    .venv/bin/python benchmarks/bench_tests.py -- TEST_WORKERS=3

`time` cannot give this: forked kernels are reaped by the system (run/forkserver.py) and
Chromium's processes by their own parent, so the CPU-seconds `time` reports leave out
about a quarter of the work. Here every process is read from /proc every SAMPLE seconds;
one that lives less than that between two readings is missed (a bash wrapper, a pdftotext).
Matplotlib's cache is an empty folder, as on a new machine.
"""

import argparse
import os
import re
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

SAMPLE = 0.3
TICK = os.sysconf("SC_CLK_TCK")
KINDS = [  # first match wins: (pattern in the command line, kind)
    (r"chrom|headless_shell", "Chromium"),
    (r"soffice|oosplash", "LibreOffice"),
    (r"analysis\.run\.forkserver", "kernels forked by the runs (and their fork servers)"),
    (r"ipykernel_launcher", "kernels launched (papermill by hand, tests of kernels)"),
    (r"-m analysis ", "command-line runs (python -m analysis)"),
    (r"papermill", "papermill's command line"),
    (r"playwright|/node ", "Playwright's driver"),
    (r"exec\(eval", "pytest-xdist workers (and the intake's readers they fork)"),
    (r"pytest", "pytest's controller"),
    (r"jupyter", "JupyterLab"),
]


def kind(command: str) -> str:
    return next((name for pattern, name in KINDS if re.search(pattern, command)), "other")


def processes() -> dict[tuple[int, str], tuple[int, float, str]]:
    """(pid, start time) → (parent pid, CPU-seconds so far, command line), for every process."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            command = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        cpu = (int(fields[11]) + int(fields[12])) / TICK
        found[(int(entry), fields[19])] = (int(fields[1]), cpu, command)
    return found


def busy_and_idle() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return sum(values) - values[3] - values[4], values[3] + values[4]


def measure(command: list[str], cwd: Path, env: dict) -> dict:
    """Run `command`, reading /proc meanwhile: its wall time and exit status, CPU-seconds by
    kind for its processes (a process is the suite's if its parent was when first seen),
    CPU-seconds of the machine's other processes, and idle core-seconds."""
    before = processes()
    cpu = {key: value[1] for key, value in before.items()}  # the last reading of each
    suite: set[tuple[int, str]] = set()
    used: Counter = Counter()
    busy0, idle0 = busy_and_idle()
    started = time.monotonic()
    job = subprocess.Popen(command, cwd=cwd, env=env)
    ours = {job.pid}
    while True:
        done = job.poll() is not None
        now = processes()
        for key in sorted(now, key=lambda k: int(k[1])):  # a parent before its children
            parent, seconds, line = now[key]
            if key[0] == os.getpid():
                continue  # these readings
            if key not in cpu and (parent in ours or key[0] == job.pid):
                suite.add(key)
            if key in suite:
                ours.add(key[0])
            used[kind(line) if key in suite else "elsewhere"] += seconds - cpu.get(key, 0.0)
            cpu[key] = seconds
        if done:
            break
        time.sleep(SAMPLE)
    wall = time.monotonic() - started
    busy1, idle1 = busy_and_idle()
    cores = os.cpu_count() or 1
    return dict(
        status=job.returncode,
        wall=wall,
        used=used,
        idle=(idle1 - idle0) / TICK,
        busy=(busy1 - busy0) / TICK,
        cores=cores,
    )


def main(extra: list[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as mpl:
        env = os.environ | {"MPLCONFIGDIR": mpl}
        got = measure(["make", "test", *extra], root, env)
    used = got["used"]
    elsewhere = used.pop("elsewhere", 0.0)
    total = sum(used.values())
    minutes, seconds = divmod(got["wall"], 60)
    named = " ".join(["make test", *extra])
    print(f"{named}: exit {got['status']}, {int(minutes)} min {seconds:.0f} s")
    print(f"CPU-seconds of the suite's processes: {total:.0f}")
    for name, seconds_used in used.most_common():
        print(f"  {seconds_used:7.1f}  {name}")
    print(f"idle core-seconds: {got['idle']:.0f} of {got['cores'] * got['wall']:.0f}")
    print(f"CPU-seconds of other processes on the machine meanwhile: {elsewhere:.0f}")
    print(f"floor at this work: {total / got['cores']:.0f} s (all cores busy, none idle)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("make_args", nargs="*", help="after --, passed on to make")
    main(parser.parse_args().make_args)
