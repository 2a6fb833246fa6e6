"""Per mission and month: strength by category, contributors, largest share, regional share.

Where the contributor rows do not cover a mission-month, the mission totals (IPI's
``data_mission``, 1990 onward) give its strength by troops, police and observers; the
``source`` column says where each row's figures come from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from bluehelmet.analytics._common import (
    ContributionFilter,
    Frame,
    check_columns,
    countries_frame,
    filter_rows,
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
    rows = filter_rows(
        contributions,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    ).filter(pl.col("mission").is_not_null())
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
    answer = (
        totals.join(largest, on=["month", "mission"], how="left")
        .join(regional, on=["month", "mission"], how="left")
        .join(known_hosts.lazy(), on="mission", how="left")
        .with_columns(
            contributors=pl.col("contributors").fill_null(0),
            largest_share=pl.when(pl.col("total") > 0).then(pl.col("largest") / pl.col("total")),
            regional_share=pl.when(pl.col("known").fill_null(False) & (pl.col("total") > 0)).then(
                pl.col("regional") / pl.col("total")
            ),
        )
        .drop("largest", "regional", "known")
        .sort("mission", "month")
    )
    if "source" in rows.collect_schema().names():
        # the distinct (month, mission, source) first: joining strings per group is slow
        sources = (
            rows.select("month", "mission", "source")
            .unique()
            .group_by("month", "mission")
            .agg(source=pl.col("source").sort().str.join("|"))
        )
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
