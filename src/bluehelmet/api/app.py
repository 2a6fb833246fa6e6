"""The application factory: one FastAPI app over one ``Core``, API under ``/api/v1``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from bluehelmet.api.deps import CoreDep, get_core
from bluehelmet.api.errors import PROBLEM_RESPONSES, install_error_handlers
from bluehelmet.api.limits import MAX_BODY_BYTES, BodySizeLimit
from bluehelmet.api.routes import (
    access,
    analytics,
    offers,
    plans,
    pledges,
    registry,
    requirements,
)
from bluehelmet.services.access import PrincipalCache
from bluehelmet.services.core import Core

API_PREFIX = "/api/v1"
API_THREADS = 16
"""Requests served at once in the thread pool (the routes that read or write the store); the
store's connection pool holds as many connections, so none is opened per request."""

AUTH_CACHE_SECONDS = 2.0
"""How long a server trusts a key it authenticated without reading the store again: a
deactivated user or replaced key is refused at most this long after the change."""

__all__ = ["API_PREFIX", "AUTH_CACHE_SECONDS", "CoreDep", "create_app", "get_core"]


class Health(BaseModel):
    """Liveness of the service."""

    status: str
    version: str


meta = APIRouter(tags=["meta"])


@meta.get("/health", response_model=Health)
def health() -> Health:
    """Liveness: 200 when the service answers (no key needed)."""
    from bluehelmet import __version__

    return Health(status="ok", version=__version__)


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    import anyio.to_thread

    anyio.to_thread.current_default_thread_limiter().total_tokens = API_THREADS
    yield


def create_app(
    core: Core | None = None,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    auth_cache_seconds: float = AUTH_CACHE_SECONDS,
) -> FastAPI:
    """The bluehelmet web application over ``core`` (default: the environment's store).

    ``auth_cache_seconds``: how long an authenticated key is trusted without a query (0: never).
    """
    from bluehelmet import __version__
    from bluehelmet.web import router as web_router

    app = FastAPI(
        title="bluehelmet",
        version=__version__,
        description=(
            "Peacekeeping cooperation: open registry data, pledges, requirements, plans "
            "and the audit trail. Authenticate with the X-API-Key header."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.core = core if core is not None else Core()
    app.state.principals = PrincipalCache(auth_cache_seconds)
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.include_router(meta, prefix=API_PREFIX)
    for router in (
        registry.router,
        analytics.router,
        access.router,
        pledges.router,
        offers.router,
        requirements.router,
        plans.router,
    ):
        app.include_router(router, prefix=API_PREFIX, responses=PROBLEM_RESPONSES)
    app.include_router(web_router(app.state.core))  # the dashboard, beside the API
    return app
