"""Import speed: bluehelmet's importer against a plain DuckDB read (floor) and pandas.

Runs on the real IPI ``Gender.Full.csv`` and on generated files in the same format (the real
rows repeated with shifted months) at three sizes (200k, 1M and 2M rows; ``--sizes``),
written to a temporary folder. Every measurement runs in its own process, the three
contenders interleaved, each process warmed up by a first, untimed run on the real file
(bluehelmet's store is created before the clock starts: a one-time cost, not the import's),
so the times and the peak resident memory (whole process) compare like with like on a
loaded machine; each figure is the best of ``--repeat`` runs, with the process's CPU time
(all its threads) of that run. Prints the ratios ``bluehelmet / duckdb`` (goal: <= 1.5) and
``bluehelmet / pandas`` (goal: < 1), of wall and of CPU time, and the growth exponent of time
and memory against rows (goal: close to 1). ``--baseline OTHER/src`` adds a contender
``baseline``: the import of another source tree (e.g. ``git archive main src``), run the
same way, to compare a change with what it replaces in one run.

The import streams (chunks of ``CHUNK_BYTES``), so its peak memory should stay flat as the file
grows; check it at 20M rows (1.6 GB of CSV; goal: under 2 GB) without pandas, which would need
tens of GB::

    python benchmarks/bench_import.py [--sizes 200k,1M,2M] [--repeat 3] [--skip-real]
        [--baseline /tmp/import-base/src]
    python benchmarks/bench_import.py --sizes 2M,5M,20M --repeat 1 --skip-real \
        --contenders duckdb,bluehelmet
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _growth import (
    DEFAULT_SIZES,
    exponent,
    fmt_exp,
    machine,
    parse_sizes,
    peak_mb,
    reset_peak,
    rss_mb,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BLUEHELMET_SHARED_DATA", ROOT.parent / "shared" / "data"))
REAL = SHARED / "ipi_tcc" / "Gender.Full.csv"
CATEGORIES = ("Individual Police", "Formed Police Units", "Experts on Mission", "Troops")


BACK_COPIES = 200
"""Copies shifted back 5 years each (to the year 1014); further copies go forward from 2019."""


def generate(path: Path, rows: int) -> None:
    """Write ``rows`` rows in the Gender.Full layout: the real rows with months shifted.

    Copy ``i`` is shifted back ``5 i`` years, so the keys (month, contributor, mission) stay
    unique; past ``BACK_COPIES`` (5.8M rows) copies are shifted forward instead, so the
    years stay positive (20M rows reach the year 4449).
    """
    real = pl.read_csv(REAL, schema_overrides={"": pl.Utf8, "Date": pl.Utf8})
    copies = -(-rows // real.height)
    parts = []
    for i in range(copies):
        months = -i * 60 if i < BACK_COPIES else (i - BACK_COPIES + 1) * 60
        shifted = real.with_columns(
            pl.col("Date")
            .str.to_date()
            .dt.offset_by(f"{months}mo")
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


def create_store(home: Path) -> None:
    """An empty store in ``home`` (its database schema): a one-time cost, not the import's."""
    os.environ["BLUEHELMET_HOME"] = str(home)
    os.environ.pop("BLUEHELMET_DATABASE_URL", None)
    from bluehelmet.services.core import default_core
    from bluehelmet.store import upgrade

    upgrade(default_core().engine)


def bluehelmet_import(path: Path, home: Path) -> None:
    """bluehelmet's full import: hash, validate, check totals, reconcile, Parquet, manifest."""
    os.environ["BLUEHELMET_HOME"] = str(home)
    os.environ.pop("BLUEHELMET_DATABASE_URL", None)
    from bluehelmet.services.data import import_files

    [result] = import_files([path])
    assert result.status == "imported", result


CONTENDERS = ("duckdb", "pandas", "baseline", "bluehelmet")


def parse_contenders(text: str) -> list[str]:
    """``"duckdb,bluehelmet"`` -> the contenders in their usual order."""
    chosen = {w.strip() for w in text.split(",") if w.strip()}
    unknown = chosen - set(CONTENDERS)
    if unknown or not chosen:
        msg = f"contenders are {', '.join(CONTENDERS)} (got {text!r})"
        raise argparse.ArgumentTypeError(msg)
    return [c for c in CONTENDERS if c in chosen]


def child(method: str, path: Path, workdir: Path) -> None:
    """Run one contender in this process; print its time and the process's peak memory.

    A first run on the real file (not timed) loads the libraries and their lazy parts, as
    in a long-lived process; the peak memory is then reset so it counts the measured run.
    """

    def run(source: Path, where: Path) -> None:
        where.mkdir(parents=True, exist_ok=True)
        if method == "duckdb":
            duckdb_floor(source)
        elif method == "pandas":
            pandas_script(source, where / "pandas.parquet")
        else:
            bluehelmet_import(source, where / "home")

    run(REAL, workdir / "warm-up")
    if method in {"bluehelmet", "baseline"}:
        create_store(workdir / "run" / "home")
    reset_peak()
    base = rss_mb()
    cpu = _cpu_seconds()
    start = time.perf_counter()
    run(path, workdir / "run")
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    package = sys.modules["bluehelmet"].__file__ if "bluehelmet" in sys.modules else None
    figures = {"seconds": seconds, "cpu": cpu, "peak_mb": peak_mb(), "base_mb": base}
    print(json.dumps({**figures, "package": package}))


def _cpu_seconds() -> float:
    """CPU time of this process so far, every thread, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(
    method: str, path: Path, tmpdir: Path, baseline: Path | None = None
) -> tuple[float, float, float, float]:
    """Time, CPU time, peak memory and memory before the work of one contender, own process.

    ``baseline``: the source tree whose ``bluehelmet`` the ``baseline`` contender imports.
    """
    workdir = Path(tempfile.mkdtemp(dir=tmpdir))
    env = dict(os.environ)
    if method == "baseline":
        assert baseline is not None
        env["PYTHONPATH"] = os.pathsep.join([str(baseline), str(ROOT / "benchmarks")])
    out = subprocess.run(
        [sys.executable, __file__, "--child", method, str(path), str(workdir)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    if method == "baseline":  # the baseline's own code ran, not this tree's
        assert baseline is not None
        assert Path(figures["package"]).is_relative_to(baseline), figures["package"]
    return (
        float(figures["seconds"]),
        float(figures["cpu"]),
        float(figures["peak_mb"]),
        float(figures["base_mb"]),
    )


Best = dict[str, tuple[float, float, float, float]]
"""Per contender: best time, the CPU time of that run, lowest peak and its start memory."""


def compare(
    path: Path,
    repeat: int,
    tmpdir: Path,
    contenders: Sequence[str],
    baseline: Path | None = None,
) -> Best:
    """Best time (with its CPU time), lowest peak and its start memory, interleaved run by run."""
    inf = float("inf")
    best: Best = dict.fromkeys(contenders, (inf, inf, inf, 0.0))
    for _ in range(repeat):
        for method in contenders:
            seconds, cpu, peak, base = measure(method, path, tmpdir, baseline)
            old = best[method]
            fast = (seconds, cpu) if seconds < old[0] else (old[0], old[1])
            low = (peak, base) if peak < old[2] else (old[2], old[3])
            best[method] = (*fast, *low)
    return best


LABELS = {
    "duckdb": "duckdb read_csv (floor)",
    "pandas": "pandas read+normalize  ",
    "baseline": "baseline import        ",
    "bluehelmet": "bluehelmet import      ",
}


def report(label: str, size_mb: float, best: Best) -> None:
    """Print one file's table: time, CPU time, peak memory (whole process) and the ratios."""
    print(f"{label}: {size_mb:.1f} MB; load average {os.getloadavg()[0]:.1f}")
    for method, (seconds, cpu, peak, _) in best.items():
        print(f"  {LABELS[method]} {seconds:8.3f} s  cpu {cpu:7.3f} s  peak {peak:7.0f} MB")
    floor = best.get("duckdb")
    for method in ("baseline", "bluehelmet"):
        if method not in best:
            continue
        seconds, cpu = best[method][:2]
        if floor is not None:
            print(
                f"  ratio {method}/duckdb {seconds / floor[0]:8.2f}  (goal <= 1.5)"
                f"  cpu {cpu / floor[1]:5.2f}"
            )
        if "pandas" in best:
            print(f"  ratio {method}/pandas {seconds / best['pandas'][0]:8.2f}  (goal < 1)")


def main() -> None:
    """Run the comparison at each size and print the ratios and growth exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument(
        "--contenders",
        type=parse_contenders,
        default=list(CONTENDERS),
        help=f"comma-separated, of {', '.join(CONTENDERS)} (default: all)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        help="another source tree (holding bluehelmet/) imported as the contender 'baseline'",
    )
    parser.add_argument("--child", nargs=3, metavar=("METHOD", "PATH", "WORKDIR"))
    args = parser.parse_args()
    if args.child:
        method, path, workdir = args.child
        child(method, Path(path), Path(workdir))
        return
    if not REAL.is_file():
        raise SystemExit(f"real data file {REAL} is absent")
    contenders = [c for c in args.contenders if c != "baseline"]
    if args.baseline is not None:
        if not (args.baseline / "bluehelmet" / "sources").is_dir():
            parser.error(f"--baseline {args.baseline} holds no bluehelmet package")
        args.baseline = args.baseline.resolve()
        contenders.insert(
            contenders.index("bluehelmet") if "bluehelmet" in contenders else 0, "baseline"
        )
    args.contenders = contenders
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bh-bench-") as tmp:
        tmpdir = Path(tmp)
        if not args.skip_real:
            best = compare(REAL, args.repeat, tmpdir, args.contenders, args.baseline)
            report("real Gender.Full.csv", REAL.stat().st_size / 1e6, best)
        grown: dict[int, Best] = {}
        for rows in args.sizes:
            path = tmpdir / f"generated-{rows}.csv"
            generate(path, rows)
            grown[rows] = compare(path, args.repeat, tmpdir, args.contenders, args.baseline)
            report(f"generated {rows:,} rows", path.stat().st_size / 1e6, grown[rows])
            path.unlink()
        sizes = list(grown)
        print(f"growth against rows ({', '.join(f'{s:,}' for s in sizes)});")
        print("  memory: peak resident memory above the process's memory before the work")
        for method in args.contenders:
            times = [grown[s][method][0] for s in sizes]
            peaks = [grown[s][method][2] - grown[s][method][3] for s in sizes]
            print(
                f"  {method:<11} time {' '.join(f'{t:7.2f}s' for t in times)}"
                f"  exponent {fmt_exp(exponent(sizes, times))}"
                f" | peak {' '.join(f'{m:6.0f}MB' for m in peaks)}"
                f"  exponent {fmt_exp(exponent(sizes, peaks))}"
            )


if __name__ == "__main__":
    main()
