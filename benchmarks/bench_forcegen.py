"""Force-generation planner at three sizes: realistic, 10x and 100x pledges.

Scenarios come from :func:`bluehelmet.testing.synthetic_scenario` (120 contributors,
15 missions, 40 unit types, 1,500 pledges at the realistic size; enablers pledged at about a
third of the demand for them; contributor cap 40%, two contributors per mission, neighbours
excluded). For each size it prints:

* build: seconds to index the scenario and build the model;
* solve: seconds of the three lexicographic stages (fill, legitimacy, cost);
* fill / LP bound: the plan's fill objective over the LP-relaxation bound (1 = optimal);
* greedy / optimum: the greedy baseline's fill over the plan's fill;
* solve / LP: solve seconds as a ratio to the LP relaxation of the fill stage (the baseline
  measured in the same run).

Goals: realistic size proven optimal in under 2 s; 10x within 0.5% of the bound in under
60 s. Each size gets a planning budget (``--limit``; default 45 s up to 10x, which leaves room
for HiGHS finishing its last node, and 120 s at 100x) and reports what it reaches in it.
Usage: ``python benchmarks/bench_forcegen.py [--sizes 1 10 100] [--limit S]``.
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from bluehelmet.forcegen.greedy import greedy_assignments
from bluehelmet.forcegen.model import Index, build_arcs, create_model
from bluehelmet.forcegen.objectives import evaluate
from bluehelmet.forcegen.planner import assign_solution
from bluehelmet.forcegen.solve import solve_model
from bluehelmet.testing import assert_plan_feasible, synthetic_scenario

REALISTIC = 1500


def run(multiple: int, limit: float) -> dict[str, object]:
    """Plan one size; return its measurements."""
    scenario = synthetic_scenario(pledges=REALISTIC * multiple, seed=1)
    t0 = time.perf_counter()
    index = Index.of(scenario)
    model = create_model(index, build_arcs(index))
    build = time.perf_counter() - t0
    solution = solve_model(model, time_limit=limit)
    assignments = assign_solution(model, solution)
    assert_plan_feasible(scenario, assignments)
    t1 = time.perf_counter()
    greedy = evaluate(scenario, greedy_assignments(scenario))
    greedy_seconds = time.perf_counter() - t1
    best = evaluate(scenario, assignments)
    fill_stage = solution.stages[0]
    return {
        "pledges": len(scenario.pledges),
        "arcs": len(model.arcs),
        "columns": model.num_cols,
        "rows": model.num_rows,
        "build_s": build,
        "solve_s": solution.seconds,
        "fill_s": fill_stage.seconds,
        "fill": best.fill,
        "bound": solution.lp_bound,
        "fill_optimal": fill_stage.optimal,
        "all_optimal": solution.optimal,
        "greedy": greedy.fill,
        "greedy_legitimacy": greedy.legitimacy,
        "legitimacy": best.legitimacy,
        "greedy_s": greedy_seconds,
        "lp_s": solution.lp_seconds,
        "status": "/".join(s.status for s in solution.stages),
    }


def main() -> None:
    """Run the sizes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument(
        "--limit", type=float, default=None, help="seconds per size (default 45, 120 at 100x)"
    )
    args = parser.parse_args()
    results = []
    with Progress(transient=True) as bar:
        task = bar.add_task("planning", total=len(args.sizes))
        for multiple in args.sizes:
            bar.update(task, description=f"planning {REALISTIC * multiple:,} pledges")
            limit = args.limit if args.limit is not None else (45.0 if multiple <= 10 else 120.0)
            results.append(run(multiple, limit))
            bar.advance(task)
    table = Table(
        title="bluehelmet force generation (HiGHS, lexicographic fill > legitimacy > cost)"
    )
    for col in (
        "pledges",
        "arcs",
        "build s",
        "solve s",
        "fill stage s",
        "fill / LP bound",
        "fill optimal",
        "all stages optimal",
        "greedy / optimum (fill)",
        "greedy / optimum (legitimacy)",
        "solve / LP",
        "greedy s",
    ):
        table.add_column(col, justify="right")
    for r in results:
        table.add_row(
            f"{r['pledges']:,}",
            f"{r['arcs']:,}",
            f"{r['build_s']:.2f}",
            f"{r['solve_s']:.2f}",
            f"{r['fill_s']:.2f}",
            f"{float(r['fill']) / float(r['bound']):.4f}",  # type: ignore[arg-type]
            "yes" if r["fill_optimal"] else "no",
            "yes" if r["all_optimal"] else f"no ({r['status']})",
            f"{float(r['greedy']) / float(r['fill']):.3f}",  # type: ignore[arg-type]
            f"{float(r['greedy_legitimacy']) / float(r['legitimacy']):.3f}",  # type: ignore[arg-type]
            f"{float(r['solve_s']) / max(float(r['lp_s']), 1e-9):.1f}",  # type: ignore[arg-type]
            f"{r['greedy_s']:.2f}",
        )
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
