"""IPI Providing for Peacekeeping: one month's contributor x mission file by personnel type.

File: ``ppp_files/current_month/current_month.csv`` of github.com/IPIDataLab/PPP_Loader.
``Observers`` repeats ``Experts_on_Mission`` and ``Civilian_Police`` is the sum of the two
police types: both are checked, neither is stored twice.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from bluehelmet.domain.registry import PersonnelCategory, Sex
from bluehelmet.errors import InputError
from bluehelmet.sources._adapter import (
    Adapter,
    Parsed,
    drop_duplicates,
    drop_summary_rows,
    months_of,
    nonzero_rows,
    report_inconsistent,
)
from bluehelmet.sources._common import Issue, RawFile, counts, dates, is_summary, read_table

INDIVIDUAL_POLICE_HEADERS = ("Inidividual_Police", "Individual_Police")  # the file's typo
CATEGORIES: dict[str, PersonnelCategory] = {
    "Experts_on_Mission": PersonnelCategory.EXPERTS_ON_MISSION,
    "Formed_Police_Units": PersonnelCategory.FORMED_POLICE_UNITS,
    "Individual_Police": PersonnelCategory.INDIVIDUAL_POLICE,
    "Troops": PersonnelCategory.TROOPS,
}


class IpiCurrentMonth(Adapter):
    """``current_month.csv``: contributor x mission for one month, no sex split."""

    name: ClassVar[str] = "ipi_current_month"
    dataset: ClassVar[str] = "contributions"
    title: ClassVar[str] = "IPI single-month contributor x mission file"
    citation: ClassVar[str] = (
        "International Peace Institute, Providing for Peacekeeping database, "
        "github.com/IPIDataLab/PPP_Loader (ppp_files/current_month/current_month.csv)"
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {
            "Date",
            "Contributor",
            "Contributor_ISO-3",
            "Mission",
            "Experts_on_Mission",
            "Formed_Police_Units",
            "Troops",
            "Total",
        }
    )

    def parse(self, raw: RawFile) -> Parsed:
        """Read, check the redundant columns, and unpivot the four categories."""
        frame = read_table(raw)
        for alias in INDIVIDUAL_POLICE_HEADERS:
            if alias in frame.columns:
                frame = frame.rename({alias: "Individual_Police"})
                break
        else:
            msg = "missing column 'Individual_Police' (or the file's 'Inidividual_Police')"
            raise InputError(msg, file=raw.path, line=1, field="Individual_Police")
        rows_read = frame.height
        issues: list[Issue] = []
        optional = [c for c in ("Civilian_Police", "Observers") if c in frame.columns]
        frame = counts(raw, frame, [*CATEGORIES, *optional], required=False)
        frame = counts(raw, frame, ["Total"])
        frame = frame.with_columns([pl.col(c).fill_null(0) for c in CATEGORIES])
        frame = frame.with_columns(
            pl.col("Contributor_ISO-3").str.strip_chars(),
            pl.col("Mission").str.strip_chars(),
        )
        frame = drop_summary_rows(
            frame,
            is_summary(pl.col("Contributor")).fill_null(value=False)
            | is_summary(pl.col("Mission")).fill_null(value=False),
            issues,
            pl.col("Total"),
        )
        frame = dates(raw, frame, "Date")
        frame = frame.with_columns(pl.col("Date").dt.month_end().alias("month"))
        checks: list[tuple[str, pl.Expr]] = [
            (
                "categories do not add up to 'Total'",
                pl.sum_horizontal(list(CATEGORIES)) == pl.col("Total"),
            ),
        ]
        if "Observers" in optional:
            checks.append(
                (
                    "'Observers' differs from 'Experts_on_Mission'",
                    pl.col("Observers").fill_null(0) == pl.col("Experts_on_Mission"),
                )
            )
        if "Civilian_Police" in optional:
            checks.append(
                (
                    "'Civilian_Police' differs from the two police types",
                    pl.col("Civilian_Police").fill_null(0)
                    == pl.col("Formed_Police_Units") + pl.col("Individual_Police"),
                )
            )
        frame = report_inconsistent(
            frame,
            checks,
            pl.col("Total"),
            issues,
            ["month", "Contributor_ISO-3", "Mission", "Total"],
        )
        frame = drop_duplicates(
            raw, frame, ["month", "Contributor_ISO-3", "Mission"], [*CATEGORIES, "Total"], issues
        )
        parts = [
            frame.select(
                pl.col("month"),
                pl.col("Contributor_ISO-3").alias("contributor"),
                pl.col("Mission").alias("mission"),
                pl.lit(str(category)).alias("category"),
                pl.lit(str(Sex.UNKNOWN)).alias("sex"),
                pl.col(column).alias("count"),
                pl.col("_line"),
            )
            for column, category in CATEGORIES.items()
        ]
        covered = months_of(frame)
        long = nonzero_rows([p.lazy() for p in parts])
        return Parsed(
            frames={"contributions": long},
            rows_read=rows_read,
            issues=issues,
            countries={"contributions": [("contributor", "code")]},
            missions={"contributions": ["mission"]},
            rejected=0,
            covered={"contributions": covered},
        )
