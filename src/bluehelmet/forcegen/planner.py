"""``plan(scenario)``: build the model, solve it, read the plan back, explain gaps, compare."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bluehelmet.domain.planning import Assignment, Gap, Objectives, Plan, Quality, Scenario
from bluehelmet.forcegen.explain import explain_gaps
from bluehelmet.forcegen.greedy import greedy_assignments
from bluehelmet.forcegen.model import Index, Model, build_arcs, create_model
from bluehelmet.forcegen.objectives import evaluate
from bluehelmet.forcegen.partnerships import activated_offers
from bluehelmet.forcegen.rules import arrival
from bluehelmet.forcegen.solve import Solution, solve_model


def assign_solution(model: Model, solution: Solution) -> tuple[Assignment, ...]:
    """The assignments (units > 0) of ``solution``, in requirement then pledge order."""
    sc = model.index.scenario
    units = {u.code: u.personnel for u in sc.unit_types}
    x = solution.units[: len(model.arcs)]
    out: list[Assignment] = []
    for k in np.flatnonzero(x > 0).tolist():
        p = sc.pledges[int(model.arcs.pledge[k])]
        r = sc.requirements[int(model.arcs.requirement[k])]
        n = int(x[k])
        variant = model.index.variants[int(model.arcs.variant[k])]
        arrives = arrival(variant.effective, sc.policy)
        out.append(
            Assignment(
                pledge=p.id,
                requirement=r.id,
                contributor=p.contributor,
                mission=r.mission,
                unit_type=r.unit_type,
                units=n,
                personnel=n * units[r.unit_type],
                arrival=arrives,
                late_days=max(0, (arrives - r.needed_by).days),
                cost_usd=n * float(model.arcs.usd[k]),
                offers=tuple(sc.partnerships[o].id for o in variant.offers),
            )
        )
    order = {r.id: i for i, r in enumerate(sc.requirements)}
    out.sort(key=lambda a: (order[a.requirement], a.arrival, a.pledge))
    return tuple(out)


def plan(
    scenario: Scenario,
    *,
    explain: bool = True,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
    explain_time_limit: float = 10.0,
    progress: Callable[[str, int, int], None] | None = None,
    partnerships: bool = True,
) -> Plan:
    """Plan ``scenario``: optimal assignments, explained gaps, and the quality report.

    Parameters
    ----------
    scenario:
        Typed scenario (see :func:`bluehelmet.forcegen.load_scenario`).
    explain:
        Compute the reasons of each gap by re-solving with rules relaxed (one small MILP per
        requirement and candidate rule). Without it, gaps are listed without reasons.
    time_limit:
        Seconds for the three objective stages together; the best plan found is returned.
    mip_rel_gap:
        Relative gap at which the legitimacy and cost stages stop (fill is always solved to
        integer optimality within the time limit).
    progress:
        Called as ``progress(step, done, total)`` while building, solving and explaining.
    partnerships:
        Let the plan activate accepted partnership offers (training, equipment, lift) for the
        pledges that need them. With False no offer is activated. When the scenario has usable
        offers, the plan without them is also solved and reported beside the plan
        (``Quality.without_partnerships``).
    """

    def report(step: str, done: int, total: int) -> None:
        if progress is not None:
            progress(step, done, total)

    report("building the model", 0, 3)
    index = Index.of(scenario, partnerships=partnerships)
    model = create_model(index, build_arcs(index))
    report("solving (fill, legitimacy, cost)", 1, 3)
    solution = solve_model(model, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
    report("greedy baseline", 2, 3)
    assignments = assign_solution(model, solution)
    objective = evaluate(scenario, assignments)
    baseline = evaluate(scenario, greedy_assignments(scenario, partnerships=partnerships))
    without: Objectives | None = None
    units_without: int | None = None
    if partnerships and any(v.offers for v in index.variants):
        report("solving without partnerships", 2, 3)
        bare = Index.of(scenario, partnerships=False)
        bare_model = create_model(bare, build_arcs(bare))
        bare_plan = assign_solution(
            bare_model, solve_model(bare_model, time_limit=time_limit, mip_rel_gap=mip_rel_gap)
        )
        without = evaluate(scenario, bare_plan)
        units_without = sum(a.units for a in bare_plan)
    if explain:
        gaps = explain_gaps(
            index,
            model.side_rules,
            assignments,
            time_limit=explain_time_limit,
            progress=progress,
        )
    else:
        gaps = explain_gaps_without_reasons(index, assignments)
    fill_stage = solution.stages[0]
    notes: list[str] = []
    if solution.method == "network LP":
        notes.append(
            "no side rules: solved as a transportation problem (LP; totally unimodular, "
            "integrality verified)"
        )
    if scenario.illustrative:
        notes.append("illustrative scenario: figures are not real pledges or requirements")
    quality = Quality(
        objective=objective,
        bound=solution.lp_bound,
        mip_gap=0.0 if fill_stage.optimal else fill_stage.mip_gap,
        baseline=baseline,
        method=solution.method,
        status=solution.stages[-1].status,
        optimal=solution.optimal,
        solve_seconds=solution.seconds,
        lp_seconds=solution.lp_seconds,
        without_partnerships=without,
        units_without_partnerships=units_without,
    )
    if not partnerships and scenario.partnerships:
        notes.append("planned with no partnership offer activated (partnerships=False)")
    return Plan(
        scenario.name,
        assignments,
        gaps,
        quality,
        tuple(notes),
        activated_offers(scenario, assignments),
    )


def explain_gaps_without_reasons(
    index: Index, assignments: tuple[Assignment, ...]
) -> tuple[Gap, ...]:
    """Gaps (short or late requirements) without computed reasons."""
    filled: dict[str, int] = {}
    late: dict[str, int] = {}
    for a in assignments:
        filled[a.requirement] = filled.get(a.requirement, 0) + a.units
        if a.late_days > 0:
            late[a.requirement] = late.get(a.requirement, 0) + a.units
    return tuple(
        Gap(r.id, r.mission, r.unit_type, r.units, filled.get(r.id, 0), late.get(r.id, 0))
        for r in index.scenario.requirements
        if filled.get(r.id, 0) < r.units or late.get(r.id, 0)
    )
