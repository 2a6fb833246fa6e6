"""The ``bluehelmet`` command line: a thin shell over the services.

Each command group lives in its own module and is registered here. Errors are turned into
messages and exit codes in one place (``_ErrorMappingGroup``), never in the commands.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from bluehelmet.cli import analytics as _analytics
from bluehelmet.cli import data as _data
from bluehelmet.cli import offers as _offers
from bluehelmet.cli import plan as _plan
from bluehelmet.cli import registry as _registry
from bluehelmet.cli import scenario as _scenario
from bluehelmet.cli import serve as _serve
from bluehelmet.cli import users as _users
from bluehelmet.cli._output import error_exit


class _ErrorMappingGroup(TyperGroup):
    """The root group: every error raised by a command becomes a message and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            mapped = error_exit(exc)
            if mapped is None:
                raise
            raise mapped from exc


def _version(value: bool) -> None:
    if value:
        from bluehelmet import __version__

        typer.echo(f"bluehelmet {__version__}")
        raise typer.Exit


app = typer.Typer(
    name="bluehelmet",
    cls=_ErrorMappingGroup,
    help="Peacekeeping cooperation: registry, contribution data, analytics, force generation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_version,
        is_eager=True,
    ),
) -> None:
    """Peacekeeping cooperation: registry, contribution data, analytics, force generation."""


for _module in (_registry, _data, _analytics, _plan, _scenario, _serve, _users, _offers):
    _module.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
