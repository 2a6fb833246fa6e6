"""Dependencies shared by the routers: the core, the caller, pagination, idempotency keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Header, Query, Request
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from bluehelmet.services.access import Principal, PrincipalCache, authenticate
from bluehelmet.services.core import Core
from bluehelmet.services.idempotency import IdempotencyKey, fingerprint

P = ParamSpec("P")
T = TypeVar("T")

MAX_PAGE = 500
MAX_OFFSET = 1_000_000


async def in_thread(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``function(*args, **kwargs)`` run in the thread pool (a service that uses the store)."""
    return await run_in_threadpool(function, *args, **kwargs)


async def get_core(request: Request) -> Core:
    """The app's core (a FastAPI dependency; async, so it costs no thread-pool hop)."""
    core: Core = request.app.state.core
    return core


CoreDep = Annotated[Core, Depends(get_core)]

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The API key given when the user was made."
)


async def get_principal(
    request: Request, core: CoreDep, key: Annotated[str | None, Depends(api_key_header)]
) -> Principal:
    """The authenticated caller (401 without a valid ``X-API-Key``).

    A key authenticated in the last few seconds is answered from the app's ``PrincipalCache``
    on the event loop; otherwise the store is read in the thread pool.
    """
    cache: PrincipalCache = request.app.state.principals
    if key:
        found = cache.get(key)
        if found is not None:
            return found
    principal = await run_in_threadpool(authenticate, core, key)
    if key:
        cache.put(key, principal)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


@dataclass(frozen=True, slots=True)
class Page:
    """``limit`` and ``offset`` of a list request."""

    limit: int
    offset: int


async def get_page(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")] = 0,
) -> Page:
    """Pagination parameters, bounded (async: no thread-pool hop)."""
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
