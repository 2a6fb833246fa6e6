"""Every CLI command and option is documented (README.md or docs/), datasette-style."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import typer

from bluehelmet.cli import app
from tests.conftest import ROOT


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in subcommands.items():
            yield from _commands(sub, (*path, name))
    else:
        yield " ".join(path), command


COMMANDS = dict(_commands(typer.main.get_command(app)))
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in DOC_FILES)


def test_the_expected_command_groups_exist() -> None:
    for name in ("init", "registry countries", "data import", "rank", "shares", "panel", "plan"):
        assert name in COMMANDS


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_and_its_options_are_documented(name: str) -> None:
    assert f"bluehelmet {name}" in DOCS, f"`bluehelmet {name}` is not in README.md or docs/"
    command = COMMANDS[name]
    for param in command.params:
        if type(param).__name__.endswith("Option"):
            long = [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
            if long and long != ["--help"]:
                assert any(o in DOCS for o in long), f"{name}: option {long} is not documented"


def test_cli_reference_is_generated_from_help() -> None:
    from bluehelmet.cli._reference import reference_markdown

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert text == reference_markdown(), (
        "docs/cli.md is stale: run `python -m bluehelmet.cli._reference > docs/cli.md`"
    )
