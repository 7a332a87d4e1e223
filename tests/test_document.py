"""The 督查通报 as an official document: bulletin.docx laid out by GB/T 9704-2012 (read
back with python-docx), bulletin.pdf converted by LibreOffice (read with poppler's
pdftotext and pdffonts), what changed since the previous 通报 (two generated reports,
their scorecard.csv read with the csv module), and the index's opening list."""

import csv
import re
import shutil
import subprocess
from datetime import date

import docx
import numpy as np
import pandas as pd
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from analysis import judgement, schema
from analysis.config import PARAMS_DIR
from analysis.errors import ParamsError
from analysis.intake.periods import Period
from analysis.measures import changes, targets
from analysis.report import document
from analysis.run.runner import produce
from tests.conftest import cell_texts, copy_q2_beside, require_program, without_libreoffice

# The supervision office's attention statuses, written out here rather than imported.
ATTENTION = {"滞后", "逾期未完成", "未完成", "预计未达标", "未达到目标"}
SETTINGS = {
    "issuer": "市政府督查室",
    "masthead": "督查通报",
    "issue_prefix": "工业",
    "recipients": "各单位",
}


def _east_asia(run) -> str | None:
    fonts = run._element.rPr.rFonts
    return fonts.get(qn("w:eastAsia")) if fonts is not None else None


def _read(path):
    """Every paragraph of the document: (text, [(run text, eastAsia font, size pt)])."""
    book = docx.Document(path)
    return book, [
        (p.text, [(r.text, _east_asia(r), r.font.size.pt if r.font.size else None) for r in p.runs])
        for p in book.paragraphs
        if p.text.strip()
    ]


def _section(paragraphs, heading: str) -> list[str]:
    """The paragraphs under a level-1 heading (一、… 五、), up to the next one."""
    texts = [t for t, _ in paragraphs]
    start = next(i for i, t in enumerate(texts) if re.fullmatch(rf"[一二三四五]、{heading}", t))
    end = next(
        (i for i in range(start + 1, len(texts)) if re.match(r"[一二三四五六]、", texts[i])),
        len(texts),
    )
    return texts[start + 1 : end]


def _scorecard(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


# --- the layout, on the shared report's own file -------------------------------------
def test_the_document_is_laid_out_as_gb_t_9704(report):
    book, paragraphs = _read(report.internal.folder / document.DOCX)
    section = book.sections[0]
    size = (section.page_width.mm, section.page_height.mm)
    assert size == pytest.approx((210, 297), abs=0.05)  # A4, stored in twentieths of a point
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [m.mm for m in margins] == pytest.approx([37, 35, 28, 26], abs=0.05)
    title = next(runs for text, runs in paragraphs if text.startswith("关于工业振兴十大计划"))
    assert {(font, size) for _, font, size in title} == {("方正小标宋简体", 22)}
    h1 = [runs for text, runs in paragraphs if re.match(r"[一二三四五]、", text)]
    assert len(h1) == 5 and all(runs[0][1:] == ("黑体", 16) for runs in h1)
    h2 = [runs for text, runs in paragraphs if re.match(r"（[一二三四五六七八九十]+）", text)]
    assert h2 and all(runs[0][1:] == ("楷体_GB2312", 16) for runs in h2)
    assert all(runs[0][0].startswith("（") for runs in h2)
    body = [r for _, runs in paragraphs for r in runs[1:] if r[0].strip()]
    assert body and {(font, size) for _, font, size in body} == {("仿宋_GB2312", 16)}
    spacing = {
        p.paragraph_format.line_spacing for p in book.paragraphs if p.text.startswith("截至")
    }
    assert spacing == {Pt(28.95)}
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in "".join(footer._element.itertext()) and 'w:fldCharType="begin"' in xml
        assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(
            " —"
        )
    assert book.settings.odd_and_even_pages_header_footer  # odd pages right, even left


def test_issue_number_date_issuer_and_sections(report):
    _, paragraphs = _read(report.internal.folder / document.DOCX)
    texts = [t for t, _ in paragraphs]
    assert texts[0] == "督查通报"  # params/thresholds.yaml: bulletin.masthead
    assert texts[1] == "工业振兴〔2026〕第1期"  # no earlier report of 2026 in the folder
    today = date.today()
    issued = f"{today.year}年{today.month}月{today.day}日"
    assert texts[2] == f"市政府督查办公室\t{issued}"
    assert texts[-2:] == ["市政府督查办公室", issued]  # 落款
    assert texts[3] == "关于工业振兴十大计划2026年1-9月推进情况的通报"
    assert "没有本年此前的通报" in _section(paragraphs, "与上期通报相比的变化")[0]


def test_overall_counts_and_the_items_behind_match_the_scorecard(report):
    rows = _scorecard(report.internal.folder / "scorecard.csv")
    _, paragraphs = _read(report.internal.folder / document.DOCX)
    overall = _section(paragraphs, "总体情况")
    assert len(overall) == 1
    counts = pd.Series([r["status"] for r in rows]).value_counts()
    for status, n in counts.items():
        assert f"{status}{n}项" in overall[0]
    assert f"共{len(rows)}项指标" in overall[0]
    behind = "".join(_section(paragraphs, "进度滞后的事项"))
    late = [r for r in rows if r["status"] in ATTENTION]
    assert late, "the sample city has items behind"
    for r in late:
        assert r["name"].removeprefix("其中：") in behind
        assert r["departments"] in behind  # grouped by plan and owner
    for plan in {r["plan"] for r in late}:
        assert behind.count(f"{targets_plan_name(plan)}（") == len(
            {r["departments"] for r in late if r["plan"] == plan}
        )


def targets_plan_name(plan: str) -> str:
    from analysis import params

    return params.plan_names(PARAMS_DIR)[int(plan)]


def test_only_departments_with_something_to_say_have_a_section(report):
    rows = _scorecard(report.internal.folder / "scorecard.csv")
    _, paragraphs = _read(report.internal.folder / document.DOCX)
    said = "".join(t.split("。")[0] for t in _section(paragraphs, "各单位需要说明的情况"))
    owners = {d for r in rows if r["status"] in ATTENTION for d in r["departments"].split("、")}
    owners |= {d for r in rows for d in r["not_reported"].split("、") if d}
    assert owners and all(d in said for d in owners)
    quiet = {d for r in rows for d in r["departments"].split("、")} - owners
    # plan 1's owners have no target and report nothing themselves; 科技局 only batches
    assert {"发改局", "科技局", "金融办"} <= quiet
    assert not any(d in said for d in {"发改局", "科技局", "金融办"})


def test_sentences_follow_the_facts_not_one_template(report):
    _, paragraphs = _read(report.internal.folder / document.DOCX)
    text = "".join(t for t, _ in paragraphs)
    assert text.count("加快推进") <= 1
    departments = _section(paragraphs, "各单位需要说明的情况")
    assert len(set(departments)) == len(departments)
    bodies = [t.split("。", 1)[1] for t in departments]
    assert len({b[:6] for b in bodies}) > 1  # not every section opens the same way
    asks = "".join(_section(paragraphs, "工作要求"))
    assert "倒排工期" in asks and "逐户跟踪" in asks  # 滞后 flows and 预计未达标 stocks


# --- the PDF -----------------------------------------------------------------------------
def _pdf_pages(path) -> list[str]:
    require_program(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is absent")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def test_libreoffice_makes_a_pdf_that_loses_no_text(report, tmp_path):
    require_program(shutil.which("soffice") is not None, "LibreOffice (soffice) is absent")
    source = shutil.copy(report.internal.folder / document.DOCX, tmp_path / "通报.docx")
    pdf = document.to_pdf(source)
    assert pdf == tmp_path / "通报.pdf"
    pages = _pdf_pages(pdf)
    assert 3 <= len(pages) <= 8
    # every page carries its own number, "— n —", in order
    for n, page in enumerate(pages, start=1):
        assert re.search(rf"—\s*{n}\s*—", page), n
    flat = re.sub(r"\s", "", re.sub(r"—\s*\d+\s*—", "", "".join(pages)))
    _, paragraphs = _read(source)
    for text, _ in paragraphs:
        assert re.sub(r"\s", "", text) in flat, text
    rows = _scorecard(report.internal.folder / "scorecard.csv")
    owners = {d for r in rows if r["status"] in ATTENTION for d in r["departments"].split("、")}
    assert all(d in flat for d in owners)
    # 28 characters a line: no line of the body is longer
    lines = [line.strip() for page in pages for line in page.splitlines()]
    assert (
        max(len(line) for line in lines if re.fullmatch(r"[\u4e00-\u9fff、，。；：（）]+", line))
        == 28
    )


def test_the_runs_pdf_uses_noto_cjk_for_the_absent_official_fonts(report):
    require_program(shutil.which("soffice") is not None, "LibreOffice (soffice) is absent")
    require_program(shutil.which("pdffonts") is not None, "pdffonts (poppler-utils) is absent")
    pdf = report.internal.folder / document.PDF
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    names = [line.split()[0].split("+")[-1] for line in fonts.stdout.splitlines()[2:]]
    cjk = [n for n in names if "CJK" in n]
    assert any(n.startswith("NotoSerifCJK") for n in cjk)  # 仿宋, 楷体, 小标宋
    assert any(n.startswith("NotoSansCJK") for n in cjk)  # 黑体
    assert not any(n.startswith("DejaVu") for n in names)
    assert len(_pdf_pages(pdf)) >= 3


def test_without_soffice_there_is_no_pdf_and_the_log_says_so(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PATH", str(tmp_path))
    source = tmp_path / "b.docx"
    source.write_bytes(b"")
    with caplog.at_level("INFO", logger="analysis.run"):
        assert document.to_pdf(source) is None
    assert not (tmp_path / "b.pdf").exists()
    assert "soffice" in caplog.text and "no PDF" in caplog.text
    assert list(tmp_path.iterdir()) == [source]  # nothing left beside it


# --- the public edition ------------------------------------------------------------------
def test_the_public_edition_has_the_bulletin_too(report):
    folder = report.public.folder
    assert (folder / document.DOCX).exists()
    _, public = _read(folder / document.DOCX)
    _, internal = _read(report.internal.folder / document.DOCX)
    assert _section(public, "进度滞后的事项") == _section(internal, "进度滞后的事项")


@pytest.fixture
def card():
    """A scorecard as targets.scorecard gives it: equity financing overdue, joint fees."""
    both = "监察局、物价局"
    rows = [
        # indicator, plan, name, unit, target, actual, projected, basis, status, departments
        ("equity_financing", 7, "股权融资额", "万元", 9000, 6050, np.nan, "batch", "逾期未完成",
         "金融办"),
        ("visits", 3, "走访企业", "家", 30, 15, np.nan, "flow", "滞后", "经信局"),
        ("sales", 3, "销售收入过1亿元工业企业", "家", 23, 18, 22, "stock", "预计未达标", "经信局"),
        ("fees", 8, "取消收费项目", "项", 22, 10, np.nan, "batch", "推进中", both),
        ("cut", 8, "削减审批事项", "项", 259, 240, np.nan, "flow", "超序时进度", both),
    ]  # fmt: skip
    columns = ["indicator", "plan", "name", "unit", "target", "actual", "projected", "basis"]
    frame = pd.DataFrame(rows, columns=columns + ["status", "departments"])
    frame["expected_progress"] = frame["basis"].map({"flow": 0.75})
    frame["judged_on"] = frame["basis"].map(judgement.RULES)
    frame["progress"] = frame["actual"] / frame["target"]
    frame["target_year"], frame["not_reported"], frame["growth"] = 2026, "", np.nan
    return frame


def _facts(card, **given):
    rows = targets.by_department(card)
    plans = {3: "骨干攀登计划", 7: "融资突破计划", 8: "减负提速计划"}
    return document.Facts(card, rows, Period(2026, 9), plans, SETTINGS, 3, **given)


def test_the_public_edition_gives_no_figure_of_a_few_firms_total(card):
    internal = "".join(b.text for b in document.compose(_facts(card, issued=date(2026, 10, 9))))
    public = "".join(
        b.text for b in document.compose(_facts(card, withheld=("equity_financing",), issued=None))
    )
    assert "累计6,050万元" in internal
    assert "6,050" not in public and "股权融资额逾期未完成（数额由少数企业构成" in public
    assert "市政府督查室\t2026年10月9日" in internal and "工业〔2026〕第3期" in internal
    listed = {r["name"]: r["gap"] for r in document.behind_rows(card, {}, ("equity_financing",))}
    assert listed["股权融资额"].startswith("逾期未完成（数额由少数企业构成")
    assert listed["走访企业"].startswith("完成15家")  # the others keep their figures


# --- what changed since the last 通报 ----------------------------------------------------
def test_changes_sort_indicators_into_newly_still_and_recovered(card):
    before = card.copy()
    before.loc[before["indicator"] == "visits", "status"] = "达到序时进度"  # newly behind
    before.loc[before["indicator"] == "cut", "status"] = "滞后"  # recovered since
    before.loc[before["indicator"] == "cut", "progress"] = 0.5
    before = before[before["indicator"] != "equity_financing"]  # new: not behind before
    moved = changes.since(before, card).set_index("indicator")
    assert moved["change"].to_dict() == {
        "equity_financing": changes.NEWLY,
        "visits": changes.NEWLY,
        "sales": changes.STILL,
        "cut": changes.RECOVERED,
    }
    assert moved.at["cut", "shortfall_before"] == pytest.approx(0.25)
    assert moved.at["cut", "shortfall_now"] == pytest.approx(0.75 - 240 / 259)
    assert moved.at["sales", "shortfall_now"] == pytest.approx(1 - 22 / 23)  # projection
    text = document.change_blocks(_facts(card, previous=before, previous_period=Period(2026, 6)))
    assert text[0].text.startswith("与上期通报（第2期，2026年1-6月）相比，新出现2项")
    assert "已经扭转的1项：削减审批事项（由滞后转为超序时进度）" in text[0].text


def test_the_most_behind_come_first_whatever_their_kind(card):
    ranked = changes.most_behind(card)
    # overdue batch 1 − 6050/9000 = 33%; visits 75% − 50% = 25%; stock 1 − 22/23 = 4%
    assert list(ranked["indicator"]) == ["equity_financing", "visits", "sales"]


@pytest.fixture(scope="module")
def two_reports(q2_beside, tmp_path_factory):
    """The shared 2026Q3 report copied, a 2026Q2 report made beside it (conftest.q2_beside),
    then 2026Q3 made again: its 通报 is the year's second and compares itself with
    2026Q2's scorecard. Bare notebooks: only the run's own files are looked at."""
    earlier, paths = copy_q2_beside(q2_beside, tmp_path_factory.mktemp("two_reports"))
    with without_libreoffice():
        later = produce("2026Q3", paths, force=True)
    return earlier.folder, later.folder


def test_the_second_report_says_what_changed_since_the_first(two_reports):
    earlier, later = two_reports
    before = {r["indicator"]: r for r in _scorecard(earlier / "scorecard.csv")}
    now = {r["indicator"]: r for r in _scorecard(later / "scorecard.csv")}
    was = {i for i, r in before.items() if r["status"] in ATTENTION}
    is_ = {i for i, r in now.items() if r["status"] in ATTENTION}
    newly, still = is_ - was, is_ & was
    recovered = {i for i in was - is_ if now[i]["status"] not in {"无数据", "未设目标"}}
    assert newly | still | recovered, "the two periods differ in what is behind"
    _, first = _read(earlier / document.DOCX)
    assert [t for t, _ in first][1] == "工业振兴〔2026〕第1期"
    _, second = _read(later / document.DOCX)
    assert [t for t, _ in second][1] == "工业振兴〔2026〕第2期"
    (said,) = _section(second, "与上期通报相比的变化")
    opening = "与上期通报（第1期，2026年1-6月）相比，"
    assert said.startswith(opening)
    clauses = said.removeprefix(opening).rstrip("。").split("；")
    for lead, ids in (("新出现", newly), ("仍未扭转", still), ("已经扭转", recovered)):
        clause = next((c for c in clauses if c.startswith(lead)), "")
        assert (f"{len(ids)}项" in clause) if ids else not clause, lead
        for i in ids:
            assert now[i]["name"].removeprefix("其中：") in clause
    if still:  # those behind twice are asked to explain themselves
        assert "连续两期需要关注" in "".join(_section(second, "工作要求"))


# --- the index's opening list ------------------------------------------------------------
def test_the_index_opens_with_the_items_most_behind(report):
    page = (report.internal.folder / "index.html").read_text(encoding="utf-8")
    assert page.index('id="behind"') < page.index('class="status-summary"')
    rows = _scorecard(report.internal.folder / "scorecard.csv")

    def short(r) -> float:  # the share of the target lacking against what is due now
        due = float(r["expected_progress"]) / 100 if r["expected_progress"] else 1.0
        if r["judged_on"] == "全年预计对照年度目标":
            return due - float(r["projected"]) / float(r["target"])
        return due - float(r["progress"]) / 100

    late = {r["name"].removeprefix("其中："): r for r in rows if r["status"] in ATTENTION}
    table = page[page.index('id="behind"') : page.index('class="status-summary"')]
    cells = cell_texts(table)
    assert cells[:4] == ["计划", "指标", "差距", "责任单位"]
    listed = [cells[k : k + 4] for k in range(4, len(cells), 4)]
    assert len(listed) == len(late) > 1
    gaps = []
    for plan, name, gap, owners in listed:
        r = late[name.rsplit("（", 1)[0]]
        assert name.endswith(f"（{r['status']}）")
        assert owners == r["departments"] and plan.startswith(r["plan"] + " ")
        assert re.search(r"\d", gap)  # in figures as well as words
        gaps.append(short(r))
    # the furthest behind first (the file's figures are rounded: within 0.2 points)
    assert all(a >= b - 0.002 for a, b in zip(gaps, gaps[1:], strict=False))


# --- the parameters ----------------------------------------------------------------------
def test_the_bulletin_section_of_the_parameters_is_checked(tmp_path):
    folder = shutil.copytree(PARAMS_DIR, tmp_path / "params")
    path = folder / "thresholds.yaml"
    text = path.read_text(encoding="utf-8")
    assert "bulletin:\n  issuer: 市政府督查办公室" in text
    path.write_text(text.replace("  recipients: 各责任单位", "  recipient: 各单位"), "utf-8")
    with pytest.raises(ParamsError) as refused:
        schema.check(folder)
    assert "thresholds.yaml" in str(refused.value) and "bulletin.recipient" in str(refused.value)
    path.write_text(text.replace("  issuer: 市政府督查办公室\n", ""), "utf-8")
    assert schema.check(folder)["thresholds.yaml"].bulletin.issuer == "市政府督查办公室"


def test_an_unreadable_previous_scorecard_is_said_not_compared(card, tmp_path, caplog):
    (tmp_path / "2026Q2").mkdir()
    (tmp_path / "2026Q2" / "scorecard.csv").write_bytes(
        "指标\n\xff".encode("gbk", "ignore") + b"\xff"
    )
    earlier = document.earlier_reports(tmp_path, Period(2026, 9))
    assert earlier == [Period(2026, 6)]
    with caplog.at_level("WARNING", logger="analysis.run"):
        assert document.previous_card(tmp_path, earlier) is None
    assert "scorecard.csv" in caplog.text
    (said,) = document.change_blocks(_facts(card))  # number 3, nothing to compare with
    assert said.text.startswith("上期通报的指标表（scorecard.csv）无法读取")
