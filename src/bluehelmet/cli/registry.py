"""``bluehelmet init`` and ``bluehelmet registry ...`` commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the registry commands to ``app``."""
    registry_app = typer.Typer(help="Reference registry: states, organizations, Council, missions.")
    app.add_typer(registry_app, name="registry")
