"""Contribution data use cases: import, sync, status and the normalized tables.

Shared by the CLI and the REST API. Every function takes the store's ``Core`` (keyword
``core``; the process's default core for the environment when omitted). Readers see only
what committed imports name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from sqlalchemy import inspect, select

from bluehelmet.domain.contributions import CONTRIBUTION_SCHEMA
from bluehelmet.domain.registry import PersonnelCategory
from bluehelmet.errors import InputError
from bluehelmet.services.core import Core, default_core
from bluehelmet.sources.schemas import DATASETS, schema

__all__ = [
    "contributions",
    "data_check",
    "data_status",
    "data_version",
    "fatalities",
    "import_files",
    "locations",
    "mandates",
    "mission_list",
    "mission_totals",
    "official_ranking",
    "read",
    "scan",
    "scan_contributions",
    "sql",
    "sync",
]

MonthRange = date | str | tuple[date | str | None, date | str | None] | None


def read(dataset: str, *, core: Core | None = None) -> pl.DataFrame:
    """The stored rows of ``dataset`` (empty, typed, when nothing is stored).

    The files in force are checked (SHA-256, re-read when their size or modification time
    changed) on every call; their rows are read once and kept by the core while the same
    files are in force, so the many questions of one process read the store once. The
    contribution rows also keep the codes of their keys (``analytics.keep_codes``), computed
    by the first question that needs them, for as long as the core keeps the rows. The frame
    is shared: do not change it in place.
    """
    from bluehelmet.store.contributions import active_files

    if dataset not in DATASETS:
        from bluehelmet.errors import UnknownNameError

        raise UnknownNameError("dataset", dataset, DATASETS)
    core = default_core(core)
    files = active_files(core.engine, dataset, core.data_dir)
    if not files:
        return pl.DataFrame(schema=schema(dataset))
    names = tuple(str(f) for f in files)

    def load() -> pl.DataFrame:
        frame = pl.read_parquet(list(names))
        if dataset == "contributions":
            from bluehelmet.analytics import keep_codes

            keep_codes(frame)
        return frame

    frame: pl.DataFrame = core.frame(dataset, names, load)
    return frame


def scan(dataset: str, *, core: Core | None = None) -> pl.LazyFrame:
    """Lazy frame over the stored rows of ``dataset`` (see ``read``)."""
    return read(dataset, core=core).lazy()


def scan_contributions(*, core: Core | None = None) -> pl.LazyFrame:
    """Lazy frame over the normalized contribution table (``CONTRIBUTION_COLUMNS``)."""
    return scan("contributions", core=core)


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def contributions(
    months: MonthRange = None,
    contributor: str | Sequence[str] | None = None,
    mission: str | Sequence[str] | None = None,
    category: str | PersonnelCategory | Sequence[str | PersonnelCategory] | None = None,
    source: str | Sequence[str] | None = None,
    *,
    core: Core | None = None,
) -> pl.DataFrame:
    """The normalized contribution rows, filtered.

    ``months``: one month (a date or ``YYYY-MM`` text) or an inclusive ``(start, end)`` range
    of them (either may be None). ``contributor``, ``mission``, ``category`` and ``source`` are
    resolved as the registry does (``Ghana``, ``gh`` or ``GHA``; ``monusco``) by the one
    ``ContributionFilter``; an unknown name raises ``UnknownNameError`` with suggestions.
    """
    from bluehelmet.analytics import ContributionFilter

    if months is None or isinstance(months, date | str):
        first = last = months
    else:
        first, last = months
    where = ContributionFilter.of(
        start=first,
        end=last,
        contributors=_as_list(contributor),
        missions=_as_list(mission),
        categories=_as_list(category),
        sources=_as_list(source),
    )
    lazy = where.apply(scan_contributions(core=core))
    frame = lazy.collect()
    return frame.select([pl.col(c).cast(t) for c, t in CONTRIBUTION_SCHEMA.items()]).sort(
        ["month", "contributor", "mission", "category", "sex"], nulls_last=True
    )


def official_ranking(*, core: Core | None = None) -> pl.DataFrame:
    """The UN's published rankings as imported (month, contributor, rank, female, male, total)."""
    return scan("official_ranking", core=core).collect().sort(["month", "rank"])


def mission_totals(*, core: Core | None = None) -> pl.DataFrame:
    """Mission x month totals (IPI data_mission): troops, police, observers, total."""
    return scan("mission_totals", core=core).collect().sort(["month", "mission"])


def fatalities(*, core: Core | None = None) -> pl.DataFrame:
    """One row per peacekeeper fatality (UN Data Hub)."""
    return scan("fatalities", core=core).collect().sort(["date", "casualty_id"])


def mission_list(*, core: Core | None = None) -> pl.DataFrame:
    """The UN Data Hub list of peacekeeping operations as published."""
    return scan("missions", core=core).collect().sort("acronym")


def mandates(*, core: Core | None = None) -> pl.DataFrame:
    """Mission x month mandate coding (TAMM): resolution and mandated tasks."""
    return scan("mandates", core=core).collect().sort(["mission", "month"])


def locations(*, core: Core | None = None) -> pl.DataFrame:
    """Deployment locations from UN maps (Geo-PKO)."""
    return scan("locations", core=core).collect().sort(["mission", "month", "location"])


def sql(query: str, *, core: Core | None = None) -> duckdb.DuckDBPyRelation:
    """Run a read-only DuckDB query where every dataset is a table (``contributions``, ...).

    The connection cannot reach files or the network (external access is disabled and the
    configuration locked), so a query can read the datasets and nothing else.
    """
    con = duckdb.connect()
    for dataset in DATASETS:
        frame = scan(dataset, core=core).collect()
        con.register(dataset, frame.to_arrow())
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    try:
        return con.sql(query)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        raise InputError(f"the query was refused: {first}", field="query") from exc


def data_status(*, core: Core | None = None) -> list[dict[str, Any]]:
    """Per imported file in force: dataset, format, file, sha256, months covered, rows."""
    from bluehelmet.store.contributions import DataImport

    eng = default_core(core).engine
    if not inspect(eng).has_table(DataImport.__tablename__):
        return []
    from sqlalchemy.orm import Session

    with Session(eng) as session:
        rows = session.scalars(
            select(DataImport).where(DataImport.status == "active").order_by(DataImport.id)
        ).all()
        return [
            {
                "dataset": r.dataset,
                "format": r.format,
                "file": Path(r.file_name).name,
                "path": r.file_name,
                "sha256": r.sha256,
                "month_first": r.month_start,
                "month_last": r.month_end,
                "months": len(r.months) if r.months else None,
                "rows": r.rows_stored,
                "imported_at": r.imported_at,
            }
            for r in rows
        ]


def data_version(*, core: Core | None = None) -> str:
    """A digest of the imported data in force (with today's date), for keeping answers.

    It changes with every import, replacement or retirement of a file (the imports in force
    and their Parquet files), and every day (some answers run by date): an answer computed
    under one version is the answer for as long as the version stays the same. One query.
    """
    import hashlib

    from sqlalchemy.orm import Session

    from bluehelmet.store.contributions import DataImport

    digest = hashlib.blake2b(date.today().isoformat().encode(), digest_size=16)
    eng = default_core(core).engine
    if inspect(eng).has_table(DataImport.__tablename__):
        with Session(eng) as session:
            rows = session.execute(
                select(
                    DataImport.id,
                    DataImport.file_name,
                    DataImport.sha256,
                    DataImport.parquet_file,
                    DataImport.parquet_sha256,
                    DataImport.rows_stored,
                )
                .where(DataImport.status == "active")
                .order_by(DataImport.id)
            ).all()
        for row in rows:
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def sync(
    sources_file: str | Path | None = None,
    *,
    refresh: bool = False,
    mapping: str | Path | None = None,
    skip_unknown: bool = False,
    replace: bool = False,
    core: Core | None = None,
    progress: Any = None,
) -> tuple[list[Any], list[Any]]:
    """Download the official files (cached, checked, resumable) and import them.

    Returns the downloads and the import results.
    """
    from bluehelmet.sources import sync as _sync

    core = default_core(core)
    downloads = _sync.sync(
        _sync.load_sources(sources_file),
        refresh=refresh,
        cache_dir=core.cache_dir,
        progress=progress,
    )
    results = import_files(
        [d.path for d in downloads],
        mapping=mapping,
        skip_unknown=skip_unknown,
        replace=replace,
        core=core,
    )
    return downloads, results


def import_files(
    paths: Sequence[str | Path],
    *,
    format: str | None = None,
    mapping: str | Path | Any = None,
    skip_unknown: bool = False,
    aliases: str | Path | None = None,
    replace: bool = False,
    core: Core | None = None,
    progress: Any = None,
) -> list[Any]:
    """Import ``paths`` into the core's store; one ``FileResult`` per file.

    ``format`` forces an adapter; ``mapping`` resolves names the registry does not know;
    ``skip_unknown`` drops (and reports) rows that stay unresolved. A file that would remove
    stored rows it does not list (months that held other contributors) is refused with
    ``ReplaceRefusedError`` unless ``replace``. Nothing is written when a file is refused
    (``InputError``, ``UnreconciledError``, ``ReplaceRefusedError``); each file then commits
    on its own, atomically.
    """
    from bluehelmet.sources.importer import prepare_files
    from bluehelmet.store.contributions import (
        ParquetStage,
        ReplaceRefusedError,
        check_data_dir,
        collect_retired,
        commit_file,
        planned_removals,
        store_lock,
    )

    core = default_core(core)
    prepared = prepare_files(
        paths,
        format=format,
        mapping=mapping,
        skip_unknown=skip_unknown,
        aliases=aliases,
        progress=progress,
        sink=lambda dataset: ParquetStage(dataset, core.data_dir),
    )
    total = len(prepared)
    results = []
    try:
        with store_lock(core.engine, core.data_dir):
            _upgrade(core)
            check_data_dir(core.engine, core.data_dir)
            if not replace:
                removals = [
                    r
                    for item in prepared
                    for r in planned_removals(core.engine, core.data_dir, item.staged)
                ]
                if removals:
                    raise ReplaceRefusedError(removals)
            for index, item in enumerate(prepared):
                if progress:
                    progress(f"storing {item.raw.path.name}", total + index, total * 2)
                outcome = commit_file(core.engine, core.data_dir, item.staged)
                item.result.status = outcome.status
                item.result.rows_stored = outcome.rows_stored
                item.result.replaced = outcome.replaced
                results.append(item.result)
            collect_retired(core.engine, core.data_dir)
    finally:
        for item in prepared:
            item.discard()  # staged files no commit adopted (refused, unchanged, failed)
    core.forget_frames()
    if progress:
        progress("done", total * 2, total * 2)
    return results


def _upgrade(core: Core) -> None:
    """Bring the store's schema to this version's head; a clear error when it cannot."""
    from bluehelmet.errors import StoreError
    from bluehelmet.store import upgrade

    try:
        upgrade(core.engine)
    except StoreError:
        raise
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg = (
            f"cannot bring the database {core.safe_database_url} to this version's schema: {first}"
        )
        raise StoreError(msg) from exc


def data_check(
    *, repair: bool = False, adopt: bool = False, core: Core | None = None
) -> list[dict[str, Any]]:
    """The store's health: missing, damaged, orphan and ``.partial`` files.

    With ``repair``: leftovers are deleted, retired files past their grace period too, and a
    missing or damaged file is rewritten from its source file when that is found (its recorded
    path or the download cache, checked by SHA-256); an import whose source cannot be found is
    dropped from the store and reported. ``adopt`` records this home's data folder as the
    store's (after moving it).
    """
    from bluehelmet.store.contributions import check_data_dir, check_store

    core = default_core(core)
    if adopt:
        check_data_dir(core.engine, core.data_dir, adopt=True)
    problems = check_store(
        core.engine,
        core.data_dir,
        list(DATASETS),
        repair=repair,
        restore=lambda problem: _restore(problem, core),
    )
    return [p.as_dict() for p in problems]


def _restore(problem: Any, core: Core) -> pl.DataFrame | None:
    """The rows of ``problem``'s import re-read from its source file, or None if not found."""
    from bluehelmet.errors import BluehelmetError
    from bluehelmet.sources.importer import prepare_files
    from bluehelmet.sources.reconcile import NameMapping
    from bluehelmet.store.contributions import DataImport, file_sha256

    candidates = [Path(problem.file_name)] if problem.file_name else []
    if core.cache_dir.is_dir():
        candidates += sorted(p for p in core.cache_dir.rglob("*") if p.is_file())
    source = None
    for path in candidates:
        try:
            if path.is_file() and file_sha256(path) == problem.sha256:
                source = path
                break
        except OSError:
            continue
    if source is None:
        return None
    with core.session() as session:
        row = session.get(DataImport, problem.import_id)
        options = dict(row.options or {}) if row is not None else {}
    mapping = options.get("mapping") or {}
    try:
        [item] = prepare_files(
            [source],
            format=options.get("format"),
            mapping=NameMapping(
                countries=dict(mapping.get("countries") or {}),
                missions=dict(mapping.get("missions") or {}),
            ),
            skip_unknown=bool(options.get("skip_unknown")),
            aliases=options.get("aliases"),
        )
    except BluehelmetError:
        return None
    staged = item.staged.datasets.get(problem.dataset)
    return staged.frame if staged is not None else None
