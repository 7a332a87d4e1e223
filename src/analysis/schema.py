"""What params/targets.yaml, thresholds.yaml and columns.yaml may hold, declared once and
checked before anything runs.

Economists edit these files by hand, so friendly spellings are read where they can mean
only one thing (全角 digits, thousands separators, "25家" for a target in 家, "1亿" or
"5000万" for a bound in yuan, "2%" for a band); anything else is refused with one line per
problem: file, line, key, value, what is expected, every problem at once. Only yaml and
pydantic are imported here, so the check answers in well under a second.
"""

import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from analysis.errors import ParamsError

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when built
FILES = ("targets.yaml", "thresholds.yaml", "columns.yaml", "industries.yaml", "lists.yaml")

BASES = ("flow", "starts", "stock", "rate", "batch")
MEASURES = (  # the keys of plans.MEASURES (a test holds the two together)
    "tier",
    "revenue_total",
    "tax_total",
    "rd_total",
    "revenue_growth",
    "rd_intensity",
    "upgrade_coverage",
    "major_upgrades",
    "major_upgrades_plan",
    "upgrade_investment",
    "key_projects",
    "key_projects_plan",
    "attracted_projects",
    "platform_awards",
    "listing_firms",
    "equity_financing",
    "key_firm_visits",
    "growth_firm_visits",
    "recognition_measures",
    "department_return",
)
UNITS = ("家", "个", "项", "期", "人", "人次", "次", "亿元", "万元", "元", "%")
TIER_FIELDS = ("revenue", "tax")
BOUND_RULES = ("ge", "gt")
TAX_RULES = ("sum", "conflict")  # one taxpayer on several rows of one period
# The statuses of a named item that mean it is off schedule (judgement.ATTENTION and
# items.judging.NOT_REPORTED_ITEM; a test holds them together): warning_item_statuses
ITEM_STATUSES = ("滞后", "逾期未完成", "未完成", "预计未达标", "未达到目标", "本期未报送")
COLUMN_KINDS = ("code", "text", "amount", "count", "number", "date", "flag", "period")
YUAN_WORDS = {"亿元": 1e8, "亿": 1e8, "万元": 1e4, "万": 1e4, "元": 1.0}
_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")


# --- friendly numbers ------------------------------------------------------------------
def _text(value: Any) -> str:
    """A scalar as the economist typed it, full-width characters made half-width."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _number(value: Any, expected: str) -> float:
    """A number written plainly, in full-width digits or with thousands separators."""
    if isinstance(value, bool):
        raise ValueError(expected)
    if isinstance(value, int | float):
        return float(value)
    text = _text(value)
    if not _NUMBER.fullmatch(text):
        raise ValueError(expected)
    return float(text.replace(",", ""))


def _non_negative(value: float, expected: str) -> float:
    if value != value or value < 0:  # NaN or below zero
        raise ValueError(expected)
    return value


def target_value(value: Any, unit: str) -> float | None:
    """A yearly target in its indicator's unit: 25, ２５, 1,000 or 25家 (when the unit is 家)."""
    expected = f"应为不小于 0 的数字（单位{unit}，可留空 ~） / expected a number ≥ 0 in {unit}"
    if value is None:
        return None
    if isinstance(value, str) and _text(value).endswith(unit):
        value = _text(value).removesuffix(unit)
    return _non_negative(_number(value, expected), expected)


def yuan(value: Any) -> float | None:
    """An amount in yuan: 100000000, 1亿, 1亿元, 5000万, 1,000,000."""
    expected = "应为不小于 0 的元数，可写 100000000、1亿 或 5000万 / expected yuan ≥ 0"
    if value is None:
        return None
    scale = 1.0
    if isinstance(value, str):
        value = _text(value)
        for word, size in YUAN_WORDS.items():
            if value.endswith(word):
                value, scale = value.removesuffix(word).strip(), size
                break
    return _non_negative(_number(value, expected) * scale, expected)


def share(value: Any) -> float:
    """A share between 0 and 1: 0.02 or 2%."""
    expected = "应为 0 到 1 之间的比例，可写 0.02 或 2% / expected a share from 0 to 1"
    scale = 1.0
    if isinstance(value, str) and _text(value).endswith("%"):
        value, scale = _text(value).removesuffix("%"), 0.01
    number = _number(value, expected) * scale
    if not 0 <= number <= 1:
        raise ValueError(expected)
    return number


def _whole(low: int):
    expected = f"应为不小于 {low} 的整数 / expected a whole number ≥ {low}"

    def check(value: Any) -> int:
        number = _number(value, expected)
        if number != int(number) or number < low:
            raise ValueError(expected)
        return int(number)

    return check


def _one_of(choices: tuple[str, ...]):
    expected = f"应为 {'、'.join(choices)} 之一 / expected one of {', '.join(choices)}"

    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ValueError(expected)
        return value

    return check


def _month(value: Any) -> int:
    """A month by number: 6, ６ or 6月."""
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("月")
    if not text.isdigit() or not 1 <= int(text) <= 12:
        raise ValueError(f"应为 1 到 12 的月份，如 6 / expected a month 1-12, got {value!r}")
    return int(text)


def _part(value: Any) -> float:
    """A department's part of a target: a positive number."""
    part = _number(value, "份数，如 3 / a number of parts")
    if part <= 0:
        raise ValueError(f"份数应大于 0 / expected a positive part, got {value!r}")
    return part


def _words(value: Any) -> list[str]:
    """A list of non-empty names."""
    expected = "应为非空文字的列表，如 [经信局] / expected a list of names"
    if not isinstance(value, list) or not value:
        raise ValueError(expected)
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(expected)
    return value


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("应为非空文字 / expected text")
    return value


def _statuses(value: Any) -> list[str]:
    """Status words of named items, each one of ITEM_STATUSES."""
    expected = f"应为以下状态的列表：{'、'.join(ITEM_STATUSES)} / expected a list of these statuses"
    if not isinstance(value, list) or not value or any(v not in ITEM_STATUSES for v in value):
        raise ValueError(expected)
    return value


Name = Annotated[str, BeforeValidator(_name)]
Names = Annotated[list[str], BeforeValidator(_words)]
Yuan = Annotated[float | None, BeforeValidator(yuan)]
Share = Annotated[float, BeforeValidator(share)]


# --- targets.yaml ----------------------------------------------------------------------
class Indicator(BaseModel):
    """One indicator of the ten plans and its yearly targets."""

    model_config = ConfigDict(extra="forbid")

    id: Name
    plan: Annotated[int, BeforeValidator(_whole(1))]
    name: Name
    unit: Annotated[str, BeforeValidator(_one_of(UNITS))]
    basis: Annotated[str, BeforeValidator(_one_of(BASES))]
    measure: Annotated[str | None, BeforeValidator(lambda v: v and _one_of(MEASURES)(v))] = None
    departments: Names
    target: dict[int, float | None]
    field: Annotated[str | None, BeforeValidator(lambda v: v and _one_of(TIER_FIELDS)(v))] = None
    lower_yuan: Yuan = None
    upper_yuan: Yuan = None
    kind: Name | None = None
    tracked: Names | None = None
    note: Name | None = None
    due_month: Annotated[int | None, BeforeValidator(lambda v: v and _month(v))] = None
    judged_with: Name | None = None
    reported_by: Names | None = None
    shares: dict[str, Annotated[float, BeforeValidator(_part)]] | None = None

    @field_validator("target", mode="before")
    @classmethod
    def _by_year(cls, value: Any, info: ValidationInfo) -> dict:
        """Targets belong to a year: {2026: 23}; a bare number says not which year."""
        if not isinstance(value, dict) or not value:
            raise ValueError("目标应按年份填写，如 target: {2026: 23} / expected targets by year")
        unit = info.data.get("unit", "")
        out, problems = {}, []
        for year, amount in value.items():
            if not isinstance(year, int) or not 2000 <= year <= 2100:
                problems.append((year, "年份应为四位数，如 2026 / expected a year such as 2026"))
                continue
            try:
                out[year] = target_value(amount, unit)
            except ValueError as exc:
                problems.append((year, str(exc)))
        if problems:
            raise ValueError(_YearProblems(problems))
        return out

    @model_validator(mode="after")
    def _measure_keys(self) -> "Indicator":
        if self.measure == "tier" and self.field is None:
            raise ValueError(_KeyProblem("field", "档位指标须有 field: revenue 或 tax"))
        if self.measure in ("tier", "attracted_projects") and self.lower_yuan is None:
            raise ValueError(_KeyProblem("lower_yuan", "须有下限 lower_yuan（元）"))
        if self.measure == "platform_awards" and self.kind is None:
            raise ValueError(_KeyProblem("kind", "须写明认定类别 kind"))
        if self.due_month is not None and self.basis != "batch":
            raise ValueError(_KeyProblem("due_month", "仅成批指标（basis: batch）可设完成月份"))
        if self.basis == "starts" and self.measure not in ("key_projects", "major_upgrades"):
            raise ValueError(
                _KeyProblem(
                    "basis", "starts 仅用于项目清单的开工数（key_projects、major_upgrades）"
                )
            )
        returned = self.measure == "department_return"
        split = returned or self.measure == "recognition_measures"  # a list with owners
        for key, allowed in (("reported_by", returned), ("shares", split)):
            if getattr(self, key) is not None and not allowed:
                raise ValueError(
                    _KeyProblem(
                        key, "仅部门报表指标（measure: department_return）或逐项清单指标可设"
                    )
                )
        reporters = self.reported_by or self.departments
        strangers = [d for d in (self.reported_by or []) if d not in self.departments]
        if strangers:
            raise ValueError(
                _KeyProblem("reported_by", f"{'、'.join(strangers)} 不在本指标的 departments 中")
            )
        if self.shares is not None:
            if self.basis == "rate":
                raise ValueError(
                    _KeyProblem("shares", "比率指标不能按份分解 / a rate cannot be split")
                )
            if set(self.shares) != set(reporters):
                raise ValueError(
                    _KeyProblem(
                        "shares",
                        f"应为每个报送单位（{'、'.join(reporters)}）各填一份，且不含其他单位",
                    )
                )
        bounded = self.upper_yuan is not None and self.lower_yuan is not None
        if bounded and not self.lower_yuan < self.upper_yuan:
            raise ValueError(
                _KeyProblem("upper_yuan", "上限应大于下限 lower_yuan / expected upper > lower")
            )
        return self


class Targets(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plans: dict[int, Name]
    departments: Names
    indicators: list[Indicator]


class _YearProblems(str):
    """Problems with some years of a target, each kept with its year for the line."""

    def __new__(cls, problems):
        text = "; ".join(p for _, p in problems)
        self = super().__new__(cls, text)
        self.problems = problems
        return self


class _KeyProblem(str):
    """A problem of an indicator that belongs to one of its keys (for the line)."""

    def __new__(cls, key, problem):
        self = super().__new__(cls, problem)
        self.key = key
        return self


def _cross_checks(data: dict) -> list[tuple[tuple, str]]:
    """What one indicator cannot see: unique ids, plans and departments declared. Read
    from the file as written, so these are told alongside every other problem."""
    problems, seen = [], set()
    plans = data.get("plans") if isinstance(data.get("plans"), dict) else {}
    known = data.get("departments") if isinstance(data.get("departments"), list) else []
    items = data.get("indicators") if isinstance(data.get("indicators"), list) else []
    ids = {ind.get("id") for ind in items if isinstance(ind, dict)}
    for i, ind in enumerate(i for i in items if isinstance(i, dict)):
        linked = ind.get("judged_with")
        if linked is not None and (linked not in ids or linked == ind.get("id")):
            problems.append(
                (
                    ("indicators", i, "judged_with"),
                    "应为本文件中另一指标的 id / unknown indicator id",
                )
            )
        if ind.get("id") in seen:
            problems.append((("indicators", i, "id"), "指标编号重复 / duplicate id"))
        seen.add(ind.get("id"))
        if plans and isinstance(ind.get("plan"), int) and ind["plan"] not in plans:
            listed = "、".join(map(str, plans))
            problems.append(
                (("indicators", i, "plan"), f"应为 plans 中的计划 {listed} 之一 / unknown plan")
            )
        owners = ind.get("departments") if isinstance(ind.get("departments"), list) else []
        for j, department in enumerate(owners):
            if known and department not in known:
                problems.append(
                    (
                        ("indicators", i, "departments", j),
                        "不在 departments 所列责任单位中 / not a known department",
                    )
                )
    return problems


# --- industries.yaml -------------------------------------------------------------------
_CODE = re.compile(r"[A-T]?\d{2,4}")


def _code_prefix(value: Any) -> str:
    """A GB/T 4754 code or prefix: C36, 3731, c3731 (upper-cased)."""
    text = _text(value).upper()
    if not _CODE.fullmatch(text):
        raise ValueError(
            f"应为国民经济行业代码（GB/T 4754），如 C36 或 C3731 / expected an industry code, "
            f"got {value!r}"
        )
    return text


class Industry(BaseModel):
    """One leading industry: the words and codes that place a firm in it."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    texts: Names
    codes: list[Annotated[str, BeforeValidator(_code_prefix)]]
    service: bool = False


class Industries(BaseModel):
    model_config = ConfigDict(extra="forbid")

    other: Name
    industries: list[Industry]

    @model_validator(mode="after")
    def _distinct(self) -> "Industries":
        names = [industry.name for industry in self.industries] + [self.other]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"产业名称重复：{'、'.join(twice)} / duplicate industry name")
        for key in ("texts", "codes"):
            owner: dict[str, str] = {}
            for industry in self.industries:
                for value in getattr(industry, key):
                    if value in owner and owner[value] != industry.name:
                        raise ValueError(
                            f"{key} 中的「{value}」同时属于{owner[value]}和{industry.name} "
                            "/ listed under two industries"
                        )
                    owner[value] = industry.name
        return self


# --- lists.yaml ------------------------------------------------------------------------
LIST_KINDS = ("project", "firm", "listing", "visit", "measure", "milestone")
LISTING_STAGES = ("辅导备案", "申报", "过会", "上市")  # sources.LISTING_STAGES, in order
DueMonth = Annotated[int | None, BeforeValidator(lambda v: v and _month(v))]


class Item(BaseModel):
    """One named item: a project by its 项目编号, a firm by its credit code, or by name."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    id: Name | None = None
    credit_code: Name | None = None
    owner: Name | None = None
    target: Annotated[float | None, BeforeValidator(lambda v: v if v is None else _non_negative(
        _number(v, "应为不小于 0 的数字 / expected a number ≥ 0"),
        "应为不小于 0 的数字 / expected a number ≥ 0",
    ))] = None  # fmt: skip
    stage: Annotated[str | None, BeforeValidator(lambda v: v and _one_of(LISTING_STAGES)(v))] = None
    due_month: DueMonth = None


class NamedList(BaseModel):
    """A list the implementing opinions name, its items by year."""

    model_config = ConfigDict(extra="forbid")

    id: Name
    name: Name
    plan: Annotated[int, BeforeValidator(_whole(1))]
    kind: Annotated[str, BeforeValidator(_one_of(LIST_KINDS))]
    indicator: Name | None = None
    departments: Names
    due_month: DueMonth = None
    items: dict[int, list[Item]]

    @field_validator("items", mode="before")
    @classmethod
    def _by_year(cls, value: Any) -> dict:
        """Items belong to a year, and a year named has items."""
        if not isinstance(value, dict) or not value:
            raise ValueError("清单应按年份列出，如 items: {2026: [...]} / expected items by year")
        for year, entries in value.items():
            if not isinstance(year, int) or not 2000 <= year <= 2100:
                raise ValueError(_KeyProblem(year, "年份应为四位数，如 2026 / expected a year"))
            if not entries:
                raise ValueError(_KeyProblem(year, "该年份没有列出任何事项 / a year without items"))
        return value


class Lists(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lists: list[NamedList]


def _list_checks(data: dict, targets: dict) -> list[tuple[tuple, str]]:
    """What one list cannot see: unique list ids, owners among the list's departments and
    targets.yaml's, an indicator targets.yaml has, no item id or name twice in a year, and
    no firm on two visit lists of one year (the 成长型企业 are those below the 重点企业: a
    firm on both would be counted as visited twice)."""
    problems, seen = [], set()
    visited: dict[tuple, str] = {}  # (year, code or name) → the visit list that has it
    known = targets.get("departments") if isinstance(targets.get("departments"), list) else []
    indicators = {i.get("id") for i in targets.get("indicators") or [] if isinstance(i, dict)}
    for i, named in enumerate(data.get("lists") or []):
        if not isinstance(named, dict):
            continue
        if named.get("id") in seen:
            problems.append((("lists", i, "id"), "清单编号重复 / duplicate list id"))
        seen.add(named.get("id"))
        owners = named.get("departments") if isinstance(named.get("departments"), list) else []
        for j, department in enumerate(owners):
            if known and department not in known:
                problems.append(
                    (("lists", i, "departments", j), "不在 targets.yaml 的 departments 中")
                )
        if named.get("indicator") and indicators and named["indicator"] not in indicators:
            problems.append(
                (("lists", i, "indicator"), "targets.yaml 中没有此指标 / unknown indicator")
            )
        items = named.get("items") if isinstance(named.get("items"), dict) else {}
        for year, entries in items.items():
            names, ids, codes = set(), set(), set()
            for k, entry in enumerate(entries if isinstance(entries, list) else []):
                if not isinstance(entry, dict):
                    continue
                where = ("lists", i, "items", year, k)
                if entry.get("owner") and entry["owner"] not in owners:
                    problems.append((where + ("owner",), "不在本清单的 departments 中"))
                for key, taken in (("id", ids), ("name", names), ("credit_code", codes)):
                    if entry.get(key) is not None and entry[key] in taken:
                        problems.append((where + (key,), "同一年份中重复 / listed twice in a year"))
                    taken.add(entry.get(key))
                if named.get("kind") == "visit":
                    problems += _on_two_visit_lists(entry, year, named, where, visited)
    return problems


def _on_two_visit_lists(entry: dict, year, named: dict, where: tuple, visited: dict) -> list:
    """The entry's firm, by credit code and by name, if another visit list of the year has
    it; else it is noted as this list's."""
    found = []
    for key in ("credit_code", "name"):
        value = entry.get(key)
        if value is None:
            continue
        other = visited.setdefault((year, key, value), named.get("name"))
        if other != named.get("name"):
            found.append(
                (where + (key,), f"已列入同年的走访清单“{other}” / already on another visit list")
            )
            break  # the firm named once
    return found


# --- thresholds.yaml: bulletin ---------------------------------------------------------
def _line_text(value: Any) -> str:
    """One line of a document's text (an issuer, a heading): no line break."""
    text = _name(value).strip()
    if "\n" in text or "\r" in text:
        raise ValueError("应为一行文字，不含换行 / expected one line of text, no line break")
    return text


Line = Annotated[str, BeforeValidator(_line_text)]


class Bulletin(BaseModel):
    """The 督查通报 as a document (report/document.py): who issues it and how its 期号 reads."""

    model_config = ConfigDict(extra="forbid")

    issuer: Line = "市政府督查办公室"
    masthead: Line = "督查通报"
    issue_prefix: Line = "工业振兴"  # 期号: 工业振兴〔2026〕第5期
    recipients: Line = "各责任单位"


class Returns(BaseModel):
    """The departments' returns (部门报表): the day of the month after the period by which
    they are due (a later 报送日期 is 逾期)."""

    model_config = ConfigDict(extra="forbid")

    due_day: Annotated[int, BeforeValidator(_whole(1))] = 5

    @field_validator("due_day")
    @classmethod
    def _day(cls, value: int) -> int:
        if value > 31:
            raise ValueError("应为1到31之间的日 / expected a day of the month, 1 to 31")
        return value


# --- thresholds.yaml -------------------------------------------------------------------
class Thresholds(BaseModel):
    # Every key is declared: a misspelt key is refused, not silently ignored.
    model_config = ConfigDict(extra="forbid")

    bound_rule: Annotated[str, BeforeValidator(_one_of(BOUND_RULES))]
    on_track_band: Share
    pool_share: Share
    above_size_revenue_yuan: Yuan
    seasonal_share_limits: tuple[float, float]
    disclosure_min_firms: Annotated[int, BeforeValidator(_whole(0))]
    disclosure_dominance: tuple[Annotated[int, BeforeValidator(_whole(1))], Share]
    bulletin: Bulletin = Bulletin()
    tax_rows_of_one_taxpayer: Annotated[str, BeforeValidator(_one_of(TAX_RULES))] = "sum"
    page_list_limit: Annotated[int, BeforeValidator(_whole(1))] = 20
    # early warnings (measures/warnings.py): a fall 同比 of at least this share is listed
    warning_decline_share: Share = 0.2
    returns: Returns = Returns()
    # the intake's bound: a sheet of more rows is refused before its parse (selection.py)
    max_rows_per_sheet: Annotated[int, BeforeValidator(_whole(1))] = 500_000
    # named items off schedule: the statuses that list an item (of ITEM_STATUSES)
    warning_item_statuses: Annotated[list[str], BeforeValidator(_statuses)] = [
        "滞后",
        "逾期未完成",
        "未完成",
        "本期未报送",
    ]
    # …and an item 滞后 only when this far behind 序时进度 (a share of its target)
    warning_item_lag: Share = 0.25
    # firms' own yearly goals: a shortfall of at least this share of the goal is listed
    warning_goal_gap_share: Share = 0.1

    @field_validator("seasonal_share_limits", mode="before")
    @classmethod
    def _limits(cls, value: Any) -> tuple[float, float]:
        expected = "应为 [下限, 上限]，0 < 下限 < 上限 / expected [lower, upper], 0 < lower < upper"
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ValueError(expected)
        low, high = (_number(v, expected) for v in value)
        if not 0 < low < high:
            raise ValueError(expected)
        return low, high


# --- columns.yaml ----------------------------------------------------------------------
class ColumnField(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Annotated[str, BeforeValidator(_one_of(COLUMN_KINDS))]
    aliases: Names


class TableKind(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    requires: Names
    identity: Names


class Qualifiers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    previous: Names
    ignored: Names
    month_only: Names = []


class UnitRule(BaseModel):
    """The unit of a source whose sheets state none: by file pattern and/or kind."""

    model_config = ConfigDict(extra="forbid")

    unit: Name
    files: Name | None = None
    kind: Name | None = None

    @model_validator(mode="after")
    def _names_a_source(self) -> "UnitRule":
        if self.files is None and self.kind is None:
            raise ValueError("应写明 files（文件名模式）或 kind（表的种类） / needs files or kind")
        return self


class Columns(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: dict[str, ColumnField]
    kinds: dict[str, TableKind]
    qualifiers: Qualifiers
    units: dict[str, Annotated[float, BeforeValidator(lambda v: _positive(v))]]
    yuan_if_median_revenue_above: Annotated[float, BeforeValidator(lambda v: _positive(v))]
    units_by_source: Annotated[list[UnitRule], BeforeValidator(lambda v: v or [])] = []

    @field_validator("units")
    @classmethod
    def _money(cls, value: dict) -> dict:
        for unit in value:
            if not unit.endswith("元"):
                raise ValueError(_KeyProblem(unit, "货币单位应以“元”结尾，如 万元"))
        return value

    @model_validator(mode="after")
    def _sources_known(self) -> "Columns":
        for i, rule in enumerate(self.units_by_source):
            if rule.unit not in self.units:
                raise ValueError(
                    _KeyProblem(
                        ("units_by_source", i, "unit"),
                        f"应为 {'、'.join(self.units)} 之一 / expected one of the units",
                    )
                )
            if rule.kind is not None and rule.kind not in self.kinds:
                raise ValueError(
                    _KeyProblem(
                        ("units_by_source", i, "kind"),
                        f"应为 {'、'.join(self.kinds)} 之一 / expected one of the kinds",
                    )
                )
        return self

    @model_validator(mode="after")
    def _fields_known(self) -> "Columns":
        for kind, table in self.kinds.items():
            for key in ("requires", "identity"):
                unknown = [f for f in getattr(table, key) if f not in self.fields]
                if unknown:
                    raise ValueError(
                        _KeyProblem(
                            (kind, key),
                            f"{'、'.join(unknown)} 不是 fields 中的字段 / not a declared field",
                        )
                    )
        return self


def _positive(value: Any) -> float:
    expected = "应为大于 0 的数字 / expected a number > 0"
    number = _number(value, expected)
    if not number > 0:
        raise ValueError(expected)
    return number


MODELS = {
    "targets.yaml": Targets,
    "thresholds.yaml": Thresholds,
    "columns.yaml": Columns,
    "industries.yaml": Industries,
    "lists.yaml": Lists,
}


# --- the check -------------------------------------------------------------------------
def _node_at(node: yaml.Node, loc: tuple) -> tuple[yaml.Node, bool]:
    """The YAML node at a pydantic location, or the nearest one above it (found False)."""
    for step in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if str(k.value) == str(step)), None)
            if child is None:
                key = next((k for k, _ in node.value if str(k.value) == str(step)), None)
                return (key or node), False
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                return node, False
            node = node.value[step]
        else:
            return node, False
    return node, True


def _key(loc: tuple, data: Any) -> str:
    """A location as a reader names it: indicators.sales_ge_100m.target.2026,
    lists.key_projects.items.2026.3.owner."""
    parts, here = [], data
    for step in loc:
        if isinstance(here, list) and isinstance(step, int) and step < len(here):
            item = here[step]
            ident = item.get("id") if isinstance(item, dict) else None
            named = parts in (["indicators"], ["lists"])  # an indicator or list by its id
            parts.append(str(ident) if ident is not None and named else str(step))
            here = item
        else:
            parts.append(str(step))
            here = here.get(step) if isinstance(here, dict) else None
    return ".".join(parts)


def _shown(node: yaml.Node, found: bool) -> str:
    if not found:
        return "（缺失 / missing）"
    if isinstance(node, yaml.ScalarNode):
        return node.value if node.value != "" else "~"
    return "[…]" if isinstance(node, yaml.SequenceNode) else "{…}"


_PYDANTIC_WORDS = {
    "missing": "缺少此项 / required key missing",
    "extra_forbidden": "无法识别的键 / unknown key",
    "list_type": "应为列表 / expected a list",
    "dict_type": "应为映射 / expected a mapping",
    "model_type": "应为映射 / expected a mapping",
    "tuple_type": "应为列表 / expected a list",
    "int_parsing": "应为整数 / expected a whole number",
    "int_type": "应为整数 / expected a whole number",
    "float_parsing": "应为数字 / expected a number",
    "float_type": "应为数字 / expected a number",
    "string_type": "应为文字 / expected text",
    "too_short": "项数不足 / too few items",
    "too_long": "项数过多 / too many items",
}


def _problems(error: dict) -> list[tuple[tuple, str]]:
    """(location, what is expected) of one pydantic error; a target's years apart."""
    loc, raised = tuple(error["loc"]), (error.get("ctx") or {}).get("error")
    cause = raised.args[0] if isinstance(raised, ValueError) and raised.args else raised
    if isinstance(cause, _YearProblems):
        return [(loc + (year,), problem) for year, problem in cause.problems]
    if isinstance(cause, _KeyProblem):
        key = cause.key if isinstance(cause.key, tuple) else (cause.key,)
        return [(loc + key, str(cause))]
    if cause is not None:
        return [(loc, str(cause))]
    return [(loc, _PYDANTIC_WORDS.get(error["type"], error["msg"]))]


def _line(path: Path, root: yaml.Node, data: Any, loc: tuple, expected: str) -> tuple:
    node, found = _node_at(root, loc)
    return node.start_mark.line + 1, f"{path}:{node.start_mark.line + 1}: " + (
        f"{_key(loc, data)} = {_shown(node, found)}：{expected}"
    )


# PyYAML's words for what it could not parse, as an economist would fix it.
_YAML_PROBLEMS = {
    "could not find expected ':'": "缺少冒号：键和值之间应为半角冒号加一个空格（如 target: 23）",
    "mapping values are not allowed": "此处不应有冒号：检查缩进，或把含冒号的文字加上引号",
    "did not find expected ',' or ']'": "方括号 [ ] 没有闭合，或列表项之间缺少逗号",
    "did not find expected ',' or '}'": "花括号 { } 没有闭合，或各项之间缺少逗号",
    "found unexpected end of stream": "引号没有闭合：到文件末尾也没有找到配对的引号",
    "found character that cannot start any token": "含有不应出现的字符（如 Tab，请用空格缩进）",
    "did not find expected key": "缩进不一致：同一层的键应左对齐",
    "did not find expected '-' indicator": "列表缩进不一致：同一列表的 - 应左对齐",
    "expected <block end>": "缩进不一致：同一层的键应左对齐",
    "found duplicate anchor": "重复的锚点 &",
    "found unknown escape character": "双引号中的反斜杠 \\ 无效：改用单引号",
}
# A key written with a full-width colon (target：23), which YAML reads as part of the text.
_FULL_WIDTH_COLON = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*|\d{4})\s*：")


def _syntax_error(path: Path, text: str, exc: yaml.YAMLError) -> tuple[int, str]:
    """A file YAML cannot parse, in one line: the line where the faulty construct starts
    (PyYAML marks where it gave up, often lines later), what is wrong in Chinese, and
    PyYAML's own words. A full-width colon after a key is named as such."""
    context, problem = getattr(exc, "context_mark", None), getattr(exc, "problem_mark", None)
    mark = context or problem
    line = mark.line + 1 if mark else 0
    said = getattr(exc, "problem", None) or str(exc)
    lines = text.splitlines()
    for number, content in enumerate(lines[: max(line, problem.line + 1 if problem else 0)], 1):
        key = _FULL_WIDTH_COLON.match(content.split("#", 1)[0])
        if key:
            fixed = content.replace("：", ": ", 1).strip()
            return number, (
                f"{path}:{number}: YAML 格式错误：{key[1]} 后面是全角冒号「：」，应为半角冒号加空格"
                f"（{fixed}） / not valid YAML: a full-width colon after {key[1]}"
            )
    why = next((zh for en, zh in _YAML_PROBLEMS.items() if said.startswith(en)), "无法解析")
    return line, f"{path}:{line}: YAML 格式错误：{why} / not valid YAML: {said}"


def _check_file(path: Path, targets: dict) -> tuple[BaseModel | None, list[tuple[int, str]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [(0, f"{path}: 参数文件不存在 / parameter file missing")]
    try:
        root = yaml.compose(text, Loader=SafeLoader)
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        return None, [_syntax_error(path, text, exc)]
    if not isinstance(data, dict) or root is None:
        return None, [(1, f"{path}:1: 应为键值映射 / expected a mapping of keys")]
    found = _cross_checks(data) if path.name == "targets.yaml" else []
    found += _list_checks(data, targets) if path.name == "lists.yaml" else []
    try:
        checked = MODELS[path.name].model_validate(data)
    except ValidationError as exc:
        checked = None
        found += [p for e in exc.errors() for p in _problems(e)]
    return checked, sorted(_line(path, root, data, loc, what) for loc, what in found)


def _raw(path: Path) -> dict:
    """A file as YAML reads it, or {} when it cannot be read (its own check says why)."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except (OSError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def check(params_dir: Path) -> dict[str, BaseModel]:
    """Every file checked; ParamsError with every problem, one line each, if any."""
    checked, problems = {}, []
    targets = _raw(Path(params_dir) / "targets.yaml")  # what the lists are checked against
    for name in FILES:
        checked[name], found = _check_file(Path(params_dir) / name, targets)
        problems += [text for _, text in found]
    if problems:
        raise ParamsError(
            f"参数文件有 {len(problems)} 处问题，未运行 / {len(problems)} problem(s) in "
            "the parameter files, nothing was run:\n" + "\n".join(problems)
        )
    return checked
