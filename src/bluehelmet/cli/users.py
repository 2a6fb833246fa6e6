"""``bluehelmet users``: make users of the cooperation service and list them."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from bluehelmet.cli._output import FormatOption, OutputFormat, console, emit

users_app = typer.Typer(
    help="Users of the REST API: roles, bound states or organizations, API keys.",
    no_args_is_help=True,
)


def add(
    name: Annotated[str, typer.Argument(help="Unique user name.")],
    role: Annotated[
        str,
        typer.Option("--role", help="admin, planner, delegation, partner or analyst."),
    ],
    country: Annotated[
        str | None,
        typer.Option("--country", help="ISO-3 (or name) of the state a delegation speaks for."),
    ] = None,
    org: Annotated[
        str | None,
        typer.Option("--org", help="Acronym of the organization a partner speaks for."),
    ] = None,
) -> None:
    """Make a user; its API key is printed once, on the last line (store it now)."""
    from bluehelmet.services.access import create_user, ensure_store
    from bluehelmet.services.core import Core

    with Core() as core:
        ensure_store(core)
        record, key = create_user(core, name, role, country=country, org=org)
    bound = record["country"] or record["organization"]
    console.print(
        f"made user {escape(repr(record['name']))} (id {record['id']}, role {record['role']}"
        + (f", for {escape(bound)}" if bound else "")
        + "); its API key follows and is not shown again:",
        highlight=False,
    )
    typer.echo(key)


def list_(fmt: OutputFormat = FormatOption) -> None:
    """List the users (never their keys)."""
    from bluehelmet.services.access import ensure_store, list_users
    from bluehelmet.services.core import Core

    with Core() as core:
        ensure_store(core)
        rows = list_users(core)
    emit(
        rows,
        fmt,
        title="Users",
        columns=["id", "name", "role", "country", "organization", "active", "created_at"],
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    users_app.command("add")(add)
    users_app.command("list")(list_)
    app.add_typer(users_app, name="users")
