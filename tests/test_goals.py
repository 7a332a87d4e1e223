"""对号入座 (items/goals.py) and the warning rules of named items and own goals: the goals
workbook read by the intake (bad rows quarantined, a LibreOffice copy read the same), and
on the shared report (tests/conftest.py) the list of firms whose own yearly goal is
projected short, recounted record by record from the workbooks (openpyxl) and the
generator's panel, against firms.xlsx, items.csv and the 预警企业 sheet."""

import csv
import shutil
import subprocess

import pandas as pd
import pytest

from analysis import params
from analysis.config import PARAMS_DIR
from analysis.errors import ParamsError
from analysis.intake import ingest
from analysis.intake.reading import Aliases
from analysis.items import goals
from tests.conftest import CODE_A, first_sheet_rows, require_program, workbook_rows, write_sheet

YEAR, MONTH = 2026, 9
GOALS_FILE = "经信局/2026年度企业对号入座目标.xlsx"
PROJECTS_FILE = "项目办/2026年1-9月重点项目及技改项目进展.xlsx"
WAN = 1e4


# --- independent readings --------------------------------------------------------------
def _table(path, first_header: str) -> list[dict]:
    """A sheet's rows under the header row whose first named cell is `first_header`, as
    dicts by header, up to the first row without a value in column B (notes, sign-off)."""
    rows = first_sheet_rows(path)
    at = next(i for i, r in enumerate(rows) if first_header in [str(c) for c in r])
    header = [str(c) for c in rows[at]]
    body = []
    for row in rows[at + 1 :]:
        if row[1] is None:
            break
        body.append(dict(zip(header, row, strict=False)))
    return body


def _goals(raw) -> list[dict]:
    return _table(raw / GOALS_FILE, "对号入座目标")


def _projected(truth: pd.DataFrame, measure: str) -> pd.Series:
    """Full year by firm: ÷ last year's share done by this month when within 0.5–1.5 ×
    m/12 (and ≤ 1), else × 12/m (README "Full-year projection")."""

    def at(year, month):
        return truth[(truth.year == year) & (truth.month == month)].set_index("credit_code")

    now = at(YEAR, MONTH)
    same = at(YEAR - 1, MONTH)[measure].reindex(now.index).fillna(now[f"{measure}_prev"])
    share = same / at(YEAR - 1, 12)[measure].reindex(now.index)
    linear = MONTH / 12
    usable = share.between(0.5 * linear, min(1.0, 1.5 * linear))
    return (now[measure] / share).where(usable, now[measure] / linear)


def _recount(report) -> dict:
    """Each 年度 goal with an amount: (code, goal) → (goal, cumulative, projection) in 万元,
    from the goals and the project workbooks and the generator's panel."""
    truth, raw = report.truth, report.paths.raw
    now = truth[(truth.year == YEAR) & (truth.month == MONTH)].set_index("credit_code")
    upgrade: dict[str, float] = {}
    for row in _table(raw / PROJECTS_FILE, "项目编号"):
        if row["项目类别"] == "技改项目":
            code = row["统一社会信用代码"]
            upgrade[code] = upgrade.get(code, 0.0) + float(row["本年累计完成投资"] or 0)
    figures = {}
    for row in _goals(raw):
        if row["目标期限"] != "年度" or row["目标数额（万元）"] is None:
            continue
        code, goal = row["统一社会信用代码"], row["对号入座目标"]
        if "技改" in goal:
            ytd = upgrade.get(code)
            projected = None if ytd is None else ytd / (MONTH / 12)
        else:
            measure = "tax" if "纳税" in goal else "revenue"
            ytd = now[measure].get(code, float("nan")) / WAN
            projected = _projected(truth, measure).get(code, float("nan")) / WAN
        figures[(code, goal)] = (float(row["目标数额（万元）"]), ytd, projected)
    return figures


def _sheet(report, name: str) -> list[dict]:
    rows = workbook_rows(report.internal.folder / "firms.xlsx")[name]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


# --- the shared report -------------------------------------------------------------------
def test_a_firm_whose_yearly_goal_is_above_its_projection_is_listed_and_one_met_is_not(report):
    figures = _recount(report)
    short = {k for k, (goal, _, projected) in figures.items() if projected < goal}
    met = {k for k, (goal, _, projected) in figures.items() if projected >= goal}
    # the generated city has goals short by far (above any projection: twice the linear
    # one) and goals met already by the cumulative figure
    assert any(p and goal > 2 * ytd * 12 / MONTH for goal, ytd, p in map(figures.get, short))
    assert any(ytd >= goal for goal, ytd, _ in map(figures.get, met))
    listed = _sheet(report, "对号入座")
    assert {(r["信用代码"], r["对号入座目标"]) for r in listed} == short
    for row in listed:
        goal, _, projected = figures[(row["信用代码"], row["对号入座目标"])]
        assert row["全年预计（万元）"] == pytest.approx(projected, abs=0.01)
        assert row["缺口占目标（%）"] == pytest.approx(100 * (goal - projected) / goal, abs=0.05)
    shares = [r["缺口占目标（%）"] for r in listed]
    assert shares == sorted(shares, reverse=True)  # the largest shortfall first


def test_items_csv_holds_every_yearly_goal_with_its_status(report):
    figures = _recount(report)
    with open(report.internal.folder / "items.csv", encoding="utf-8-sig") as file:
        rows = [r for r in csv.DictReader(file) if r["list"] == "firm_goals"]
    yearly = [g for g in _goals(report.paths.raw) if g["目标期限"] == "年度"]
    assert len(rows) == len(yearly)
    by_item = {r["item_id"]: r for r in rows}
    for (code, goal), (target, _, projected) in figures.items():
        row = by_item[f"{code}-{goal}"]
        assert float(row["target"]) == pytest.approx(target)
        assert row["status"] == ("预计达标" if projected >= target else "预计未达标")


def test_the_sheet_lists_every_goal_and_the_pages_name_no_firm_in_public(report):
    every = _sheet(report, "对号入座（全部目标）")
    assert len(every) == len(_goals(report.paths.raw))
    later = [r for r in every if r["目标期限"] != "年度"]
    assert later and all(r["状态"] == goals.NOT_JUDGED for r in later)
    internal = (report.internal.folder / "02_firm_tiers.html").read_text(encoding="utf-8")
    public = (report.public.folder / "02_firm_tiers.html").read_text(encoding="utf-8")
    assert "对号入座" in internal and "对号入座" in public
    names = {g["企业名称"] for g in _goals(report.paths.raw)}
    assert (
        max(_sheet(report, "对号入座"), key=lambda r: r["缺口占目标（%）"])["企业名称"] in internal
    )
    assert not [n for n in names if n in public]


def test_the_warnings_list_named_items_off_schedule_and_goals_short_with_their_rule(report):
    """items_off_schedule from items.csv (its statuses; 滞后 only 25 points or more behind
    序时进度 75%), goal_short from the recount (a shortfall of 10% of the goal or more)."""
    with open(report.internal.folder / "items.csv", encoding="utf-8-sig") as file:
        items = [r for r in csv.DictReader(file) if r["list"] != "firm_goals"]
    late = []
    for r in items:
        if (
            r["status"] in ("逾期未完成", "未完成", "本期未报送")
            or r["status"] == "滞后"
            and 0.75 - float(r["actual"]) / float(r["target"]) >= 0.25
        ):
            late.append(r["item"])
    figures = _recount(report)
    short = {
        (code, f"{goal}（年度）")
        for (code, goal), (target, _, projected) in figures.items()
        if projected < target and (target - projected) / target >= 0.1
    }
    rows = _sheet(report, "预警企业")
    found = [r["企业名称"] for r in rows if r["预警规则"] == "点名事项进度滞后"]
    assert late and sorted(found) == sorted(late)
    listed = {(r["信用代码"], r["指标"]) for r in rows if r["预警规则"] == "企业自定目标预计未达成"}
    assert short and listed == short
    public = (report.public.folder / "10_warnings.html").read_text(encoding="utf-8")
    assert "点名事项进度滞后" in public and "企业自定目标预计未达成" in public


# --- the intake ----------------------------------------------------------------------------
GOAL_HEADER = ["序号", "统一社会信用代码", "企业名称", "对号入座目标", "目标期限"]
GOAL_HEADER += ["目标数额（万元）", "目标阶段", "主要措施"]


def test_bad_goal_rows_are_quarantined_with_their_reason_and_every_row_is_counted(
    tmp_path, stats_rows
):
    raw = tmp_path / "raw"
    write_sheet(raw / "统计局" / "2026年1-9月规上工业.xlsx", stats_rows)
    typo = CODE_A[:-1] + ("4" if CODE_A[-1] != "4" else "5")  # the check character wrong
    write_sheet(
        raw / "经信局" / "2026年度对号入座目标.xlsx",
        [
            ["2026年度工业企业“对号入座”目标汇总表"],
            ["填报单位：海阳市工业振兴领导小组办公室    单位：万元"],
            GOAL_HEADER,
            [1, CODE_A, "黄海汽车配件有限公司", "销售收入过亿元", "年度", 10000, None, "扩产"],
            [2, CODE_A, "黄海汽车配件有限公司", "纳税过千万元", "中期", 1000, None, None],
            [3, CODE_A, "黄海汽车配件有限公司", "扩大出口", "年度", 500, None, None],
            [4, CODE_A, "黄海汽车配件有限公司", "技改投资", "年度", -5, None, None],
            [5, CODE_A, "黄海汽车配件有限公司", "推进上市", "年度", None, "挂牌", None],
            [6, typo, "海阳海洋食品有限公司", "纳税过千万元", "近期目标", "1,000", None, None],
            ["注：目标期限分年度、近期、远期。"],
        ],
    )
    intake = ingest.ingest(raw)
    sheet = intake.files[intake.files["table"] == "goals"].iloc[0]
    assert (sheet.rows_read, sheet.rows_accepted, sheet.rows_quarantined) == (7, 2, 4)
    assert sheet.rows_read == sheet.rows_accepted + sheet.rows_quarantined + sheet.rows_totals_notes
    bad = intake.quarantine[intake.quarantine["file"].str.contains("对号入座")]
    reasons = dict(zip(bad["row"], bad["reason_zh"], strict=True))
    assert "目标期限应为 年度、近期、远期 之一" in reasons[5]
    assert "目标应写明销售收入、纳税、技改或上市" in reasons[6]
    assert reasons[7] == "数值为负"
    assert "目标阶段应为 辅导备案、申报、过会、上市 之一" in reasons[8]
    kept = intake.goals.set_index("source_row")
    assert kept.at[4, "goal_amount"] == 1e8 and kept.at[4, "horizon"] == "年度"
    # a wrong check character is flagged, not dropped: the row is joined by the firm's name
    assert kept.at[9, "credit_code"] == "91371082MA3C4XKT0B" and kept.at[9, "goal_amount"] == 1e7
    assert (intake.matches["kind"] == "goals").sum() == 1


def test_a_libreoffice_copy_of_the_goals_workbook_reads_the_same(report, tmp_path):
    require_program(shutil.which("soffice") is not None, "LibreOffice (soffice) is absent")
    original = report.paths.raw / GOALS_FILE
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    subprocess.run(
        ["soffice", "--headless", "--norestore", profile, "--convert-to", "xlsx"]
        + ["--outdir", str(tmp_path / "saved"), str(original)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    spec = params.columns(PARAMS_DIR)
    columns = ["credit_code", "name", "goal", "horizon", "goal_amount", "goal_stage", "measures"]

    def read(path):
        records = ingest.read_source(path, Aliases(spec), 5e6).records
        return records[columns + ["year", "month", "source_row"]].reset_index(drop=True)

    saved = read(tmp_path / "saved" / original.name)
    assert len(saved) == len(_goals(report.paths.raw)) > 0
    pd.testing.assert_frame_equal(saved, read(original), check_dtype=False)


def test_a_goal_without_an_amount_takes_it_from_its_words():
    assert goals.amount_in("销售收入过亿元") == 1e8
    assert goals.amount_in("销售收入过5亿元") == 5e8
    assert goals.amount_in("纳税过千万元") == 1e7
    assert goals.amount_in("纳税过5000万元") == 5e7
    assert pd.isna(goals.amount_in("技改投资"))
    assert [goals.measure_of(g) for g in ("销售收入过亿", "纳税过亿", "技改投资", "推进上市")] == [
        "revenue",
        "tax",
        "upgrade",
        "listing",
    ]


# --- the parameters ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("warning_item_statuses: [滞后, 拖延]", "应为以下状态的列表"),
        ("warning_item_lag: 两成", "应为 0 到 1 之间的比例"),
        ("warning_goal_gap_share: 150%", "应为 0 到 1 之间的比例"),
    ],
)
def test_a_mistaken_warning_parameter_is_refused_in_one_line(tmp_path, line, expected):
    folder = shutil.copytree(PARAMS_DIR, tmp_path / "params")
    path = folder / "thresholds.yaml"
    key = line.split(":")[0]
    text = "\n".join(
        line if row.startswith(f"{key}:") else row
        for row in path.read_text(encoding="utf-8").splitlines()
    )
    path.write_text(text, encoding="utf-8")
    number = text.splitlines().index(line) + 1
    with pytest.raises(ParamsError) as refused:
        params.check(folder)
    heading, *problems = str(refused.value).strip().splitlines()
    assert "1 处问题" in heading and len(problems) == 1  # the problem told on one line
    assert f"thresholds.yaml:{number}: {key}" in problems[0] and expected in problems[0]


def test_the_item_statuses_of_the_schema_are_the_judgements():
    from analysis import judgement, schema
    from analysis.items.judging import NOT_REPORTED_ITEM

    assert set(schema.ITEM_STATUSES) == {*judgement.ATTENTION, NOT_REPORTED_ITEM}
