"""Rendering of command results as a rich table, JSON or CSV (shared by all commands)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table


class OutputFormat(StrEnum):
    """Output formats every listing command offers."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


FormatOption = typer.Option(OutputFormat.TABLE, "--format", "-f", help="table, json or csv.")

console = Console()
err_console = Console(stderr=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1 else f"{value:,.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def emit(
    rows: Sequence[Mapping[str, Any]],
    fmt: OutputFormat,
    *,
    title: str | None = None,
    columns: Sequence[str] | None = None,
) -> None:
    """Print ``rows`` (dicts with snake_case keys) in the chosen format to stdout."""
    keys = list(columns) if columns is not None else (list(rows[0].keys()) if rows else [])
    if fmt is OutputFormat.JSON:
        sys.stdout.write(json.dumps([_jsonable(dict(r)) for r in rows], ensure_ascii=False))
        sys.stdout.write("\n")
    elif fmt is OutputFormat.CSV:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=keys, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: _cell(r.get(k)) for k in keys})
        sys.stdout.write(buf.getvalue())
    elif not rows:
        err_console.print(f"[dim]{title + ': ' if title else ''}no rows match.[/]")
    else:
        table = Table(title=title, show_lines=False)
        for k in keys:
            values = [r.get(k) for r in rows if r.get(k) is not None]
            numeric = bool(values) and all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            )
            table.add_column(
                k.replace("_", " "), overflow="fold", justify="right" if numeric else "left"
            )
        for r in rows:
            table.add_row(*(_cell(r.get(k)) for k in keys))
        console.print(table)


ProgressCallback = Callable[[str, int, int], None]


@contextmanager
def progress_bar(first_step: str = "starting") -> Iterator[ProgressCallback]:
    """A transient rich progress bar on stderr; yields ``progress(step, done, total)``."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<36}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(first_step, total=None)

        def progress(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total or None)

        yield progress


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` to stderr and return an Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def error_exit(exc: BaseException) -> typer.Exit | None:
    """The one mapping from an error to a message on stderr and an exit code.

    bluehelmet's own errors exit 1 with their message (and a reconciliation report when the
    error carries one); a database or file-system failure exits 1 with what failed; anything
    else is a defect and is left to propagate (``None``).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from bluehelmet.errors import BluehelmetError

    if isinstance(exc, BluehelmetError):
        report = getattr(exc, "report", None)
        if callable(report):
            rows = report()
            if rows:
                emit(
                    rows,
                    OutputFormat.TABLE,
                    title="Reconciliation report",
                    columns=["file", "kind", "name", "rows", "personnel", "lines", "suggestions"],
                )
            return fail(str(exc).splitlines()[0])
        return fail(str(exc))
    if isinstance(exc, SQLAlchemyError):
        first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        return fail(f"the database failed: {exc.__class__.__name__}: {first}")
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return fail(f"{exc.strerror or exc.__class__.__name__}{where}")
    return None
