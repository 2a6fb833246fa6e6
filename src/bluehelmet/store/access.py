"""Access tables: users with roles and API keys, and the audit log of every change."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from bluehelmet.domain.cooperation import Role
from bluehelmet.store import registry as _registry  # noqa: F401 (tables our foreign keys name)
from bluehelmet.store.base import Base

_ROLES = ", ".join(f"'{r.value}'" for r in Role)


class UserRow(Base):
    """A user of the platform (table ``app_user``: ``user`` is reserved in PostgreSQL)."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLES})", name="user_role"),
        CheckConstraint(
            "role <> 'delegation' OR (iso3 IS NOT NULL AND organization IS NULL)",
            name="delegation_bound_to_state",
        ),
        CheckConstraint(
            "role <> 'partner' OR (iso3 IS NULL) <> (organization IS NULL)",
            name="partner_bound_to_one_party",
        ),
        CheckConstraint(
            "role IN ('delegation', 'partner') OR (iso3 IS NULL AND organization IS NULL)",
            name="only_delegations_and_partners_bound",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    iso3: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"))
    organization: Mapped[str | None] = mapped_column(ForeignKey("organization.code"))
    api_key_hash: Mapped[str | None] = mapped_column(String(200))
    api_key_prefix: Mapped[str | None] = mapped_column(String(16), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyRow(Base):
    """The answer to a POST made with an ``Idempotency-Key``, replayed when it is retried."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditLogRow(Base):
    """One change: who made it, when, what it did and the entity before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[str] = mapped_column(String(120))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


_KEY_ITERATIONS = 200_000


def new_api_key() -> str:
    """A fresh random API key (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def hash_api_key(key: str, *, salt: bytes | None = None) -> str:
    """A salted PBKDF2-SHA256 hash of ``key``, as ``pbkdf2_sha256$iterations$salt$hash``."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", key.encode(), salt, _KEY_ITERATIONS)
    return f"pbkdf2_sha256${_KEY_ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_api_key(key: str, hashed: str) -> bool:
    """Whether ``key`` matches a hash made by ``hash_api_key`` (constant-time comparison)."""
    try:
        scheme, iterations, salt_hex, digest_hex = hashed.split("$")
        salt = bytes.fromhex(salt_hex)
        rounds = int(iterations)
    except ValueError:
        return False
    if scheme != "pbkdf2_sha256":
        return False
    digest = hashlib.pbkdf2_hmac("sha256", key.encode(), salt, rounds)
    return hmac.compare_digest(digest.hex(), digest_hex)


def record_change(
    session: Session,
    *,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    user_id: int | None = None,
    at: datetime | None = None,
) -> AuditLogRow:
    """Add an audit-log entry to ``session`` (committed with the change it records)."""
    row = AuditLogRow(
        at=at or datetime.now(UTC),
        actor=actor,
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        before=before,
        after=after,
    )
    session.add(row)
    return row
