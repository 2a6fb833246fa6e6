"""The SQL statements that write pledges, built once and run with parameters.

A pledge change writes several rows together: the pledge, its revision (the whole record at the
new version), one audit entry and, for a creation with an ``Idempotency-Key``, the stored
answer; a visit adds its own row. On PostgreSQL each change is **one statement** whose ``WITH``
clauses insert and update those tables: run in autocommit it is its own transaction, committed
durably, in one round trip (no ``BEGIN``, no ``COMMIT``). SQLite has no such statements: there
the same rows are written by the step statements here, one after the other in one transaction.

The statements are built once per shape (``functools.cache``) with bound parameters, so a
request pays for neither building nor compiling them; ``*_params`` give the values. A JSON
record whose ``id`` the statement itself assigns (PostgreSQL) is stored as its text joined
around that id in SQL, keeping the key order of the record the API returns.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Insert,
    Integer,
    Select,
    String,
    Table,
    Text,
    Update,
    bindparam,
    cast,
    exists,
    func,
    insert,
    literal,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.elements import ColumnElement

from bluehelmet.services.access import Principal
from bluehelmet.services.idempotency import IdempotencyKey, jsonable
from bluehelmet.store.access import AuditLogRow, IdempotencyRow
from bluehelmet.store.planning import PcrsVisitRow, PledgeRevisionRow, PledgeRow

__all__ = [
    "EDITABLE_FIELDS",
    "RECORD_FIELDS",
    "VISIT_FIELDS",
    "audit_step",
    "change_params",
    "create_params",
    "keyed",
    "pg_change",
    "pg_create",
    "pledge_step",
    "read_step",
    "revision_step",
    "update_step",
    "visit_step",
    "with_id",
]

PLEDGE = typing.cast("Table", PledgeRow.__table__)
REVISION = typing.cast("Table", PledgeRevisionRow.__table__)
AUDIT = typing.cast("Table", AuditLogRow.__table__)
IDEMPOTENCY = typing.cast("Table", IdempotencyRow.__table__)
VISIT = typing.cast("Table", PcrsVisitRow.__table__)

EDITABLE_FIELDS = (
    "unit_type",
    "units",
    "readiness",
    "available_from",
    "women_share",
    "languages",
    "capabilities",
    "excluded_missions",
    "excluded_hosts",
    "excluded_tasks",
    "caveats",
    "cost_per_unit",
)
"""The fields of a pledge its delegation may change."""

RECORD_FIELDS = (
    "id",
    "code",
    "contributor",
    *EDITABLE_FIELDS,
    "verified",
    "withdrawn",
    "version",
    "updated_at",
)
"""A pledge record's keys, in the order the API returns them (``pledge_record``)."""
COLUMNS = RECORD_FIELDS[1:]
"""The pledge table's columns written by a creation (the id is the store's)."""
VISIT_FIELDS = (
    "kind",
    "visited_on",
    "level_before",
    "level_after",
    "findings",
    "recorded_by",
    "recorded_at",
)
_AT = DateTime(timezone=True)


def _column(name: str) -> ColumnElement[Any]:
    """The bound value of pledge column ``name``."""
    return bindparam(f"p_{name}", type_=PLEDGE.c[name].type)


def _state(pledge_id: ColumnElement[Any] | None, name: str) -> ColumnElement[Any]:
    """JSON record ``name``: a JSON parameter, or (``pledge_id`` given) its text joined
    around that id in SQL (``{name}_tail`` holds the text after the id)."""
    if pledge_id is None:
        return bindparam(name, type_=JSON)
    text = literal('{"id": ', Text) + cast(pledge_id, Text) + bindparam(f"{name}_tail", type_=Text)
    return cast(text, JSON)


def _id(pledge_id: ColumnElement[Any] | None) -> ColumnElement[Any]:
    return bindparam("pledge_id", type_=Integer) if pledge_id is None else pledge_id


@cache
def revision_step(pledge_id: ColumnElement[Any] | None = None) -> Insert:
    """The revision row: the pledge's record ``state`` at version ``rev_version``."""
    source = select(
        _id(pledge_id),
        bindparam("rev_version", type_=Integer),
        bindparam("at", type_=_AT),
        bindparam("actor", type_=String),
        _state(pledge_id, "state"),
    )
    return insert(REVISION).from_select(["pledge_id", "version", "at", "actor", "state"], source)


@cache
def audit_step(pledge_id: ColumnElement[Any] | None = None, *, before: bool) -> Insert:
    """The audit entry of a change: ``action``, the record ``before`` (not for a creation)
    and after (``state``)."""
    columns = ["at", "actor", "user_id", "action", "entity", "entity_id", "after"]
    values: list[ColumnElement[Any]] = [
        bindparam("at", type_=_AT),
        bindparam("actor", type_=String),
        bindparam("user_id", type_=Integer),
        bindparam("action", type_=String),
        literal("pledge", String),
        cast(_id(pledge_id), String),
        _state(pledge_id, "state"),
    ]
    if before:
        columns.append("before")
        values.append(bindparam("before", type_=JSON))
    return insert(AUDIT).from_select(columns, select(*values))


@cache
def pledge_step() -> Insert:
    """A new pledge row (SQLite: the store assigns the id, returned)."""
    values = {name: _column(name) for name in COLUMNS}
    return insert(PLEDGE).values(values).returning(PLEDGE.c.id)


@cache
def read_step(of_contributor: bool) -> Select[Any]:
    """The pledge ``pledge_id`` (only if its contributor is ``contributor``, when asked)."""
    statement = select(PLEDGE).where(PLEDGE.c.id == bindparam("pledge_id", type_=Integer))
    if of_contributor:
        statement = statement.where(PLEDGE.c.contributor == bindparam("contributor", type_=String))
    return statement


@cache
def update_step(changed: tuple[str, ...]) -> Update:
    """The pledge's new version, written only if it is still at ``version_before``."""
    values: dict[str, Any] = {name: _column(name) for name in changed}
    values["version"] = bindparam("rev_version", type_=Integer)
    values["updated_at"] = bindparam("at", type_=_AT)
    return (
        update(PLEDGE)
        .where(
            PLEDGE.c.id == bindparam("pledge_id", type_=Integer),
            PLEDGE.c.version == bindparam("version_before", type_=Integer),
        )
        .values(values)
    )


@cache
def visit_step(pledge_id: ColumnElement[Any] | None = None) -> Insert:
    """A visit row (its id returned)."""
    source = select(
        _id(pledge_id),
        *(bindparam(f"v_{name}", type_=VISIT.c[name].type) for name in VISIT_FIELDS),
    )
    return insert(VISIT).from_select(["pledge_id", *VISIT_FIELDS], source).returning(VISIT.c.id)


@cache
def pg_create(with_key: bool) -> Select[Any]:
    """Create a pledge in one PostgreSQL statement; it returns the new id, or no row when
    the ``Idempotency-Key`` was already claimed.

    It takes the next pledge id, claims the key (``ON CONFLICT DO NOTHING``: a concurrent
    request with the same key waits for the first to commit, then claims nothing) and only
    when the key was claimed inserts the pledge, its revision and its audit entry. The answer
    stored with the key is the record with its id.
    """
    sequence = func.pg_get_serial_sequence(literal("pledge", Text), literal("id", Text))
    nextval = select(func.nextval(sequence).label("id")).cte("next_pledge")
    source = select(nextval.c.id, *(_column(name) for name in COLUMNS))
    if with_key:
        claim = (
            pg_insert(IDEMPOTENCY)
            .from_select(
                [
                    "user_id",
                    "key",
                    "method",
                    "path",
                    "fingerprint",
                    "status_code",
                    "body",
                    "created_at",
                ],
                select(
                    bindparam("user_id", type_=Integer),
                    bindparam("key", type_=String),
                    bindparam("method", type_=String),
                    bindparam("path", type_=String),
                    bindparam("fingerprint", type_=String),
                    literal(201, Integer),
                    _state(nextval.c.id, "state"),
                    bindparam("at", type_=_AT),
                ),
            )
            .on_conflict_do_nothing(index_elements=["user_id", "key"])
            .returning(IDEMPOTENCY.c.id)
            .cte("claim")
        )
        source = source.where(exists(select(claim.c.id)))
    created = (
        insert(PLEDGE).from_select(["id", *COLUMNS], source).returning(PLEDGE.c.id).cte("created")
    )
    return select(created.c.id).add_cte(
        revision_step(created.c.id).cte("revision"),
        audit_step(created.c.id, before=False).cte("audit"),
    )


@cache
def pg_change(changed: tuple[str, ...], with_visit: bool) -> Select[Any]:
    """Change a pledge in one PostgreSQL statement: the version-guarded update, the revision,
    the audit entry (and the visit). It returns the id (and the visit's id), or no row when
    the pledge is no longer at ``version_before`` (then nothing is written)."""
    updated = update_step(changed).returning(PLEDGE.c.id).cte("updated")
    columns: list[Any] = [updated.c.id]
    if with_visit:
        visit = visit_step(updated.c.id).cte("visit")
        columns.append(select(visit.c.id).scalar_subquery())
    return select(*columns).add_cte(
        revision_step(updated.c.id).cte("revision"),
        audit_step(updated.c.id, before=True).cte("audit"),
    )


def _tail(record: Mapping[str, Any]) -> str:
    """The JSON text of ``record`` after its id (``record`` starts with ``id``)."""
    rest = json.dumps(jsonable({k: v for k, v in record.items() if k != "id"}))
    return ", " + rest[1:]


def _common(
    principal: Principal, action: str, record: Mapping[str, Any], at: datetime
) -> dict[str, Any]:
    return {
        "at": at,
        "actor": principal.name,
        "user_id": principal.user_id,
        "action": action,
        "rev_version": int(record["version"]),
        "state": jsonable(dict(record)),
        "state_tail": _tail(record),
    }


def create_params(
    principal: Principal,
    record: Mapping[str, Any],
    idempotency: IdempotencyKey | None = None,
) -> dict[str, Any]:
    """The parameters of a creation of ``record`` (its id not yet known)."""
    params = _common(principal, "create", record, record["updated_at"])
    params |= {f"p_{name}": record[name] for name in COLUMNS}
    if idempotency is not None:
        params |= {
            "key": idempotency.key,
            "method": idempotency.method,
            "path": idempotency.path,
            "fingerprint": idempotency.fingerprint,
        }
    return params


def change_params(
    principal: Principal,
    action: str,
    *,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    changed: Iterable[str],
    visit: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The parameters of a change of the pledge from ``before`` to ``after``."""
    params = _common(principal, action, after, after["updated_at"])
    params |= {f"p_{name}": after[name] for name in changed}
    params |= {
        "pledge_id": int(before["id"]),
        "version_before": int(before["version"]),
        "before": jsonable(dict(before)),
    }
    if visit is not None:
        params |= {f"v_{name}": visit[name] for name in VISIT_FIELDS}
    return params


def with_id(params: Mapping[str, Any], pledge_id: int) -> dict[str, Any]:
    """``params`` of a step statement once the pledge's id is known (SQLite)."""
    state = {**params["state"], "id": pledge_id}
    return {**params, "pledge_id": pledge_id, "state": state}


def keyed(changed: Sequence[str]) -> tuple[str, ...]:
    """The changed columns as a statement's cache key (sorted, no duplicates)."""
    return tuple(sorted(set(changed)))
