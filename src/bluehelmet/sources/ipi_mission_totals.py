"""IPI Providing for Peacekeeping: mission x month totals (troops, police, observers).

File: ``ppp_files/data_mission.csv`` of github.com/IPIDataLab/PPP_Loader (1990-11 to 2017-03).
Kept as mission totals, never mixed into the contributor table.
"""

from __future__ import annotations

from typing import ClassVar

import polars as pl

from bluehelmet.sources._adapter import (
    Adapter,
    Parsed,
    drop_duplicates,
    drop_summary_rows,
    report_inconsistent,
)
from bluehelmet.sources._common import Issue, RawFile, counts, dates, is_summary, read_table

PARTS = ["Troops", "Police", "Observers"]


class IpiMissionTotals(Adapter):
    """``data_mission.csv``: one row per mission and month."""

    name: ClassVar[str] = "ipi_mission_totals"
    dataset: ClassVar[str] = "mission_totals"
    title: ClassVar[str] = "IPI mission x month totals"
    citation: ClassVar[str] = (
        "International Peace Institute, Providing for Peacekeeping database, "
        "github.com/IPIDataLab/PPP_Loader (ppp_files/data_mission.csv)"
    )
    signature: ClassVar[frozenset[str]] = frozenset(
        {"Date", "Mission", "Country of Mission ISO-3", "Number of Contributors", *PARTS, "Total"}
    )

    def parse(self, raw: RawFile) -> Parsed:
        """Read and check that troops + police + observers equal the total."""
        frame = read_table(raw)
        rows_read = frame.height
        issues: list[Issue] = []
        frame = frame.with_columns(pl.col("Mission").str.strip_chars())
        frame = counts(raw, frame, [*PARTS, "Number of Contributors"], required=False)
        frame = counts(raw, frame, ["Total"])
        frame = drop_summary_rows(
            frame, is_summary(pl.col("Mission")).fill_null(value=False), issues, pl.col("Total")
        )
        frame = dates(raw, frame, "Date")
        frame = frame.with_columns(pl.col("Date").dt.month_end().alias("month"))
        frame = report_inconsistent(
            frame,
            [
                (
                    "troops + police + observers != 'Total'",
                    pl.sum_horizontal([pl.col(c).fill_null(0) for c in PARTS]) == pl.col("Total"),
                )
            ],
            pl.col("Total"),
            issues,
            ["month", "Mission", *PARTS, "Total"],
        )
        frame = drop_duplicates(raw, frame, ["month", "Mission"], [*PARTS, "Total"], issues)
        out = frame.select(
            pl.col("month"),
            pl.col("Mission").alias("mission"),
            pl.col("Country of Mission ISO-3").str.strip_chars().alias("host"),
            pl.col("Number of Contributors").alias("contributors"),
            pl.col("Troops").alias("troops"),
            pl.col("Police").alias("police"),
            pl.col("Observers").alias("observers"),
            pl.col("Total").alias("total"),
            pl.col("_line"),
        )
        return Parsed(
            frames={"mission_totals": out},
            rows_read=rows_read,
            issues=issues,
            missions={"mission_totals": ["mission"]},
            rejected=0,
        )
