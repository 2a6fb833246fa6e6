"""The audit trail: every change (who, when, what, before and after), readable by admins."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bluehelmet.services.access import Principal, Role, require_role
from bluehelmet.services.core import Core
from bluehelmet.services.idempotency import as_utc
from bluehelmet.store.access import AuditLogRow

__all__ = ["list_audit"]


def list_audit(
    core: Core,
    principal: Principal,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    actor: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Audit entries, newest first, filtered by entity, entity id or actor (admins only)."""
    require_role(principal, Role.ADMIN)
    conditions: list[Any] = []
    if entity is not None:
        conditions.append(AuditLogRow.entity == entity)
    if entity_id is not None:
        conditions.append(AuditLogRow.entity_id == entity_id)
    if actor is not None:
        conditions.append(AuditLogRow.actor == actor)
    with core.session() as session:
        total = session.scalar(select(func.count()).select_from(AuditLogRow).where(*conditions))
        rows = session.scalars(
            select(AuditLogRow)
            .where(*conditions)
            .order_by(AuditLogRow.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        items = [
            {
                "id": r.id,
                "at": as_utc(r.at),
                "actor": r.actor,
                "user_id": r.user_id,
                "action": r.action,
                "entity": r.entity,
                "entity_id": r.entity_id,
                "before": r.before,
                "after": r.after,
            }
            for r in rows
        ]
        return items, int(total or 0)
