"""Burden sharing: shares of deployed personnel by contributor or group, concentration, trends.

Shares over a period are shares of person-months (the sum of the monthly strengths), so a
contributor that deployed 1,000 for six months weighs as much as one that deployed 500 for
twelve. ``average_personnel`` is person-months divided by the number of months in the period
that have any data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum

import polars as pl

from bluehelmet.analytics._coded import coded_rows
from bluehelmet.analytics._common import (
    ContributionFilter,
    Frame,
    check_columns,
    council_frame,
    countries_frame,
    memberships_frame,
)
from bluehelmet.errors import InputError


class ShareBy(StrEnum):
    """What personnel shares can be grouped by."""

    CONTRIBUTOR = "contributor"
    GROUP = "group"  # UN regional group
    REGION = "region"  # UN M49 geographic region
    SUBREGION = "subregion"
    INCOME = "income"  # World Bank income group, as the reference registry records it
    ORG = "org"  # members of an organization at that date versus others
    P5 = "p5"  # permanent members of the Security Council versus others
    COUNCIL = "council"  # Council members of that year versus others


def _share_by(by: ShareBy | str) -> ShareBy:
    try:
        return ShareBy(by)
    except ValueError:
        known = ", ".join(b.value for b in ShareBy)
        msg = f"cannot group shares by {by!r} (known: {known})"
        raise InputError(msg, field="by") from None


def contributor_months(
    contributions: Frame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
) -> pl.LazyFrame:
    """Personnel per month and contributor (columns month, contributor, personnel)."""
    where = ContributionFilter.of(
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    coded = coded_rows(contributions)
    if coded is not None:
        cells = coded.cells(("month", "contributor"), rows=coded.select(where), total="personnel")
        return cells.frame().lazy()
    return (
        where.apply(contributions)
        .group_by("month", "contributor")
        .agg(personnel=pl.col("count").sum())
    )


def with_group_key(
    monthly: pl.LazyFrame,
    by: ShareBy | str,
    *,
    org: str | None = None,
    countries: pl.DataFrame | None = None,
    memberships: pl.DataFrame | None = None,
    council: pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """``monthly`` (month, contributor, ...) with a ``key`` column naming its group."""
    by = _share_by(by)
    if by is ShareBy.CONTRIBUTOR:
        return monthly.with_columns(key=pl.col("contributor"))
    if by in (ShareBy.GROUP, ShareBy.REGION, ShareBy.SUBREGION, ShareBy.INCOME):
        column = {
            "group": "un_regional_group",
            "region": "region",
            "subregion": "subregion",
            "income": "income_group",
        }[by.value]
        frame = countries_frame() if countries is None else countries
        check_columns(frame, ("iso3", column), "countries frame")
        if frame[column].null_count() == frame.height:
            msg = f"the countries frame records no {column} for any country; cannot group by {by}"
            raise InputError(msg, field="by")
        lookup = frame.select(contributor="iso3", key=column).unique("contributor").lazy()
        return monthly.join(lookup, on="contributor", how="left").with_columns(
            pl.col("key").fill_null("unknown")
        )
    if by is ShareBy.ORG:
        if not org:
            msg = "grouping by org needs an organization code (e.g. org='AU')"
            raise InputError(msg, field="org")
        code = org.upper()
        frame = memberships_frame(code) if memberships is None else memberships
        check_columns(frame, ("organization", "iso3", "joined", "left"), "memberships frame")
        stints = frame.filter(pl.col("organization").str.to_uppercase() == code).select(
            contributor="iso3", joined="joined", left="left"
        )
        members = (
            monthly.select("month", "contributor")
            .unique()
            .join(stints.lazy(), on="contributor", how="inner")
            .filter(
                (pl.col("joined") <= pl.col("month"))
                & (pl.col("left").is_null() | (pl.col("month") < pl.col("left")))
            )
            .select("month", "contributor")
            .unique()
            .with_columns(key=pl.lit(code))
        )
        return monthly.join(members, on=["month", "contributor"], how="left").with_columns(
            pl.col("key").fill_null(f"not {code}")
        )
    years = (
        monthly.select(pl.col("month").dt.year().unique()).collect().to_series().to_list()
        if council is None
        else []
    )
    frame = council_frame(years) if council is None else council
    check_columns(frame, ("year", "iso3", "permanent"), "council frame")
    seats = frame.select(
        year=pl.col("year").cast(pl.Int32), contributor="iso3", permanent="permanent"
    )
    if by is ShareBy.P5:
        seats = seats.filter(pl.col("permanent")).with_columns(key=pl.lit("P5"))
        other = "others"
    else:
        seats = seats.with_columns(key=pl.lit("Council"))
        other = "non-members"
    return (
        monthly.with_columns(year=pl.col("month").dt.year().cast(pl.Int32))
        .join(
            seats.select("year", "contributor", "key").lazy(),
            on=["year", "contributor"],
            how="left",
        )
        .with_columns(pl.col("key").fill_null(other))
        .drop("year")
    )


def shares(
    contributions: Frame,
    *,
    by: ShareBy | str = ShareBy.CONTRIBUTOR,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    org: str | None = None,
    countries: pl.DataFrame | None = None,
    memberships: pl.DataFrame | None = None,
    council: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Share of personnel per group over the period, largest first.

    Columns: ``key``, ``person_months``, ``average_personnel``, ``share`` (0-1),
    ``contributors`` (distinct contributors in the group).
    """
    monthly = contributor_months(
        contributions,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    keyed = with_group_key(
        monthly, by, org=org, countries=countries, memberships=memberships, council=council
    )
    months = pl.col("month").n_unique()
    result = (
        keyed.with_columns(months=months)
        .group_by("key")
        .agg(
            person_months=pl.col("personnel").sum(),
            months=pl.col("months").first(),
            contributors=pl.col("contributor").n_unique(),
        )
        .with_columns(
            average_personnel=pl.col("person_months") / pl.col("months"),
            share=pl.col("person_months") / pl.col("person_months").sum(),
        )
        .select("key", "person_months", "average_personnel", "share", "contributors")
        .sort(["person_months", "key"], descending=[True, False])
    )
    return result.collect()


def share_trends(
    contributions: Frame,
    *,
    by: ShareBy | str = ShareBy.CONTRIBUTOR,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    org: str | None = None,
    countries: pl.DataFrame | None = None,
    memberships: pl.DataFrame | None = None,
    council: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Shares per calendar year and group, with year-on-year changes.

    Columns: ``year``, ``key``, ``average_personnel`` (person-months / months with data in
    that year), ``share``, ``share_change`` (in share points against the previous year,
    null for the first year) and ``growth`` (relative change of ``average_personnel``).
    """
    monthly = contributor_months(
        contributions,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    keyed = with_group_key(
        monthly, by, org=org, countries=countries, memberships=memberships, council=council
    ).with_columns(year=pl.col("month").dt.year().cast(pl.Int32))
    months = keyed.group_by("year").agg(months=pl.col("month").n_unique())
    per_year = (
        keyed.group_by("year", "key")
        .agg(person_months=pl.col("personnel").sum())
        .join(months, on="year")
        .with_columns(
            average_personnel=pl.col("person_months") / pl.col("months"),
            share=pl.col("person_months") / pl.col("person_months").sum().over("year"),
        )
        .collect()
    )
    # complete the year x key grid so that a group absent one year shows a share of 0
    grid = per_year.select("year").unique().join(per_year.select("key").unique(), how="cross")
    full = (
        grid.join(per_year, on=["year", "key"], how="left")
        .with_columns(
            pl.col("average_personnel").fill_null(0.0),
            pl.col("share").fill_null(0.0),
        )
        .sort("key", "year")
        .with_columns(
            share_change=(pl.col("share") - pl.col("share").shift(1)).over("key"),
            previous=pl.col("average_personnel").shift(1).over("key"),
            previous_year=pl.col("year").shift(1).over("key"),
        )
        .with_columns(
            share_change=pl.when(pl.col("previous_year") == pl.col("year") - 1).then(
                pl.col("share_change")
            ),
            growth=pl.when(
                (pl.col("previous_year") == pl.col("year") - 1) & (pl.col("previous") > 0)
            ).then(pl.col("average_personnel") / pl.col("previous") - 1.0),
        )
    )
    return full.select("year", "key", "average_personnel", "share", "share_change", "growth").sort(
        ["year", "share"], descending=[False, True]
    )


def _concentration_of(values: pl.Expr) -> list[pl.Expr]:
    total = values.sum()
    share = values / total
    ordered = values.sort()
    n = values.len()
    ranks = pl.int_range(1, n + 1, dtype=pl.Int64)
    gini = (2.0 * (ranks * ordered).sum()) / (n * total) - (n + 1) / n
    top = values.sort(descending=True)
    return [
        n.alias("contributors"),
        total.alias("personnel"),
        (share**2).sum().alias("hhi"),
        (top.head(5).sum() / total).alias("top5_share"),
        (top.head(10).sum() / total).alias("top10_share"),
        gini.alias("gini"),
    ]


def concentration(
    contributions: Frame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    per_month: bool = False,
) -> pl.DataFrame:
    """Concentration of personnel among contributors: HHI, top-5/top-10 shares, Gini.

    ``hhi`` is the Herfindahl-Hirschman index on the 0-1 scale (sum of squared shares;
    multiply by 10,000 for the antitrust convention). ``gini`` is over the contributors
    with personnel (0 = equal, towards 1 = one contributor deploys all). Over the period
    the contributors' person-months are compared; ``per_month`` gives one row per month.
    """
    monthly = contributor_months(
        contributions,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    ).filter(pl.col("personnel") > 0)
    if per_month:
        return (
            monthly.group_by("month")
            .agg(_concentration_of(pl.col("personnel").cast(pl.Float64)))
            .sort("month")
            .collect()
        )
    totals = monthly.group_by("contributor").agg(pl.col("personnel").sum())
    return totals.select(_concentration_of(pl.col("personnel").cast(pl.Float64))).collect()
