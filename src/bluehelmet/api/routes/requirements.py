"""``/requirements``: statements of unit requirements per mission, published by planners.

The routes are ``async`` and run the service in the thread pool (``in_thread``): one hop per
request, where a plain ``def`` route costs FastAPI two (the endpoint, then the response).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from bluehelmet.api.deps import (
    CoreDep,
    IdempotencyHeader,
    IfMatchHeader,
    PageDep,
    PrincipalDep,
    idempotency_key,
    in_thread,
    paged,
)
from bluehelmet.api.plumbing import RequirementId, created, tagged
from bluehelmet.api.schemas import Page, Requirement, RequirementCreate, RequirementUpdate
from bluehelmet.services import requirements as service

router = APIRouter(prefix="/requirements", tags=["requirements"])


@router.post("", status_code=201, response_model=Requirement)
async def create_requirement(
    *,
    body: RequirementCreate,
    request: Request,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    key: IdempotencyHeader = None,
) -> dict[str, Any]:
    """Publish a requirement for a mission (planners, admins)."""
    answer = await in_thread(
        service.create_requirement,
        core,
        principal,
        body.model_dump(exclude_none=True),
        idempotency=idempotency_key(request, key, body.model_dump(mode="json")),
    )
    return created(request, response, answer, service.requirement_etag)


@router.get("", response_model=Page[Requirement])
async def list_requirements(
    core: CoreDep,
    principal: PrincipalDep,
    page: PageDep,
    mission: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
) -> dict[str, Any]:
    """Published requirements, optionally of one mission."""
    items, total = await in_thread(
        service.list_requirements,
        core,
        principal,
        mission=mission,
        limit=page.limit,
        offset=page.offset,
    )
    return paged(items, total, page)


@router.get("/{requirement_id}", response_model=Requirement)
async def get_requirement(
    requirement_id: RequirementId, response: Response, core: CoreDep, principal: PrincipalDep
) -> dict[str, Any]:
    """One requirement."""
    record = await in_thread(service.get_requirement, core, principal, requirement_id)
    return tagged(response, record, service.requirement_etag)


@router.patch("/{requirement_id}", response_model=Requirement)
async def update_requirement(
    *,
    requirement_id: RequirementId,
    body: RequirementUpdate,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
) -> dict[str, Any]:
    """Change a requirement (planners, admins); needs ``If-Match``."""
    record = await in_thread(
        service.update_requirement,
        core,
        principal,
        requirement_id,
        body.model_dump(exclude_unset=True),
        if_match=if_match,
    )
    return tagged(response, record, service.requirement_etag)
