"""Per mission and month: strength by category, contributors, largest share, regional share.

Where the contributor rows do not cover a mission-month, the mission totals (IPI's
``data_mission``, 1990 onward) give its strength by troops, police and observers; the
``source`` column says where each row's figures come from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from bluehelmet.analytics._coded import Cells, CodedRows, Rows, coded_rows
from bluehelmet.analytics._common import (
    ContributionFilter,
    Frame,
    check_columns,
    countries_frame,
    missions_frame,
    sum_where,
)


def mission_months(
    contributions: Frame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    countries: pl.DataFrame | None = None,
    mission_hosts: pl.DataFrame | None = None,
    mission_totals: Frame | None = None,
    mandates: Frame | None = None,
) -> pl.DataFrame:
    """One row per mission and month.

    Columns: ``month``, ``mission``, ``total``, ``female``, one column per personnel category
    present, ``contributors`` (with personnel > 0), ``largest_contributor``, ``largest_share``
    and ``regional_share``: the share of personnel from contributors in the geographic region
    (UN M49) of one of the mission's host states; null where the hosts are not known.
    Rows without a mission (contributor totals) are left out.

    ``mission_totals`` (month, mission, troops, police, observers, total, contributors,
    source) fill the mission-months the contributor rows do not cover, when no contributor
    or category filter is given (the totals are not split by them). ``source`` names the
    dataset of each row. ``mandates`` (TAMM rows) add ``mandate_resolution`` and
    ``mandate_tasks`` of the month.
    """
    where = ContributionFilter.of(
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    hosts = missions_frame() if mission_hosts is None else mission_hosts
    check_columns(hosts, ("acronym", "hosts"), "mission hosts frame")
    places = countries_frame() if countries is None else countries
    check_columns(places, ("iso3", "region"), "countries frame")
    region_of = places.select("iso3", "region").unique("iso3")
    host_regions = (
        hosts.select(mission="acronym", iso3="hosts")
        .explode("iso3")
        .join(region_of, on="iso3", how="inner")
        .select("mission", "region")
        .drop_nulls()
        .unique()
    )
    known_hosts = host_regions.select("mission").unique().with_columns(known=pl.lit(True))
    coded = coded_rows(contributions)
    if coded is not None:
        categories_present, result = _coded_answer(coded, where, region_of, host_regions)
    else:
        rows = where.apply(contributions).filter(pl.col("mission").is_not_null())
        categories_present, totals, largest, regional = _parts(rows, region_of, host_regions)
        answer = (
            totals.join(largest, on=["month", "mission"], how="left")
            .join(regional, on=["month", "mission"], how="left")
            .join(known_hosts.lazy(), on="mission", how="left")
            .with_columns(
                contributors=pl.col("contributors").fill_null(0),
                largest_share=pl.when(pl.col("total") > 0).then(
                    pl.col("largest") / pl.col("total")
                ),
                regional_share=pl.when(
                    pl.col("known").fill_null(False) & (pl.col("total") > 0)
                ).then(pl.col("regional") / pl.col("total")),
            )
            .drop("largest", "regional", "known")
            .sort("mission", "month")
        )
        if "source" in rows.collect_schema().names():
            sources = _sources(rows.select("month", "mission", "source").unique())
            collected, found = pl.collect_all([answer, sources])
            result = collected.join(found, on=["month", "mission"], how="left")
        else:
            result = answer.collect().with_columns(source=pl.lit("contributions"))
    first = ["month", "mission", "source", "total", "female", *categories_present]
    rest = [c for c in result.columns if c not in first]
    result = result.select(first + rest)
    if mission_totals is not None and contributors is None and categories is None:
        result = _with_totals(result, mission_totals, start=start, end=end, missions=missions)
    if mandates is not None:
        result = _with_mandates(result, mandates)
    return result.sort("mission", "month")


def _sources(unique: pl.LazyFrame) -> pl.LazyFrame:
    """The sources of each mission-month, joined with ``|``, from the distinct
    (month, mission, source) (joining strings per group of every row is slow)."""
    return unique.group_by("month", "mission").agg(source=pl.col("source").sort().str.join("|"))


def _parts(
    rows: pl.LazyFrame, region_of: pl.DataFrame, host_regions: pl.DataFrame
) -> tuple[list[str], pl.LazyFrame, pl.LazyFrame, pl.LazyFrame]:
    """Categories present, totals, largest contributor and regional personnel per
    mission-month, by polars group-bys of the rows."""
    per_contributor = (
        rows.group_by("month", "mission", "contributor")
        .agg(personnel=pl.col("count").sum())
        .filter(pl.col("personnel") > 0)
    )
    categories_present = sorted(
        rows.select(pl.col("category").unique()).collect().to_series().drop_nulls().to_list()
    )
    count = pl.col("count")
    totals = rows.group_by("month", "mission").agg(
        count.sum().alias("total"),
        sum_where(pl.col("sex") == "female").alias("female"),
        *[sum_where(pl.col("category") == c).alias(c) for c in categories_present],
    )
    largest = per_contributor.group_by("month", "mission").agg(
        contributors=pl.len(),
        largest_contributor=pl.col("contributor")
        .sort_by(["personnel", "contributor"], descending=[True, False])
        .first(),
        largest=pl.col("personnel").max(),
    )
    regional = (
        per_contributor.join(
            region_of.lazy().rename({"iso3": "contributor"}), on="contributor", how="left"
        )
        .join(
            host_regions.lazy().with_columns(home=pl.lit(True)),
            on=["mission", "region"],
            how="left",
        )
        .group_by("month", "mission")
        .agg(regional=pl.col("personnel").filter(pl.col("home").fill_null(False)).sum())
    )
    return categories_present, totals, largest, regional


def _coded_answer(
    coded: CodedRows,
    where: ContributionFilter,
    region_of: pl.DataFrame,
    host_regions: pl.DataFrame,
) -> tuple[list[str], pl.DataFrame]:
    """The categories present and the answer (as the polars path gives it, before the
    mission totals and mandates), from the coded rows: bincounts over the key codes, one
    row per mission-month cell in (mission, month) order, no joins."""
    rows = coded.select(where, not_null=("mission",))
    dtype = coded.sum_dtype()
    by_sex = coded.cells(("mission", "month", "category", "sex"), rows=rows, total="total")
    by_category, female = by_sex.split_last("total", ("female",))
    by_category.sums.update(female)
    per_cell, cell_of = by_category.rollup(2)
    n = len(per_cell.flat)
    category = coded.key("category")
    codes = by_category.codes("category")
    present = np.unique(codes)
    categories_present = [
        str(v) for v in category.values.gather(present).to_list() if v is not None
    ]
    columns = [
        *(per_cell.values(k) for k in ("month", "mission")),
        pl.Series("total", per_cell.sums["total"]).cast(dtype),
        pl.Series("female", per_cell.sums["female"]).cast(dtype),
    ]
    for name in categories_present:
        hit = codes == category.code_of(name)
        column = np.zeros(n)
        column[cell_of[hit]] = by_category.sums["total"][hit]
        columns.append(pl.Series(name, column).cast(dtype))

    # contributors with personnel > 0: how many, the largest, those of a host's region
    per_contributor = coded.cells(("mission", "month", "contributor"), rows=rows, total="p")
    per_contributor = per_contributor.select(per_contributor.sums["p"] > 0)
    deployed, group = per_contributor.rollup(2)
    at = np.searchsorted(per_cell.flat, deployed.flat)
    personnel = per_contributor.sums["p"]
    contributor = per_contributor.codes("contributor")
    contributors = np.zeros(n, dtype=np.int64)
    largest = np.zeros(n)
    largest_code = np.full(n, -1, dtype=np.int64)
    regional = np.zeros(n)
    if len(group):
        contributors[at] = np.bincount(group, minlength=len(at))
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        most = np.maximum.reduceat(personnel, starts)
        largest[at] = most
        # the largest personnel, ties to the first contributor (codes are in sorted order)
        best = np.flatnonzero(personnel == most[group])
        first = best[np.r_[True, group[best][1:] != group[best][:-1]]]
        largest_code[at] = contributor[first]
        home = _home(coded, region_of, host_regions)[per_contributor.codes("mission"), contributor]
        regional[at] = np.bincount(group, weights=personnel * home, minlength=len(at))
    names = coded.key("contributor").values
    known = set(host_regions["mission"].to_list())
    hosted = np.array([m in known for m in coded.key("mission").values.to_list()], dtype=bool)
    total = per_cell.sums["total"]
    with np.errstate(divide="ignore", invalid="ignore"):
        largest_share = np.where(total > 0, largest / total, np.nan)
        regional_share = np.where(
            hosted[per_cell.codes("mission")] & (total > 0), regional / total, np.nan
        )
    columns += [
        pl.Series("contributors", contributors).cast(pl.get_index_type()),
        names.gather(pl.Series(largest_code).set(pl.Series(largest_code < 0), None)).rename(
            "largest_contributor"
        ),
        pl.Series("largest_share", largest_share).fill_nan(None),
        pl.Series("regional_share", regional_share).fill_nan(None),
    ]
    if "source" in coded.frame.columns:
        columns.append(_coded_sources(coded, rows, per_cell))
    else:
        columns.append(pl.repeat("contributions", n, eager=True).rename("source"))
    return categories_present, pl.DataFrame(columns)


def _coded_sources(coded: CodedRows, rows: Rows, per_cell: Cells) -> pl.Series:
    """The sources of each mission-month cell, sorted and joined with ``|``."""
    source = coded.key("source")
    cells = coded.cells(("mission", "month", "source"), rows=rows)
    sources, group = cells.rollup(2)
    codes = cells.codes("source")
    if source.size > 62 or source.code_of(None) is not None:
        unique = cells.frame({}).lazy()
        found = _sources(unique).collect()
        keys = per_cell.frame({})
        return keys.join(found, on=["month", "mission"], how="left", maintain_order="left")[
            "source"
        ]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if len(group) else group
    bits = np.bitwise_or.reduceat(np.left_shift(1, codes), starts) if len(group) else group
    names = source.values.to_list()
    kinds, which = np.unique(bits, return_inverse=True)
    joined = ["|".join(names[i] for i in range(source.size) if int(k) >> i & 1) for k in kinds]
    out = np.empty(len(per_cell.flat), dtype=np.int64)
    out[np.searchsorted(per_cell.flat, sources.flat)] = which
    return pl.Series("source", joined, dtype=pl.String).gather(out)


def _home(
    coded: CodedRows, region_of: pl.DataFrame, host_regions: pl.DataFrame
) -> npt.NDArray[np.bool_]:
    """Mission code x contributor code: whether the contributor is of a host's region."""
    missions = coded.key("mission").values
    contributors = coded.key("contributor").values
    regions = sorted(set(host_regions["region"].to_list()))
    region_code = {r: i for i, r in enumerate(regions)}
    of = dict(zip(region_of["iso3"].to_list(), region_of["region"].to_list(), strict=True))
    contributor_region = np.array(
        [region_code.get(of.get(c), -1) if c is not None else -1 for c in contributors.to_list()],
        dtype=np.int64,
    )
    mission_regions = np.zeros((missions.len(), len(regions) + 1), dtype=np.bool_)
    index = {m: i for i, m in enumerate(missions.to_list())}
    for mission, region in host_regions.select("mission", "region").iter_rows():
        if mission in index:
            mission_regions[index[mission], region_code[region]] = True
    # column -1 (no region) stays false
    return mission_regions[:, contributor_region]


def _with_totals(
    result: pl.DataFrame,
    mission_totals: Frame,
    *,
    start: date | str | None,
    end: date | str | None,
    missions: str | Iterable[str] | None,
) -> pl.DataFrame:
    """``result`` plus the mission-months only the mission totals cover."""
    where = ContributionFilter.of(start=start, end=end, missions=missions)
    lazy = mission_totals.lazy() if isinstance(mission_totals, pl.DataFrame) else mission_totals
    names = lazy.collect_schema().names()
    check_columns(lazy.head(0).collect(), ("month", "mission", "total"), "mission totals")
    conditions = where.conditions()
    if conditions:
        lazy = lazy.filter(pl.all_horizontal(conditions))
    columns = [c for c in ("troops", "police", "observers") if c in names]
    totals = (
        lazy.select(
            "month",
            "mission",
            *columns,
            source=pl.col("source") if "source" in names else pl.lit("mission_totals"),
            total=pl.col("total"),
            contributors=pl.col("contributors") if "contributors" in names else pl.lit(None),
        )
        .collect()
        .join(result.select("month", "mission"), on=["month", "mission"], how="anti")
    )
    if totals.is_empty():
        return result
    return pl.concat([result, totals], how="diagonal_relaxed")


def _with_mandates(result: pl.DataFrame, mandates: Frame) -> pl.DataFrame:
    """``result`` with the mission-month's governing resolution and number of tasks (TAMM)."""
    lazy = mandates.lazy() if isinstance(mandates, pl.DataFrame) else mandates
    coded = (
        lazy.select(
            "mission",
            pl.col("month").dt.month_end(),
            mandate_resolution=pl.col("resolution"),
            mandate_tasks=pl.col("tasks").list.len().cast(pl.Int64),
        )
        .unique(["mission", "month"], keep="first")
        .collect()
    )
    return result.join(coded, on=["mission", "month"], how="left")
