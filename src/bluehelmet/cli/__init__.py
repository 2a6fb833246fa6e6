"""The ``bluehelmet`` command line: a thin shell over the Python API.

Each command group lives in its own module and is registered here.
"""

from __future__ import annotations

import typer

from bluehelmet.cli import analytics as _analytics
from bluehelmet.cli import data as _data
from bluehelmet.cli import plan as _plan
from bluehelmet.cli import registry as _registry
from bluehelmet.cli import scenario as _scenario

app = typer.Typer(
    name="bluehelmet",
    help="Peacekeeping cooperation: registry, contribution data, analytics, force generation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for _module in (_registry, _data, _analytics, _plan, _scenario):
    _module.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
