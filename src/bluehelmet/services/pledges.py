"""Pledges (PCRS-like): create, read, update, withdraw, history and readiness visits.

Object-level rules: a delegation sees and changes only its own state's pledges; planners and
admins see every pledge; analysts and partners see none (they read aggregates). A pledge the
caller may not see is reported as absent (``NotFoundError``), never as forbidden. Every change
bumps the pledge's version (its ETag), keeps a revision and writes one audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    func,
    select,
)
from sqlalchemy.orm import Session

from bluehelmet.domain.cooperation import VisitKind
from bluehelmet.domain.planning import ReadinessLevel
from bluehelmet.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    UnknownNameError,
)
from bluehelmet.services import pledge_statements as sql
from bluehelmet.services.access import Principal, Role, require_role
from bluehelmet.services.core import Core
from bluehelmet.services.idempotency import (
    IdempotencyKey,
    as_utc,
    jsonable,
    once,
    stored_answer,
)
from bluehelmet.services.writes import (
    before_change,
    changed_meanwhile,
    entity_tag,
    page,
    write_session,
)
from bluehelmet.store.planning import PcrsVisitRow, PledgeRevisionRow, PledgeRow

__all__ = [
    "EDITABLE_FIELDS",
    "create_pledge",
    "etag",
    "get_pledge",
    "list_pledges",
    "list_visits",
    "pledge_history",
    "pledge_record",
    "record_visit",
    "update_pledge",
    "withdraw_pledge",
]

EDITABLE_FIELDS = sql.EDITABLE_FIELDS
_SEE_ALL = (Role.ADMIN, Role.PLANNER)


@cache
def _unit_codes() -> dict[str, str]:
    from bluehelmet.reference.units import unit_types

    return {u.code.casefold(): u.code for u in unit_types()}


def unit_type_code(code: str) -> str:
    """The canonical code of a unit type (case-insensitive); ``InputError`` on ``unit_type``."""
    found = _unit_codes().get(code.strip().casefold())
    if found is None:
        err = UnknownNameError("unit type", code, list(_unit_codes().values()))
        raise InputError(str(err), field="unit_type")
    return found


def _missions(values: list[str], field: str) -> list[str]:
    from bluehelmet.reference.missions import mission

    out = []
    for value in values:
        try:
            out.append(mission(value).acronym)
        except UnknownNameError as exc:
            raise InputError(str(exc), field=field) from None
    return out


def _states(values: list[str], field: str) -> list[str]:
    from bluehelmet.reference.countries import country

    out = []
    for value in values:
        try:
            out.append(country(value).iso3)
        except UnknownNameError as exc:
            raise InputError(str(exc), field=field) from None
    return out


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Semantic checks of pledge fields (shapes are checked by the caller's schema)."""
    out = dict(fields)
    for name, value in out.items():
        if value is None and name not in ("cost_per_unit",):
            msg = "may not be null"
            raise InputError(msg, field=name)
    if "unit_type" in out:
        out["unit_type"] = unit_type_code(str(out["unit_type"]))
    if "readiness" in out:
        try:
            out["readiness"] = ReadinessLevel(out["readiness"]).value
        except ValueError:
            known = ", ".join(r.value for r in ReadinessLevel)
            msg = f"unknown readiness level {out['readiness']!r}; known: {known}"
            raise InputError(msg, field="readiness") from None
    if "excluded_missions" in out:
        out["excluded_missions"] = _missions(list(out["excluded_missions"]), "excluded_missions")
    if "excluded_hosts" in out:
        out["excluded_hosts"] = _states(list(out["excluded_hosts"]), "excluded_hosts")
    for name in ("languages", "capabilities", "excluded_tasks"):
        if name in out:
            out[name] = sorted({str(v).strip() for v in out[name] if str(v).strip()})
    _as_stored(out)
    return out


def _as_stored(values: dict[str, Any]) -> None:
    """Give ``values`` the types their columns store (the record a change returns is computed
    from them, not read back): whole numbers, floats, dates and text."""
    for name, value in values.items():
        if value is None:
            continue
        if name == "units":
            if isinstance(value, bool) or not isinstance(value, int | float):
                msg = "must be a whole number"
                raise InputError(msg, field=name)
            if isinstance(value, float):
                if not value.is_integer():
                    msg = "must be a whole number"
                    raise InputError(msg, field=name)
                values[name] = int(value)
        elif name in ("women_share", "cost_per_unit"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                msg = "must be a number"
                raise InputError(msg, field=name)
            values[name] = float(value)
        elif name == "available_from" and not isinstance(value, date):
            try:
                values[name] = date.fromisoformat(str(value))
            except ValueError:
                msg = f"not a date (YYYY-MM-DD): {value!r}"
                raise InputError(msg, field=name) from None
        elif name == "caveats":
            values[name] = str(value)


def pledge_record(row: Any) -> dict[str, Any]:
    """A pledge row (ORM or Core) as a plain record (what the API returns)."""
    return {
        "id": row.id,
        "code": row.code,
        "contributor": row.contributor,
        "unit_type": row.unit_type,
        "units": row.units,
        "readiness": row.readiness,
        "available_from": row.available_from,
        "women_share": row.women_share,
        "languages": list(row.languages),
        "capabilities": list(row.capabilities),
        "excluded_missions": list(row.excluded_missions),
        "excluded_hosts": list(row.excluded_hosts),
        "excluded_tasks": list(row.excluded_tasks),
        "caveats": row.caveats,
        "cost_per_unit": row.cost_per_unit,
        "verified": row.verified,
        "withdrawn": row.withdrawn,
        "version": row.version,
        "updated_at": as_utc(row.updated_at),
    }


def etag(record: Mapping[str, Any]) -> str:
    """The entity tag of a pledge record: its id and version."""
    return entity_tag("pledge", record)


def _visible(principal: Principal) -> Any:
    if principal.has(*_SEE_ALL):
        return True
    if principal.role is Role.DELEGATION and principal.iso3:
        return PledgeRow.contributor == principal.iso3
    return False


def _load(session: Session, principal: Principal, pledge_id: int) -> PledgeRow:
    row = session.scalars(
        select(PledgeRow).where(PledgeRow.id == pledge_id, _visible(principal))
    ).one_or_none()
    if row is None:
        raise NotFoundError("pledge", pledge_id)
    return row


def _may_change(principal: Principal) -> None:
    require_role(principal, Role.DELEGATION, Role.PLANNER, Role.ADMIN)


_NEW_PLEDGE_DEFAULTS: dict[str, Any] = {
    "units": 1,
    "women_share": 0.0,
    "languages": [],
    "capabilities": [],
    "excluded_missions": [],
    "excluded_hosts": [],
    "excluded_tasks": [],
    "caveats": "",
    "cost_per_unit": None,
}


def _one_statement(core: Core) -> bool:
    """Whether a change is written as one statement in autocommit (PostgreSQL; see
    ``pledge_statements``), rather than step by step in a transaction (SQLite)."""
    return core.engine.dialect.name == "postgresql"


def _autocommit(core: Core) -> Connection:
    """A pooled connection on which each statement is its own durable transaction."""
    return core.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _create_in_one_statement(
    core: Core,
    principal: Principal,
    record: dict[str, Any],
    idempotency: IdempotencyKey | None,
) -> tuple[dict[str, Any], bool]:
    """Create a pledge in one PostgreSQL statement; the answer and whether it was replayed.

    A key already claimed is answered from the store (or refused when it was used for
    another request).
    """
    statement = sql.pg_create(idempotency is not None)
    params = sql.create_params(principal, record, idempotency)
    for _ in range(2):
        with _autocommit(core) as connection:
            pledge_id = connection.execute(statement, params).scalar_one_or_none()
            if pledge_id is not None:
                return jsonable({**record, "id": pledge_id}), False
            assert idempotency is not None  # only a claimed key stops the insert
            stored = stored_answer(connection, principal, idempotency)
            if stored is not None:
                return stored, True
    msg = "the Idempotency-Key was claimed and released meanwhile; retry the request"
    raise ConflictError(msg)


def create_pledge(
    core: Core,
    principal: Principal,
    fields: Mapping[str, Any],
    *,
    contributor: str | None = None,
    idempotency: IdempotencyKey | None = None,
) -> tuple[dict[str, Any], bool]:
    """Record a new pledge; return it (JSON-ready) and whether a stored answer was replayed.

    A delegation pledges for its own state; a planner or admin names the ``contributor``.
    """
    _may_change(principal)
    if principal.role is Role.DELEGATION:
        if contributor is not None and contributor.upper() != principal.iso3:
            msg = "a delegation pledges only for its own state; leave contributor out"
            raise InputError(msg, field="contributor")
        iso3 = principal.iso3
    elif contributor is None:
        msg = "a planner or admin must name the contributor (ISO-3)"
        raise InputError(msg, field="contributor")
    else:
        iso3 = _states([contributor], "contributor")[0]
    values = _clean(fields)
    for required in ("unit_type", "units", "readiness"):
        if required not in values:
            msg = "is required"
            raise InputError(msg, field=required)
    values.setdefault("available_from", date.today())

    now = datetime.now(UTC)
    record: dict[str, Any] = {
        "id": 0,  # the store's next pledge id, known once the row is inserted
        "code": f"{iso3}-{uuid.uuid4().hex[:12]}",
        "contributor": iso3,
        **_NEW_PLEDGE_DEFAULTS,
        **values,
        "verified": False,
        "withdrawn": False,
        "version": 1,
        "updated_at": now,
    }
    record = {name: record[name] for name in sql.RECORD_FIELDS}
    if _one_statement(core):
        return _create_in_one_statement(core, principal, record, idempotency)

    def action(session: Session) -> dict[str, Any]:
        params = sql.create_params(principal, record)
        pledge_id = int(session.execute(sql.pledge_step(), params).scalar_one())
        params = sql.with_id(params, pledge_id)
        session.execute(sql.revision_step(), params)
        session.execute(sql.audit_step(before=False), params)
        return {**record, "id": pledge_id}

    return once(core, principal, idempotency, action)


def list_pledges(
    core: Core,
    principal: Principal,
    *,
    contributor: str | None = None,
    unit_type: str | None = None,
    include_withdrawn: bool = True,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """The pledges ``principal`` may see (filtered), one page of them and the total."""
    conditions: list[Any] = [_visible(principal)]
    if contributor is not None:
        conditions.append(PledgeRow.contributor == contributor.upper())
    if unit_type is not None:
        conditions.append(PledgeRow.unit_type == unit_type.upper())
    if not include_withdrawn:
        conditions.append(PledgeRow.withdrawn.is_(False))
    with core.session() as session:
        return page(
            session, PledgeRow, conditions, limit=limit, offset=offset, record=pledge_record
        )


def get_pledge(core: Core, principal: Principal, pledge_id: int) -> dict[str, Any]:
    """One pledge the caller may see (``NotFoundError`` otherwise)."""
    with core.session() as session:
        return pledge_record(_load(session, principal, pledge_id))


def _change(
    core: Core,
    principal: Principal,
    pledge_id: int,
    *,
    if_match: str | None,
    action: str,
    values: Mapping[str, Any],
    visit: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], int | None]:
    """Change a pledge made against the version ``if_match`` names; the new record and the
    id of the ``visit`` row written with it (when one is given; its ``level_before`` is set).

    The pledge is read, checked (visible, ETag, not withdrawn) and written by an ``UPDATE``
    guarded by the version read, with its revision, audit entry and visit in the same
    transaction: if another change got in between, the guard matches no row and nothing is
    written (412). Every change bumps the version, so the row updated is exactly the row read
    and the new record is computed from it without reading it again.
    """
    _may_change(principal)
    changed = sql.keyed(list(values))
    if _one_statement(core):
        with _autocommit(core) as connection:
            before = _before(connection, principal, pledge_id, if_match)
            after, params = _changed(principal, before, action=action, values=values, visit=visit)
            statement = sql.pg_change(changed, visit is not None)
            found = connection.execute(statement, params).one_or_none()
            if found is None:
                raise changed_meanwhile("pledge", pledge_id)
            return after, (int(found[1]) if visit is not None else None)
    with write_session(core) as session:
        before = _before(session, principal, pledge_id, if_match)
        after, params = _changed(principal, before, action=action, values=values, visit=visit)
        done = session.execute(sql.update_step(changed), params)
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise changed_meanwhile("pledge", pledge_id)
        session.execute(sql.revision_step(), params)
        session.execute(sql.audit_step(before=True), params)
        visit_id = None
        if visit is not None:
            visit_id = int(session.execute(sql.visit_step(), params).scalar_one())
        return after, visit_id


def _changed(
    principal: Principal,
    before: Mapping[str, Any],
    *,
    action: str,
    values: Mapping[str, Any],
    visit: dict[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record after the change and the parameters of the statements that make it."""
    version = int(before["version"])
    if before["withdrawn"] and action != "visit":
        msg = f"pledge {before['id']} is withdrawn and can no longer change"
        raise ConflictError(msg)
    after = {**before, **values, "version": version + 1, "updated_at": datetime.now(UTC)}
    if visit is not None:
        visit["level_before"] = before["readiness"]
    params = sql.change_params(
        principal, action, before=before, after=after, changed=list(values), visit=visit
    )
    return after, params


def _before(
    connection: Connection | Session, principal: Principal, pledge_id: int, if_match: str | None
) -> dict[str, Any]:
    """The record of a pledge the caller may see, checked against ``if_match``."""
    row = None
    if principal.has(*_SEE_ALL):
        row = connection.execute(sql.read_step(False), {"pledge_id": pledge_id}).one_or_none()
    elif principal.role is Role.DELEGATION and principal.iso3:
        params = {"pledge_id": pledge_id, "contributor": principal.iso3}
        row = connection.execute(sql.read_step(True), params).one_or_none()
    return before_change(row, "pledge", pledge_id, pledge_record, if_match)[0]


def update_pledge(
    core: Core,
    principal: Principal,
    pledge_id: int,
    fields: Mapping[str, Any],
    *,
    if_match: str | None,
) -> dict[str, Any]:
    """Change the given fields of a pledge, made against the version named by ``if_match``."""
    unknown = sorted(set(fields) - set(EDITABLE_FIELDS))
    if unknown:
        msg = f"cannot be changed (editable: {', '.join(EDITABLE_FIELDS)})"
        raise InputError(msg, field=unknown[0])
    if not fields:
        msg = "give at least one field to change"
        raise InputError(msg, field="body")
    record, _ = _change(
        core, principal, pledge_id, if_match=if_match, action="update", values=_clean(fields)
    )
    return record


def withdraw_pledge(
    core: Core, principal: Principal, pledge_id: int, *, if_match: str | None
) -> dict[str, Any]:
    """Withdraw a pledge (it stays on record, with its history)."""
    record, _ = _change(
        core, principal, pledge_id, if_match=if_match, action="withdraw", values={"withdrawn": True}
    )
    return record


def pledge_history(
    core: Core, principal: Principal, pledge_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """Every version of a pledge, oldest first."""
    with core.session() as session:
        _load(session, principal, pledge_id)
        where = PledgeRevisionRow.pledge_id == pledge_id
        total = session.scalar(select(func.count()).select_from(PledgeRevisionRow).where(where))
        rows = session.scalars(
            select(PledgeRevisionRow)
            .where(where)
            .order_by(PledgeRevisionRow.version)
            .limit(limit)
            .offset(offset)
        ).all()
        items = [
            {"version": r.version, "at": as_utc(r.at), "actor": r.actor, "pledge": r.state}
            for r in rows
        ]
        return items, int(total or 0)


def _visit_record(row: PcrsVisitRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "pledge_id": row.pledge_id,
        "kind": row.kind,
        "visited_on": row.visited_on,
        "level_before": row.level_before,
        "level_after": row.level_after,
        "findings": row.findings,
        "recorded_by": row.recorded_by,
        "recorded_at": as_utc(row.recorded_at),
    }


def record_visit(
    core: Core,
    principal: Principal,
    pledge_id: int,
    *,
    kind: str,
    visited_on: date,
    level_after: str,
    findings: str = "",
    if_match: str | None,
) -> dict[str, Any]:
    """Record a PCRS visit (planners, admins) and move the pledge to ``level_after``.

    A verification visit marks the pledge verified. Returns the visit and the updated pledge.
    """
    if not principal.has(Role.PLANNER, Role.ADMIN):
        # A delegation may see its pledge but visits are recorded by the Secretariat.
        get_pledge(core, principal, pledge_id)
        msg = "visits are recorded by planners (the Secretariat), not by delegations"
        raise PermissionDeniedError(msg)
    try:
        visit_kind = VisitKind(kind)
    except ValueError:
        known = ", ".join(v.value for v in VisitKind)
        msg = f"unknown visit kind {kind!r}; known: {known}"
        raise InputError(msg, field="kind") from None
    level = _clean({"readiness": level_after})["readiness"]
    values: dict[str, Any] = {"readiness": level}
    if visit_kind is VisitKind.VERIFICATION:
        values["verified"] = True
    visit: dict[str, Any] = {
        "id": 0,
        "pledge_id": pledge_id,
        "kind": visit_kind.value,
        "visited_on": visited_on,
        "level_before": "",
        "level_after": level,
        "findings": findings,
        "recorded_by": principal.name,
        "recorded_at": datetime.now(UTC),
    }
    pledge, visit_id = _change(
        core,
        principal,
        pledge_id,
        if_match=if_match,
        action="visit",
        values=values,
        visit=visit,
    )
    visit["id"] = visit_id
    return {"visit": visit, "pledge": pledge}


def list_visits(
    core: Core, principal: Principal, pledge_id: int, *, limit: int = 50, offset: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """The visits recorded for a pledge the caller may see, oldest first."""
    with core.session() as session:
        _load(session, principal, pledge_id)
        where = PcrsVisitRow.pledge_id == pledge_id
        total = session.scalar(select(func.count()).select_from(PcrsVisitRow).where(where))
        rows = session.scalars(
            select(PcrsVisitRow).where(where).order_by(PcrsVisitRow.id).limit(limit).offset(offset)
        ).all()
        return [_visit_record(r) for r in rows], int(total or 0)
