"""The command line as a user learns it: --help explains every option with its default,
an argument error is one line, and a period without data names the periods with data."""

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import NoDataError
from analysis.intake.periods import Period
from analysis.run import cli
from analysis.run.runner import resolve_period


def _options(help_text: str) -> list[str]:
    return re.findall(r"^\s+(--[a-z]+)", help_text, flags=re.M)


@pytest.mark.parametrize("command", ["run", "ingest", "sample"])
def test_every_option_is_explained_with_its_default(command, capsys):
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    text = capsys.readouterr().out
    entries = re.split(r"\n(?=\s+--)", text.split("选项 / options:", 1)[1])
    options = [e for e in entries if e.strip().startswith("--")]
    assert len(options) >= 3, text
    assert text.startswith("用法 / usage: python -m analysis ") and "show this help" in text
    for entry in options:
        flag = entry.split()[0]
        assert len(" ".join(entry.split()[1:])) > 15, f"{flag} has no help"
        assert re.search(r"[\u4e00-\u9fff]", entry), f"{flag} is not explained in Chinese"
        words = " ".join(entry.split())  # as wrapped by argparse, joined again
        said = "（默认 / default:" in words or "（必填 / required）" in words
        assert said, f"{flag} shows no default"
    assert "quarterly" not in text.lower()


def test_the_top_level_help_describes_the_suite(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "A thin layer" not in text and "十大计划" in text and "quarterly" not in text
    assert all(word in text for word in ("run", "ingest", "sample", "退出状态 / exit status"))
    for status in ("0", "2", "3", "4", "130", "1"):  # every exit status, each on its own line
        assert re.search(rf"^\s+{status}\s+\S", text, flags=re.M), status


@pytest.mark.parametrize(
    "argv",
    [["run", "--quarter", "2026Q9"], ["bogus"], ["sample"], ["run", "--edition", "secret"]],
)
def test_an_argument_error_is_one_line_with_exit_status_2(argv):
    done = subprocess.run(
        [sys.executable, "-m", "analysis", *argv], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("错误 / error:") and "--help" in done.stderr


def test_a_period_without_data_names_the_periods_with_data():
    panel = pd.DataFrame({"year": [2025, 2025, 2026, 2026, 2026], "month": [6, 12, 3, 5, 6]})
    with pytest.raises(NoDataError) as refused:
        resolve_period("2026Q3", panel)
    message = str(refused.value)
    held = "2025年1-6月、2025年1-12月、2026年1-3月、2026年1-5月、2026年1-6月"
    assert held in message and "\n" not in message
    assert resolve_period("2026Q2", panel) == Period(2026, 6)
    assert resolve_period("2026-05", panel) == Period(2026, 5)


def test_a_notebooks_folder_without_the_report_notebooks_is_refused_in_one_line(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_data_quality.ipynb").write_text("{}", encoding="utf-8")
    command = [sys.executable, "-m", "analysis", "run", "--notebooks", str(tmp_path / "notebooks")]
    command += ["--out", str(tmp_path / "out"), "--processed", str(tmp_path / "processed")]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "02_firm_tiers.ipynb" in done.stderr and "09_bulletin.ipynb" in done.stderr
    assert "01_data_quality.ipynb" not in done.stderr
    assert not (tmp_path / "out").exists()  # refused before anything is written


def _analysis(*argv) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "analysis", *map(str, argv)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _one_line(done, status: int) -> str:
    assert done.returncode == status and done.stdout == "", done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("错误 / error: ") and "Traceback" not in done.stderr
    return done.stderr


def _read_only_folder(tmp_path):
    """A folder this process cannot write: by its mode, or, for root (whom modes do not
    stop), below /sys, which the kernel keeps unwritable."""
    if os.geteuid() != 0:
        folder = tmp_path / "locked"
        folder.mkdir(mode=0o555)
        return folder / "reports"
    probe = Path("/sys") / "tenplans-probe"
    try:
        probe.mkdir()
    except OSError:
        return Path("/sys") / "tenplans-reports"
    probe.rmdir()
    pytest.skip("no folder this process cannot write")


def test_an_output_folder_the_run_cannot_write_is_named_with_the_fix(tmp_path):
    locked = _read_only_folder(tmp_path)
    said = _one_line(_analysis("run", "--out", locked), 2)
    assert f"无法写入目录 {locked}（权限不足）" in said and "请用 --out 指定" in said
    assert "意外错误" not in said and "PermissionError" not in said
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    said = _one_line(_analysis("ingest", "--processed", tmp_path / "a-file" / "processed"), 2)
    assert "（路径中有同名的文件）" in said and "--processed" in said


def test_a_write_failing_during_the_run_names_the_folder(tmp_path, monkeypatch, capsys):
    out = tmp_path / "reports"

    def full(args):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "2026-10" / "x.html"))

    monkeypatch.setattr(cli, "_dispatch", full)
    assert cli.main(["run", "--out", str(out), "--processed", str(tmp_path / "p")]) == 2
    said = capsys.readouterr().err
    assert said.startswith(f"错误 / error: 无法写入目录 {out}（磁盘已满）") and "--out" in said


def test_a_mistyped_raw_folder_is_not_taken_for_an_empty_one(tmp_path):
    out = ("--out", tmp_path / "out", "--processed", tmp_path / "processed")
    missing = _one_line(_analysis("run", "--raw", tmp_path / "rwa", *out), 2)
    assert "原始数据目录不存在" in missing and str(tmp_path / "rwa") in missing
    (tmp_path / "raw").mkdir()
    empty = _one_line(_analysis("ingest", "--raw", tmp_path / "raw", *out[2:]), 2)
    assert "没有 .xlsx/.xls/.csv 文件" in empty and "不存在" not in empty
    assert not (tmp_path / "out").exists()
