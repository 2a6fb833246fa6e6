"""Write transactions of the cooperation services, and their optimistic concurrency.

SQLite lets one writer in at a time; a transaction that read first and writes later can fail
when another writer got in between. The services therefore take one lock per SQLite engine
around each write transaction, so writers in one process queue instead of failing.
PostgreSQL needs no lock: its row versions and the ``version`` guards do the work.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from typing import TYPE_CHECKING, Any, TypeVar

from bluehelmet.errors import NotFoundError, PreconditionFailedError, PreconditionRequiredError
from bluehelmet.services.core import Core

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = [
    "before_change",
    "changed_meanwhile",
    "check_if_match",
    "entity_tag",
    "page",
    "write_session",
]

T = TypeVar("T")

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


def entity_tag(kind: str, record: Mapping[str, Any]) -> str:
    """The entity tag of a versioned record (``"kind-id-vN"``)."""
    return f'"{kind}-{record["id"]}-v{record["version"]}"'


def check_if_match(kind: str, record: Mapping[str, Any], if_match: str | None) -> int:
    """The record's version when ``if_match`` names its current tag (or ``*``).

    A missing header is a ``PreconditionRequiredError``, a stale one a
    ``PreconditionFailedError``; both say what to do.
    """
    if if_match is None:
        msg = f"this change needs an If-Match header with the {kind}'s ETag (GET it first)"
        raise PreconditionRequiredError(msg)
    tag = entity_tag(kind, record)
    tags = [t.strip() for t in if_match.split(",")]
    if "*" not in tags and tag not in tags and f"W/{tag}" not in tags:
        msg = (
            f"If-Match {if_match!r} does not match the {kind}'s current ETag {tag}: "
            "it was changed since you read it"
        )
        raise PreconditionFailedError(msg)
    return int(record["version"])


def before_change(
    row: T | None,
    kind: str,
    object_id: int,
    record: Callable[[T], dict[str, Any]],
    if_match: str | None,
) -> tuple[dict[str, Any], int]:
    """The record of ``row`` before a change, and its version checked against ``if_match``.

    ``row`` is the object as the caller may see it: None (absent, or another's) is a
    ``NotFoundError``, never a refusal that would confirm it exists. The version is what the
    change's ``UPDATE`` is guarded by (see ``changed_meanwhile``).
    """
    if row is None:
        raise NotFoundError(kind, object_id)
    before = record(row)
    return before, check_if_match(kind, before, if_match)


def changed_meanwhile(kind: str, object_id: int) -> PreconditionFailedError:
    """The error of a version-guarded ``UPDATE`` that matched no row: another change won."""
    msg = f"{kind} {object_id} was changed by someone else meanwhile; GET it again"
    return PreconditionFailedError(msg)


def page(
    session: Session,
    model: Any,
    conditions: Sequence[Any],
    *,
    limit: int,
    offset: int,
    record: Callable[[Any], dict[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    """One page of ``model`` rows matching ``conditions`` (by id) as records, and the total."""
    from sqlalchemy import func, select

    total = session.scalar(select(func.count()).select_from(model).where(*conditions))
    rows = session.scalars(
        select(model).where(*conditions).order_by(model.id).limit(limit).offset(offset)
    ).all()
    return [record(r) for r in rows], int(total or 0)
