"""Solve a :class:`~bluehelmet.forcegen.model.Model` with HiGHS, objectives in strict priority.

Lexicographic method: maximize fill; hold fill at its optimum; maximize legitimacy; hold it;
minimize cost. Fill weights are integers, so on integer points fill takes integer values and
holding ``fill >= round(v) - 0.5`` is exact; legitimacy is held to a relative 1e-7.

Fill stage of the MILP: the LP relaxation gives the bound; since fill is integral, a point of
value ``floor(bound)`` is proven optimal. Such a point is first sought by a small MILP over the
arcs the LP uses (then over every arc of the contributor-mission pairs it uses); only if that
fails is the full MILP solved, started from the best point found.

When the model is a transportation problem (:attr:`Model.is_network`) every stage is solved as
an LP: the constraint matrix is totally unimodular, the optimal face of an integral polytope is
integral, so simplex returns an integral vertex. Integrality is verified; if it fails (numerical
trouble) the same stages are re-solved as a MILP.
"""

from __future__ import annotations

import ctypes
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from bluehelmet.forcegen.heuristic import rounding_start
from bluehelmet.forcegen.model import FloatArray, Model, create_model

_BANNER = {"shown": False}
STAGES: tuple[tuple[str, bool], ...] = (("fill", True), ("legitimacy", True), ("cost", False))
INTEGRALITY_TOLERANCE = 1e-6


def new_highs() -> Any:
    """A silent HiGHS instance (the one-time banner is kept out of stdout)."""
    if _BANNER["shown"]:
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        try:
            h = highspy.Highs()  # type: ignore[no-untyped-call]
            ctypes.CDLL(None).fflush(None)
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER["shown"] = True
    h.setOptionValue("output_flag", False)
    return h


def _finite(a: FloatArray, inf: float) -> FloatArray:
    out = a.copy()
    out[np.isposinf(out)] = inf
    out[np.isneginf(out)] = -inf
    return out


def load(model: Model, h: Any, *, integer: bool) -> None:
    """Pass ``model`` to the HiGHS instance ``h`` (as LP if not ``integer``)."""
    inf = highspy.kHighsInf
    col_lower, col_upper, is_int, row_lower, row_upper = model.bounds()
    start, index, value = model.matrix()
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_cols
    lp.num_row_ = model.num_rows
    lp.col_cost_ = np.zeros(model.num_cols)
    lp.col_lower_ = col_lower
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


@dataclass(frozen=True, slots=True)
class Stage:
    """Result of one lexicographic stage."""

    name: str
    value: float
    status: str
    optimal: bool
    seconds: float
    mip_gap: float


@dataclass(frozen=True)
class Solution:
    """Column values and how they were obtained."""

    values: FloatArray
    stages: tuple[Stage, ...]
    method: str
    lp_bound: float
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


def _run(h: Any, deadline: float) -> tuple[str, bool, float, float]:
    h.setOptionValue("time_limit", max(0.01, deadline - time.perf_counter()))
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    status = h.getModelStatus()
    info = h.getInfo()
    optimal = status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty)
    gap = float(info.mip_gap) if info.mip_node_count >= 0 else 0.0
    if not np.isfinite(gap) or gap > 1e30:
        gap = 0.0 if optimal else float("inf")
    return h.modelStatusToString(status), optimal, seconds, gap


def _has_solution(h: Any) -> bool:
    return bool(h.getInfo().primal_solution_status == 2)


def _hold(h: Any, coef: FloatArray, lower: float) -> None:
    nz = np.flatnonzero(coef)
    h.addRow(lower, highspy.kHighsInf, int(nz.size), nz.astype(np.int32), coef[nz])


def _hold_bound(name: str, value: float, *, exact: bool) -> float:
    if name == "fill":
        return float(np.rint(value)) - (1e-7 if exact else 0.5)
    return value - max(1e-7, 1e-7 * abs(value))


def _stages(
    model: Model,
    h: Any,
    deadline: float,
    *,
    exact: bool,
    start: FloatArray | None = None,
    proven_fill: Stage | None = None,
) -> tuple[FloatArray, list[Stage]]:
    """Run the lexicographic stages on ``h``.

    ``start`` is a feasible point offered to the first MILP stage. With ``proven_fill`` the
    fill stage is already solved to optimality at ``start`` and is only held.
    """
    values = start if start is not None else np.zeros(model.num_cols)
    stages: list[Stage] = []
    n = model.num_cols
    for name, maximize in STAGES:
        coef = model.objective(name)
        if name == "fill" and proven_fill is not None:
            stages.append(proven_fill)
            _hold(h, coef, _hold_bound(name, proven_fill.value, exact=exact))
            continue
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
                sol = highspy.HighsSolution()
                sol.col_value = values.tolist()
                sol.value_valid = True
                h.setSolution(sol)
        status, optimal, seconds, gap = _run(h, deadline)
        if _has_solution(h):
            found = np.asarray(h.getSolution().col_value, dtype=np.float64)
            reported = float(h.getInfo().objective_function_value)
            if abs(float(coef @ found) - reported) > 1e-6 * (1 + abs(reported)):
                # HiGHS returns the user's start, not its optimum, when presolve solves the
                # whole model; solving again without presolve returns the right point.
                h.setOptionValue("presolve", "off")
                status, optimal, more, gap = _run(h, deadline)
                seconds += more
                found = np.asarray(h.getSolution().col_value, dtype=np.float64)
            values = found
            if exact:
                # LP vertices of the network are integral; snap the solver's round-off so
                # that the held value is that of the integral point (checked by the caller).
                snapped = np.rint(values)
                if np.max(np.abs(values - snapped), initial=0.0) < 1e-4 and model.feasible(snapped):
                    values = snapped
        value = float(coef @ values)
        stages.append(Stage(name, value, status, optimal, seconds, gap))
        if name != STAGES[-1][0]:
            _hold(h, coef, _hold_bound(name, value, exact=exact))
    return values, stages


def _restricted_fill(
    model: Model, lp_values: FloatArray, target: float, deadline: float
) -> tuple[FloatArray, float] | None:
    """Fill-stage MILPs over growing sets of the arcs the LP relaxation uses.

    First the arcs with positive LP units, then every arc of a (contributor, mission) pair the
    LP uses. Stops as soon as a point reaches ``target`` (the proven optimum). Returns the best
    feasible full point found and the seconds spent, or None.
    """
    n = len(model.arcs)
    positive = lp_values[:n] > 1e-6
    n_m = len(model.index.missions)
    pair = (
        model.index.pledge_contributor[model.arcs.pledge] * n_m
        + model.index.requirement_mission[model.arcs.requirement]
    )
    supports = (positive, positive | np.isin(pair, pair[positive]))
    t0 = time.perf_counter()
    best: FloatArray | None = None
    best_value = -np.inf
    fill = model.objective("fill")
    tried = 0
    for support in supports:
        keep = np.flatnonzero(support)
        if keep.size in (0, n) or keep.size == tried:
            continue
        tried = keep.size
        sub = create_model(model.index, model.arcs.subset(keep), model.relaxation)
        h = new_highs()
        load(sub, h, integer=True)
        m = sub.num_cols
        h.changeColsCost(m, np.arange(m, dtype=np.int32), sub.objective("fill"))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        h.setOptionValue("mip_abs_gap", 0.999)
        now = time.perf_counter()
        _run(h, min(deadline, now + max(1.0, (deadline - now) / 4)))
        if not _has_solution(h):
            continue
        x = np.zeros(n)
        x[keep] = np.rint(np.asarray(h.getSolution().col_value, dtype=np.float64)[: keep.size])
        values = model.complete(x)
        value = float(fill @ values)
        if model.feasible(values) and value > best_value:
            best, best_value = values, value
        if best_value >= target - 1e-6:
            break
    if best is None:
        return None
    return best, time.perf_counter() - t0


def _integral(model: Model, values: FloatArray) -> bool:
    n = len(model.arcs)
    x = values[:n]
    return bool(np.all(np.abs(x - np.rint(x)) <= INTEGRALITY_TOLERANCE))


def solve_model(model: Model, *, time_limit: float = 60.0, mip_rel_gap: float = 1e-4) -> Solution:
    """Solve the three stages; network models as LPs, others as MILPs."""
    start = time.perf_counter()
    deadline = start + time_limit
    n = model.num_cols
    if model.is_network:
        h = new_highs()
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
                time.perf_counter() - start,
            )
    # LP relaxation of the fill stage: the bound reported beside the solution.
    h = new_highs()
    load(model, h, integer=False)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), model.objective("fill"))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    t0 = time.perf_counter()
    h.setOptionValue("time_limit", max(0.01, deadline - t0))
    h.run()
    lp_seconds = time.perf_counter() - t0
    lp_bound = float(h.getInfo().objective_function_value)
    lp_values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    start_values = rounding_start(model, lp_values) if lp_values.size == n else None
    proven: Stage | None = None
    if lp_values.size == n:
        # Fill is integral: a point of value floor(LP bound) is proven optimal. Look for one
        # among the arcs the LP uses (a small MILP) before the full one.
        target = float(np.floor(lp_bound + 1e-6))
        found = _restricted_fill(model, lp_values, target, deadline)
        if found is not None:
            point, seconds = found
            value = float(model.objective("fill") @ point)
            if value >= target - 1e-6:
                proven = Stage("fill", value, "Optimal", True, seconds + lp_seconds, 0.0)
                start_values = point
            elif start_values is None or value > float(model.objective("fill") @ start_values):
                start_values = point
    h = new_highs()
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    load(model, h, integer=True)
    values, stages = _stages(
        model, h, deadline, exact=False, start=start_values, proven_fill=proven
    )
    method = "MILP"
    return Solution(
        values, tuple(stages), method, lp_bound, lp_seconds, time.perf_counter() - start
    )


def max_units(
    model: Model,
    requirement: int,
    *,
    others_floor: float | None,
    time_limit: float = 10.0,
) -> int:
    """Most units ``requirement`` can receive in ``model``.

    With ``others_floor``, the weighted fill of every other requirement must stay at least that
    value (the gap must close without taking units from others).
    """
    n = len(model.arcs)
    mine = (model.arcs.requirement == requirement).astype(np.float64)
    if n == 0 or not mine.any():
        return 0
    coef = np.zeros(model.num_cols)
    coef[:n] = mine
    h = new_highs()
    h.setOptionValue("mip_abs_gap", 0.999)
    load(model, h, integer=True)
    if others_floor is not None:
        others = np.zeros(model.num_cols)
        others[:n] = model.arcs.weight * (1.0 - mine)
        _hold(h, others, others_floor - 0.5)
    h.changeColsCost(model.num_cols, np.arange(model.num_cols, dtype=np.int32), coef)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.setOptionValue("time_limit", time_limit)
    h.run()
    if not _has_solution(h):
        return 0
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    return int(np.rint(coef @ values))
