"""``/me``, ``/users`` (admins) and ``/audit`` (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from bluehelmet.api.deps import CoreDep, PageDep, PrincipalDep, paged
from bluehelmet.api.schemas import AuditEntry, Me, NewUser, Page, User, UserCreate
from bluehelmet.domain.cooperation import Role
from bluehelmet.services import access
from bluehelmet.services.audit import list_audit

router = APIRouter(tags=["access"])


@router.get("/me", response_model=Me)
async def me(principal: PrincipalDep) -> dict[str, Any]:
    """The caller: name, role and the state or organization it speaks for."""
    return {
        "user_id": principal.user_id,
        "name": principal.name,
        "role": principal.role.value,
        "country": principal.iso3,
        "organization": principal.organization,
    }


@router.get("/users", response_model=Page[User])
def list_users(core: CoreDep, principal: PrincipalDep, page: PageDep) -> dict[str, Any]:
    """Every user (admins)."""
    access.require_role(principal, Role.ADMIN)
    items = access.list_users(core, limit=page.limit, offset=page.offset)
    total = len(access.list_users(core))
    return paged(items, total, page)


@router.post("/users", status_code=201, response_model=NewUser)
def create_user(body: UserCreate, core: CoreDep, principal: PrincipalDep) -> dict[str, Any]:
    """Make a user (admins); the answer holds its API key, shown only this once."""
    access.require_role(principal, Role.ADMIN)
    record, key = access.create_user(
        core,
        body.name,
        body.role.value,
        country=body.country,
        org=body.organization,
        actor=principal.name,
    )
    return record | {"api_key": key}


@router.get("/audit", response_model=Page[AuditEntry])
def audit(
    *,
    core: CoreDep,
    principal: PrincipalDep,
    page: PageDep,
    entity: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    entity_id: Annotated[str | None, Query(min_length=1, max_length=120)] = None,
    actor: Annotated[str | None, Query(min_length=1, max_length=120)] = None,
) -> dict[str, Any]:
    """Every change, newest first: who, when, what, before and after (admins)."""
    items, total = list_audit(
        core,
        principal,
        entity=entity,
        entity_id=entity_id,
        actor=actor,
        limit=page.limit,
        offset=page.offset,
    )
    return paged(items, total, page)
