"""Preparing source files for import: detect, parse, reconcile and stage; nothing is written.

Every file is read and checked before anything is written. The store commits the staged
files (``bluehelmet.store.contributions.commit_file``); the service runs the whole use case
(``bluehelmet.services.data.import_files``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from bluehelmet.domain.contributions import StagedDataset, StagedFile
from bluehelmet.errors import BluehelmetError, InputError
from bluehelmet.sources._adapter import Adapter, Parsed
from bluehelmet.sources._common import Issue, RawFile, read_raw
from bluehelmet.sources.detect import adapter as adapter_named
from bluehelmet.sources.detect import detect
from bluehelmet.sources.reconcile import NameMapping, Reconciler, UnknownName
from bluehelmet.sources.schemas import IDENTITY, MONTHLY_DATASETS, conform

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
class PreparedFile:
    """A source file parsed, reconciled and staged for the store, with its result so far."""

    raw: RawFile
    adapter: Adapter
    result: FileResult
    staged: StagedFile


def input_key(
    raw: RawFile,
    chosen: Adapter,
    *,
    forced: bool,
    mapping: NameMapping,
    skip_unknown: bool,
    aliases: Path | None,
) -> tuple[str, dict[str, Any]]:
    """The idempotency key of an import and the options it covers.

    It covers the file and everything that decides its rows: the adapter (and whether it was
    forced), the mapping's contents, ``skip_unknown`` and the alias table's contents.
    """
    alias_digest = None
    if aliases is not None:
        try:
            alias_digest = hashlib.sha256(aliases.read_bytes()).hexdigest()
        except OSError as exc:
            msg = f"cannot read the alias file: {exc.strerror or exc}"
            raise InputError(msg, file=aliases) from exc
    options: dict[str, Any] = {
        "format": chosen.name,
        "forced": forced,
        "mapping": {
            "countries": dict(sorted(mapping.countries.items())),
            "missions": dict(sorted(mapping.missions.items())),
        },
        "skip_unknown": skip_unknown,
        "aliases": str(aliases) if aliases is not None else None,
        "aliases_sha256": alias_digest,
    }
    payload = json.dumps({"sha256": raw.sha256, **options}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest(), options


def _parse(chosen: Adapter, raw: RawFile, *, forced: bool) -> Parsed:
    """Run the adapter; a file without the format's columns is refused with a message."""
    if forced and chosen.score(raw.header) == 0:
        missing = sorted(chosen.signature - {h.strip() for h in raw.header})
        what = (
            f"missing column(s) {', '.join(repr(m) for m in missing[:8])}"
            if missing
            else ("its columns are not recognised")
        )
        msg = f"not a {chosen.name} file: {what} (header: {', '.join(raw.header[:12])})"
        raise InputError(msg, file=raw.path, line=1)
    try:
        return chosen.parse(raw)
    except (KeyError, pl.exceptions.PolarsError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = f"cannot be read as {chosen.name}: {first}"
        raise InputError(msg, file=raw.path) from exc


def prepare_files(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    mapping: str | Path | NameMapping | None = None,
    skip_unknown: bool = False,
    aliases: str | Path | None = None,
    progress: Progress | None = None,
) -> list[PreparedFile]:
    """Read, parse and reconcile ``paths``; nothing is written.

    ``format`` forces an adapter (see ``bluehelmet.sources.FORMATS``); ``mapping`` resolves
    names the registry does not know; ``skip_unknown`` drops (and reports) rows that stay
    unresolved instead of refusing. Raises ``InputError`` for malformed files and
    ``UnreconciledError`` for unresolved names.
    """
    names = (
        mapping
        if isinstance(mapping, NameMapping)
        else (NameMapping.from_file(mapping) if mapping is not None else NameMapping())
    )
    reconciler = Reconciler(names)
    alias_path = Path(aliases) if aliases is not None else None
    total = len(paths)
    prepared: list[PreparedFile] = []
    unknown_all: list[tuple[str, UnknownName]] = []
    for index, path in enumerate(paths):
        if progress:
            progress(f"reading {Path(path).name}", index, total * 2)
        raw = read_raw(Path(path))
        chosen = (
            adapter_named(format, aliases=alias_path) if format else detect(raw, aliases=alias_path)
        )
        parsed = _parse(chosen, raw, forced=format is not None)
        parsed, unknown = reconciler.apply(parsed)
        unknown_all.extend((raw.name, u) for u in unknown)
        key, options = input_key(
            raw,
            chosen,
            forced=format is not None,
            mapping=names,
            skip_unknown=skip_unknown,
            aliases=alias_path,
        )
        prepared.append(_stage(raw, chosen, parsed, unknown, key, options))
    if unknown_all and not skip_unknown:
        raise UnreconciledError(unknown_all)
    return prepared


def _months(frame: pl.DataFrame) -> list[date]:
    if "month" not in frame.columns:
        return []
    return sorted(frame.get_column("month").drop_nulls().unique().to_list())


def _stage(  # noqa: PLR0917 - one private call site
    raw: RawFile,
    chosen: Adapter,
    parsed: Parsed,
    unknown: list[UnknownName],
    key: str,
    options: dict[str, Any],
) -> PreparedFile:
    result = FileResult(
        file=raw.name,
        format=chosen.name,
        sha256=raw.sha256,
        datasets=list(parsed.frames),
        rows_read=parsed.rows_read,
        rows_rejected=parsed.rejected,
        issues=list(parsed.issues),
        skipped=list(unknown),
        rows_skipped_unknown=len({n for u in unknown for n in u.lines}),
        personnel_skipped_unknown=sum(u.personnel or 0 for u in unknown),
    )
    covered = {ds: parsed.covered.get(ds) or _months(f) for ds, f in parsed.frames.items()}
    result.months = sorted({m.isoformat() for months in covered.values() for m in months})
    datasets: dict[str, StagedDataset] = {}
    for dataset, published in parsed.frames.items():
        frame = published
        listed = None  # the units of the stored rows, and those the file lists only with zeros
        if "count" in frame.columns:
            positive = (pl.col("count") > 0).fill_null(value=False)
            listed = published.filter(~positive).select(IDENTITY[dataset])
            frame = frame.filter(positive)  # zero cells list a unit, store nothing
        totals: dict[str, int] = {}
        if dataset == chosen.dataset and {"count", "category"} <= set(frame.columns):
            sums = frame.group_by("category").agg(pl.col("count").sum()).sort("category")
            totals = {str(k): int(v) for k, v in sums.iter_rows()}
            result.totals = totals
        stored = conform(
            dataset,
            frame.rename({"_line": "line"}).with_columns(
                pl.lit(chosen.name).alias("source"), pl.lit(raw.sha256).alias("sha256")
            ),
        )
        datasets[dataset] = StagedDataset(
            frame=stored,
            months=covered[dataset] if dataset in MONTHLY_DATASETS else [],
            monthly=dataset in MONTHLY_DATASETS,
            identity=IDENTITY[dataset],
            listed=listed,
            totals=totals,
        )
    staged = StagedFile(
        file_name=raw.name,
        file_size=raw.size,
        sha256=raw.sha256,
        format=chosen.name,
        input_key=key,
        options=options,
        rows_read=parsed.rows_read,
        rows_rejected=parsed.rejected,
        datasets=datasets,
    )
    return PreparedFile(raw=raw, adapter=chosen, result=result, staged=staged)
