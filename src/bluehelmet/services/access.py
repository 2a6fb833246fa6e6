"""Users, API keys, authentication and role checks of the cooperation service.

An API key is shown once, when the user is created, and stored as a salted PBKDF2 hash with
its first characters as a lookup prefix. Verified keys are remembered in process (by a SHA-256
of the key and the stored hash), so a request costs one indexed query, not a PBKDF2 run; a
deactivated user or a replaced key stops working at once because the row is read every time.

A long-running server may also keep the authenticated principal itself for a few seconds
(``PrincipalCache``), keyed by a SHA-256 of the key: a request then costs no query at all, and
a deactivated user or replaced key is refused once the entry is older than its ``max_age``.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bluehelmet.domain.cooperation import Role
from bluehelmet.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    PermissionDeniedError,
    UnknownNameError,
)
from bluehelmet.services.core import Core
from bluehelmet.services.writes import write_session
from bluehelmet.store.access import (
    UserRow,
    hash_api_key,
    new_api_key,
    record_change,
    verify_api_key,
)

__all__ = [
    "KEY_PREFIX_LENGTH",
    "Principal",
    "PrincipalCache",
    "Role",
    "authenticate",
    "create_user",
    "ensure_store",
    "list_users",
    "require_role",
    "user_record",
]

KEY_PREFIX_LENGTH = 8
SYSTEM_ACTOR = "system"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who makes a request: the user, their role and the state or organization they speak for."""

    user_id: int
    name: str
    role: Role
    iso3: str | None = None
    organization: str | None = None

    def has(self, *roles: Role) -> bool:
        """Whether the principal holds one of ``roles``."""
        return self.role in roles


def require_role(principal: Principal, *roles: Role) -> None:
    """Raise ``PermissionDeniedError`` unless ``principal`` holds one of ``roles``."""
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        msg = f"role {principal.role.value!r} may not do this (needs: {allowed})"
        raise PermissionDeniedError(msg)


def user_record(row: UserRow) -> dict[str, Any]:
    """A user as a plain record (never the key or its hash)."""
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "country": row.iso3,
        "organization": row.organization,
        "active": row.active,
        "created_at": row.created_at
        if row.created_at.tzinfo
        else row.created_at.replace(tzinfo=UTC),
    }


def _role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        msg = f"unknown role {value!r}; known roles: {known}"
        raise InputError(msg, field="role") from None


def _binding(role: Role, country: str | None, org: str | None) -> tuple[str | None, str | None]:
    from bluehelmet.reference.countries import country as find_country
    from bluehelmet.reference.organizations import organization as find_org

    iso3 = org_code = None
    if country is not None:
        try:
            iso3 = find_country(country).iso3
        except UnknownNameError as exc:
            raise InputError(str(exc), field="country") from None
    if org is not None:
        try:
            org_code = find_org(org).code
        except UnknownNameError as exc:
            raise InputError(str(exc), field="organization") from None
    if role is Role.DELEGATION and (iso3 is None or org_code is not None):
        msg = "a delegation is bound to one state: give --country and no --org"
        raise InputError(msg, field="country")
    if role is Role.PARTNER and (iso3 is None) == (org_code is None):
        msg = "a partner is bound to one organization or one state: give --org or --country"
        raise InputError(msg, field="organization")
    if role not in (Role.DELEGATION, Role.PARTNER) and (iso3 or org_code):
        msg = f"role {role.value!r} is not bound to a state or organization"
        raise InputError(msg, field="country" if iso3 else "organization")
    return iso3, org_code


def create_user(
    core: Core,
    name: str,
    role: str,
    *,
    country: str | None = None,
    org: str | None = None,
    actor: str = SYSTEM_ACTOR,
) -> tuple[dict[str, Any], str]:
    """Create a user and return its record and its new API key (shown only this once)."""
    name = name.strip()
    if not name or len(name) > 120:
        msg = "a user name has 1 to 120 characters"
        raise InputError(msg, field="name")
    parsed = _role(role)
    iso3, org_code = _binding(parsed, country, org)
    key = new_api_key()
    row = UserRow(
        name=name,
        role=parsed.value,
        iso3=iso3,
        organization=org_code,
        api_key_hash=hash_api_key(key),
        api_key_prefix=key[:KEY_PREFIX_LENGTH],
        active=True,
        created_at=datetime.now(UTC),
    )
    try:
        with write_session(core) as session:
            if session.scalar(select(UserRow.id).where(UserRow.name == name)) is not None:
                msg = f"a user named {name!r} already exists"
                raise ConflictError(msg)
            session.add(row)
            session.flush()
            record = user_record(row)
            record_change(
                session,
                actor=actor,
                action="create",
                entity="user",
                entity_id=row.id,
                after=_audit_form(record),
            )
    except IntegrityError as exc:
        msg = f"a user named {name!r} already exists"
        raise ConflictError(msg) from exc
    return record, key


def _audit_form(record: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in record.items()}


def list_users(core: Core, *, limit: int | None = None, offset: int = 0) -> list[dict[str, Any]]:
    """Every user, oldest first (no keys)."""
    with core.session() as session:
        query = select(UserRow).order_by(UserRow.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        return [user_record(r) for r in session.scalars(query)]


class _VerifiedKeys:
    """Keys already checked against a stored hash (bounded; cleared when full)."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def known(self, key: str, hashed: str) -> bool:
        return (hashlib.sha256(key.encode()).hexdigest(), hashed) in self._seen

    def add(self, key: str, hashed: str) -> None:
        with self._lock:
            if len(self._seen) >= self._size:
                self._seen.clear()
            self._seen.add((hashlib.sha256(key.encode()).hexdigest(), hashed))


_VERIFIED = _VerifiedKeys()


_VERIFYING: dict[str, threading.Lock] = {}
_VERIFYING_GUARD = threading.Lock()


def _matching(rows: Iterable[UserRow], key: str) -> UserRow | None:
    for row in rows:
        hashed = row.api_key_hash
        if hashed is None:
            continue
        if _VERIFIED.known(key, hashed):
            return row
        # One PBKDF2 run per key at a time: concurrent first requests wait for it.
        with _VERIFYING_GUARD:
            lock = _VERIFYING.setdefault(hashed, threading.Lock())
        with lock:
            if _VERIFIED.known(key, hashed):
                return row
            if verify_api_key(key, hashed):
                _VERIFIED.add(key, hashed)
                return row
    return None


def authenticate(core: Core, key: str | None) -> Principal:
    """The active user holding API ``key``; raises ``AuthenticationError`` otherwise."""
    if not key:
        msg = "this request needs an API key in the X-API-Key header"
        raise AuthenticationError(msg)
    if len(key) > 200:
        msg = "the API key is not valid"
        raise AuthenticationError(msg)
    with core.session() as session:
        rows = session.scalars(
            select(UserRow).where(
                UserRow.api_key_prefix == key[:KEY_PREFIX_LENGTH], UserRow.active.is_(True)
            )
        ).all()
        row = _matching(rows, key)
        if row is None:
            msg = "the API key is not valid"
            raise AuthenticationError(msg)
        return Principal(
            user_id=row.id,
            name=row.name,
            role=Role(row.role),
            iso3=row.iso3,
            organization=row.organization,
        )


class PrincipalCache:
    """Principals authenticated in the last ``max_age`` seconds, by a SHA-256 of their key.

    Only successful authentications are kept, never the key itself; at most ``size`` entries
    (the oldest half is dropped when full). ``max_age`` 0 keeps nothing. Thread-safe.
    """

    def __init__(
        self,
        max_age: float,
        *,
        size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_age < 0 or size < 1:
            msg = "max_age must be >= 0 and size >= 1"
            raise ValueError(msg)
        self.max_age = max_age
        self._size = size
        self._clock = clock
        self._entries: dict[bytes, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Principal | None:
        """The principal of ``key`` if it was authenticated less than ``max_age`` ago."""
        if self.max_age <= 0:
            return None
        digest = hashlib.sha256(key.encode()).digest()
        found = self._entries.get(digest)
        if found is None:
            return None
        if self._clock() - found[0] >= self.max_age:
            with self._lock:
                self._entries.pop(digest, None)
            return None
        return found[1]

    def put(self, key: str, principal: Principal) -> None:
        """Remember that ``key`` authenticated as ``principal`` now."""
        if self.max_age <= 0:
            return
        digest = hashlib.sha256(key.encode()).digest()
        with self._lock:
            if len(self._entries) >= self._size:
                for old in list(self._entries)[: self._size // 2 + 1]:
                    del self._entries[old]
            self._entries[digest] = (self._clock(), principal)

    def clear(self) -> None:
        """Forget every principal (the next request of each key reads the store)."""
        with self._lock:
            self._entries.clear()


def ensure_store(core: Core) -> None:
    """Create or upgrade the core's store (with the registry) unless it is at the head."""
    from bluehelmet.store import current_revision, head_revision

    if current_revision(core.engine) != head_revision():
        from bluehelmet.services.registry import init_store

        init_store(core)
