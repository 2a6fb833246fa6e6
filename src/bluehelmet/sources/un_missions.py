"""UN Peace and Security Data Hub: the list of UN peacekeeping operations.

File: ``DPPADPOSS-PKO.csv`` (psdata.un.org). Coordinates use decimal commas. The list is
kept as published (it is itself an official registry of acronyms); it is not reconciled.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from bluehelmet.errors import InputError
from bluehelmet.sources._adapter import Adapter, Parsed, drop_duplicates
from bluehelmet.sources._common import Issue, RawFile, dates, missing_message, numbers, read_table


class UnMissionList(Adapter):
    """The Data Hub's mission list."""

    name: ClassVar[str] = "un_missions"
    dataset: ClassVar[str] = "missions"
    title: ClassVar[str] = "UN Data Hub list of peacekeeping operations"
    citation: ClassVar[str] = (
        "United Nations Peace and Security Data Hub, Peacekeeping operations "
        "(psdata.un.org, DPPADPOSS-PKO)"
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {"mission_acronym", "mission_name", "start_date", "end_date", "mission_isactive"}
    )

    def parse(self, raw: RawFile) -> Parsed:
        """Read one row per operation."""
        frame = read_table(raw)
        rows_read = frame.height
        issues: list[Issue] = []
        for column in ("mission_acronym", "mission_name"):
            missing = frame.filter(pl.col(column).is_null()).head(1)
            if missing.height:
                msg = missing_message(raw, int(missing["_line"][0]), column)
                raise InputError(msg, file=raw.path, line=int(missing["_line"][0]), field=column)
        frame = dates(raw, frame, "start_date", required=False)
        frame = dates(raw, frame, "end_date", required=False)
        coords = [c for c in ("mission_longitude", "mission_latitude") if c in frame.columns]
        frame = numbers(raw, frame, coords, decimal_comma=True)
        active = pl.col("mission_isactive").str.strip_chars().str.to_lowercase()
        bad = frame.filter(~active.is_in(["yes", "no", "true", "false", "1", "0"])).head(1)
        if bad.height:
            msg = f"expected Yes or No, got {bad['mission_isactive'][0]!r}"
            raise InputError(
                msg, file=raw.path, line=int(bad["_line"][0]), field="mission_isactive"
            )
        out = frame.select(
            pl.col("mission_acronym").str.strip_chars().alias("acronym"),
            pl.col("mission_name").str.strip_chars().alias("name"),
            pl.col("lead_department").str.strip_chars().alias("lead_department")
            if "lead_department" in frame.columns
            else pl.lit(None, pl.Utf8).alias("lead_department"),
            active.is_in(["yes", "true", "1"]).alias("active"),
            pl.col("start_date").alias("start"),
            pl.col("end_date").alias("end"),
            pl.col("mission_location").str.strip_chars().alias("location")
            if "mission_location" in frame.columns
            else pl.lit(None, pl.Utf8).alias("location"),
            (pl.col("mission_longitude") if coords else pl.lit(None, pl.Float64)).alias(
                "longitude"
            ),
            (pl.col("mission_latitude") if coords else pl.lit(None, pl.Float64)).alias("latitude"),
            pl.col("_line"),
        )
        out = drop_duplicates(raw, out, ["acronym"], ["name", "start", "end"], issues)
        return Parsed(frames={"missions": out}, rows_read=rows_read, issues=issues)
