"""UN Peace and Security Data Hub: peacekeeper fatalities, one row per casualty.

File: ``DPPADPOSS-FATALITIES.csv`` (psdata.un.org, "Peacekeeping fatalities").
A casualty listed twice (same ``casualty_id``) is counted once and reported.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from bluehelmet.domain.registry import Sex
from bluehelmet.errors import InputError
from bluehelmet.sources._adapter import Adapter, Parsed
from bluehelmet.sources._common import Issue, RawFile, dates, lines_of, missing_message, read_table

UNDETERMINED = r"(?i)^(zz\b.*|undetermined|unknown|other)$"


class UnFatalities(Adapter):
    """The Data Hub's fatalities file."""

    name: ClassVar[str] = "un_fatalities"
    dataset: ClassVar[str] = "fatalities"
    title: ClassVar[str] = "UN Data Hub peacekeeping fatalities"
    citation: ClassVar[str] = (
        "United Nations Peace and Security Data Hub, Peacekeeping fatalities "
        "(psdata.un.org, DPPADPOSS-FATALITIES)"
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {
            "incident_date",
            "casualty_id",
            "mission_acronym",
            "casualty_nationality",
            "casualty_personnel_type",
            "type_of_incident",
            "isocode3",
        }
    )

    def parse(self, raw: RawFile) -> Parsed:
        """Read one row per casualty; nationality reconciles by ISO-3, else by name."""
        frame = read_table(raw)
        rows_read = frame.height
        issues: list[Issue] = []
        for column in ("casualty_id", "mission_acronym"):
            missing = frame.filter(pl.col(column).is_null()).head(1)
            if missing.height:
                msg = missing_message(raw, int(missing["_line"][0]), column)
                raise InputError(msg, file=raw.path, line=int(missing["_line"][0]), field=column)
        frame = dates(raw, frame, "incident_date")
        repeats = frame.filter(~pl.col("casualty_id").is_first_distinct())
        if repeats.height:
            issues.append(
                Issue(
                    "duplicate",
                    "casualties listed more than once (same casualty_id) counted once; "
                    "the first listing is kept",
                    lines_of(repeats),
                    repeats.height,
                )
            )
            frame = frame.filter(pl.col("casualty_id").is_first_distinct())
        nationality = pl.col("casualty_nationality").str.strip_chars()
        undetermined = nationality.is_null() | nationality.str.contains(UNDETERMINED)
        code = pl.col("isocode3").str.strip_chars()
        gender = pl.col("gender").str.strip_chars().str.to_uppercase()
        out = frame.select(
            pl.col("casualty_id").str.strip_chars(),
            pl.col("incident_date").alias("date"),
            pl.col("incident_date").dt.month_end().alias("month"),
            pl.col("mission_acronym").str.strip_chars().alias("mission"),
            pl.when(code.is_not_null())
            .then(code)
            .when(undetermined)
            .then(pl.lit(None, pl.Utf8))
            .otherwise(nationality)
            .alias("contributor"),
            nationality.alias("nationality"),
            pl.col("casualty_personnel_type").str.strip_chars().alias("personnel_type"),
            pl.col("type_of_incident").str.strip_chars().alias("incident_type"),
            pl.when(gender.is_in(["M", "MALE"]))
            .then(pl.lit(str(Sex.MALE)))
            .when(gender.is_in(["F", "FEMALE"]))
            .then(pl.lit(str(Sex.FEMALE)))
            .otherwise(pl.lit(str(Sex.UNKNOWN)))
            .alias("sex"),
            pl.col("_line"),
        )
        return Parsed(
            frames={"fatalities": out},
            rows_read=rows_read,
            issues=issues,
            countries={"fatalities": [("contributor", "code")]},
            missions={"fatalities": ["mission"]},
        )
