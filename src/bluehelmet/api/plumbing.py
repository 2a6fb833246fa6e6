"""What the resource routers (pledges, requirements, offers, plans) repeat around a service call.

Id path parameters (bounded, so an id out of range is a 422 naming it), the entity tag of an
answer (``ETag``) and, for a creation, its ``Location`` and whether an ``Idempotency-Key``
replayed a stored answer. Dependencies (core, caller, page, headers) are in ``deps``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import Path, Request, Response

from bluehelmet.domain.cooperation import MAX_ID

__all__ = ["OfferId", "PlanId", "PledgeId", "RequirementId", "created", "tagged"]

PledgeId = Annotated[int, Path(ge=1, le=MAX_ID, description="Pledge id.")]
RequirementId = Annotated[int, Path(ge=1, le=MAX_ID, description="Requirement id.")]
OfferId = Annotated[int, Path(ge=1, le=MAX_ID, description="Offer id.")]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID, description="Plan id.")]

EntityTag = Callable[[Mapping[str, Any]], str]


def tagged(response: Response, record: dict[str, Any], etag: EntityTag) -> dict[str, Any]:
    """``record`` with its entity tag set as the answer's ``ETag`` header."""
    response.headers["ETag"] = etag(record)
    return record


def created(
    request: Request,
    response: Response,
    answer: tuple[dict[str, Any], bool],
    etag: EntityTag,
) -> dict[str, Any]:
    """The record a POST created (or replayed): ``ETag``, ``Location`` and, for a replay of
    an ``Idempotency-Key``, ``Idempotent-Replayed: true``."""
    record, replayed = answer
    tagged(response, record, etag)
    response.headers["Location"] = f"{request.url.path}/{record['id']}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return record
