"""Geo-PKO: deployment locations of UN missions as shown on UN deployment maps.

File: ``geopko.csv`` (Geo-PKO dataset v1, Africa 1994-2018; Cil, Fjelde, Hultman and
Nilsson 2020, JPR 57(2); pcr.uu.se/data/geo-pko). Contributor names are kept as published,
except that text saved through a UTF-8/Windows-1252 mix-up (``DÃ©koa``) is stored repaired
(``Dékoa``) and reported.
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
from bluehelmet.sources._text import repair_columns

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
    revision: ClassVar[int] = 2  # 2: names saved through a UTF-8/Windows-1252 mix-up repaired

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
        frame = _repair_text(frame, ["location", "country", *names], issues)
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


def _repair_text(frame: pl.DataFrame, columns: list[str], issues: list[Issue]) -> pl.DataFrame:
    """Undo UTF-8 read as Windows-1252 in ``columns`` and report the cells changed."""
    present = [c for c in columns if c in frame.columns and frame.schema[c] == pl.Utf8]
    frame, changed = repair_columns(frame, present)
    if changed.height:
        first = changed.row(0, named=True)
        distinct = changed.select("published").n_unique()
        issues.append(
            Issue(
                "repaired_text",
                f"{changed.height} cell(s) ({distinct} distinct value(s)) were UTF-8 read as "
                "Windows-1252 and are stored repaired (first on line "
                f"{first['_line']}, field '{first['column']}': {first['published']!r} -> "
                f"{first['repaired']!r})",
                sorted(set(changed["_line"].to_list())),
            )
        )
    return frame
