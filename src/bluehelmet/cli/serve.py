"""``bluehelmet serve``: the REST API (and dashboard) on the configured store."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")
    ] = 8000,
) -> None:
    """Serve the REST API under /api/v1 and the dashboard at / on the configured store."""
    import uvicorn

    from bluehelmet.api import create_app
    from bluehelmet.services.access import ensure_store
    from bluehelmet.services.core import Core

    with Core() as core:
        ensure_store(core)
        uvicorn.run(create_app(core), host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("serve")(serve)
