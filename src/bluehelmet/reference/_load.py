"""Reading the authored CSV files shipped in ``bluehelmet/reference/data`` (no I/O beyond them)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date
from importlib import resources

from bluehelmet.errors import InputError

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def data_file(name: str) -> str:
    """Text of one packaged data file."""
    return resources.files("bluehelmet.reference").joinpath("data", name).read_text("utf-8")


def read_rows(name: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of a packaged CSV file with their line numbers; ``#`` lines are comments."""
    text = data_file(name)
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    reader = csv.DictReader(io.StringIO("\n".join(lines[first:])))
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        line = first + reader.line_num
        if None in row or any(v is None for v in row.values()):
            msg = "wrong number of fields"
            raise InputError(msg, file=name, line=line)
        rows.append((line, {k: v.strip() for k, v in row.items()}))
    return rows


def parse_date(value: str, *, file: str, line: int, field: str) -> date | None:
    """An ISO date, or None for an empty cell; bad dates raise ``InputError``."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = f"not an ISO date: {value!r}"
        raise InputError(msg, file=file, line=line, field=field) from None


def split_list(value: str) -> tuple[str, ...]:
    """The ``|``-separated items of a cell."""
    return tuple(item.strip() for item in value.split("|") if item.strip())


def name_key(name: str) -> str:
    """Comparison key for names: accents, case, quotes, punctuation and spaces removed.

    ``"Côte d’Ivoire"``, ``"Cote D'ivoire"`` and ``"Cote d Ivoire"`` share one key, as do
    ``"South Sudan'"`` and ``"South Sudan"``.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("&", " and ").casefold()
    return _NON_ALNUM.sub("", stripped)
