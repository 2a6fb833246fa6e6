"""Partnerships in the plan: the realistic scenario with offers, against two baselines.

The scenario is :func:`bluehelmet.testing.synthetic_scenario` (1,500 pledges, 120 contributors,
15 missions) with :func:`bluehelmet.testing.synthetic_partnerships` (about one pledge in ten
needs training, lift or equipment; 20 offers from 11 partners, four in five accepted; budgets
for three partners; all figures invented). In the same run it plans:

* the scenario with offers (the planner activates offers jointly with pledges);
* the same scenario with no offer activated (``partnerships=False``);
* the greedy baseline with offers and without.

It prints, per plan: solve seconds, whether every stage is proven optimal, weighted fill and
units, and the ratios: fill with offers over fill without (the gain of the partnerships),
greedy over the optimizer (with offers, and without), and the solve time with offers over the
solve time without (the cost of modelling the offers). Goal: proven optimal in under 2 s on
an idle machine; the ratio to the no-partnership solve is the machine-independent figure.
Usage: ``python benchmarks/bench_partnerships.py [--seeds 1 2 3] [--limit S]``.
"""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.table import Table

from bluehelmet.forcegen.greedy import greedy_assignments
from bluehelmet.forcegen.model import Index, build_arcs, create_model
from bluehelmet.forcegen.objectives import evaluate
from bluehelmet.forcegen.planner import assign_solution, start_values
from bluehelmet.forcegen.solve import solve_model
from bluehelmet.testing import assert_plan_feasible, synthetic_partnerships, synthetic_scenario

REALISTIC = 1500


def _solve(scenario: object, *, partnerships: bool, limit: float) -> dict[str, float | bool]:
    from bluehelmet.domain.planning import Scenario

    assert isinstance(scenario, Scenario)
    greedy = greedy_assignments(scenario, partnerships=partnerships)
    t0 = time.perf_counter()
    index = Index.of(scenario, partnerships=partnerships)
    model = create_model(index, build_arcs(index))
    solution = solve_model(model, time_limit=limit, start=start_values(model, greedy))
    seconds = time.perf_counter() - t0
    assignments = assign_solution(model, solution)
    assert_plan_feasible(scenario, assignments)
    if not partnerships:
        assert not any(a.offers for a in assignments)
    best = evaluate(scenario, assignments)
    return {
        "seconds": seconds,
        "optimal": solution.optimal,
        "fill": best.fill,
        "units": float(sum(a.units for a in assignments)),
        "offers": float(len({o for a in assignments for o in a.offers})),
        "greedy_fill": evaluate(scenario, greedy).fill,
        "greedy_offers": float(len({o for a in greedy for o in a.offers})),
    }


def main() -> None:
    """Plan each seed with and without partnerships and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--limit", type=float, default=60.0, help="seconds per solve")
    args = parser.parse_args()
    table = Table(title="bluehelmet partnerships (1,500 pledges, 20 offers; HiGHS, lexicographic)")
    for col in (
        "seed",
        "pledges needing support",
        "solve s (offers)",
        "solve s (none)",
        "proven optimal",
        "fill with / without",
        "units with / without",
        "offers activated",
        "greedy / optimum (offers)",
        "greedy / optimum (none)",
        "solve time with / without",
    ):
        table.add_column(col, justify="right")
    for seed in args.seeds:
        scenario = synthetic_partnerships(
            synthetic_scenario(pledges=REALISTIC, seed=seed), seed=seed
        )
        with_offers = _solve(scenario, partnerships=True, limit=args.limit)
        without = _solve(scenario, partnerships=False, limit=args.limit)
        table.add_row(
            str(seed),
            f"{sum(bool(p.needs) for p in scenario.pledges):,}",
            f"{with_offers['seconds']:.2f}",
            f"{without['seconds']:.2f}",
            "yes" if with_offers["optimal"] and without["optimal"] else "no",
            f"{with_offers['fill']:g} / {without['fill']:g} "
            f"({with_offers['fill'] / without['fill']:.3f})",
            f"{with_offers['units']:g} / {without['units']:g}",
            f"{with_offers['offers']:g} (greedy {with_offers['greedy_offers']:g})",
            f"{with_offers['greedy_fill'] / with_offers['fill']:.3f}",
            f"{without['greedy_fill'] / without['fill']:.3f}",
            f"{with_offers['seconds'] / without['seconds']:.2f}",
        )
    Console(width=220).print(table)


if __name__ == "__main__":
    main()
