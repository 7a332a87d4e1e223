"""Early warnings (measures/warnings.py): every rule's firms on a generated city read through
the real intake, recounted record by record from the generator's own panel (plain pandas
here, none of the suite's helpers); the parameter and its check; the public counts; the
page and the 预警企业 sheet of the shared report (tests/conftest.py)."""

import shutil

import nbformat
import numpy as np
import pandas as pd
import papermill
import pytest

from analysis.config import NOTEBOOKS_DIR, PARAMS_DIR
from analysis.errors import ParamsError
from analysis.intake import ingest, quality
from analysis.measures import products, store, warnings
from analysis.run import kernels, runner
from analysis.sample import city as sample
from tests.conftest import BANDS, workbook_rows

YEAR, MONTH = 2026, 9
ABOVE_SIZE = 2e7  # 2000万, params/thresholds.yaml
TIER_NAMES = {  # params/targets.yaml, as the warning list names each tier
    "sales_ge_100m": "销售收入过1亿元工业企业",
    "sales_500m_1b": "销售收入5亿元至10亿元",
    "sales_ge_1b": "销售收入过10亿元",
    "tax_ge_10m": "纳税过1000万元工业企业",
    "tax_50m_100m": "纳税5000万元至1亿元",
    "tax_ge_100m": "纳税过1亿元",
}


def _step(values) -> np.ndarray:
    """Yuan in the bureaus' 100-yuan steps, as the generator writes them."""
    return np.round(np.asarray(values, dtype=float) / 100) * 100


def _plant(truth: pd.DataFrame) -> pd.DataFrame:
    """The generated city with a firm for every rule: one over 1亿 last year whose revenue
    halves this year, one whose tax falls by 40%, a small one whose revenue falls by 40%,
    one in loss at 1-9月 only, and two that do not report at 1-9月."""
    truth = truth.copy()
    this_year = truth["year"] == YEAR
    last = truth[(truth.year == YEAR - 1) & (truth.month == 12)].set_index("credit_code")
    now = truth[this_year & (truth.month == MONTH)].set_index("credit_code")
    big = now.index.intersection(last.index[last["revenue"].between(1.1e8, 1.6e8)])[0]
    small = now[now["revenue_prev"] > 0].sort_values("revenue").index[0]
    taxed = now[(now["tax_prev"] > 0) & ~now.index.isin([big, small])].index[0]
    gaining = now[(now["profit"] > 0) & (now["profit_prev"] > 0)].index.difference([big, small])[0]
    for code, column, factor in (
        (big, "revenue", 0.5),
        (small, "revenue", 0.6),
        (taxed, "tax", 0.6),
    ):
        rows = this_year & (truth["credit_code"] == code)
        truth.loc[rows, column] = _step(truth.loc[rows, column] * factor)
    truth.loc[this_year & (truth.month == MONTH) & (truth.credit_code == gaining), "profit"] = -1e6
    gone = now.index.difference([big, small, taxed, gaining])[:2]
    return truth[~(this_year & (truth.month == MONTH) & truth["credit_code"].isin(gone))]


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    root = tmp_path_factory.mktemp("warnings")
    truth = _plant(sample.generate_city(firms=120, seed=5, year=YEAR, month=MONTH))
    sample.write_city(truth, root / "raw")
    paths = runner.RunPaths(raw=root / "raw", out=root / "reports", processed=root / "processed")
    runner.run_ingest(paths)
    return truth, paths


FIRM_RULES = [r for r in warnings.RULES if r.id not in ("items_off_schedule", "goal_short")]
"""The rules recounted here from the firm panel; the named items' and own goals' rules
are recounted in test_goals.py."""


def _found(paths, month=MONTH, params_dir=PARAMS_DIR) -> pd.DataFrame:
    return products.open(YEAR, month, None, paths.processed, params_dir).table("warnings")


# --- the recount, from the generator's records -----------------------------------------
def _at(truth, year, month) -> pd.DataFrame:
    return truth[(truth.year == year) & (truth.month == month)].set_index("credit_code")


def _projected(truth, measure: str, month: int) -> pd.Series:
    """Full year: ÷ last year's share done by this month when within 0.5–1.5 × m/12
    (and ≤ 1), else × 12/m."""
    now = _at(truth, YEAR, month)
    same = _at(truth, YEAR - 1, month)[measure].reindex(now.index).fillna(now[f"{measure}_prev"])
    share = same / _at(truth, YEAR - 1, 12)[measure].reindex(now.index)
    linear = month / 12
    usable = share.between(0.5 * linear, min(1.0, 1.5 * linear))
    return (now[measure] / share).where(usable, now[measure] / linear)


def _recount(truth, month=MONTH, share=0.2) -> dict[str, list[str]]:
    """Each rule's credit codes (a code once per entry), sorted."""
    now = _at(truth, YEAR, month)
    earlier = sorted({m for m in truth.loc[truth.year == YEAR, "month"] if m < month})
    before = _at(truth, YEAR, earlier[-1]) if earlier else _at(truth, YEAR - 1, 12)
    last_year = _at(truth, YEAR - 1, 12)
    found = {}
    for measure in ("revenue", "tax"):
        prev = now[f"{measure}_prev"]
        fell = (prev > 0) & ((now[measure] - prev) / prev <= -share)
        found[f"{measure}_decline"] = list(now.index[fell])
    found["new_loss"] = list(now.index[(now["profit"] < 0) & (now["profit_prev"] >= 0)])
    found["stopped_reporting"] = list(before.index.difference(now.index))
    found["leaving_above_size"] = list(now.index[_projected(truth, "revenue", month) < ABOVE_SIZE])
    found["tier_drop"] = []
    for measure, lower, upper in BANDS.values():
        counted = last_year[measure].between(lower, upper, inclusive="left").reindex(now.index)
        below = _projected(truth, measure, month) < lower
        found["tier_drop"] += list(now.index[counted.fillna(False).astype(bool) & below])
    return {rule: sorted(codes) for rule, codes in found.items()}


def _by_rule(found: pd.DataFrame) -> dict[str, list[str]]:
    return {
        rule.id: sorted(found.loc[found["rule"] == rule.id, "credit_code"].astype(str))
        for rule in FIRM_RULES
    }


# --- the rules ---------------------------------------------------------------------------
def test_every_rule_lists_exactly_the_firms_a_recount_of_the_records_finds(city):
    truth, paths = city
    expected = _recount(truth)
    assert all(expected.values()), expected  # the planted city gives every rule firms
    assert _by_rule(_found(paths)) == expected


def test_at_the_first_period_of_a_year_stopped_means_in_last_years_1_12_table(city):
    truth, paths = city
    expected = _recount(truth, month=3)
    assert expected["stopped_reporting"]  # the generator's firms that left this year
    assert _by_rule(_found(paths, month=3)) == expected


def test_each_rule_ranks_the_worst_first_and_the_list_takes_the_rules_in_turn(city):
    truth, paths = city
    found = _found(paths)
    now = _at(truth, YEAR, MONTH)
    lost = now.loc[_recount(truth)["revenue_decline"]]
    worst = (lost["revenue_prev"] - lost["revenue"]).idxmax()
    first = found[found["rule"] == "revenue_decline"].iloc[0]
    assert (first["credit_code"], first["rank"]) == (worst, 1)
    losses = now.loc[_recount(truth)["new_loss"], "profit"]
    assert found[found["rule"] == "new_loss"].iloc[0]["credit_code"] == losses.idxmin()
    listed = [r.id for r in FIRM_RULES if _recount(truth)[r.id]]
    of_firms = found[found["rule"].isin(listed)]
    assert list(of_firms["rule"][: len(listed)]) == listed  # every rule's first, in order
    assert list(found["rank"]) == sorted(found["rank"])


def test_the_decline_share_is_a_parameter(city, tmp_path):
    truth, paths = city
    params = shutil.copytree(PARAMS_DIR, tmp_path / "params")
    path = params / "thresholds.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "warning_decline_share: 0.2", "warning_decline_share: 45%"
        ),
        encoding="utf-8",
    )
    found = _by_rule(_found(paths, params_dir=params))
    expected = _recount(truth, share=0.45)
    assert found["revenue_decline"] == expected["revenue_decline"]
    assert found["tax_decline"] == expected["tax_decline"]
    assert expected["tax_decline"] != _recount(truth)["tax_decline"]  # the share mattered
    rules = products.open(YEAR, MONTH, None, paths.processed, params).table("warning_rules")
    assert "下降 45% 及以上" in rules.set_index("rule").at["tax_decline", "text"]


def test_a_decline_share_that_is_no_share_is_refused_with_its_line(tmp_path):
    params = shutil.copytree(PARAMS_DIR, tmp_path / "params")
    path = params / "thresholds.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "warning_decline_share: 0.2", "warning_decline_share: 120%"
    )
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index("warning_decline_share: 120%") + 1
    with pytest.raises(ParamsError) as refused:
        products.open(YEAR, MONTH, None, tmp_path, params).table("warning_rules")
    assert f"thresholds.yaml:{line}: warning_decline_share = 120%：应为 0 到 1 之间的比例" in str(
        refused.value
    )


def test_the_loss_share_by_industry_and_its_change_in_points(city):
    truth, paths = city
    table = products.open(YEAR, MONTH, None, paths.processed).table("loss_share")
    now = _at(truth, YEAR, MONTH)
    groups = [(name, rows) for name, rows in now.groupby("industry")] + [("合计", now)]
    assert sorted(table["industry"]) == sorted(name for name, _ in groups)
    rows = table.set_index("industry")
    for name, firms in groups:
        share = (firms["profit"] < 0).mean()
        before = (firms["profit_prev"].dropna() < 0).mean()
        assert rows.at[name, "loss_firms"] == (firms["profit"] < 0).sum(), name
        assert rows.at[name, "loss_share"] == pytest.approx(share), name
        assert rows.at[name, "change"] == pytest.approx(100 * (share - before)), name


def test_the_public_counts_hide_one_to_three_firms_and_what_gives_them_back(city):
    truth, paths = city
    public = products.open(YEAR, MONTH, None, paths.processed).table("warning_counts_public")
    found = _recount(truth)
    industry = truth.drop_duplicates("credit_code").set_index("credit_code")["industry"]
    table = public.set_index("industry")
    for rule in FIRM_RULES:
        codes = pd.Series(found[rule.id], dtype=object)
        counts = codes.map(industry).value_counts()
        column = table[rule.name]
        for name, shown in column.drop("合计").items():
            n = int(counts.get(name, 0))
            assert shown == "×" if 1 <= n <= 3 else shown in ("×", n), (rule.id, name)
        total = len(codes)
        assert column["合计"] == ("×" if 1 <= total <= 3 else total), rule.id
        if column["合计"] != "×":  # no single hidden cell that the total gives back
            assert (column.drop("合计") == "×").sum() != 1, rule.id
    assert (public == "×").any().any()


def test_the_statistics_rows_are_the_intakes(city):
    """warnings.py spells out which panel rows the statistics return holds, so that the
    kernels need not import the intake; the intake's own words are these."""
    sources = [ingest.SOURCES[k] for k in ("both", "left_only")]
    assert tuple(sources) == warnings.STATISTICS_ROWS
    assert set(quality.REPORTED_BY[warnings.STATISTICS]) == set(sources)


# --- the shared report: page and sheet ---------------------------------------------------
def test_the_sheet_holds_every_warning_of_the_shared_report_with_its_rule(report):
    rows = workbook_rows(report.internal.folder / "firms.xlsx")["预警企业"]
    assert rows[0][:5] == ("预警规则", "规则内排序", "信用代码", "企业名称", "产业")
    names = {r.name: r.id for r in warnings.RULES}
    listed = {r.id: sorted(x[2] for x in rows[1:] if names[x[0]] == r.id) for r in FIRM_RULES}
    assert listed == _recount(report.truth)


def test_the_page_shows_the_rules_with_their_parameters_and_the_public_one_no_firm(report):
    internal = (report.internal.folder / "10_warnings.html").read_text(encoding="utf-8")
    public = (report.public.folder / "10_warnings.html").read_text(encoding="utf-8")
    for page in (internal, public):
        assert "下降 20% 及以上" in page and "低于规模以上工业企业标准 2000万元" in page
        assert "亏损面" in page and "个百分点" in page
    rows = workbook_rows(report.internal.folder / "firms.xlsx")["预警企业"][1:]
    # the page shows the first page_list_limit (20) entries, the rules taking turns: the
    # two worst of every firm rule (the named items and own goals take turns with them)
    firm_rules = {r.name for r in FIRM_RULES}
    codes = [code for rule, rank, code, *_ in rows if rule in firm_rules and rank <= 2]
    assert codes and len(rows) > 20 and "list-note" in internal
    now = _at(report.truth, YEAR, MONTH)
    assert all(now.at[c, "name"] in internal for c in codes)
    names = set(report.truth["name"])
    assert not [n for n in names if n in public] and "firms.xlsx" not in public


def test_a_lone_hidden_count_hides_the_smallest_other_so_the_total_cannot_give_it_back():
    industry = ["海洋工业"] * 2 + ["新兴产业"] * 5 + ["现代制造业"] * 6
    found = pd.DataFrame({"rule": "new_loss", "industry": industry})
    thresholds = {"disclosure_min_firms": 3, "disclosure_dominance": [2, 0.85]}
    names = ["海洋工业", "新兴产业", "现代制造业", "健康养生"]
    table = warnings.public_counts(found, names, thresholds).set_index("industry")["新增亏损"]
    # 2 firms: hidden; 5, the smallest other, hidden with it; 6 and the total 13 shown
    assert table.to_dict() == {
        "海洋工业": "×",
        "新兴产业": "×",
        "现代制造业": 6,
        "健康养生": 0,
        "合计": 13,
    }


def _page(paths, tmp_path, edition: str, params) -> str:
    """10_warnings executed by papermill on `paths`' intake: its HTML and Markdown outputs."""
    output = tmp_path / f"10_{edition}.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS_DIR / "10_warnings.ipynb"),
        str(output),
        parameters={
            "year": YEAR,
            "month": MONTH,
            "processed_dir": str(paths.processed),
            "params_dir": str(params),
            "edition": edition,
        },
        kernel_name="python3",
        kernel_manager_class=kernels.IPCKernelManager,
        progress_bar=False,
    )
    book = nbformat.read(output, as_version=4)
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert [o for o in outputs if "image/png" in o.get("data", {})]  # the 亏损面 chart
    return "".join(o.get("data", {}).get("text/html", "") for o in outputs) + "".join(
        o.get("data", {}).get("text/markdown", "") for o in outputs
    )


def test_a_long_list_shows_the_worst_of_each_rule_first_and_where_the_rest_is(city, tmp_path):
    truth, paths = city
    params = shutil.copytree(PARAMS_DIR, tmp_path / "params")
    path = params / "thresholds.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("page_list_limit: 20", "page_list_limit: 5"), encoding="utf-8")
    expected = _recount(truth)
    total = len(_found(paths))  # the firm rules' entries and the named items' and goals'
    internal = _page(paths, tmp_path, "internal", params)
    assert f"共 {total} 条" in internal and f"另有 {total - 5} 条" in internal
    table = internal[internal.index('class="list-note"') :].split("</table>")[0]
    rows = table.split("<tr")[2:]  # [1] is the header row
    now = _at(truth, YEAR, MONTH)
    lost = now.loc[expected["revenue_decline"]]
    worst = (lost["revenue_prev"] - lost["revenue"]).idxmax()
    assert len(rows) == 5 and now.at[worst, "name"] in rows[0]
    shown = [next(r.name for r in warnings.RULES if r.name in row) for row in rows]
    assert shown == [r.name for r in warnings.RULES][:5]  # each rule's first, in turn
    public = _page(paths, tmp_path, "public", params)
    assert not [n for n in set(truth["name"]) if n in public] and "list-note" not in public


def test_a_firm_whose_row_is_left_out_has_not_stopped_reporting(city):
    """A firm the intake read but did not count (quality.left_out) is the data-quality
    page's, not a warning."""
    truth, paths = city
    data = store.load_period(YEAR, MONTH, paths.processed, PARAMS_DIR)
    gone = _recount(truth)["stopped_reporting"]
    left_out = pd.DataFrame(
        {
            "kind": ["indicators", "tax"],
            "source": ["统计（营业收入等）", "税务（税收）"],
            "credit_code": gone[:2],
            "name": ["", ""],
            "reason": ["不计入：数据冲突"] * 2,
            "where": ["", ""],
        }
    )
    inputs = warnings.Inputs(
        data.firms, data.panel, data.period, data.tiers, data.thresholds, data.industries, left_out
    )
    found = warnings.entries(inputs)
    stopped = sorted(found.loc[found["rule"] == "stopped_reporting", "credit_code"].astype(str))
    assert stopped == [gone[1]]  # the first is left out of the statistics; the tax's is not
