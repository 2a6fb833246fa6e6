"""Analytics use cases: load the stored frames, check the question, call the pure analytics.

Shared by the CLI and the REST API. Every function takes the store's ``Core`` (keyword
``core``; the process's default core when omitted), resolves names through the registry
(``ContributionFilter``), and raises a ``BluehelmetError`` that says what is stored when a
question cannot be answered: an empty store, a period with no data, a month without an
official ranking. Each returns an ``Answer``: the table, a title, notes, and the chart(s)
asked for (Altair specs; saving them is the caller's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from bluehelmet.analytics._common import ContributionFilter, month_ranges
from bluehelmet.errors import BluehelmetError, InputError
from bluehelmet.services.core import Core, default_core

__all__ = [
    "PANEL_ADDITIONS",
    "Answer",
    "NoDataError",
    "compare_ranking",
    "concentration",
    "fatalities",
    "locations",
    "missions",
    "panel",
    "parity",
    "rank",
    "save_chart",
    "shares",
    "stored_months",
]

#: What ``panel(add=...)`` accepts.
PANEL_ADDITIONS = ("region", "council", "gender", "fatalities", "mandates", "org:CODE")


class NoDataError(BluehelmetError, LookupError):
    """The store holds no data for the question (nothing imported, or not for that period)."""


@dataclass(frozen=True)
class Answer:
    """A table with its title, notes for the reader and the charts asked for."""

    table: pl.DataFrame
    title: str
    notes: tuple[str, ...] = ()
    chart: Any = None
    map: Any = None
    problem: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- loading ----------------------------------------------------------------------------------


def _scan(dataset: str, core: Core) -> pl.LazyFrame:
    from bluehelmet.services.data import scan

    return scan(dataset, core=core)


def stored_months(
    dataset: str = "contributions", *, missions_only: bool = False, core: Core | None = None
) -> list[date]:
    """The months the store holds rows of ``dataset`` for (contributions by default)."""
    lazy = _scan(dataset, default_core(core))
    if missions_only:
        lazy = lazy.filter(pl.col("mission").is_not_null())
    months = lazy.select(pl.col("month").unique()).collect().to_series().drop_nulls()
    return sorted(months.to_list())


def _contributions(core: Core, what: str = "contribution data") -> pl.DataFrame:
    """The stored contribution rows (kept by the core, with their key codes);
    ``NoDataError`` when nothing is imported."""
    from bluehelmet.services.data import read

    rows = read("contributions", core=core)
    if rows.is_empty():
        msg = (
            f"no {what} is stored in {core.home}; "
            "import files first with `bluehelmet data import PATH...`"
        )
        raise NoDataError(msg)
    return rows


def _check_period(
    where: ContributionFilter, months: Sequence[date], what: str = "contributions"
) -> None:
    """``NoDataError`` naming the stored months when the filter's period has none of them."""
    if where.start is None and where.end is None:
        return
    if not where.months(months):
        msg = (
            f"no {what} are stored for {where.describe().split('; ')[0]}; "
            f"stored months: {month_ranges(months)}"
        )
        raise NoDataError(msg)


def _require_rows(table: pl.DataFrame, where: ContributionFilter, months: Sequence[date]) -> None:
    """``NoDataError`` when the answer is empty, naming the filter and the stored months."""
    if table.is_empty():
        msg = (
            f"no rows match {where.describe()}; stored months: {month_ranges(months)}; "
            "see `bluehelmet data status`"
        )
        raise NoDataError(msg)


def _filter(
    *,
    month: date | str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Sequence[str] | None = None,
    missions: str | Sequence[str] | None = None,
    categories: str | Sequence[str] | None = None,
) -> ContributionFilter:
    return ContributionFilter.of(
        month=month,
        start=start,
        end=end,
        contributors=contributors or None,
        missions=missions or None,
        categories=categories or None,
    )


def _args(where: ContributionFilter) -> dict[str, Any]:
    """The filter as the keyword arguments of the analytics functions."""
    return {
        "start": where.start,
        "end": where.end,
        "contributors": where.contributors,
        "missions": where.missions,
        "categories": where.categories,
    }


# --- use cases --------------------------------------------------------------------------------


def rank(
    month: date | str | None = None,
    *,
    missions: str | Sequence[str] | None = None,
    categories: str | Sequence[str] | None = None,
    by_category: bool = False,
    top: int | None = None,
    chart: bool = False,
    world_map: bool = False,
    core: Core | None = None,
) -> Answer:
    """Contributors ranked by uniformed personnel in ``month`` (required; the error names
    the stored months when it is missing or not stored)."""
    from bluehelmet import analytics

    core = default_core(core)
    if top is not None and top < 1:
        msg = f"--top must be at least 1 (got {top})"
        raise InputError(msg, field="top")
    where = _filter(month=month, missions=missions, categories=categories)
    rows = _contributions(core)
    months = stored_months(core=core)
    if month is None:
        msg = f"give the month to rank with --month YYYY-MM; stored months: {month_ranges(months)}"
        raise InputError(msg, field="month")
    _check_period(where, months)
    assert where.start is not None  # set from month
    table = analytics.ranking(
        rows,
        where.start,
        missions=where.missions,
        categories=where.categories,
        by_category=by_category,
    )
    _require_rows(table, where, months)
    if top is not None:
        table = table.filter(pl.col("rank") <= top)
    label = f"{where.start:%Y-%m}"
    answer_chart = answer_map = None
    if chart:
        from bluehelmet.analytics.charts import ranking_chart

        answer_chart = ranking_chart(
            table, top=top or 20, title=f"Uniformed personnel by contributor, {label}"
        )
    if world_map:
        from bluehelmet.analytics.charts import world_map as map_chart

        answer_map = map_chart(table, title=f"Uniformed personnel by contributor, {label}")
    return Answer(table, f"Ranking of contributors, {label}", chart=answer_chart, map=answer_map)


def compare_ranking(month: date | str | None, *, core: Core | None = None) -> Answer:
    """The computed ranking of ``month`` beside the stored official UN ranking.

    ``problem`` is set when any contributor differs (the CLI then exits non-zero).
    """
    from bluehelmet import analytics
    from bluehelmet.services.data import official_ranking

    core = default_core(core)
    official = official_ranking(core=core)
    published = sorted(official["month"].unique().to_list())
    if month is None:
        msg = (
            "give the month to check with --month YYYY-MM; official rankings are stored for: "
            f"{month_ranges(published)}"
        )
        raise InputError(msg, field="month")
    where = _filter(month=month)
    assert where.start is not None
    if where.start not in published:
        msg = (
            f"no official ranking is stored for {where.start:%Y-%m}; official rankings are "
            f"stored for: {month_ranges(published)}"
        )
        raise NoDataError(msg)
    comparison = analytics.compare_with_official(_contributions(core), official, where.start)
    wrong = comparison.filter(~pl.col("matches")).height
    problem = (
        f"{wrong} of {comparison.height} contributors differ from the official ranking"
        if wrong
        else None
    )
    title = f"Computed against official ranking, {where.start:%Y-%m}"
    return Answer(comparison, title, problem=problem)


def shares(
    *,
    by: str = "contributor",
    org: str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Sequence[str] | None = None,
    missions: str | Sequence[str] | None = None,
    categories: str | Sequence[str] | None = None,
    trend: bool = False,
    chart: bool = False,
    top: int = 8,
    core: Core | None = None,
) -> Answer:
    """Shares of personnel by contributor or group over a period (or per year)."""
    from bluehelmet import analytics

    core = default_core(core)
    from bluehelmet.analytics.shares import _share_by

    _share_by(by)
    where = _filter(
        start=start, end=end, contributors=contributors, missions=missions, categories=categories
    )
    rows = _contributions(core)
    months = stored_months(core=core)
    _check_period(where, months)
    options: dict[str, Any] = {"by": by, "org": org, **_args(where)}
    trends = analytics.share_trends(rows, **options) if trend or chart else None
    if trend and trends is not None:
        table, title = trends, f"Shares by {by}, per year"
    else:
        table, title = analytics.shares(rows, **options), f"Shares by {by}"
    _require_rows(table, where, months)
    answer_chart = None
    if chart and trends is not None:
        from bluehelmet.analytics.charts import share_chart

        answer_chart = share_chart(
            trends, top=top, title=f"Share of personnel by {by}", months=where.months(months)
        )
    return Answer(table, title, chart=answer_chart)


def concentration(
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    missions: str | Sequence[str] | None = None,
    categories: str | Sequence[str] | None = None,
    per_month: bool = False,
    chart: bool = False,
    core: Core | None = None,
) -> Answer:
    """HHI, top-5/top-10 shares and Gini among contributors, over the period or per month."""
    from bluehelmet import analytics

    core = default_core(core)
    where = _filter(start=start, end=end, missions=missions, categories=categories)
    rows = _contributions(core)
    months = stored_months(core=core)
    _check_period(where, months)
    args = {k: v for k, v in _args(where).items() if k != "contributors"}
    table = analytics.concentration(rows, per_month=per_month, **args)
    if not table.is_empty() and table["personnel"].fill_null(0).sum() == 0:
        table = table.clear()
    _require_rows(table, where, months)
    answer_chart = None
    if chart:
        from bluehelmet.analytics.charts import concentration_chart

        monthly = table if per_month else analytics.concentration(rows, per_month=True, **args)
        answer_chart = concentration_chart(monthly, title="Concentration among contributors")
    return Answer(table, "Concentration among contributors", chart=answer_chart)


def missions(
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    missions: str | Sequence[str] | None = None,
    categories: str | Sequence[str] | None = None,
    chart: bool = False,
    top: int = 8,
    core: Core | None = None,
) -> Answer:
    """Per mission and month: strength (contributor rows, else the mission totals from 1990),
    contributors, largest and regional shares, mandate (TAMM) where stored."""
    from bluehelmet import analytics

    core = default_core(core)
    where = _filter(start=start, end=end, missions=missions, categories=categories)
    from bluehelmet.services.data import read

    rows = read("contributions", core=core)
    totals = _scan("mission_totals", core)
    mandates = _scan("mandates", core)
    months = sorted(
        set(stored_months(missions_only=True, core=core))
        | set(stored_months("mission_totals", core=core))
    )
    if not months:
        msg = (
            f"no mission strength is stored in {core.home}; import contributor files or the "
            "IPI mission totals (data_mission.csv) with `bluehelmet data import PATH...`"
        )
        raise NoDataError(msg)
    _check_period(where, months, "mission strengths")
    table = analytics.mission_months(
        rows,
        mission_totals=totals,
        mandates=mandates if mandates.select(pl.len()).collect().item() else None,
        **_args(where),
    )
    _require_rows(table, where, months)
    notes = tuple(
        f"{source}: {month_ranges(group['month'].to_list())}"
        for (source,), group in table.group_by(["source"], maintain_order=True)
    )
    answer_chart = None
    if chart:
        from bluehelmet.analytics.charts import mission_chart

        answer_chart = mission_chart(table, top=top, title="Mission strength")
    return Answer(table, "Missions by month", notes=notes, chart=answer_chart)


def parity(
    *,
    by: str = "overall",
    month: date | str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Sequence[str] | None = None,
    missions: str | Sequence[str] | None = None,
    chart: bool = False,
    top: int = 25,
    core: Core | None = None,
) -> Answer:
    """Women's share per group against the Strategy's targets of each year."""
    from bluehelmet import analytics

    core = default_core(core)
    if by not in {b.value for b in analytics.ParityBy}:
        known = ", ".join(b.value for b in analytics.ParityBy)
        msg = f"cannot compute parity by {by!r} (known: {known})"
        raise InputError(msg, field="by")
    where = _filter(month=month, start=start, end=end, contributors=contributors, missions=missions)
    rows = _contributions(core)
    months = stored_months(core=core)
    _check_period(where, months)
    table = analytics.parity(rows, by=by, **_args(where))
    _require_rows(table, where, months)
    notes = tuple(sorted(set(table["target_note"].drop_nulls().to_list())))
    answer_chart = None
    if chart:
        from bluehelmet.analytics.charts import parity_chart

        answer_chart = parity_chart(table, top=top)
    return Answer(table, f"Gender parity by {by}", notes=notes, chart=answer_chart)


def fatalities(
    *,
    by: str | Sequence[str] = "mission",
    rates: bool = False,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Sequence[str] | None = None,
    missions: str | Sequence[str] | None = None,
    chart: bool = False,
    top: int = 8,
    core: Core | None = None,
) -> Answer:
    """Fatality counts by any keys, or rates per 1,000 personnel-years with exact intervals."""
    from bluehelmet import analytics
    from bluehelmet.services.data import fatalities as load_fatalities

    core = default_core(core)
    keys = [k.strip() for k in by.split(",")] if isinstance(by, str) else list(by)
    keys = [k for k in keys if k]
    from bluehelmet.analytics.fatalities import FATALITY_KEYS, RATE_KEYS, _keys

    _keys(keys, RATE_KEYS if rates else FATALITY_KEYS)
    where = _filter(start=start, end=end, contributors=contributors, missions=missions)
    deaths = load_fatalities(core=core)
    if deaths.is_empty():
        msg = (
            f"no fatalities are stored in {core.home}; import the UN Data Hub fatality file "
            "with `bluehelmet data import PATH...`"
        )
        raise NoDataError(msg)
    args = {k: v for k, v in _args(where).items() if k != "categories"}
    if rates:
        if len(keys) != 1:
            msg = "--rates takes one key in --by (mission, contributor or year)"
            raise InputError(msg, field="by")
        rows = _contributions(core, "contribution data (the strength rates divide by)")
        months = stored_months(core=core)
        _check_period(where, months, "personnel strengths")
        table = analytics.fatality_rates(deaths, rows, by=keys[0], **args)
        _require_rows(table, where, months)
    else:
        months = sorted(deaths["month"].unique().to_list())
        _check_period(where, months, "fatalities")
        table = analytics.fatality_counts(deaths, by=keys, **args)
        _require_rows(table, where, months)
    notes: tuple[str, ...] = ()
    latest = deaths["date"].max()
    partial = analytics.partial_period(table, keys, latest) if isinstance(latest, date) else None
    if partial is not None:
        notes += (partial,)
    if rates and table["small_exposure"].any():
        small = table.filter(pl.col("small_exposure"))[keys[0]].cast(pl.Utf8).to_list()
        notes += (
            "small exposure (under 1,000 personnel-years; read the interval, not the rate): "
            + ", ".join(small[:20])
            + (f" and {len(small) - 20} more" if len(small) > 20 else ""),
        )
    answer_chart = None
    if chart:
        from bluehelmet.analytics.charts import fatality_chart, rate_chart

        answer_chart = (
            rate_chart(table, key=keys[0], title="Fatalities per 1,000 personnel-years")
            if rates
            else fatality_chart(
                table,
                keys=keys,
                top=top,
                title="Peacekeeper fatalities",
                notes=(partial,) if partial else (),
            )
        )
    title = "Fatality rates" if rates else "Fatalities"
    return Answer(table, title, notes=notes, chart=answer_chart)


def locations(
    *,
    missions: str | Sequence[str] | None = None,
    month: date | str | None = None,
    start: date | str | None = None,
    end: date | str | None = None,
    chart: bool = False,
    core: Core | None = None,
) -> Answer:
    """Deployment locations (Geo-PKO) of missions in a month or period, with a map."""
    from bluehelmet.analytics.locations import deployment_locations

    core = default_core(core)
    where = _filter(month=month, start=start, end=end, missions=missions)
    stored = _scan("locations", core)
    if stored.select(pl.len()).collect().item() == 0:
        msg = (
            f"no deployment locations are stored in {core.home}; import the Geo-PKO file "
            "with `bluehelmet data import PATH...`"
        )
        raise NoDataError(msg)
    months = stored_months("locations", core=core)
    _check_period(where, months, "deployment maps")
    table = deployment_locations(stored, where)
    _require_rows(table, where, months)
    answer_map = None
    if chart:
        from bluehelmet.analytics.charts import locations_map

        answer_map = locations_map(table, title=f"Deployment locations, {where.describe()}")
    return Answer(table, "Deployment locations", map=answer_map)


def panel(
    kind: str,
    *,
    add: Sequence[str] = (),
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Sequence[str] | None = None,
    missions: str | Sequence[str] | None = None,
    core: Core | None = None,
) -> Any:
    """A balanced research panel with the additions asked for (``PANEL_ADDITIONS``)."""
    from bluehelmet import analytics

    core = default_core(core)
    where = _filter(start=start, end=end, contributors=contributors, missions=missions)
    rows = _contributions(core)
    months = stored_months(core=core)
    _check_period(where, months)
    for verb in add:
        name, _, arg = verb.partition(":")
        if name not in {"region", "council", "gender", "fatalities", "mandates", "org"} or (
            name == "org" and not arg
        ):
            known = ", ".join(PANEL_ADDITIONS)
            msg = f"unknown panel addition {verb!r} (known: {known})"
            raise InputError(msg, field="add")
    result = analytics.panel(kind, rows, **_args(where))
    if result.frame.is_empty():
        _require_rows(result.frame, where, months)
    for verb in add:
        name, _, arg = verb.partition(":")
        if name == "region":
            result = result.add_region()
        elif name == "council":
            result = result.add_council_seat()
        elif name == "gender":
            result = result.add_gender_share()
        elif name == "fatalities":
            from bluehelmet.services.data import fatalities as load_fatalities

            result = result.add_fatalities(load_fatalities(core=core))
        elif name == "mandates":
            result = result.add_mandates(_scan("mandates", core))
        else:
            from bluehelmet import reference

            result = result.add_org_membership(reference.organization(arg).code)
    return result


def save_chart(chart: Any, path: str | Path) -> Path:
    """Write an answer's chart to ``path`` (.png, .svg, .html or .json); returns the path."""
    from bluehelmet.analytics.charts import save_chart as _save

    return _save(chart, path)
