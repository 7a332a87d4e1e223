"""Rows whose code matches no firm, joined by name over the whole panel at once: every
match listed, a name that several firms carry never joined, the rest listed unmatched."""

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from analysis.intake.codes import check_char
from analysis.intake.ingest import ingest, normalize_name, normalized_names
from tests.conftest import write_sheet

FIRMS = 3000
BY_NAME = range(1000, 1500)  # firms whose tax rows carry an unknown code and a respelled name
TWINS = [(2 * k, 2 * k + 1) for k in range(5)]  # two firms of one name each
TRIPLETS = (10, 11, 12)  # three firms of one name
STRANGERS = ["外地一贸易有限公司", "外地二贸易有限公司", "外地三贸易有限公司"]


def _code(i: int) -> str:
    body = f"91371082{i:09d}"
    return body + check_char(body)


def _name(i: int) -> str:
    for k, pair in enumerate(TWINS):
        if i in pair:
            return f"同名{k}机械有限公司"
    return "三家同名机械有限公司" if i in TRIPLETS else f"海阳第{i}机械有限公司"


@given(
    st.lists(
        st.text(
            "海阳第机械集团有限责任公司ＡＢ１２Ab3（）() -.\t\n\x0b\x0c\r\x1c\x1f\x85\xa0"
            "\u1680\u2003\u2028\u2029\u202f\u205f\u3000",
            max_size=16,
        ).map(lambda t: t + "有限责任公司" if len(t) % 3 == 0 else t),
        max_size=20,
    )
)
def test_names_are_normalised_at_once_as_one_by_one(names):
    folded = normalized_names(pd.Series(names, dtype="str")).to_pylist()
    assert folded == [normalize_name(n) for n in names]


def test_a_missing_name_is_never_joined():
    assert normalized_names(pd.Series(["甲 有限公司", None], dtype="str")).to_pylist() == [
        "甲有限公司",
        None,
    ]


def test_the_whole_panel_is_joined_by_code_else_by_a_name_one_firm_carries(tmp_path):
    unit = ["填报单位：海阳市统计局", None, None, None, "单位：万元"]
    write_sheet(
        tmp_path / "统计局.xlsx",
        [
            ["2026年1-9月全市规模以上工业企业主要经济指标"],
            unit,
            ["序号", "统一社会信用代码", "企业名称", "营业收入本年累计", "营业收入上年同期"],
            *[[i + 1, _code(i), _name(i), 5000 + i, 4000 + i] for i in range(FIRMS)],
        ],
    )
    by_code = [i for i in range(20, FIRMS) if i not in BY_NAME]
    respelled = [f"海阳第{i}机械 有限责任公司" for i in BY_NAME]
    unknown = [_code(900_000 + j) for j in range(len(BY_NAME) + 10)]
    lost_names = [f"同名{k}机械有限公司" for k in range(len(TWINS))]
    lost_names += ["三家同名机械有限公司", *STRANGERS]
    write_sheet(
        tmp_path / "税务局.xlsx",
        [
            ["2026年1-9月全市工业企业入库税收情况"],
            [None, None, None, "单位：万元"],
            ["纳税人识别号", "纳税人名称", "入库税收本年累计", "入库税收上年同期"],
            *[[_code(i), _name(i), 100 + i, 90 + i] for i in by_code],
            *[[c, n, 7, 6] for c, n in zip(unknown, respelled, strict=False)],
            *[[c, n, 3, 2] for c, n in zip(unknown[len(BY_NAME) :], lost_names, strict=False)],
        ],
    )
    intake = ingest(tmp_path)

    matches = intake.matches
    assert matches["name"].tolist() == respelled
    assert matches["code_in_file"].tolist() == unknown[: len(BY_NAME)]
    assert matches["matched_code"].tolist() == [_code(i) for i in BY_NAME]
    assert matches["kind"].eq("tax").all()

    lost = intake.unmatched
    assert lost["name"].tolist() == lost_names
    assert lost["candidates"].tolist() == [2] * len(TWINS) + [3, 0, 0, 0]
    assert lost["credit_code"].tolist() == unknown[len(BY_NAME) :][: len(lost_names)]

    panel = intake.panel.set_index("credit_code")
    assert (panel.loc[[_code(i) for i in BY_NAME], "tax"] == 7e4).all()
    assert (panel.loc[[_code(i) for i in BY_NAME], "sources"] == "统计+税务").all()
    assert panel.loc[[_code(i) for i in by_code], "tax"].tolist() == [
        (100 + i) * 1e4 for i in by_code
    ]
    twins = [_code(i) for pair in TWINS for i in pair] + [_code(i) for i in TRIPLETS]
    assert panel.loc[twins, "tax"].isna().all()  # an ambiguous name joins no firm
    only_tax = panel[panel["sources"] == "仅税务"]
    assert sorted(only_tax["name"]) == sorted(lost_names)
