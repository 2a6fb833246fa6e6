"""Rendering of command results as a rich table, JSON or CSV (shared by all commands)."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text


class OutputFormat(StrEnum):
    """Output formats every listing command offers."""

    TABLE = "table"
    JSON = "json"
    CSV = "csv"


FormatOption = typer.Option(OutputFormat.TABLE, "--format", "-f", help="table, json or csv.")

console = Console()
err_console = Console(stderr=True)


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _raw(value: Any) -> str:
    """A CSV field: the value as data (full precision, no thousands separators)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "|".join(_raw(v) for v in value)
    return str(value)


def _cell(value: Any) -> str:
    """A table cell: the value formatted for reading (the table is the only formatted view)."""
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
            writer.writerow({k: _raw(r.get(k)) for k in keys})
        sys.stdout.write(buf.getvalue())
    elif not rows:
        err_console.print(f"[dim]{title + ': ' if title else ''}no rows match.[/]")
    else:
        for part, chunk in enumerate(_column_chunks(rows, keys, console.width)):
            table = Table(title=title if part == 0 else None, show_lines=False)
            numeric: dict[str, bool] = {}
            least: list[int] = []
            text: list[bool] = []
            for k in chunk:
                values = [r.get(k) for r in rows if r.get(k) is not None]
                numeric[k] = bool(values) and all(
                    isinstance(v, int | float) and not isinstance(v, bool) for v in values
                )
                # Numbers, dates and the key column that repeats in every part are never
                # folded; headers may wrap at their words.
                whole = numeric[k] or all(isinstance(v, date | bool) for v in values)
                text.append(not whole)
                fixed = whole or k == chunk[0]
                least.append(min(_width(rows, k), 40 if fixed else 12))
            natural = [max(len(k), *(len(_cell(r.get(k))) for r in rows)) for k in chunk]
            # Rich shrinks an overflowing table evenly and then gives the columns at their
            # minimum their width back, so the table can end wider than the terminal and be
            # cut off: the widths are set here, the widest columns narrowed first.
            room = console.width - 3 * len(chunk) - 1
            if sum(least) > room:  # long keys, text or headers: fold them, never a value
                cells = [max(len(_cell(r.get(k))) for r in rows) for k in chunk]
                least = [
                    min(lo, 4) if t else c for lo, c, t in zip(least, cells, text, strict=True)
                ]
            widths = fit_widths(natural, least, room)
            for k, lo, w in zip(chunk, least, widths, strict=True):
                table.add_column(
                    k.replace("_", " "),
                    overflow="fold",
                    justify="right" if numeric[k] else "left",
                    min_width=lo,
                    width=w,
                )
            for r in rows:
                table.add_row(*(Text(_cell(r.get(k))) for k in chunk))
            console.print(table)


def fit_widths(natural: Sequence[int], least: Sequence[int], room: int) -> list[int] | list[None]:
    """Column widths within ``room``: the widest narrowed first, none below its least width
    (all None, rich's own layout, when even the least widths do not fit or nothing must go)."""
    widths = list(natural)
    if sum(widths) <= room or sum(least) > room:
        return [None] * len(widths)
    while sum(widths) > room:
        i = max((j for j in range(len(widths)) if widths[j] > least[j]), key=widths.__getitem__)
        widths[i] -= 1
    return widths


def fitted_table(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    right: Collection[str] = (),
    folding: Mapping[str, int] | None = None,
    sections: Sequence[bool] | None = None,
    show_lines: bool = False,
) -> Table | None:
    """A table of rich-markup cells that fits the console: cells wrap at spaces, never inside a
    word (a date, a number, a code); borderless when the borders do not fit; then the
    ``folding`` columns may be folded inside words down to the width given; None when even
    that does not fit. ``sections[i]``: a rule above row ``i``."""
    folding = folding or {}
    plain = [[Text.from_markup(c).plain for c in r] for r in rows]

    def longest(texts: list[str], split: Callable[[str], list[str]]) -> int:
        return max([0, *(len(part) for t in texts for part in split(t))])

    natural: list[int] = []
    words: list[int] = []
    least: list[int] = []
    for k, h in enumerate(headers):
        cells = [h, *(r[k] for r in plain)]
        natural.append(longest(cells, str.splitlines))
        words.append(longest(cells, str.split))
        least.append(min(natural[-1], folding[h]) if h in folding else words[-1])
    n = len(headers)
    framed, bare = console.width - 3 * n - 1, console.width - 2 * (n - 1)
    # Whole words with borders, whole words without, then folded codes without borders.
    if sum(words) <= framed:
        boxed, widths = True, fit_widths(natural, words, framed)
    elif sum(words) <= bare:
        boxed, widths = False, fit_widths(natural, words, bare)
    elif sum(least) <= bare:
        boxed, widths = False, fit_widths(natural, least, bare)
    else:
        return None
    table = Table(
        title=title,
        title_justify="left",
        show_lines=show_lines,
        box=box.HEAVY_HEAD if boxed else box.SIMPLE_HEAD,
        show_edge=boxed,
        pad_edge=boxed,
        collapse_padding=not boxed,
    )
    for h, lo, w in zip(headers, least, widths, strict=True):
        justify: Literal["left", "right"] = "right" if h in right else "left"
        table.add_column(h, justify=justify, overflow="fold", min_width=lo, width=w)
    for i, row in enumerate(rows):
        if sections is not None and sections[i]:
            table.add_section()
        table.add_row(*row)
    return table


def _width(rows: Sequence[Mapping[str, Any]], key: str) -> int:
    """The width a column needs to show its header's longest word and every cell whole."""
    header = max(len(w) for w in key.split("_"))
    return max([header, *(len(_cell(r.get(key))) for r in rows)])


def _column_chunks(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], width: int
) -> list[list[str]]:
    """The columns split into tables that fit ``width``, each repeating the first column(s)
    that identify a row (so that no date or number is ever clipped)."""
    widths = {k: min(_width(rows, k), 40) + 3 for k in keys}
    if sum(widths.values()) + 1 <= width or len(keys) <= 2:
        return [list(keys)]
    lead = [keys[0]]
    if len(keys) > 3 and widths[keys[0]] < 10:
        lead.append(keys[1])
    chunks: list[list[str]] = []
    current = list(lead)
    for k in keys[len(lead) :]:
        used = sum(widths[c] for c in current) + 1
        if len(current) > len(lead) and used + widths[k] > width:
            chunks.append(current)
            current = list(lead)
        current.append(k)
    chunks.append(current)
    return chunks


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
    """Print ``message`` to stderr, unwrapped and free of markup, and return an Exit to raise.

    The message is printed as one line however narrow the terminal, so a file name in it can
    be copied whole, and text taken from the user's files is never read as rich markup.
    """
    err_console.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
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
            for row in rows:
                if isinstance(row.get("file"), str):
                    row["file"] = Path(row["file"]).name
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
        if exc.strerror:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            return fail(f"{exc.strerror}{where}")
        # Raised outside the OS layer (polars, pyarrow): the message carries the path.
        return fail(str(exc) or exc.__class__.__name__)
    return None
