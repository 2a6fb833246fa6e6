"""The normalized contribution table: one declared schema read by sources, store and analytics."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol

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


@dataclass(frozen=True, slots=True)
class StagedRows:
    """Rows already written to a staged file (streamed imports): adopted by the commit."""

    path: Path
    sha256: str
    rows: int


class RowSink(Protocol):
    """Where a streamed import writes its rows, batch by batch, before the commit."""

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame`` (the dataset's columns, in order)."""

    def close(self) -> StagedRows:
        """Finish the staged file (flushed to disk) and say where it is."""

    def discard(self) -> None:
        """Remove the staged file; nothing of it stays on disk."""


@dataclass(slots=True)
class StagedDataset:
    """One dataset of a file ready to store: conformed rows and what they cover.

    The rows are in ``frame`` or, for a streamed import, already in the staged file
    ``stored`` (then ``frame`` is None and ``listed`` holds every unit the file lists).
    """

    frame: pl.DataFrame | None
    months: list[date]
    """Months the rows cover (month ends), for every dataset with a month column."""
    monthly: bool
    """Whether a newer file replaces only the ``months`` it covers (else the whole dataset)."""
    identity: list[str]
    """Columns that identify a row's unit (e.g. month and contributor) for the removal check."""
    listed: pl.DataFrame | None = None
    """Identities the file lists beyond those of ``frame`` (its rows of zeros, not stored)."""
    totals: dict[str, int] = field(default_factory=dict)
    stored: StagedRows | None = None

    @property
    def rows(self) -> int:
        """Number of rows to store."""
        if self.frame is not None:
            return self.frame.height
        return self.stored.rows if self.stored is not None else 0

    def units(self) -> pl.DataFrame:
        """Every unit the file lists (the identities of its rows and of its zero rows)."""
        parts = [f.select(self.identity) for f in (self.frame, self.listed) if f is not None]
        if not parts:
            return pl.DataFrame(schema=dict.fromkeys(self.identity, pl.Utf8))
        return pl.concat(parts, how="vertical_relaxed") if len(parts) > 1 else parts[0]


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
