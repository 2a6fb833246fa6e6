"""Preparing source files for import: detect, parse, reconcile and stage; nothing is written.

Every file is read and checked before anything is written. The store commits the staged
files (``bluehelmet.store.contributions.commit_file``); the service runs the whole use case
(``bluehelmet.services.data.import_files``).
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bluehelmet.domain.contributions import RowSink, StagedDataset, StagedFile
from bluehelmet.errors import BluehelmetError, InputError
from bluehelmet.sources._adapter import Adapter, NotStreamableError, Parsed
from bluehelmet.sources._common import Issue, RawFile, read_raw
from bluehelmet.sources.detect import adapter as adapter_named
from bluehelmet.sources.detect import detect
from bluehelmet.sources.reconcile import NameMapping, Reconciler, UnknownName
from bluehelmet.sources.schemas import IDENTITY, MONTHLY_DATASETS, conform

Progress = Callable[[str, int, int], None]
SinkFactory = Callable[[str], RowSink]
"""Opens the staged file of a dataset for a streamed import."""


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
    sinks: list[RowSink] = field(default_factory=list)
    """Staged files of a streamed import (adopted by the commit)."""

    def discard(self) -> None:
        """Remove the staged files that no commit adopted (none remain after a commit)."""
        for sink in self.sinks:
            sink.discard()


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

    It covers the file and everything that decides its rows: the adapter (its revision, and
    whether it was forced), the mapping's contents, ``skip_unknown`` and the alias table's
    contents.
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
    if chosen.revision > 1:  # keys of files read by a first revision stay as they were
        options["revision"] = chosen.revision
    payload = json.dumps({"sha256": raw.sha256, **options}, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest(), options


def _check_forced(chosen: Adapter, raw: RawFile) -> None:
    """A forced format must match the file's columns; refused with a message otherwise."""
    if chosen.score(raw.header) == 0:
        missing = sorted(chosen.signature - {h.strip() for h in raw.header})
        what = (
            f"missing column(s) {', '.join(repr(m) for m in missing[:8])}"
            if missing
            else ("its columns are not recognised")
        )
        msg = f"not a {chosen.name} file: {what} (header: {', '.join(raw.header[:12])})"
        raise InputError(msg, file=raw.path, line=1)


def _parse(chosen: Adapter, raw: RawFile, *, chunk: bool = False) -> Parsed:
    """Run the adapter; a file without the format's columns is refused with a message."""
    try:
        return chosen.parse_chunk(raw) if chunk else chosen.parse(raw)
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
    sink: SinkFactory | None = None,
) -> list[PreparedFile]:
    """Read, parse and reconcile ``paths``; nothing is written but staged files.

    ``format`` forces an adapter (see ``bluehelmet.sources.FORMATS``); ``mapping`` resolves
    names the registry does not know; ``skip_unknown`` drops (and reports) rows that stay
    unresolved instead of refusing. With ``sink`` (dataset -> ``RowSink``), formats that
    can stream are read chunk by chunk and their rows written to staged files as they are
    checked, so memory stays bounded; without it, or for files that need checks across
    all rows (summary or repeated rows), files are read whole. Raises ``InputError`` for
    malformed files and ``UnreconciledError`` for unresolved names; staged files are then
    removed.
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
    try:
        for index, path in enumerate(paths):
            if progress:
                progress(f"reading {Path(path).name}", index, total * 2)
            raw = read_raw(Path(path))
            chosen = (
                adapter_named(format, aliases=alias_path)
                if format
                else detect(raw, aliases=alias_path)
            )
            if format is not None:
                _check_forced(chosen, raw)
            key_of = partial(
                input_key,
                raw,
                chosen,
                forced=format is not None,
                mapping=names,
                skip_unknown=skip_unknown,
                aliases=alias_path,
            )  # after the parse: the file's SHA-256 is computed meanwhile
            item = _stream(raw, chosen, reconciler, sink, key_of) if sink else None
            if item is None:
                parsed = _parse(chosen, raw)
                parsed, unknown = reconciler.apply(parsed)
                key, options = key_of()
                item = _stage(raw, chosen, parsed, unknown, key, options)
            prepared.append(item)
            unknown_all.extend((raw.name, u) for u in item.result.skipped)
        if unknown_all and not skip_unknown:
            raise UnreconciledError(unknown_all)
    except BaseException:
        for item in prepared:
            item.discard()
        raise
    return prepared


def _stream(
    raw: RawFile,
    chosen: Adapter,
    reconciler: Reconciler,
    sink: SinkFactory,
    key_of: Callable[[], tuple[str, dict[str, Any]]],
) -> PreparedFile | None:
    """Read ``raw`` chunk by chunk into staged files; None when it must be read whole.

    Each chunk is checked, reconciled and written as it is read; what the file's summary
    needs (issues, unknown names, months, listed units, totals) is combined across chunks.
    """
    sinks: dict[str, RowSink] = {}
    combined = _Combined()
    chunks = raw.chunks()
    reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bluehelmet-read")
    parser = ThreadPoolExecutor(max_workers=PARSERS, thread_name_prefix="bluehelmet-parse")
    ahead: deque[tuple[Future[RawFile | None], Future[Parsed | None]]] = deque()

    def read_on() -> None:  # the next chunk: read in order, parsed beside the one before
        read = reader.submit(next, chunks, None)
        ahead.append((read, parser.submit(_parse_read, chosen, read)))

    try:
        for _ in range(PARSERS):
            read_on()
        while (parsed := ahead.popleft()[1].result()) is not None:
            read_on()  # read and parse on while this one is stored
            parsed, unknown = reconciler.apply(parsed)
            combined.add(parsed, unknown)
            for dataset, frame in parsed.frames.items():
                rows = combined.stage(dataset, chosen, frame, raw.sha256)
                if dataset not in sinks:
                    sinks[dataset] = sink(dataset)
                sinks[dataset].write(rows)
        if combined.repeated():
            msg = "rows repeat across chunks"
            raise NotStreamableError(msg)
        stored = {dataset: s.close() for dataset, s in sinks.items()}
    except NotStreamableError:
        for s in sinks.values():
            s.discard()
        return None
    except BaseException:
        for s in sinks.values():
            s.discard()
        raise
    finally:
        for read, parse in ahead:
            parse.cancel()
            read.cancel()
        parser.shutdown(wait=True)
        reader.shutdown(wait=True)
        chunks.close()
    key, options = key_of()
    unknown = combined.unknown_names()
    result = FileResult(
        file=raw.name,
        format=chosen.name,
        sha256=raw.sha256,
        datasets=list(stored),
        rows_read=combined.rows_read,
        rows_rejected=combined.rejected,
        issues=combined.issue_list(),
        skipped=unknown,
        rows_skipped_unknown=len({n for u in unknown for n in u.lines}),
        personnel_skipped_unknown=sum(u.personnel or 0 for u in unknown),
    )
    datasets: dict[str, StagedDataset] = {}
    for dataset, staged_rows in stored.items():
        months = sorted(combined.covered.get(dataset, set()))
        totals = dict(sorted(combined.totals.get(dataset, {}).items()))
        if dataset == chosen.dataset and totals:
            result.totals = totals
        datasets[dataset] = StagedDataset(
            frame=None,
            months=months,
            monthly=dataset in MONTHLY_DATASETS,
            identity=IDENTITY[dataset],
            listed=combined.listed_units(dataset),
            totals=totals,
            stored=staged_rows,
        )
    result.months = sorted({m.isoformat() for d in datasets for m in combined.covered.get(d, ())})
    staged = StagedFile(
        file_name=raw.name,
        file_size=raw.size,
        sha256=raw.sha256,
        format=chosen.name,
        input_key=key,
        options=options,
        rows_read=combined.rows_read,
        rows_rejected=combined.rejected,
        datasets=datasets,
    )
    return PreparedFile(
        raw=raw, adapter=chosen, result=result, staged=staged, sinks=list(sinks.values())
    )


PARSERS = 2
"""Chunks parsed at once (each in its own thread; the checks after polars' parse are
single-threaded, so two chunks keep two cores busy)."""


def _parse_read(chosen: Adapter, read: Future[RawFile | None]) -> Parsed | None:
    """A chunk parsed once it is read, or None at the end of the file."""
    chunk = read.result()
    return _parse(chosen, chunk, chunk=True) if chunk is not None else None


def _first_of_unit(frame: pl.DataFrame, identity: list[str]) -> pl.Expr:
    """True on the first row of each unit; a date and a categorical pack into one integer."""
    kinds = [frame.schema[c] for c in identity]
    if len(identity) == 2 and kinds[0] == pl.Date and kinds[1] == pl.Categorical:
        days, code = (pl.col(c).to_physical().cast(pl.Int64) for c in identity)
        return (days * (1 << 32) + code).is_first_distinct()
    return pl.struct(identity).is_first_distinct()


class _Combined:
    """What a streamed file's chunks add up to: counts, issues, names, months, units, totals."""

    def __init__(self) -> None:
        self.rows_read = 0
        self.rejected = 0
        self.issues: dict[tuple[str, str], Issue] = {}
        self.unknown: dict[tuple[str, str, str, str], UnknownName] = {}
        self.covered: dict[str, set[date]] = {}
        self.units: dict[str, list[pl.DataFrame]] = {}
        self.totals: dict[str, dict[str, int]] = {}
        self.keys: list[pl.Series] = []

    def add(self, parsed: Parsed, unknown: list[UnknownName]) -> None:
        """Count one chunk's rows, issues and unknown names."""
        self.rows_read += parsed.rows_read
        self.rejected += parsed.rejected
        for issue in parsed.issues:
            known = self.issues.get((issue.kind, issue.message))
            if known is None:
                self.issues[issue.kind, issue.message] = issue
            else:
                known.lines.extend(issue.lines)
                known.count += issue.count
                known.details.extend(issue.details)
        for u in unknown:
            seen = self.unknown.get((u.kind, u.name, u.dataset, u.column))
            if seen is None:
                self.unknown[u.kind, u.name, u.dataset, u.column] = u
            else:
                seen.lines.extend(u.lines)
                if u.personnel is not None:
                    seen.personnel = (seen.personnel or 0) + u.personnel
        for dataset, frame in parsed.frames.items():
            months = parsed.covered.get(dataset) or _months(frame)
            self.covered.setdefault(dataset, set()).update(months)
        if parsed.keys is not None:
            self.keys.append(parsed.keys)

    def stage(
        self, dataset: str, chosen: Adapter, frame: pl.DataFrame, sha256: str
    ) -> pl.DataFrame:
        """One chunk's rows to store (zero cells only list their unit), in the stored layout."""
        identity = IDENTITY[dataset]
        units = frame.select(identity).filter(_first_of_unit(frame, identity))
        self.units.setdefault(dataset, []).append(
            units.with_columns(
                pl.col(c).cast(pl.Utf8) for c in identity if units.schema[c] == pl.Categorical
            )
        )
        if "count" in frame.columns:
            frame = frame.filter((pl.col("count") > 0).fill_null(value=False))
        if dataset == chosen.dataset and {"count", "category"} <= set(frame.columns):
            sums = self.totals.setdefault(dataset, {})
            by = frame.group_by("category").agg(pl.col("count").sum())
            for category, count in by.iter_rows():
                sums[str(category)] = sums.get(str(category), 0) + int(count)
        # one value each: an enum of it is written dictionary-encoded without building a
        # dictionary per batch (as a categorical's conversion to Arrow does)
        frame = frame.rename({"_line": "line"}).with_columns(
            pl.lit(chosen.name).cast(pl.Enum([chosen.name])).alias("source"),
            pl.lit(sha256).cast(pl.Enum([sha256])).alias("sha256"),
        )
        return conform(dataset, frame, keep_categorical=True)

    def repeated(self) -> bool:
        """Whether a row's key appears in two chunks (8 bytes a row, merged once at the end)."""
        if len(self.keys) < 2:
            return False
        keys = np.concatenate([k.to_numpy() for k in self.keys])
        self.keys = []
        keys.sort(kind="stable")  # each chunk's keys come sorted: the runs are merged
        return bool((keys[1:] == keys[:-1]).any())

    def issue_list(self) -> list[Issue]:
        """The combined issues, in the order they were first found."""
        return list(self.issues.values())

    def unknown_names(self) -> list[UnknownName]:
        """The combined unknown names, in the order they were first found."""
        return list(self.unknown.values())

    def listed_units(self, dataset: str) -> pl.DataFrame | None:
        """Every unit the file lists in ``dataset`` (stored or only with zeros)."""
        parts = self.units.get(dataset)
        return pl.concat(parts, how="vertical_relaxed").unique() if parts else None


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
            months=covered[dataset],
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
