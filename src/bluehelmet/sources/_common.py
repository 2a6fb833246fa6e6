"""Helpers shared by the adapters: reading a file once, typed columns with located errors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Generator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bluehelmet.errors import InputError

BOM = b"\xef\xbb\xbf"
NA_VALUES = ("", "NA", "N/A", "NaN", "na", "null", "NULL", "-")
MAX_COUNT = 1_000_000
"""Upper bound of one count cell: no contributor has ever deployed a million people."""
SUMMARY_NAMES = frozenset({"all", "total", "totals", "grand total", "sum", "subtotal"})


CHUNK_BYTES = 16 << 20
"""Bytes of CSV parsed at a time by the adapters that stream (about 200,000 rows).

Two chunks are parsed at once while a third is stored; smaller chunks fill and drain that
pipeline sooner at no measurable cost per chunk (the same CPU time at 8, 16 and 32 MB)."""


class RawFile:
    """A source file: its path, size on disk, header and SHA-256; its bytes read on demand.

    The SHA-256 is computed from the file in a background thread; ``data`` (the whole file,
    BOM removed) is read at first use; ``chunks`` reads the file piece by piece instead, so
    a large file is never held whole. A chunk is itself a ``RawFile`` (header line + some records)
    whose ``offset`` maps its line numbers to the file's, so every message names the file's
    line.
    """

    __slots__ = ("_data", "_digest", "head", "header", "lines", "offset", "path", "size")

    def __init__(  # noqa: PLR0917 - one private call site per kind of file
        self,
        path: Path,
        size: int,
        header: tuple[str, ...],
        head: bytes,
        data: bytes | None = None,
        offset: int = 0,
    ) -> None:
        self.path = path
        self.size = size
        self.header = header
        self.head = head
        """The header line as published (BOM and line break removed)."""
        self.offset = offset
        """Lines of the file before this chunk's first record, less one (0 for a whole file)."""
        self._data = data
        self._digest: Future[str] | None = None
        self.lines: int | None = None
        """Lines of ``data`` when known (a chunk's, counted while cutting it)."""

    @property
    def data(self) -> bytes:
        """The file's bytes (BOM removed), read at first use."""
        if self._data is None:
            try:
                data = self.path.read_bytes()
            except OSError as exc:
                msg = f"cannot read the file: {exc.strerror or exc}"
                raise InputError(msg, file=self.path) from exc
            self._data = data[len(BOM) :] if data.startswith(BOM) else data
        return self._data

    def start_hashing(self) -> None:
        """Compute the file's SHA-256 in a background thread (read from disk in blocks)."""
        if self._digest is None:
            self._digest = _HASHER.submit(_file_sha256, self.path)

    @property
    def sha256(self) -> str:
        """SHA-256 of the file as stored on disk (hex)."""
        self.start_hashing()
        assert self._digest is not None
        try:
            return self._digest.result()
        except OSError as exc:
            msg = f"cannot read the file: {exc.strerror or exc}"
            raise InputError(msg, file=self.path) from exc

    @property
    def name(self) -> str:
        """The file name shown in messages."""
        return str(self.path)

    def chunks(self, size: int | None = None) -> Generator[RawFile, None, None]:
        """The file as chunks of about ``size`` bytes (default ``CHUNK_BYTES``), whole records.

        A chunk never ends inside a quoted field (its quotes are balanced). Fails when the file
        changes while it is read (its size or modification time differ at the end). Each
        block is read from where the previous chunk ended and copied once, behind the header
        line.
        """
        size = size or CHUNK_BYTES
        head = self.head + b"\n"
        line = 1  # lines of the file before the next chunk's first record, less one
        try:
            before = self.path.stat()
            with self.path.open("rb") as handle:
                first = handle.read(size)
                while b"\n" not in first:  # the header line is longer than a chunk
                    more = handle.read(size)
                    if not more:
                        break
                    first += more
                end = first.find(b"\n")
                position = end + 1 if end >= 0 else None  # the first record's byte in the file
                del first
                while position is not None:
                    handle.seek(position)
                    block = handle.read(size)
                    done = len(block) < size
                    cut = _balanced_cut(block, final=done)
                    while cut is None:  # a quoted field runs past this block: read on
                        more = handle.read(size)
                        done = len(more) < size
                        block += more
                        cut = _balanced_cut(block, final=done)
                    if not cut:
                        break
                    breaks = _count(block, _NEWLINE, cut)
                    if _BLACK.search(block, 0, cut):  # not only blank lines
                        chunk = RawFile(
                            self.path,
                            self.size,
                            self.header,
                            self.head,
                            b"".join((head, memoryview(block)[:cut])),
                            line - 1,
                        )
                        chunk.lines = 1 + breaks + (0 if block[cut - 1] == _NEWLINE else 1)
                        yield chunk
                    line += breaks
                    position = None if done and cut == len(block) else position + cut
            after = self.path.stat()
        except OSError as exc:
            msg = f"cannot read the file: {exc.strerror or exc}"
            raise InputError(msg, file=self.path) from exc
        if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
            msg = "the file changed while it was read; import it again"
            raise InputError(msg, file=self.path)


_BLACK = re.compile(rb"\S")
"""Any byte that ``bytes.strip`` keeps (ASCII whitespace is what it removes)."""
_NEWLINE = ord("\n")
_QUOTE = ord('"')


def _count(data: bytes, byte: int, end: int) -> int:
    """How many times ``byte`` occurs in ``data[:end]`` (as ``bytes.count``, vectorised).

    ``bytes.count`` of one byte reads about 1.5 GB/s holding the GIL; this reads several
    times faster without it (a chunk's quotes and line breaks are counted once each).
    """
    return int(np.count_nonzero(np.frombuffer(data, np.uint8, count=end) == byte))


def _balanced_cut(data: bytes, *, final: bool) -> int | None:
    """End of the longest prefix of ``data`` made of whole records; None if there is none."""
    if final:
        return len(data)
    cut = data.rfind(b"\n")
    while cut >= 0:
        if _count(data, _QUOTE, cut + 1) % 2 == 0:
            return cut + 1
        cut = data.rfind(b"\n", 0, cut)
    return None


_HASHER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bluehelmet-sha256")


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_raw(path: Path) -> RawFile:
    """Open ``path`` and read its header line; its bytes are read when needed."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            start = handle.read(1 << 16)
            while b"\n" not in start:
                more = handle.read(1 << 16)
                if not more:
                    break
                start += more
    except OSError as exc:
        msg = f"cannot read the file: {exc.strerror or exc}"
        raise InputError(msg, file=path) from exc
    if start.startswith(BOM):
        start = start[len(BOM) :]
    end = start.find(b"\n")
    head = start[: end if end >= 0 else len(start)].rstrip(b"\r")
    try:
        first = head.decode("utf-8")
    except UnicodeDecodeError:
        check_utf8(path, start)
        raise  # pragma: no cover - check_utf8 raised
    if not first.strip():
        msg = "the file is empty or has no header line"
        raise InputError(msg, file=path, line=1)
    import csv

    try:
        header = tuple(_split_header(first))
    except csv.Error as exc:  # e.g. a lone carriage return inside the header line
        msg = f"malformed header line: {exc}"
        raise InputError(msg, file=path, line=1) from None
    raw = RawFile(path, size, header, head)
    raw.start_hashing()
    return raw


def check_utf8(path: Path, data: bytes, *, offset: int = 0) -> None:
    """Fail with the line and column of the first byte that is not UTF-8.

    ``offset``: lines of the file before ``data``'s second line, less one (see ``RawFile``).
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        line += offset if line > 1 else 0
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        msg = (
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at column {col}); "
            "re-save the file as UTF-8"
        )
        raise InputError(msg, file=path, line=line) from None


def _split_header(line: str) -> list[str]:
    import csv

    return [h.strip() for h in next(csv.reader([line]))]


def read_table(
    raw: RawFile,
    *,
    separator: str = ",",
    typed: dict[str, pl.DataType | type[pl.DataType]] | None = None,
) -> pl.DataFrame:
    """Parse the CSV and add ``_line`` (1 = header).

    Columns are text, except those in ``typed`` (e.g. counts as Int64, dates as Date) when
    every value parses: that is the fast path. If any does not, the whole file is read as
    text so that the validators (``counts``, ``dates``) can name the line and field.
    """
    frame: pl.DataFrame | None = None
    if typed:
        present = {c: t for c, t in typed.items() if c in raw.header}
        try:
            frame = _read(raw, separator, present)
        except (pl.exceptions.ComputeError, pl.exceptions.InvalidOperationError):
            frame = None
    if frame is None:
        try:
            frame = _read(raw, separator, {})
        except pl.exceptions.ComputeError as exc:
            check_utf8(raw.path, raw.data, offset=raw.offset)
            msg = f"malformed CSV: {str(exc).splitlines()[0]}"
            line = _error_line(raw.data, str(exc))
            line = line + raw.offset if line is not None else None
            raise InputError(msg, file=raw.path, line=line) from None
    frame = frame.rename({c: c.strip() for c in frame.columns})
    frame = frame.with_row_index("_line", offset=2 + raw.offset).with_columns(
        pl.col("_line").cast(pl.Int64)
    )
    newlines = raw.lines
    if newlines is None:
        newlines = raw.data.count(b"\n") + (0 if raw.data.endswith(b"\n") else 1)
    if newlines != frame.height + 1:
        # quoted fields span lines (or blank lines): number records by their first line
        lines = _record_lines(raw)
        if len(lines) == frame.height:
            frame = frame.with_columns(pl.Series("_line", lines, dtype=pl.Int64))
    # blank lines (e.g. a trailing "\r\n") carry nothing: drop them
    data_columns = [c for c in frame.columns if c != "_line"]
    blank = pl.all_horizontal([pl.col(c).is_null() for c in data_columns])
    if frame.select(blank.any()).item():
        frame = frame.filter(~blank)
    return frame


def _record_lines(raw: RawFile) -> list[int]:
    """The line on which each record starts, counting quoted line breaks (1 = header)."""
    import csv
    import io

    reader = csv.reader(io.StringIO(raw.data.decode("utf-8", errors="replace"), newline=""))
    next(reader, None)
    lines = []
    start = reader.line_num + 1
    for row in reader:
        if row:
            lines.append(start + raw.offset)
        start = reader.line_num + 1
    return lines


def _read(
    raw: RawFile, separator: str, typed: dict[str, pl.DataType | type[pl.DataType]]
) -> pl.DataFrame:
    """Parse the CSV; the missing-value markers (``NA_VALUES``) of text columns read as null.

    The markers are applied after parsing (as the parser's ``null_values`` would, quoted or
    not): matching every field against them while parsing doubles the parse time. A marker
    in a typed column fails the typed read, which then falls back to text.
    """
    frame = pl.read_csv(
        raw.data,
        separator=separator,
        infer_schema_length=0,
        schema_overrides=typed or None,
        raise_if_empty=False,
    )
    markers = list(NA_VALUES)
    text = [c for c, t in frame.schema.items() if t in (pl.Utf8, pl.Categorical)]
    return frame.with_columns(
        pl.when(pl.col(c).is_in(markers)).then(None).otherwise(pl.col(c)).alias(c) for c in text
    )


def _error_line(data: bytes, message: str) -> int | None:
    found = re.search(r"record (\d+)|line (\d+)", message)
    if not found:
        return None
    return int(next(g for g in found.groups() if g)) + 1


def require_columns(raw: RawFile, frame: pl.DataFrame, columns: list[str]) -> None:
    """Fail naming the first missing column."""
    for column in columns:
        if column not in frame.columns:
            msg = f"missing column {column!r} (header: {', '.join(frame.columns)})"
            raise InputError(msg, file=raw.path, line=1, field=column)


def cell_text(raw: RawFile, line: int, column: str) -> str | None:
    """The text of ``column`` on ``line`` as published (None when it cannot be located)."""
    import csv

    line -= raw.offset
    if line < 1:
        return None
    lines = raw.data.split(b"\n", line)
    if len(lines) < line:
        return None
    try:
        text = lines[line - 1].decode("utf-8").rstrip("\r")
        row = next(csv.reader([text]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return None
    try:
        index = list(raw.header).index(column)
    except ValueError:
        return None
    return row[index] if index < len(row) else None


def missing_message(raw: RawFile, line: int, column: str, what: str = "value") -> str:
    """'missing value' naming the published marker (``NA``, ``-``) or the empty cell."""
    text = cell_text(raw, line, column)
    if text is not None and text.strip():
        return f"missing {what}: {text.strip()!r} is not allowed here"
    return f"missing {what} (truncated line or empty cell)"


def first_bad(frame: pl.DataFrame, mask: pl.Expr, column: str) -> tuple[int, Any] | None:
    """Line and value of the first row where ``mask`` holds, or None."""
    bad = frame.filter(mask).select("_line", column).head(1)
    if bad.height == 0:
        return None
    line, value = bad.row(0)
    return int(line), value


def counts(
    raw: RawFile,
    frame: pl.DataFrame,
    columns: list[str],
    *,
    required: bool = True,
    decimal_comma: bool = False,
) -> pl.DataFrame:
    """Cast count columns to Int64; text, fractions, negatives and (if required) gaps fail."""
    text_columns = [c for c in columns if frame.schema[c] == pl.Utf8]
    if text_columns:
        frame = _counts_from_text(raw, frame, text_columns, decimal_comma=decimal_comma)
    frame = frame.with_columns([pl.col(c).cast(pl.Int64) for c in columns])
    checks = [(pl.col(c) < 0).any().alias(f"neg:{c}") for c in columns]
    checks += [(pl.col(c) > MAX_COUNT).any().alias(f"big:{c}") for c in columns]
    if required:
        checks += [pl.col(c).is_null().any().alias(f"null:{c}") for c in columns]
    flags = frame.select(checks).row(0, named=True)
    for column in columns:
        if flags[f"neg:{column}"]:
            hit = first_bad(frame, pl.col(column) < 0, column)
            assert hit is not None
            msg = f"a count cannot be negative, got {hit[1]!r}"
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
        if flags[f"big:{column}"]:
            hit = first_bad(frame, pl.col(column) > MAX_COUNT, column)
            assert hit is not None
            msg = f"count too large: {hit[1]!r} (at most {MAX_COUNT:,} per cell)"
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
        if required and flags[f"null:{column}"]:
            hit = first_bad(frame, pl.col(column).is_null(), column)
            assert hit is not None
            msg = missing_message(raw, hit[0], column)
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
    return frame


def _counts_from_text(
    raw: RawFile, frame: pl.DataFrame, columns: list[str], *, decimal_comma: bool
) -> pl.DataFrame:
    """Whole numbers read exactly from their digits (``12``, ``12.0``), never through floats."""
    exprs = []
    for column in columns:
        text = pl.col(column).str.strip_chars()
        if decimal_comma:
            text = text.str.replace(",", ".", literal=True)
        exprs.append(text.alias(column))
    frame = frame.with_columns(exprs)
    converted = []
    for column in columns:
        text = pl.col(column)
        whole = text.str.extract(r"^([+-]?\d+)(?:\.0*)?$", 1)
        as_int = whole.str.strip_chars_start("+").cast(pl.Int64, strict=False)
        as_float = text.cast(pl.Float64, strict=False)
        hit = first_bad(frame, text.is_not_null() & as_float.is_null(), column)
        if hit:
            msg = f"not a number: {hit[1]!r}"
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
        hit = first_bad(frame, text.is_not_null() & whole.is_null(), column)
        if hit:
            msg = f"a count must be a whole number, got {hit[1]!r}"
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
        hit = first_bad(frame, whole.is_not_null() & as_int.is_null(), column)
        if hit:
            msg = f"count too large: {hit[1]!r} (at most {MAX_COUNT:,} per cell)"
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
        converted.append(as_int.alias(column))
    return frame.with_columns(converted)


def numbers(
    raw: RawFile, frame: pl.DataFrame, columns: Sequence[str], *, decimal_comma: bool = False
) -> pl.DataFrame:
    """Cast optional decimal columns (coordinates, ratios) to Float64; text fails."""
    for column in columns:
        text = pl.col(column).str.strip_chars()
        if decimal_comma:
            text = text.str.replace(",", ".", literal=True)
        frame = frame.with_columns(text.alias(column))
        cast = pl.col(column).cast(pl.Float64, strict=False)
        hit = first_bad(frame, pl.col(column).is_not_null() & cast.is_null(), column)
        if hit:
            msg = f"not a number: {hit[1]!r}"
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
        frame = frame.with_columns(cast.alias(column))
    return frame


def dates(
    raw: RawFile,
    frame: pl.DataFrame,
    column: str,
    *,
    formats: tuple[str, ...] = ("%Y-%m-%d",),
    required: bool = True,
    alias: str | None = None,
) -> pl.DataFrame:
    """Parse a date column with the first format that reads every value; fail on the first bad."""
    out = alias or column
    if frame.schema[column] == pl.Date:
        if required and frame.select(pl.col(column).is_null().any()).item():
            hit = first_bad(frame, pl.col(column).is_null(), column)
            assert hit is not None
            msg = "missing date (truncated line or empty cell)"
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
        return frame.with_columns(pl.col(column).alias(out))
    text = pl.col(column).str.strip_chars()
    parsed: pl.Expr | None = None
    for fmt in formats:
        attempt = text.str.strptime(pl.Date, fmt, strict=False)
        parsed = attempt if parsed is None else parsed.fill_null(attempt)
    assert parsed is not None
    hit = first_bad(frame, pl.col(column).is_not_null() & parsed.is_null(), column)
    if hit:
        msg = f"not a date: {hit[1]!r} (expected {' or '.join(formats)})"
        raise InputError(msg, file=raw.path, line=hit[0], field=column)
    if required:
        hit = first_bad(frame, pl.col(column).is_null(), column)
        if hit:
            msg = "missing date (truncated line or empty cell)"
            raise InputError(msg, file=raw.path, line=hit[0], field=column)
    return frame.with_columns(parsed.alias(out))


def year_month(
    raw: RawFile, frame: pl.DataFrame, year: str, month: str, *, alias: str = "month"
) -> pl.DataFrame:
    """Build a month-end date from year and month columns; fail on an unknown month."""
    frame = counts(raw, frame, [year, month])
    hit = first_bad(frame, ~pl.col(month).is_between(1, 12), month)
    if hit:
        msg = f"unknown month {hit[1]!r} (expected 1-12)"
        raise InputError(msg, file=raw.path, line=hit[0], field=month)
    hit = first_bad(frame, ~pl.col(year).is_between(1900, 2100), year)
    if hit:
        msg = f"implausible year {hit[1]!r}"
        raise InputError(msg, file=raw.path, line=hit[0], field=year)
    return frame.with_columns(pl.date(pl.col(year), pl.col(month), 1).dt.month_end().alias(alias))


def is_summary(expr: pl.Expr) -> pl.Expr:
    """True where a name column holds a summary label such as 'all' or 'Total'."""
    return expr.str.strip_chars().str.to_lowercase().is_in(list(SUMMARY_NAMES))


def summary_mask(
    frame: pl.DataFrame, columns: Sequence[str], distinct: Mapping[str, pl.Series] | None = None
) -> pl.Expr:
    """True where any of ``columns`` holds a summary label (checked on distinct values).

    ``distinct``: the distinct values (as text, no null) of some of ``columns``, when known.
    """
    mask = pl.lit(value=False)
    for column in columns:
        known = distinct.get(column) if distinct is not None else None
        values = (
            known
            if known is not None
            else frame.get_column(column).drop_nulls().unique().cast(pl.Utf8)
        )
        labels = values.filter(
            values.str.strip_chars().str.to_lowercase().is_in(list(SUMMARY_NAMES))
        )
        if labels.len():
            mask = mask | pl.col(column).is_in(labels.to_list()).fill_null(value=False)
    return mask


@dataclass(slots=True)
class Issue:
    """Something found in a file that did not stop the import (reported in the summary)."""

    kind: str  # "summary_row", "duplicate", "inconsistent_total", "summary_mismatch", ...
    message: str
    lines: list[int] = field(default_factory=list)
    count: int = 0
    details: list[dict[str, Any]] = field(default_factory=list)
    """Each reported row with its published figures (line first)."""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (at most 20 line numbers)."""
        shown = self.lines[:20]
        more = len(self.lines) - len(shown)
        return {
            "kind": self.kind,
            "message": self.message,
            "lines": shown,
            "more_lines": more,
            "rows": len(self.lines),
            "personnel": self.count,
            "details": self.details,
        }


def lines_of(frame: pl.DataFrame) -> list[int]:
    """The ``_line`` values of ``frame`` as a list."""
    return [int(v) for v in frame.get_column("_line").to_list()]
