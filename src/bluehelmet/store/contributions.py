"""Contribution data in the store: the import manifest, its Parquet files, and every write.

The rows live in Parquet files under the data folder (the core's ``data_dir``); each active
import owns one file there, named in ``DataImport.parquet_file`` together with the file's own
SHA-256. Everything that writes is here: the import commit (Parquet written and fsynced under a
new name, then one SQL transaction switches the manifest), the lock that serializes imports
(a file lock, plus an advisory lock on PostgreSQL so that two homes sharing a database
serialize too), the data folder recorded in the database, deferred deletion of replaced files
(readers that listed them keep reading), and the health check with its repairs.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    String,
    Text,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from bluehelmet.domain.contributions import StagedFile, StagedRows
from bluehelmet.errors import BluehelmetError, StoreError
from bluehelmet.store.base import Base

PARQUET_NAME = re.compile(r"^[0-9a-f]{32}\.parquet$")
"""Stored file names: a manifest path is a bare name inside the dataset's folder, never a path."""
RETIRED_GRACE = timedelta(minutes=10)
"""How long a replaced file stays on disk for readers that listed it before the switch."""
LOCK_NAME = ".import.lock"


class DataImport(Base):
    """One imported source file: what it was, what it covered, where its rows are stored."""

    __tablename__ = "data_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(40), index=True)
    format: Mapped[str] = mapped_column(String(40))
    file_name: Mapped[str] = mapped_column(Text)
    file_size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    month_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    month_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    months: Mapped[list[str]] = mapped_column(JSON, default=list)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_stored: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    totals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parquet_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    parquet_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    input_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("data_imports.id"), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RetiredFile(Base):
    """A Parquet file no manifest row names any more; deleted after ``RETIRED_GRACE``."""

    __tablename__ = "data_retired_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dataset: Mapped[str] = mapped_column(String(40))
    parquet_file: Mapped[str] = mapped_column(String(300))
    retired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class StoreSetting(Base):
    """Facts about the store kept in the database itself (e.g. its data folder)."""

    __tablename__ = "data_store_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ReplaceRefusedError(BluehelmetError):
    """Importing would remove stored rows the file does not list; nothing was imported."""

    def __init__(self, removals: Sequence[dict[str, Any]]) -> None:
        self.removals = list(removals)
        parts = [
            f"{r['file']} ({r['dataset']}): {r['keys']} {r['what']} unit(s) in {r['months']} "
            f"(e.g. {', '.join(r['examples'])})"
            for r in self.removals[:10]
        ]
        msg = (
            "importing would remove stored data that the new file does not list; nothing was "
            "imported. Pass --replace (replace=True) to replace those months anyway.\n  "
            + "\n  ".join(parts)
        )
        super().__init__(msg)


@dataclass(slots=True)
class CommitOutcome:
    """What ``commit_file`` did."""

    status: str  # "imported" or "unchanged"
    rows_stored: int = 0
    replaced: list[dict[str, Any]] = field(default_factory=list)


def dataset_dir(dataset: str, root: Path) -> Path:
    """Folder of ``dataset``'s Parquet files under the data folder ``root``."""
    return root / dataset


def stored_path(dataset: str, name: str, root: Path) -> Path:
    """The path of a manifest file name; refuses anything but a bare stored file name."""
    if not PARQUET_NAME.match(name):
        msg = (
            f"the manifest names {name!r} for dataset {dataset!r}, which is not a stored file "
            "name; the database was edited by hand or belongs to something else"
        )
        raise StoreError(msg)
    return dataset_dir(dataset, root) / name


def active_imports(session: Session, dataset: str | None = None) -> list[DataImport]:
    """The imports whose rows are in force, oldest first."""
    query = select(DataImport).where(DataImport.status == "active")
    if dataset is not None:
        query = query.where(DataImport.dataset == dataset)
    return list(session.scalars(query.order_by(DataImport.id)))


_VERIFIED: dict[tuple[str, int, int], str] = {}
_VERIFIED_LOCK = threading.Lock()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked_sha256(path: Path) -> str:
    """SHA-256 of ``path``, remembered while its size and modification time stay the same."""
    info = path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns)
    with _VERIFIED_LOCK:
        known = _VERIFIED.get(key)
    if known is None:
        known = file_sha256(path)
        with _VERIFIED_LOCK:
            _VERIFIED[key] = known
    return known


def verify_file(row: DataImport, root: Path) -> Path:
    """The verified path of ``row``'s Parquet file; StoreError when missing or damaged."""
    assert row.parquet_file is not None
    path = stored_path(row.dataset, row.parquet_file, root)
    hint = "run 'bluehelmet data check --repair' (or import the file again)"
    try:
        actual = _checked_sha256(path)
    except FileNotFoundError:
        msg = (
            f"the stored rows of {Path(row.file_name).name} ({row.dataset}) are missing: "
            f"{path} does not exist; {hint}"
        )
        raise StoreError(msg) from None
    except OSError as exc:
        msg = f"cannot read {path} ({row.dataset}): {exc.strerror or exc}; {hint}"
        raise StoreError(msg) from exc
    if row.parquet_sha256 is not None and actual != row.parquet_sha256:
        msg = (
            f"the stored rows of {Path(row.file_name).name} ({row.dataset}) are damaged: "
            f"{path} does not match its recorded SHA-256; {hint}"
        )
        raise StoreError(msg)
    return path


def active_files(engine: Engine, dataset: str, root: Path) -> list[Path]:
    """Verified Parquet files in force for ``dataset`` under ``root`` (empty when none).

    Raises StoreError, naming the file and the fix, when a file is missing or damaged.
    """
    if not inspect(engine).has_table(DataImport.__tablename__):
        return []
    with Session(engine) as session:
        rows = [r for r in active_imports(session, dataset) if r.parquet_file]
        if rows:
            _same_data_dir(session, root)
    return [verify_file(r, root) for r in rows]


def _same_data_dir(session: Session, root: Path) -> None:
    """Refuse a home whose data folder is not the one the database records."""
    setting = session.get(StoreSetting, "data_dir")
    resolved = str(root.resolve())
    if setting is not None and setting.value != resolved:
        msg = (
            f"this database keeps its data in {setting.value}, but this home uses "
            f"{resolved}; point BLUEHELMET_HOME at the home that owns the database, or "
            "run 'bluehelmet data check --adopt' if the data folder was moved there"
        )
        raise StoreError(msg)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_failed(exc: OSError, folder: Path) -> StoreError:
    if exc.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif exc.errno in {errno.EACCES, errno.EPERM, errno.EROFS}:
        reason = "the data folder is not writable"
    else:
        reason = exc.strerror or str(exc)
    msg = f"cannot write to {folder}: {reason}; nothing was imported"
    return StoreError(msg)


def write_parquet(frame: pl.DataFrame, dataset: str, root: Path) -> tuple[str, str]:
    """Write ``frame`` to a new, uniquely named Parquet file; return its name and SHA-256.

    The file is fsynced before it gets its final name, and is invisible to readers until a
    committed manifest row names it. On failure nothing is left behind.
    """
    folder = dataset_dir(dataset, root)
    name = f"{uuid.uuid4().hex}.parquet"
    partial = folder / f".{name}.partial"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        frame.write_parquet(partial, compression="zstd", compression_level=1, statistics=True)
        with partial.open("rb+") as handle:
            os.fsync(handle.fileno())
        digest = file_sha256(partial)
        partial.replace(folder / name)
        _fsync_dir(folder)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise _write_failed(exc, folder) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return name, digest


STAGED_COMPRESSION = ("zstd", 1)
"""Codec and level of streamed imports' Parquet files (as ``write_parquet``)."""


class ParquetStage:
    """A staged Parquet file written batch by batch (a ``RowSink`` for streamed imports).

    The file is written under a ``.partial`` name in the dataset's folder (so a crash leaves
    only a leftover that ``check_store`` reports and repairs); ``close`` fsyncs it and
    computes its SHA-256, and ``commit_file`` gives it its final name. Each batch becomes
    one row group. Text columns are written dictionary-encoded (read back as text), dates too
    (a file holds few months), integer columns delta-encoded (line numbers and counts: a third
    smaller and faster to write than plain zstd); statistics (min/max) on the non-text
    columns only (text statistics cost as much as the encoding, and no reader prunes on them).
    """

    def __init__(self, dataset: str, root: Path) -> None:
        self.folder = dataset_dir(dataset, root)
        self.path = self.folder / f".{uuid.uuid4().hex}.parquet.partial"
        self.rows = 0
        self._writer: Any = None
        self._pending: Future[None] | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bluehelmet-stage")

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame`` as one row group, written in the background.

        The next batch is read while this one is encoded; at most one batch waits.
        """
        self._wait()
        self.rows += frame.height
        self._pending = self._thread.submit(self._write, frame)

    def _wait(self) -> None:
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            pending.result()
        except OSError as exc:
            self.discard()
            raise _write_failed(exc, self.folder) from exc
        except BaseException:
            self.discard()
            raise

    def _write(self, frame: pl.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = frame.to_arrow()
        if self._writer is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            coded = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
            dates = [f.name for f in table.schema if pa.types.is_date(f.type)]
            integers = [f.name for f in table.schema if pa.types.is_integer(f.type)]
            codec, level = STAGED_COMPRESSION
            self._writer = pq.ParquetWriter(
                self.path,
                table.schema,
                compression=codec,
                compression_level=level,
                use_dictionary=[*coded, *dates],
                column_encoding=dict.fromkeys(integers, "DELTA_BINARY_PACKED"),
                write_statistics=[f.name for f in table.schema if f.name not in coded],
                store_schema=False,  # no Arrow schema: text columns read back as text
            )
        elif table.schema != self._writer.schema:
            table = table.cast(self._writer.schema)
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))

    def close(self) -> StagedRows:
        """Finish the file, flush it to disk and return where it is."""
        self._wait()
        self._thread.shutdown()
        try:
            if self._writer is None:
                msg = "a staged file without rows"
                raise StoreError(msg)
            self._writer.close()
            self._writer = None
            with self.path.open("rb+") as handle:
                os.fsync(handle.fileno())
            digest = file_sha256(self.path)
        except OSError as exc:
            self.discard()
            raise _write_failed(exc, self.folder) from exc
        return StagedRows(path=self.path, sha256=digest, rows=self.rows)

    def discard(self) -> None:
        """Remove the staged file (after the batch being written, if any)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with contextlib.suppress(BaseException):
                pending.result()
        self._thread.shutdown()
        if self._writer is not None:
            with contextlib.suppress(Exception):
                self._writer.close()
            self._writer = None
        with contextlib.suppress(OSError):  # never written (e.g. the folder cannot be made)
            self.path.unlink(missing_ok=True)


def _adopt_staged(stored: StagedRows, dataset: str, root: Path) -> str:
    """Give a staged file its final, unique name in ``dataset``'s folder; return the name."""
    folder = dataset_dir(dataset, root)
    name = f"{uuid.uuid4().hex}.parquet"
    if stored.path.parent.resolve() != folder.resolve():
        msg = f"the staged file {stored.path} is not in {folder}; nothing was imported"
        raise StoreError(msg)
    try:
        stored.path.replace(folder / name)
        _fsync_dir(folder)
    except FileNotFoundError:
        msg = (
            f"the staged rows {stored.path} disappeared before the commit (removed by "
            "'bluehelmet data check --repair'?); nothing was imported: import the file again"
        )
        raise StoreError(msg) from None
    except OSError as exc:
        raise _write_failed(exc, folder) from exc
    return name


LOCK_KEY = "hashtext(current_schema() || '.bluehelmet.data')"
"""The advisory lock of one store: one per PostgreSQL schema."""


@contextmanager
def store_lock(engine: Engine, root: Path) -> Iterator[None]:
    """Serialize writers of one store: a file lock in ``root`` and, on PostgreSQL, an
    advisory lock in the database (so homes on other machines sharing it serialize too)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        handle = (root / LOCK_NAME).open("a+b")
    except OSError as exc:
        raise _write_failed(exc, root) from exc
    with handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            fcntl = None  # type: ignore[assignment]
        if fcntl is not None:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            if engine.dialect.name == "postgresql":
                with engine.connect() as connection:
                    connection.execute(text(f"SELECT pg_advisory_lock({LOCK_KEY})"))
                    connection.commit()
                    try:
                        yield
                    finally:
                        connection.execute(text(f"SELECT pg_advisory_unlock({LOCK_KEY})"))
                        connection.commit()
            else:
                yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def check_data_dir(engine: Engine, root: Path, *, adopt: bool = False) -> None:
    """Record ``root`` as the store's data folder, or refuse a different one.

    Two homes pointing at one database must share one data folder: otherwise each would see
    the other's manifest rows without their files. ``adopt`` records ``root`` instead (after
    the folder was moved).
    """
    resolved = str(root.resolve())
    with Session(engine) as session, session.begin():
        setting = session.get(StoreSetting, "data_dir")
        if setting is None or adopt:
            if setting is None:
                session.add(StoreSetting(key="data_dir", value=resolved))
            else:
                setting.value = resolved
            return
        _same_data_dir(session, root)


def _overlap_months(old: DataImport, months: list[date]) -> list[str]:
    return sorted({m.isoformat() for m in months} & set(old.months or []))


def planned_removals(engine: Engine, root: Path, staged: StagedFile) -> list[dict[str, Any]]:
    """Stored units (e.g. contributor-months) that importing ``staged`` would remove.

    A unit is removed when an older import holds it in a month the new file covers (or, for
    snapshot datasets, anywhere) and the new file does not list it.
    """
    removals: list[dict[str, Any]] = []
    if not inspect(engine).has_table(DataImport.__tablename__):
        return removals
    with Session(engine) as session:
        for dataset, item in staged.datasets.items():
            listed = item.units()
            for old in active_imports(session, dataset):
                if not old.parquet_file or old.input_key == staged.input_key:
                    continue
                overlap = _overlap_months(old, item.months) if item.monthly else ["all"]
                if not overlap:
                    continue
                frame = pl.read_parquet(verify_file(old, root), columns=item.identity)
                if item.monthly:
                    frame = frame.filter(
                        pl.col("month").is_in([date.fromisoformat(m) for m in overlap])
                    )
                gone = frame.unique().join(listed.unique(), on=item.identity, how="anti")
                if gone.height:
                    examples = [" ".join(str(v) for v in row) for row in gone.head(5).iter_rows()]
                    removals.append(
                        {
                            "dataset": dataset,
                            "file": old.file_name,
                            "keys": gone.height,
                            "what": " x ".join(item.identity),
                            "months": f"{len(overlap)} month(s)" if item.monthly else "all",
                            "examples": examples,
                        }
                    )
    return removals


def is_unchanged(engine: Engine, staged: StagedFile) -> bool:
    """True when the same input (file and every option deciding its rows) is fully in force."""
    if not inspect(engine).has_table(DataImport.__tablename__):
        return False
    with Session(engine) as session:
        same = session.scalars(
            select(DataImport).where(
                DataImport.input_key == staged.input_key, DataImport.status == "active"
            )
        ).all()
    by_dataset = {s.dataset: s for s in same}
    for dataset, item in staged.datasets.items():
        found = by_dataset.get(dataset)
        if found is None:
            return False
        if item.monthly and sorted(found.months or []) != sorted(
            m.isoformat() for m in item.months
        ):
            return False  # months replaced by a later file since: re-import restores them
    return bool(staged.datasets)


def commit_file(engine: Engine, root: Path, staged: StagedFile) -> CommitOutcome:
    """Store one file: write its Parquet files, then switch the manifest in one transaction.

    Older imports lose the months the file covers (trimmed into a new file, or retired when
    nothing is left); replaced files are retired, not deleted, so readers never fail.
    Call under ``store_lock`` after ``planned_removals`` was accepted.
    """
    if is_unchanged(engine, staged):
        return CommitOutcome(status="unchanged")
    outcome = CommitOutcome(status="imported")
    new_files: list[tuple[str, str]] = []
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            now = datetime.now(UTC)
            for dataset, item in staged.datasets.items():
                if item.frame is not None:
                    name, digest = write_parquet(item.frame, dataset, root)
                else:
                    assert item.stored is not None
                    name = _adopt_staged(item.stored, dataset, root)
                    digest = item.stored.sha256
                new_files.append((dataset, name))
                _fault("parquet_written")
                record = DataImport(
                    dataset=dataset,
                    format=staged.format,
                    file_name=staged.file_name,
                    file_size=staged.file_size,
                    sha256=staged.sha256,
                    month_start=item.months[0] if item.months else None,
                    month_end=item.months[-1] if item.months else None,
                    months=[m.isoformat() for m in item.months] if item.monthly else [],
                    rows_read=staged.rows_read,
                    rows_stored=item.rows,
                    rows_rejected=staged.rows_rejected,
                    totals=item.totals,
                    parquet_file=name,
                    parquet_sha256=digest,
                    input_key=staged.input_key,
                    options=staged.options,
                    status="active",
                    imported_at=now,
                )
                session.add(record)
                session.flush()
                outcome.rows_stored += item.rows
                for old in active_imports(session, dataset):
                    if old.id == record.id:
                        continue
                    overlap = _overlap_months(old, item.months) if item.monthly else ["all"]
                    if not overlap:
                        continue
                    keep = sorted(set(old.months or []) - {m.isoformat() for m in item.months})
                    if old.parquet_file:
                        session.add(
                            RetiredFile(
                                dataset=dataset, parquet_file=old.parquet_file, retired_at=now
                            )
                        )
                    if keep and item.monthly and old.parquet_file:
                        kept = pl.read_parquet(verify_file(old, root)).filter(
                            pl.col("month").is_in([date.fromisoformat(k) for k in keep])
                        )
                        name, digest = write_parquet(kept, dataset, root)
                        new_files.append((dataset, name))
                        old.parquet_file, old.parquet_sha256 = name, digest
                        old.months = keep
                        old.month_start = date.fromisoformat(keep[0])
                        old.month_end = date.fromisoformat(keep[-1])
                        old.rows_stored = kept.height
                    else:
                        old.status = "replaced"
                        old.parquet_file = None
                        old.parquet_sha256 = None
                        old.replaced_by_id = record.id
                    outcome.replaced.append(
                        {
                            "dataset": dataset,
                            "file": old.file_name,
                            "sha256": old.sha256,
                            "months": overlap if overlap != ["all"] else old.months or "all",
                        }
                    )
            _fault("before_commit")
    except BaseException:
        for dataset, name in new_files:
            (dataset_dir(dataset, root) / name).unlink(missing_ok=True)
        raise
    _fault("after_commit")
    return outcome


def _fault(stage: str) -> None:
    """Test hook: ``BLUEHELMET_FAULT=<stage>`` kills the process at that stage (kill -9)."""
    if os.environ.get("BLUEHELMET_FAULT") == stage:
        os._exit(137)


def collect_retired(engine: Engine, root: Path, *, grace: timedelta = RETIRED_GRACE) -> int:
    """Delete retired files older than ``grace`` (no reader can still be using them)."""
    if not inspect(engine).has_table(RetiredFile.__tablename__):
        return 0
    limit = datetime.now(UTC) - grace
    deleted = 0
    with Session(engine) as session, session.begin():
        named = _named_files(session)
        for row in session.scalars(select(RetiredFile)):
            retired = (
                row.retired_at if row.retired_at.tzinfo else row.retired_at.replace(tzinfo=UTC)
            )
            if retired > limit:
                continue
            if (row.dataset, row.parquet_file) not in named and PARQUET_NAME.match(
                row.parquet_file
            ):
                (dataset_dir(row.dataset, root) / row.parquet_file).unlink(missing_ok=True)
                deleted += 1
            session.delete(row)
    return deleted


def _named_files(session: Session) -> set[tuple[str, str]]:
    rows = session.execute(
        select(DataImport.dataset, DataImport.parquet_file).where(
            DataImport.parquet_file.is_not(None)
        )
    ).all()
    return {(d, f) for d, f in rows if f}


@dataclass(slots=True)
class StoreProblem:
    """One finding of ``check_store``."""

    kind: str  # "missing", "damaged", "orphan", "partial", "unrecorded_data_dir", ...
    dataset: str
    path: str
    message: str
    import_id: int | None = None
    file_name: str | None = None
    sha256: str | None = None
    repaired: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "kind": self.kind,
            "dataset": self.dataset,
            "path": self.path,
            "message": self.message,
            "source": self.file_name,
            "repaired": self.repaired,
        }


def check_store(
    engine: Engine,
    root: Path,
    datasets: Sequence[str],
    *,
    repair: bool = False,
    restore: Callable[[StoreProblem], pl.DataFrame | None] | None = None,
) -> list[StoreProblem]:
    """The store's health: missing or damaged files, orphans and leftovers, under the lock.

    With ``repair``: orphans and ``.partial`` files are deleted, retired files past their grace
    period too, and a missing or damaged file is rewritten from ``restore`` (which re-reads
    the source file; None when it cannot be found), else its import is marked ``lost`` so the
    store answers without it (reported: import the file again to restore it).
    """
    problems: list[StoreProblem] = []
    if not inspect(engine).has_table(DataImport.__tablename__):
        return problems
    with store_lock(engine, root):
        if inspect(engine).has_table(StoreSetting.__tablename__):
            with Session(engine) as session:
                _same_data_dir(session, root)  # never "repair" another home's store
        if repair:
            collect_retired(engine, root)
        with Session(engine, expire_on_commit=False) as session:
            rows = [r for r in active_imports(session) if r.parquet_file]
        for row in rows:
            try:
                verify_file(row, root)
            except StoreError as exc:
                assert row.parquet_file is not None
                path = dataset_dir(row.dataset, root) / row.parquet_file
                problem = StoreProblem(
                    kind="missing" if not path.exists() else "damaged",
                    dataset=row.dataset,
                    path=str(path),
                    message=str(exc),
                    import_id=row.id,
                    file_name=row.file_name,
                    sha256=row.sha256,
                )
                problems.append(problem)
                if repair:
                    _repair(engine, root, row, problem, restore)
        with Session(engine) as session:
            named = _named_files(session)
            named |= {(r.dataset, r.parquet_file) for r in session.scalars(select(RetiredFile))}
        for dataset in datasets:
            folder = dataset_dir(dataset, root)
            if not folder.is_dir():
                continue
            for path in sorted(folder.iterdir()):
                name = path.name
                if name.endswith(".partial"):
                    kind = "partial"
                elif PARQUET_NAME.match(name) and (dataset, name) not in named:
                    kind = "orphan"
                else:
                    continue
                problem = StoreProblem(
                    kind=kind,
                    dataset=dataset,
                    path=str(path),
                    message=f"{path} is named by no import (left over by an interrupted write)",
                )
                if repair:
                    path.unlink(missing_ok=True)
                    problem.repaired = "deleted"
                problems.append(problem)
    return problems


def _repair(
    engine: Engine,
    root: Path,
    row: DataImport,
    problem: StoreProblem,
    restore: Callable[[StoreProblem], pl.DataFrame | None] | None,
) -> None:
    frame = restore(problem) if restore is not None else None
    with Session(engine) as session, session.begin():
        current = session.get(DataImport, row.id)
        assert current is not None
        if frame is not None and row.months:
            frame = frame.filter(pl.col("month").is_in([date.fromisoformat(m) for m in row.months]))
        if frame is None:
            current.status = "lost"
            current.parquet_file = None
            current.parquet_sha256 = None
            problem.repaired = (
                "dropped from the store (source file not found): import "
                f"{Path(row.file_name).name} again to restore it"
            )
            return
        name, digest = write_parquet(frame, row.dataset, root)
        if current.parquet_file:
            session.add(
                RetiredFile(
                    dataset=row.dataset,
                    parquet_file=current.parquet_file,
                    retired_at=datetime.now(UTC),
                )
            )
        current.parquet_file, current.parquet_sha256 = name, digest
        current.rows_stored = frame.height
        problem.repaired = f"rewritten from {Path(row.file_name).name}"
