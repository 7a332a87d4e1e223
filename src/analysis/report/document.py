"""The 督查通报 as the supervision office circulates it: an official document (GB/T
9704-2012) written as bulletin.docx, and as bulletin.pdf when LibreOffice is at hand.

The text is built first, as a list of blocks (`compose`), from the run's scorecard, the
departments' parts and the previous 通报's scorecard; the layout (`write_docx`) only
places the blocks. Every sentence comes from the facts of the period, so two periods, or
two departments, do not read alike. Where the official fonts (方正小标宋简体, 仿宋_GB2312,
黑体, 楷体_GB2312) are not installed, Word substitutes its own and still shows their names;
the PDF is made with the Noto CJK fonts put in their place (FONT_SUBSTITUTES).
"""

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis.intake.periods import Period, day_label
from analysis.judgement import (
    AHEAD,
    ATTENTION,
    BEHIND,
    DONE,
    MET,
    NO_DATA,
    NO_TARGET,
    NOT_DONE,
    NOT_MET,
    NOT_REPORTED,
    OFF_COURSE,
    OVERDUE,
    STATUS_ORDER,
)
from analysis.measures import changes, disclosure
from analysis.measures.owners import LATE, NOT_SENT
from analysis.report import narrative

DOCX, PDF = "bulletin.docx", "bulletin.pdf"
log = logging.getLogger("analysis.run.document")  # into the run's log (run.log)
PERIOD_FOLDER = re.compile(r"\d{4}(Q[1-4]|-(0[124578]|1[01]))")  # str(periods.Period)
NUMERALS = "一二三四五六七八九十"

# GB/T 9704-2012: fonts by role, sizes in points (2号 22, 3号 16, 4号 14).
FONTS = {
    "masthead": "方正小标宋简体",
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "h1": "黑体",
    "h2": "楷体_GB2312",
    "page": "宋体",
}
LATIN = "Times New Roman"
SIZES = {"masthead": 36, "title": 22, "body": 16, "h1": 16, "h2": 16, "page": 14}
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES, CHARACTERS = 22, 28
LINE_PITCH = 28.95  # points: 22 lines in the 225 mm text block
# 28 characters of 16 pt need 448 pt, the text block is 442 pt wide: the body's characters
# are set 0.25 pt closer (in twentieths of a point), as Word's character grid would; a grid
# of characters itself is not used, since LibreOffice gives a character wider than its
# cell two cells (14 to a line).
CONDENSED = -5
RED = "FF0000"
# What the PDF is made with where the official fonts are absent (fontconfig aliases).
FONT_SUBSTITUTES = {
    "方正小标宋简体": "Noto Serif CJK SC",
    "仿宋_GB2312": "Noto Serif CJK SC",
    "楷体_GB2312": "Noto Serif CJK SC",
    "黑体": "Noto Sans CJK SC",
    "宋体": "Noto Serif CJK SC",
}
CONVERT_SECONDS = 180


@dataclass
class Block:
    """One paragraph of the document: its role (the layout's style) and text; `lead` is a
    run-in level-2 heading (楷体) before the text."""

    role: str  # masthead, issue, issuer, title, recipients, body, h1, h2, signature, date
    text: str
    lead: str = ""


def _cn(n: int) -> str:
    """1 → 一 … 10 → 十, 11 → 十一 (headings never reach 20)."""
    return NUMERALS[n - 1] if n <= 10 else "十" + NUMERALS[n - 11]


def _names(frame: pd.DataFrame) -> list[str]:
    return [n.removeprefix("其中：") for n in frame["name"]]


def _joined(items: list[str]) -> str:
    return "、".join(items)


# --- the previous 通报 ---------------------------------------------------------------
def earlier_reports(root: Path, period: Period) -> list[Period]:
    """The periods of the same year published in the edition's folder before `period`
    (folders holding a scorecard.csv), oldest first."""
    found = [
        Period.parse(p.name)
        for p in Path(root).iterdir()
        if p.is_dir() and PERIOD_FOLDER.fullmatch(p.name) and (p / "scorecard.csv").exists()
    ]
    return sorted(q for q in found if q.year == period.year and q < period)


def previous_card(root: Path, earlier: list[Period]) -> pd.DataFrame | None:
    """The last earlier report's scorecard, in the run's form (changes.from_file)."""
    if not earlier:
        return None
    path = Path(root) / str(earlier[-1]) / "scorecard.csv"
    try:
        return changes.from_file(pd.read_csv(path, encoding="utf-8-sig"))
    except (ValueError, KeyError, UnicodeDecodeError) as exc:  # a file edited by hand
        log.warning("%s 无法读取，通报不与上期比较 / unreadable, no comparison: %s", path, exc)
        return None


# --- the text --------------------------------------------------------------------------
@dataclass
class Facts:
    """What the document is written from."""

    card: pd.DataFrame  # targets.scorecard
    rows: pd.DataFrame  # targets.by_department with the departments' parts
    period: Period
    plan_names: dict[int, str]
    settings: dict  # thresholds.yaml's bulletin section
    number: int  # 期号: this report's place among the year's reports
    previous: pd.DataFrame | None = None  # the previous 通报's scorecard
    previous_period: Period | None = None
    withheld: tuple = ()  # indicators whose figures the public edition does not give
    issued: date | None = None
    returns: pd.DataFrame | None = None  # owners.return_status: who reported, when
    decreases: pd.DataFrame | None = None  # owners.decreases: figures below the last return


def _gap(row, facts: Facts) -> str:
    return narrative.gap_text(row, row.indicator in facts.withheld)


def overall(facts: Facts) -> str:
    """总体情况: the counts by status in one paragraph, the items going well by name."""
    card, q = facts.card, facts.period
    counts = card["status"].value_counts()
    with_data = int(card["actual"].notna().sum())
    text = narrative.no_targets(card, q)
    text += f"截至{q.year}年{q.month}月底，十大计划共{len(card)}项指标，{with_data}项本期有数据。"
    judged = [s for s in STATUS_ORDER if counts.get(s) and s not in (NO_TARGET, NO_DATA)]
    if judged:
        text += "按各类指标的考核口径，" + "，".join(f"{s}{counts[s]}项" for s in judged)
    extra = [f"{s}{counts[s]}项" for s in (NO_TARGET, NO_DATA) if counts.get(s)]
    text += ("；另有" + "、".join(extra) if extra else "") + "。"
    if q.month < 12:
        text += f"流量指标的序时进度为{q.schedule}。"
    behind = card[card["status"].isin(ATTENTION)]
    ahead = card[card["status"] == AHEAD]
    done = card[card["status"].isin([DONE, MET])]
    if not ahead.empty:
        text += f"{_joined(_names(ahead))}快于序时进度。"
    if not done.empty:
        many = f"等{len(done)}项" if len(done) > 3 else ""
        text += f"{_joined(_names(done)[:3])}{many}已完成或达到年度目标。"
    text += (
        f"需要关注的指标{len(behind)}项，具体情况见第二部分。"
        if len(behind)
        else "没有进度滞后或预计难以完成的指标。"
    )
    missing = sorted({d for names in card["not_reported"] for d in names.split("、") if d})
    if missing:
        text += f"{_joined(missing)}本期未报送报表，其应报的数未计入合计。"
    return text + returns_sentence(facts)


def returns_sentence(facts: Facts) -> str:
    """Who sent the period's return on time, who late (with the day), who not at all, and
    which figures fell below the department's previous return."""
    status, fell = facts.returns, facts.decreases
    if status is None or status.empty:
        return ""
    states = status.groupby("state", sort=False)["department"].agg(list)
    late = status[status["state"] == LATE]
    text = f"应报送报表的{len(status)}个单位中，"
    parts = [f"{len(status) - len(states.get(NOT_SENT, []))}个已报送"]
    if not late.empty:
        days = [f"{r.department}{r.sent_on}" for r in late.itertuples()]
        parts.append(f"其中{_joined(days)}报送，晚于{late['due'].iloc[0]}的截止日期")
    if NOT_SENT in states:
        parts.append(f"{_joined(states[NOT_SENT])}未报送")
    text += "，".join(parts) + "。"
    if fell is not None and not fell.empty:
        named = [f"{r.department}的{r.name}" for r in fell.itertuples()]
        shown = _joined(named[:3]) + (f"等{len(named)}项" if len(named) > 3 else "")
        text += f"{shown}本期累计数低于上期报表，请相关单位核实更正。"
    return text


def _group_sentence(group: pd.DataFrame, facts: Facts) -> str:
    """One plan and owner's items behind, the furthest first, each with its gap."""
    statuses = set(group["status"])
    clauses = [
        f"{n}{_gap(r, facts)}" for n, r in zip(_names(group), group.itertuples(), strict=True)
    ]
    if len(group) == 1:
        return clauses[0] + "。"
    if statuses == {BEHIND}:
        lead = f"{len(group)}项指标落后于序时进度"
    elif statuses == {OFF_COURSE}:
        lead = f"{len(group)}项分档企业数按全年预计难以达标"
    elif statuses <= {NOT_MET}:
        lead = f"{len(group)}项比率未达到目标值"
    else:
        lead = f"{len(group)}项指标需要关注"
    return f"{lead}：" + "；".join(clauses) + "。"


def behind_blocks(facts: Facts) -> list[Block]:
    """进度滞后的事项, grouped by plan and owner, each item with its gap."""
    behind = changes.most_behind(facts.card)
    if behind.empty:
        return [Block("body", "本期没有进度滞后、逾期或预计难以完成的指标。")]
    blocks = []
    groups = behind.groupby(["plan", "departments"], sort=True)
    for i, ((plan, owners), group) in enumerate(groups, start=1):
        lead = f"（{_cn(i)}）{facts.plan_names.get(plan, f'计划{plan}')}（{owners}）。"
        blocks.append(Block("h2", _group_sentence(group, facts), lead))
    return blocks


def _still_text(row) -> str:
    before, now = row.shortfall_before, row.shortfall_now
    if pd.isna(before) or pd.isna(now) or abs(now - before) < 0.0005:
        return row.name
    trend = "扩大" if now > before else "缩小"
    return f"{row.name}（差距由年度目标的{before:.1%}{trend}到{now:.1%}）"


def change_blocks(facts: Facts) -> list[Block]:
    """What changed since the previous 通报; said plainly when there is none."""
    q = facts.period
    if facts.previous is None and facts.number > 1:
        return [Block("body", "上期通报的指标表（scorecard.csv）无法读取，本期不与上期比较。")]
    if facts.previous is None:
        return [
            Block(
                "body",
                f"本期为{q.year}年第{facts.number}期，输出目录中没有本年此前的通报，"
                "无上期情况可作比较。",
            )
        ]
    moved = changes.since(facts.previous, facts.card)
    moved["name"] = moved["name"].str.removeprefix("其中：")
    label = facts.previous_period.label if facts.previous_period else "上期"
    text = f"与上期通报（第{facts.number - 1}期，{label}）相比，"
    if moved.empty:
        return [Block("body", text + "两期均没有需要关注的指标。")]
    parts = []
    newly = moved[moved["change"] == changes.NEWLY]
    still = moved[moved["change"] == changes.STILL]
    recovered = moved[moved["change"] == changes.RECOVERED]
    unjudged = moved[moved["change"] == changes.UNJUDGED]
    if not newly.empty:
        items = [f"{r.name}（{r.status_now}）" for r in newly.itertuples()]
        parts.append(f"新出现{len(newly)}项需要关注的指标：{_joined(items)}")
    if not still.empty:
        items = [_still_text(r) for r in still.itertuples()]
        parts.append(f"仍未扭转的{len(still)}项：{_joined(items)}")
    if not recovered.empty:
        items = [
            f"{r.name}（由{r.status_before}转为{r.status_now}）" for r in recovered.itertuples()
        ]
        parts.append(f"已经扭转的{len(recovered)}项：{_joined(items)}")
    if not unjudged.empty:
        parts.append(
            f"上期需要关注、本期无数据的{len(unjudged)}项：{_joined(list(unjudged['name']))}"
        )
    if newly.empty and recovered.empty:
        parts.append("需要关注的指标没有增减")
    return [Block("body", text + "；".join(parts) + "。")]


def _department_text(own: pd.DataFrame, facts: Facts) -> str:
    """What one department is told, or "" when there is nothing beyond its counts."""
    sentences = []
    attention = own[own["status"].isin(ATTENTION)]
    if len(attention) == 1:
        row = next(attention.itertuples())
        sentences.append(f"承担的{_names(attention)[0]}{row.status}")
    elif len(attention) > 1:
        items = [f"{n}（{s}）" for n, s in zip(_names(attention), attention["status"], strict=True)]
        sentences.append(f"承担的{len(attention)}项指标需要关注：{_joined(items)}")
    joint = own[own["departments"].str.contains("、") & own["own_actual"].notna()]
    joint = joint[~joint["indicator"].isin(facts.withheld)]
    if not joint.empty:
        items = []
        for name, r in zip(_names(joint), joint.itertuples(), strict=True):
            item = f"{name}本单位报送{narrative.figure(r.own_actual, r.unit)}"
            if pd.notna(r.own_target):
                item += f"，分解目标{narrative.figure(r.own_target, r.unit)}，{r.status}"
            items.append(item + f"，全市合计{narrative.figure(r.actual, r.unit)}")
        sentences.append("共同承担的指标中，" + "；".join(items))
    unreported = own[own["status"] == NOT_REPORTED]
    if not unreported.empty:
        sentences.append(f"本期未报送{_joined(_names(unreported))}，其应报的数未计入合计")
    return "。".join(sentences) + "。" if sentences else ""


def department_blocks(facts: Facts) -> list[Block]:
    """A section per department with something to say (items needing attention, returns
    not sent, its own part of joint items); departments told the same are named together."""
    said: dict[str, list[str]] = {}
    for department, own in facts.rows.groupby("department", sort=False):
        text = _department_text(own, facts)
        if text:
            said.setdefault(text, []).append(department)
    blocks = [
        Block("h2", text, f"（{_cn(i)}）{_joined(departments)}。")
        for i, (text, departments) in enumerate(said.items(), start=1)
    ]
    return blocks or [Block("body", "各单位均没有需要单独说明的事项。")]


# What an owner is asked to do, by the kind of shortfall.
ASKS = {
    BEHIND: "倒排工期、挂图作战，力争下期赶上序时进度",
    OFF_COURSE: "逐户跟踪临近门槛的企业，挖掘增长潜力，确保年末达到目标",
    NOT_MET: "查明差距原因，尽快达到目标值",
    OVERDUE: "说明逾期原因，明确完成时限并按期办结",
    NOT_DONE: "分析未完成的原因，提出整改措施并报督查办",
}
STARTS_ASK = "督促未开工项目尽快开工"


def _asks(attention: pd.DataFrame) -> list[str]:
    """Per group of owners, what they must do about the items they are behind on together:
    an item owned jointly is asked of all its owners at once, never once per owner."""
    owners = attention.groupby(["indicator", "status"], sort=False)["department"].agg(tuple)
    wanted: dict[tuple, dict[str, list]] = {}
    for (indicator, status), departments in owners.items():
        row = attention[attention["indicator"] == indicator].iloc[0]
        ask = STARTS_ASK if row["basis"] == "starts" else ASKS[status]
        name = row["name"].removeprefix("其中：")
        wanted.setdefault(departments, {}).setdefault(ask, []).append(name)
    return [
        f"{_joined(list(departments))}要"
        + "；".join(f"对{_joined(names)}，{ask}" for ask, names in asks.items())
        for departments, asks in wanted.items()
    ]


def requirement_blocks(facts: Facts) -> list[Block]:
    """工作要求, derived from the facts: who must report, who must speed up what, what
    must be explained after two 通报 behind."""
    blocks, rows = [], facts.rows
    unreported = rows[rows["status"] == NOT_REPORTED]
    if not unreported.empty:
        who = [
            f"{d}（{_joined(_names(g))}）" for d, g in unreported.groupby("department", sort=False)
        ]
        blocks.append(
            (
                "按时报送报表。",
                f"{_joined(who)}本期未报送，请于下期报送截止日前补报，并说明未报原因；"
                "共同承担的指标，各单位报送本单位承担的部分，不以他人数据代替。",
            )
        )
    late = _late(facts)
    if late:
        blocks.append(("按期报送报表。", late))
    asks = _asks(rows[rows["status"].isin(ATTENTION)])
    if asks:
        blocks.append(("抓紧补齐短板。", "。".join(asks) + "。"))
    if facts.previous is not None:
        moved = changes.since(facts.previous, facts.card)
        still = moved[moved["change"] == changes.STILL]
        if not still.empty:
            names = _joined([n.removeprefix("其中：") for n in still["name"]])
            owners = _joined(list(dict.fromkeys("、".join(still["departments"]).split("、"))))
            blocks.append(
                (
                    "对连续滞后事项说明原因。",
                    f"{names}连续两期需要关注，{owners}要在下期报表中书面说明原因和整改措施。",
                )
            )
    if not blocks:
        blocks.append(("保持推进力度。", "各责任单位要保持当前进度，确保年度目标全面完成。"))
    closing = f"{facts.settings['issuer']}将继续跟踪，在下期通报中说明上述事项的进展。"
    out = [Block("h2", text, f"（{_cn(i)}）{lead}") for i, (lead, text) in enumerate(blocks, 1)]
    return [*out, Block("body", closing)]


def _late(facts: Facts) -> str:
    """What is asked of units that sent their return after the due date."""
    status = facts.returns
    if status is None or status.empty:
        return ""
    late = status[status["state"] == LATE]
    if late.empty:
        return ""
    return (
        f"{_joined(late['department'].tolist())}本期报表晚于截止日期报送，"
        f"请于每月{late['due'].iloc[0].split('月')[-1]}前报送上月报表，确保通报数据及时完整。"
    )


def compose(facts: Facts) -> list[Block]:
    """The whole 通报, block by block, in the order GB/T 9704 gives its parts."""
    s, q = facts.settings, facts.period
    issued = facts.issued or date.today()
    issue = f"{s['issue_prefix']}〔{q.year}〕第{facts.number}期"
    sections = [
        ("总体情况", [Block("body", overall(facts))]),
        ("进度滞后的事项", behind_blocks(facts)),
        ("与上期通报相比的变化", change_blocks(facts)),
        ("各单位需要说明的情况", department_blocks(facts)),
        ("工作要求", requirement_blocks(facts)),
    ]
    blocks = [
        Block("masthead", s["masthead"]),
        Block("issue", issue),
        Block("issuer", f"{s['issuer']}\t{day_label(issued)}"),
        Block("title", f"关于工业振兴十大计划{q.label}推进情况的通报"),
        Block("recipients", f"{s['recipients']}："),
        Block(
            "body",
            f"根据各责任单位报送的{q.label}报表和统计、税务等部门的数据，{s['issuer']}"
            "对工业振兴十大计划的推进情况进行了督查。现将有关情况通报如下。",
        ),
    ]
    for i, (heading, content) in enumerate(sections, start=1):
        blocks += [Block("h1", f"{_cn(i)}、{heading}"), *content]
    return [*blocks, Block("signature", s["issuer"]), Block("date", day_label(issued))]


def behind_rows(card: pd.DataFrame, plan_names: dict[int, str], hidden=()) -> list[dict]:
    """The index's opening list: 计划 — 指标 — 差距 — 责任单位, the furthest behind first;
    the `hidden` indicators (withheld) without figures."""
    return [
        dict(
            plan=f"{r.plan} {plan_names.get(r.plan, '')}".strip(),
            name=r.name.removeprefix("其中："),
            status=r.status,
            gap=narrative.gap_text(r, r.indicator in hidden),
            departments=r.departments,
        )
        for r in changes.most_behind(card).itertuples()
    ]


# --- the layout ------------------------------------------------------------------------
def _fonts(run, role: str, colour: str | None = None) -> None:
    """A run in the role's font and size: the Chinese font named as eastAsia, so Word shows
    it (or its own substitute), Latin letters and digits in Times New Roman."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    east = FONTS[role]
    latin = east if role == "page" else LATIN
    run.font.size = Pt(SIZES[role])
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for key, name in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east)):
        fonts.set(qn(f"w:{key}"), name)
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour)
    if role in ("body", "h1", "h2"):
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CONDENSED))
        run._element.get_or_add_rPr().append(spacing)


def _spacing(paragraph, exact: float = LINE_PITCH) -> None:
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    form = paragraph.paragraph_format
    form.space_before = form.space_after = Pt(0)
    form.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    form.line_spacing = Pt(exact)


def _page_number(paragraph) -> None:
    """ "— 1 —": an em dash either side of a PAGE field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    _fonts(paragraph.add_run("— "), "page")
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("1", "1")):
        run = paragraph.add_run()
        _fonts(run, "page")
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        elif text:
            run.text = text
        else:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            run._r.append(mark)
    end = paragraph.add_run()
    _fonts(end, "page")
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), "end")
    end._r.append(mark)
    _fonts(paragraph.add_run(" —"), "page")


def _section(document) -> None:
    """A4, the standard's margins, 22 lines of 28.95 pt, page numbers outside: odd pages on the
    right, even pages on the left, one character in."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(21)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # The pitch is recorded, the lines are fixed by each paragraph's exact spacing: with
    # the grid's "lines" type LibreOffice fits only 21 of them on a page.
    grid.set(qn("w:type"), "default")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH * 20)))
    document.settings.odd_and_even_pages_header_footer = True
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        _spacing(paragraph, 1.25 * SIZES["page"])
        paragraph.alignment = align
        indent = Pt(SIZES["page"])
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            paragraph.paragraph_format.right_indent = indent
        else:
            paragraph.paragraph_format.left_indent = indent
        _page_number(paragraph)


def _border_below(paragraph, colour: str) -> None:
    """The red rule under the masthead block (版头分隔线)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "4"), ("color", colour)):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def write_docx(blocks: list[Block], path: Path) -> Path:
    """The blocks laid out as GB/T 9704-2012 asks (see the module's docstring)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
    from docx.shared import Mm, Pt

    document = Document()
    normal = document.styles["Normal"]
    _fonts(normal, "body")
    _section(document)
    indent = Pt(2 * SIZES["body"])
    text_width = Mm(210 - MARGINS_MM["left"] - MARGINS_MM["right"])
    for block in blocks:
        p = document.add_paragraph()
        _spacing(p)
        form = p.paragraph_format
        role = block.role
        if role == "masthead":
            _spacing(p, SIZES["masthead"] * 1.4)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _fonts(p.add_run(block.text), "masthead", RED)
        elif role == "issue":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _fonts(p.add_run(block.text), "body")
        elif role == "issuer":
            form.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
            _fonts(p.add_run(block.text), "body")
            _border_below(p, RED)
            _spacing(document.add_paragraph())  # a blank line before the title
        elif role == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _spacing(p, 1.5 * SIZES["title"])
            _fonts(p.add_run(block.text), "title")
            _spacing(document.add_paragraph())
        elif role == "recipients":
            _fonts(p.add_run(block.text), "body")
        elif role in ("signature", "date"):
            if role == "signature":
                p.paragraph_format.space_before = Pt(2 * LINE_PITCH)
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            form.right_indent = Pt(4 * SIZES["body"] if role == "date" else 2 * SIZES["body"])
            _fonts(p.add_run(block.text), "body")
        else:  # body, h1, h2: two characters in
            form.first_line_indent = indent
            if block.lead:
                _fonts(p.add_run(block.lead), "h2")
            _fonts(p.add_run(block.text), "h1" if role == "h1" else "body")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


# --- the PDF ---------------------------------------------------------------------------
def _fontconfig(folder: Path) -> Path:
    """A fontconfig file: the system's fonts, and Noto CJK accepted for each official font
    that is absent (an installed official font still comes first)."""
    aliases = "".join(
        f"<alias binding='same'><family>{official}</family>"
        f"<accept><family>{noto}</family></accept></alias>"
        for official, noto in FONT_SUBSTITUTES.items()
    )
    path = folder / "fonts.conf"
    path.write_text(
        "<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
        f"<include ignore_missing='yes'>/etc/fonts/fonts.conf</include>{aliases}</fontconfig>",
        encoding="utf-8",
    )
    return path


def to_pdf(docx: Path) -> Path | None:
    """bulletin.pdf beside the .docx, converted by LibreOffice; None, with a line in the
    run's log, when soffice is not on the PATH or the conversion fails.

    LibreOffice works in a folder beside the .docx (in a run, inside the staging folder,
    which goes with the run) with a profile of its own, so that other LibreOffice
    processes do not block it. It runs in a session of its own, killed whole (soffice.bin
    too) when the conversion is interrupted, times out or the run stops."""
    soffice = shutil.which("soffice")
    if soffice is None:
        log.info("soffice 不在 PATH 中，未生成 %s / LibreOffice absent: no PDF", PDF)
        return None
    docx = Path(docx)
    folder = docx.parent / f".soffice-{docx.stem}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    try:
        command = [soffice, "--headless", "--norestore"]
        command += [f"-env:UserInstallation={(folder / 'profile').as_uri()}"]
        command += ["--convert-to", "pdf", "--outdir", str(folder), str(docx)]
        environment = os.environ | {"FONTCONFIG_FILE": str(_fontconfig(folder))}
        failed = _convert(command, environment)
        made = folder / f"{docx.stem}.pdf"
        if failed is not None or not made.exists():
            log.warning("%s 转换失败 / conversion failed, no %s: %s", docx.name, PDF, failed)
            return None
        target = docx.with_suffix(".pdf")
        shutil.move(made, target)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    log.info("%s converted by LibreOffice", PDF)
    return target


def _convert(command: list[str], environment: dict) -> str | None:
    """Run LibreOffice; None when it succeeded, else what went wrong. Its whole process
    group is killed if it outlasts CONVERT_SECONDS or anything (Ctrl-C) stops the wait."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        start_new_session=True,
    )
    try:
        _, errors = process.communicate(timeout=CONVERT_SECONDS)
    except BaseException as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if isinstance(exc, subprocess.TimeoutExpired):
            return f"超过 {CONVERT_SECONDS} 秒 / timed out after {CONVERT_SECONDS} s"
        raise
    return None if process.returncode == 0 else f"exit {process.returncode}: {errors.strip()}"


def withheld(made, edition: str) -> tuple:
    """The indicators the edition gives no figure of: in the public edition, a total that
    is a few named firms' own figures (disclosure.withheld; equity financing)."""
    if edition == "internal":
        return ()
    equity = made.table("equity")
    return tuple(disclosure.withheld({"equity_financing": equity["amount"]}, made.thresholds))


def _decreases(made, edition: str) -> pd.DataFrame:
    """The figures below the previous return; a firm's own figure in the internal edition
    only."""
    fell = made.table("return_decreases")
    return fell if edition == "internal" else fell[~fell["firm"].astype(bool)]


def write(made, folder: Path, edition: str, issued: date | None = None) -> list[str]:
    """bulletin.docx (and bulletin.pdf when LibreOffice is there) in the run's staging
    `folder`, from the run's products (products.Products); the previous 通报 is the last
    earlier report of the year in the edition's folder (the staging folder's parent).
    Returns the names of the files written."""
    folder = Path(folder)
    period = made.period
    earlier = earlier_reports(folder.parent, period)
    facts = Facts(
        card=made.table("scorecard"),
        rows=made.table("by_department"),
        period=period,
        plan_names=made.plan_names,
        settings=made.thresholds["bulletin"],
        number=len(earlier) + 1,
        previous=previous_card(folder.parent, earlier),
        previous_period=earlier[-1] if earlier else None,
        withheld=withheld(made, edition),
        issued=issued,
        returns=made.table("return_status"),
        decreases=_decreases(made, edition),
    )
    docx = write_docx(compose(facts), folder / DOCX)
    pdf = to_pdf(docx)
    return [DOCX] + ([PDF] if pdf else [])
