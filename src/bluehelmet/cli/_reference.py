"""The CLI reference (docs/cli.md), generated from the commands' own ``--help``.

``python -m bluehelmet.cli._reference > docs/cli.md`` regenerates it; a test fails when the
file differs from what the commands print, so the reference cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

import typer

WIDTH = 100
HEADER = (
    "# Command-line reference\n\n"
    "Generated from `--help` by `python -m bluehelmet.cli._reference > docs/cli.md`; "
    "a test checks that it is current.\n"
)


def _walk(command: Any, parent: Any, path: list[str], out: list[str]) -> None:
    ctx = command.context_class(
        command,
        info_name=path[-1],
        parent=parent,
        terminal_width=WIDTH,
        max_content_width=WIDTH,
    )
    out.append(f"\n## `{' '.join(path)}`\n\n```text\n{command.get_help(ctx).rstrip()}\n```\n")
    for name in sorted(getattr(command, "commands", {})):
        sub = command.commands[name]
        if not getattr(sub, "hidden", False):
            _walk(sub, ctx, [*path, name], out)


def reference_markdown() -> str:
    """The whole CLI reference as Markdown, one section per command."""
    from bluehelmet.cli import app

    root = typer.main.get_command(app)
    out = [HEADER]
    _walk(root, None, ["bluehelmet"], out)
    return "".join(out)


if __name__ == "__main__":
    import sys

    sys.stdout.write(reference_markdown())
