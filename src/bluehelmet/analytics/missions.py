"""Per mission and month: strength by category, contributors, largest share, regional share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from bluehelmet.analytics._common import (
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
) -> pl.DataFrame:
    """One row per mission and month.

    Columns: ``month``, ``mission``, ``total``, ``female``, one column per personnel category
    present, ``contributors`` (with personnel > 0), ``largest_contributor``, ``largest_share``
    and ``regional_share``: the share of personnel from contributors in the geographic region
    (UN M49) of one of the mission's host states; null where the hosts are not known.
    Rows without a mission (contributor totals) are left out.
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
    result = (
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
        .collect()
    )
    first = ["month", "mission", "total", "female", *categories_present]
    rest = [c for c in result.columns if c not in first]
    return result.select(first + rest)
