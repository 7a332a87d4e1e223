"""The files a report hands out: figures rounded to what they mean, percentages in
percent, no path of this machine in the public folder, a quiet log, and the
earlier-quarters list kept fresh when a report is reused (the full lists: test_firm_lists)."""

import re
from dataclasses import replace

import pandas as pd
import pytest

from analysis.config import NOTEBOOKS_DIR
from analysis.run.runner import produce
from tests.conftest import copy_q2_beside


@pytest.fixture(scope="module")
def published(report, q2_beside, tmp_path_factory):
    """The shared report, and for reuse a copy of its internal folder beside which a 2026Q2
    report was made (from bare notebooks: only its index is looked at; conftest.q2_beside),
    and the 2026Q3 report asked for again with everything as it was made."""
    earlier, copy = copy_q2_beside(q2_beside, tmp_path_factory.mktemp("published"))
    # the copied 2026Q3 report, as publishing 2026Q2 left it (before any reuse)
    after_q2 = (earlier.folder.with_name("2026Q3") / "index.html").read_text(encoding="utf-8")
    as_made = replace(copy, processed=report.paths.processed, notebooks=NOTEBOOKS_DIR)
    reused = produce("2026Q3", as_made)
    shared = report.paths.raw.parent, report.paths, report.internal, report.public
    return (*shared, earlier, reused, after_q2)


def _decimals(value) -> int:
    text = repr(float(value))
    return 0 if text.endswith(".0") else len(text.split(".")[1])


def test_scorecard_figures_are_rounded_and_progress_is_in_percent(published):
    _, _, internal, *_ = published
    card = pd.read_csv(internal.folder / "scorecard.csv", encoding="utf-8-sig")
    for row in card.itertuples():
        for column in ("target", "actual", "projected"):
            value = getattr(row, column)
            if pd.notna(value):
                limit = {"亿元": 2, "%": 1}.get(row.unit, 0 if row.unit in "家个项人" else 2)
                assert _decimals(value) <= limit, (row.indicator, column, value)
        if pd.notna(row.progress):
            assert _decimals(row.progress) <= 1
            # progress in percent: the rounded figures' own ratio, within rounding
            assert row.progress == pytest.approx(100 * row.actual / row.target, abs=0.6)
    # 序时进度 in percent where it applies: flows at 9/12 of the year; stocks and batches are
    # not judged against the calendar (judged_on says so), rates against the target itself
    flows = card["judged_on"] == "完成进度对照序时进度"
    assert flows.sum() >= 4 and set(card.loc[flows, "expected_progress"]) == {75.0}
    off_calendar = card["judged_on"].str.startswith(("全年预计", "成批事项", "实际值"), na=False)
    assert off_calendar.sum() >= 10 and card.loc[off_calendar, "expected_progress"].isna().all()
    assert card.loc[card["target"].isna(), "expected_progress"].isna().all()
    tiers = pd.read_csv(internal.folder / "tiers.csv", encoding="utf-8-sig")
    assert all(_decimals(v) <= 2 for v in tiers["revenue_ytd"].dropna())
    growth = tiers["revenue_growth"].dropna()
    assert all(_decimals(v) <= 1 for v in growth) and growth.abs().max() > 1  # percent


def test_the_public_folder_names_no_path_of_this_machine(published):
    root, paths, _, public, *_ = published
    machine = [str(root), str(paths.out.resolve()), "/work/", "/tmp/", "/home/"]
    for file in public.folder.rglob("*"):
        if file.is_file() and file.suffix in {".yaml", ".json", ".ipynb", ".log", ".html"}:
            text = file.read_text(encoding="utf-8")
            for path in machine:
                assert path not in text, (file.name, path)


def test_a_successful_run_logs_no_kernel_noise(published):
    _, _, internal, public, *_ = published
    for folder in (internal.folder, public.folder):
        log = (folder / "run.log").read_text(encoding="utf-8")
        assert "done in" in log
        for noise in ("KeyboardInterrupt", "without encryption", "WARNING", "Traceback"):
            assert noise not in log, (folder, noise)


def test_a_reused_report_lists_quarters_produced_since(published):
    _, _, internal, _, earlier, reused, after_q2 = published
    made = (internal.folder / "index.html").read_text(encoding="utf-8")
    assert "2026Q2" not in made  # the copied report was made before 2026Q2's
    assert reused.reused and reused.folder == earlier.folder.with_name(internal.folder.name)
    index = (reused.folder / "index.html").read_text(encoding="utf-8")
    assert 'href="../2026Q2/index.html"' in index
    assert len(re.findall(r"<!-- earlier -->", index)) == 1


def test_publishing_a_report_adds_it_to_the_reports_made_before(published):
    """2026Q2 made after 2026Q3: 2026Q3's index lists it at once (no rerun needed), and
    2026Q2's own index lists 2026Q3, the report made before it that is newer."""
    *_, earlier, _, after_q2 = published
    assert 'href="../2026Q2/index.html"' in after_q2
    own = (earlier.folder / "index.html").read_text(encoding="utf-8")
    assert 'href="../2026Q3/index.html"' in own and "没有其他报告期的报告" not in own
