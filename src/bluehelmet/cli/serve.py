"""``bluehelmet serve``: the REST API (and dashboard) on the configured store."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="TCP port to listen on.")
    ] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help=(
                "Worker processes, each with its own engine and connection pool. Default: "
                "1 on SQLite (one writer at a time); on PostgreSQL the number of CPUs, at most 4."
            ),
        ),
    ] = None,
    access_log: Annotated[
        bool,
        typer.Option("--access-log/--no-access-log", help="Log one line per request."),
    ] = True,
) -> None:
    """Serve the REST API under /api/v1 and the dashboard at / on the configured store."""
    import uvicorn

    from bluehelmet.api import APP_FACTORY, serve_workers
    from bluehelmet.services.access import ensure_store
    from bluehelmet.services.core import Core

    with Core() as core:
        ensure_store(core)
        count = serve_workers(core, workers)
    # Each worker process builds its own app and Core (engine, pool, caches) from the
    # environment through the factory; with one worker uvicorn runs it in this process.
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=host,
        port=port,
        workers=count,
        access_log=access_log,
        log_level="info",
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("serve")(serve)
