"""``/pledges``: a delegation's pledges, their history and PCRS visits.

The routes are ``async`` and run the service (which reads or writes the store) in the thread
pool with ``in_thread``: one hop per request, where a plain ``def`` route costs FastAPI two
(the endpoint, then the response validation).
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
from bluehelmet.api.plumbing import PledgeId, created, tagged
from bluehelmet.api.schemas import (
    Page,
    Pledge,
    PledgeCreate,
    PledgeRevision,
    PledgeUpdate,
    Visit,
    VisitCreate,
    VisitResult,
)
from bluehelmet.services import pledges as service

router = APIRouter(prefix="/pledges", tags=["pledges"])


@router.post("", status_code=201, response_model=Pledge)
async def create_pledge(
    *,
    body: PledgeCreate,
    request: Request,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    key: IdempotencyHeader = None,
) -> dict[str, Any]:
    """Pledge units (a delegation for its own state; a planner names the contributor)."""
    fields = body.model_dump(exclude={"contributor"}, exclude_none=True)
    answer = await in_thread(
        service.create_pledge,
        core,
        principal,
        fields,
        contributor=body.contributor,
        idempotency=idempotency_key(request, key, body.model_dump(mode="json")),
    )
    return created(request, response, answer, service.etag)


@router.get("", response_model=Page[Pledge])
async def list_pledges(
    *,
    core: CoreDep,
    principal: PrincipalDep,
    page: PageDep,
    contributor: Annotated[str | None, Query(min_length=3, max_length=3)] = None,
    unit_type: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    include_withdrawn: bool = True,
) -> dict[str, Any]:
    """The pledges the caller may see: its own state's for a delegation, all for planners."""
    items, total = await in_thread(
        service.list_pledges,
        core,
        principal,
        contributor=contributor,
        unit_type=unit_type,
        include_withdrawn=include_withdrawn,
        limit=page.limit,
        offset=page.offset,
    )
    return paged(items, total, page)


@router.get("/{pledge_id}", response_model=Pledge)
async def get_pledge(
    pledge_id: PledgeId, response: Response, core: CoreDep, principal: PrincipalDep
) -> dict[str, Any]:
    """One pledge (404 when it does not exist or belongs to another state)."""
    record = await in_thread(service.get_pledge, core, principal, pledge_id)
    return tagged(response, record, service.etag)


@router.patch("/{pledge_id}", response_model=Pledge)
async def update_pledge(
    *,
    pledge_id: PledgeId,
    body: PledgeUpdate,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
) -> dict[str, Any]:
    """Change fields of a pledge; needs ``If-Match`` (412 when stale, 428 when missing)."""
    record = await in_thread(
        service.update_pledge,
        core,
        principal,
        pledge_id,
        body.model_dump(exclude_unset=True),
        if_match=if_match,
    )
    return tagged(response, record, service.etag)


@router.delete("/{pledge_id}", response_model=Pledge)
async def withdraw_pledge(
    pledge_id: PledgeId,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
) -> dict[str, Any]:
    """Withdraw a pledge (kept on record with its history); needs ``If-Match``."""
    record = await in_thread(service.withdraw_pledge, core, principal, pledge_id, if_match=if_match)
    return tagged(response, record, service.etag)


@router.get("/{pledge_id}/history", response_model=Page[PledgeRevision])
async def pledge_history(
    pledge_id: PledgeId, core: CoreDep, principal: PrincipalDep, page: PageDep
) -> dict[str, Any]:
    """Every version of a pledge, oldest first."""
    items, total = await in_thread(
        service.pledge_history, core, principal, pledge_id, limit=page.limit, offset=page.offset
    )
    return paged(items, total, page)


@router.get("/{pledge_id}/visits", response_model=Page[Visit])
async def list_visits(
    pledge_id: PledgeId, core: CoreDep, principal: PrincipalDep, page: PageDep
) -> dict[str, Any]:
    """PCRS visits recorded for a pledge."""
    items, total = await in_thread(
        service.list_visits, core, principal, pledge_id, limit=page.limit, offset=page.offset
    )
    return paged(items, total, page)


@router.post("/{pledge_id}/visits", status_code=201, response_model=VisitResult)
async def record_visit(
    *,
    pledge_id: PledgeId,
    body: VisitCreate,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
) -> dict[str, Any]:
    """Record an assessment, advisory or verification visit (planners); it moves the level."""
    result = await in_thread(
        service.record_visit,
        core,
        principal,
        pledge_id,
        kind=body.kind.value,
        visited_on=body.visited_on,
        level_after=body.level_after.value,
        findings=body.findings,
        if_match=if_match,
    )
    tagged(response, result["pledge"], service.etag)
    return result
