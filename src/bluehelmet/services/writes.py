"""Write transactions of the cooperation services.

SQLite lets one writer in at a time; a transaction that read first and writes later can fail
when another writer got in between. The services therefore take one lock per SQLite engine
around each write transaction, so writers in one process queue instead of failing.
PostgreSQL needs no lock: its row versions and the ``version`` guards do the work.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING

from bluehelmet.services.core import Core

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["write_session"]

_LOCKS: dict[int, threading.Lock] = {}
_GUARD = threading.Lock()


def _lock_for(core: Core) -> threading.Lock | None:
    engine = core.engine
    if engine.dialect.name != "sqlite":
        return None
    with _GUARD:
        return _LOCKS.setdefault(id(engine), threading.Lock())


@contextmanager
def write_session(core: Core) -> Iterator[Session]:
    """A session of ``core`` for a write transaction (serialized on SQLite)."""
    lock = _lock_for(core)
    with lock if lock is not None else nullcontext(), core.session() as session:
        yield session
