"""Shared parts of the analytics: frame checks, the common filters, reference frames.

Every analytics function takes the normalized contribution rows
(``bluehelmet.domain.contributions.CONTRIBUTION_COLUMNS``) as a polars DataFrame or LazyFrame
and the same filter parameters: ``start`` / ``end`` (months, inclusive), ``contributors``,
``missions`` and ``categories``. Reference facts (countries, memberships, Council seats,
mission hosts) come in as small frames too; when omitted they are built from
``bluehelmet.reference``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import polars as pl

from bluehelmet.domain.months import month_end
from bluehelmet.domain.registry import PersonnelCategory
from bluehelmet.errors import InputError

Frame = pl.DataFrame | pl.LazyFrame

#: Columns every analytics function needs from the contribution rows.
REQUIRED_COLUMNS = ("month", "contributor", "mission", "category", "sex", "count")

COUNTRY_COLUMNS = (
    "iso3",
    "name",
    "m49",
    "un_regional_group",
    "region",
    "subregion",
    "income_group",
)
MEMBERSHIP_COLUMNS = ("organization", "iso3", "joined", "left")
COUNCIL_COLUMNS = ("year", "iso3", "permanent")
MISSION_COLUMNS = ("acronym", "hosts")


def as_lazy(
    frame: Frame, required: Sequence[str] = REQUIRED_COLUMNS, what: str = "frame"
) -> pl.LazyFrame:
    """``frame`` as a LazyFrame, after checking it has the ``required`` columns."""
    lazy = frame.lazy() if isinstance(frame, pl.DataFrame) else frame
    names = lazy.collect_schema().names()
    missing = [c for c in required if c not in names]
    if missing:
        msg = f"{what} lacks column(s) {', '.join(missing)} (has {', '.join(names)})"
        raise InputError(msg, field=missing[0])
    return lazy


def sum_where(condition: pl.Expr, column: str = "count") -> pl.Expr:
    """Sum of ``column`` over the rows where ``condition`` holds (faster than a filter)."""
    return pl.when(condition).then(pl.col(column)).otherwise(0).sum()


def _names(values: str | Iterable[str] | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    return list(values)


def filter_rows(
    frame: Frame,
    *,
    start: date | str | None = None,
    end: date | str | None = None,
    contributors: str | Iterable[str] | None = None,
    missions: str | Iterable[str] | None = None,
    categories: str | Iterable[str] | None = None,
) -> pl.LazyFrame:
    """The contribution rows that match the common filters (all inclusive), lazily."""
    lazy = as_lazy(frame, what="contribution rows")
    conditions: list[pl.Expr] = []
    if start is not None:
        conditions.append(pl.col("month") >= month_end(start).replace(day=1))
    if end is not None:
        conditions.append(pl.col("month") <= month_end(end))
    if (names := _names(contributors)) is not None:
        conditions.append(pl.col("contributor").is_in([n.upper() for n in names]))
    if (names := _names(missions)) is not None:
        conditions.append(pl.col("mission").is_in([n.upper() for n in names]))
    if (names := _names(categories)) is not None:
        known = {c.value for c in PersonnelCategory}
        for name in names:
            if name not in known:
                msg = f"unknown personnel category {name!r} (known: {', '.join(sorted(known))})"
                raise InputError(msg, field="category")
        conditions.append(pl.col("category").is_in(names))
    if conditions:
        lazy = lazy.filter(pl.all_horizontal(conditions))
    return lazy


def check_columns(frame: pl.DataFrame, required: Sequence[str], what: str) -> pl.DataFrame:
    """``frame`` unchanged, after checking it has the ``required`` columns."""
    missing = [c for c in required if c not in frame.columns]
    if missing:
        msg = f"{what} lacks column(s) {', '.join(missing)} (has {', '.join(frame.columns)})"
        raise InputError(msg, field=missing[0])
    return frame


# --- reference frames, built from bluehelmet.reference when the caller gives none -----------


def countries_frame() -> pl.DataFrame:
    """One row per country of the reference registry: codes, name, group, region."""
    from bluehelmet import reference

    rows = [
        {
            "iso3": c.iso3,
            "name": c.name,
            "m49": c.m49,
            "un_regional_group": str(c.un_regional_group) if c.un_regional_group else None,
            "region": c.region,
            "subregion": c.subregion,
            "income_group": c.income_group,
        }
        for c in reference.countries()
    ]
    schema = {
        "iso3": pl.Utf8,
        "name": pl.Utf8,
        "m49": pl.Int64,
        "un_regional_group": pl.Utf8,
        "region": pl.Utf8,
        "subregion": pl.Utf8,
        "income_group": pl.Utf8,
    }
    return pl.DataFrame(rows, schema=schema)


def memberships_frame(org: str | None = None) -> pl.DataFrame:
    """Memberships of the reference registry (all, or of one organization) as a frame."""
    from bluehelmet import reference

    rows = [
        {"organization": m.organization, "iso3": m.iso3, "joined": m.joined, "left": m.left}
        for m in reference.memberships(org)
    ]
    schema = {"organization": pl.Utf8, "iso3": pl.Utf8, "joined": pl.Date, "left": pl.Date}
    return pl.DataFrame(rows, schema=schema)


def council_frame(years: Iterable[int]) -> pl.DataFrame:
    """Security Council seats of the given years as a frame (year, iso3, permanent)."""
    from bluehelmet import reference

    rows = [
        {"year": s.year, "iso3": s.iso3, "permanent": s.permanent}
        for year in sorted(set(years))
        for s in reference.council(year)
    ]
    schema = {"year": pl.Int32, "iso3": pl.Utf8, "permanent": pl.Boolean}
    return pl.DataFrame(rows, schema=schema)


def missions_frame() -> pl.DataFrame:
    """Missions of the reference registry as a frame (acronym, name, lead, hosts)."""
    from bluehelmet import reference

    rows = [
        {"acronym": m.acronym, "name": m.name, "lead": m.lead, "hosts": list(m.hosts)}
        for m in reference.missions()
    ]
    schema = pl.Schema(
        {
            "acronym": pl.String(),
            "name": pl.String(),
            "lead": pl.String(),
            "hosts": pl.List(pl.String()),
        }
    )
    return pl.DataFrame(rows, schema=schema)
