"""Plan 1 (产业助推): size, growth and share of each leading industry, and how the
structure moved since last year.

Last year's structure is taken from the 上年同期 figures of this year's firms, the same
scope as 同比, so a change of share reflects industries growing at different speeds
rather than firms entering or leaving the above-size list.
"""

import unicodedata

import pandas as pd

from analysis.measures import disclosure
from analysis.measures.tiers import comparable_growth

STRUCTURE_DISCLOSURE = {
    "revenue_ytd": [
        "revenue_prev_ytd",
        "revenue_growth",
        "revenue_share",
        "revenue_share_last_year",
        "revenue_share_change",
    ],
    "tax_ytd": [
        "tax_prev_ytd",
        "tax_growth",
        "tax_share",
        "tax_share_last_year",
        "tax_share_change",
    ],
}
"""Per amount of the structure table: the figures that would give it away if shown."""


def _shares(values: pd.Series) -> pd.Series:
    total = values.sum()
    return values / total if total > 0 else values * float("nan")


def structure(firms: pd.DataFrame) -> pd.DataFrame:
    """Per industry: firms, revenue and tax (yuan, cumulative), their 同比, their shares
    now and a year earlier, and the change of share in percentage points."""
    grouped = firms.groupby("industry", observed=True)
    table = grouped.agg(
        firms=("credit_code", "size"),
        revenue_ytd=("revenue_ytd", "sum"),
        revenue_prev_ytd=("revenue_prev_ytd", "sum"),
        tax_ytd=("tax_ytd", "sum"),
        tax_prev_ytd=("tax_prev_ytd", "sum"),
    )
    for measure in ("revenue", "tax"):
        table[f"{measure}_growth"] = [
            comparable_growth(g[f"{measure}_ytd"], g[f"{measure}_prev_ytd"]) for _, g in grouped
        ]
        table[f"{measure}_share"] = _shares(table[f"{measure}_ytd"])
        table[f"{measure}_share_last_year"] = _shares(table[f"{measure}_prev_ytd"])
        table[f"{measure}_share_change"] = 100 * (
            table[f"{measure}_share"] - table[f"{measure}_share_last_year"]
        )
    return table.sort_values("revenue_ytd", ascending=False).reset_index()


def published(table: pd.DataFrame, firms: pd.DataFrame, reveal: dict, thresholds: dict):
    """A by-industry table as the public edition shows it: amounts that too few firms
    make, or one or two dominate, as ×, with whatever would give them away (`reveal`:
    amount → derived columns), and complementary cells so the city total cannot."""
    min_firms, dominance = disclosure.rules(thresholds)
    table = table.set_index("industry")
    amounts = list(reveal)
    hidden = disclosure.primary(firms, "industry", amounts, min_firms, dominance)
    hidden = disclosure.secondary(hidden.reindex(table.index, fill_value=False), table[amounts])
    shown = table.astype(object)
    for amount, derived in reveal.items():
        shown.loc[hidden[amount], [amount, *derived]] = disclosure.SUPPRESSED
    return shown.reset_index()


_SECTIONS = "ABCDEFGHIJKLMNOPQRST"  # GB/T 4754's section letters, before the digits


def _normal(text) -> str:
    return unicodedata.normalize("NFKC", str(text)).replace(" ", "").strip()


def classify(reported: pd.Series, spec: dict) -> pd.Series:
    """The leading industry of each firm from the industry its table states (params/
    industries.yaml): an exact entry of an industry's `texts` first, else the industry whose
    code prefix is the longest match of a GB/T 4754 code (the section letter optional),
    else `other`."""
    by_text = {_normal(t): i["name"] for i in spec["industries"] for t in i["texts"]}
    codes = [(c.lstrip(_SECTIONS), i["name"]) for i in spec["industries"] for c in i["codes"]]
    prefixes = sorted(codes, key=lambda pair: -len(pair[0]))

    def place(value) -> str:
        text = _normal(value)
        if text in by_text:
            return by_text[text]
        code = text.upper().lstrip(_SECTIONS)
        if code.isdigit():
            for prefix, name in prefixes:
                if code.startswith(prefix):
                    return name
        return spec["other"]

    names = {value: place(value) for value in pd.unique(reported.astype(object))}
    return reported.astype(object).map(names)


def leading(firms: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """The firm table with each firm's leading industry (classify) in `industry`, and
    `leading` false for a firm of none of them (counted as `other`)."""
    names = [i["name"] for i in spec["industries"]] + [spec["other"]]
    placed = classify(firms["industry"], spec)
    firms = firms.assign(industry=pd.Categorical(placed, categories=names))
    return firms.assign(leading=placed.to_numpy() != spec["other"])


def services(spec: dict) -> list[str]:
    """The leading industries that are services, which the industrial tables do not cover."""
    return [i["name"] for i in spec["industries"] if i["service"]]


def coverage_note(firms: pd.DataFrame, spec: dict) -> str:
    """What the leading-industry figures cover: how the firms were placed, how many fell
    outside the seven, and that the two service industries are not measured here."""
    placed = firms["industry"].astype(object)
    other = int((placed == spec["other"]).sum())
    service = services(spec)
    in_service = int(placed.isin(service).sum())
    text = (
        f"企业按 params/industries.yaml 归入七大主导产业（先看报表所填产业名称，再看国民经济行业"
        f"代码）；{len(firms) - other} 家企业归入七大产业，{other} 家不属于七大产业，计为"
        f"“{spec['other']}”，不计入七大产业合计。"
    )
    if service:
        text += (
            f"{'、'.join(service)}属服务业，规模以上工业统计不覆盖其产业全貌，本页所列仅为"
            f"工业企业名录中归入这两个产业的 {in_service} 家企业；其产业规模应以主管部门"
            "（旅游局、民政局）的报表反映。"
        )
    return text
