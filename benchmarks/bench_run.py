"""The whole run at three sizes of quarterly city and two of monthly province, beside the
floor of papermill + nbconvert measured in the same invocation.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/bench_run.py                   # every size below
    .venv/bin/python benchmarks/bench_run.py --firms 400 20000 --monthly 20000  # chosen sizes
    .venv/bin/python benchmarks/bench_run.py --firms --monthly 200000           # one size

For each size it writes a sample city (`python -m analysis sample`: statistics and tax
workbooks for every quarter of last year and this year to Q3, and the offices' sources),
then, each in a fresh process:
  intake  `analysis.intake.ingest.ingest` from an empty cache; rows/s = rows read ÷ its seconds
  run     `python -m analysis run` from an empty cache: intake, notebooks, HTML, tables
  rerun   the same command again, unchanged: the report is reused
A monthly province (`sample --monthly`: every published month, 1-2月 … 1-12月 of last
year and 1-2月 … 1-10月 of this year, 20 periods, in the bureaus' layouts) is measured the
same way for its 1-10月 report, and besides:
  month+  this year's 1-10月 statistics and tax files held back, the intake run into an
          empty cache, then run again with them added: seconds, and files parsed again
The floor, measured once in the same invocation, is as many trivial notebooks as the run
executes (parameters, imports, one chart) through papermill with the runner's worker
count, then rendered by nbconvert. Peak memory is sampled every SAMPLE seconds with psutil
over the process and all its descendants (kernels included), two ways: the highest sum of
resident memory (RSS), where a page shared by several processes counts once per process
(the readers and the kernels are forked, and share their parent's pages until written),
so it errs high; and the highest sum of proportional memory (PSS: a shared page divided
among the processes sharing it), which is what the tree takes from the machine.
"""

import argparse
import contextlib
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from analysis.run import runner

SIZES = [400, 20_000, 200_000]
MONTHLY = [20_000, 200_000]
MONTH = 10  # the monthly province's report: this year's 1-10月
SAMPLE = 0.2  # seconds between samples of the process tree's memory

INTAKE = """
import json, sys, time
from pathlib import Path
from analysis.intake.ingest import ingest
started = time.perf_counter()
period = sys.argv[3] if len(sys.argv) > 3 else None
intake = ingest(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]), period=period)
parsed = intake.reading[intake.reading["action"] == "解析"]["file"]
print(json.dumps({"seconds": time.perf_counter() - started,
                  "rows": int(intake.files["rows_read"].sum()),
                  "parsed_rows": int(intake.files.loc[intake.files["file"].isin(parsed),
                                                      "rows_read"].sum()),
                  "parsed": len(parsed)}))
"""

FLOOR = """
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import nbformat, papermill
from nbconvert import HTMLExporter
folder, count, workers = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
cell = nbformat.v4.new_code_cell("quarter = 3")
cell.metadata["tags"] = ["parameters"]
book = nbformat.v4.new_notebook(cells=[
    nbformat.v4.new_markdown_cell("# 地板"),
    cell,
    nbformat.v4.new_code_cell("import pandas as pd\\nimport matplotlib.pyplot as plt"),
    nbformat.v4.new_code_cell("pd.Series([1, 3, 2]).plot(title=str(quarter)); plt.show()"),
])
book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                               "language": "python"}
names = [f"floor_{i}.ipynb" for i in range(count)]
for name in names:
    nbformat.write(book, folder / name)
def execute(name):
    papermill.execute_notebook(str(folder / name), str(folder / f"out_{name}"),
                               parameters={"quarter": 4}, kernel_name="python3",
                               progress_bar=False, cwd=str(folder))
with ThreadPoolExecutor(max_workers=min(workers, count)) as pool:
    list(pool.map(execute, names))
for name in names:
    body, _ = HTMLExporter(exclude_input=True).from_filename(str(folder / f"out_{name}"))
    (folder / name.replace(".ipynb", ".html")).write_text(body, encoding="utf-8")
"""


def tree_memory(root: psutil.Process) -> tuple[int, int]:
    """Resident and proportional bytes (RSS, PSS) of a process and its descendants; one
    that has just ended counts 0."""
    rss = pss = 0
    with contextlib.suppress(psutil.NoSuchProcess):
        for each in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
                memory = each.memory_full_info()
                rss, pss = rss + memory.rss, pss + memory.pss
    return rss, pss


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def measured(command: list[str]) -> dict:
    """Wall seconds, CPU seconds, the process tree's peak resident memory (MB) and the last
    line of stdout of one command in a fresh process. CPU seconds count the processes
    waited for (the command's, its readers', nbconvert's): on a machine shared with other
    work they change little where wall seconds double."""
    cpu = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    root, peak, peak_pss = psutil.Process(process.pid), 0, 0
    while process.poll() is None:
        rss, pss = tree_memory(root)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(SAMPLE)
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(f"{' '.join(command[:4])} … failed ({process.returncode}):\n{stderr}")
    lines = stdout.strip().splitlines()
    return {
        "seconds": seconds,
        "cpu_s": _children_cpu() - cpu,
        "peak_mb": peak / 2**20,
        "peak_pss_mb": peak_pss / 2**20,
        "last": lines[-1] if lines else "",
    }


def floor(folder: Path) -> dict:
    folder.mkdir()
    count, workers = len(runner.NOTEBOOKS), runner.WORKERS
    return measured([sys.executable, "-c", FLOOR, str(folder), str(count), str(workers)])


def intake(raw: Path, cache: Path, period: str | None = None) -> dict:
    """The intake alone in a fresh process: its seconds and peak, rows read and parsed."""
    found = measured([sys.executable, "-c", INTAKE, str(raw), str(cache), *filter(None, [period])])
    peaks = {"peak_mb": found["peak_mb"], "peak_pss_mb": found["peak_pss_mb"]}
    return json.loads(found["last"]) | peaks | {"cpu_s": found["cpu_s"]}


def added_month(raw: Path, folder: Path) -> dict:
    """This year's last statistics and tax files held back, the intake into an empty cache;
    then the intake again with them added: what a province's monthly update costs."""
    held = folder / "held"
    held.mkdir()
    newest = [p for p in raw.rglob(f"*年1-{MONTH}月*") if p.parent.name in ("统计局", "税务局")]
    newest = [p for p in newest if p.name.startswith(str(max(int(q.name[:4]) for q in newest)))]
    for path in newest:
        path.rename(held / f"{path.parent.name}-{path.name}")
    cache = folder / "month_cache"
    intake(raw, cache, "latest")
    for path, back in zip(sorted(held.iterdir()), sorted(newest), strict=True):
        path.rename(back)
    return intake(raw, cache, "latest")


def written(firms: int, raw: Path, monthly: bool, samples: Path | None) -> float:
    """The sample city written to `raw` (seconds); with `samples`, one written there by an
    earlier invocation is copied instead (0 s: generating 8M rows takes longer than the
    run it feeds on a busy machine) and a new one is kept there."""
    kept = samples / f"{firms}{'-monthly' if monthly else ''}" if samples else None
    if kept and (kept / "written").exists():
        shutil.copytree(kept / "raw", raw)
        return 0.0
    shape = ["--month", str(MONTH), "--monthly"] if monthly else []
    python = [sys.executable, "-m", "analysis"]
    seconds = measured([*python, "sample", "--out", str(raw), "--firms", str(firms), *shape])
    if kept:
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(raw, kept / "raw")
        (kept / "written").touch()
    return seconds["seconds"]


def city(firms: int, folder: Path, monthly: bool = False, samples: Path | None = None) -> dict:
    """One size: the sample written, the intake alone, the full run and the rerun; for a
    monthly province also the intake after adding a month to a cached one."""
    raw, out, processed = folder / "raw", folder / "reports", folder / "processed"
    python = [sys.executable, "-m", "analysis"]
    sample = {"seconds": written(firms, raw, monthly, samples)}
    read = intake(raw, folder / "intake_cache", "latest" if monthly else None)
    month = added_month(raw, folder) if monthly else None
    run = [*python, "run", "--raw", str(raw), "--out", str(out), "--processed", str(processed)]
    full = measured(run)
    again = measured(run)
    pages = [p.stat().st_size for p in out.rglob("*.html")]
    return {
        "sample_s": sample["seconds"],
        "rows": read["rows"],
        "rows_per_s": read["parsed_rows"] / read["seconds"],
        "intake_s": read["seconds"],
        "intake_mb": read["peak_mb"],
        "intake_pss_mb": read["peak_pss_mb"],
        "run_s": full["seconds"],
        "run_cpu_s": full["cpu_s"],
        "intake_cpu_s": read["cpu_s"],
        "peak_mb": full["peak_mb"],
        "peak_pss_mb": full["peak_pss_mb"],
        "page_mb": max(pages) / 2**20,
        "rerun_s": again["seconds"],
        "month": month,
    }


def main(sizes: list[int], monthly: list[int], samples: Path | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = floor(Path(tmp) / "floor")
    print(
        f"floor: {len(runner.NOTEBOOKS)} trivial notebooks, {runner.WORKERS} workers: "
        f"{base['seconds']:.1f} s ({base['cpu_s']:.1f} CPU-s), peak {base['peak_mb']:.0f} MB "
        "(process tree)",
        flush=True,
    )
    print(
        f"{'firms':>16} | {'rows':>9} | {'sample s':>8} | {'intake s':>8} | "
        f"{'intake rows/s':>13} | {'intake MB RSS/PSS':>17} | {'run s':>7} | {'× floor':>7} | "
        f"{'run CPU-s':>9} | {'peak MB RSS/PSS':>15} | {'largest page MB':>15} | {'rerun s':>7} | "
        "month+ s (CPU-s, files parsed)"
    )
    cities = [(n, False) for n in sizes] + [(n, True) for n in monthly]
    for firms, by_month in cities:
        with tempfile.TemporaryDirectory() as tmp:
            r = city(firms, Path(tmp), by_month, samples)
        label = f"{firms:,} monthly" if by_month else f"{firms:,}"
        month = r["month"]
        added = (
            f"{month['seconds']:.1f} ({month['cpu_s']:.0f} CPU-s, {month['parsed']})"
            if month
            else "-"
        )
        intake_s = f"{r['intake_s']:.1f} ({r['intake_cpu_s']:.0f} CPU-s)"
        intake_mb = f"{r['intake_mb']:.0f} / {r['intake_pss_mb']:.0f}"
        peak_mb = f"{r['peak_mb']:.0f} / {r['peak_pss_mb']:.0f}"
        print(
            f"{label:>16} | {r['rows']:>9,} | {r['sample_s']:>8.1f} | {intake_s:>8} | "
            f"{r['rows_per_s']:>13,.0f} | {intake_mb:>17} | {r['run_s']:>7.1f} | "
            f"{r['run_s'] / base['seconds']:>7.2f} | {r['run_cpu_s']:>9.1f} | "
            f"{peak_mb:>15} | {r['page_mb']:>15.2f} | {r['rerun_s']:>7.1f} | {added}",
            flush=True,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, nargs="*", default=SIZES, help="city sizes")
    parser.add_argument(
        "--monthly", type=int, nargs="*", default=MONTHLY, help="monthly province sizes"
    )
    parser.add_argument(
        "--samples",
        type=Path,
        help="folder where written sample cities are kept and reused (sample s shows 0)",
    )
    args = parser.parse_args()
    main(args.firms, args.monthly, args.samples)
