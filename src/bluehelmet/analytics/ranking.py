"""Monthly ranking of contributors, as the UN publishes it.

Ties are ranked as in the UN's published ranking (e.g. ``Rank_2021-01.csv``, where the two
contributors of one person each share rank 121): standard competition ranking, "1224" —
equal totals share the lowest rank, and the next rank skips the tied places.
Rows within a tie are ordered by ISO-3 code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from bluehelmet.analytics._coded import coded_rows
from bluehelmet.analytics._common import (
    ContributionFilter,
    Frame,
    check_columns,
    countries_frame,
    filter_rows,
    sum_where,
)
from bluehelmet.domain.months import month_end


def ranking(
    contributions: Frame,
    month: date | str,
    *,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    by_category: bool = False,
    countries: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Contributors ranked by uniformed personnel deployed in ``month``.

    Returns one row per contributor with ``rank``, ``iso3``, ``name``, ``female``, ``male``,
    ``unknown`` (no sex split in the source) and ``total``; with ``by_category`` also one
    column per personnel category present. ``countries`` (iso3, name) names the contributors;
    by default the reference registry does.
    """
    day = month_end(month)
    rows = filter_rows(contributions, start=day, end=day, missions=missions, categories=categories)
    coded = coded_rows(contributions)
    if coded is not None:
        where = ContributionFilter.of(start=day, end=day, missions=missions, categories=categories)
        by_sex = coded.cells(("contributor", "sex"), rows=coded.select(where), total="total")
        cells, sexes = by_sex.split_last("total", ("female", "male", "unknown"))
        dtype = coded.sum_dtype()
        table = pl.DataFrame(
            [
                cells.values("contributor"),
                *(pl.Series(sex, column).cast(dtype) for sex, column in sexes.items()),
                pl.Series("total", cells.sums["total"]).cast(dtype),
            ]
        ).lazy()
    else:
        sex = pl.col("sex")
        table = rows.group_by("contributor").agg(
            female=sum_where(sex == "female"),
            male=sum_where(sex == "male"),
            unknown=sum_where(sex == "unknown"),
            total=pl.col("count").sum(),
        )
    if by_category:
        per_category = (
            rows.group_by("contributor", "category")
            .agg(pl.col("count").sum())
            .collect()
            .pivot(on="category", index="contributor", values="count", sort_columns=True)
            .fill_null(0)
        )
        table = table.join(per_category.lazy(), on="contributor", how="left")
    table = (
        table.filter(pl.col("total") > 0)
        .with_columns(rank=pl.col("total").rank(method="min", descending=True).cast(pl.Int64))
        .rename({"contributor": "iso3"})
    )
    names = _names(countries)
    table = table.join(names, on="iso3", how="left").with_columns(
        pl.col("name").fill_null(pl.col("iso3"))
    )
    first = ["rank", "iso3", "name", "female", "male", "unknown", "total"]
    result = table.collect()
    rest = [c for c in result.columns if c not in first]
    return result.select(first + rest).sort("rank", "iso3")


def _names(countries: pl.DataFrame | None) -> pl.LazyFrame:
    frame = countries_frame() if countries is None else countries
    check_columns(frame, ("iso3", "name"), "countries frame")
    return frame.lazy().select("iso3", "name").unique("iso3")


def compare_with_official(
    contributions: Frame,
    official: pl.DataFrame,
    month: date | str,
) -> pl.DataFrame:
    """The computed ranking of ``month`` beside a published one, contributor by contributor.

    ``official`` holds the published ranking (columns ``month``, ``contributor``, ``rank``,
    ``female``, ``male``, ``total``; as stored from the UN ranking file). Returns one row per
    contributor in either, with ``rank`` / ``official_rank``, ``total`` / ``official_total``
    and ``matches`` (rank, female, male and total all equal).
    """
    day = month_end(month)
    check_columns(official, ("month", "contributor", "rank", "female", "male", "total"), "official")
    published = official.filter(pl.col("month") == day).select(
        iso3="contributor",
        official_rank="rank",
        official_female="female",
        official_male="male",
        official_total="total",
    )
    names = pl.DataFrame({"iso3": [], "name": []}, schema={"iso3": pl.Utf8, "name": pl.Utf8})
    computed = ranking(contributions, day, countries=names).select(
        "iso3", "rank", "female", "male", "total"
    )
    joined = computed.join(published, on="iso3", how="full", coalesce=True)
    same = (
        (pl.col("rank") == pl.col("official_rank"))
        & (pl.col("female") == pl.col("official_female"))
        & (pl.col("male") == pl.col("official_male"))
        & (pl.col("total") == pl.col("official_total"))
    )
    return joined.with_columns(matches=same.fill_null(False)).sort(
        ["official_rank", "rank", "iso3"], nulls_last=True
    )
