"""Geo-PKO: deployment locations of UN missions as shown on UN deployment maps.

File: ``geopko.csv`` (Geo-PKO dataset v1, Africa 1994-2018; Cil, Fjelde, Hultman and
Nilsson 2020, JPR 57(2); pcr.uu.se/data/geo-pko). Contributor names are kept as published.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from bluehelmet.errors import InputError
from bluehelmet.sources._adapter import Adapter, Parsed
from bluehelmet.sources._common import (
    Issue,
    RawFile,
    counts,
    missing_message,
    numbers,
    read_table,
    year_month,
)

MAX_TCC = 14


class GeoPko(Adapter):
    """The Geo-PKO location file."""

    name: ClassVar[str] = "geopko"
    dataset: ClassVar[str] = "locations"
    title: ClassVar[str] = "Geo-PKO deployment locations"
    citation: ClassVar[str] = (
        "Cil, D., Fjelde, H., Hultman, L. and Nilsson, D. (2020), Mapping blue helmets: "
        "Introducing the Geo-PKO dataset, Journal of Peace Research 57(2)"
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {"Source", "Mission", "year", "month", "location", "latitude", "longitude", "No.troops"}
    )

    def parse(self, raw: RawFile) -> Parsed:
        """Read one row per location and map."""
        frame = read_table(raw)
        rows_read = frame.height
        issues: list[Issue] = []
        missing = frame.filter(pl.col("Mission").is_null()).head(1)
        if missing.height:
            msg = missing_message(raw, int(missing["_line"][0]), "Mission")
            raise InputError(msg, file=raw.path, line=int(missing["_line"][0]), field="Mission")
        frame = year_month(raw, frame, "year", "month", alias="month_end")
        frame = numbers(raw, frame, ["latitude", "longitude"])
        # the coders wrote "unknown" where a map gives no troop figure: that is a gap, not 0
        frame = frame.with_columns(
            pl.when(pl.col("No.troops").str.strip_chars().str.to_lowercase() == "unknown")
            .then(pl.lit(None, pl.Utf8))
            .otherwise(pl.col("No.troops"))
            .alias("No.troops")
        )
        frame = counts(raw, frame, ["No.troops"], required=False)
        names = [
            f"name.of.TCC{i}" for i in range(1, MAX_TCC + 1) if f"name.of.TCC{i}" in frame.columns
        ]
        cleaned = [
            pl.when(pl.col(n).str.strip_chars().str.to_lowercase().is_in(["unknown", ""]))
            .then(pl.lit(None, pl.Utf8))
            .otherwise(pl.col(n).str.strip_chars())
            for n in names
        ]
        out = frame.select(
            pl.col("Mission").str.strip_chars().alias("mission"),
            pl.col("month_end").alias("month"),
            pl.col("location").str.strip_chars().alias("location"),
            pl.col("country").str.strip_chars().alias("country"),
            pl.col("latitude"),
            pl.col("longitude"),
            pl.col("No.troops").alias("troops"),
            (
                pl.concat_list(cleaned).list.drop_nulls()
                if cleaned
                else pl.lit([], pl.List(pl.Utf8))
            ).alias("contributor_names"),
            pl.col("Source").str.strip_chars().alias("map_source"),
            pl.col("_line"),
        )
        return Parsed(
            frames={"locations": out},
            rows_read=rows_read,
            issues=issues,
            missions={"locations": ["mission"]},
        )
