"""Workbooks the intake once misread without a word (issue 23), saved by LibreOffice.

Each case is drafted with openpyxl, saved again by LibreOffice headless (one call for
all of them), read by the intake, and checked against an independent reading of the same
LibreOffice files with openpyxl; every refusal is checked for the file, the problem and
the fix.
"""

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from analysis import params
from analysis.config import PARAMS_DIR
from analysis.errors import InputFileError
from analysis.intake import context, quality
from analysis.intake.ingest import ingest
from analysis.intake.periods import Period
from analysis.measures.tiers import movers
from tests.conftest import require_program

A = "91350100M000100Y43"  # valid
B = "91371082MA3C4XKT0M"  # valid
D = "913710821234567894"  # valid
A_TYPED = "9135O100M000100Y43"  # the letter O for the zero: not of the alphabet
B_TYPED = "91371082MA3C4XKT0B"  # a wrong check character
NAMES = {A: "黄海汽车配件有限公司", B: "佰德信环保科技有限公司", D: "双连制动系统有限公司"}
NAMES |= {A_TYPED: NAMES[A], B_TYPED: NAMES[B]}  # a typed code, the firm's exact name
HEADER = ["序号", "统一社会信用代码", "企业名称", "营业收入本年累计", "营业收入上年同期"]
UNIT_LINE = ["填报单位：海阳市统计局", None, None, "单位：万元"]
STATS_TITLE = "全市规模以上工业企业主要经济指标"


def _stats(title, firms, above=(), unit=UNIT_LINE, signoff=None):
    """A statistics-bureau table: lines `above` the title, the title, the unit line, the
    header, one row per (code, revenue, revenue last year) in 万元."""
    rows = [*([line] for line in above), [title], unit, HEADER]
    rows += [[i, code, NAMES[code], now, then] for i, (code, now, then) in
             enumerate(firms, start=1)]  # fmt: skip
    if signoff:
        rows.append([signoff])
    return rows


FIRMS_2026 = [(A, 12000.5, 10000), (B, 9800, 9000), (D, 4000, 3500)]
FIRMS_2025 = [(A, 10000, 8000), (B, 9000, 8500), (D, 3500, 3000)]
PROJECT_HEADER = ["序号", "项目名称", "项目类别", "统一社会信用代码", "建设单位", "计划总投资"]
PROJECT_HEADER += ["本年累计完成投资", "开工时间"]
PROJECTS = [  # (kind, planned 万元, done 万元, date): which the period's list may hold
    ("招引项目", 34443.93, 1877.59, "2026-10-24"),  # in the period
    ("招引项目", 13940.63, 273.86, "2026-11-10"),  # after the period's end
    ("招引项目", 55550.11, 1200.15, "2026-12-01"),  # after the period's end
    ("招引项目", 26001.22, 1273.79, "2025-12-13"),  # last year
    ("重点项目", 80000.00, 9000.00, "2024-03-01"),  # a key project continuing: no defect
    ("重点项目", 50000.00, 0.00, "2026-12-15"),  # a key project's planned start: no defect
    ("招引项目", 12000.00, 0.00, None),  # no date: never counted, so quarantined
]


def _projects():
    rows = [["2026年1-10月全市重点项目及技改项目进展情况"], ["单位：万元"], PROJECT_HEADER]
    for i, (kind, planned, done, day) in enumerate(PROJECTS, start=1):
        when = pd.Timestamp(day) if day else None
        rows.append([i, f"项目{i}", kind, A, NAMES[A], planned, done, when])
    rows.append(["注：本表数据为本年1月1日起累计数。"])
    return rows


def _platforms():
    header = ["序号", "统一社会信用代码", "企业名称", "类别", "级别", "平台名称", "批准时间"]
    return [
        ["2026年1-10月新建创新平台及科技立项情况"],
        header,
        [1, A, NAMES[A], "高新技术企业", "国家级", "高企", pd.Timestamp("2026-03-01")],
        [2, B, NAMES[B], "院士工作站", "省级", "院士站", pd.Timestamp("2025-12-20")],
    ]


def _financing():
    header = ["序号", "统一社会信用代码", "企业名称", "事项", "金额", "日期"]
    return [
        ["2026年1-10月企业融资及上市推进情况"],
        ["单位：万元"],
        header,
        [1, A, NAMES[A], "股权融资", 3000, pd.Timestamp("2026-04-01")],
        [2, B, NAMES[B], "股权融资", 5000, pd.Timestamp("2026-11-05")],
    ]


NOTES_ABOVE = [f"说明{i}：填报口径与上年一致，第{i}条。" for i in range(1, 36)]
# A statistics table whose credit codes for A and B are mistyped, and the tax table that
# has them right (with the same names): the two are joined by name.
TYPED_STATS = _stats(
    f"2026年1-10月{STATS_TITLE}",
    [(A_TYPED, 12000.5, 10000), (B_TYPED, 11000, 9000), (D, 4000, 3500)],
)
RIGHT_TAX = [
    ["2026年1-10月工业企业入库税收"],
    ["单位：万元"],
    ["序号", "纳税人识别号", "纳税人名称", "入库税收"],
    [1, A, NAMES[A], 800],
    [2, B, NAMES[B], 600],
    [3, D, NAMES[D], 90],
]


CASES = {  # folder → {file name: rows}
    "note_period": {
        "2026年1-10月规模以上工业企业主要经济指标.xlsx": _stats(
            f"2026年1-10月{STATS_TITLE}",
            FIRMS_2026,
            above=["填报说明：本表口径与2025年1-9月报表相同，上年同期按同口径填列。"],
        ),
        "2025年1-10月规模以上工业企业主要经济指标.xlsx": _stats(
            f"2025年1-10月{STATS_TITLE}", FIRMS_2025
        ),
    },
    "note_unit": {
        "2026年1-10月重点企业.xlsx": [
            [f"2026年1-10月{STATS_TITLE}"],
            ["注：原始报表金额单位：元，本表已折算。"],
            *_stats("", FIRMS_2026)[1:],
        ],
    },
    "unit_conflict": {
        "2026年1-10月单位矛盾.xlsx": [
            [f"2026年1-10月{STATS_TITLE}"],
            ["原始报表金额单位：元"],
            *_stats("", FIRMS_2026)[1:],
        ],
    },
    "too_small": {
        "2026年1-10月单位为元.xlsx": _stats(
            f"2026年1-10月{STATS_TITLE}", FIRMS_2026, unit=["单位：元"]
        ),
    },
    "too_large": {
        "2026年1-10月单位为亿元.xlsx": _stats(
            f"2026年1-10月{STATS_TITLE}",
            [(A, 52000, 50000), (B, 38000, 36000), (D, 41000, 40000)],  # 万元 read as 亿元
            unit=["单位：亿元"],
        ),
    },
    "title_vs_name": {
        "2026年1-9月规模以上工业企业主要经济指标.xlsx": _stats(
            f"2026年1-10月{STATS_TITLE}", FIRMS_2026, signoff="报出日期：2026年10月10日"
        ),
        "2026年1-10月规模以上工业企业主要经济指标（正式）.xlsx": _stats(
            f"2026年1-10月{STATS_TITLE}", FIRMS_2026, signoff="报出日期：2026年11月10日"
        ),
    },
    "header_month": {
        "2026年1-10月表头月份.xlsx": [
            [f"2026年1-10月{STATS_TITLE}"],
            UNIT_LINE,
            ["统一社会信用代码", "企业名称", "营业收入1-9月累计", "营业收入上年同期"],
            [A, NAMES[A], 12000.5, 10000],
        ],
    },
    "code_typo": {
        "2025年1-10月统计.xlsx": _stats(f"2025年1-10月{STATS_TITLE}", FIRMS_2025),
        "2026年1-10月统计.xlsx": TYPED_STATS,
        "2026年1-10月入库税收.xlsx": RIGHT_TAX,
    },
    "code_typo_alone": {  # no other period: only the tax table knows the right code
        "2026年1-10月统计（单期）.xlsx": TYPED_STATS,
        "2026年1-10月入库税收（单期）.xlsx": RIGHT_TAX,
    },
    "dated": {
        "2026年1-10月重点项目进展.xlsx": _projects(),
        "2026年1-10月创新平台.xlsx": _platforms(),
        "2026年1-10月融资.xlsx": _financing(),
    },
    "deep_header": {
        "2026年1-10月说明很长.xlsx": _stats(f"2026年1-10月{STATS_TITLE}", FIRMS_2026, NOTES_ABOVE),
    },
    "deepest_header": {
        "2026年1-10月说明过长.xlsx": _stats(
            f"2026年1-10月{STATS_TITLE}", FIRMS_2026, NOTES_ABOVE * 6
        ),
    },
    "tax_alias": {
        "2026年1-10月入库税收明细.xlsx": [
            ["2026年1-10月工业企业入库税收"],
            ["单位：万元"],
            ["序号", "纳税人识别号", "纳税人名称", "入库税收"],
            [1, A, NAMES[A], 800],
        ],
    },
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Every case's workbooks as LibreOffice saved them, one folder per case."""
    require_program(shutil.which("soffice") is not None, "LibreOffice (soffice) is absent")
    root = tmp_path_factory.mktemp("misreads")
    drafts, saved = root / "drafts", root / "saved"
    for folder, books in CASES.items():
        for name, rows in books.items():
            book = openpyxl.Workbook()
            book.active.title = "规上工业"
            for row in rows:
                book.active.append(row)
            (drafts / folder).mkdir(parents=True, exist_ok=True)
            book.save(drafts / folder / name)
    names = [p for p in sorted(drafts.rglob("*.xlsx"))]
    assert len({p.name for p in names}) == len(names)  # one output folder for all
    profile = f"-env:UserInstallation=file://{root / 'profile'}"
    subprocess.run(
        ["soffice", "--headless", "--norestore", profile, "--convert-to", "xlsx"]
        + ["--outdir", str(saved), *map(str, names)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    for draft in names:
        target = root / draft.parent.name / draft.name
        target.parent.mkdir(exist_ok=True)
        shutil.move(saved / draft.name, target)
    return root


def _cells(path: Path) -> list[tuple]:
    """The LibreOffice file as openpyxl reads it: every row's values."""
    return list(openpyxl.load_workbook(path, data_only=True).active.iter_rows(values_only=True))


def _firm_rows(path: Path) -> dict[str, tuple[float, float]]:
    """Code → (revenue, last year), in 万元, read from the rows under the header."""
    rows = _cells(path)
    start = next(i for i, r in enumerate(rows) if r and r[0] == "序号") + 1
    return {r[1]: (r[3], r[4]) for r in rows[start:] if r[1]}


def _at(intake, year, month) -> pd.DataFrame:
    panel = intake.panel
    return panel[(panel["year"] == year) & (panel["month"] == month)].set_index("credit_code")


def _refusal(folder: Path, **kwargs) -> InputFileError:
    with pytest.raises(InputFileError) as err:
        ingest(folder, **kwargs)
    return err.value


def test_a_note_above_the_title_does_not_decide_the_period(corpus):
    folder = corpus / "note_period"
    intake = ingest(folder)
    this = folder / "2026年1-10月规模以上工业企业主要经济指标.xlsx"
    last = folder / "2025年1-10月规模以上工业企业主要经济指标.xlsx"
    assert "2025年1-9月" in _cells(this)[0][0]  # the note the intake once took for the period
    now, then = _at(intake, 2026, 10), _at(intake, 2025, 10)
    for code, (revenue, previous) in _firm_rows(this).items():
        assert now.loc[code, "revenue"] == pytest.approx(revenue * 1e4)
        assert now.loc[code, "revenue_prev"] == pytest.approx(previous * 1e4)
    for code, (revenue, _) in _firm_rows(last).items():
        assert then.loc[code, "revenue"] == pytest.approx(revenue * 1e4)
    assert set(zip(intake.panel["year"], intake.panel["month"], strict=True)) == {
        (2026, 10),
        (2025, 10),
    }
    sheets = intake.sheets.set_index("file")
    recorded = sheets.loc[str(this), "period_from"]
    assert recorded.startswith("2026年1-10月（标题（第2行") and "文件名「" in recorded
    shown = quality.file_accounting(intake).set_index("file")  # the data-quality page's
    assert shown.loc[this.name, "period_from"] == recorded
    assert shown.loc[this.name, "unit_from"].startswith("万元（第3行「填报单位")


def test_a_note_naming_another_unit_does_not_override_the_unit_line(corpus):
    path = corpus / "note_unit" / "2026年1-10月重点企业.xlsx"
    intake = ingest(path.parent)
    now = _at(intake, 2026, 10)
    for code, (revenue, _) in _firm_rows(path).items():
        assert now.loc[code, "revenue"] == pytest.approx(revenue * 1e4)  # 万元, not 元
    assert intake.sheets["unit_from"].tolist() == [
        "万元（第3行「填报单位：海阳市统计局 单位：万元」）"
    ]


def test_two_unit_lines_that_disagree_stop_the_file_naming_both(corpus):
    folder = corpus / "unit_conflict"
    err = _refusal(folder)
    assert err.path == folder / "2026年1-10月单位矛盾.xlsx"
    assert "金额单位前后不一致" in err.problem
    assert "第2行「原始报表金额单位：元」为 元" in err.problem
    assert "第3行「填报单位：海阳市统计局 单位：万元」为 万元" in err.problem
    assert "请核对后只保留表格真实的“单位：”行" in err.problem  # the fix


@pytest.mark.parametrize(
    "folder, problem",
    [
        ("too_small", "全部 3 家企业的营业收入都低于规模以上标准"),
        ("too_large", "中位数企业的营业收入达 41,000亿元，超过 1万亿元"),
    ],
)
def test_figures_implausible_for_their_unit_stop_the_file(corpus, folder, problem):
    err = _refusal(corpus / folder)
    assert err.path.parent == corpus / folder
    assert problem in err.problem
    assert "按单位 " in err.problem and "「单位：" in err.problem  # where the unit came from
    assert "请核对表中“单位：”行和表头括号里的单位，改正后再导入" in err.problem


def test_a_file_name_and_a_title_of_different_periods_stop_the_file(corpus):
    folder = corpus / "title_vs_name"
    err = _refusal(folder)
    assert err.path == folder / "2026年1-9月规模以上工业企业主要经济指标.xlsx"
    assert "报告期前后不一致" in err.problem
    assert "为 2026年1-10月" in err.problem and "标题（第1行" in err.problem
    assert "文件名「2026年1-9月规模以上工业企业主要经济指标.xlsx」为 2026年1-9月" in err.problem
    assert "请核对后更正文件名、标题或表头中写错的一处" in err.problem


def test_a_header_naming_another_month_than_the_title_stops_the_file(corpus):
    folder = corpus / "header_month"
    err = _refusal(folder)
    assert err.path == folder / "2026年1-10月表头月份.xlsx"
    assert "报告期前后不一致" in err.problem
    assert (
        "标题（第1行「2026年1-10月全市规模以上工业企业主要经济指标」）为 2026年1-10月"
        in err.problem
    )
    assert "表头「营业收入1-9月累计」为 1-9月" in err.problem
    assert "请核对后更正文件名、标题或表头中写错的一处" in err.problem


@pytest.mark.parametrize("folder", ["code_typo", "code_typo_alone"])
def test_a_typed_code_beside_an_exact_name_joins_its_firm_and_is_listed(corpus, folder):
    folder = corpus / folder
    intake = ingest(folder)
    stats = _firm_rows(next(folder.glob("2026年1-10月统计*.xlsx")))
    tax = {r[1]: r[3] for r in _cells(next(folder.glob("2026年1-10月入库税收*.xlsx")))[3:]}
    now = _at(intake, 2026, 10)
    assert sorted(now.index) == sorted([A, B, D])  # one row per firm, none twice
    for typed, right in ((A_TYPED, A), (B_TYPED, B)):
        assert now.loc[right, "revenue"] == pytest.approx(stats[typed][0] * 1e4)
        assert now.loc[right, "tax"] == pytest.approx(tax[right] * 1e4)
        assert now.loc[right, "sources"] == "统计+税务"
    matches = intake.matches.set_index("code_in_file")
    assert matches.loc[A_TYPED, "matched_code"] == A and matches.loc[B_TYPED, "matched_code"] == B
    assert matches.loc[A_TYPED, "row"] == 4 and matches.loc[A_TYPED, "kind"] == "indicators"
    assert "含非法字符 O" in now.loc[A, "code_problem"]  # still flagged for correction
    moved = movers(intake.panel, Period(2026, 10), params.tiers(), params.thresholds())
    assert "退出" not in set(moved["change"])  # no firm left a tier by a typo


def test_rows_dated_outside_the_period_are_quarantined_with_file_and_row(corpus):
    folder = corpus / "dated"
    intake = ingest(folder)
    files = intake.files.set_index(intake.files["file"].map(lambda p: Path(p).name))
    q = intake.quarantine.assign(file=lambda f: f["file"].map(lambda p: Path(p).name))
    end = pd.Timestamp("2026-10-31")

    def outside(day):
        return day.year != 2026 or day > end

    rows = _cells(folder / "2026年1-10月重点项目进展.xlsx")
    attracted = [(i + 1, r[7]) for i, r in enumerate(rows) if r[2] == "招引项目"]
    expected = {i for i, day in attracted if day and outside(day)}
    assert expected == {5, 6, 7}
    flagged = q[q["file"] == "2026年1-10月重点项目进展.xlsx"]
    assert set(flagged["row"]) == expected | {i for i, day in attracted if day is None}
    undated = flagged.set_index("row").loc[10, "reason_zh"]
    assert undated.startswith("招引项目缺少开工（引进）时间") and "请报送单位补填日期" in undated
    assert flagged["column"].unique().tolist() == ["开工时间（H列）"]
    reason = flagged.set_index("row").loc[7, "reason_zh"]
    assert reason.startswith("日期 2025-12-13 不在报告期 2026年1-10月（2026-01-01 至 2026-10-31）")
    assert "请报送单位核对日期" in reason
    assert len(intake.projects) == len(PROJECTS) - 4  # the key projects stay, whatever dated
    for name, date_column in (("2026年1-10月创新平台.xlsx", 6), ("2026年1-10月融资.xlsx", 5)):
        rows = _cells(folder / name)
        dated = [(i + 1, r[date_column]) for i, r in enumerate(rows) if isinstance(r[0], int)]
        assert set(q.loc[q["file"] == name, "row"]) == {i for i, d in dated if outside(d)}
        assert files.loc[name, "rows_quarantined"] == 1
    account = files[["rows_read", "rows_accepted", "rows_quarantined", "rows_totals_notes"]]
    assert (account["rows_read"] == account.iloc[:, 1:].sum(axis=1)).all()
    assert intake.financing["amount"].tolist() == [3000 * 1e4]  # the November deal is out


def test_a_header_below_row_thirty_is_found(corpus):
    path = corpus / "deep_header" / "2026年1-10月说明很长.xlsx"
    assert _cells(path)[37][0] == "序号"  # the header stands on row 38
    now = _at(ingest(path.parent), 2026, 10)
    assert {c: now.loc[c, "revenue"] / 1e4 for c in now.index} == pytest.approx(
        {c: v[0] for c, v in _firm_rows(path).items()}
    )


def test_a_header_beyond_the_rows_searched_is_refused_saying_how_far_the_search_went(corpus):
    folder = corpus / "deepest_header"
    assert _cells(folder / "2026年1-10月说明过长.xlsx")[212][0] == "序号"  # row 213
    err = _refusal(folder)
    assert err.path == folder / "2026年1-10月说明过长.xlsx"
    assert "未找到可识别的表头" in err.problem and "表头须在工作表的前 200 行内" in err.problem


def test_a_missing_tax_alias_is_named_as_the_tax_column_with_the_column_to_add(corpus, tmp_path):
    spec = yaml.safe_load((PARAMS_DIR / "columns.yaml").read_text(encoding="utf-8"))
    spec["fields"]["tax"]["aliases"].remove("入库税收")
    for name in ("targets.yaml", "thresholds.yaml", "industries.yaml", "lists.yaml"):
        shutil.copy(PARAMS_DIR / name, tmp_path)
    (tmp_path / "columns.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True))
    folder = corpus / "tax_alias"
    err = _refusal(folder, params_dir=tmp_path)
    assert err.path == folder / "2026年1-10月入库税收明细.xlsx"
    assert "缺少「税收合计」列（税收表需要）" in err.problem
    assert "营业收入" not in err.problem.split(" / ")[0]
    assert "未识别的列名：入库税收" in err.problem
    assert "加入 params/columns.yaml 中 tax 的 aliases" in err.problem


def test_an_empty_file_and_a_web_page_named_xlsx_are_told_apart(tmp_path):
    empty = tmp_path / "empty" / "2026年1-10月税收.xlsx"
    empty.parent.mkdir()
    empty.write_bytes(b"")
    err = _refusal(empty.parent)
    assert err.path == empty
    assert err.problem.startswith("文件为空（0 字节）") and "重新索取或重新导出" in err.problem
    blank = tmp_path / "blank" / "2026年1-10月统计.csv"
    blank.parent.mkdir()
    blank.write_bytes(b"")
    assert _refusal(blank.parent).problem.startswith("文件为空（0 字节）")
    page = tmp_path / "html" / "2026年1-10月统计.xlsx"
    page.parent.mkdir()
    page.write_text(
        "<html><body><table><tr><td>统一社会信用代码</td><td>营业收入</td></tr></table></body>"
        "</html>",
        encoding="utf-8",
    )
    err = _refusal(page.parent)
    assert err.path == page
    assert "网页（HTML）表格" in err.problem and "另存为 Excel 工作簿（.xlsx）" in err.problem
    assert "calamine" not in err.problem.lower()


def test_notes_and_the_days_a_form_was_sent_state_no_period():
    lines = [
        (1, "填报说明：口径与2025年1-9月相同"),
        (2, "2026年1-10月全市规模以上工业企业主要经济指标"),
        (3, "填报单位：海阳市统计局  报送时间：2026年11月  制表日期：2026年11月5日"),
        (4, "（注：上年同期为2025年1-10月）"),
    ]
    found = context.period_candidates(lines, Path("主要指标.xlsx"), "Sheet1")
    assert [(c.value, c.where[:6]) for c in found] == [((2026, 10), "标题（第2行")]
