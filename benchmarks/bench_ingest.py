"""Ingest speed and memory against plain pandas+openpyxl and fastexcel's bare read.

Run by hand (not part of the test suite):

    .venv/bin/python benchmarks/bench_ingest.py            # 10k, 100k and 500k rows
    .venv/bin/python benchmarks/bench_ingest.py 10000      # chosen sizes
    .venv/bin/python benchmarks/bench_ingest.py --folder DIR   # a whole raw folder

With --folder, the suite alone reads a raw folder (a sample city) REPEAT times into an
empty cache, and prints rows/s by the wall clock and by CPU time (its reading processes
included), and the peak memory of the intake's process and of its largest reader.

For each size it writes a statistics-bureau workbook (title row, unit line, header,
numbers partly stored as text with separators, a total row, notes), then times, each in
a fresh process so peak memory is its own:
  suite     analysis.intake.ingest.ingest — detection, normalisation, validation, joining and
            writing the Parquet cache (an empty cache, so the file is really parsed)
  openpyxl  pandas.read_excel(engine="openpyxl"), the usual way
  floor     fastexcel's bare read of the sheet to Arrow
and prints rows/s, the ratios and peak resident memory. This machine's timings vary by
±20% from run to run, so the suite and the floor are each run REPEAT times, interleaved,
and the best time counts (as timeit does); memory is the highest peak seen. openpyxl,
minutes per run at 500k rows, is run once.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import openpyxl

from analysis.intake.codes import check_char

SIZES = [10_000, 100_000, 500_000]
REPEAT = 3
INDUSTRIES = ["海洋工业", "现代制造业", "金属冶炼加工业", "新兴产业", "农(海)产品深加工"]

MEASURE = {  # name: (imports, timed call); imports are outside the timing, inside the memory
    "suite": (
        "from analysis.intake.ingest import ingest",
        "ingest(Path(FOLDER), cache_dir=Path(CACHE))",
    ),
    "openpyxl": ("import pandas as pd", "pd.read_excel(FILE, engine='openpyxl', header=2)"),
    "floor": (
        "import fastexcel",
        "fastexcel.read_excel(FILE).load_sheet(0, header_row=2).to_arrow()",
    ),
}
CHILD = """
import json, resource, sys, time
from pathlib import Path
FOLDER, FILE, CACHE = sys.argv[1], sys.argv[2], sys.argv[3]
{imports}
started, cpu = time.perf_counter(), time.process_time()
result = {call}
seconds = time.perf_counter() - started
readers = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({{"seconds": seconds,
                   "cpu": time.process_time() - cpu + readers.ru_utime + readers.ru_stime,
                   "rows": int(result.files["rows_read"].sum()) if hasattr(result, "files") else 0,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                   "reader_mb": readers.ru_maxrss / 1024}}))
"""


def _code(i: int) -> str:
    body = f"91371082{i:09d}"
    return body + check_char(body)


def write_workbook(path: Path, rows: int) -> None:
    """A bureau-layout workbook of `rows` firms, written in openpyxl's streaming mode."""
    rng = np.random.default_rng(rows)
    revenue = np.round(rng.lognormal(8.5, 1.2, rows), 2)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("规上工业")
    sheet.append(["2026年1-9月全市规模以上工业企业主要经济指标"])
    sheet.append(["填报单位：海阳市统计局", None, None, None, None, None, "单位：万元"])
    sheet.append(
        [
            "序号",
            "统一社会信用代码",
            "企业名称",
            "所属行业",
            "营业收入本年累计",
            "营业收入上年同期",
            "研发费用本年累计",
            "研发费用上年同期",
            "从业人员期末人数",
        ]
    )
    sheet.append([None, None, "合计", None, float(revenue.sum())])
    for i in range(rows):
        value = revenue[i]
        sheet.append(
            [
                i + 1,
                _code(i),
                f"海阳第{i}机械制造有限公司",
                INDUSTRIES[i % 5],
                f"{value:,.2f}" if i % 10 == 0 else value,
                round(value * 0.9, 2),
                round(value * 0.02, 2),
                round(value * 0.018, 2),
                int(20 + i % 900),
            ]
        )
    sheet.append(["注：本表为快报数据。"])
    book.save(path)


def measure(name: str, folder: Path, file: Path, cache: Path) -> dict:
    imports, call = MEASURE[name]
    script = CHILD.format(imports=imports, call=call)
    shutil.rmtree(cache, ignore_errors=True)  # every suite run parses the file for real
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder), str(file), str(cache)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    return {"seconds": min(r["seconds"] for r in runs), "peak_mb": max(r["peak_mb"] for r in runs)}


def main(sizes: list[int]) -> None:
    print(
        f"{'rows':>8} | {'suite rows/s':>12} {'MB':>6} | {'openpyxl rows/s':>15} {'MB':>6} | "
        f"{'floor rows/s':>12} {'MB':>6} | {'suite/floor':>11} {'suite/openpyxl':>14}"
    )
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "raw"
            folder.mkdir()
            file = folder / f"2026年1-9月主要指标_{rows}.xlsx"
            started = time.perf_counter()
            write_workbook(file, rows)
            written = time.perf_counter() - started
            cache = Path(tmp) / "cache"
            runs = {"suite": [], "floor": []}
            for _ in range(REPEAT):
                for name, found in runs.items():
                    found.append(measure(name, folder, file, cache))
            result = {name: best(found) for name, found in runs.items()}
            result["openpyxl"] = measure("openpyxl", folder, file, cache)
        rate = {n: rows / r["seconds"] for n, r in result.items()}
        print(
            f"{rows:>8,} | {rate['suite']:>12,.0f} {result['suite']['peak_mb']:>6.0f} | "
            f"{rate['openpyxl']:>15,.0f} {result['openpyxl']['peak_mb']:>6.0f} | "
            f"{rate['floor']:>12,.0f} {result['floor']['peak_mb']:>6.0f} | "
            f"{rate['suite'] / rate['floor']:>11.2f} {rate['suite'] / rate['openpyxl']:>14.1f}"
            f"   (workbook written in {written:.0f}s)",
            flush=True,
        )


def folder(raw: Path) -> None:
    """The suite on a whole raw folder, from an empty cache each time."""
    with tempfile.TemporaryDirectory() as tmp:
        runs = [measure("suite", raw, raw, Path(tmp) / "cache") for _ in range(REPEAT)]
    for run in runs:
        print(
            f"{run['rows']:,} rows in {run['seconds']:.1f} s wall, {run['cpu']:.1f} s CPU: "
            f"{run['rows'] / run['seconds']:,.0f} rows/s (wall), "
            f"{run['rows'] / run['cpu']:,.0f} rows/s (CPU); peak {run['peak_mb']:,.0f} MB "
            f"(largest reader {run['reader_mb']:,.0f} MB)",
            flush=True,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--folder"]:
        folder(Path(sys.argv[2]))
    else:
        main([int(a) for a in sys.argv[1:]] or SIZES)
