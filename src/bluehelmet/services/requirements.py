"""Statements of unit requirements, published by planners per mission.

Every authenticated user may read the published requirements; planners and admins create and
change them (with the requirement's ETag). Each change writes one audit entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bluehelmet.errors import (
    InputError,
    NotFoundError,
    UnknownNameError,
)
from bluehelmet.services.access import Principal, Role, require_role
from bluehelmet.services.core import Core
from bluehelmet.services.idempotency import IdempotencyKey, jsonable, once
from bluehelmet.services.pledges import unit_type_code
from bluehelmet.services.writes import (
    before_change,
    changed_meanwhile,
    entity_tag,
    page,
    write_session,
)
from bluehelmet.store.access import record_change
from bluehelmet.store.planning import RequirementRow

__all__ = [
    "REQUIREMENT_FIELDS",
    "create_requirement",
    "get_requirement",
    "list_requirements",
    "requirement_etag",
    "requirement_record",
    "update_requirement",
]

REQUIREMENT_FIELDS = (
    "mission",
    "unit_type",
    "units",
    "needed_by",
    "priority",
    "languages",
    "min_women_share",
    "capabilities",
    "tasks",
    "location",
    "notes",
)


def requirement_record(row: RequirementRow) -> dict[str, Any]:
    """A requirement as a plain record."""
    return {
        "id": row.id,
        "code": row.code,
        "mission": row.mission,
        "unit_type": row.unit_type,
        "units": row.units,
        "needed_by": row.needed_by,
        "priority": row.priority,
        "languages": list(row.languages),
        "min_women_share": row.min_women_share,
        "capabilities": list(row.capabilities),
        "tasks": list(row.tasks),
        "location": row.location,
        "notes": row.notes,
        "version": row.version,
    }


def requirement_etag(record: Mapping[str, Any]) -> str:
    """The entity tag of a requirement record."""
    return entity_tag("requirement", record)


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    from bluehelmet.reference.missions import mission

    out = dict(fields)
    for name, value in out.items():
        if value is None and name != "location":
            msg = "may not be null"
            raise InputError(msg, field=name)
    if "mission" in out:
        try:
            out["mission"] = mission(str(out["mission"])).acronym
        except UnknownNameError as exc:
            raise InputError(str(exc), field="mission") from None
    if "unit_type" in out:
        out["unit_type"] = unit_type_code(str(out["unit_type"]))
    for name in ("languages", "capabilities", "tasks"):
        if name in out:
            out[name] = sorted({str(v).strip() for v in out[name] if str(v).strip()})
    return out


def create_requirement(
    core: Core,
    principal: Principal,
    fields: Mapping[str, Any],
    *,
    idempotency: IdempotencyKey | None = None,
) -> tuple[dict[str, Any], bool]:
    """Publish a requirement (planners, admins); the mission is resolved by the registry."""
    require_role(principal, Role.PLANNER, Role.ADMIN)
    values = _clean(fields)
    for required in ("mission", "unit_type", "units", "needed_by"):
        if required not in values:
            msg = "is required"
            raise InputError(msg, field=required)

    def action(session: Session) -> dict[str, Any]:
        row = RequirementRow(
            code=f"{values['mission']}-{uuid.uuid4().hex[:10]}", version=1, **values
        )
        session.add(row)
        session.flush()
        after: dict[str, Any] = jsonable(requirement_record(row))
        record_change(
            session,
            actor=principal.name,
            user_id=principal.user_id,
            action="create",
            entity="requirement",
            entity_id=row.id,
            after=after,
        )
        return after

    return once(core, principal, idempotency, action)


def list_requirements(
    core: Core,
    principal: Principal,
    *,
    mission: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Published requirements (any authenticated user), filtered by mission."""
    del principal  # every role reads the published statements
    conditions: list[Any] = []
    if mission is not None:
        conditions.append(RequirementRow.mission == _clean({"mission": mission})["mission"])
    with core.session() as session:
        return page(
            session,
            RequirementRow,
            conditions,
            limit=limit,
            offset=offset,
            record=requirement_record,
        )


def get_requirement(core: Core, principal: Principal, requirement_id: int) -> dict[str, Any]:
    """One requirement."""
    del principal
    with core.session() as session:
        row = session.get(RequirementRow, requirement_id)
        if row is None:
            raise NotFoundError("requirement", requirement_id)
        return requirement_record(row)


def update_requirement(
    core: Core,
    principal: Principal,
    requirement_id: int,
    fields: Mapping[str, Any],
    *,
    if_match: str | None,
) -> dict[str, Any]:
    """Change a requirement (planners, admins) made against the version named by ``if_match``."""
    require_role(principal, Role.PLANNER, Role.ADMIN)
    unknown = sorted(set(fields) - set(REQUIREMENT_FIELDS))
    if unknown:
        msg = f"cannot be changed (editable: {', '.join(REQUIREMENT_FIELDS)})"
        raise InputError(msg, field=unknown[0])
    if not fields:
        msg = "give at least one field to change"
        raise InputError(msg, field="body")
    values = _clean(fields)
    with write_session(core) as session:
        row = session.get(RequirementRow, requirement_id)
        before, version = before_change(
            row, "requirement", requirement_id, requirement_record, if_match
        )
        before = jsonable(before)
        assert row is not None  # before_change raised NotFoundError otherwise
        done = session.execute(
            update(RequirementRow)
            .where(RequirementRow.id == requirement_id, RequirementRow.version == version)
            .values(version=version + 1, **values)
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise changed_meanwhile("requirement", requirement_id)
        session.expire(row)
        after: dict[str, Any] = jsonable(requirement_record(row))
        record_change(
            session,
            actor=principal.name,
            user_id=principal.user_id,
            action="update",
            entity="requirement",
            entity_id=requirement_id,
            before=before,
            after=after,
        )
        return requirement_record(row)
