"""The quarterly run: ingest, execute every report notebook, render, and publish at once.

Outputs are built in a staging folder beside the report and moved into place only when
every step succeeded, so a failed run leaves the previous report as it was.
"""

import logging
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import papermill
import yaml

from analysis import config, formatting, render, store, targets
from analysis.errors import NotebookFailed
from analysis.ingest import ingest
from analysis.periods import Quarter

NOTEBOOKS = {
    "01_data_quality.ipynb": "数据导入与质量",
    "02_firm_tiers.ipynb": "企业分档与培育",
    "03_scorecard.ipynb": "十大计划目标考核",
}
log = logging.getLogger("analysis.run")
TIERS_CSV_COLUMNS = ["credit_code", "name", "industry", "revenue_ytd", "tax_ytd", "rd_ytd"]


@dataclass
class RunPaths:
    raw: Path = config.RAW_DIR
    out: Path = config.REPORTS_DIR
    processed: Path = config.PROCESSED_DIR
    params: Path = config.PARAMS_DIR
    notebooks: Path = config.NOTEBOOKS_DIR


def run_ingest(paths: RunPaths):
    """Read the raw folder and save the tidy intake to the processed folder."""
    intake = ingest(paths.raw, paths.params)
    store.write_intake(intake, paths.processed)
    return intake


def resolve_quarter(text: str, panel) -> Quarter:
    return store.latest_quarter(panel) if text == "latest" else Quarter.parse(text)


@contextmanager
def _run_log(path: Path):
    """Send the run's log lines, and the kernels' start-up chatter on stderr, to a file.

    Kernels inherit the process's stderr file descriptor, so it is redirected at that
    level; a scheduler's terminal then shows only the final line.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as stream:
        os.dup2(stream.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            log.removeHandler(handler)
            handler.close()


def _execute(name: str, staging: Path, parameters: dict, paths: RunPaths, failed_dir: Path):
    output = staging / name
    try:
        papermill.execute_notebook(
            str(paths.notebooks / name),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
            cwd=str(paths.notebooks),
        )
    except papermill.PapermillExecutionError as exc:
        failed_dir.mkdir(parents=True, exist_ok=True)
        kept = failed_dir / name
        shutil.copy2(output, kept)
        log.error("%s failed at cell %s: %s: %s", name, exc.exec_count, exc.ename, exc.evalue)
        raise NotebookFailed(name, exc.exec_count, f"{exc.ename}: {exc.evalue}", kept) from exc


def _write_parameters(path: Path, q: Quarter, paths: RunPaths, report_dir: Path) -> dict:
    """The notebooks' parameters as a YAML file, read back so that what the notebooks get
    is exactly what `papermill -f parameters.yaml` would give them: typed, never guessed."""
    values = {
        "year": q.year,
        "quarter": q.quarter,
        "raw_dir": str(Path(paths.raw).resolve()),
        "processed_dir": str(Path(paths.processed).resolve()),
        "params_dir": str(Path(paths.params).resolve()),
        "out_dir": str(report_dir),
    }
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_tables(data: store.QuarterData, folder: Path) -> None:
    """scorecard.csv, tiers.csv and quarantine.csv, computed the same way as the notebooks."""
    card = data.scorecard()
    card[targets.SCORECARD_COLUMNS].to_csv(
        folder / "scorecard.csv", index=False, encoding="utf-8-sig"
    )
    tier_cols = [c for c in data.firms.columns if c not in TIERS_CSV_COLUMNS]
    data.firms[TIERS_CSV_COLUMNS + tier_cols].to_csv(
        folder / "tiers.csv", index=False, encoding="utf-8-sig"
    )
    data.intake.quarantine.to_csv(folder / "quarantine.csv", index=False, encoding="utf-8-sig")
    title = f"工业振兴十大计划 {data.quarter.label} 监测报告"
    pages = [(label, name.replace(".ipynb", ".html")) for name, label in NOTEBOOKS.items()]
    rows = formatting.scorecard_rows(card, data.plan_names)
    (folder / "index.html").write_text(render.index_page(title, rows, pages), encoding="utf-8")


def _publish(staging: Path, final: Path) -> None:
    """Swap the finished staging folder into place; the old report goes only after."""
    retired = final.with_name(f".retired-{final.name}")
    shutil.rmtree(retired, ignore_errors=True)
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)


def run(quarter: str = "latest", paths: RunPaths | None = None) -> Path:
    """Produce the report folder OUT/<quarter>/ and return it."""
    paths = paths or RunPaths()
    intake = run_ingest(paths)
    q = resolve_quarter(quarter, intake.panel)
    data = store.load_quarter(q.year, q.quarter, paths.processed, paths.params)
    out = Path(paths.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    staging = out / f".staging-{q}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        parameters = _write_parameters(staging / "parameters.yaml", q, paths, out / str(q))
        log_path = staging / "run.log"
        with _run_log(log_path):
            log.info("run %s: raw=%s, %d firm-period rows", q, paths.raw, len(intake.panel))
            for name in NOTEBOOKS:
                started = datetime.now()
                _execute(name, staging, parameters, paths, out / "failed" / str(q))
                render.notebook_to_html(staging / name, staging / name.replace(".ipynb", ".html"))
                log.info("%s done in %.1fs", name, (datetime.now() - started).total_seconds())
            write_tables(data, staging)
        _publish(staging, out / str(q))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out / str(q)
