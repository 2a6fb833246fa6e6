"""The application factory: one FastAPI app over one ``Core``, API under ``/api/v1``."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from pydantic import BaseModel

from bluehelmet.api.cache import CacheRule, ResponseCache
from bluehelmet.api.deps import CoreDep, get_core
from bluehelmet.api.errors import PROBLEM_RESPONSES, install_error_handlers
from bluehelmet.api.limits import MAX_BODY_BYTES, BodySizeLimit
from bluehelmet.api.query import reject_unknown_query
from bluehelmet.api.routes import (
    access,
    analytics,
    offers,
    plans,
    pledges,
    registry,
    requirements,
)
from bluehelmet.errors import InputError
from bluehelmet.services.access import PrincipalCache
from bluehelmet.services.core import Core

API_PREFIX = "/api/v1"
API_THREADS = 16
"""Requests served at once in the thread pool (the routes that read or write the store); the
store's connection pool holds as many connections, so none is opened per request."""

AUTH_CACHE_SECONDS = 2.0
"""How long a server trusts a key it authenticated without reading the store again: a
deactivated user or replaced key is refused at most this long after the change."""

MAX_DEFAULT_WORKERS = 4
"""Default worker processes on PostgreSQL are the CPUs, at most this many (each keeps up to
``API_THREADS`` + overflow connections, and PostgreSQL allows 100 by default)."""
APP_FACTORY = "bluehelmet.api.app:create_app"
"""The import string uvicorn calls in each worker process to build its own app and core."""

__all__ = [
    "API_PREFIX",
    "APP_FACTORY",
    "AUTH_CACHE_SECONDS",
    "CoreDep",
    "create_app",
    "get_core",
    "open_data_rules",
    "serve_workers",
]


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


def open_data_rules(core: Core) -> list[CacheRule]:
    """What ``ResponseCache`` keeps: the registry by day, analytics and data status by the
    imported data in force (``services.data.data_version``)."""
    from datetime import date

    from starlette.concurrency import run_in_threadpool

    from bluehelmet.services.data import data_version

    async def today() -> str:
        return date.today().isoformat()

    async def imported() -> str:
        return await run_in_threadpool(data_version, core=core)

    return [
        CacheRule(f"{API_PREFIX}/registry/", today),
        CacheRule(f"{API_PREFIX}/analytics/", imported),
        CacheRule(f"{API_PREFIX}/data/status", imported),
    ]


def create_app(
    core: Core | None = None,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    auth_cache_seconds: float = AUTH_CACHE_SECONDS,
    cache_rules: list[CacheRule] | None = None,
) -> FastAPI:
    """The bluehelmet web application over ``core`` (default: the environment's store).

    ``auth_cache_seconds``: how long an authenticated key is trusted without a query (0: never).
    ``cache_rules``: the open-data answers kept as bytes (default ``open_data_rules``; ``[]``
    keeps none).
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
    rules = open_data_rules(app.state.core) if cache_rules is None else cache_rules
    if rules:  # outermost: a kept answer skips routing, validation and encoding
        app.add_middleware(ResponseCache, rules=rules)
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
        app.include_router(
            router,
            prefix=API_PREFIX,
            responses=PROBLEM_RESPONSES,
            dependencies=[Depends(reject_unknown_query)],
        )
    app.include_router(web_router(app.state.core))  # the dashboard, beside the API
    return app


def serve_workers(core: Core, requested: int | None = None) -> int:
    """Worker processes to serve ``core``'s store with: ``requested`` or the default.

    SQLite lets one process write at a time (the services queue writers inside a process),
    so it is served by one worker; PostgreSQL by one per CPU, at most ``MAX_DEFAULT_WORKERS``.
    """
    sqlite = core.engine.dialect.name == "sqlite"
    if requested is None:
        return 1 if sqlite else max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))
    if requested < 1:
        msg = "the number of workers must be at least 1"
        raise InputError(msg, field="workers")
    if sqlite and requested > 1:
        msg = (
            f"a SQLite store is served by one worker (got --workers {requested}): SQLite "
            "lets one process write at a time; set BLUEHELMET_DATABASE_URL to a PostgreSQL "
            "database to serve it with several"
        )
        raise InputError(msg, field="workers")
    return requested
