"""UN ranking of military and police contributions (the monthly official download).

File: ``Rank_2021-01.csv`` ("Troop and police contributors - ranking", peacekeeping.un.org,
as kept in github.com/corinnee/UN_Peacekeeping_Analytics). Rows become contribution rows
(category ``uniformed``, female, male and, where the published split does not reach the
published total, sex ``unknown`` for the rest; mission null) and the published rank is kept
in the ``official_ranking`` dataset for comparison.
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
    keep_published_total,
    months_of,
    nonzero_rows,
)
from bluehelmet.sources._common import Issue, RawFile, counts, dates, is_summary, read_table

COUNTS = ["Female_Personnel", "Male_Personnel", "Total_Uniformed_Personnel"]


class UnRanking(Adapter):
    """The UN's monthly ranking of uniformed personnel contributions."""

    name: ClassVar[str] = "un_rank"
    dataset: ClassVar[str] = "contributions"
    title: ClassVar[str] = "UN ranking of military and police contributions"
    citation: ClassVar[str] = (
        "United Nations Peacekeeping, Troop and police contributors - ranking "
        "(peacekeeping.un.org/en/troop-and-police-contributors)"
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {
            "ISOCode3",
            "Contributing_Country",
            "Personnel_Contribution_Rank",
            *COUNTS,
            "Last_Reporting_Date",
        }
    )

    def parse(self, raw: RawFile) -> Parsed:
        """Read, check female + male = total, and emit contributions and the ranking."""
        frame = read_table(raw)
        rows_read = frame.height
        issues: list[Issue] = []
        frame = frame.with_columns(
            pl.col("ISOCode3").str.strip_chars(), pl.col("Contributing_Country").str.strip_chars()
        )
        frame = counts(raw, frame, [*COUNTS, "Personnel_Contribution_Rank"])
        frame = drop_summary_rows(
            frame,
            is_summary(pl.col("Contributing_Country")).fill_null(value=False)
            | is_summary(pl.col("ISOCode3")).fill_null(value=False),
            issues,
            pl.col("Total_Uniformed_Personnel"),
        )
        frame = dates(
            raw, frame, "Last_Reporting_Date", formats=("%d-%b-%y", "%Y-%m-%d", "%d/%m/%Y")
        )
        frame = frame.with_columns(pl.col("Last_Reporting_Date").dt.month_end().alias("month"))
        frame = frame.with_columns([pl.col(c).alias(f"__published {c}") for c in COUNTS])
        frame = keep_published_total(
            frame,
            "Female_Personnel",
            "Male_Personnel",
            "Total_Uniformed_Personnel",
            "__not_stated",
            issues,
            ["month", "ISOCode3", "Contributing_Country"],
        )
        frame = frame.with_columns(
            pl.when(pl.col("ISOCode3").is_null())
            .then(pl.col("Contributing_Country"))
            .otherwise(pl.col("ISOCode3"))
            .alias("contributor")
        )
        frame = drop_duplicates(raw, frame, ["month", "contributor"], COUNTS, issues)
        covered = months_of(frame)
        long = pl.concat(
            [
                frame.select(
                    pl.col("month"),
                    pl.col("contributor"),
                    pl.lit(None, pl.Utf8).alias("mission"),
                    pl.lit(str(PersonnelCategory.UNIFORMED)).alias("category"),
                    pl.lit(str(sex)).alias("sex"),
                    pl.col(column).alias("count"),
                    pl.col("_line"),
                )
                for column, sex in (
                    ("Female_Personnel", Sex.FEMALE),
                    ("Male_Personnel", Sex.MALE),
                    ("__not_stated", Sex.UNKNOWN),
                )
            ]
        )
        ranking = frame.select(
            pl.col("month"),
            pl.col("contributor"),
            pl.col("Personnel_Contribution_Rank").alias("rank"),
            pl.col("__published Female_Personnel").alias("female"),
            pl.col("__published Male_Personnel").alias("male"),
            pl.col("__published Total_Uniformed_Personnel").alias("total"),
            pl.col("_line"),
        )
        return Parsed(
            frames={"contributions": nonzero_rows([long.lazy()]), "official_ranking": ranking},
            rows_read=rows_read,
            issues=issues,
            countries={
                "contributions": [("contributor", "code")],
                "official_ranking": [("contributor", "code")],
            },
            rejected=0,
            covered={"contributions": covered},
        )
