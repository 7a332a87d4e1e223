"""Command line: `python -m analysis run | ingest | sample`. A thin layer over the API."""

import argparse
import sys
from pathlib import Path

from analysis import config
from analysis.errors import TenplansError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="ingest, execute the report notebooks, render HTML")
    run.add_argument("--quarter", default="latest", help="e.g. 2026Q3, or latest (default)")
    _folders(run)
    run.add_argument("--out", type=Path, default=config.REPORTS_DIR, help="report folder")

    ingest = sub.add_parser("ingest", help="read the raw workbooks into data/processed only")
    _folders(ingest)

    sample = sub.add_parser("sample", help="write the fictional sample city's workbooks")
    sample.add_argument("--out", type=Path, required=True)
    sample.add_argument("--firms", type=int, default=400)
    sample.add_argument("--seed", type=int, default=2026)
    sample.add_argument("--year", type=int, default=2026)
    sample.add_argument("--quarter", type=int, default=3, choices=[1, 2, 3, 4])
    return parser


def _folders(command: argparse.ArgumentParser) -> None:
    command.add_argument("--raw", type=Path, default=config.RAW_DIR, help="raw workbooks")
    command.add_argument("--processed", type=Path, default=config.PROCESSED_DIR)
    command.add_argument("--params", type=Path, default=config.PARAMS_DIR)


def _dispatch(args) -> str:
    from analysis import runner, sample

    if args.command == "sample":
        panel = sample.generate_city(args.firms, args.seed, args.year, args.quarter)
        written = sample.write_city(panel, args.out)
        firms = panel.loc[panel["year"] == args.year, "credit_code"].nunique()
        return f"已生成样例城市：本年 {firms} 家企业，{len(written)} 个工作簿 → {args.out}"
    paths = runner.RunPaths(raw=args.raw, processed=args.processed, params=args.params)
    if args.command == "ingest":
        intake = runner.run_ingest(paths)
        files = intake.files
        return (
            f"已导入 {len(files)} 个工作表：读入 {files['rows_read'].sum()} 行，"
            f"接收 {files['rows_accepted'].sum()} 行，隔离 {files['rows_quarantined'].sum()} 行，"
            f"合计/注释行 {files['rows_totals_notes'].sum()} 行 → {args.processed}"
        )
    paths.out = args.out
    report = runner.run(args.quarter, paths)
    return f"报告已生成 / report written: {report / 'index.html'}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        print(_dispatch(args))
    except TenplansError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0
