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
from enum import StrEnum

import polars as pl

from bluehelmet.analytics._common import Frame, as_lazy, countries_frame, filter_rows
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


class BurdenBy(StrEnum):
    """How parties are grouped."""

    PARTY = "party"  # each state (ISO-3) and organization (code)
    REGION = "region"  # UN M49 region of a state; an organization stays on its own
    GROUP = "group"  # UN regional group of a state; an organization stays on its own


def _burden_by(by: BurdenBy | str) -> BurdenBy:
    try:
        return BurdenBy(by)
    except ValueError:
        known = ", ".join(b.value for b in BurdenBy)
        msg = f"cannot group burden sharing by {by!r} (known: {known})"
        raise InputError(msg, field="by") from None


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
    by: BurdenBy | str = BurdenBy.PARTY,
    countries: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Personnel and partnership support side by side, one row per party (or group).

    Columns: ``party`` (or the group), ``party_kind`` (``state``, ``organization`` or
    ``group``), the :data:`QUANTITIES` and, for each, ``<quantity>_share`` of its column's
    total (null when the total is zero). Rows are ordered by personnel, then partnership cost.
    ``countries`` (iso3, region, un_regional_group) tells states from organizations and groups
    them; it defaults to the reference registry.
    """
    grouping = _burden_by(by)
    rows = filter_rows(
        contributions,
        start=start,
        end=end,
        contributors=contributors,
        missions=missions,
        categories=categories,
    )
    personnel = rows.group_by(pl.col("contributor").alias("party")).agg(
        personnel_months=pl.col("count").sum().cast(pl.Int64)
    )
    support = offer_totals(offers, statuses=statuses)
    if countries is None:
        countries = countries_frame()
    missing = [c for c in ("iso3", "region", "un_regional_group") if c not in countries.columns]
    if missing:
        msg = f"countries frame lacks column(s) {', '.join(missing)}"
        raise InputError(msg, field=missing[0])
    states = countries.lazy().select(
        pl.col("iso3").alias("party"),
        pl.col("region"),
        pl.col("un_regional_group").alias("group"),
        pl.lit("state").alias("party_kind"),
    )
    joined = (
        personnel.join(support, on="party", how="full", coalesce=True)
        .join(states, on="party", how="left")
        .with_columns(
            party_kind=pl.col("party_kind").fill_null(
                pl.when(pl.col("personnel_months").fill_null(0) > 0)
                .then(pl.lit("state"))
                .otherwise(pl.lit("organization"))
            )
        )
    )
    quantities = [pl.col(q).fill_null(0) for q in QUANTITIES]
    joined = joined.with_columns(quantities)
    if grouping is not BurdenBy.PARTY:
        key = "region" if grouping is BurdenBy.REGION else "group"
        label = (
            pl.when(pl.col("party_kind") == "organization")
            .then(pl.col("party"))
            .otherwise(pl.col(key).fill_null(pl.lit("unknown")))
        )
        joined = (
            joined.with_columns(
                party=label,
                party_kind=pl.when(pl.col("party_kind") == "organization")
                .then(pl.lit("organization"))
                .otherwise(pl.lit("group")),
            )
            .group_by("party", "party_kind")
            .agg([pl.col(q).sum() for q in QUANTITIES])
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
