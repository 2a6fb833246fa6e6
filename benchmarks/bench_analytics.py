"""Benchmark of the analytics questions against the same questions in plain pandas.

Each question is timed on (1) the real files in ../shared/data imported through the
contribution importer, read back through the store (the core keeps the rows, so the second
read is cached), and (2) generated stores at three sizes (200k, 1M and 2M rows; ``--sizes``).
As the store's read does, the rows' key columns are coded once (``analytics.keep_codes``;
the one-time cost is printed apart) and the codes kept with the rows for every question;
each time is the best of several runs and is reported beside the time of a plain-pandas
version of the same question run in the same process, interleaved, as a ratio (bluehelmet /
pandas: below 1 is faster; goal: at most 0.2 at 2M rows, under 20 ms on the real data), with
the peak memory of each answer above the memory before it and, per question, the growth
exponent of time and memory against rows (goal: close to 1).

    python benchmarks/bench_analytics.py [--sizes 200k,1M,2M] [--repeat 3] [--skip-real]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bluehelmet import analytics
from bluehelmet.analytics.gender import CATEGORY_GROUP, targets_frame

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _growth import DEFAULT_SIZES, exponent, fmt_exp, machine, measure, parse_sizes

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BLUEHELMET_SHARED_DATA", ROOT.parent / "shared" / "data"))
console = Console(width=160)

# --- the questions in plain pandas ------------------------------------------------------------


def pd_ranking(df: pd.DataFrame, month: date, names: pd.DataFrame) -> pd.DataFrame:
    rows = df[df["month"] == pd.Timestamp(month)]
    table = rows.pivot_table(
        index="contributor", columns="sex", values="count", aggfunc="sum", fill_value=0
    )
    for sex in ("female", "male", "unknown"):
        if sex not in table:
            table[sex] = 0
    table["total"] = table[["female", "male", "unknown"]].sum(axis=1)
    table = table[table["total"] > 0].reset_index()
    table["rank"] = table["total"].rank(method="min", ascending=False).astype("int64")
    table = table.merge(names, left_on="contributor", right_on="iso3", how="left")
    return table.sort_values(["rank", "contributor"])


def pd_shares_region(
    df: pd.DataFrame, start: date, end: date, countries: pd.DataFrame
) -> pd.DataFrame:
    rows = df[(df["month"] >= pd.Timestamp(start)) & (df["month"] <= pd.Timestamp(end))]
    months = rows["month"].nunique()
    merged = rows.merge(
        countries[["iso3", "region"]], left_on="contributor", right_on="iso3", how="left"
    )
    merged["region"] = merged["region"].fillna("unknown")
    table = merged.groupby("region").agg(
        person_months=("count", "sum"), contributors=("contributor", "nunique")
    )
    table["average_personnel"] = table["person_months"] / months
    table["share"] = table["person_months"] / table["person_months"].sum()
    return table.sort_values("person_months", ascending=False).reset_index()


def pd_share_trends(df: pd.DataFrame) -> pd.DataFrame:
    rows = df.assign(year=df["month"].dt.year)
    months = rows.groupby("year")["month"].nunique()
    per = rows.groupby(["year", "contributor"])["count"].sum().unstack(fill_value=0)
    average = per.div(months, axis=0)
    share = per.div(per.sum(axis=1), axis=0)
    out = pd.DataFrame(
        {
            "average_personnel": average.stack(),
            "share": share.stack(),
            "share_change": share.diff().stack(future_stack=True),
            "growth": (average / average.shift(1) - 1)
            .replace([np.inf], np.nan)
            .stack(future_stack=True),
        }
    )
    return out.reset_index()


def pd_concentration_per_month(df: pd.DataFrame) -> pd.DataFrame:
    per = df.groupby(["month", "contributor"])["count"].sum()
    per = per[per > 0].astype("float64").sort_values()
    frame = per.reset_index()
    total = frame.groupby("month")["count"].transform("sum")
    frame["share2"] = (frame["count"] / total) ** 2
    frame["i"] = frame.groupby("month").cumcount() + 1
    frame["ix"] = frame["i"] * frame["count"]
    frame["desc"] = frame.groupby("month")["count"].rank(method="first", ascending=False)
    grouped = frame.groupby("month")
    n = grouped["count"].size()
    s = grouped["count"].sum()
    return pd.DataFrame(
        {
            "contributors": n,
            "personnel": s,
            "hhi": grouped["share2"].sum(),
            "top5_share": frame[frame["desc"] <= 5].groupby("month")["count"].sum() / s,
            "top10_share": frame[frame["desc"] <= 10].groupby("month")["count"].sum() / s,
            "gini": 2 * grouped["ix"].sum() / (n * s) - (n + 1) / n,
        }
    ).reset_index()


def pd_mission_months(
    df: pd.DataFrame, countries: pd.DataFrame, hosts: pd.DataFrame
) -> pd.DataFrame:
    rows = df[df["mission"].notna()]
    keys = ["month", "mission"]
    totals = rows.groupby(keys).agg(total=("count", "sum"))
    totals["female"] = rows[rows["sex"] == "female"].groupby(keys)["count"].sum()
    totals["female"] = totals["female"].fillna(0)
    cats = rows.pivot_table(
        index=keys, columns="category", values="count", aggfunc="sum", fill_value=0
    )
    per = rows.groupby([*keys, "contributor"])["count"].sum()
    per = per[per > 0].reset_index()
    per = per.sort_values(["count", "contributor"], ascending=[False, True])
    largest = per.groupby(keys).agg(
        contributors=("contributor", "size"),
        largest_contributor=("contributor", "first"),
        largest=("count", "first"),
    )
    host_regions = (
        hosts.explode("hosts")
        .merge(countries[["iso3", "region"]], left_on="hosts", right_on="iso3")[
            ["acronym", "region"]
        ]
        .drop_duplicates()
        .assign(home=True)
    )
    region = countries.set_index("iso3")["region"]
    per["region"] = per["contributor"].map(region)
    per = per.merge(
        host_regions, left_on=["mission", "region"], right_on=["acronym", "region"], how="left"
    )
    regional = per[per["home"].eq(True)].groupby(keys)["count"].sum()
    out = totals.join(cats).join(largest)
    out["largest_share"] = out["largest"] / out["total"]
    out["regional_share"] = regional.reindex(out.index).fillna(0) / out["total"]
    known = set(host_regions["acronym"])
    out.loc[~out.index.get_level_values("mission").isin(known), "regional_share"] = np.nan
    return out.reset_index().sort_values(["mission", "month"])


def pd_parity(df: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    rows = df.assign(year=df["month"].dt.year, group=df["category"].map(CATEGORY_GROUP))
    table = rows.pivot_table(
        index=["year", "contributor", "group"],
        columns="sex",
        values="count",
        aggfunc="sum",
        fill_value=0,
    ).reset_index()
    for sex in ("female", "male", "unknown"):
        if sex not in table:
            table[sex] = 0
    table = table.merge(targets, on=["year", "group"], how="left")
    known = table["female"] + table["male"]
    table["female_share"] = (table["female"] / known).where(known > 0)
    table["status"] = np.where(
        table["female_share"].isna(),
        None,
        np.where(
            table["target"].notna() & (table["female_share"] >= table["target"]),
            "green",
            np.where(table["female"] > 0, "yellow", "red"),
        ),
    )
    return table


def pd_fatality_rates(fat: pd.DataFrame, df: pd.DataFrame) -> pd.DataFrame:
    rows = df[df["mission"].notna()]
    known = rows.groupby(["month", "mission"])["count"].sum()
    known = known[known > 0].rename("person_months").reset_index()
    uniformed = fat[
        fat["personnel_type"].str.strip().isin(["Military", "Military Observer", "Police"])
    ]
    deaths = (
        uniformed.assign(month=uniformed["date"] + pd.offsets.MonthEnd(0))
        .groupby(["month", "mission"])
        .size()
        .rename("fatalities")
        .reset_index()
    )
    merged = known.merge(deaths, on=["month", "mission"], how="left").fillna({"fatalities": 0})
    out = merged.groupby("mission").agg(
        fatalities=("fatalities", "sum"),
        person_months=("person_months", "sum"),
        months=("month", "nunique"),
    )
    out["personnel_years"] = out["person_months"] / 12
    out["rate_per_1000"] = out["fatalities"] / out["personnel_years"] * 1000
    return out.reset_index()


def pd_panel(df: pd.DataFrame) -> pd.DataFrame:
    """The balanced contributor-month panel: every month of the span x every contributor."""
    table = df.pivot_table(
        index=["month", "contributor"], columns="sex", values="count", aggfunc="sum", fill_value=0
    )
    table["personnel"] = table.sum(axis=1)
    months = pd.to_datetime(df["month"])
    covered = set(months.unique())
    span = pd.date_range(months.min(), months.max(), freq="ME")
    grid = pd.MultiIndex.from_product(
        [span, sorted(df["contributor"].unique())], names=["month", "contributor"]
    )
    table.index = table.index.set_levels(pd.to_datetime(table.index.levels[0]), level=0)
    full = table.reindex(grid)
    full["covered"] = full.index.get_level_values("month").isin(list(covered))
    full.loc[full["covered"]] = full.loc[full["covered"]].fillna(0)
    return full.reset_index()


# --- data ------------------------------------------------------------------------------------


def real_frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame] | None:
    """Contributions, fatalities, countries and hosts from the real files, via the importer."""
    files = [
        SHARED / "un_rank" / "Rank_2021-01.csv",
        SHARED / "ipi_tcc" / "Gender.Full.csv",
        SHARED / "un_fatalities" / "DPPADPOSS-FATALITIES.csv",
    ]
    if not all(f.is_file() for f in files):
        console.print(f"[yellow]real data not found under {SHARED}; skipping the real-data part")
        return None
    home = tempfile.mkdtemp(prefix="bh-bench-")
    os.environ["BLUEHELMET_HOME"] = home
    from bluehelmet.analytics._common import countries_frame, missions_frame
    from bluehelmet.services import data
    from bluehelmet.services.core import default_core
    from bluehelmet.services.data import import_files

    import_files(files, skip_unknown=True)
    start = time.perf_counter()
    contributions = data.read("contributions")
    first = time.perf_counter() - start
    again = best(lambda: data.read("contributions"), 3)
    folder = default_core().data_dir / "contributions"
    pandas_read = best(lambda: pd.read_parquet(folder), 3)
    console.print(
        f"reading the real contributions from the store: first {first * 1000:.1f} ms, "
        f"then (rows kept by the core, files re-checked) {again * 1000:.1f} ms; "
        f"pandas read_parquet of the same files {pandas_read * 1000:.1f} ms"
    )
    return (contributions, data.fatalities(), countries_frame(), missions_frame())


def generated_frames(
    n_rows: int, seed: int = 7
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """A synthetic store of ``n_rows`` contribution rows with matching reference frames."""
    rng = np.random.default_rng(seed)
    contributors = [f"C{i:02d}" for i in range(120)]
    regions = ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    missions = [f"M{i:02d}" for i in range(16)]
    months = pl.date_range(date(2001, 1, 1), date(2024, 12, 1), "1mo", eager=True).dt.month_end()
    categories = [
        "troops",
        "staff_officers",
        "experts_on_mission",
        "formed_police_units",
        "individual_police",
    ]
    frame = pl.DataFrame(
        {
            "month": months.gather(rng.integers(0, len(months), n_rows)),
            "contributor": pl.Series(contributors).gather(rng.integers(0, 120, n_rows)),
            "mission": pl.Series(missions).gather(rng.integers(0, 16, n_rows)),
            "category": pl.Series(categories).gather(rng.integers(0, 5, n_rows)),
            "sex": pl.Series(["female", "male", "unknown"]).gather(
                rng.choice(3, n_rows, p=[0.1, 0.85, 0.05])
            ),
            "count": rng.integers(1, 400, n_rows),
            "source": "generated",
            "sha256": "0" * 64,
            "line": np.arange(2, n_rows + 2),
        }
    )
    countries = pl.DataFrame(
        {
            "iso3": contributors + [f"H{i:02d}" for i in range(16)],
            "name": [f"Country {c}" for c in contributors] + [f"Host {i}" for i in range(16)],
            "m49": list(range(136)),
            "un_regional_group": [regions[i % 5] for i in range(136)],
            "region": [regions[i % 5] for i in range(136)],
            "subregion": ["-"] * 136,
        }
    )
    hosts = pl.DataFrame(
        {"acronym": missions, "hosts": [[f"H{i:02d}"] for i in range(16)]},
        schema={"acronym": pl.Utf8, "hosts": pl.List(pl.Utf8)},
    )
    n_fat = 20_000
    fatalities = pl.DataFrame(
        {
            "date": months.gather(rng.integers(0, len(months), n_fat)),
            "mission": pl.Series(missions).gather(rng.integers(0, 16, n_fat)),
            "contributor": pl.Series(contributors).gather(rng.integers(0, 120, n_fat)),
            "personnel_type": pl.Series(["Military", "Police", "Local"]).gather(
                rng.integers(0, 3, n_fat)
            ),
            "incident_type": "Accident",
        }
    )
    return frame, fatalities, countries, hosts


# --- timing ------------------------------------------------------------------------------------


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def questions(
    contributions: pl.DataFrame,
    fatalities: pl.DataFrame,
    countries: pl.DataFrame,
    hosts: pl.DataFrame,
) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """(name, bluehelmet call, pandas call) for each question, on the same data."""
    pdf = contributions.to_pandas()
    pdf["month"] = pd.to_datetime(pdf["month"])
    pfat = fatalities.select(
        "date", "mission", "contributor", "personnel_type", "incident_type"
    ).to_pandas()
    pfat["date"] = pd.to_datetime(pfat["date"])
    pcountries = countries.to_pandas()
    phosts = hosts.to_pandas()
    ptargets = targets_frame().to_pandas()
    names = pcountries[["iso3", "name"]]
    months = contributions["month"]
    last = months.max()
    first = months.min()
    assert isinstance(last, date) and isinstance(first, date)
    mid = date(last.year - 1, 1, 1) if last.year - 1 >= first.year else first
    return [
        (
            "ranking (one month)",
            lambda: analytics.ranking(contributions, last, countries=countries),
            lambda: pd_ranking(pdf, last, names),
        ),
        (
            "shares by region (period)",
            lambda: analytics.shares(
                contributions, by="region", start=mid, end=last, countries=countries
            ),
            lambda: pd_shares_region(pdf, mid, last, pcountries),
        ),
        (
            "share trends by contributor",
            lambda: analytics.share_trends(contributions),
            lambda: pd_share_trends(pdf),
        ),
        (
            "concentration per month",
            lambda: analytics.concentration(contributions, per_month=True),
            lambda: pd_concentration_per_month(pdf),
        ),
        (
            "missions per month",
            lambda: analytics.mission_months(
                contributions, countries=countries, mission_hosts=hosts
            ),
            lambda: pd_mission_months(pdf, pcountries, phosts),
        ),
        (
            "gender parity by contributor",
            lambda: analytics.parity(contributions, by="contributor"),
            lambda: pd_parity(pdf, ptargets),
        ),
        (
            "fatality rates by mission",
            lambda: analytics.fatality_rates(fatalities, contributions, by="mission"),
            lambda: pd_fatality_rates(pfat, pdf),
        ),
        (
            "panel contributor-month",
            lambda: analytics.panel("contributor-month", contributions),
            lambda: pd_panel(pdf),
        ),
    ]


Figures = dict[str, tuple[float, float, float, float, str]]
"""question -> (bluehelmet s, bluehelmet MB, pandas s, pandas MB, same rows)."""


def run(
    label: str, frames: tuple[pl.DataFrame, ...], repeat: int, progress: Progress
) -> tuple[Figures, float]:
    """Time and peak memory of each question, bluehelmet and pandas interleaved; and the
    one-time cost of coding the rows' keys (kept with the rows, as the store's read keeps
    them for as long as the same files are in force)."""
    contributions, fatalities, countries, hosts = frames
    start = time.perf_counter()
    analytics.keep_codes(contributions, now=True)
    coding = time.perf_counter() - start
    items = questions(contributions, fatalities, countries, hosts)
    task = progress.add_task(label, total=len(items))
    figures: Figures = {}
    for name, ours, theirs in items:
        # warm-up (first-call compilation, caches), and a check that both answer alike
        n_ours = len(ours())
        n_theirs = len(theirs())
        same = "yes" if n_ours == n_theirs else f"NO ({n_ours} vs {n_theirs})"
        t_ours, m_ours, t_theirs, m_theirs = (float("inf"), 0.0, float("inf"), 0.0)
        for _ in range(repeat):
            t, m = measure(ours, 1)
            t_ours, m_ours = min(t_ours, t), max(m_ours, m)
            t, m = measure(theirs, 1)
            t_theirs, m_theirs = min(t_theirs, t), max(m_theirs, m)
        figures[name] = (t_ours, m_ours, t_theirs, m_theirs, same)
        progress.advance(task)
    return figures, coding


def table(title: str, figures: Figures) -> Table:
    """One size's table: times, ratio, memory, and whether both answer with as many rows."""
    out = Table(title=title)
    columns = ("question", "bluehelmet ms", "pandas ms", "ratio", "bh MB", "pandas MB", "same")
    for column in columns:
        out.add_column(column, justify="right" if column != "question" else "left")
    for name, (t_ours, m_ours, t_theirs, m_theirs, same) in figures.items():
        out.add_row(
            name,
            f"{t_ours * 1000:.1f}",
            f"{t_theirs * 1000:.1f}",
            f"{t_ours / t_theirs:.2f}",
            f"{m_ours:.0f}",
            f"{m_theirs:.0f}",
            same,
        )
    return out


def growth(by_size: dict[int, Figures]) -> Table:
    """Per question: time at each size and the fitted exponents of time and memory."""
    sizes = list(by_size)
    out = Table(title=f"growth against rows ({', '.join(f'{s:,}' for s in sizes)})")
    out.add_column("question")
    for size in sizes:
        out.add_column(f"bh ms @{size:,}", justify="right")
    for column in ("bh time exp", "bh memory exp", "pandas time exp", "pandas memory exp"):
        out.add_column(column, justify="right")
    for name in next(iter(by_size.values())):
        rows = [by_size[s][name] for s in sizes]
        out.add_row(
            name,
            *[f"{r[0] * 1000:.1f}" for r in rows],
            fmt_exp(exponent(sizes, [r[0] for r in rows])),
            fmt_exp(exponent(sizes, [r[1] for r in rows])),
            fmt_exp(exponent(sizes, [r[2] for r in rows])),
            fmt_exp(exponent(sizes, [r[3] for r in rows])),
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=list(DEFAULT_SIZES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args(argv)
    console.print(f"machine: {machine()}")
    tables = []
    codings: list[str] = []
    by_size: dict[int, Figures] = {}
    with Progress(console=console, transient=True) as progress:
        if not args.skip_real:
            frames = real_frames()
            if frames is not None:
                figures, coding = run("real data", frames, args.repeat, progress)
                tables.append(table(f"real data: {frames[0].height:,} rows", figures))
                codings.append(f"real data {coding * 1000:.1f} ms")
        for rows in args.sizes:
            figures, coding = run(f"{rows:,} rows", generated_frames(rows), args.repeat, progress)
            by_size[rows] = figures
            tables.append(table(f"generated store: {rows:,} rows", figures))
            codings.append(f"{rows:,} rows {coding * 1000:.1f} ms")
    for out in tables:
        console.print(out)
    console.print(
        "coding the keys once per file set (kept with the cached rows, not in the times above): "
        + "; ".join(codings)
    )
    if len(by_size) > 1:
        console.print(growth(by_size))
    console.print(
        "ratio = bluehelmet time / pandas time (best of runs, interleaved; below 1 is faster); "
        "MB = peak resident memory during the answer above the memory before it"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
