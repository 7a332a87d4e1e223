"""工业振兴十大计划监测分析 / monitoring of the ten plans (工业振兴十大计划), any month.

  run     读入各单位报表，执行报告笔记本，生成 HTML 报告 / read, execute, write the report
  ingest  只读入报表到 data/processed（供 JupyterLab 交互使用）/ read the workbooks only
  sample  生成样例城市的报表 / write the fictional sample city's workbooks
  templates  生成发给各责任单位的部门报表填报模板 / write the returns' forms for the departments

各命令的选项见 python -m analysis 命令 --help / each command's options: COMMAND --help.

退出状态 / exit status（供定时任务判断 / for schedulers）:
  0    完成或沿用已有报告 / done, or the report reused
  2    输入有误：报表无法使用、数据中没有该报告期、参数文件有误、目录不存在或无法写入 /
       bad input: an unusable workbook, an unknown period, a broken parameter file, a folder
       missing or not writable
  3    某个笔记本执行失败 / a notebook failed
  4    另一次运行正在使用输出目录 / another run holds the output folder
  130  被中断（Ctrl-C），已发布的报告未改动 / interrupted, no published report changed
  1    其他意外错误 / anything unexpected
错误只在 stderr 打印一行；详情见输出目录 logs/ 下的运行日志 / errors are one line on
stderr; the run's log in OUT/logs/ has the rest.
"""

import argparse
import errno
import os
import sys
import tempfile
import traceback
from pathlib import Path

from analysis import config
from analysis.errors import InputFileError, TenplansError
from analysis.intake.periods import Period
from analysis.measures.disclosure import EDITIONS


def _period(text: str) -> str:
    if text != "latest":
        try:
            Period.parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _named_period(text: str) -> str:
    """A period the user names (no 'latest': a form is for a period still to report)."""
    try:
        Period.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc
    return text


def _folder(text: str) -> Path:
    """A folder named on the command line is taken from the working directory, as a shell
    user means it (the package itself reads relative folders from the project root)."""
    return Path(text).expanduser().resolve()


class _Help(argparse.RawDescriptionHelpFormatter):
    """Every option's default shown after its help, in Chinese and English; descriptions
    keep their line breaks."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法 / usage: " if prefix is None else prefix)

    def _get_help_string(self, action):
        if action.required:
            return action.help + "（必填 / required）"
        if not action.option_strings or action.default is argparse.SUPPRESS:
            return action.help
        return action.help + "（默认 / default: %(default)s）"


class _Parser(argparse.ArgumentParser):
    """Argument errors in one line (what is wrong, and where to read more), exit status 2,
    like any other bad input; headings and the help option in Chinese too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, add_help=False, formatter_class=_Help, **kwargs)
        self._optionals.title = "选项 / options"
        self._positionals.title = "命令 / commands"
        self.add_argument(
            "-h", "--help", action="help", help="显示本说明并退出 / show this help and exit"
        )

    def error(self, message: str):
        self.exit(2, f"错误 / error: {self.prog}: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(
        dest="command", required=True, parser_class=_Parser, metavar="{run,ingest,sample,templates}"
    )

    run = sub.add_parser(
        "run",
        help="读入报表、执行笔记本、生成 HTML 报告 / ingest, execute the notebooks, render HTML",
        description="读入全部报表，逐个执行报告笔记本（各用一个内核），生成 HTML 页面并发布到 "
        "OUT/<报告期>/（季末月为 2026Q3，其他月份为 2026-10；公开版在 OUT/public/<报告期>/）。"
        "报表、参数和代码均未改变时沿用已发布的报告。\n"
        "Read every workbook, execute the report notebooks (one kernel each), render them as "
        "HTML and publish OUT/<period>/ (2026Q3 at a quarter's end, 2026-10 for other "
        "months; the public edition in OUT/public/<period>/). A rerun with unchanged inputs, "
        "parameters and code reuses the published report.\n\n"
        "退出状态 / exit status: 0 完成 done, 2 输入有误 bad input, 3 笔记本失败 a notebook "
        "failed, 4 输出目录被占用 another run holds OUT, 130 被中断 interrupted, 1 意外错误 "
        "anything else.",
    )
    run.add_argument(
        "--period",
        "--quarter",
        dest="period",
        type=_period,
        default="latest",
        help="报告期，自1月起累计：2026-10、2026年1-10月、2026M10，或季度 2026Q3（= 2026-09）；"
        "latest 取数据中最新一期 / the reporting period, cumulative from January",
    )
    _folders(run)
    run.add_argument(
        "--out",
        type=_folder,
        default=config.REPORTS_DIR,
        help="报告输出目录，须可写 / folder the reports are written to (must be writable)",
    )
    run.add_argument(
        "--notebooks",
        type=_folder,
        default=config.NOTEBOOKS_DIR,
        help="报告笔记本所在目录（01_data_quality.ipynb … 09_bulletin.ipynb），如本单位自己的副本 "
        "/ folder of the report notebooks",
    )
    run.add_argument(
        "--edition",
        choices=EDITIONS,
        default="internal",
        help="internal 内部版（含企业级数据）或 public 公开版（披露控制，写到 OUT/public/）"
        " / internal (firm-level tables) or public (disclosure-controlled)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="报表、参数和代码均未改变也重新运行 / rerun even if nothing changed",
    )

    ingest = sub.add_parser(
        "ingest",
        help="只读入报表到 data/processed / read the raw workbooks into data/processed only",
        description="读入 RAW 下的全部报表，整理后的表（Parquet）存到 PROCESSED，供在 JupyterLab "
        "中打开笔记本时使用。\nRead every workbook under RAW and save the tidy tables "
        "(Parquet) to PROCESSED, where the notebooks read them when opened by hand.",
    )
    _folders(ingest)

    sample = sub.add_parser(
        "sample",
        help="生成样例城市的报表 / write the fictional sample city's workbooks",
        description="按各单位自己的表式生成一个虚构城市的报表，用于试用本工具（make sample 用它"
        "重新生成 data/raw）。\nWrite the workbooks of a fictional city, in the offices' own "
        "layouts, for trying the suite out.",
    )
    sample.add_argument(
        "--out",
        type=_folder,
        required=True,
        help="报表写到哪个目录 / folder to write the workbooks to",
    )
    sample.add_argument(
        "--firms", type=int, default=400, help="城市的企业数 / number of firms in the city"
    )
    sample.add_argument(
        "--seed",
        type=int,
        default=2026,
        help="随机种子：同一种子生成同一城市 / random seed: the same seed, the same city",
    )
    sample.add_argument(
        "--year", type=int, default=2026, help="生成的最后一年 / the latest year written"
    )
    until = sample.add_mutually_exclusive_group()
    until.add_argument(
        "--month",
        type=int,
        default=9,
        choices=range(1, 13),
        help="该年生成到几月（之前的季末月也生成）/ the latest month of that year written "
        "(its quarter-ends before it too)",
    )
    until.add_argument(
        "--quarter",
        type=int,
        choices=[1, 2, 3, 4],
        help="代替 --month：生成到第 N 季度末（3 × N 月）/ instead of --month: month 3 × N",
    )
    sample.add_argument(
        "--jan-feb",
        action="store_true",
        help="同时生成本年 1-2月 的报表 / also write this year's 1-2月 tables",
    )
    sample.add_argument(
        "--monthly",
        action="store_true",
        help="逐月生成：上年 1-2月 至 1-12月、本年 1-2月 至 --month，如省、市汇总各县所收 / every "
        "published month: last year's 1-2 … 1-12 and this year's 1-2 … --month",
    )
    templates = sub.add_parser(
        "templates",
        help="生成部门报表填报模板 / write the departments' return forms",
        description="为每个应报送部门报表的单位生成一个填报模板（Excel），预填本单位承担的指标"
        "（targets.yaml 中 measure: department_return，“进展”表）和本单位负责的措施、重点工作、"
        "企业走访（lists.yaml，“事项进展”“企业走访”表），"
        "附年度目标、上期累计（取 PROCESSED 中已导入的上期报表）和报送截止日期（thresholds.yaml "
        "的 returns.due_day）；只有要填的单元格可以编辑。收回后放入 RAW/部门报表 再运行即可。\n"
        "Write one form per department owing a return, pre-filled with its indicators and "
        "own measures, milestones and visits (sheets 事项进展, 企业走访), targets, the previous "
        "return's figures and the due date; only the cells "
        "to fill are editable. Put the filled forms into RAW/部门报表 and run.",
    )
    templates.add_argument(
        "--period",
        type=_named_period,
        required=True,
        help="要填报的报告期，自1月起累计：2026-12、2026年1-12月、2026Q4 / the period to report",
    )
    templates.add_argument(
        "--out",
        type=_folder,
        default=config.REPORTS_DIR / "templates",
        help="模板写到哪个目录，须可写 / folder the forms are written to (must be writable)",
    )
    templates.add_argument(
        "--processed",
        type=_folder,
        default=config.PROCESSED_DIR,
        help="已导入的表（上期累计取自其中的部门报表；没有则留空）/ the intake's tables (the "
        "previous period's returns are read from it, if there)",
    )
    templates.add_argument(
        "--params",
        type=_folder,
        default=config.PARAMS_DIR,
        help="targets.yaml、lists.yaml、thresholds.yaml 所在目录 / folder of the parameter files",
    )
    return parser


def _folders(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--raw",
        type=_folder,
        default=config.RAW_DIR,
        help="各单位报表所在目录 / folder of the bureaus' workbooks",
    )
    command.add_argument(
        "--processed",
        type=_folder,
        default=config.PROCESSED_DIR,
        help="整理后的表（Parquet）及报表解析缓存的目录，须可写 / folder of the intake's "
        "tables and the cache of parsed workbooks (must be writable)",
    )
    command.add_argument(
        "--params",
        type=_folder,
        default=config.PARAMS_DIR,
        help="targets.yaml、thresholds.yaml、columns.yaml 所在目录 / folder of the parameter files",
    )


def _dispatch(args) -> str:
    if args.command == "sample":
        from analysis.sample import city as sample

        month = 3 * args.quarter if args.quarter else args.month
        panel = sample.generate_city(
            args.firms, args.seed, args.year, month, args.jan_feb, args.monthly
        )
        written = sample.write_city(panel, args.out)
        firms = panel.loc[panel["year"] == args.year, "credit_code"].nunique()
        return f"已生成样例城市：本年 {firms} 家企业，{len(written)} 个工作簿 → {args.out}"
    if args.command == "templates":
        from analysis import params
        from analysis.report import return_forms

        params.check(args.params)
        period = Period.parse(args.period)
        read = return_forms.returns_read(args.processed)
        written = return_forms.write_all(period, args.out, args.params, read)
        return (
            f"已生成 {len(written)} 个单位的{period.label}报表填报模板 / {len(written)} forms "
            f"written → {args.out}"
        )
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


def _raw_folder(args) -> None:
    """A mistyped --raw is said to be missing, not mistaken for a folder without workbooks."""
    if args.command in ("run", "ingest") and not args.raw.is_dir():
        what = "不是目录" if args.raw.exists() else "不存在（路径拼错了吗？）"
        raise InputFileError(
            args.raw,
            f"原始数据目录{what}：请用 --raw 指定存放各单位报表的目录 / the raw folder "
            f"{'is not a folder' if args.raw.exists() else 'does not exist'}: check --raw",
        )


_WHY = {
    errno.EACCES: "权限不足",
    errno.EPERM: "权限不足",
    errno.EROFS: "只读文件系统",
    errno.ENOTDIR: "路径中有同名的文件",
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已满",
}


class FolderNotWritable(TenplansError):
    """A folder the run must write cannot be written: bad input (exit 2), not a crash."""

    exit_code = 2

    def __init__(self, option: str, folder: Path, exc: OSError):
        super().__init__(
            f"无法写入目录 {folder}（{_WHY.get(exc.errno, exc.strerror)}）：请用 {option} 指定"
            f"一个可写的目录，或修改该目录的权限 / cannot write to {folder} ({exc.strerror}): "
            f"give a writable folder with {option}"
        )


def _written(args) -> dict[str, Path]:
    """The folders this command writes, by the option that names them."""
    folders = {
        "run": ("--out", "--processed"),
        "ingest": ("--processed",),
        "sample": ("--out",),
        "templates": ("--out",),
    }
    return {o: getattr(args, o.lstrip("-")) for o in folders[args.command]}


def _check_writable(args) -> None:
    """Each folder the command writes, tried before any work: a file created and removed
    in it (or in the nearest folder above it that exists, since the run creates the rest)."""
    for option, folder in _written(args).items():
        existing = next(p for p in (folder, *folder.parents) if p.exists())
        try:
            if not existing.is_dir():
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(existing))
            with tempfile.TemporaryFile(dir=existing):
                pass
        except OSError as exc:
            raise FolderNotWritable(option, folder, exc) from exc


def _unwritable(args, exc: OSError) -> FolderNotWritable | None:
    """A write that failed later (a full disk, permissions changed meanwhile) in one of the
    folders the command writes; None when the error is about something else."""
    if exc.errno not in _WHY or not exc.filename:
        return None
    failed = Path(exc.filename)
    deepest_first = sorted(_written(args).items(), key=lambda item: -len(item[1].parts))
    for option, folder in deepest_first:
        if failed == folder or folder in failed.parents or failed in folder.parents:
            return FolderNotWritable(option, folder, exc)
    return None


INTERRUPTED = "已中断 / interrupted: 已发布的报告未改动 / no report was changed"


def main(argv: list[str] | None = None) -> int:
    """The command line; Ctrl-C is one line and exit status 130 wherever it lands, also
    while another failure is being told."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        _raw_folder(args)
        _check_writable(args)
        print(_dispatch(args))
    except TenplansError as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C: the run stopped its kernels; the run log says where
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except OSError as exc:
        said = _unwritable(args, exc)
        if said is None:
            return _unexpected(exc)
        print(f"错误 / error: {said}", file=sys.stderr)
        return said.exit_code
    except Exception as exc:  # for a scheduler one line; the run log has the traceback
        return _unexpected(exc)
    return 0


def _unexpected(exc: Exception) -> int:
    """One line for a scheduler; the run log (and a terminal) have the traceback."""
    if sys.stderr.isatty():
        traceback.print_exc()
    print(f"意外错误 / unexpected error: {type(exc).__name__}: {exc}", file=sys.stderr)
    return 1
