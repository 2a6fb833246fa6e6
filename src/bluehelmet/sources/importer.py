"""Import of source files: detect, parse, reconcile, then store atomically and idempotently.

Every file is read and checked before anything is written. Each file then commits on its
own: its Parquet files are written under new names, and one SQL transaction switches the
manifest to them (and trims or retires what they replace). Readers only see files named by
committed manifest rows, so an interrupted import leaves the store as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Engine, select

from bluehelmet.errors import BluehelmetError
from bluehelmet.sources._adapter import Adapter, Parsed
from bluehelmet.sources._common import Issue, RawFile, read_raw
from bluehelmet.sources.detect import adapter as adapter_named
from bluehelmet.sources.detect import detect
from bluehelmet.sources.reconcile import NameMapping, Reconciler, UnknownName
from bluehelmet.sources.schemas import MONTHLY_DATASETS, conform

Progress = Callable[[str, int, int], None]


class UnreconciledError(BluehelmetError):
    """Names that could not be reconciled; nothing was imported."""

    def __init__(self, unknown: Sequence[tuple[str, UnknownName]]) -> None:
        self.unknown = list(unknown)
        parts = []
        for file, u in self.unknown[:10]:
            hint = f" (did you mean {', '.join(u.suggestions)}?)" if u.suggestions else ""
            lines = ", ".join(str(n) for n in u.lines[:5]) + (", ..." if len(u.lines) > 5 else "")
            parts.append(f"{file}: unknown {u.kind} {u.name!r} on line(s) {lines}{hint}")
        more = len(self.unknown) - len(parts)
        msg = (
            f"{len(self.unknown)} name(s) could not be reconciled; nothing was imported. "
            "Resolve them with a mapping file (--mapping) or pass --skip-unknown.\n  "
            + "\n  ".join(parts)
            + (f"\n  ... and {more} more" if more > 0 else "")
        )
        super().__init__(msg)

    def report(self) -> list[dict[str, Any]]:
        """The reconciliation report as rows."""
        return [{"file": f, **u.as_dict()} for f, u in self.unknown]


@dataclass(slots=True)
class FileResult:
    """What one file's import did."""

    file: str
    format: str
    sha256: str
    status: str = "imported"  # "imported" or "unchanged"
    datasets: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_stored: int = 0
    rows_rejected: int = 0
    rows_skipped_unknown: int = 0
    personnel_skipped_unknown: int = 0
    months: list[str] = field(default_factory=list)
    replaced: list[dict[str, Any]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    skipped: list[UnknownName] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary."""
        return {
            "file": self.file,
            "format": self.format,
            "sha256": self.sha256,
            "status": self.status,
            "datasets": self.datasets,
            "rows_read": self.rows_read,
            "rows_stored": self.rows_stored,
            "rows_rejected": self.rows_rejected,
            "rows_skipped_unknown": self.rows_skipped_unknown,
            "personnel_skipped_unknown": self.personnel_skipped_unknown,
            "month_first": self.months[0] if self.months else None,
            "month_last": self.months[-1] if self.months else None,
            "months": len(self.months),
            "replaced": self.replaced,
            "totals": self.totals,
            "issues": [i.as_dict() for i in self.issues],
            "skipped": [u.as_dict() for u in self.skipped],
        }


@dataclass(slots=True)
class _Prepared:
    raw: RawFile
    adapter: Adapter
    parsed: Parsed
    unknown: list[UnknownName]


def import_files(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    mapping: str | Path | NameMapping | None = None,
    skip_unknown: bool = False,
    aliases: str | Path | None = None,
    engine: Engine,
    data_dir: Path,
    progress: Progress | None = None,
) -> list[FileResult]:
    """Import ``paths`` into the store; returns one result per file.

    ``format`` forces an adapter (see ``bluehelmet.sources.FORMATS``); ``mapping`` resolves
    names the registry does not know; ``skip_unknown`` drops (and reports) rows that stay
    unresolved instead of refusing the import. Raises ``InputError`` for malformed files and
    ``UnreconciledError`` for unresolved names, in both cases before anything is written.
    """
    from bluehelmet.store import upgrade

    names = (
        mapping
        if isinstance(mapping, NameMapping)
        else (NameMapping.from_file(mapping) if mapping is not None else None)
    )
    reconciler = Reconciler(names)
    alias_path = Path(aliases) if aliases is not None else None
    total = len(paths)
    prepared: list[_Prepared] = []
    for index, path in enumerate(paths):
        if progress:
            progress(f"reading {Path(path).name}", index, total * 2)
        raw = read_raw(Path(path))
        chosen = (
            adapter_named(format, aliases=alias_path) if format else detect(raw, aliases=alias_path)
        )
        parsed = chosen.parse(raw)
        parsed, unknown = reconciler.apply(parsed)
        prepared.append(_Prepared(raw, chosen, parsed, unknown))
    refused = [(p.raw.name, u) for p in prepared for u in p.unknown]
    if refused and not skip_unknown:
        raise UnreconciledError(refused)
    from bluehelmet.store.contributions import import_lock

    results = []
    with import_lock(data_dir):
        upgrade(engine)
        for index, item in enumerate(prepared):
            if progress:
                progress(f"storing {item.raw.path.name}", total + index, total * 2)
            results.append(_store(item, engine, data_dir))
    if progress:
        progress("done", total * 2, total * 2)
    return results


def _months(frame: pl.DataFrame) -> list[date]:
    if "month" not in frame.columns:
        return []
    return sorted(frame.get_column("month").drop_nulls().unique().to_list())


def _store(item: _Prepared, engine: Engine, data_dir: Path) -> FileResult:
    from bluehelmet.store.contributions import (
        DataImport,
        active_imports,
        dataset_dir,
        write_parquet,
    )
    from bluehelmet.store.session import session_scope

    raw, parsed = item.raw, item.parsed
    result = FileResult(
        file=raw.name,
        format=item.adapter.name,
        sha256=raw.sha256,
        datasets=list(parsed.frames),
        rows_read=parsed.rows_read,
        rows_rejected=parsed.rejected,
        issues=list(parsed.issues),
        skipped=list(item.unknown),
        rows_skipped_unknown=len({n for u in item.unknown for n in u.lines}),
        personnel_skipped_unknown=sum(u.personnel or 0 for u in item.unknown),
    )
    frames = dict(parsed.frames)
    covered = {ds: parsed.covered.get(ds) or _months(f) for ds, f in frames.items()}
    all_months = sorted({m for months in covered.values() for m in months})
    result.months = [m.isoformat() for m in all_months]
    main = frames.get(item.adapter.dataset)
    if main is not None and "count" in main.columns and "category" in main.columns:
        sums = main.group_by("category").agg(pl.col("count").sum()).sort("category")
        result.totals = {str(k): int(v) for k, v in sums.iter_rows()}
    new_files: list[tuple[str, str]] = []
    obsolete: list[tuple[str, str]] = []
    try:
        with session_scope(engine) as session:
            same = session.scalars(
                select(DataImport).where(
                    DataImport.sha256 == raw.sha256,
                    DataImport.format == item.adapter.name,
                    DataImport.status == "active",
                )
            ).all()
            if same and {s.dataset for s in same} >= set(frames):
                result.status = "unchanged"
                result.rows_stored = 0
                return result
            now = datetime.now(UTC)
            for dataset, frame in frames.items():
                months = covered[dataset]
                stored = conform(
                    dataset,
                    frame.rename({"_line": "line"}).with_columns(
                        pl.lit(item.adapter.name).alias("source"),
                        pl.lit(raw.sha256).alias("sha256"),
                    ),
                )
                record = DataImport(
                    dataset=dataset,
                    format=item.adapter.name,
                    file_name=raw.name,
                    file_size=raw.size,
                    sha256=raw.sha256,
                    month_start=months[0] if months else None,
                    month_end=months[-1] if months else None,
                    months=[m.isoformat() for m in months] if dataset in MONTHLY_DATASETS else [],
                    rows_read=parsed.rows_read,
                    rows_stored=stored.height,
                    rows_rejected=parsed.rejected,
                    totals=result.totals if dataset == item.adapter.dataset else {},
                    status="active",
                    imported_at=now,
                )
                session.add(record)
                session.flush()
                record.parquet_file = write_parquet(stored, dataset, data_dir)
                new_files.append((dataset, record.parquet_file))
                result.rows_stored += stored.height
                month_set = {m.isoformat() for m in months}
                for old in active_imports(session, dataset):
                    if old.id == record.id:
                        continue
                    overlap = (
                        sorted(month_set & set(old.months))
                        if dataset in MONTHLY_DATASETS
                        else ["all"]
                    )
                    if not overlap:
                        continue
                    keep = sorted(set(old.months) - month_set)
                    if old.parquet_file:
                        obsolete.append((dataset, old.parquet_file))
                    if keep and dataset in MONTHLY_DATASETS and old.parquet_file:
                        kept = pl.read_parquet(
                            dataset_dir(dataset, data_dir) / old.parquet_file
                        ).filter(pl.col("month").is_in([date.fromisoformat(k) for k in keep]))
                        old.parquet_file = write_parquet(kept, dataset, data_dir)
                        new_files.append((dataset, old.parquet_file))
                        old.months = keep
                        old.month_start = date.fromisoformat(keep[0])
                        old.month_end = date.fromisoformat(keep[-1])
                        old.rows_stored = kept.height
                    else:
                        old.status = "replaced"
                        old.parquet_file = None
                        old.replaced_by_id = record.id
                    result.replaced.append(
                        {
                            "dataset": dataset,
                            "file": old.file_name,
                            "sha256": old.sha256,
                            "months": overlap if overlap != ["all"] else old.months or "all",
                        }
                    )
    except BaseException:
        for dataset, name in new_files:
            (dataset_dir(dataset, data_dir) / name).unlink(missing_ok=True)
        raise
    for dataset, name in obsolete:
        (dataset_dir(dataset, data_dir) / name).unlink(missing_ok=True)
    return result
