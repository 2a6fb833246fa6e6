"""Burden sharing beyond troops: personnel beside training, equipment, lift and funding.

``burden_sharing`` puts side by side, per state or organization (a "party"), the personnel it
contributed (person-months of the contribution rows, as :mod:`bluehelmet.analytics.shares`
counts them) and what its partnership offers give: training seats, equipment, strategic lift,
funding and intelligence. Each quantity is also a share of its column's total.

Offers come as a frame with the columns of an offers table (``partner``, ``kind``,
``capacity``, ``unit``, and optionally ``status`` and ``cost_usd``); see
``bluehelmet.forcegen.partnerships.OFFER_COLUMNS``. Only offers whose status is in
``statuses`` count (by default accepted and delivered: an offer merely made is not yet a
burden carried). Quantities are added only within one unit: training in ``seats``, lift in
``flight_hours``, funding in ``USD``; equipment is counted in offers and in ``cost_usd``
(equipment comes in many units). Pure functions: frames in, frames out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import polars as pl

from bluehelmet.analytics._common import Frame, as_lazy, check_columns, countries_frame
from bluehelmet.analytics.shares import ShareBy, _share_by, contributor_months, with_group_key
from bluehelmet.domain.months import month_end
from bluehelmet.errors import InputError

#: Columns an offers frame must have.
OFFER_REQUIRED = ("partner", "kind", "capacity", "unit")
#: Offer statuses counted by default.
COUNTED_STATUSES = ("accepted", "delivered")
KINDS = ("training", "equipment", "funding", "logistics", "intelligence")

#: Quantity columns of the result, in order.
QUANTITIES = (
    "personnel_months",
    "training_seats",
    "equipment_offers",
    "equipment_usd",
    "lift_flight_hours",
    "funding_usd",
    "intelligence_offers",
    "partnership_cost_usd",
)


def offer_totals(
    offers: Frame, *, statuses: Iterable[str] | None = COUNTED_STATUSES
) -> pl.LazyFrame:
    """Per partner: training seats, equipment offers and USD, lift hours, funding, intelligence
    offers and the offers' cost (columns ``party`` and the offer columns of ``QUANTITIES``)."""
    lazy = as_lazy(offers, OFFER_REQUIRED, "offers frame")
    names = lazy.collect_schema().names()
    if statuses is not None:
        wanted = [s.strip().lower() for s in statuses]
        if "status" not in names:
            msg = "offers frame lacks column status (give statuses=None to count every offer)"
            raise InputError(msg, field="status")
        lazy = lazy.filter(pl.col("status").cast(pl.Utf8).str.to_lowercase().is_in(wanted))
    cost = pl.col("cost_usd").cast(pl.Float64).fill_null(0.0) if "cost_usd" in names else None
    lazy = lazy.with_columns(
        kind=pl.col("kind").cast(pl.Utf8).str.to_lowercase(),
        unit=pl.col("unit").cast(pl.Utf8),
        capacity=pl.col("capacity").cast(pl.Float64),
        cost=cost if cost is not None else pl.lit(0.0),
    )

    def amount(kind: str, unit: str | None = None) -> pl.Expr:
        cond = pl.col("kind") == kind
        if unit is not None:
            cond &= pl.col("unit").str.to_lowercase() == unit.lower()
        return pl.when(cond).then(pl.col("capacity")).otherwise(0.0).sum()

    def count(kind: str) -> pl.Expr:
        return (pl.col("kind") == kind).sum().cast(pl.Int64)

    return lazy.group_by(pl.col("partner").cast(pl.Utf8).alias("party")).agg(
        training_seats=amount("training", "seats"),
        equipment_offers=count("equipment"),
        equipment_usd=pl.when(pl.col("kind") == "equipment")
        .then(pl.col("cost"))
        .otherwise(0.0)
        .sum(),
        lift_flight_hours=amount("logistics", "flight_hours"),
        funding_usd=amount("funding", "USD"),
        intelligence_offers=count("intelligence"),
        partnership_cost_usd=pl.col("cost").sum(),
    )


def burden_sharing(
    contributions: Frame,
    offers: Frame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
    statuses: Iterable[str] | None = COUNTED_STATUSES,
    by: ShareBy | str = ShareBy.CONTRIBUTOR,
    org: str | None = None,
    on: date | str | None = None,
    countries: pl.DataFrame | None = None,
    memberships: pl.DataFrame | None = None,
    council: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Personnel and partnership support side by side, one row per party or group.

    ``by`` groups states as the personnel shares do (:class:`~bluehelmet.analytics.shares.
    ShareBy`: ``contributor`` for one row per state, ``group``, ``region``, ``subregion``,
    ``income``, ``org`` with ``org='AU'``, ``p5``, ``council``); personnel is grouped month by
    month, offers at the date ``on`` (default: ``end``, else the last month with personnel,
    else today). Organizations (partners that are not states of the countries frame) always
    keep a row of their own.

    Columns: ``party`` (a state, organization or group), ``party_kind`` (``state``,
    ``organization`` or ``group``), the :data:`QUANTITIES` and, for each, ``<quantity>_share``
    of its column's total (null when the total is zero). Rows are ordered by personnel, then
    partnership cost. The reference frames (``countries`` with iso3, ``memberships``,
    ``council``) default to the registry.
    """
    grouping = _share_by(by)
    monthly = contributor_months(
        contributions,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    support = offer_totals(offers, statuses=statuses)
    if countries is None:
        countries = countries_frame()
    check_columns(countries, ("iso3",), "countries frame")
    states = set(countries["iso3"].to_list())
    if on is None:
        last = monthly.select(pl.col("month").max()).collect().item()
        day = month_end(end) if end is not None else (last or date.today())
    else:
        day = month_end(on)
    support = support.with_columns(
        party_kind=pl.when(pl.col("party").is_in(list(states)))
        .then(pl.lit("state"))
        .otherwise(pl.lit("organization"))
    )

    def keyed(frame: pl.LazyFrame) -> pl.LazyFrame:
        out = with_group_key(
            frame, grouping, org=org, countries=countries, memberships=memberships, council=council
        )
        if grouping is ShareBy.ORG and org:
            # members as a group, apart from the organization's own row
            code = org.upper()
            out = out.with_columns(
                key=pl.when(pl.col("key") == code)
                .then(pl.lit(f"{code} members"))
                .otherwise(pl.col("key"))
            )
        return out

    if grouping is ShareBy.CONTRIBUTOR:
        people = monthly.group_by(pl.col("contributor").alias("party")).agg(
            personnel_months=pl.col("personnel").sum().cast(pl.Int64)
        )
        given = support
    else:
        people = (
            keyed(monthly)
            .group_by(pl.col("key").alias("party"))
            .agg(personnel_months=pl.col("personnel").sum().cast(pl.Int64))
        )
        by_state = keyed(
            support.filter(pl.col("party_kind") == "state").with_columns(
                month=pl.lit(day), contributor=pl.col("party")
            )
        ).with_columns(party=pl.col("key"), party_kind=pl.lit("group"))
        given = (
            pl.concat(
                [
                    by_state.select(support.collect_schema().names()),
                    support.filter(pl.col("party_kind") == "organization"),
                ]
            )
            .group_by("party", "party_kind")
            .agg([pl.col(q).sum() for q in QUANTITIES[1:]])
        )
    joined = people.join(given, on="party", how="full", coalesce=True).with_columns(
        [pl.col(q).fill_null(0) for q in QUANTITIES]
    )
    joined = joined.with_columns(
        party_kind=pl.col("party_kind").fill_null(
            pl.lit("state" if grouping is ShareBy.CONTRIBUTOR else "group")
        )
    )
    out = joined.select("party", "party_kind", *QUANTITIES).with_columns(
        [
            pl.when(pl.col(q).sum() > 0)
            .then(pl.col(q) / pl.col(q).sum())
            .otherwise(None)
            .cast(pl.Float64)
            .alias(f"{q}_share")
            for q in QUANTITIES
        ]
    )
    return out.sort(
        ["personnel_months", "partnership_cost_usd", "party"],
        descending=[True, True, False],
    ).collect()
