"""``bluehelmet offers``: import and export partnership offers as CSV or YAML."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

offers_app = typer.Typer(
    help="Partnership offers (training, equipment, funding, logistics, intelligence).",
    no_args_is_help=True,
)


class OfferFileFormat(StrEnum):
    """Formats of an offers file."""

    CSV = "csv"
    YAML = "yaml"


def import_(
    file: Annotated[Path, typer.Argument(help="A .csv, .yaml or .yml file of offers.")],
) -> None:
    """Import offers (columns: partner, status, kind, contributor, unit_type, mission,
    capacity, capacity_unit, lead_time_days, cost, start, end, description); all or none."""
    from bluehelmet.services.access import ensure_store
    from bluehelmet.services.core import Core
    from bluehelmet.services.partnership_offers import import_offers

    with Core() as core:
        ensure_store(core)
        stored = import_offers(core, file)
    typer.echo(f"{len(stored)} offer(s) imported from {file}")


def export(
    fmt: Annotated[
        OfferFileFormat, typer.Option("--format", "-f", help="csv or yaml.")
    ] = OfferFileFormat.CSV,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file (default: print).")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="Only offers in this status: offered, accepted, declined, delivered, "
            "withdrawn (repeatable).",
        ),
    ] = None,
) -> None:
    """Export the stored offers as CSV or YAML (the columns ``offers import`` reads)."""
    from bluehelmet.services.access import ensure_store
    from bluehelmet.services.core import Core
    from bluehelmet.services.partnership_offers import export_offers

    with Core() as core:
        ensure_store(core)
        text = export_offers(core, fmt.value, statuses=status)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"offers written to {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    offers_app.command("import")(import_)
    offers_app.command("export")(export)
    app.add_typer(offers_app, name="offers")
