"""Engines and sessions: the database named by the settings (SQLite by default) or by a URL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bluehelmet.config import get_settings
from bluehelmet.errors import InputError

POOL_SIZE = 16
"""Connections a server engine keeps open (PostgreSQL); opened lazily, so a CLI uses one."""
POOL_OVERFLOW = 8
"""Extra connections beyond ``POOL_SIZE`` under bursts (closed when returned)."""
PING_AFTER_IDLE = 10.0
"""Seconds a pooled connection may rest before it is tested (``SELECT 1``) on checkout."""


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
    # its thread pool to that): connections are kept, not opened and closed per request, and
    # only tested when they rested (see _ping_if_idle).
    eng = create_engine(parsed, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    event.listen(eng, "connect", _note_checkin)
    event.listen(eng, "checkin", _note_checkin)
    event.listen(eng, "checkout", _ping_if_idle)
    return eng


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    """Remember when a pooled connection was opened or last returned."""
    if record is not None:
        record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Test a connection that rested longer than ``PING_AFTER_IDLE`` before it is used.

    A connection used again within seconds (a busy server) is not tested, which saves a round
    trip per request; one that rested may have been closed by a database restart or a
    firewall, and is replaced (``DisconnectionError`` makes the pool open a new one).
    """
    rested = time.monotonic() - record.info.get("checked_in", 0.0)
    if rested < PING_AFTER_IDLE:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()
    except Exception as error:
        raise sa_exc.DisconnectionError(str(error)) from error


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
