"""Dependencies shared by the routers: the core, the caller, pagination, idempotency keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Query, Request
from fastapi.security import APIKeyHeader

from bluehelmet.services.access import Principal, authenticate
from bluehelmet.services.core import Core
from bluehelmet.services.idempotency import IdempotencyKey, fingerprint

MAX_PAGE = 500
MAX_OFFSET = 1_000_000
MAX_ID = 2**31 - 1


def get_core(request: Request) -> Core:
    """The app's core (a FastAPI dependency)."""
    core: Core = request.app.state.core
    return core


CoreDep = Annotated[Core, Depends(get_core)]

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The API key given when the user was made."
)


def get_principal(core: CoreDep, key: Annotated[str | None, Depends(api_key_header)]) -> Principal:
    """The authenticated caller (401 without a valid ``X-API-Key``)."""
    return authenticate(core, key)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


@dataclass(frozen=True, slots=True)
class Page:
    """``limit`` and ``offset`` of a list request."""

    limit: int
    offset: int


def get_page(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> Page:
    """Pagination parameters, bounded."""
    return Page(limit=limit, offset=offset)


PageDep = Annotated[Page, Depends(get_page)]


def idempotency_key(request: Request, key: str | None, payload: Any) -> IdempotencyKey | None:
    """The request's ``Idempotency-Key`` bound to its method, path and body (or None)."""
    if key is None:
        return None
    return IdempotencyKey(
        key=key,
        method=request.method,
        path=request.url.path,
        fingerprint=fingerprint(payload),
    )


IdempotencyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retrying a POST with the same key returns the first answer.",
    ),
]
IfMatchHeader = Annotated[
    str | None,
    Header(alias="If-Match", max_length=200, description="The ETag the change is made against."),
]


def paged(items: list[Any], total: int, page: Page) -> dict[str, Any]:
    """A page of ``items`` with its bounds and the total."""
    return {"items": items, "total": total, "limit": page.limit, "offset": page.offset}
