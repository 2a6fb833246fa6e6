"""The server engine's pool: connections reused without a ping, tested after they rested."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bluehelmet.store import engine
from bluehelmet.store import session as store_session


@pytest.mark.postgres
def test_a_rested_connection_that_died_is_replaced(pg_url: str) -> None:
    eng = engine(pg_url)
    try:
        with eng.connect() as conn:
            first = conn.connection.dbapi_connection
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
        # A busy server gets the same connection back, untested.
        with eng.connect() as conn:
            assert conn.connection.dbapi_connection is first
        # The database drops it while it rests in the pool.
        killer = sa.create_engine(pg_url, poolclass=sa.NullPool)
        with killer.connect() as other:
            other.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        killer.dispose()
        pool = eng.pool
        for record in list(pool._pool.queue):  # type: ignore[attr-defined]
            record.info["checked_in"] -= store_session.PING_AFTER_IDLE + 1
        with eng.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
            assert conn.connection.dbapi_connection is not first
    finally:
        eng.dispose()


@pytest.mark.postgres
def test_a_connection_used_again_soon_is_not_pinged(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    eng = engine(pg_url)
    statements: list[str] = []
    try:
        with eng.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        sa.event.listen(eng, "before_cursor_execute", lambda *a: statements.append(a[2]))
        monkeypatch.setattr(store_session, "PING_AFTER_IDLE", 3600.0)
        with eng.connect() as conn:
            conn.execute(sa.text("SELECT 2"))
        assert statements == ["SELECT 2"]
    finally:
        eng.dispose()
