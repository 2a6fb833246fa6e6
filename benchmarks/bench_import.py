"""Import speed: bluehelmet's importer against a plain DuckDB read (floor) and pandas.

Runs on the real IPI ``Gender.Full.csv`` and on a generated file of 2,000,000 rows in the
same format (the real rows repeated with shifted months), written to a temporary folder.
Prints each time and the ratios ``bluehelmet / duckdb`` (goal: <= 3) and
``bluehelmet / pandas`` (goal: < 1). Usage: ``python benchmarks/bench_import.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BLUEHELMET_SHARED_DATA", ROOT.parent / "shared" / "data"))
REAL = SHARED / "ipi_tcc" / "Gender.Full.csv"
CATEGORIES = ("Individual Police", "Formed Police Units", "Experts on Mission", "Troops")


def generate(path: Path, rows: int) -> None:
    """Write ``rows`` rows in the Gender.Full layout: the real rows with months shifted."""
    real = pl.read_csv(REAL, schema_overrides={"": pl.Utf8, "Date": pl.Utf8})
    copies = -(-rows // real.height)
    parts = []
    for i in range(copies):
        shifted = real.with_columns(
            pl.col("Date")
            .str.to_date()
            .dt.offset_by(f"-{i * 60}mo")
            .dt.month_end()
            .dt.strftime("%Y-%m-%d")
        )
        parts.append(shifted)
    frame = pl.concat(parts).head(rows)
    frame = frame.with_columns(pl.int_range(1, frame.height + 1).cast(pl.Utf8).alias(""))
    frame.write_csv(path, quote_style="non_numeric")


def duckdb_floor(path: Path) -> None:
    """The floor: DuckDB reads the CSV into memory."""
    con = duckdb.connect()
    con.sql(f"SELECT * FROM read_csv('{path}')").to_arrow_table()
    con.close()


def pandas_script(path: Path, out: Path) -> None:
    """What a researcher would write: read, melt to long, drop zeros, save Parquet."""
    import pandas as pd

    df = pd.read_csv(path)
    value_cols = [f"{c} {s}" for c in CATEGORIES for s in ("Male", "Female")]
    long = df.melt(
        id_vars=["Date", "Contributor ISO-3", "Mission"],
        value_vars=value_cols,
        var_name="column",
        value_name="count",
    )
    long = long[long["count"] > 0]
    long["sex"] = long["column"].str.rsplit(" ", n=1).str[1].str.lower()
    long["category"] = long["column"].str.rsplit(" ", n=1).str[0].str.lower().str.replace(" ", "_")
    long["month"] = pd.to_datetime(long["Date"]).dt.to_period("M").dt.to_timestamp("M")
    long = long.rename(columns={"Contributor ISO-3": "contributor", "Mission": "mission"})
    long[["month", "contributor", "mission", "category", "sex", "count"]].to_parquet(out)


def bluehelmet_import(path: Path, home: Path) -> None:
    """bluehelmet's full import: hash, validate, check totals, reconcile, Parquet, manifest."""
    os.environ["BLUEHELMET_HOME"] = str(home)
    os.environ.pop("BLUEHELMET_DATABASE_URL", None)
    from bluehelmet.services.data import import_files

    [result] = import_files([path])
    assert result.status == "imported", result


def timed(fn: Callable[[], None], repeat: int) -> float:
    """Best wall time of ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Run the comparison and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2_000_000)
    args = parser.parse_args()
    if not REAL.is_file():
        raise SystemExit(f"real data file {REAL} is absent")
    with tempfile.TemporaryDirectory(prefix="bh-bench-") as tmp:
        tmpdir = Path(tmp)
        big = tmpdir / "generated.csv"
        generate(big, args.rows)
        # best of N runs; pandas runs once on the big file (it is the slow one)
        for label, path, repeat, pandas_repeat in (
            ("real Gender.Full.csv", REAL, 3, 3),
            (f"generated {args.rows:,} rows", big, 3, 1),
        ):
            counter = iter(range(100))
            t_duck = timed(lambda p=path: duckdb_floor(p), repeat)
            t_pandas = timed(
                lambda p=path: pandas_script(p, tmpdir / "pandas.parquet"), pandas_repeat
            )
            t_bh = timed(
                lambda p=path, c=counter: bluehelmet_import(p, tmpdir / f"home-{next(c)}"), repeat
            )
            print(f"{label}: {path.stat().st_size / 1e6:.1f} MB")
            print(f"  duckdb read_csv (floor) {t_duck:8.3f} s")
            print(f"  pandas read+normalize   {t_pandas:8.3f} s")
            print(f"  bluehelmet import       {t_bh:8.3f} s")
            print(f"  ratio bluehelmet/duckdb {t_bh / t_duck:8.2f}  (goal <= 3)")
            print(f"  ratio bluehelmet/pandas {t_bh / t_pandas:8.2f}  (goal < 1)")


if __name__ == "__main__":
    main()
