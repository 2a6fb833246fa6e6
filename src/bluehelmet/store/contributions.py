"""SQL tables of the contribution data: the import manifest (provenance of every Parquet file).

The rows themselves live in Parquet files under the data folder the caller names (the core's
``data_dir``); each active import owns one Parquet file there, named in
``DataImport.parquet_file``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import JSON, Date, DateTime, Engine, ForeignKey, Integer, String, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bluehelmet.store.base import Base


class DataImport(Base):
    """One imported source file: what it was, what it covered, where its rows are stored."""

    __tablename__ = "data_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(40), index=True)
    format: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(String(1000))
    file_size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    month_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    month_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    months: Mapped[list[str]] = mapped_column(JSON, default=list)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parquet_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("data_imports.id"), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def dataset_dir(dataset: str, root: Path) -> Path:
    """Folder of ``dataset``'s Parquet files under the data folder ``root``."""
    return root / dataset


def active_imports(session: Session, dataset: str | None = None) -> list[DataImport]:
    """The imports whose rows are in force, oldest first."""
    query = select(DataImport).where(DataImport.status == "active")
    if dataset is not None:
        query = query.where(DataImport.dataset == dataset)
    return list(session.scalars(query.order_by(DataImport.id)))


def active_files(engine: Engine, dataset: str, root: Path) -> list[Path]:
    """Parquet files in force for ``dataset`` under ``root``; empty when nothing is imported."""
    if not inspect(engine).has_table(DataImport.__tablename__):
        return []
    with Session(engine) as session:
        rows = active_imports(session, dataset)
    folder = dataset_dir(dataset, root)
    return [folder / r.parquet_file for r in rows if r.parquet_file]


def write_parquet(frame: pl.DataFrame, dataset: str, root: Path) -> str:
    """Write ``frame`` to a new, uniquely named Parquet file of ``dataset``; return its name.

    The file is invisible to readers until a committed manifest row names it.
    """
    folder = dataset_dir(dataset, root)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.parquet"
    partial = folder / f".{name}.partial"
    frame.write_parquet(partial, compression="zstd", compression_level=1, statistics=True)
    partial.replace(folder / name)
    return name


@contextmanager
def import_lock(root: Path) -> Iterator[None]:
    """Serialize imports that share the data folder ``root`` (advisory lock on POSIX)."""
    folder = root
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".import.lock").open("a+b") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            yield
            return
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
