"""Engines and sessions: the database named by the settings (SQLite by default) or by a URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bluehelmet.config import get_settings
from bluehelmet.errors import InputError

POOL_SIZE = 16
"""Connections a server engine keeps open (PostgreSQL); opened lazily, so a CLI uses one."""
POOL_OVERFLOW = 8
"""Extra connections beyond ``POOL_SIZE`` under bursts (closed when returned)."""


def resolve_url(url: str | None = None) -> str:
    """The database URL in force: ``url`` or ``Settings().resolved_database_url``."""
    return url if url else get_settings().resolved_database_url


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _enable_sqlite_wal(dbapi_connection: Any, _record: Any) -> None:
    # Readers then never block the writer (and the writer never blocks readers).
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def engine(url: str | None = None) -> Engine:
    """A new engine for ``url`` (default: the configured database); the caller disposes it.

    For a SQLite file the parent folder is created and foreign keys are enforced on every
    connection.
    """
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except Exception as exc:
        msg = f"not a database URL: {resolved!r} ({exc})"
        raise InputError(msg, field="database_url") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(parsed)
        event.listen(eng, "connect", _enable_sqlite_foreign_keys)
        if database and database != ":memory:" and not database.startswith("file:"):
            event.listen(eng, "connect", _enable_sqlite_wal)
        return eng
    # A server runs up to POOL_SIZE requests on the database at once (the REST service limits
    # its thread pool to that): connections are kept, not opened and closed per request.
    return create_engine(
        parsed, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW
    )


@contextmanager
def session_scope(url: str | Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error.

    Pass an ``Engine`` to reuse it; given a URL (or nothing) a private engine is created and
    disposed when the block ends.
    """
    owned = not isinstance(url, Engine)
    eng = engine(url) if not isinstance(url, Engine) else url
    try:
        with Session(eng, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        if owned:
            eng.dispose()
