"""IPI Providing for Peacekeeping: contributor x mission x month by category and sex.

File: ``Gender.Full.csv`` of github.com/IPIDataLab/TCC-DataScraper (scraped from the UN
monthly gender-disaggregated contribution reports, 2009-11 to 2014-02).
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from bluehelmet.domain.registry import PersonnelCategory, Sex
from bluehelmet.sources._adapter import (
    Adapter,
    Parsed,
    drop_duplicates,
    drop_summary_rows,
    months_of,
    reject_inconsistent,
)
from bluehelmet.sources._common import Issue, RawFile, counts, dates, read_table, summary_mask

CATEGORIES: dict[str, PersonnelCategory] = {
    "Individual Police": PersonnelCategory.INDIVIDUAL_POLICE,
    "Formed Police Units": PersonnelCategory.FORMED_POLICE_UNITS,
    "Experts on Mission": PersonnelCategory.EXPERTS_ON_MISSION,
    "Troops": PersonnelCategory.TROOPS,
}
SEXES: dict[str, Sex] = {"Male": Sex.MALE, "Female": Sex.FEMALE}
COUNT_COLUMNS = [f"{c} {s}" for c in [*CATEGORIES, "Total"] for s in ("Male", "Female", "Total")]


class IpiGenderFull(Adapter):
    """``Gender.Full.csv``: 4 categories x (male, female, total) per contributor-mission-month."""

    name: ClassVar[str] = "ipi_gender_full"
    dataset: ClassVar[str] = "contributions"
    title: ClassVar[str] = "IPI contributor x mission x month by category and sex"
    citation: ClassVar[str] = (
        "International Peace Institute, Providing for Peacekeeping database, "
        "github.com/IPIDataLab/TCC-DataScraper (Gender.Full.csv)"
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {"Date", "Contributor", "Contributor ISO-3", "Mission", *COUNT_COLUMNS}
    )

    def parse(self, raw: RawFile) -> Parsed:
        """Read, validate, check totals and unpivot to the long table."""
        typed: dict[str, pl.DataType | type[pl.DataType]] = dict.fromkeys(COUNT_COLUMNS, pl.Int64)
        typed["Date"] = pl.Date
        frame = read_table(raw, typed=typed)
        rows_read = frame.height
        issues: list[Issue] = []
        frame = counts(raw, frame, COUNT_COLUMNS)
        frame = drop_summary_rows(
            frame,
            summary_mask(frame, ["Contributor", "Mission", "Contributor ISO-3"]),
            issues,
            pl.col("Total Total"),
        )
        frame = dates(raw, frame, "Date", formats=("%Y-%m-%d", "%d/%m/%Y"))
        frame = frame.with_columns(pl.col("Date").dt.month_end().alias("month"))
        for column in ("Contributor ISO-3", "Mission"):
            missing = frame.filter(pl.col(column).is_null()).head(1)
            if missing.height:
                from bluehelmet.errors import InputError

                msg = "missing value (truncated line or empty cell)"
                raise InputError(msg, file=raw.path, line=int(missing["_line"][0]), field=column)
        checks: list[tuple[str, pl.Expr]] = []
        for cat in [*CATEGORIES, "Total"]:
            checks.append(
                (
                    f"'{cat} Male' + '{cat} Female' != '{cat} Total'",
                    pl.col(f"{cat} Male") + pl.col(f"{cat} Female") == pl.col(f"{cat} Total"),
                )
            )
        for sex in ("Male", "Female", "Total"):
            parts = pl.sum_horizontal([pl.col(f"{c} {sex}") for c in CATEGORIES])
            checks.append(
                (f"categories do not add up to 'Total {sex}'", parts == pl.col(f"Total {sex}"))
            )
        frame, rejected = reject_inconsistent(frame, checks, pl.col("Total Total"), issues)
        frame = drop_duplicates(
            raw, frame, ["month", "Contributor ISO-3", "Mission"], COUNT_COLUMNS, issues
        )
        base = (
            frame.lazy()
            .select(
                pl.col("month"),
                pl.col("Contributor ISO-3").str.strip_chars().alias("contributor"),
                pl.col("Mission").str.strip_chars().alias("mission"),
                pl.col("_line"),
                *[pl.col(f"{c} {s}") for c in CATEGORIES for s in SEXES],
            )
            .cache()
        )
        long_parts = [
            base.select(
                pl.col("month"),
                pl.col("contributor"),
                pl.col("mission"),
                pl.lit(str(category)).alias("category"),
                pl.lit(str(sex)).alias("sex"),
                pl.col(f"{label} {sex_label}").alias("count"),
                pl.col("_line"),
            )
            for label, category in CATEGORIES.items()
            for sex_label, sex in SEXES.items()
        ]
        covered = months_of(frame)
        long = pl.concat(long_parts).filter(pl.col("count") > 0).collect()
        return Parsed(
            frames={"contributions": long},
            rows_read=rows_read,
            issues=issues,
            countries={"contributions": [("contributor", "code")]},
            missions={"contributions": ["mission"]},
            rejected=rejected,
            covered={"contributions": covered},
        )
