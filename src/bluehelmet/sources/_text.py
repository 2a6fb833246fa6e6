"""Text repairs that published files need: UTF-8 that was read as Windows-1252 and saved again.

Geo-PKO's ``geopko.csv`` spells Dékoa as ``DÃ©koa``: the UTF-8 bytes of ``é`` (C3 A9) were
read as the two Windows-1252 characters ``Ã©`` and written out as UTF-8 again. Turning each
character back into its Windows-1252 byte (Latin-1 for the five bytes Windows-1252 leaves
undefined) and decoding the bytes as UTF-8 undoes that. Correct text almost never survives
the round trip (``é`` alone gives the byte E9, which is not valid UTF-8), so a value is changed
only when the round trip succeeds.
"""

from __future__ import annotations

import polars as pl

_ROUNDS = 3
"""Text saved through the mistake more than once is repaired up to this many times."""


def _byte(char: str) -> bytes:
    try:
        return char.encode("cp1252")
    except UnicodeEncodeError:
        if ord(char) < 256:
            return bytes([ord(char)])
        raise


def repair_utf8_read_as_cp1252(text: str) -> str:
    """``text`` with UTF-8 read as Windows-1252 undone, or ``text`` itself when it is not that."""
    for _ in range(_ROUNDS):
        if text.isascii():
            return text
        try:
            fixed = b"".join(_byte(c) for c in text).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return text
        text = fixed
    return text


def repair_columns(frame: pl.DataFrame, columns: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Repair the text ``columns`` of ``frame``; return it and the repaired cells.

    The second frame lists each changed cell with ``_line``, ``column``, ``published`` and
    ``repaired`` (in line order), for the import report.
    """
    changes: list[pl.DataFrame] = []
    fixes: list[pl.Expr] = []
    for column in columns:
        values = frame.get_column(column).drop_nulls().unique()
        mapping = {v: r for v in values.to_list() if (r := repair_utf8_read_as_cp1252(v)) != v}
        if not mapping:
            continue
        changed = frame.filter(pl.col(column).is_in(list(mapping)))
        changes.append(
            changed.select(
                pl.col("_line"),
                pl.lit(column).alias("column"),
                pl.col(column).alias("published"),
                pl.col(column).replace_strict(mapping, default=None).alias("repaired"),
            )
        )
        fixes.append(pl.col(column).replace(mapping))
    if not changes:
        empty = {"_line": pl.Int64, "column": pl.Utf8, "published": pl.Utf8, "repaired": pl.Utf8}
        return frame, pl.DataFrame(schema=empty)
    report = pl.concat(changes, how="vertical_relaxed").sort("_line", "column")
    return frame.with_columns(fixes), report
