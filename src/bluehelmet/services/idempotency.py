"""Idempotency keys: a POST retried with the same ``Idempotency-Key`` creates nothing twice.

The first answer is stored in the same transaction as the change it reports, so either both
are committed or neither; a retry gets the stored answer back. A key reused for a different
request (another path or body) is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bluehelmet.errors import ConflictError, InputError
from bluehelmet.services.access import Principal
from bluehelmet.services.core import Core
from bluehelmet.services.writes import write_session
from bluehelmet.store.access import IdempotencyRow

__all__ = ["IdempotencyKey", "as_utc", "fingerprint", "jsonable", "once", "stored_answer"]

MAX_KEY_LENGTH = 200


def as_utc(value: datetime | None) -> datetime | None:
    """``value`` with UTC attached when the database gave it back naive (SQLite)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def jsonable(value: Any) -> Any:
    """``value`` with dates as ISO strings, ready for a JSON column."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def fingerprint(payload: Any) -> str:
    """SHA-256 of ``payload`` as canonical JSON."""
    text = json.dumps(jsonable(payload), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotencyKey:
    """The ``Idempotency-Key`` of a request with what identifies the request itself."""

    key: str
    method: str
    path: str
    fingerprint: str

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > MAX_KEY_LENGTH or not self.key.isprintable():
            msg = f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters"
            raise InputError(msg, field="Idempotency-Key")


def stored_answer(
    connection: Session | Connection, principal: Principal, idem: IdempotencyKey
) -> dict[str, Any] | None:
    """The answer stored for ``idem`` by ``principal``, or None when the key is unused.

    ``ConflictError`` when the key was used for another request (method, path or body).
    """
    row = connection.execute(
        select(
            IdempotencyRow.method,
            IdempotencyRow.path,
            IdempotencyRow.fingerprint,
            IdempotencyRow.body,
        ).where(IdempotencyRow.user_id == principal.user_id, IdempotencyRow.key == idem.key)
    ).one_or_none()
    if row is None:
        return None
    if (row.method, row.path, row.fingerprint) != (idem.method, idem.path, idem.fingerprint):
        msg = "this Idempotency-Key was already used for a different request"
        raise ConflictError(msg)
    body: dict[str, Any] = row.body
    return body


def once(
    core: Core,
    principal: Principal,
    idem: IdempotencyKey | None,
    action: Callable[[Session], dict[str, Any]],
    *,
    status_code: int = 201,
) -> tuple[dict[str, Any], bool]:
    """Run ``action`` once per key; return its JSON-ready answer and whether it was replayed."""
    if idem is None:
        with write_session(core) as session:
            return jsonable(action(session)), False
    try:
        with write_session(core) as session:
            # The lookup shares the write's transaction: one round of connection and commit.
            stored = stored_answer(session, principal, idem)
            if stored is not None:
                return stored, True
            body = jsonable(action(session))
            session.add(
                IdempotencyRow(
                    user_id=principal.user_id,
                    key=idem.key,
                    method=idem.method,
                    path=idem.path,
                    fingerprint=idem.fingerprint,
                    status_code=status_code,
                    body=body,
                    created_at=datetime.now(UTC),
                )
            )
        return body, False
    except IntegrityError:
        # A concurrent request with the same key won the race; its change stands alone.
        with core.session() as session:
            stored = stored_answer(session, principal, idem)
        if stored is None:
            raise
        return stored, True
