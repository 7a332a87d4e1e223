"""The command line as a user learns it: --help explains every option with its default,
an argument error is one line, and a period without data names the periods with data."""

import re
import subprocess
import sys

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
    entries = re.split(r"\n(?=\s+--)", text.split("options:", 1)[1])
    options = [e for e in entries if e.strip().startswith("--")]
    assert len(options) >= 3, text
    for entry in options:
        flag = entry.split()[0]
        assert len(" ".join(entry.split()[1:])) > 15, f"{flag} has no help"
        assert "(default:" in entry or "(required)" in entry, f"{flag} shows no default"


def test_the_top_level_help_describes_the_suite(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "A thin layer" not in text and "十大计划" in text
    assert all(word in text for word in ("run", "ingest", "sample", "Exit status"))


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
