"""The report run: ingest, build the period's products once (products.py), execute the
report notebooks side by side on them, render, publish.

Made to be left to a scheduler:
- one run per output folder (lock.py); a second run says which run holds it and stops;
- the report is built in a staging folder and moved into place only when every step
  succeeded, so a failed or killed run leaves the last good report as it was; failed
  notebooks are kept, with papermill's error banner, in failed/<period>/;
- each run logs to OUT/logs/ (kernels' chatter included); the terminal gets one line,
  and a progress bar when there is a terminal to draw it on;
- a rerun with unchanged inputs, parameters and code reuses the report (manifest.py).
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import sys
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from analysis import config
from analysis.errors import InputFileError, NoDataError, NotebookFailed
from analysis.intake.periods import Period
from analysis.measures.disclosure import EDITIONS
from analysis.report import render
from analysis.run import lock, manifest
from analysis.run.interruption import Interruption


class _OnFirstUse:
    """A module imported when one of its names is first used. A run needs pandas, Arrow,
    openpyxl and Jupyter's kernels through these; the reuse of an unchanged report needs
    none of them, and their import would be most of its time."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)


bulletin, document, firm_workbook, formatting = (
    _OnFirstUse(f"analysis.report.{name}")
    for name in ("bulletin", "document", "firm_workbook", "formatting")
)
products, store, targets = (
    _OnFirstUse(f"analysis.measures.{name}") for name in ("products", "store", "targets")
)
kernels = _OnFirstUse("analysis.run.kernels")
params = _OnFirstUse("analysis.params")
yaml = _OnFirstUse("yaml")

NOTEBOOKS = {
    "01_data_quality.ipynb": "数据导入与质量",
    "02_firm_tiers.ipynb": "企业分档与培育",
    "03_scorecard.ipynb": "十大计划目标考核",
    "04_industries.ipynb": "产业助推：七大主导产业",
    "05_projects.ipynb": "百企改造与项目倍增",
    "06_innovation.ipynb": "科技强企",
    "07_financing.ipynb": "融资突破",
    "08_reform_people.ipynb": "减负提速、素质提升与温暖激励",
    "09_bulletin.ipynb": "督查通报",
    "10_warnings.ipynb": "预警",
}
WORKERS = 3  # the notebooks are independent: one kernel each, all at once
log = logging.getLogger("analysis.run")
PRODUCTS = "products"  # the staging folder's sub-folder of products (products.py)
TIERS_CSV_COLUMNS = ["credit_code", "name", "industry", "revenue_ytd", "tax_ytd", "rd_ytd"]


@dataclass
class RunPaths:
    raw: Path = config.RAW_DIR
    out: Path = config.REPORTS_DIR
    processed: Path = config.PROCESSED_DIR
    params: Path = config.PARAMS_DIR
    notebooks: Path = config.NOTEBOOKS_DIR


@dataclass
class RunResult:
    folder: Path  # the published report
    reused: bool  # nothing had changed: the report of an earlier run was kept
    manifest: dict


def run_ingest(paths: RunPaths):
    """Read the raw folder and save the tidy intake to the processed folder."""
    from analysis.intake.ingest import ingest

    intake = ingest(paths.raw, paths.params, cache_dir(paths))
    store.write_intake(intake, paths.processed)
    return intake


def _asked(period: str) -> Period | str | None:
    """The period whose files the intake parses: 'latest' (the intake finds it from the
    files' heads), a period, or None (every file) for a name the run will refuse anyway."""
    if period == "latest":
        return period
    try:
        return Period.parse(period)
    except ValueError:
        return None


def _log_reading(reading) -> None:
    """What the intake did with each raw file, in the run's log: counts, then every file
    not parsed and why."""
    counts = reading["action"].value_counts()
    log.info(
        "ingest: %d files parsed, %d from the cache, %d not parsed (periods the report does "
        "not read)",
        *(int(counts.get(a, 0)) for a in ("解析", "取自缓存", "未解析")),
    )
    for row in reading[reading["action"] == "未解析"].itertuples():
        log.info("ingest: not parsed %s: %s", row.file, row.reason)


def cache_dir(paths: RunPaths) -> Path:
    """Parsed raw files, by checksum, beside the processed tables (see cache.py)."""
    return Path(paths.processed) / "cache"


def resolve_period(text: str, panel) -> Period:
    """The period asked for ('latest', '2026-10', '2026Q3' …), refused when the data lack it."""
    if text == "latest":
        return store.latest_period(panel)
    try:
        period = Period.parse(text)
    except ValueError as exc:
        raise NoDataError(str(exc)) from exc
    store.require(panel, period)
    return period


def edition_root(out: Path, edition: str) -> Path:
    """Where an edition's reports live: OUT for the internal one, OUT/public for the
    public one, so that folder can be handed out whole."""
    return Path(out) if edition == "internal" else Path(out) / "public"


def run(
    period: str = "latest",
    paths: RunPaths | None = None,
    edition: str = "internal",
    force: bool = False,
) -> Path:
    """Produce the report folder and return it: OUT/2026Q3/ for a quarter's end, OUT/2026-10/
    for any other month (OUT/public/… for the public edition)."""
    return produce(period, paths, edition, force).folder


def produce(
    period: str = "latest",
    paths: RunPaths | None = None,
    edition: str = "internal",
    force: bool = False,
) -> RunResult:
    """The whole run; see the module's docstring for what it guarantees."""
    if edition not in EDITIONS:
        raise ValueError(f"edition must be one of {EDITIONS}, got {edition!r}")
    paths = paths or RunPaths()
    notebooks = {name: Path(paths.notebooks) / name for name in NOTEBOOKS}
    missing = [name for name, path in notebooks.items() if not path.is_file()]
    if missing:
        raise InputFileError(
            paths.notebooks, f"缺少报告笔记本 / report notebooks missing: {'、'.join(missing)}"
        )
    remembered = cache_dir(paths) / "raw-checksums.json"  # manifest.raw_checksums
    gathered, entries = manifest.gather(paths.raw, paths.params, notebooks, remembered)
    unchanged = None if force else _unchanged(period, paths, edition, gathered)
    if unchanged:
        manifest.remember(remembered, entries)
        return unchanged
    params.check(paths.params)  # a broken parameter file stops the run before any kernel
    lock.refuse_if_held(Path(paths.out).resolve())  # …and so does another run
    # The first kernels start now, while the intake keeps one core busy (kernels.py).
    with (
        Interruption() as interruption,
        kernels.WarmKernels(list(notebooks.values()), WORKERS, paths.notebooks) as warm,
    ):
        return _ingest_and_run(
            period, paths, edition, force, gathered, warm, interruption, remembered, entries
        )


def _ingest_and_run(
    period, paths, edition, force, gathered, warm, interruption, remembered, entries
):
    from analysis.intake.ingest import ingest

    with warnings.catch_warnings(record=True) as caught:  # logged once the log is open
        warnings.simplefilter("always")
        # Unclosed event loops etc. collected meanwhile are not about the data.
        warnings.simplefilter("ignore", ResourceWarning)
        # only the files of the periods the report reads are parsed; bad input stops it here
        intake = ingest(paths.raw, paths.params, cache_dir(paths), _asked(period))
        q = resolve_period(period, intake.panel)
    interruption.check()
    manifest.remember(remembered, entries)  # every file was usable
    out = Path(paths.out).resolve()
    with lock.hold(out, period=str(q), edition=edition):
        log_path = _log_path(out, q, edition)
        with _run_log(log_path) as terminal:
            for warning in caught:
                log.warning("ingest: %s", warning.message)
            _log_reading(intake.reading)
            try:
                run = _Run(intake, q, paths, edition, log_path, terminal, warm, interruption)
                return _locked_run(run, force, gathered)
            except BaseException:  # an interruption too
                log.exception("run %s (%s) stopped", q, edition)
                raise
            finally:
                sys.stderr.write(warm.close())  # the kernels' own lines, into the log


def _unchanged(period: str, paths: RunPaths, edition: str, gathered: dict) -> RunResult | None:
    """The published report when nothing that decides it has changed, told from checksums
    alone (manifest.py): before the intake, and before any library a run needs is
    imported. 'latest' is the period a report made from the same files recorded."""
    root = edition_root(Path(paths.out).resolve(), edition)
    asked = manifest.latest(root, gathered) if period == "latest" else period
    if asked is None:
        return None  # no report says which period 'latest' is: the intake will
    try:
        q = Period.parse(asked)
    except ValueError:
        return None  # the run refuses it, naming the periods the data hold
    decided = dict(period=str(q), edition=edition, parameters=_parameters(q, paths, edition))
    fingerprint = manifest.fingerprint(decided | gathered)
    if not manifest.reusable(root / str(q), fingerprint):
        return None
    out = Path(paths.out).resolve()
    with lock.hold(out, period=str(q), edition=edition), _run_log(_log_path(out, q, edition)):
        return _reused(root, q, fingerprint)  # None if a run replaced it meanwhile


def _reused(root: Path, q: Period, fingerprint: str) -> RunResult | None:
    """The report of `q` if it was made from exactly the same, with its list of earlier
    periods brought up to date (reports published since are added)."""
    report = root / str(q)
    previous = manifest.reusable(report, fingerprint)
    if not previous:
        return None
    log.info("%s reused: inputs, parameters and code as at %s", report, previous["finished"])
    render.refresh_every_index(root)  # reports published or removed since
    return RunResult(report, True, previous)


def _log_path(out: Path, q: Period, edition: str) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return out / "logs" / f"{stamp}-{q}-{edition}.log"


@contextmanager
def _run_log(path: Path):
    """Send the run's log lines, and everything written to stderr, to the run's log file.

    Kernels inherit the process's stderr file descriptor, so it is redirected at that
    level; a scheduler's terminal then shows only the final line. Yields the terminal's
    stderr when it is a terminal (for a progress bar), else None.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    sys.stderr.flush()
    saved = os.dup(2)
    terminal = os.fdopen(os.dup(saved), "w", encoding="utf-8") if os.isatty(saved) else None
    with open(path, "ab") as stream:
        os.dup2(stream.fileno(), 2)
        try:
            yield terminal
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            if terminal:
                terminal.close()
            log.removeHandler(handler)
            handler.close()


@dataclass
class _Run:
    """What a run under the lock works with."""

    intake: object  # intake.ingest.Intake
    q: Period
    paths: RunPaths
    edition: str
    log_path: Path
    terminal: object  # the terminal's stream for a progress bar, or None
    warm: kernels.WarmKernels
    interruption: Interruption


def _locked_run(run: _Run, force: bool, gathered: dict) -> RunResult:
    """The period's products are built once; the notebooks then run on them while this
    process writes the data files and renders each page as its notebook finishes."""
    from analysis.intake.ingest import give_back

    q, paths, edition = run.q, run.paths, run.edition
    root = edition_root(Path(paths.out).resolve(), edition)
    root.mkdir(parents=True, exist_ok=True)
    _recover(root)
    report, staging, failed = root / str(q), root / f".staging-{q}", root / "failed" / str(q)
    parameters = _parameters(q, paths, edition)
    latest = str(store.latest_period(run.intake.panel))
    note = targets.targets_note(q.year, params.target_years(paths.params))
    record = manifest.new(
        str(q), edition, parameters, gathered, run.intake.files, paths.raw, latest, note
    )
    # a report _recover put back, or one published since produce() looked
    reused = None if force else _reused(root, q, record["fingerprint"])
    if reused:
        return reused
    log.info(
        "run %s (%s): raw=%s, %d firm-period rows", q, edition, paths.raw, len(run.intake.panel)
    )
    store.write_intake(run.intake, paths.processed)
    shutil.rmtree(failed, ignore_errors=True)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        _write_parameters(staging / "parameters.yaml", parameters)
        data = store.period_data(run.intake, q, paths.params)
        built = staging / PRODUCTS  # computed once, read by every notebook; never published
        started = time.monotonic()
        made = products.build(data, built, paths.params)
        give_back()  # the build's passing tables, before the kernels need memory
        run.interruption.check()
        card = made.table("scorecard" if edition == "internal" else "scorecard_public")
        log.info("products built in %.1fs", time.monotonic() - started)
        given = parameters | {"products_dir": str(built)}
        record["notebooks"] = {}
        page = render.Page(_title(q, paths.params), edition, _sections(), record)
        try:
            with _Execution(run, staging, given, failed) as execution:
                data_files = write_tables(data, staging, edition, made)
                contents = execution.render_each(page)
        except NotebookFailed:
            _keep_evidence(record, staging, failed, run.log_path)
            raise
        shutil.rmtree(built)
        earlier = render.other_periods(root, q)
        hidden = document.withheld(made, edition)
        write_index(data, staging, page, contents, data_files, earlier, card, hidden)
        manifest.write(manifest.finish(record, "done"), staging)
        run.interruption.check()  # nothing is published after a Ctrl-C
        log.info("publishing %s", report)
        shutil.copy2(run.log_path, staging / "run.log")
        if edition != "internal":  # a folder to hand out: no path of this machine in it
            folders = [Path(f).resolve() for f in (paths.out, paths.notebooks, paths.raw)]
            _drop_machine_paths(staging, [*parameters.values(), *folders])
        _publish(staging, report)
        render.refresh_every_index(root)  # the reports made before this one list it too
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RunResult(report, False, record)


def _parameters(q: Period, paths: RunPaths, edition: str) -> dict:
    return {
        "year": q.year,
        "month": q.month,
        "processed_dir": str(Path(paths.processed).resolve()),
        "params_dir": str(Path(paths.params).resolve()),
        "edition": edition,
    }


def _write_parameters(path: Path, values: dict) -> dict:
    """The notebooks' parameters as a YAML file, read back so that what the notebooks get
    is exactly what `papermill -f parameters.yaml` would give them: typed, never guessed."""
    path.write_text(yaml.safe_dump(values, allow_unicode=True), encoding="utf-8")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


class _Execution:
    """Every notebook executed at once, WORKERS at a time, each in a kernel of its own
    taken from the run's warm kernels (kernels.py). All are let finish, so every failing
    one is kept in failed/; the first failure in report order is raised. An interruption
    (Ctrl-C) stops them at once.

    Ctrl-C stops the executing kernels from its signal handler (interruption.py), not
    only where its KeyboardInterrupt lands: Python may drop that one."""

    def __init__(self, run: _Run, staging: Path, parameters: dict, failed: Path):
        self._run, self._staging, self._parameters, self._failed = run, staging, parameters, failed
        self._pool = ThreadPoolExecutor(max_workers=min(WORKERS, len(NOTEBOOKS)))
        self._lock = threading.RLock()  # also taken by Ctrl-C's handler, in this thread
        self._running: set = set()  # the kernels executing a notebook now
        self._interrupted = False

    def __enter__(self):
        self._run.interruption.on_interrupt(self._stop_now)
        self._run.interruption.check()  # one that came before: nothing is started
        self._futures = {self._pool.submit(self._execute, name): name for name in NOTEBOOKS}
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is not None and not issubclass(kind, Exception):
            self._stop_now()
        again = False
        while True:  # a failure meanwhile: the kernels still finish
            try:
                self._pool.shutdown(wait=True)
                break
            except KeyboardInterrupt:  # Ctrl-C while waiting for them
                self._stop_now()
                again = True
        if again or (self._run.interruption.happened and kind is not KeyboardInterrupt):
            raise KeyboardInterrupt  # also in place of the failures the interruption caused

    def _stop_now(self) -> None:
        """Kill the notebooks' kernels and start no other."""
        with self._lock:
            self._interrupted = True
            running = list(self._running)
        self._pool.shutdown(wait=False, cancel_futures=True)
        for kernel in running:
            kernels.kill(kernel)  # its worker then finds it dead and ends

    def render_each(self, page: render.Page) -> list[tuple]:
        """Each page rendered as its notebook finishes, its seconds in the manifest;
        (label, file, headings) of every page in report order, for the index."""
        from tqdm import tqdm  # imported only when a run draws a bar

        terminal = self._run.terminal
        bar = tqdm(total=len(NOTEBOOKS), file=terminal, desc="执行笔记本") if terminal else None
        seconds, failures, headings = {}, {}, {}
        for future in as_completed(self._futures):
            self._run.interruption.check()  # a Ctrl-C whose KeyboardInterrupt was dropped
            name = self._futures[future]
            try:
                seconds[name] = round(future.result(), 2)
            except NotebookFailed as exc:
                failures[name] = exc
            else:
                page.provenance["notebooks"][name] = seconds[name]
                html = self._staging / _html_name(name)
                headings[name] = render.notebook_to_html(self._staging / name, html, page)
            if bar:
                bar.set_postfix_str(name, refresh=False)
                bar.update()
        if bar:
            bar.close()
        if failures:
            raise failures[next(name for name in NOTEBOOKS if name in failures)]
        page.provenance["notebooks"] = {name: seconds[name] for name in NOTEBOOKS}
        return [(label, _html_name(name), headings[name]) for name, label in NOTEBOOKS.items()]

    def _execute(self, name: str) -> float:
        import papermill  # here, not at the top: a reused report need not load it (render.py)

        started = time.monotonic()
        output, failed = self._staging / name, self._failed
        try:
            kernel = self._run.warm.take()
            with self._lock:
                wanted = not self._interrupted  # not if interrupted while it was taken
                if wanted:
                    self._running.add(kernel)
            try:
                if not wanted:
                    raise RuntimeError("interrupted")
                papermill.execute_notebook(
                    str(Path(self._run.paths.notebooks) / name),
                    str(output),
                    parameters=self._parameters,
                    kernel_name="python3",  # the venv's own kernel, whatever the notebook names
                    km=kernel,
                    progress_bar=False,
                    # written once when done (with the error banner if a cell failed), not
                    # after every cell: a killed run's staging folder goes anyway
                    request_save_on_cell_execute=False,
                )
            finally:
                with self._lock:
                    self._running.discard(kernel)
                kernels.stop(kernel, now=True)  # the notebook is written: nothing to wait for
        except Exception as exc:
            if self._interrupted:
                raise  # killed by the interruption: not the notebook's failure
            kept = _keep_notebook(output, failed)
            if isinstance(exc, papermill.PapermillExecutionError):
                log.error(
                    "%s failed at cell %s: %s: %s", name, exc.exec_count, exc.ename, exc.evalue
                )
                cause = NotebookFailed(name, exc.exec_count, f"{exc.ename}: {exc.evalue}", kept)
            else:  # a kernel that died or never started
                log.exception("%s could not be executed", name)
                cause = NotebookFailed(name, None, f"{type(exc).__name__}: {exc}", kept)
            raise cause from exc
        finally:
            kernels.close_thread_loop()
        elapsed = time.monotonic() - started
        log.info("%s done in %.1fs", name, elapsed)
        return elapsed


def _keep_notebook(output: Path, failed: Path) -> Path:
    """The executed notebook, error banner and all, copied to failed/<period>/."""
    failed.mkdir(parents=True, exist_ok=True)
    kept = failed / output.name
    if output.exists():
        shutil.copy2(output, kept)
    return kept


def _keep_evidence(record: dict, staging: Path, failed: Path, log_path: Path) -> None:
    """Beside the failed notebooks: the parameters to rerun them, the manifest, the log."""
    failed.mkdir(parents=True, exist_ok=True)
    shutil.copy2(staging / "parameters.yaml", failed / "parameters.yaml")
    manifest.write(manifest.finish(record, "failed"), failed)
    shutil.copy2(log_path, failed / "run.log")


def _title(q: Period, params_dir: Path) -> str:
    """The title every page carries, with the warning when the year has no targets."""
    note = targets.targets_note(q.year, params.target_years(params_dir))
    return f"工业振兴十大计划 {q.label} 监测报告" + (f" — {note}" if note else "")


def _sections() -> list[tuple[str, str]]:
    return [(label, _html_name(name)) for name, label in NOTEBOOKS.items()]


def _html_name(notebook: str) -> str:
    return notebook.replace(".ipynb", ".html")


def write_tables(data: store.PeriodData, folder: Path, edition: str, made) -> list[str]:
    """The edition's CSV files, computed the same way as the notebooks; returns their names.

    scorecard.csv, bulletin.xlsx and bulletin.docx (and bulletin.pdf when LibreOffice is
    there: report/document.py) always; tiers.csv, quarantine.csv and firms.xlsx (the full
    lists) hold firm-level figures, so they belong to the internal edition only. Figures
    are rounded to what they mean, percentages in percent (formatting.scorecard_for_files);
    text that a spreadsheet would run as a formula is kept as text
    (formatting.spreadsheet_safe).
    `made`: the period's products (products.py), so that nothing is computed twice.
    """
    public = edition != "internal"  # figures of a few named firms withheld (disclosure)
    card = made.table("scorecard_public" if public else "scorecard")
    columns = targets.SCORECARD_COLUMNS + (["withheld"] if public else [])
    formatting.scorecard_for_files(card[columns])[targets.SCORECARD_COLUMNS].to_csv(
        folder / "scorecard.csv", index=False, encoding="utf-8-sig"
    )
    rows = made.table("by_department_public" if public else "by_department")
    bulletin.write_bulletin(card, rows, folder / "bulletin.xlsx", data.period, data.plan_names)
    written = ["scorecard.csv", "bulletin.xlsx", *document.write(made, folder, edition)]
    if edition != "internal":
        return written
    tier_cols = [c for c in data.firms.columns if c not in TIERS_CSV_COLUMNS]
    safe = formatting.spreadsheet_safe
    firms = formatting.firms_for_files(data.firms[TIERS_CSV_COLUMNS + tier_cols])
    safe(firms).to_csv(folder / "tiers.csv", index=False, encoding="utf-8-sig")
    safe(data.intake.quarantine).to_csv(
        folder / "quarantine.csv", index=False, encoding="utf-8-sig"
    )
    firm_workbook.write(folder / firm_workbook.WORKBOOK, firm_workbook.from_products(made))
    items = formatting.items_for_files(made.table("items"))
    safe(items).to_csv(folder / "items.csv", index=False, encoding="utf-8-sig")
    return [*written, "tiers.csv", "items.csv", "quarantine.csv", firm_workbook.WORKBOOK]


def write_index(data, folder: Path, page, contents, data_files, earlier, card, hidden=()) -> None:
    """index.html: the items furthest behind (the figures of `hidden` indicators withheld:
    document.withheld), the scorecard at a glance (`card`, the run's product), every
    section, earlier periods."""
    rows = formatting.scorecard_rows(card, data.plan_names)
    summary = render.status_line(targets.status_summary(card))
    from analysis import judgement  # here: a reused report never loads pandas

    rules = judgement.RULES_SUMMARY.format(schedule=data.period.schedule)
    if "withheld" in card and card["withheld"].any():
        rules += f"标 {formatting.WITHHELD} 的数额由少数企业构成，公开版不公布。"
    behind = document.behind_rows(card, data.plan_names, hidden)
    text = render.index_page(page, rows, contents, earlier, data_files, summary, rules, behind)
    (folder / "index.html").write_text(text, encoding="utf-8")


def _drop_machine_paths(folder: Path, values) -> None:
    """Every absolute folder of this machine named in the folder's text files (parameters,
    manifest, notebooks, log, pages) replaced by its last part, e.g. 'processed'."""
    found = {str(v) for v in values if isinstance(v, str | Path) and Path(v).is_absolute()}
    absolute = sorted((p for p in found if p != "/"), key=len)
    for file in folder.iterdir():
        if file.suffix not in {".yaml", ".json", ".ipynb", ".log", ".html"}:
            continue
        text = file.read_text(encoding="utf-8")
        cleaned = text
        for path in reversed(absolute):  # the longest first: a sub-folder before its parent
            cleaned = cleaned.replace(path, Path(path).name)
        if cleaned != text:
            file.write_text(cleaned, encoding="utf-8")


def _recover(root: Path) -> None:
    """Undo what a killed run may have left: a report moved aside but not yet replaced
    is put back, and half-built staging folders go."""
    for retired in root.glob(".retired-*"):
        final = root / retired.name.removeprefix(".retired-")
        if final.exists():
            shutil.rmtree(retired, ignore_errors=True)
        else:
            retired.rename(final)
            log.warning("restored %s, left aside by an interrupted run", final)
    for staging in root.glob(".staging-*"):
        shutil.rmtree(staging, ignore_errors=True)


def _publish(staging: Path, final: Path) -> None:
    """Swap the finished staging folder into place; the old report goes only after."""
    retired = final.with_name(f".retired-{final.name}")
    shutil.rmtree(retired, ignore_errors=True)
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)
