"""``/offers``: partnership offers (training, equipment, funding, logistics, intelligence).

A partner manages its own offers; the beneficiary's delegation (or a planner) accepts or
declines them; the partner marks them delivered or withdraws them. Other callers' offers are
404, never 403. The routes are ``async`` and run the service in the thread pool (``in_thread``):
one hop per request, where a plain ``def`` route costs FastAPI two.
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
from bluehelmet.api.plumbing import OfferId, created, tagged
from bluehelmet.api.schemas import Offer, OfferCreate, OfferStatusChange, OfferUpdate, Page
from bluehelmet.services import partnership_offers as service
from bluehelmet.services.partnership_offers import OfferKind, OfferStatus

router = APIRouter(prefix="/offers", tags=["partnership offers"])


@router.post("", status_code=201, response_model=Offer)
async def create_offer(
    *,
    body: OfferCreate,
    request: Request,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    key: IdempotencyHeader = None,
) -> dict[str, Any]:
    """Offer support (a partner as itself; a planner or admin names the ``partner``)."""
    fields = body.model_dump(mode="json", exclude={"partner"}, exclude_none=True)
    answer = await in_thread(
        service.create_offer,
        core,
        principal,
        fields,
        partner=body.partner,
        idempotency=idempotency_key(request, key, body.model_dump(mode="json")),
    )
    return created(request, response, answer, service.etag)


@router.get("", response_model=Page[Offer])
async def list_offers(
    *,
    core: CoreDep,
    principal: PrincipalDep,
    page: PageDep,
    status: OfferStatus | None = None,
    kind: OfferKind | None = None,
    contributor: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
    mission: Annotated[str | None, Query(min_length=1, max_length=80)] = None,
) -> dict[str, Any]:
    """The offers the caller may see: its own (partner), addressed to it (delegation), all
    (planner, admin)."""
    items, total = await in_thread(
        service.list_offers,
        core,
        principal,
        status=status.value if status else None,
        kind=kind.value if kind else None,
        contributor=contributor,
        mission=mission,
        limit=page.limit,
        offset=page.offset,
    )
    return paged(items, total, page)


@router.get("/{offer_id}", response_model=Offer)
async def get_offer(
    offer_id: OfferId, response: Response, core: CoreDep, principal: PrincipalDep
) -> dict[str, Any]:
    """One offer (404 when it does not exist or the caller may not see it)."""
    record = await in_thread(service.get_offer, core, principal, offer_id)
    return tagged(response, record, service.etag)


@router.patch("/{offer_id}", response_model=Offer)
async def update_offer(
    *,
    offer_id: OfferId,
    body: OfferUpdate,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
) -> dict[str, Any]:
    """Change an offer still offered (its partner or a planner); needs ``If-Match``."""
    fields = body.model_dump(mode="json", exclude_unset=True)
    record = await in_thread(
        service.update_offer, core, principal, offer_id, fields, if_match=if_match
    )
    return tagged(response, record, service.etag)


@router.post("/{offer_id}/status", response_model=Offer)
async def set_status(
    *,
    offer_id: OfferId,
    body: OfferStatusChange,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
) -> dict[str, Any]:
    """Accept or decline (beneficiary's delegation, planner), deliver or withdraw (partner,
    planner); needs ``If-Match``."""
    record = await in_thread(
        service.set_status, core, principal, offer_id, body.status.value, if_match=if_match
    )
    return tagged(response, record, service.etag)


@router.delete("/{offer_id}", response_model=Offer)
async def withdraw_offer(
    offer_id: OfferId,
    response: Response,
    core: CoreDep,
    principal: PrincipalDep,
    if_match: IfMatchHeader = None,
) -> dict[str, Any]:
    """Withdraw an offer not yet delivered (kept on record); needs ``If-Match``."""
    record = await in_thread(service.withdraw_offer, core, principal, offer_id, if_match=if_match)
    return tagged(response, record, service.etag)
