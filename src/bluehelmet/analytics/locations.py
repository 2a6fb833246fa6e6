"""Deployment locations of missions (Geo-PKO): where units stood, by size and contributor.

Geo-PKO codes each UN deployment map: one row per location and map, with the troops shown
there and the contributors named. Maps are not monthly, so over a period each mission's
latest map in the period is taken (two maps of one mission are never added up).
"""

from __future__ import annotations

import polars as pl

from bluehelmet.analytics._common import ContributionFilter, Frame, check_columns


def _iso3(names: list[str] | None) -> list[str]:
    """ISO-3 codes of the contributor names the map gives (names the registry does not know
    are kept as written)."""
    from bluehelmet import reference

    out: list[str] = []
    for name in names or []:
        found = reference.find_country(name)
        out.append(found.iso3 if found is not None else name)
    return out


def deployment_locations(locations: Frame, where: ContributionFilter) -> pl.DataFrame:
    """The locations of each mission's latest map within ``where`` (period and missions).

    Columns: ``mission``, ``month`` (of the map), ``location``, ``country``, ``latitude``,
    ``longitude``, ``troops`` (null where the map gives no figure), ``contributors``
    (ISO-3 codes, or the name as written where the registry does not know it),
    ``contributor_count`` and ``map_source``. Locations without coordinates are left out.
    """
    lazy = locations.lazy() if isinstance(locations, pl.DataFrame) else locations
    required = ("mission", "month", "location", "latitude", "longitude", "troops")
    check_columns(lazy.head(0).collect(), required, "locations")
    conditions = ContributionFilter(
        start=where.start, end=where.end, missions=where.missions
    ).conditions()
    if conditions:
        lazy = lazy.filter(pl.all_horizontal(conditions))
    frame = lazy.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    latest = frame.group_by("mission").agg(pl.col("month").max())
    picked = frame.join(latest, on=["mission", "month"], how="inner").collect()
    names = (
        picked["contributor_names"].to_list()
        if "contributor_names" in picked.columns
        else [[] for _ in range(picked.height)]
    )
    codes = [_iso3(n) for n in names]
    result = picked.with_columns(
        contributors=pl.Series(codes, dtype=pl.List(pl.Utf8)),
        contributor_count=pl.Series([len(c) for c in codes], dtype=pl.Int64),
        country=pl.col("country") if "country" in picked.columns else pl.lit(None, pl.Utf8),
        map_source=pl.col("map_source")
        if "map_source" in picked.columns
        else pl.lit(None, pl.Utf8),
    )
    return result.select(
        "mission",
        "month",
        "location",
        "country",
        "latitude",
        "longitude",
        "troops",
        "contributors",
        "contributor_count",
        "map_source",
    ).sort("mission", "location")
