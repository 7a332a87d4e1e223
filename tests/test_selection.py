"""Issue 24: a file's period known from its head before its rows are parsed; only the files
of the periods a report reads are parsed; a sheet past the row limit refused in one line;
the cache parses an unchanged file once."""

import logging
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import analysis.intake.ingest as intake_module
from analysis import params
from analysis.errors import InputFileError
from analysis.intake.ingest import ingest
from analysis.intake.periods import Period
from analysis.intake.selection import needed_periods
from analysis.measures import history
from analysis.run import runner

from .conftest import CODE_A, STATS_HEADER, STATS_MERGES, write_sheet

CODE_B = "91371082MA3C4XKT0B"


def _stats(raw: Path, year: int, month: int, firms: int = 2) -> Path:
    """A statistics table of the period, in the bureau's layout, written by openpyxl."""
    rows = [
        [f"{year}年1-{month}月全市规模以上工业企业主要经济指标"],
        ["填报单位：海阳市统计局", None, None, None, None, "单位：万元"],
        *STATS_HEADER,
        [None, None, "合计", None, 15000, 12000, 300, 200],
    ]
    rows += [
        [i + 1, CODE_A if i == 0 else f"91371082MA{i:07d}X", f"企业{i}有限公司", "海洋工业"]
        + [5000 + i, 4000, 100, 90]
        for i in range(firms)
    ]
    name = f"{year}年1-{month}月规上工业.xlsx"
    return write_sheet(raw / "统计局" / name, rows, STATS_MERGES, sheet="规上工业")


def _tax(raw: Path, year: int, month: int) -> Path:
    rows = [
        [f"{year}年1-{month}月全市工业企业入库税收情况"],
        [None, None, None, None, "单位：万元"],
        ["序号", "纳税人识别号", "纳税人名称", "入库税收本年累计", "入库税收上年同期"],
        [1, CODE_A, "企业0有限公司", 1234.5, 1000],
    ]
    return write_sheet(raw / "税务局" / f"{year}年1-{month}月入库税收.xlsx", rows)


@pytest.fixture
def parsed(monkeypatch):
    """The files the intake really parses, in this process (no reading process)."""
    seen = []
    real = intake_module.read_source

    def read_source(path, *args):
        seen.append(Path(path).name)
        return real(path, *args)

    monkeypatch.setattr(intake_module, "_readers", lambda paths, alongside: 0)
    monkeypatch.setattr(intake_module, "read_source", read_source)
    return seen


def _params(tmp_path: Path, limit: int) -> Path:
    folder = tmp_path / "params"
    shutil.copytree(params.PARAMS_DIR, folder)
    path = folder / "thresholds.yaml"
    text = re.sub(r"(?m)^max_rows_per_sheet:.*$", f"max_rows_per_sheet: {limit}", path.read_text())
    path.write_text(text, encoding="utf-8")
    return folder


# --- which periods a report reads ---


def test_a_report_reads_every_month_of_last_year_and_this_year_to_its_own():
    wanted = needed_periods(Period(2026, 10))
    assert wanted == {Period(2025, m) for m in range(1, 13)} | {
        Period(2026, m) for m in range(1, 11)
    }
    assert Period(2026, 11) not in wanted and Period(2024, 12) not in wanted
    assert needed_periods(Period(2026, 2)) >= {Period(2025, 2), Period(2025, 12), Period(2026, 2)}


def test_every_period_the_measures_read_is_needed():
    """The history paths, the same period last year, last year's 1-12月 and the period
    before (warnings) of a panel holding four years of months: all within the set."""
    from analysis.measures.warnings import previous_period

    held = [(y, m) for y in (2024, 2025, 2026, 2027) for m in range(2, 13)]
    panel = pd.DataFrame(held, columns=["year", "month"])
    for report in (Period(2026, 2), Period(2026, 10), Period(2026, 12), Period(2027, 3)):
        wanted = needed_periods(report)
        read = set(history.periods(panel, report))
        read |= {Period(report.year - 1, report.month), Period(report.year - 1, 12)}
        read.add(previous_period(panel, report))
        assert read <= wanted, (report, read - wanted)
        assert not any(p.year < report.year - 1 or p > report for p in wanted)


# --- files of periods no report reads are not parsed ---


def test_a_workbook_of_a_period_the_report_does_not_read_is_not_parsed(tmp_path, parsed):
    raw = tmp_path / "raw"
    for year in (2024, 2025, 2026):
        _stats(raw, year, 9)
    _tax(raw, 2026, 9)
    intake = ingest(raw, period="latest")
    assert sorted(parsed) == [
        "2025年1-9月规上工业.xlsx",
        "2026年1-9月入库税收.xlsx",
        "2026年1-9月规上工业.xlsx",
    ]
    reading = intake.reading.assign(name=intake.reading["file"].map(lambda f: Path(f).name))
    skipped = reading.set_index("name").loc["2024年1-9月规上工业.xlsx"]
    assert skipped["action"] == "未解析" and "2024年1-9月" in skipped["reason"]
    assert "2026年1-9月" in skipped["reason"]  # the report it was not needed by
    assert set(reading["action"]) == {"解析", "未解析"}
    listed = intake.versions.set_index("file").loc["统计局/2024年1-9月规上工业.xlsx"]
    assert listed["status"] == "未读取" and listed["year"] == 2024
    assert sorted(intake.panel["year"].unique()) == [2025, 2026]


def test_a_years_goals_are_read_by_every_report_of_that_year_only(tmp_path, parsed):
    """The firms' goals workbook is titled by its year (2026年度, a 1-12月 period): a 1-9月
    report of that year reads it, a report of the next year does not."""
    raw = tmp_path / "raw"
    goals = "2026年度企业对号入座目标.xlsx"
    (raw / "经信局").mkdir(parents=True)
    shutil.copy(params.PARAMS_DIR.parent / "data" / "raw" / "经信局" / goals, raw / "经信局")
    _stats(raw, 2026, 9)
    intake = ingest(raw, period="latest")
    assert goals in parsed and len(intake.goals) > 0
    parsed.clear()
    _stats(raw, 2027, 3)
    ingest(raw, period=Period(2027, 3))
    assert goals not in parsed


def test_a_later_report_skips_the_older_year_an_earlier_one_the_later_year(tmp_path, parsed):
    raw = tmp_path / "raw"
    for year in (2024, 2025, 2026):
        _stats(raw, year, 9)
    ingest(raw, period=Period(2025, 9))
    assert sorted(parsed) == ["2024年1-9月规上工业.xlsx", "2025年1-9月规上工业.xlsx"]


def test_without_a_period_the_intake_parses_every_file(tmp_path, parsed):
    raw = tmp_path / "raw"
    for year in (2023, 2026):
        _stats(raw, year, 9)
    intake = ingest(raw)
    assert len(parsed) == 2 and set(intake.reading["action"]) == {"解析"}


def test_the_run_log_names_each_file_not_parsed_and_why(tmp_path, parsed, caplog):
    raw = tmp_path / "raw"
    _stats(raw, 2026, 9)
    _stats(raw, 2023, 9)
    with caplog.at_level(logging.INFO, logger="analysis.run"):
        runner._log_reading(ingest(raw, period="latest").reading)
    lines = [r.getMessage() for r in caplog.records]
    assert "1 files parsed, 0 from the cache, 1 not parsed" in lines[0]
    assert "2023年1-9月规上工业.xlsx" in lines[1] and "2023年1-9月" in lines[1]


# --- a sheet past the row limit ---


def test_a_sheet_past_the_row_limit_is_refused_in_one_line_before_its_parse(tmp_path, parsed):
    raw = tmp_path / "raw"
    _stats(raw, 2026, 9, firms=30)  # 35 rows with title, unit line, header and total
    with pytest.raises(InputFileError) as refused:
        ingest(raw, params_dir=_params(tmp_path, 20), period="latest")
    message = str(refused.value)
    assert "\n" not in message and parsed == []
    assert "2026年1-9月规上工业.xlsx" in message and "「规上工业」" in message
    assert "35 行" in message and "20 行" in message and "max_rows_per_sheet" in message


def test_a_sheet_without_its_extent_is_counted_and_refused_too(tmp_path, parsed):
    """Past the head's 200 rows: counted from the XML, as the head does not hold them."""
    raw = tmp_path / "raw"
    path = _stats(raw, 2026, 9, firms=300)
    stripped = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(stripped, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb"<dimension[^>]*/>", b"", data)
                assert b"dimension" not in data
            new.writestr(item, data)
    stripped.replace(path)
    with pytest.raises(InputFileError, match="305 行"):
        ingest(raw, params_dir=_params(tmp_path, 250), period="latest")
    assert ingest(raw, params_dir=_params(tmp_path / "more", 305)).panel["credit_code"].size == 300


def test_an_oversized_sheet_of_a_period_not_read_is_skipped_not_refused(tmp_path, parsed):
    raw = tmp_path / "raw"
    _stats(raw, 2026, 9)
    _stats(raw, 2020, 9, firms=30)
    intake = ingest(raw, params_dir=_params(tmp_path, 20), period="latest")
    assert parsed == ["2026年1-9月规上工业.xlsx"] and len(intake.panel) == 2


# --- the cache ---


def test_the_cache_parses_nothing_twice_and_a_new_month_only_its_files(tmp_path, parsed):
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    for year in (2025, 2026):
        _stats(raw, year, 9)
        _tax(raw, year, 9)
    first = ingest(raw, cache_dir=cache, period="latest")
    assert len(parsed) == 4 and set(first.reading["action"]) == {"解析"}
    parsed.clear()
    second = ingest(raw, cache_dir=cache, period="latest")
    assert parsed == [] and set(second.reading["action"]) == {"取自缓存"}
    pd.testing.assert_frame_equal(first.panel, second.panel)
    new = {_stats(raw, 2026, 10).name, _tax(raw, 2026, 10).name}
    third = ingest(raw, cache_dir=cache, period="latest")
    assert set(parsed) == new and len(parsed) == 2
    actions = third.reading.assign(name=third.reading["file"].map(lambda f: Path(f).name))
    assert actions.set_index("name")["action"].to_dict() == {
        name: "解析" if name in new else "取自缓存" for name in actions["name"]
    }
    assert ((third.panel["year"] == 2026) & (third.panel["month"] == 10)).any()


def test_a_period_skipped_by_one_run_is_parsed_by_the_next_that_needs_it(tmp_path, parsed):
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    for year in (2025, 2026):
        _stats(raw, year, 9)
    ingest(raw, cache_dir=cache, period=Period(2025, 9))
    assert parsed == ["2025年1-9月规上工业.xlsx"]
    parsed.clear()
    intake = ingest(raw, cache_dir=cache, period="latest")
    assert parsed == ["2026年1-9月规上工业.xlsx"]
    assert sorted(intake.reading["action"]) == ["取自缓存", "解析"]


def test_a_monthly_sample_province_has_every_published_month_of_two_years():
    from analysis.sample.city import reported_months

    assert reported_months(2026, 10, monthly=True) == {
        2025: list(range(2, 13)),
        2026: list(range(2, 11)),
    }
