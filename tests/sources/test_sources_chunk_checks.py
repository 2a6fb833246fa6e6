"""A streamed chunk's one-pass checks and unpivot give exactly what the step-by-step path gives."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from bluehelmet.sources import _common, ipi_gender
from bluehelmet.sources._adapter import Parsed, nonzero_rows
from bluehelmet.sources.ipi_gender import CATEGORIES, COUNT_COLUMNS, SEXES, IpiGenderFull
from tests._data_helpers import gender_row, write_gender
from tests.sources.test_sources_streaming import varied_rows


def _chunks(path: Path, size: int) -> list[_common.RawFile]:
    return list(_common.read_raw(path).chunks(size))


def _same(one: Parsed, other: Parsed) -> None:
    assert one.frames.keys() == other.frames.keys()
    for dataset, frame in one.frames.items():
        assert frame.equals(other.frames[dataset]), dataset
        assert frame.schema == other.frames[dataset].schema
    assert one.issues == other.issues
    assert one.covered == other.covered
    assert one.rows_read == other.rows_read
    assert (one.keys is None) == (other.keys is None)
    if one.keys is not None and other.keys is not None:
        assert one.keys.equals(other.keys)


def test_a_chunk_checked_in_one_pass_parses_as_with_the_checks_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = varied_rows(80)  # zeros-only rows, wrong totals (reported) in some chunks
    rows[5] = rows[5].replace('"Ghana"', '" Ghana"')  # a name to trim
    path = write_gender(tmp_path / "g.csv", rows)
    adapter = IpiGenderFull()
    chunks = _chunks(path, 900)
    fast = [adapter.parse_chunk(c) for c in chunks]
    taken = [ipi_gender._valid_at_once(_typed(c)) for c in chunks]
    assert any(taken)  # some chunks take the one-pass path,
    assert not all(taken)  # others report wrong totals
    monkeypatch.setattr(ipi_gender, "_valid_at_once", lambda frame: False)
    for one, chunk in zip(fast, chunks, strict=True):
        _same(one, adapter.parse_chunk(chunk))


def _typed(chunk: _common.RawFile) -> pl.DataFrame:
    """The chunk as ``_parse`` reads it before its checks."""
    published = {ipi_gender._spaced(h): h for h in chunk.header}
    typed: dict[str, pl.DataType | type[pl.DataType]] = {
        published[c]: pl.Int64 for c in COUNT_COLUMNS
    }
    typed[published["Date"]] = pl.Date
    typed.update({published[c]: pl.Categorical for c in ipi_gender.NAME_COLUMNS})
    frame = _common.read_table(chunk, typed=typed)
    return frame.rename({h: ipi_gender._spaced(h) for h in frame.columns if h != "_line"})


def _clean() -> pl.DataFrame:
    rows = [
        gender_row(n, "2012-03-31", "Ghana", "GHA", "UNMIL", ip=(n, 1), troops=(2 * n, 0))
        for n in range(1, 6)
    ]
    return pl.DataFrame(
        {
            "Date": [date(2012, 3, 31)] * len(rows),
            "Contributor ISO-3": ["GHA"] * len(rows),
            "Mission": ["UNMIL"] * len(rows),
            **{
                column: [int(r.split(",")[5 + i]) for r in rows]
                for i, column in enumerate(COUNT_COLUMNS)
            },
            "_line": list(range(2, 2 + len(rows))),
        },
        schema_overrides=dict.fromkeys(COUNT_COLUMNS, pl.Int64),
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("Troops Male", -1),  # negative
        ("Troops Male", _common.MAX_COUNT + 1),  # too large
        ("Experts on Mission Female", None),  # a gap in a count
        ("Date", None),
        ("Contributor ISO-3", None),
        ("Mission", None),
        ("Formed Police Units Female", 3),  # a category's split exceeds its total
        ("Individual Police Total", 100),  # a split short of its total (and totals differ)
        ("Total Total", 1000),  # the totals disagree
        ("Total Male", 0),  # 'Total Male' + 'Total Female' != 'Total Total'
    ],
)
def test_any_failing_or_reported_check_sends_a_chunk_through_the_checks_one_by_one(
    column: str, value: object
) -> None:
    frame = _clean()
    assert ipi_gender._valid_at_once(frame)
    changed = frame.with_columns(
        pl.when(pl.col("_line") == 4)
        .then(pl.lit(value, dtype=frame.schema[column]))
        .otherwise(pl.col(column))
        .alias(column)
    )
    assert not ipi_gender._valid_at_once(changed)


def test_a_text_or_empty_chunk_takes_the_checks_one_by_one() -> None:
    frame = _clean()
    assert not ipi_gender._valid_at_once(frame.with_columns(pl.col("Troops Male").cast(pl.Utf8)))
    assert not ipi_gender._valid_at_once(frame.with_columns(pl.col("Date").cast(pl.Utf8)))
    assert not ipi_gender._valid_at_once(frame.clear())


@pytest.mark.parametrize("seed", range(10))
def test_the_unpivot_finds_the_lines_of_zeros_as_nonzero_rows_does(seed: int) -> None:
    rng = random.Random(seed)
    height = rng.randrange(0, 40)
    values = [f"{c} {s}" for c in CATEGORIES for s in SEXES]
    frame = pl.DataFrame(
        {
            "month": [date(2012, 1 + i % 12, 1) for i in range(height)],
            "Contributor ISO-3": [rng.choice(["GHA", "NPL", None]) for _ in range(height)],
            "Mission": [rng.choice(["UNMIL", "UNOCI"]) for _ in range(height)],
            "_line": rng.sample(range(2, 10 * height + 3), height),
            **{c: [rng.choice([0, 0, 0, 0, 1, 7, None]) for _ in range(height)] for c in values},
        },
        schema_overrides={"_line": pl.Int64, **dict.fromkeys(values, pl.Int64)},
    )
    for chunk in (True, False):
        names = pl.Categorical if chunk else pl.Utf8
        category_type = pl.Enum([str(c) for c in CATEGORIES.values()]) if chunk else pl.Utf8
        sex_type = pl.Enum([str(s) for s in SEXES.values()]) if chunk else pl.Utf8
        base = frame.lazy().select(
            pl.col("month"),
            pl.col("Contributor ISO-3").cast(names).alias("contributor"),
            pl.col("Mission").cast(names).alias("mission"),
            pl.col("_line"),
            *values,
        )
        parts = [
            base.select(
                pl.col("month"),
                pl.col("contributor"),
                pl.col("mission"),
                pl.lit(str(category)).cast(category_type).alias("category"),
                pl.lit(str(sex)).cast(sex_type).alias("sex"),
                pl.col(f"{label} {sex_label}").alias("count"),
                pl.col("_line"),
            )
            for label, category in CATEGORIES.items()
            for sex_label, sex in SEXES.items()
        ]
        expected = nonzero_rows(parts)
        got = ipi_gender._unpivot(frame, chunk=chunk)
        assert got.schema == expected.schema
        assert got.equals(expected)


@pytest.mark.parametrize("seed", range(10))
def test_bytes_are_counted_as_bytes_count_counts_them(seed: int) -> None:
    rng = random.Random(seed)
    data = bytes(rng.choice(b'ab"\n\r,') for _ in range(rng.randrange(0, 3000)))
    end = rng.randrange(0, len(data) + 1)
    for byte in (ord('"'), ord("\n")):
        assert _common._count(data, byte, end) == data.count(bytes([byte]), 0, end)
