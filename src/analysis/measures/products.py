"""The period's derived tables as named products: built once per run, read by the notebooks.

Each product is one function of the period's data (store.PeriodData) or of other products.
The run builds them all once, in its own process, into a folder of Parquet files
(`build`), and gives that folder to every notebook as `products_dir`; a kernel then reads
the few small tables its page shows and formats them, instead of reloading the intake and
re-deriving the period nine times over. A notebook opened by hand (`products_dir` None, or
a folder that lacks the product) builds what it asks for, and only what that depends on,
through the same functions, so it still runs on its own with its default parameters.

The scalars the pages print (thresholds, plan names, sentences about the intake) are kept
together in meta.json beside the tables.
"""

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.intake.periods import Period

META = "meta.json"
SUPPRESSED = "×"  # disclosure.SUPPRESSED, here without importing the disclosure rules
_MARKED = "__suppressed"  # a Parquet column can hold numbers or marks, not both
_KEPT = b"tenplans"  # what Parquet would not give back by itself: object columns, a name
SIZE_BINS = 30  # bins of the firm-size distribution, on a log scale


class Products:
    """The products of one period: read from `folder` when there, else built and kept."""

    def __init__(self, period: Period, processed_dir, params_dir, folder=None, data=None):
        self.period = period
        self.folder = None if folder is None else config.resolve(folder)
        self._processed, self._params = processed_dir, params_dir
        self._data = data
        self._tables: dict[str, pd.DataFrame] = {}
        self._meta: dict | None = None
        self.defaulted = False  # period taken as the newest processed one (open)

    @property
    def data(self):
        """The period's data (store.PeriodData), loaded only when a product must be built."""
        if self._data is None:
            # the intake's modules: imported only where something is built
            from analysis.measures import store

            self._data = store.load_period(
                self.period.year, self.period.month, self._processed, self._params
            )
        return self._data

    def table(self, name: str) -> pd.DataFrame:
        """A product by name; shared within this object, so copy it before changing it
        in place when it is read again later."""
        if name not in TABLES:
            raise KeyError(f"no product {name!r}; products: {', '.join(TABLES)}")
        if name not in self._tables:
            path = self.folder / f"{name}.parquet" if self.folder else None
            if path is not None and path.exists():
                self._tables[name] = _read(path)
            else:
                from analysis.intake.ingest import as_text  # only where something is built

                # as read back from the processed folder: the intake's file labels as text
                self._tables[name] = as_text(TABLES[name](self).reset_index(drop=True))
        return self._tables[name]

    @property
    def meta(self) -> dict:
        """The scalars beside the tables (see _meta), as meta.json holds them."""
        if self._meta is None:
            path = self.folder / META if self.folder else None
            if path is not None and path.exists():
                text = path.read_text(encoding="utf-8")
            else:
                text = json.dumps(_meta(self), ensure_ascii=False)
            self._meta = json.loads(text)
        return self._meta

    @property
    def period_note(self) -> str:
        """The page's first line: which period it shows, and why when nobody named it."""
        note = f"**报告期：{self.period.label}**"
        if self.defaulted:
            note += (
                "（参数单元格未写明 year、month，按已导入数据的最新一期；"
                "看其他期请写明，如 year = 2026、month = 9）"
            )
        return note

    @property
    def thresholds(self) -> dict:
        return self.meta["thresholds"]

    @property
    def plan_names(self) -> dict[int, str]:
        return {int(k): v for k, v in self.meta["plan_names"].items()}


def open(
    year: int | None = None,
    month: int | None = None,
    quarter: int | None = None,
    processed_dir=config.PROCESSED_DIR,
    params_dir=config.PARAMS_DIR,
    products_dir=None,
) -> Products:
    """The products of a notebook's period: from `products_dir` (the run's folder), or
    built on demand from the processed intake when it is None or lacks one.

    `year` or `month` None (a notebook opened by hand) means the newest period the
    processed data hold (of `year`; the newest year for a `month` alone), so the figures
    match the report `make report` made; the run always passes both.
    `Products.period_note` says which period was taken."""
    if year is None or (month is None and quarter is None):
        from analysis import params

        params.check(params_dir)  # a broken parameter file is told first, as in a run
        period = latest_processed(processed_dir, year)
        if month is not None or quarter is not None:  # a month named, of the newest year
            period = Period.of(period.year, month, quarter)
        chosen = Products(period, processed_dir, params_dir, products_dir)
        chosen.defaulted = True
        return chosen
    return Products(Period.of(year, month, quarter), processed_dir, params_dir, products_dir)


def latest_processed(processed_dir=config.PROCESSED_DIR, year: int | None = None) -> Period:
    """The newest period of the processed panel (of `year`, when given), read from its year
    and month columns only."""
    import pyarrow.parquet as pq

    from analysis.errors import NoDataError
    from analysis.intake.periods import reported

    path = config.resolve(processed_dir) / "panel.parquet"
    if not path.exists():
        raise NoDataError(
            f"{path.parent}: 尚未导入数据，无法确定最新报告期；请先运行 make ingest（或 make "
            "report），或在参数单元格写明 year、month / no processed data: run make ingest first"
        )
    held = reported(pq.read_table(path, columns=["year", "month"]).to_pandas())
    of_year = [p for p in held if year is None or p.year == int(year)]
    if not of_year:
        listed = "、".join(p.label for p in held) or "无"
        raise NoDataError(f"数据中没有 {year} 年的累计数据（已有：{listed}）/ no data for {year}")
    return of_year[-1]


def build(data, folder: Path, params_dir=config.PARAMS_DIR) -> Products:
    """Every product of the period (store.PeriodData, read with `params_dir`) written to
    `folder`; returns them, as built, for the run's own files."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    products = Products(data.period, None, params_dir, data=data)
    for name in TABLES:
        _write(products.table(name), folder / f"{name}.parquet")
    (folder / META).write_text(json.dumps(products.meta, ensure_ascii=False), encoding="utf-8")
    return products


def _write(frame: pd.DataFrame, path: Path) -> None:
    """As Parquet; a column mixing figures and × marks becomes the figures and a mask, and
    columns of Python objects are named in the file so they come back as objects."""
    frame = frame.copy()
    objects = [str(c) for c in frame.columns if frame[c].dtype == object]
    for column in list(frame.columns):
        if frame[column].dtype != object:
            continue
        marked = frame[column].map(lambda v: isinstance(v, str) and v == SUPPRESSED)
        if marked.any():
            frame[column] = pd.to_numeric(frame[column].mask(marked))
            frame[f"{column}{_MARKED}"] = marked.astype(bool)
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = frame.columns.name
    frame.columns = [str(c) for c in frame.columns]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    kept = {"objects": objects, "columns_name": names}
    metadata = {**(table.schema.metadata or {}), _KEPT: json.dumps(kept).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), path)


def _read(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    kept = json.loads((table.schema.metadata or {})[_KEPT])
    frame = table.to_pandas()
    frame.columns.name = kept["columns_name"]
    for column in [c for c in frame.columns if c.endswith(_MARKED)]:
        shown = column.removesuffix(_MARKED)
        values = frame[shown].astype(object)
        values[frame[column].to_numpy(dtype=bool)] = SUPPRESSED
        frame[shown] = values
        frame = frame.drop(columns=column)
    for column in kept["objects"]:
        if column in frame.columns and frame[column].dtype != object:
            frame[column] = frame[column].astype(object)
    return frame


# --- the products: each a function of the period's data or of other products ---


def _meta(p: Products) -> dict:
    from analysis.intake import quality
    from analysis.measures import industries, tiers

    d = p.data
    return {
        "thresholds": d.thresholds,
        "plan_names": {str(k): v for k, v in d.plan_names.items()},
        "intake_summary": quality.summary_sentence(d.intake),
        "left_out_sentence": quality.left_out_sentence(p.table("left_out")),
        "revenue_total": float(d.firms.loc[d.firms["leading"], "revenue_ytd"].sum()),
        "projection": tiers.projection_reliability(d.firms, d.tiers),
        "industries_note": industries.coverage_note(d.firms, d.industries),
    }


def _tier_defs(p: Products) -> pd.DataFrame:
    return p.data.tiers[["id", "name", "field", "lower_yuan", "upper_yuan", "target"]]


def _tier_counts(p: Products) -> pd.DataFrame:
    from analysis.measures import tiers

    return tiers.tier_counts(p.data.firms, p.data.tiers, p.data.thresholds)


def _bands(p: Products) -> pd.DataFrame:
    """Firms per size band of revenue and of tax, every band shown even when empty."""
    frames = [
        p.data.firms[f"{measure}_band"]
        .value_counts(sort=False)
        .rename_axis("band")
        .reset_index(name="firms")
        .assign(measure=measure, band=lambda f: f["band"].astype(str))
        for measure in ("revenue", "tax")
    ]
    return pd.concat(frames, ignore_index=True)[["measure", "band", "firms"]]


def _size_histogram(p: Products) -> pd.DataFrame:
    """Firms by cumulative revenue in SIZE_BINS bins equal on a log scale (the sizes span
    four orders of magnitude); firms at zero, which a log scale cannot place, are the row
    whose bounds are both 0."""
    values = p.data.firms["revenue_ytd"].dropna().to_numpy(dtype=float)
    positive = values[values > 0]
    if len(positive):
        counts, edges = np.histogram(np.log10(positive), bins=SIZE_BINS)
        edges = 10.0**edges
        edges[[0, -1]] = positive.min(), positive.max()  # exact, not rounded through log10
    else:
        counts, edges = np.array([], dtype=int), np.array([0.0])
    return pd.DataFrame(
        {
            "lower": [0.0, *edges[:-1]],
            "upper": [0.0, *edges[1:]],
            "firms": [len(values) - len(positive), *counts],
        }
    )


def _left_out(p: Products) -> pd.DataFrame:
    from analysis.intake import quality

    return quality.left_out(p.data.intake, p.period.year, p.period.month)


def _movers(p: Products) -> pd.DataFrame:
    from analysis.measures import tiers

    d = p.data
    return tiers.movers(d.panel, p.period, d.tiers, d.thresholds, p.table("left_out"))


def _pool(p: Products) -> pd.DataFrame:
    from analysis.measures import tiers

    return tiers.cultivation_pool(p.data.firms, p.data.tiers, p.data.thresholds)


def _industry_breakdown(p: Products) -> pd.DataFrame:
    from analysis.measures import tiers

    return tiers.industry_breakdown(p.data.firms, p.data.tiers)


def _as_one(firms: pd.DataFrame) -> pd.DataFrame:
    """The firms an industry table counts (those with an industry), as one group 合计: a
    table's function over them is its total row, 同比 on the same firms as each row's."""
    return firms[firms["industry"].notna()].assign(industry="合计")


def _industry_breakdown_total(p: Products) -> pd.DataFrame:
    from analysis.measures import tiers

    return tiers.industry_breakdown(_as_one(p.data.firms), p.data.tiers)


def _industry_breakdown_public(p: Products) -> pd.DataFrame:
    from analysis.measures import disclosure

    table = p.table("industry_breakdown")
    return disclosure.industry_breakdown(table, p.data.firms, p.data.thresholds)


def _scorecard(p: Products) -> pd.DataFrame:
    return p.data.scorecard()


def _status_summary(p: Products) -> pd.DataFrame:
    from analysis.measures import targets

    return targets.status_summary(p.table("scorecard"))


def _items(p: Products) -> pd.DataFrame:
    """Every named item of the year with its target, actual and status (items.csv), and the
    firms' own yearly goals as the list firm_goals (items.goals.as_items)."""
    from analysis.items import goals

    named = p.data.judged[0]
    own = goals.as_items(p.table("firm_goals"), p.period.year).reindex(columns=named.columns)
    return pd.concat([named, own], ignore_index=True) if len(own) else named


def _firm_goals(p: Products) -> pd.DataFrame:
    """对号入座: every firm's own goal of the year, its figures and, for 年度 goals, status."""
    from analysis.items import goals

    d = p.data
    rule = d.thresholds["bound_rule"]
    return goals.followed(d.intake.goals, d.firms, d.now.projects, d.now.financing, p.period, rule)


def _goal_shortfalls(p: Products) -> pd.DataFrame:
    """The firms whose own yearly goal is projected short, the largest shortfall first."""
    from analysis.items import goals

    return goals.shortfalls(p.table("firm_goals"))


def _goal_counts(p: Products) -> pd.DataFrame:
    """Goals by what they are about, horizon and status: counts, no names (public too)."""
    from analysis.items import goals

    return goals.counts(p.table("firm_goals"))


def _unlisted(p: Products) -> pd.DataFrame:
    """Rows of the returns in a list's scope that no named item claims."""
    table = p.data.judged[1]
    columns = ["list", "project_id", "project_name", "credit_code", "name", "amount"]
    return table.reindex(columns=columns)


def _item_counts(p: Products) -> pd.DataFrame:
    """Per list: items by status, as the scorecard summary counts them."""
    items = p.table("items")
    counts = pd.crosstab([items["list_name"], items["plan"]], items["status"])
    counts.columns.name = None
    counts.insert(0, "items", counts.sum(axis=1))
    return counts.reset_index().sort_values("plan", kind="stable").reset_index(drop=True)


def _withheld(p: Products) -> pd.DataFrame:
    """Indicators whose total is a few firms' own figures (disclosure.withheld), with the
    number of firms: the public edition publishes their status, not their figures."""
    from analysis.measures import disclosure

    equity = {"equity_financing": p.table("equity")["amount"]}
    hidden = disclosure.withheld(equity, p.data.thresholds)
    return pd.DataFrame({"indicator": list(hidden), "firms": list(hidden.values())})


def _public(p: Products, table: pd.DataFrame) -> pd.DataFrame:
    """A scorecard table as the public edition shows it: the withheld totals as ×, and the
    named firms a return lacks counted, not named (projects are public by nature)."""
    from analysis.items import scopes
    from analysis.measures import disclosure

    shown = disclosure.withhold_card(table, p.table("withheld")["indicator"])
    indicators = p.data.indicators
    of_firm_lists = [m for m, kind in scopes.LIST_MEASURES.items() if kind in ("visit", "listing")]
    measures = [*scopes.FIRM_SCOPES, *of_firm_lists]
    firms = indicators.loc[indicators["measure"].isin(measures), "id"]
    of_firms = shown["indicator"].isin(firms)
    unnamed = shown.loc[of_firms, "unreported_items"].str.replace(r"：.*$", "", regex=True)
    kept = unnamed.reindex(shown.index).fillna(shown["unreported_items"])
    return shown.assign(unreported_items=kept)


def _scorecard_public(p: Products) -> pd.DataFrame:
    return _public(p, p.table("scorecard"))


def _by_department_public(p: Products) -> pd.DataFrame:
    return _public(p, p.table("by_department"))


def _department_parts(p: Products) -> pd.DataFrame:
    from analysis.measures import owners

    d = p.data
    band = d.thresholds["on_track_band"]
    card, items = p.table("scorecard"), p.table("items")
    return owners.parts(card, d.indicators, d.now.returns, p.period, band, items)


def _return_status(p: Products) -> pd.DataFrame:
    from analysis.measures import owners

    due_day = p.data.thresholds["returns"]["due_day"]
    now = p.data.now
    return owners.return_status(
        p.data.indicators, now.returns, p.period, due_day, p.table("items"), now.progress
    )


def _return_decreases(p: Products) -> pd.DataFrame:
    from analysis.measures import owners

    d = p.data
    return owners.decreases(d.sources.returns, d.indicators, p.period, d.named_of(p.period.year))


def _department_summary(p: Products) -> pd.DataFrame:
    from analysis.measures import targets

    return targets.department_summary(p.table("scorecard"), p.table("department_parts"))


def _by_department(p: Products) -> pd.DataFrame:
    from analysis.measures import targets

    return targets.by_department(p.table("scorecard"), p.table("department_parts"))


def _return_scorecard(p: Products) -> pd.DataFrame:
    """The scorecard rows of the indicators the departments report themselves, as figures
    or item by item (the firms visited, the ten measures)."""
    from analysis.items.scopes import RETURNED_ITEMS

    card, indicators = p.table("scorecard"), p.data.indicators
    measures = ["department_return", *RETURNED_ITEMS]
    reported = indicators.loc[indicators["measure"].isin(measures), "id"]
    return card[card["indicator"].isin(reported)]


def _return_scorecard_public(p: Products) -> pd.DataFrame:
    return _public(p, p.table("return_scorecard"))


def _paths(p: Products) -> pd.DataFrame:
    from analysis.measures import history

    return history.indicator_paths(p.data)


def _structure(p: Products) -> pd.DataFrame:
    from analysis.measures import industries

    return industries.structure(p.data.firms)


def _structure_total(p: Products) -> pd.DataFrame:
    from analysis.measures import industries

    return industries.structure(_as_one(p.data.firms))


def _structure_public(p: Products) -> pd.DataFrame:
    from analysis.measures import industries

    table, d = p.table("structure"), p.data
    return industries.published(table, d.firms, industries.STRUCTURE_DISCLOSURE, d.thresholds)


def _quality(function: str) -> Callable[[Products], pd.DataFrame]:
    """A data-quality table of quality.py that takes the intake alone."""

    def product(p: Products) -> pd.DataFrame:
        from analysis.intake import quality

        return getattr(quality, function)(p.data.intake)

    return product


def _versions(p: Products) -> pd.DataFrame:
    from analysis import params
    from analysis.intake import quality

    kinds = {k: v["name"] for k, v in params.columns(p._params)["kinds"].items()}
    return quality.version_table(p.data.intake, kinds)


def _quarantine(p: Products) -> pd.DataFrame:
    rows = p.data.intake.quarantine
    return rows.assign(file=rows["file"].astype(str).str.rsplit("/", n=1).str[-1])


def _code_problems(p: Products) -> pd.DataFrame:
    from analysis.intake import quality

    return quality.code_problems(p.data.panel, p.period.year, p.period.month)


def _coverage(p: Products) -> pd.DataFrame:
    from analysis.intake import quality

    return quality.coverage(p.data.panel)


def _matches(p: Products) -> pd.DataFrame:
    return p.data.intake.matches


def _indicator(p: Products, indicator: str, column: str):
    return p.data.indicators.set_index("id").at[indicator, column]


def _majors(p: Products) -> pd.DataFrame:
    from analysis.measures import projects

    tracked = _indicator(p, "major_upgrade_projects", "tracked")
    return projects.major_upgrades(p.data.now.projects, p.period, tracked)


def _late_projects(p: Products) -> pd.DataFrame:
    from analysis.measures import projects

    return projects.behind_plan(p.data.now.projects, p.period, p.data.thresholds["on_track_band"])


def _late_starts(p: Products) -> pd.DataFrame:
    from analysis.measures import projects

    return projects.late_starts(p.data.now.projects, p.period)


def _project_lists(p: Products) -> pd.DataFrame:
    """The named project lists as the project office's return holds them: projects and
    planned total investment (yuan), what the programme says of them beside."""
    from analysis.measures import projects

    now, indicators = p.data.now.projects, p.data.indicators.set_index("id")
    rows = []
    lists = (
        ("key_projects", "重点项目", projects.is_key),
        ("major_upgrade_projects", "重大技改项目", projects.is_major),
    )
    for indicator, label, chosen in lists:
        count, investment = projects.list_size(now, chosen)
        known = indicator in indicators.index
        rows.append(
            dict(
                indicator=indicator,
                name=label,
                projects=count,
                planned_investment=investment,
                planned_starts=int(now.loc[chosen(now), "planned_start_date"].notna().sum())
                if len(now)
                else 0,
                programme=indicators.at[indicator, "note"] if known else None,
            )
        )
    return pd.DataFrame(rows)


def _attracted(p: Products) -> pd.DataFrame:
    from analysis.measures import projects

    lower = _indicator(p, "attracted_projects_100m", "lower_yuan")
    return projects.attracted_list(p.data.now.projects, p.period, lower)


def _awards(p: Products) -> pd.DataFrame:
    from analysis.measures import innovation

    return innovation.award_list(p.data.now.platforms, p.period.year, p.period.month)


def _rd_by_industry(p: Products) -> pd.DataFrame:
    from analysis.measures import innovation

    return innovation.rd_by_industry(p.data.firms)


def _rd_by_industry_public(p: Products) -> pd.DataFrame:
    from analysis.measures import industries, innovation

    table, d = p.table("rd_by_industry"), p.data
    return industries.published(table, d.firms, innovation.RD_DISCLOSURE, d.thresholds)


def _rd_leaders(p: Products) -> pd.DataFrame:
    from analysis.measures import innovation

    return innovation.rd_leaders(p.data.firms)


def _listing_pipeline(p: Products) -> pd.DataFrame:
    from analysis.measures import financing

    return financing.listing_pipeline(p.data.now.financing, p.period.year, p.period.month)


def _equity(p: Products) -> pd.DataFrame:
    from analysis.measures import financing

    tracked = _indicator(p, "equity_financing", "tracked")
    return financing.equity_by_firm(p.data.now.financing, p.period.year, p.period.month, tracked)


def _returns_by_department(p: Products) -> pd.DataFrame:
    from analysis.intake import returns

    return returns.by_department(p.data.now.returns, p.data.indicators)


def _unknown_returns(p: Products) -> pd.DataFrame:
    from analysis.intake import returns

    lists = p.data.named["list"].unique()
    return returns.unknown_indicators(p.data.now.returns, p.data.indicators, lists)


def _warning_inputs(p: Products):
    from analysis.measures import warnings

    d = p.data
    return warnings.Inputs(
        d.firms,
        d.panel,
        p.period,
        d.tiers,
        d.thresholds,
        d.industries,
        p.table("left_out"),
        items=p.table("items"),
        goals=p.table("firm_goals"),
    )


def _warnings(p: Products) -> pd.DataFrame:
    from analysis.measures import warnings

    return warnings.entries(_warning_inputs(p))


def _warning_rules(p: Products) -> pd.DataFrame:
    from analysis.measures import warnings

    return warnings.rule_table(p.table("warnings"), p.data.thresholds)


def _warning_counts_public(p: Products) -> pd.DataFrame:
    from analysis.measures import warnings

    names = [*p.data.firms["industry"].cat.categories, warnings.NO_INDUSTRY]
    return warnings.public_counts(p.table("warnings"), names, p.data.thresholds)


def _loss_share(p: Products) -> pd.DataFrame:
    from analysis.measures import warnings

    return warnings.loss_share(_warning_inputs(p))


def _loss_share_public(p: Products) -> pd.DataFrame:
    from analysis.measures import warnings

    return warnings.public_loss_share(p.table("loss_share"), p.data.thresholds)


def _firms(p: Products) -> pd.DataFrame:
    return p.data.firms


TABLES: dict[str, Callable[[Products], pd.DataFrame]] = {
    "firms": _firms,  # tiers.csv's table; no page reads it whole
    # 01 data quality
    "file_accounting": _quality("file_accounting"),
    "column_choices": _quality("column_choices"),
    "hidden_parts": _quality("hidden_parts"),
    "versions": _versions,
    "revision_changes": _quality("revision_changes"),
    "repeated_keys": _quality("repeated_keys"),
    "left_out": _left_out,
    "quarantine": _quarantine,
    "code_problems": _code_problems,
    "coverage": _coverage,
    "matches": _matches,
    "unmatched": _quality("unmatched"),
    # 02 tiers
    "tier_defs": _tier_defs,
    "tier_counts": _tier_counts,
    "bands": _bands,
    "size_histogram": _size_histogram,
    "movers": _movers,
    "pool": _pool,
    "industry_breakdown": _industry_breakdown,
    "industry_breakdown_public": _industry_breakdown_public,
    "industry_breakdown_total": _industry_breakdown_total,  # the city's row: public too
    # 03 scorecard, 09 bulletin and every page's plan table
    "scorecard": _scorecard,
    "status_summary": _status_summary,
    "department_parts": _department_parts,
    "return_status": _return_status,
    "return_decreases": _return_decreases,
    "department_summary": _department_summary,
    "by_department": _by_department,
    "withheld": _withheld,
    "firm_goals": _firm_goals,  # 对号入座: before items, which carries its yearly goals
    "goal_shortfalls": _goal_shortfalls,
    "goal_counts": _goal_counts,
    "items": _items,
    "unlisted": _unlisted,
    "item_counts": _item_counts,
    "scorecard_public": _scorecard_public,
    "by_department_public": _by_department_public,
    "paths": _paths,
    # 04 industries
    "structure": _structure,
    "structure_public": _structure_public,
    "structure_total": _structure_total,
    # 05 projects
    "majors": _majors,
    "late_projects": _late_projects,
    "late_starts": _late_starts,
    "project_lists": _project_lists,
    "attracted": _attracted,
    # 06 innovation
    "awards": _awards,
    "rd_by_industry": _rd_by_industry,
    "rd_by_industry_public": _rd_by_industry_public,
    "rd_leaders": _rd_leaders,
    # 07 financing
    "listing_pipeline": _listing_pipeline,
    "equity": _equity,
    # 08 reform and people
    "return_scorecard": _return_scorecard,
    "return_scorecard_public": _return_scorecard_public,
    "returns_by_department": _returns_by_department,
    "unknown_returns": _unknown_returns,
    # 10 early warnings
    "warnings": _warnings,
    "warning_rules": _warning_rules,
    "warning_counts_public": _warning_counts_public,
    "loss_share": _loss_share,
    "loss_share_public": _loss_share_public,
}
"""Every product by name, in the order `build` writes them."""
