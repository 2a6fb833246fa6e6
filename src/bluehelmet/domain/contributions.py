"""The normalized contribution table: one declared schema read by sources, store and analytics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl


@dataclass(frozen=True, slots=True)
class Column:
    """One declared column of a normalized table."""

    name: str
    dtype: pl.DataType | type[pl.DataType]
    description: str
    nullable: bool = False


CONTRIBUTION_COLUMNS: tuple[Column, ...] = (
    Column("month", pl.Date, "Reporting date: the last day of the month."),
    Column("contributor", pl.Utf8, "ISO-3 code of the contributing state."),
    Column(
        "mission",
        pl.Utf8,
        "Registry acronym of the mission; null where the source gives only contributor totals.",
        nullable=True,
    ),
    Column("category", pl.Utf8, "Personnel category (domain.registry.PersonnelCategory)."),
    Column("sex", pl.Utf8, "female, male, or unknown where the source has no split."),
    Column("count", pl.Int64, "Number of personnel deployed."),
    Column("source", pl.Utf8, "Adapter that read the row, e.g. 'ipi_gender_full'."),
    Column("sha256", pl.Utf8, "SHA-256 of the source file."),
    Column("line", pl.Int64, "Line number in the source file (1 = header)."),
)

CONTRIBUTION_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    c.name: c.dtype for c in CONTRIBUTION_COLUMNS
}


@dataclass(slots=True)
class StagedDataset:
    """One dataset of a file ready to store: conformed rows and what they cover."""

    frame: pl.DataFrame
    months: list[date]
    monthly: bool
    identity: list[str]
    """Columns that identify a row's unit (e.g. month and contributor) for the removal check."""
    listed: pl.DataFrame | None = None
    """Identities the file lists beyond those of ``frame`` (its rows of zeros, not stored)."""
    totals: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class StagedFile:
    """A parsed and reconciled source file, ready for ``commit_file``."""

    file_name: str
    file_size: int
    sha256: str
    format: str
    input_key: str
    options: dict[str, Any]
    rows_read: int
    rows_rejected: int
    datasets: dict[str, StagedDataset]
