"""Command line of the quarterly monitoring of the ten plans (工业振兴十大计划).

  run     read the bureaus' workbooks, execute the report notebooks, write the HTML report
  ingest  read the workbooks into data/processed only (for working in JupyterLab)
  sample  write the fictional sample city's workbooks

`python -m analysis COMMAND --help` explains each command's options. Exit status, for
schedulers: 0 done (or reused), 2 bad input, 3 a notebook failed, 4 another run holds
the output folder, 1 anything else. Errors are one line on stderr;
the run's log in OUT/logs/ has the rest.
"""

import argparse
import sys
import traceback
from pathlib import Path

from analysis import config
from analysis.errors import TenplansError
from analysis.intake.periods import Period
from analysis.measures.disclosure import EDITIONS


def _period(text: str) -> str:
    if text != "latest":
        try:
            Period.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _folder(text: str) -> Path:
    """A folder named on the command line is taken from the working directory, as a shell
    user means it (the package itself reads relative folders from the project root)."""
    return Path(text).expanduser().resolve()


class _Help(argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Every option's default shown after its help; descriptions keep their line breaks."""


class _Parser(argparse.ArgumentParser):
    """Argument errors in one line (what is wrong, and where to read more), exit status 2,
    like any other bad input."""

    def error(self, message: str):
        self.exit(2, f"错误 / error: {self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__, formatter_class=_Help)
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="{run,ingest,sample}"
    )

    run = sub.add_parser(
        "run",
        help="ingest, execute the report notebooks, render HTML",
        description="Read every workbook, execute the report notebooks (one kernel each), "
        "render them as HTML pages and publish OUT/<period>/ (2026Q3 at a quarter's end, "
        "2026-10 for other months; the public edition in OUT/public/<period>/). A rerun "
        "with unchanged inputs, parameters and code reuses the published report.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    run.add_argument(
        "--period",
        "--quarter",
        dest="period",
        type=_period,
        default="latest",
        help="the reporting period, cumulative from January: 2026-10, 2026年1-10月, 2026M10, "
        "2026Q3 (= 2026-09); latest takes the newest period in the data",
    )
    _folders(run)
    run.add_argument(
        "--out", type=_folder, default=config.REPORTS_DIR, help="folder the reports are written to"
    )
    run.add_argument(
        "--notebooks",
        type=_folder,
        default=config.NOTEBOOKS_DIR,
        help="folder of the report notebooks (01_data_quality.ipynb … 09_bulletin.ipynb), "
        "e.g. an office's own copies",
    )
    run.add_argument(
        "--edition",
        choices=EDITIONS,
        default="internal",
        help="internal (firm-level tables) or public (disclosure-controlled, in OUT/public/)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="rerun even if inputs, parameters and code are unchanged",
    )

    ingest = sub.add_parser(
        "ingest",
        help="read the raw workbooks into data/processed only",
        description="Read every workbook under RAW and save the tidy tables (Parquet) to "
        "PROCESSED, where the notebooks read them when run by hand or in JupyterLab.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    _folders(ingest)

    sample = sub.add_parser(
        "sample",
        help="write the fictional sample city's workbooks",
        description="Write the workbooks of a fictional city, in the offices' own layouts, "
        "for trying the suite out (make sample regenerates data/raw with them).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    sample.add_argument(
        "--out", type=_folder, required=True, help="folder to write the workbooks to (required)"
    )
    sample.add_argument("--firms", type=int, default=400, help="number of firms in the city")
    sample.add_argument(
        "--seed", type=int, default=2026, help="random seed: the same seed, the same city"
    )
    sample.add_argument("--year", type=int, default=2026, help="the latest year written")
    until = sample.add_mutually_exclusive_group()
    until.add_argument(
        "--month",
        type=int,
        default=9,
        choices=range(1, 13),
        help="the latest month of that year written (its quarter-ends before it too)",
    )
    until.add_argument(
        "--quarter", type=int, choices=[1, 2, 3, 4], help="instead of --month: month 3 × N"
    )
    sample.add_argument(
        "--jan-feb", action="store_true", help="also write this year's 1-2月 tables"
    )
    return parser


def _folders(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--raw", type=_folder, default=config.RAW_DIR, help="folder of the bureaus' workbooks"
    )
    command.add_argument(
        "--processed",
        type=_folder,
        default=config.PROCESSED_DIR,
        help="folder of the intake's tables (Parquet) and the cache of parsed workbooks",
    )
    command.add_argument(
        "--params",
        type=_folder,
        default=config.PARAMS_DIR,
        help="folder of targets.yaml, thresholds.yaml and columns.yaml",
    )


def _dispatch(args) -> str:
    if args.command == "sample":
        from analysis.sample import city as sample

        month = 3 * args.quarter if args.quarter else args.month
        panel = sample.generate_city(args.firms, args.seed, args.year, month, args.jan_feb)
        written = sample.write_city(panel, args.out)
        firms = panel.loc[panel["year"] == args.year, "credit_code"].nunique()
        return f"已生成样例城市：本年 {firms} 家企业，{len(written)} 个工作簿 → {args.out}"
    # runner imports what a run needs when it runs: a reused report loads no pandas
    from analysis.run import runner

    paths = runner.RunPaths(raw=args.raw, processed=args.processed, params=args.params)
    if args.command == "ingest":
        from analysis import params

        params.check(args.params)  # before the intake's imports
        intake = runner.run_ingest(paths)
        files = intake.files
        return (
            f"已导入 {len(files)} 个工作表：读入 {files['rows_read'].sum()} 行，"
            f"接收 {files['rows_accepted'].sum()} 行，隔离 {files['rows_quarantined'].sum()} 行，"
            f"合计/注释行 {files['rows_totals_notes'].sum()} 行 → {args.processed}"
        )
    paths.out, paths.notebooks = args.out, args.notebooks
    result = runner.produce(args.period, paths, args.edition, args.force)
    index = result.folder / "index.html"
    if result.reused:  # the note as the report's run recorded it
        note = _said(result.manifest["targets_note"])
        return f"输入、参数与代码均未变，沿用已有报告 / unchanged, report reused: {index}{note}"
    return f"报告已生成 / report written: {index}{_targets_note(result.manifest['parameters'])}"


def _targets_note(parameters: dict) -> str:
    """The report's year without targets in targets.yaml, said on the run's one line."""
    from analysis import params
    from analysis.measures import targets

    covered = params.target_years(parameters["params_dir"])
    return _said(targets.targets_note(int(parameters["year"]), covered))


def _said(note: str) -> str:
    return f"；{note}" if note else ""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        print(_dispatch(args))
    except TenplansError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C: the run stopped its kernels; the run log says where
        print("已中断 / interrupted: 已发布的报告未改动 / no report was changed", file=sys.stderr)
        return 130
    except Exception as exc:  # for a scheduler one line; the run log has the traceback
        if sys.stderr.isatty():
            traceback.print_exc()
        print(f"意外错误 / unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
