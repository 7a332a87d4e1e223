"""The parameter files are checked before anything runs: friendly spellings read, every
other mistake refused with exit status 2 and one line per problem (file, line, key,
value, what is expected), quickly, through the command line a scheduler uses."""

import resource
import shutil
import subprocess
import sys
import time

import pytest
import yaml

from analysis import params, schema
from analysis.config import PARAMS_DIR
from analysis.errors import ParamsError
from analysis.measures import plans, store
from analysis.run import cli

NUMBER_IN = "应为不小于 0 的数字（单位{}，可留空 ~） / expected a number ≥ 0 in {}"
ONE_OF = "应为 {} 之一 / expected one of {}"
SHARE = "应为 0 到 1 之间的比例，可写 0.02 或 2% / expected a share from 0 to 1"


@pytest.fixture
def folder(tmp_path):
    shutil.copytree(PARAMS_DIR, tmp_path / "params")
    return tmp_path / "params"


def edit(folder, name: str, old: str, new: str) -> int:
    """Replace the first `old` in params/name by `new`; the 1-based line it is on."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def command_line(folder, tmp_path) -> list[str]:
    """`run` on an empty raw folder with the given parameter folder."""
    (tmp_path / "raw").mkdir(exist_ok=True)
    arguments = ["run", "--params", str(folder), "--raw", str(tmp_path / "raw")]
    return arguments + ["--out", str(tmp_path / "out"), "--processed", str(tmp_path / "processed")]


def run_in_process(folder, tmp_path, capsys) -> tuple[int, str]:
    """The command line's `main` in this process: (exit status, stderr). The refusal is
    the same code path as `python -m analysis run`; one process per mistake would only
    add the interpreter's start to each case (two cases below run it as a scheduler does)."""
    capsys.readouterr()
    status = cli.main(command_line(folder, tmp_path))
    return status, capsys.readouterr().err


def run(folder, tmp_path):
    """`python -m analysis run` on an empty raw folder: (exit status, stderr, seconds of
    processor time the refusal took). Two seconds is the issue's bound; it is held on
    processor time, since the wall clock of a shared two-core machine measures the load
    of others (the wall time is held to a generous thirty seconds only)."""
    command = [sys.executable, "-m", "analysis", *command_line(folder, tmp_path)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"refused in {cpu:.2f} s of processor time, {wall:.2f} s wall")
    assert wall < 30
    return done.returncode, done.stderr, cpu


def refusal(*lines: str) -> str:
    n = len(lines)
    return (
        f"错误 / error: 参数文件有 {n} 处问题，未运行 / {n} problem(s) in the parameter files, "
        "nothing was run:\n" + "\n".join(lines) + "\n"
    )


BAD = [  # file, as written, as mistyped, key, value shown, what is expected
    (
        "targets.yaml",
        "target: {2026: 23}",
        "target: {2026: 二十五}",
        "indicators.sales_ge_100m.target.2026",
        "二十五",
        NUMBER_IN.format("家", "家"),
    ),
    (
        "targets.yaml",
        "target: {2026: 10}",
        "target: {2026: -5}",
        "indicators.tax_ge_10m.target.2026",
        "-5",
        NUMBER_IN.format("家", "家"),
    ),
    (
        "targets.yaml",
        "target: {2026: 16}",
        "target: {2026: 25个以上}",
        "indicators.major_upgrade_projects.target.2026",
        "25个以上",
        NUMBER_IN.format("个", "个"),
    ),
    (
        "targets.yaml",
        "target: {2026: 16}",
        "target: 16",
        "indicators.major_upgrade_projects.target",
        "16",
        "目标应按年份填写，如 target: {2026: 23} / expected targets by year",
    ),
    (
        "targets.yaml",
        "basis: rate",
        "basis: levle",
        "indicators.leading_industries_revenue_growth.basis",
        "levle",
        ONE_OF.format("flow、starts、stock、rate、batch", "flow, starts, stock, rate, batch"),
    ),
    (
        "targets.yaml",
        "lower_yuan: 500000000",
        "lower_yuan: 1亿美元",
        "indicators.sales_500m_1b.lower_yuan",
        "1亿美元",
        "应为不小于 0 的元数，可写 100000000、1亿 或 5000万 / expected yuan ≥ 0",
    ),
    (
        "targets.yaml",
        "upper_yuan: 1000000000",
        "upper_yuan: 1亿",
        "indicators.sales_500m_1b.upper_yuan",
        "1亿",
        "上限应大于下限 lower_yuan / expected upper > lower",
    ),
    (  # a band must have room between its bounds: lower == upper holds no firm
        "targets.yaml",
        "upper_yuan: 1000000000",
        "upper_yuan: 500000000",
        "indicators.sales_500m_1b.upper_yuan",
        "500000000",
        "上限应大于下限 lower_yuan / expected upper > lower",
    ),
    (  # a target belongs to a year written in full: 26 is no year
        "targets.yaml",
        "target: {2026: 23}",
        "target: {26: 23}",
        "indicators.sales_ge_100m.target.26",
        "23",
        "年份应为四位数，如 2026 / expected a year such as 2026",
    ),
    (  # every owner of an indicator is checked, not only the first
        "targets.yaml",
        "departments: [监察局, 物价局, 行政服务中心]",
        "departments: [监察局, 物价局, 行政服务所]",
        "indicators.fee_items_cut.departments.2",
        "行政服务所",
        "不在 departments 所列责任单位中 / not a known department",
    ),
    (
        "targets.yaml",
        "departments: [经信局]",
        "departments: [经信委]",
        "indicators.upgrade_plan_coverage.departments.0",
        "经信委",
        "不在 departments 所列责任单位中 / not a known department",
    ),
    (
        "targets.yaml",
        "id: leading_industries_tax",
        "id: leading_industries_revenue",
        "indicators.leading_industries_revenue.id",
        "leading_industries_revenue",
        "指标编号重复 / duplicate id",
    ),
    (
        "targets.yaml",
        "unit: 家",
        "unit: 户",
        "indicators.key_firm_visits.unit",
        "户",
        ONE_OF.format("、".join(schema.UNITS), ", ".join(schema.UNITS)),
    ),
    (  # a due month belongs to a batch only
        "targets.yaml",
        "target: {2026: 22}, basis: batch,",
        "target: {2026: 22}, basis: flow, due_month: 6,",
        "indicators.fee_items_cut.due_month",
        "6",
        "仅成批指标（basis: batch）可设完成月份",
    ),
    (
        "targets.yaml",
        "judged_with: approval_items_cut",
        "judged_with: approval_item_cut",
        "indicators.approval_reduction_ratio.judged_with",
        "approval_item_cut",
        "应为本文件中另一指标的 id / unknown indicator id",
    ),
    (
        "targets.yaml",
        "reported_by: [物价局], departments: [监察局, 物价局, 行政服务中心]}",
        "reported_by: [财政局], departments: [监察局, 物价局, 行政服务中心]}",
        "indicators.fee_items_cut.reported_by",
        "[…]",
        "财政局 不在本指标的 departments 中",
    ),
    (
        "targets.yaml",
        "shares: {经信局: 3, 组织部: 2,",
        "shares: {经信局: 3,",
        "indicators.recognition_measures_done.shares",
        "{…}",
        "应为每个报送单位（经信局、卫生局、文广新局、体育局、组织部、宣传部、总工会）各填一份，且不含其他单位",
    ),
    (
        "industries.yaml",
        "codes: [C31, C32]",
        "codes: [C31, 黑色金属]",
        "industries.2.codes.1",
        "黑色金属",
        "应为国民经济行业代码（GB/T 4754），如 C36 或 C3731 / "
        "expected an industry code, got '黑色金属'",
    ),
    (  # named lists: an item id twice in a year, an item without a name
        "lists.yaml",
        "- {id: 2026-ZD-002, name: ",
        "- {id: 2026-ZD-001, name: ",
        "lists.key_projects.items.2026.1.id",
        "2026-ZD-001",
        "同一年份中重复 / listed twice in a year",
    ),
    (
        "lists.yaml",
        "- {id: 2026-ZD-003, name: 金海橡胶制品扩建项目}",
        "- {id: 2026-ZD-003}",
        "lists.key_projects.items.2026.2.name",
        "（缺失 / missing）",
        "缺少此项 / required key missing",
    ),
    (  # an owner the list does not name
        "lists.yaml",
        "- {id: 2026-ZD-004, name: 宏图新能源产业园项目}",
        "- {id: 2026-ZD-004, name: 宏图新能源产业园项目, owner: 财政局}",
        "lists.key_projects.items.2026.3.owner",
        "财政局",
        "不在本清单的 departments 中",
    ),
    (  # a year named without items
        "lists.yaml",
        "        - {name: 双连制动系统有限公司}\n"
        "        - {name: 大景区}\n"
        "        - {name: 韩孚生化有限公司}\n",
        "        []\n",
        "lists.equity_firms.items.2027",
        "[…]",
        "该年份没有列出任何事项 / a year without items",
    ),
    (  # the lists of firms to visit, measures and milestones: a firm listed twice
        "lists.yaml",
        '- {credit_code: "91371082726885530Q", name: 金华海洋食品股份有限公司}',
        '- {credit_code: "91371082MAU5DFK806", name: 金华海洋食品股份有限公司}',
        "lists.key_firms.items.2026.1.credit_code",
        "91371082MAU5DFK806",
        "同一年份中重复 / listed twice in a year",
    ),
    (  # a firm on both visit lists of a year: the 成长型企业 are those below the 重点企业
        "lists.yaml",
        '- {credit_code: "913710822340709335", name: 金海橡胶制品有限公司}',
        '- {credit_code: "91371082MAU5DFK806", name: 石岛造船有限公司}',
        "lists.growth_firms.items.2026.0.credit_code",
        "91371082MAU5DFK806",
        "已列入同年的走访清单“重点企业” / already on another visit list",
    ),
    (  # …named only, without its code
        "lists.yaml",
        '- {credit_code: "913710822340709335", name: 金海橡胶制品有限公司}',
        "- {name: 石岛造船有限公司}",
        "lists.growth_firms.items.2026.0.name",
        "石岛造船有限公司",
        "已列入同年的走访清单“重点企业” / already on another visit list",
    ),
    (  # a measure's owner that is not among the list's departments
        "lists.yaml",
        "name: 宣传优秀企业家先进事迹, owner: 宣传部",
        "name: 宣传优秀企业家先进事迹, owner: 财政局",
        "lists.recognition_measures.items.2026.8.owner",
        "财政局",
        "不在本清单的 departments 中",
    ),
    (  # a milestone without its name
        "lists.yaml",
        "- {id: JR-02, name: 探索设立科技银行}",
        "- {id: JR-02}",
        "lists.financing_milestones.items.2026.1.name",
        "（缺失 / missing）",
        "缺少此项 / required key missing",
    ),
    (  # a listing stage the finance office does not report
        "lists.yaml",
        "name: 盛达新材料有限公司, stage: 过会}",
        "name: 盛达新材料有限公司, stage: 挂牌}",
        "lists.listing_candidates.items.2026.8.stage",
        "挂牌",
        ONE_OF.format("辅导备案、申报、过会、上市", "辅导备案, 申报, 过会, 上市"),
    ),
    (  # a due month that is no month
        "lists.yaml",
        "name: 组建中小企业信用联盟, due_month: 6}",
        "name: 组建中小企业信用联盟, due_month: 13}",
        "lists.financing_milestones.items.2026.0.due_month",
        "13",
        "应为 1 到 12 的月份，如 6 / expected a month 1-12, got 13",
    ),
    (
        "thresholds.yaml",
        "bound_rule: ge ",
        "bound_rule: gte",
        "bound_rule",
        "gte",
        ONE_OF.format("ge、gt", "ge, gt"),
    ),
    ("thresholds.yaml", "on_track_band: 0.02", "on_track_band: abc", "on_track_band", "abc", SHARE),
    ("thresholds.yaml", "on_track_band: 0.02", "on_track_band: 20", "on_track_band", "20", SHARE),
    (
        "thresholds.yaml",
        "seasonal_share_limits: [0.5, 1.5]",
        "seasonal_share_limits: [1.5, 0.5]",
        "seasonal_share_limits",
        "[…]",
        "应为 [下限, 上限]，0 < 下限 < 上限 / expected [lower, upper], 0 < lower < upper",
    ),
    (
        "columns.yaml",
        "  kind: code\n",
        "  kind: codes\n",
        "fields.credit_code.kind",
        "codes",
        ONE_OF.format("、".join(schema.COLUMN_KINDS), ", ".join(schema.COLUMN_KINDS)),
    ),
    (
        "columns.yaml",
        "万元: 10000",
        "万元: 0",
        "units.万元",
        "0",
        "应为大于 0 的数字 / expected a number > 0",
    ),
    (
        "thresholds.yaml",
        "tax_rows_of_one_taxpayer: sum",
        "tax_rows_of_one_taxpayer: add",
        "tax_rows_of_one_taxpayer",
        "add",
        ONE_OF.format("sum、conflict", "sum, conflict"),
    ),
    (
        "columns.yaml",
        "units_by_source: []",
        "units_by_source: [{files: '*.xlsx', unit: 万}]",
        "units_by_source.0.unit",
        "万",
        ONE_OF.format("元、千元、万元、亿元", "the units"),
    ),
    (
        "columns.yaml",
        "units_by_source: []",
        "units_by_source: [{unit: 万元}]",
        "units_by_source.0",
        "{…}",
        "应写明 files（文件名模式）或 kind（表的种类） / needs files or kind",
    ),
]


@pytest.mark.parametrize(
    "name, old, new, key, shown, expected", BAD, ids=[b[2].strip() for b in BAD]
)
def test_a_bad_parameter_is_refused_at_once_with_file_line_key_value(
    folder, tmp_path, capsys, name, old, new, key, shown, expected
):
    line = edit(folder, name, old, new)
    status, stderr = run_in_process(folder, tmp_path, capsys)
    assert status == 2
    assert stderr == refusal(f"{folder / name}:{line}: {key} = {shown}：{expected}")
    assert not (tmp_path / "out").exists() and not (tmp_path / "processed").exists()


def test_a_scheduler_gets_the_refusal_in_two_seconds_and_nothing_written(folder, tmp_path):
    name, old, new, key, shown, expected = BAD[0]
    line = edit(folder, name, old, new)
    status, stderr, seconds = run(folder, tmp_path)
    assert status == 2
    assert stderr == refusal(f"{folder / name}:{line}: {key} = {shown}：{expected}")
    assert seconds < 2, f"refused after {seconds:.2f} s"
    assert not (tmp_path / "out").exists() and not (tmp_path / "processed").exists()


def test_a_misspelt_key_is_refused_not_ignored(folder, tmp_path, capsys):
    # an economist types pool_shar: the key is unknown, and pool_share is then missing
    line = edit(folder, "thresholds.yaml", "pool_share: 0.7", "pool_shar: 0.7")
    added = edit(folder, "columns.yaml", "units_by_source: []", "unit_by_source: []")
    status, stderr = run_in_process(folder, tmp_path, capsys)
    assert status == 2
    assert f"{folder / 'thresholds.yaml'}:{line}: pool_shar = 0.7：无法识别的键 / unknown key" in (
        stderr
    )
    assert "pool_share = （缺失 / missing）：缺少此项 / required key missing" in stderr
    assert f"{folder / 'columns.yaml'}:{added}: unit_by_source = […]：无法识别的键" in stderr


def test_every_problem_is_told_at_once_across_files(folder, tmp_path):
    first = edit(folder, "targets.yaml", "target: {2026: 23}", "target: {2026: 二十五}")
    second = edit(folder, "thresholds.yaml", "bound_rule: ge ", "bound_rule: gte")
    third = edit(folder, "thresholds.yaml", "on_track_band: 0.02", "on_track_band: abc")
    status, stderr, seconds = run(folder, tmp_path)
    assert status == 2 and seconds < 2
    assert stderr == refusal(
        f"{folder / 'targets.yaml'}:{first}: indicators.sales_ge_100m.target.2026 = 二十五："
        + NUMBER_IN.format("家", "家"),
        f"{folder / 'thresholds.yaml'}:{second}: bound_rule = gte："
        + ONE_OF.format("ge、gt", "ge, gt"),
        f"{folder / 'thresholds.yaml'}:{third}: on_track_band = abc：{SHARE}",
    )


@pytest.mark.parametrize(
    "old, new, read",
    [
        ("target: {2026: 23}", "target: {2026: 25家}", ("sales_ge_100m", "target", 25)),
        ("target: {2026: 23}", "target: {2026: ２５}", ("sales_ge_100m", "target", 25)),
        ("target: {2026: 259}", "target: {2026: '1,000'}", ("approval_items_cut", "target", 1e3)),
        ("target: {2026: 259}", "target: {2026: １，０００项}", ("approval_items_cut", "target", 1e3)),  # noqa: E501
        ("lower_yuan: 500000000", "lower_yuan: 1亿", ("sales_500m_1b", "lower_yuan", 1e8)),
        ("lower_yuan: 500000000", "lower_yuan: 5000万", ("sales_500m_1b", "lower_yuan", 5e7)),
        ("lower_yuan: 500000000", "lower_yuan: 5亿元", ("sales_500m_1b", "lower_yuan", 5e8)),
        ("upper_yuan: 1000000000", "upper_yuan: '1,000,000,000'", ("sales_500m_1b", "upper_yuan", 1e9)),  # noqa: E501
    ],
)  # fmt: skip
def test_friendly_spellings_are_read_as_the_number_they_can_only_mean(folder, old, new, read):
    edit(folder, "targets.yaml", old, new)
    indicator, column, value = read
    frame = params.indicators(folder, 2026).set_index("id")
    assert frame.loc[indicator, column] == value


def test_a_band_may_be_written_as_a_percentage(folder):
    edit(folder, "thresholds.yaml", "on_track_band: 0.02", "on_track_band: 2%")
    edit(folder, "thresholds.yaml", "pool_share: 0.7", "pool_share: ７０％")
    limits = params.thresholds(folder)
    assert limits["on_track_band"] == pytest.approx(0.02)
    assert limits["pool_share"] == pytest.approx(0.7)


def test_notebooks_loading_the_quarter_get_the_same_refusal(folder, tmp_path):
    """The notebooks load their parameters through store.load_period: refused there
    with the run's message, before any data is read."""
    line = edit(folder, "thresholds.yaml", "on_track_band: 0.02", "on_track_band: abc")
    with pytest.raises(ParamsError) as refused:
        store.load_period(2026, 9, tmp_path / "nothing here", folder)
    assert f"错误 / error: {refused.value}\n" == refusal(
        f"{folder / 'thresholds.yaml'}:{line}: on_track_band = abc：{SHARE}"
    )


def test_the_schema_knows_every_measure_the_code_computes():
    assert set(schema.MEASURES) == set(plans.MEASURES)


def test_the_bundled_parameters_pass_and_are_read_as_written():
    """check() returns each file's content as read, compared here with the YAML as loaded
    by yaml itself: a check that dropped a file, an indicator or a value would show."""
    checked = schema.check(PARAMS_DIR)
    written = {
        name: yaml.safe_load((PARAMS_DIR / name).read_text(encoding="utf-8"))
        for name in schema.FILES
    }
    assert set(checked) == set(schema.FILES)
    targets, as_written = checked["targets.yaml"], written["targets.yaml"]
    assert [
        (i.id, i.plan, i.unit, i.basis, i.departments, i.target) for i in targets.indicators
    ] == [
        (
            i["id"],
            i["plan"],
            i["unit"],
            i["basis"],
            i["departments"],
            {year: None if v is None else float(v) for year, v in i["target"].items()},
        )
        for i in as_written["indicators"]
    ]
    assert targets.departments == as_written["departments"]
    assert targets.plans == as_written["plans"]
    limits = written["thresholds.yaml"]
    thresholds = checked["thresholds.yaml"]
    assert thresholds.bound_rule == limits["bound_rule"]
    assert thresholds.on_track_band == float(limits["on_track_band"])
    assert thresholds.disclosure_min_firms == limits["disclosure_min_firms"]
    columns = written["columns.yaml"]
    assert {f: (c.kind, c.aliases) for f, c in checked["columns.yaml"].fields.items()} == {
        f: (c["kind"], c["aliases"]) for f, c in columns["fields"].items()
    }
    assert set(checked["columns.yaml"].kinds) == set(columns["kinds"])


def test_a_notebook_run_by_papermill_stops_at_its_first_cell_with_the_same_message(
    folder, tmp_path
):
    papermill = pytest.importorskip("papermill")
    line = edit(folder, "thresholds.yaml", "on_track_band: 0.02", "on_track_band: abc")
    notebook = PARAMS_DIR.parent / "notebooks" / "03_scorecard.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as failed:
        papermill.execute_notebook(
            str(notebook),
            str(tmp_path / "out.ipynb"),
            parameters={"params_dir": str(folder), "processed_dir": str(tmp_path / "none")},
            kernel_name="python3",
            progress_bar=False,
            cwd=str(notebook.parent),
        )
    assert failed.value.ename == "ParamsError"
    assert f"错误 / error: {failed.value.evalue}\n" == refusal(
        f"{folder / 'thresholds.yaml'}:{line}: on_track_band = abc：{SHARE}"
    )


@pytest.mark.parametrize(
    "name, old, new, said",
    [  # a full-width colon, typed with a Chinese keyboard: YAML reads the line as text
        ("targets.yaml", "    target: {2026: 23}", "    target：23", "target 后面是全角冒号「：」"),
        (
            "thresholds.yaml",
            "on_track_band: 0.02",
            "on_track_band：0.02",
            "on_track_band 后面是全角",
        ),
        ("thresholds.yaml", "pool_share: 0.7", "pool_share: [0.7", "方括号 [ ] 没有闭合"),
        ("thresholds.yaml", "on_track_band: 0.02", 'on_track_band: "0.02', "引号没有闭合"),
        ("thresholds.yaml", "on_track_band: 0.02", "on_track_band 0.02", "缺少冒号"),
    ],
)
def test_a_yaml_syntax_error_is_told_in_chinese_on_its_own_line(folder, name, old, new, said):
    line = edit(folder, name, old, new)
    with pytest.raises(ParamsError) as refused:
        schema.check(folder)
    problem = str(refused.value).splitlines()[1]
    assert problem.startswith(f"{folder / name}:{line}: YAML 格式错误：{said}"), problem
    assert " / not valid YAML" in problem
    if "全角" in said:  # the line as it should be written
        assert new.strip().replace("：", ": ") in problem
