"""The application factory: one FastAPI app over one ``Core``, API under ``/api/v1``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request
from pydantic import BaseModel

from bluehelmet.api.errors import install_error_handlers
from bluehelmet.services.core import Core

API_PREFIX = "/api/v1"


def get_core(request: Request) -> Core:
    """The app's core (a FastAPI dependency)."""
    core: Core = request.app.state.core
    return core


CoreDep = Annotated[Core, Depends(get_core)]


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


def create_app(core: Core | None = None) -> FastAPI:
    """The bluehelmet web application over ``core`` (default: the environment's store)."""
    from bluehelmet import __version__
    from bluehelmet.web import router as web_router

    app = FastAPI(
        title="bluehelmet",
        version=__version__,
        description=(
            "Peacekeeping cooperation: registry, contribution analytics, pledges, "
            "requirements, plans and partnerships."
        ),
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.core = core if core is not None else Core()
    install_error_handlers(app)
    app.include_router(meta, prefix=API_PREFIX)
    app.include_router(web_router(app.state.core))  # the dashboard, beside the API
    return app
