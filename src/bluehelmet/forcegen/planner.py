"""``plan(scenario)``: check, build, solve, read the plan back, explain gaps, compare.

One time limit bounds the whole call. The greedy baseline comes first (it is the starting
point of every stage, so a plan is never worse than it); the stages may then use the time up to
70 % of the limit when gaps are explained (all of it otherwise), the explanations the rest.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from bluehelmet.domain.planning import (
    Assignment,
    Gap,
    Objectives,
    Plan,
    Quality,
    Scenario,
    StageReport,
)
from bluehelmet.forcegen.check import check_scenario
from bluehelmet.forcegen.explain import NOT_COMPUTED, NOT_REQUESTED, PARTIAL, explain_gaps
from bluehelmet.forcegen.greedy import greedy_assignments
from bluehelmet.forcegen.model import (
    ExtraFunctionality,
    FloatArray,
    Index,
    Model,
    build_model,
)
from bluehelmet.forcegen.objectives import evaluate
from bluehelmet.forcegen.partnerships import activated_offers
from bluehelmet.forcegen.rules import arrival
from bluehelmet.forcegen.solve import (
    OPTIMAL,
    HighsOptions,
    Solution,
    relative_gap,
    solve_model,
)

#: Share of the time limit the stages may use when gaps are explained.
SOLVE_SHARE = 0.7


def assign_solution(model: Model, solution: Solution) -> tuple[Assignment, ...]:
    """The assignments (units > 0) of ``solution``, in requirement then pledge order."""
    return assign_values(model, solution.values)


def assign_values(model: Model, values: FloatArray) -> tuple[Assignment, ...]:
    """The assignments (units > 0) of the column vector ``values``."""
    sc = model.index.scenario
    units = {u.code: u.personnel for u in sc.unit_types}
    x = np.rint(values[: len(model.arcs)])
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


def start_values(model: Model, assignments: tuple[Assignment, ...]) -> FloatArray | None:
    """The column vector of ``assignments`` (None if one uses no arc of the model).

    Units on arcs the model left out as dominated (:func:`~bluehelmet.forcegen.model.
    reduce_arcs`) are moved onto the arcs that dominate them, which keeps every rule and
    makes no objective worse.
    """
    sc = model.index.scenario
    arcs = model.reduction.full if model.reduction is not None else model.arcs
    pledge_pos = {p.id: i for i, p in enumerate(sc.pledges)}
    req_pos = {r.id: j for j, r in enumerate(sc.requirements)}
    offer_ids = tuple(o.id for o in sc.partnerships)
    arc = {
        (int(p), int(r), tuple(offer_ids[o] for o in model.index.variants[v].offers)): k
        for k, (p, r, v) in enumerate(
            zip(arcs.pledge.tolist(), arcs.requirement.tolist(), arcs.variant.tolist(), strict=True)
        )
    }
    x = np.zeros(len(arcs))
    for a in assignments:
        k = arc.get((pledge_pos[a.pledge], req_pos[a.requirement], a.offers))
        if k is None:
            return None
        x[k] += a.units
    if model.reduction is not None:
        units = np.array([p.units for p in sc.pledges], dtype=np.float64)
        moved = model.reduction.project(x, units)
        if moved is None:
            return None
        x = moved
    values = model.complete(x)
    return values if model.feasible(values) else None


def _key(o: Objectives) -> tuple[float, float, float]:
    return (round(o.fill, 6), round(o.legitimacy, 6), -o.cost)


def plan(
    scenario: Scenario,
    *,
    explain: bool = True,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
    explain_time_limit: float | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    extra_functionality: ExtraFunctionality | None = None,
    highs_options: HighsOptions | None = None,
    partnerships: bool = True,
) -> Plan:
    """Plan ``scenario``: optimal assignments, explained gaps, and the quality report.

    Parameters
    ----------
    scenario:
        Typed scenario (see :func:`bluehelmet.forcegen.load_scenario`); checked first by
        :func:`bluehelmet.forcegen.check_scenario` whichever way it was built.
    explain:
        Compute the reasons of each gap (re-solves of the built model with rules relaxed).
        Without it, gaps are listed without reasons.
    time_limit:
        Seconds for the whole call: the three stages and the explanations. When the limit
        ends a stage or an explanation, ``quality.stages`` and ``Gap.explanation`` say so.
    mip_rel_gap:
        Relative gap at which the legitimacy and cost stages stop (fill is always solved to
        integer optimality within the time limit).
    explain_time_limit:
        At most this many seconds for the explanations (within ``time_limit``).
    progress:
        Called as ``progress(step, done, total)`` while building, solving and explaining.
    extra_functionality:
        Called with the built :class:`~bluehelmet.forcegen.model.Model` to add constraints
        (``model.add_constraints``) before it is solved, as PyPSA's hook of that name.
    highs_options:
        HiGHS options set on every solver instance (for example ``{"presolve": "off"}``).
    partnerships:
        Let the plan activate accepted partnership offers (training, equipment, lift) for the
        pledges that need them; with False no offer is activated. When the scenario has usable
        offers, the plan without them is also solved and reported beside the plan
        (``Quality.without_partnerships``), for comparison.
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit

    def report(step: str, done: int, total: int) -> None:
        if progress is not None:
            progress(step, done, total)

    check_scenario(scenario)
    report("greedy baseline", 0, 4)
    built = time.perf_counter()
    index = Index.of(scenario, partnerships=partnerships)
    index_seconds = time.perf_counter() - built
    greedy = greedy_assignments(scenario, partnerships=partnerships, index=index)
    baseline = evaluate(scenario, greedy)
    report("building the model", 1, 4)
    built = time.perf_counter() - index_seconds
    model = build_model(index, extra_functionality=extra_functionality)
    build_seconds = time.perf_counter() - built
    report("solving (fill, legitimacy, cost)", 2, 4)
    solve_deadline = t0 + (SOLVE_SHARE if explain else 1.0) * time_limit
    greedy_start = start_values(model, greedy)
    solution = solve_model(
        model,
        deadline=solve_deadline,
        mip_rel_gap=mip_rel_gap,
        start=greedy_start,
        highs_options=highs_options,
    )
    report("reading the plan", 3, 4)
    assignments = assign_solution(model, solution)
    objective = evaluate(scenario, assignments)
    notes: list[str] = []
    if greedy_start is not None and _key(objective) < _key(baseline):
        # Never worse than the baseline (a stage may end at its limit before improving it).
        assignments, objective = greedy, baseline
        notes.append("the time limit ended the solve before it improved on the greedy baseline")
    without: Objectives | None = None
    units_without: int | None = None
    if partnerships and any(v.offers for v in index.variants):
        report("solving without partnerships", 3, 4)
        now = time.perf_counter()
        bare_deadline = now + max(0.1, (solve_deadline - now) / 2)
        bare, bare_optimal = _plan_without_partnerships(
            scenario, bare_deadline, mip_rel_gap, extra_functionality, highs_options
        )
        without = evaluate(scenario, bare)
        units_without = sum(a.units for a in bare)
        if not bare_optimal:
            notes.append("the plan without partnerships is the best found in its time limit")
        if _key(objective) < _key(without):
            # A plan without offers is a plan with them: never show a worse one.
            assignments, objective = bare, without
            notes.append(
                "the time limit ended the solve before it matched the plan without "
                "partnerships; that plan is shown"
            )
    stages = _stage_reports(solution, objective)
    if explain:
        explain_deadline = deadline
        if explain_time_limit is not None:
            explain_deadline = min(deadline, time.perf_counter() + explain_time_limit)
        gaps = explain_gaps(
            index,
            model.side_rules,
            assignments,
            deadline=explain_deadline,
            extra_functionality=extra_functionality,
            highs_options=highs_options,
            progress=progress,
            build_seconds=build_seconds,
        )
    else:
        gaps = explain_gaps_without_reasons(index, assignments)
    explanations = _explanations(gaps, explain=explain)
    if solution.method == "network LP":
        notes.append(
            "no side rules: solved as a transportation problem (LP; totally unimodular, "
            "integrality verified)"
        )
    for s in stages:
        if not s.optimal:
            proven = f"proven bound {s.bound:,.6g}" if s.bound is not None else "no bound proven"
            notes.append(f"{s.name} stage ended by the time limit ({s.status}): {proven}")
    if explanations != "complete" and explain:
        notes.append(f"gap explanations: {explanations}")
    if scenario.illustrative:
        notes.append("illustrative scenario: figures are not real pledges or requirements")
    fill = stages[0]
    quality = Quality(
        objective=objective,
        bound=fill.bound,
        mip_gap=fill.gap,
        baseline=baseline,
        method=solution.method,
        status=stages[-1].status,
        optimal=all(s.optimal for s in stages),
        solve_seconds=solution.seconds,
        lp_seconds=solution.lp_seconds,
        stages=stages,
        lp_bound=solution.lp_bound,
        explanations=explanations,
        time_limit=time_limit,
        seconds=time.perf_counter() - t0,
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


def _plan_without_partnerships(
    scenario: Scenario,
    deadline: float,
    mip_rel_gap: float,
    extra_functionality: ExtraFunctionality | None,
    highs_options: HighsOptions | None,
) -> tuple[tuple[Assignment, ...], bool]:
    """The optimal assignments with no offer activated, and whether proven optimal."""
    index = Index.of(scenario, partnerships=False)
    greedy = greedy_assignments(scenario, partnerships=False, index=index)
    model = build_model(index, extra_functionality=extra_functionality)
    solution = solve_model(
        model,
        deadline=deadline,
        mip_rel_gap=mip_rel_gap,
        start=start_values(model, greedy),
        highs_options=highs_options,
    )
    assignments = assign_solution(model, solution)
    if _key(evaluate(scenario, assignments)) < _key(evaluate(scenario, greedy)):
        return greedy, False
    return assignments, solution.optimal


def _stage_reports(solution: Solution, objective: Objectives) -> tuple[StageReport, ...]:
    """Stage reports with the plan's objective values; bounds never on the wrong side."""
    out: list[StageReport] = []
    for s in solution.stages:
        value = float(getattr(objective, s.name))
        maximize = s.name != "cost"
        bound = s.bound
        if bound is not None and math.isfinite(bound):
            bound = max(bound, value) if maximize else min(bound, value)
        else:
            bound = None
        optimal = s.optimal and s.status == OPTIMAL
        out.append(
            StageReport(
                name=s.name,
                sense="max" if maximize else "min",
                objective=value,
                bound=bound,
                gap=relative_gap(value, bound),
                status=s.status,
                optimal=optimal,
                seconds=s.seconds,
            )
        )
    return tuple(out)


def _explanations(gaps: tuple[Gap, ...], *, explain: bool) -> str:
    if not explain:
        return NOT_REQUESTED
    partial = sum(g.explanation == PARTIAL for g in gaps)
    missing = sum(g.explanation == NOT_COMPUTED for g in gaps)
    if not partial and not missing:
        return "complete"
    return (
        f"time limit: {len(gaps) - partial - missing} of {len(gaps)} gaps fully explained, "
        f"{partial} partly, {missing} not computed"
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
        Gap(
            r.id,
            r.mission,
            r.unit_type,
            r.units,
            filled.get(r.id, 0),
            late.get(r.id, 0),
            explanation=NOT_REQUESTED,
        )
        for r in index.scenario.requirements
        if filled.get(r.id, 0) < r.units or late.get(r.id, 0)
    )
