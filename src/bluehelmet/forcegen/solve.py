"""Solve a :class:`~bluehelmet.forcegen.model.Model` with HiGHS, objectives in strict priority.

Lexicographic method: maximize fill; hold fill at the value found; maximize legitimacy; hold
it; minimize cost. Fill weights are integers, so on integer points fill takes integer values and
holding ``fill >= round(v) - 0.5`` is exact; legitimacy is held to a relative 1e-7.

Time: one deadline bounds every stage. The fill stage may use 60 % of the time left, the
legitimacy stage 60 % of what is then left, the cost stage the rest. A stage that reaches its
limit reports ``time limit`` with the best point found and the bound HiGHS proved (or none); a
stage never started reports ``not run``. Every stage starts from a feasible point (the greedy
baseline, or the LP rounded and repaired), so a time-limited plan is never worse than it.

Fill stage of the MILP: the LP relaxation (arc bounds tightened by the women's rows,
:meth:`Model.integer_upper`) gives a bound; since fill is integral, its optimum is at most
``T = floor(bound)``. The MILP with every column fixed that no point of fill ``T`` can move
(reduced-cost fixing) holds every such point; if it has none, ``T`` drops by one. Legitimacy
stage (and the cost stage of a model over :data:`PROBING_COLUMNS` columns): the stage's LP, a
quick MILP over the arcs it uses, then the stage's MILP with every column fixed that no point
better than the best one found can move. The cost stage is never bounded below the cost of
reaching the fill held (:func:`cost_floor`). An LP that
stops at its time limit gives no bound: none is reported and none is used to fix columns.

When the model is a transportation problem (:attr:`Model.is_network`) every stage is solved as
an LP: the constraint matrix is totally unimodular, the optimal face of an integral polytope is
integral, so simplex returns an integral vertex. Integrality is verified; if it fails (numerical
trouble, or a time limit) the same stages are re-solved as a MILP.

HiGHS writes nothing: every instance is created with ``output_flag`` off, so solves can run in
threads or Dask workers. (HiGHS prints a one-time banner when the first instance of a process is
created; that instance is created once, silently, when this module is imported.)
"""

from __future__ import annotations

import ctypes
import math
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from bluehelmet.forcegen.heuristic import rounding_start
from bluehelmet.forcegen.model import FloatArray, Model

STAGES: tuple[tuple[str, bool], ...] = (("fill", True), ("legitimacy", True), ("cost", False))
INTEGRALITY_TOLERANCE = 1e-6
#: Share of the time left that the fill and the legitimacy stage may use.
STAGE_SHARE = 0.6
#: Cost objective coefficients are in millions of USD; stage values are reported in USD.
_COST_SCALE = 1e6

#: Models with more columns than this are presolved without probing (see solve_model).
PROBING_COLUMNS = 20_000
#: HiGHS presolve rules that do not stop at the time limit: probing (bit 15), enumeration
#: (bit 16) and dual-fixing probing (bit 20). Presolve of the 10x model: 24.5 s of CPU with
#: probing off, 3.3 s with all three off (benchmarks/bench_forcegen.py).
PROBING_RULE = 2**15 | 2**16 | 2**20
#: HiGHS' ``simplex_strategy`` value of the primal simplex.
PRIMAL_SIMPLEX = 4
#: A fill search (MILP) with more free columns than this is not started: at 100x (161,000
#: free of 233,000 after fixing) HiGHS' root ran 90 s past a 57 s limit
#: (benchmarks/bench_forcegen.py); the search over the LP's arcs runs instead. Nor is a
#: later stage's MILP after fixing (at 10x, 30,701 free: 25 s for a 14 s limit).
FREE_COLUMNS = 20_000
#: Relative margin on the LP bound in reduced-cost fixing (duals are exact to ~1e-9).
FIXING_MARGIN = 1e-6
#: Share of a stage's time the quick MILP over the LP's arcs may use (at least 0.5 s; all of
#: it in models over PROBING_COLUMNS columns).
QUICK_SHARE = 0.2
#: A restricted stage MILP is presolved when at least this share of its columns is fixed.
PRESOLVE_FIXED = 0.5

OPTIMAL = "optimal"
TIME_LIMIT = "time limit"
NOT_RUN = "not run (time limit)"
HighsOptions = Mapping[str, bool | int | float | str]


def _absorb_banner() -> None:
    """Create the process's first HiGHS instance with stdout closed (it prints a banner)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        highspy.Highs()  # type: ignore[no-untyped-call]
        ctypes.CDLL(None).fflush(None)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


_absorb_banner()


def new_highs(options: HighsOptions | None = None) -> Any:
    """A HiGHS instance with its output off (``output_flag=False``) and ``options`` set."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    for name, value in (options or {}).items():
        h.setOptionValue(name, value)
    return h


def _finite(a: FloatArray, inf: float) -> FloatArray:
    out = a.copy()
    out[np.isposinf(out)] = inf
    out[np.isneginf(out)] = -inf
    return out


def load(model: Model, h: Any, *, integer: bool, tighten: bool = False) -> None:
    """Pass ``model`` to the HiGHS instance ``h`` (as LP if not ``integer``).

    With ``tighten`` the arcs' bounds are those of :meth:`Model.integer_upper` (implied by
    the rows for every integer point; not for callers that relax rows afterwards).
    """
    inf = highspy.kHighsInf
    col_lower, col_upper, is_int, row_lower, row_upper = model.bounds()
    if tighten:
        col_upper = model.integer_upper()
    start, index, value = model.matrix()
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_cols
    lp.num_row_ = model.num_rows
    lp.col_cost_ = np.zeros(model.num_cols)
    lp.col_lower_ = _finite(col_lower, inf)
    lp.col_upper_ = _finite(col_upper, inf)
    lp.row_lower_ = _finite(row_lower, inf)
    lp.row_upper_ = _finite(row_upper, inf)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = model.num_cols
    lp.a_matrix_.num_row_ = model.num_rows
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value
    if integer:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
            for flag in is_int.tolist()
        ]
    h.passModel(lp)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """``|bound - objective| / max(|objective|, |bound|)`` (0 when both are 0; None without
    a bound): the gap as computed from the two reported values."""
    if objective is None or bound is None:
        return None
    scale = max(abs(objective), abs(bound))
    return 0.0 if scale == 0 else abs(bound - objective) / scale


@dataclass(frozen=True, slots=True)
class Stage:
    """Result of one lexicographic stage.

    ``value`` is the stage objective of the returned point (fill, legitimacy, or cost in USD);
    ``bound`` the best bound proven for it with the earlier stages held (an upper bound for
    fill and legitimacy, a lower bound for cost), or None when none was proven.
    """

    name: str
    value: float
    status: str
    optimal: bool
    seconds: float
    bound: float | None = None

    @property
    def mip_gap(self) -> float | None:
        """Relative gap between ``value`` and ``bound`` (None without a bound)."""
        return relative_gap(self.value, self.bound)


@dataclass(frozen=True)
class Solution:
    """Column values and how they were obtained."""

    values: FloatArray
    stages: tuple[Stage, ...]
    method: str
    lp_bound: float | None  # LP relaxation of the fill stage; None if it did not finish
    lp_seconds: float
    seconds: float

    @property
    def units(self) -> FloatArray:
        """Rounded units per arc."""
        return np.rint(self.values)

    @property
    def optimal(self) -> bool:
        """Every stage proven optimal."""
        return all(s.optimal for s in self.stages)


@dataclass(frozen=True, slots=True)
class _Run:
    status: str
    optimal: bool
    seconds: float
    dual_bound: float | None


def lp_time_limit(h: Any, seconds: float) -> None:
    """Let the LP in ``h`` run ``seconds`` more. HiGHS (1.16) checks an LP's time limit
    against the instance's clock, which counts every earlier run of it: a reused LP given
    less than its past runs stops at once, with no iteration. (A MILP's limit counts from
    the start of its own run.)"""
    h.setOptionValue("time_limit", float(h.getRunTime()) + max(1e-3, seconds))


def _run(h: Any, deadline: float, *, lp: bool = False) -> _Run:
    """Run ``h`` until ``deadline`` (not at all when it has passed); ``lp`` when ``h``
    holds an LP (see :func:`lp_time_limit`)."""
    left = deadline - time.perf_counter()
    if left <= 0:
        return _Run(NOT_RUN, optimal=False, seconds=0.0, dual_bound=None)
    if lp:
        lp_time_limit(h, left)
    else:
        h.setOptionValue("time_limit", max(1e-3, left))
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    status = h.getModelStatus()
    info = h.getInfo()
    optimal = status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty)
    if status == highspy.HighsModelStatus.kTimeLimit:
        text = TIME_LIMIT
    elif optimal:
        text = OPTIMAL
    else:
        text = str(h.modelStatusToString(status)).lower()
    dual: float | None = None
    if info.mip_node_count >= 0:
        d = float(info.mip_dual_bound)
        dual = d if math.isfinite(d) and abs(d) < 1e30 else None
    elif optimal:
        dual = float(info.objective_function_value)
    return _Run(text, optimal, seconds, dual)


def _large_model(h: Any, columns: int) -> None:
    """MILP options for models over :data:`PROBING_COLUMNS` columns.

    HiGHS' probing rules (in presolve) and symmetry detection (before the first node) do not
    stop at the time limit: measured 35 s over a 6 s limit at 10x
    (benchmarks/bench_forcegen.py). Nor does the feasibility jump heuristic (before the root
    LP): 98 s over a 10 s limit at 10x; without it the limit held (30 s for 25 s). Every stage
    has a start, so large models go without them.
    """
    if columns > PROBING_COLUMNS:
        h.setOptionValue("presolve_rule_off", PROBING_RULE)
        h.setOptionValue("mip_detect_symmetry", False)
        h.setOptionValue("mip_heuristic_run_feasibility_jump", False)


def _large_lp(h: Any, columns: int, options: HighsOptions | None) -> None:
    """LP options for models over :data:`PROBING_COLUMNS` columns (unless the caller set them).

    Primal simplex: half the dual's time at 100x (28 s against 57 s of CPU). Without presolve:
    the fill LP at 100x takes 11.2-11.4 s of CPU against 15.1-15.8 s with it (10x: 1.0-1.2 s
    against 1.5-1.7 s, benchmarks/bench_forcegen.py); the simplex then works on the model
    itself, so its point and duals need no postsolve.
    """
    if columns > PROBING_COLUMNS:
        if "simplex_strategy" not in (options or {}):
            h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
        if "presolve" not in (options or {}):
            h.setOptionValue("presolve", "off")


def _has_solution(h: Any) -> bool:
    return bool(h.getInfo().primal_solution_status == 2)


def _hold(h: Any, coef: FloatArray, lower: float) -> None:
    nz = np.flatnonzero(coef)
    h.addRow(lower, highspy.kHighsInf, int(nz.size), nz.astype(np.int32), coef[nz])


def _hold_bound(name: str, value: float, *, exact: bool) -> float:
    if name == "fill":
        return float(np.rint(value)) - (1e-7 if exact else 0.5)
    return value - max(1e-7, 1e-7 * abs(value))


def _set_start(h: Any, values: FloatArray) -> None:
    sol = highspy.HighsSolution()
    sol.col_value = values.tolist()
    sol.value_valid = True
    h.setSolution(sol)


def _report(name: str, value: float, bound: float | None, *, optimal: bool) -> float | None:
    """The stage bound in reporting units, never on the wrong side of ``value``."""
    if optimal and bound is None:
        bound = value
    if bound is None:
        return None
    if name == "fill":
        bound = math.floor(bound + 1e-6)  # fill is integral
        return max(bound, value)
    if name == "cost":
        return min(bound, value)
    return max(bound, value)


def _stages(
    model: Model,
    h: Any,
    deadline: float,
    *,
    exact: bool,
    start: FloatArray | None = None,
    proven_fill: Stage | None = None,
    fill_bound: float | None = None,
    min_seconds: float = 0.0,
    options: HighsOptions | None = None,
    warm: _StageLP | None = None,
) -> tuple[FloatArray, list[Stage]]:
    """Run the lexicographic stages on ``h``.

    ``start`` is a feasible point offered to every MILP stage (and kept when a stage finds
    nothing better in time). With ``proven_fill`` the fill stage is already solved (to
    optimality, or up to the time limit) at ``start`` and is only held. ``fill_bound`` is a
    bound proven before (the LP). A MILP stage with less than ``min_seconds`` left (the LP
    relaxation's time; four times a later stage's LP after one) is not run; a stage that
    starts with its LP needs only ``min_seconds`` as given or the previous stage LP's time.

    The legitimacy stage of the MILP (and the cost stage of a model over
    :data:`PROBING_COLUMNS` columns) first looks for a better point and fixes the columns no
    better point can move (:func:`_fixing`); the stage's MILP then runs within
    those bounds (restored afterwards), and its bound is the better of the restricted MILP's
    bound and the point's value, never weaker than the stage's LP. The cost stage's bound is
    never below :func:`cost_floor`.
    """
    values = start if start is not None else np.zeros(model.num_cols)
    stages: list[Stage] = []
    n = model.num_cols
    every = np.arange(n, dtype=np.int32)
    holds: list[tuple[FloatArray, float]] = []
    large = n > PROBING_COLUMNS
    base_seconds, last_lp = min_seconds, 0.0
    for k, (name, maximize) in enumerate(STAGES):
        coef = model.objective(name)
        scale = _COST_SCALE if name == "cost" else 1.0
        if name == "fill" and proven_fill is not None:
            stages.append(proven_fill)
            holds.append((coef, _hold_bound(name, proven_fill.value, exact=True)))
            _hold(h, coef, _hold_bound(name, proven_fill.value, exact=exact))
            continue
        now = time.perf_counter()
        last = k == len(STAGES) - 1
        stage_deadline = deadline if last else now + STAGE_SHARE * (deadline - now)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), coef)
        h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        )
        if not exact:
            # Fill takes integer values: stop when within 1 of the bound (proven optimal).
            h.setOptionValue("mip_abs_gap", 0.999 if name == "fill" else 0.0)
            # Later stages start from the previous stage's model; re-presolving it costs more
            # than it saves (measured in benchmarks/bench_forcegen.py).
            h.setOptionValue("presolve", "choose" if name == "fill" else "off")
            if start is not None:
                _set_start(h, values)
        fixed: tuple[FloatArray, FloatArray, FloatArray, float, float] | None = None
        skipped = False
        t_stage = time.perf_counter()
        steps = (
            not exact and start is not None and (name == "legitimacy" or (name == "cost" and large))
        )
        # A stage that starts with its LP (:func:`_fixing`) needs only that LP to fit (the
        # LP stops on time; its MILP is guarded below); a MILP stage needs ``min_seconds``.
        need = max(base_seconds, last_lp) if steps else min_seconds
        if not exact and stage_deadline - time.perf_counter() < need:
            # Not even the root LP fits (HiGHS does not stop every part of a MIP node on
            # time): the stage is not started, and the plan so far is kept.
            run = _Run(NOT_RUN, optimal=False, seconds=0.0, dual_bound=None)
        else:
            if steps:
                # (the cost stage of a small model gains nothing from it: 2.1 s of CPU with,
                # 1.7 s without at the realistic size; a large one gets its LP's bound, where
                # the MILP's root stops before its LP ends and reports 0 (10x, 28 s),
                # benchmarks/bench_forcegen.py)
                fixed = _fixing(
                    model,
                    holds,
                    coef,
                    maximize=maximize,
                    incumbent=values,
                    deadline=stage_deadline,
                    options=options,
                    warm=warm,
                )
            if fixed is not None:
                values, lower, upper, _, lp_seconds = fixed
                # HiGHS does not stop a large MILP's root on time: this stage's MILP is not
                # started without twice its LP's time, the cost stage without four times
                # (10x, after 7.5 s LPs: a legitimacy MILP given 8 s took 26 s, a cost stage
                # given 11 s took 36 s and one given 23 s took 36 s).
                min_seconds = max(min_seconds, 4 * lp_seconds)
                last_lp = lp_seconds
                share = float(np.count_nonzero(upper - lower <= 0)) / max(n, 1)
                h.changeColsBounds(n, every, lower, upper)
                h.setOptionValue("presolve", "choose" if share >= PRESOLVE_FIXED else "off")
                _set_start(h, values)
            free = n - int(np.count_nonzero(fixed[2] - fixed[1] <= 0)) if fixed is not None else 0
            if fixed is not None and (
                stage_deadline - time.perf_counter() < 2 * fixed[4] or free > FREE_COLUMNS
            ):
                # the stage ends with the quick MILP's plan and the LP's bound (a MILP with
                # more free columns overruns its limit: at 10x, 30,701 free, 25 s for 14 s)
                run = _Run(TIME_LIMIT, optimal=False, seconds=0.0, dual_bound=None)
                skipped = True
            else:
                run = _run(h, stage_deadline, lp=exact)
        if _has_solution(h) and run.status != NOT_RUN and not skipped:
            found = np.asarray(h.getSolution().col_value, dtype=np.float64)
            reported = float(h.getInfo().objective_function_value)
            if abs(float(coef @ found) - reported) > 1e-6 * (1 + abs(reported)):
                # HiGHS returns the user's start, not its optimum, when presolve solves the
                # whole model; solving again without presolve returns the right point.
                h.setOptionValue("presolve", "off")
                more = _run(h, stage_deadline, lp=exact)
                run = _Run(more.status, more.optimal, run.seconds + more.seconds, more.dual_bound)
                if _has_solution(h):
                    found = np.asarray(h.getSolution().col_value, dtype=np.float64)
            if exact:
                # LP vertices of the network are integral; snap the solver's round-off so
                # that the held value is that of the integral point (checked by the caller).
                snapped = np.rint(found)
                if np.max(np.abs(found - snapped), initial=0.0) < 1e-4 and model.feasible(snapped):
                    found = snapped
            gain = float(coef @ found - coef @ values)
            better = gain >= -1e-9 if maximize else gain <= 1e-9
            if start is None or better or not model.feasible(values):
                values = found
        value = float(coef @ values)
        bound = run.dual_bound
        if fixed is not None:
            # Points outside the fixed bounds are worse than the incumbent (its value).
            h.changeColsBounds(n, every, model.bounds()[0], model.integer_upper())
            if bound is not None:
                held = float(coef @ fixed[0])
                bound = max(bound, held) if maximize else min(bound, held)
            # the stage's LP bounds it too (where the MILP stopped before doing better)
            lp = fixed[3]
            tighter = min if maximize else max
            bound = lp if bound is None else tighter(bound, lp)
            run = _Run(run.status, run.optimal, time.perf_counter() - t_stage, bound)
        if name == "fill" and fill_bound is not None:
            bound = fill_bound if bound is None else min(bound, fill_bound)
        if name == "cost" and stages:
            # never weaker than the cost of reaching the fill held (HiGHS reports 0, its
            # trivial bound, when its root stops early; a stage not run has none at all)
            floor = cost_floor(model, float(np.rint(stages[0].value)))
            if floor is not None:
                bound = floor if bound is None else max(bound, floor)
        optimal = run.optimal or (
            name == "fill" and bound is not None and value >= math.floor(bound + 1e-6) - 1e-6
        )
        status = OPTIMAL if optimal else run.status
        if name == "fill" and status == NOT_RUN and fill_bound is not None:
            status = TIME_LIMIT  # the LP and the restricted searches used the stage's time
        shown = _report(
            name, value * scale, None if bound is None else bound * scale, optimal=optimal
        )
        stages.append(Stage(name, value * scale, status, optimal, run.seconds, shown))
        if not last:
            # (fill is integral: held at its value for the LPs of later stages)
            holds.append((coef, _hold_bound(name, value, exact=True)))
            _hold(h, coef, _hold_bound(name, value, exact=exact))
    return values, stages


def cost_floor(model: Model, fill: float) -> float | None:
    """A lower bound (MUSD) on the cost of every integer point of fill >= ``fill``.

    Every arc of a requirement fills the same weight per unit, and a requirement takes at most
    its demand: ``u`` units of requirement ``j`` cost at least its ``u`` cheapest units (arcs
    by cost, each up to :meth:`Model.integer_upper`). These per-requirement cost curves are
    convex, so the cheapest way to reach ``fill`` over all of them is the fractional knapsack
    that takes units by cost per fill weight. Pledge capacity and the side rules are left out,
    so the bound holds for every point the stage considers. None when a column other than an
    arc carries a cost, an arc costs less than 0, or the arcs cannot reach ``fill``.
    """
    n = len(model.arcs)
    coef = model.objective("cost")
    demand = model.constraints.get("requirement_demand")
    if n == 0 or demand is None:
        return None if fill > 0 else 0.0
    cost = coef[:n]
    if np.any(coef[n:] != 0) or np.any(cost < 0):
        return None
    need = np.full(len(model.index.scenario.requirements), np.inf)
    need[demand.coords["requirement"]] = np.concatenate(model.row_upper)[demand.positions]
    weight = model.arcs.weight
    req = model.arcs.requirement
    order = np.lexsort((cost, req))
    upper = model.integer_upper()[:n][order]
    group = req[order]
    # units taken per arc: its bound, within what its requirement's cheaper arcs left
    before = np.cumsum(upper) - upper
    first = np.searchsorted(group, group)  # position of each group's first arc
    taken = np.clip(need[group] - (before - before[first]), 0.0, upper)
    w, c = weight[order], cost[order]
    useful = (taken > 0) & (w > 0)
    w, c, taken = w[useful], c[useful], taken[useful]
    by_ratio = np.argsort(c / w, kind="stable")
    w, c, taken = w[by_ratio], c[by_ratio], taken[by_ratio]
    reach = np.cumsum(taken * w)
    if reach.size == 0 or reach[-1] < fill - 1e-9:
        return None if fill > 0 else 0.0
    k = int(np.searchsorted(reach, fill - 1e-9))
    spent = float(np.sum(taken[:k] * c[:k]))
    rest = fill - (float(reach[k - 1]) if k else 0.0)
    # (a hair below: the sums are rounded)
    return (spent + max(rest, 0.0) * float(c[k] / w[k])) * (1 - 1e-9)


@dataclass(frozen=True, slots=True)
class Relaxed:
    """The fill stage's LP relaxation: value, point, reduced costs and the column bounds."""

    bound: float
    values: FloatArray
    reduced: FloatArray  # reduced cost of each column (<= 0 at a lower bound when maximizing)
    lower: FloatArray
    upper: FloatArray
    seconds: float


def fixed_bounds(model: Model, lp: Relaxed, target: float) -> tuple[FloatArray, FloatArray]:
    """Column bounds of a maximizing stage with every integer column fixed that no point of
    value ``target`` or more can move (reduced-cost fixing against ``target``).

    With the LP's duals, every feasible point ``x`` has ``value(x) <= bound + sum_j d_j (x_j -
    x*_j)`` and each term is <= 0. An integer column at its lower bound with ``d_j < -(bound -
    target)`` can thus not rise by 1 in a point of value >= ``target`` (nor one at its upper
    bound with ``d_j > bound - target`` fall by 1): fixing them keeps every such point.
    """
    _, _, integer, _, _ = model.bounds()
    slack = lp.bound - target + FIXING_MARGIN * (1 + abs(lp.bound))
    x, d = lp.values, lp.reduced
    at_lower = integer & (x <= lp.lower + 1e-9) & (d < -slack)
    at_upper = integer & ~at_lower & (x >= lp.upper - 1e-9) & (d > slack)
    lower, upper = lp.lower.copy(), lp.upper.copy()
    upper[at_lower] = lp.lower[at_lower]
    lower[at_upper] = lp.upper[at_upper]
    return lower, upper


def _keeps(holds: list[tuple[FloatArray, float]], values: FloatArray) -> bool:
    """Whether ``values`` keeps every held stage value."""
    return all(float(c @ values) >= low - 1e-6 * (1 + abs(low)) for c, low in holds)


@dataclass
class _StageLP:
    """The fill stage's LP instance, re-solved for the later stages' LPs from its basis.

    Each later stage's LP is the previous one with its stage held (one row) and a new
    objective: the previous optimal basis stays primal feasible, so the simplex goes on from
    it instead of starting over (10x: 0.5-1.5 s against 6-7 s for the legitimacy LP,
    benchmarks/bench_forcegen.py). ``holds`` counts the hold rows added so far.
    """

    h: Any
    holds: int = 0


def _fixing(
    model: Model,
    holds: list[tuple[FloatArray, float]],
    coef: FloatArray,
    *,
    maximize: bool,
    incumbent: FloatArray,
    deadline: float,
    options: HighsOptions | None,
    warm: _StageLP | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, float, float] | None:
    """A better incumbent and reduced-cost fixing against it, for the legitimacy stage (and
    the cost stage of large models). With ``warm`` the LP is solved on that instance (the
    holds it lacks added), from its last basis.

    Solves the stage's LP (earlier stages held), then a quick MILP over the arcs the LP or the
    incumbent uses (any point it finds is feasible for the stage). Returns the best point and
    the column bounds with every integer column fixed that no point better than it can move
    (:func:`fixed_bounds`, on the maximized objective): the stage's optimum lies within
    them, or is the point itself; the LP's value, a bound of the stage; and the LP's seconds.
    None when the LP does not finish cleanly.
    """
    n = model.num_cols
    every = np.arange(n, dtype=np.int32)
    sense = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    lower0, upper0 = model.bounds()[0], model.integer_upper()
    if warm is not None:
        h = warm.h
        for c, low in holds[warm.holds :]:
            _hold(h, c, low)
        warm.holds = len(holds)
    else:
        h = new_highs(options)
        _large_lp(h, n, options)
        load(model, h, integer=False, tighten=True)
        for c, low in holds:
            _hold(h, c, low)
    h.changeColsCost(n, every, coef)
    h.changeObjectiveSense(sense)
    lp = _run(h, deadline, lp=True)
    if not lp.optimal or int(h.getInfo().num_dual_infeasibilities) != 0:
        return None
    sign = 1.0 if maximize else -1.0
    relaxed = Relaxed(
        sign * float(h.getInfo().objective_function_value),
        np.asarray(h.getSolution().col_value, dtype=np.float64),
        sign * np.asarray(h.getSolution().col_dual, dtype=np.float64),
        lower0,
        upper0,
        lp.seconds,
    )
    best, best_value = incumbent, sign * float(coef @ incumbent)
    arcs = len(model.arcs)
    support = np.ones(n, dtype=bool)
    support[:arcs] = (relaxed.values[:arcs] > 1e-6) | (incumbent[:arcs] > 0.5)

    def search() -> Any:
        quick = new_highs(options)
        _large_model(quick, n)
        load(model, quick, integer=True, tighten=True)
        for c, low in holds:
            _hold(quick, c, low)
        quick.changeColsCost(n, every, coef)
        quick.changeObjectiveSense(sense)
        quick.changeColsBounds(n, every, lower0, np.where(support, upper0, lower0))
        return quick

    quick = search()
    _set_start(quick, incumbent)
    now = time.perf_counter()
    # A large model's stage MILP after fixing mostly has too many free columns to run
    # (FREE_COLUMNS): there the search over the LP's arcs gets the stage's time.
    share = 1.0 if n > PROBING_COLUMNS else QUICK_SHARE
    quick_deadline = min(deadline, now + max(0.5, share * (deadline - now)))
    _run(quick, quick_deadline)
    if _has_solution(quick):
        reported = float(quick.getInfo().objective_function_value)
        point = np.asarray(quick.getSolution().col_value, dtype=np.float64)
        if abs(float(coef @ point) - reported) > 1e-6 * (1 + abs(reported)):
            # HiGHS returns the start, not its optimum, when presolve solves the whole
            # model (the cost stage at 10x: 1,523 reported, the start's 1,570 returned);
            # presolve solves it again at once without the start
            quick = search()
            _run(quick, quick_deadline)
    if _has_solution(quick):
        x = np.rint(np.asarray(quick.getSolution().col_value, dtype=np.float64)[:arcs])
        found = model.complete(x)
        value = sign * float(coef @ found)
        if value > best_value + 1e-9 and model.feasible(found) and _keeps(holds, found):
            best, best_value = found, value
    lower, upper = fixed_bounds(model, relaxed, best_value)
    return best, lower, upper, sign * relaxed.bound, lp.seconds


def _fixing_fill(
    model: Model,
    lp: Relaxed,
    start: FloatArray | None,
    deadline: float,
    options: HighsOptions | None,
) -> tuple[FloatArray | None, float, bool, float]:
    """The fill stage by reduced-cost fixing against the integer target (exact).

    Fill is integral, so its optimum is at most ``T = floor(LP bound)``. The MILP with every
    column fixed that no point of fill >= ``T`` can move (:func:`fixed_bounds`) holds every
    such point: if it finds one, that point is optimal; if it proves it has none, the optimum
    is at most ``T - 1`` and the search goes on with ``T - 1`` (fewer columns fixed) unless
    the best point found reaches it. When more than :data:`FREE_COLUMNS` columns stay free,
    only the arcs the LP or the best point uses are searched, and the bound stays ``T``.
    Returns the best feasible point (or None), the bound
    proven, whether the point is proven optimal, and the seconds spent.
    """
    t0 = time.perf_counter()
    n = model.num_cols
    fill = model.objective("fill")
    h = new_highs(options)
    load(model, h, integer=True, tighten=True)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), fill)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.setOptionValue("mip_abs_gap", 0.999)  # fill is integral: within 1 of the bound is optimal
    _large_model(h, n)
    best = start if start is not None and model.feasible(start) else None
    best_value = float(fill @ best) if best is not None else -math.inf
    target = float(math.floor(lp.bound + 1e-6))
    every = np.arange(n, dtype=np.int32)
    unfixed = int(np.count_nonzero(lp.upper - lp.lower <= 0))
    while best_value < target - 1e-6 and time.perf_counter() < deadline:
        lower, upper = fixed_bounds(model, lp, target)
        count = int(np.count_nonzero(upper - lower <= 0))
        if n - count > FREE_COLUMNS:
            # Too large to search whole in time: search the arcs the LP or the best point
            # uses. Any point found is feasible, but none found proves nothing: the target
            # stays, and the search ends.
            arcs = len(model.arcs)
            support = np.ones(n, dtype=bool)
            support[:arcs] = lp.values[:arcs] > 1e-6
            if best is not None:
                support[:arcs] |= best[:arcs] > 0.5
            h.changeColsBounds(n, every, lp.lower, np.where(support, lp.upper, lp.lower))
            if best is not None:
                _set_start(h, best)
            _run(h, deadline)
            if _has_solution(h):
                found = model.complete(
                    np.rint(np.asarray(h.getSolution().col_value, dtype=np.float64)[:arcs])
                )
                value = float(fill @ found)
                if value > best_value + 1e-9 and model.feasible(found):
                    best, best_value = found, value
            break
        h.changeColsBounds(n, every, lower, upper)
        # Presolve only pays where it removes the fixed columns: at the realistic size (23 %
        # fixed) the search takes 2.1 s of CPU without it against 3.0 s with it; at 10x (86 %
        # fixed) it is what makes the search finish (benchmarks/bench_forcegen.py).
        h.setOptionValue("presolve", "choose" if count >= PRESOLVE_FIXED * n else "off")
        if best is not None and np.all(best >= lower - 1e-9) and np.all(best <= upper + 1e-9):
            _set_start(h, best)
        run = _run(h, deadline)
        if _has_solution(h):
            found = model.complete(
                np.rint(np.asarray(h.getSolution().col_value, dtype=np.float64)[: len(model.arcs)])
            )
            value = float(fill @ found)
            if value > best_value + 1e-9 and model.feasible(found):
                best, best_value = found, value
        if best_value >= target - 1e-6:
            break
        if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            most = -math.inf  # the fixed columns leave no feasible point at all
        elif run.dual_bound is not None:
            most = math.floor(run.dual_bound + 1e-6)
        else:
            break
        if most >= target:
            break  # stopped by the deadline before the search proved anything more
        if count == unfixed:
            # nothing beyond the model's own fixed columns: this was the full MILP
            target = max(float(most), best_value)
            break
        target -= 1.0  # no point of fill >= target: the optimum is at most target - 1
    proven = best_value >= target - 1e-6
    return best, max(target, best_value), proven, time.perf_counter() - t0


def _integral(model: Model, values: FloatArray) -> bool:
    n = len(model.arcs)
    x = values[:n]
    return bool(np.all(np.abs(x - np.rint(x)) <= INTEGRALITY_TOLERANCE))


def _better_fill(model: Model, a: FloatArray | None, b: FloatArray | None) -> FloatArray | None:
    """The feasible one of ``a`` and ``b`` with the higher fill (``a`` on ties)."""
    fill = model.objective("fill")
    best: FloatArray | None = None
    for v in (a, b):
        if v is None or v.size != model.num_cols or not model.feasible(v):
            continue
        if best is None or float(fill @ v) > float(fill @ best) + 1e-9:
            best = v
    return best


def solve_model(
    model: Model,
    *,
    time_limit: float = 60.0,
    mip_rel_gap: float = 1e-4,
    deadline: float | None = None,
    start: FloatArray | None = None,
    highs_options: HighsOptions | None = None,
) -> Solution:
    """Solve the three stages; network models as LPs, others as MILPs.

    ``deadline`` (a :func:`time.perf_counter` value) overrides ``time_limit``. ``start`` is a
    feasible column vector (the greedy baseline) that every stage starts from.
    """
    t_start = time.perf_counter()
    if deadline is None:
        deadline = t_start + time_limit
    n = model.num_cols
    if model.is_network:
        h = new_highs(highs_options)
        h.setOptionValue("solver", "simplex")
        load(model, h, integer=False)
        values, stages = _stages(model, h, deadline, exact=True)
        if _integral(model, values) and all(s.optimal for s in stages):
            lp = stages[0]
            return Solution(
                values,
                tuple(stages),
                "network LP",
                lp.value,
                lp.seconds,
                time.perf_counter() - t_start,
            )
    # LP relaxation of the fill stage: the bound reported beside the solution.
    fill_deadline = t_start + STAGE_SHARE * (deadline - t_start)
    h = new_highs(highs_options)
    _large_lp(h, model.num_cols, highs_options)
    load(model, h, integer=False, tighten=True)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), model.objective("fill"))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    lp_run = _run(h, fill_deadline, lp=True)
    lp_seconds = lp_run.seconds
    lp_bound = float(h.getInfo().objective_function_value) if lp_run.optimal else None
    lp_values = np.asarray(h.getSolution().col_value, dtype=np.float64) if lp_run.optimal else None
    start_values = _better_fill(
        model, start, rounding_start(model, lp_values) if lp_values is not None else None
    )
    proven: Stage | None = None
    fill_bound = lp_bound
    if (
        lp_values is not None
        and lp_bound is not None
        and int(h.getInfo().num_dual_infeasibilities) == 0
    ):
        # Fill is integral: its optimum is at most floor(LP bound). Reduced-cost fixing
        # against that target leaves a far smaller MILP that holds every point reaching it.
        col_lower = model.bounds()[0]
        relaxed = Relaxed(
            lp_bound,
            lp_values,
            np.asarray(h.getSolution().col_dual, dtype=np.float64),
            col_lower,
            model.integer_upper(),
            lp_seconds,
        )
        point, bound, optimal, seconds = _fixing_fill(
            model, relaxed, start_values, fill_deadline, highs_options
        )
        fill_bound = min(bound, lp_bound)
        best = point if point is not None and optimal else _better_fill(model, start_values, point)
        if best is not None:
            # The search holds every plan that reaches its target: when the deadline stops
            # it, the full MILP would only look again for the same plans. The fill stage
            # ends here (optimal or at the time limit) and the later stages get their time.
            value = float(model.objective("fill") @ best)
            proven = Stage(
                "fill",
                value,
                OPTIMAL if optimal else TIME_LIMIT,
                optimal,
                seconds + lp_seconds,
                _report("fill", value, fill_bound, optimal=optimal),
            )
            start_values = best
    lp_h = h
    h = new_highs(highs_options)
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    _large_model(h, model.num_cols)
    load(model, h, integer=True, tighten=True)
    values, stages = _stages(
        model,
        h,
        deadline,
        exact=False,
        start=start_values,
        proven_fill=proven,
        fill_bound=fill_bound,
        min_seconds=lp_seconds if lp_bound is not None else time.perf_counter() - t_start,
        options=highs_options,
        warm=_StageLP(lp_h) if lp_bound is not None else None,
    )
    return Solution(
        values, tuple(stages), "MILP", lp_bound, lp_seconds, time.perf_counter() - t_start
    )
