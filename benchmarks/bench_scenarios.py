"""Monte Carlo over the realistic force-generation scenario: per-draw cost, 1,000 draws, Dask.

The scenario is the realistic size of ``benchmarks/bench_forcegen.py``
(:func:`bluehelmet.testing.synthetic_scenario`, 1,500 pledges, seed 1; contributor cap and
two contributors per mission, so draws are MILPs). Draws use the default uncertainty
(ASSUMPTIONS per readiness level). It prints:

* LP: seconds of one cold LP solve of the fill stage of the same model (the baseline);
* per draw: mean seconds of a draw re-solved on the built model (bounds changed, warm LP,
  then rounding / restricted MILP / full MILP until the integer optimum is proven), and its
  ratio to the LP (goal: at most 2x);
* with offers: the same on the scenario with :func:`bluehelmet.testing.synthetic_partnerships`
  (offer activation binaries, capacities, partner budgets), against its own LP;
* 1,000 draws: wall seconds in the default local process pool on this machine's cores
  (goal: under 60 s on 2 cores);
* Dask: wall seconds of the same draws on a LocalCluster of 1 and of 2 worker processes, the
  speed-up, and the overhead per task (wall x workers - compute) / tasks.

Usage: ``python benchmarks/bench_scenarios.py [--draws 1000] [--sample 40] [--dask-draws 300]``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from rich.console import Console
from rich.table import Table

from bluehelmet.scenarios import DrawModel, Draws, Uncertainty, draw, run_draws
from bluehelmet.scenarios.montecarlo import CHUNK
from bluehelmet.testing import synthetic_partnerships, synthetic_scenario

REALISTIC = 1500


def lp_seconds(model: DrawModel, repeat: int = 5) -> float:
    """Mean seconds of one cold LP solve of the fill stage (all pledges)."""
    model.solve()
    h = model._lp
    times = []
    for _ in range(repeat):
        h.clearSolver()
        t0 = time.perf_counter()
        h.run()
        times.append(time.perf_counter() - t0)
    return float(np.mean(times))


def mean_draw_seconds(model: DrawModel, sample: Draws, n: int) -> float:
    """Mean seconds of the first ``n`` draws re-solved on ``model``."""
    times = []
    for i in range(n):
        t1 = time.perf_counter()
        model.solve(sample.deployed[i], sample.delay[i])
        times.append(time.perf_counter() - t1)
    return float(np.mean(times))


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=40, help="draws timed one by one")
    parser.add_argument("--dask-draws", type=int, default=300)
    args = parser.parse_args()
    console = Console()
    scenario = synthetic_scenario(pledges=REALISTIC, seed=1)
    t0 = time.perf_counter()
    model = DrawModel(scenario)
    build = time.perf_counter() - t0
    lp = lp_seconds(model)
    sample = draw(scenario, Uncertainty(), max(args.draws, args.sample, args.dask_draws), seed=1)
    draw_s = mean_draw_seconds(model, sample, args.sample)
    # the same scenario with partnership offers (about one pledge in ten needs support)
    offered = synthetic_partnerships(scenario, seed=1)
    with_offers = DrawModel(offered)
    offers_lp = lp_seconds(with_offers)
    offers_draw_s = mean_draw_seconds(with_offers, sample, args.sample)

    def subset(n: int) -> Draws:
        return Draws(sample.deployed[:n], sample.delay[:n], sample.seed)

    t2 = time.perf_counter()
    pooled = run_draws(scenario, subset(args.draws), scheduler="processes")
    pool_s = time.perf_counter() - t2

    dask = {}
    for workers in (1, 2):
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster),
        ):
            address = cluster.scheduler_address
            t3 = time.perf_counter()
            out = run_draws(scenario, subset(args.dask_draws), scheduler=address)
            wall = time.perf_counter() - t3
        tasks = len(out.seconds)
        dask[workers] = (wall, float(out.seconds.sum()), tasks)

    table = Table(title="bluehelmet scenarios: Monte Carlo on the realistic scenario")
    for col in ("measure", "value", "goal"):
        table.add_column(col, justify="right" if col != "measure" else "left")
    table.add_row(
        "pledges / arcs / columns", f"{REALISTIC} / {model.n_arcs} / {model.model.num_cols}", ""
    )
    table.add_row("model build s", f"{build:.3f}", "")
    table.add_row("one LP solve s (baseline)", f"{lp:.4f}", "")
    table.add_row(f"per draw s (mean of {args.sample})", f"{draw_s:.4f}", "")
    table.add_row("per draw / LP", f"{draw_s / lp:.2f}x", "<= 2x")
    table.add_row(
        "draw path (rounded+filled/restricted/full)",
        f"{model.stats['rounding']}/{model.stats['restricted']}/{model.stats['full']}",
        "",
    )
    table.add_row(
        "with offers: arcs / columns / offers",
        f"{with_offers.n_arcs} / {with_offers.model.num_cols} / {len(offered.partnerships)}",
        "",
    )
    table.add_row("with offers: one LP solve s", f"{offers_lp:.4f}", "")
    table.add_row(f"with offers: per draw s (mean of {args.sample})", f"{offers_draw_s:.4f}", "")
    table.add_row("with offers: per draw / LP", f"{offers_draw_s / offers_lp:.2f}x", "<= 2x")
    st = with_offers.stats
    table.add_row("with offers: draw path", f"{st['rounding']}/{st['restricted']}/{st['full']}", "")
    table.add_row(
        f"{args.draws} draws, process pool ({os.cpu_count()} cores) s", f"{pool_s:.1f}", "< 60 s"
    )
    table.add_row("  draws with a fractional LP optimum", f"{pooled.fractional}", "")
    w1, c1, n1 = dask[1]
    w2, c2, n2 = dask[2]
    table.add_row(f"Dask 1 worker, {args.dask_draws} draws s", f"{w1:.1f}", "")
    table.add_row(f"Dask 2 workers, {args.dask_draws} draws s", f"{w2:.1f}", "")
    table.add_row("Dask speed-up 2 vs 1 worker", f"{w1 / w2:.2f}x", "~2x")
    table.add_row(
        f"Dask overhead per task ({CHUNK} draws), 1 worker s", f"{max(0.0, w1 - c1) / n1:.3f}", ""
    )
    table.add_row(
        f"Dask overhead per task ({CHUNK} draws), 2 workers s",
        f"{max(0.0, 2 * w2 - c2) / n2:.3f}",
        "",
    )
    console.print(table)
    console.print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
