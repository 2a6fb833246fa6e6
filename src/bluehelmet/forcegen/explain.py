"""Gap explanations computed from the model, by incremental re-solves of one built model.

For every requirement left short, each candidate rule is relaxed for that requirement alone and
the model re-solved for the most units the requirement could then receive while every other
requirement keeps its weighted fill. A rule is reported when relaxing it recovers units (the
``recoverable_units``). Competition (eligible units used by other requirements) is tested by
dropping the hold on the others' fill; if no single rule recovers units but all together do,
the combination is reported; what no relaxation recovers is a shortage of pledged units.

How (the answers are those of one MILP per requirement and rule, which the tests keep as the
reference): one model is built with every arc of the short requirements, the excluded ones
closed (upper bound 0), and one row holding the weighted fill of the others. A relaxation opens
arcs and lifts row bounds; the requirement's units become the objective.

* Bounds between questions: relaxing more, or dropping the hold, never recovers fewer units,
  so every answer bounds the larger and smaller questions of the same gap; when the bounds
  meet, no solver runs. A MILP with a known bound has the requirement's demand row capped
  there, so it stops as soon as it finds a plan reaching it.
* Questions without the hold are asked of the requirement's mission alone (the other
  missions' arcs closed: a plan of one mission keeps every row of the built model).
* The arcs' bounds are those the women's-share rows imply for integer plans
  (:meth:`Model.integer_upper`), except for a requirement whose women row the question lifts.
* LPs (warm-started simplex, from the optimal basis with nothing relaxed) screen questions:
  when the weighted fill cannot grow by one unit's weight, or the requirement's LP optimum
  rounded down adds no unit, none can be recovered. Integral LP optima and single-unit moves
  on the plan are witnesses.
* A MILP searches only the columns that reduced-cost fixing leaves free: a plan gaining more
  than the best answer known has more units for the requirement (the requirement's LP) and,
  with the others held, a weighted fill above the plan's by the requirement's weight per unit
  (the weighted-fill LP); columns that no such plan can move are fixed.
* Passes: every gap without MILPs on the hold; then the questions still open get MILPs, each
  gap its share of the time left; with time left after that, for the gaps not yet fully
  explained, one screening MILP per rule with the rule relaxed for all of them at once: its
  proven bound on the total fill bounds what each gap can gain with the others held (their
  fill is kept, so the total must grow by the gap's weight per unit); a screen whose optimum
  grew is repeated without the gaps whose relaxation that optimum used; then the MILPs again.

A deadline ends the work; a gap whose questions were not all answered says so
(``Gap.explanation``), and every reason listed is still verified.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from scipy import sparse

from bluehelmet.domain.planning import Assignment, Gap, GapCause, GapReason
from bluehelmet.forcegen.model import (
    Candidate,
    ExtraFunctionality,
    FloatArray,
    Index,
    Model,
    Relaxation,
    build_arcs,
    cause_set,
    create_model,
)
from bluehelmet.forcegen.partnerships import missing_support
from bluehelmet.forcegen.rules import STATIC_CAUSES
from bluehelmet.forcegen.solve import (
    HighsOptions,
    Relaxed,
    fixed_bounds,
    load,
    lp_time_limit,
    new_highs,
)

_MAX_LISTED = 4
INTEGRAL = 1e-6

#: ``Gap.explanation`` values.
COMPLETE = "complete"
PARTIAL = "partial (time limit): listed reasons are verified; some rules were not tested"
NOT_COMPUTED = "not computed (time limit)"
NOT_REQUESTED = "not requested"


def _listing(items: list[str]) -> str:
    uniq = list(dict.fromkeys(items))
    shown = "; ".join(uniq[:_MAX_LISTED])
    if len(uniq) > _MAX_LISTED:
        shown += f"; and {len(uniq) - _MAX_LISTED} more"
    return shown


#: (opened arcs, lifted rows, floor, least units, most units or None) of one question.
_Known = tuple[frozenset[int], frozenset[int], float | None, int, int | None]


@dataclass(frozen=True, slots=True)
class Gain:
    """Units a relaxation recovers: exact, or at least ``units`` when the limit struck."""

    units: int
    exact: bool


class _Explainer:
    """One built model of every arc the explanations may open, re-solved incrementally."""

    def __init__(
        self,
        index: Index,
        short: set[int],
        assignments: tuple[Assignment, ...],
        *,
        deadline: float,
        extra_functionality: ExtraFunctionality | None,
        options: HighsOptions | None,
    ) -> None:
        self.index = index
        self.deadline = deadline
        # Every allowed arc, and the excluded ones of the short requirements (closed).
        chosen = (index.causes == 0) | np.isin(index.cand_requirement, sorted(short))
        arcs = build_arcs(index, keep=chosen)
        self.model: Model = create_model(index, arcs, extra_functionality=extra_functionality)
        sets = {int(b): cause_set(int(b)) for b in np.unique(index.causes).tolist()}
        self.arc_causes = [sets[b] for b in index.causes[chosen].tolist()]
        self.closed = np.array([bool(c) for c in self.arc_causes], dtype=bool)
        m = self.model
        self.hold_row = m.num_rows
        pos = {
            (int(p), int(r)): k
            for k, (p, r) in enumerate(
                zip(arcs.pledge.tolist(), arcs.requirement.tolist(), strict=True)
            )
        }
        pledge_pos = {p.id: i for i, p in enumerate(index.scenario.pledges)}
        req_pos = {r.id: j for j, r in enumerate(index.scenario.requirements)}
        x = np.zeros(len(arcs))
        for a in assignments:
            k = pos.get((pledge_pos[a.pledge], req_pos[a.requirement]))
            if k is not None:
                x[k] += a.units
        self.plan_start = m.complete(x)
        self.start = self.plan_start
        #: Questions without the hold may be asked of the requirement's mission alone (the
        #: other missions' arcs closed): a plan of one mission, other missions empty, keeps
        #: every row of the built model. Not with a user's rows, which may forbid that.
        self.local = extra_functionality is None
        self.arc_mission = index.requirement_mission[arcs.requirement]
        demand = m.constraints["requirement_demand"]
        self.demand_row = {
            int(j): int(r)
            for j, r in zip(
                demand.coords["requirement"].tolist(), demand.positions.tolist(), strict=True
            )
        }
        women = m.constraints.get("women_share")
        #: Requirement of each women's-share row.
        self.women_rows: dict[int, int] = (
            {}
            if women is None
            else dict(
                zip(women.positions.tolist(), women.coords["requirement"].tolist(), strict=True)
            )
        )
        self.others = np.zeros(0, dtype=np.int32)
        self.local_start = self.plan_start
        self.solvers: list[Any] = []
        #: Arc bounds tightened by the women's-share rows (:meth:`Model.integer_upper`; they
        #: hold for every integer plan that keeps the requirement's women row, whichever arcs
        #: are open: the tightening reads every arc of the row, closed ones included). A
        #: question lifting a requirement's women row gives its arcs their own bounds back.
        self.tight = m.integer_upper()[: len(arcs)]
        for integer in (False, True):
            h = new_highs(options)
            load(m, h, integer=integer, tighten=True)
            nz = np.arange(len(arcs), dtype=np.int32)
            h.addRow(-highspy.kHighsInf, highspy.kHighsInf, nz.size, nz, arcs.weight)
            _tighten(m, h)
            closed = np.flatnonzero(self.closed).astype(np.int32)
            if closed.size:
                h.changeColsBounds(
                    closed.size, closed, np.zeros(closed.size), np.zeros(closed.size)
                )
            h.changeObjectiveSense(highspy.ObjSense.kMaximize)
            if integer:
                h.setOptionValue("mip_abs_gap", 0.999)
            else:
                h.setOptionValue("solver", "simplex")
                h.setOptionValue("presolve", "off")
            self.solvers.append(h)
        self.lp, self.mip = self.solvers
        # The weighted fill of the whole plan, as an LP: when relaxing a rule cannot raise it
        # by the weight of one unit of the requirement, no unit can be gained with the others
        # held (they keep their fill, so the total would have to grow).
        self.fill_lp = new_highs(options)
        load(m, self.fill_lp, integer=False, tighten=True)
        _tighten(m, self.fill_lp)
        closed = np.flatnonzero(self.closed).astype(np.int32)
        if closed.size:
            self.fill_lp.changeColsBounds(
                closed.size, closed, np.zeros(closed.size), np.zeros(closed.size)
            )
        every = np.arange(len(arcs), dtype=np.int32)
        self.fill_lp.changeColsCost(every.size, every, arcs.weight)
        self.fill_lp.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.fill_lp.setOptionValue("solver", "simplex")
        self.fill_lp.setOptionValue("presolve", "off")
        #: Optimal bases of the LPs with nothing relaxed: each question's LP starts from
        #: them (a basis left by a large relaxation, such as the budget's, can take many
        #: times longer to re-optimize than a cold start; one from the base takes a few
        #: iterations for the small relaxations).
        self.bases: dict[int, Any] = {}
        starts, entry_cols, entry_vals = m.matrix()
        self.matrix = sparse.csr_matrix(
            (entry_vals, entry_cols, starts), shape=(m.num_rows, m.num_cols)
        )
        self.col_lower, self.col_upper, _, self.row_lower, self.row_upper = m.bounds()
        self.col_upper = self.col_upper.copy()
        self.col_upper[: len(arcs)] = self.tight
        self.col_upper[: len(arcs)][self.closed] = 0.0
        self.cur_lower = self.row_lower.copy()
        self.cur_upper = self.row_upper.copy()
        self.cur_col_upper = self.col_upper.copy()
        self.hold_floor: float | None = None
        self.by_pledge: dict[int, list[int]] = defaultdict(list)
        self.by_requirement: dict[int, list[int]] = defaultdict(list)
        for k, (p, r) in enumerate(
            zip(arcs.pledge.tolist(), arcs.requirement.tolist(), strict=True)
        ):
            self.by_pledge[int(p)].append(k)
            self.by_requirement[int(r)].append(k)
        budget = m.constraints.get("budget")
        #: The budget row and its coefficients on the arcs (its only columns).
        self.budget_row: int | None = None
        self.budget_coef = np.zeros(len(arcs))
        if budget is not None and len(budget):
            self.budget_row = int(budget.positions[0])
            self.budget_coef = np.asarray(
                self.matrix[self.budget_row, : len(arcs)].toarray()
            ).ravel()
        capacity = m.constraints.get("pledge_capacity")
        #: Each pledge's capacity row's upper bound.
        self.capacity: dict[int, float] = (
            {}
            if capacity is None
            else {
                int(p): float(self.row_upper[r])
                for p, r in zip(
                    capacity.coords["pledge"].tolist(), capacity.positions.tolist(), strict=True
                )
            }
        )
        #: Exact answers per requirement, by question.
        self.caches: dict[int, dict[tuple[object, ...], Gain]] = defaultdict(dict)
        self.cache: dict[tuple[object, ...], Gain] = {}
        #: Bounds per requirement: (opened arcs, lifted rows, floor, least, most) — units
        #: a question is known to recover at least, and at most (None: not known).
        self.bounds: dict[int, list[_Known]] = defaultdict(list)
        self.known: list[_Known] = []
        #: Whether a question may end in a MILP (off in the first, quick pass).
        self.allow_mip = True
        #: When the questions about the current gap must end (its share of the time left).
        self.gap_deadline = math.inf
        self.requirement = -1
        self.mine = np.zeros(0, dtype=np.int32)

    # -- the requirement asked about -------------------------------------------------------
    def focus(self, j: int) -> None:
        """Make requirement ``j``'s units the objective and hold the others' fill."""
        self.release()
        m = self.model
        self.requirement = j
        self.mine = np.flatnonzero(m.arcs.requirement == j).astype(np.int32)
        for h in self.solvers:
            h.changeColsCost(self.mine.size, self.mine, np.ones(self.mine.size))
            for k in self.mine.tolist():
                h.changeCoeff(self.hold_row, k, 0.0)
        self.cache = self.caches[j]
        self.known = self.bounds[j]
        mission = int(m.index.requirement_mission[j])
        # Arcs of other missions that are open in the built model (closed for questions
        # asked without the hold), and the plan with those arcs emptied.
        self.others = np.flatnonzero(
            (self.arc_mission != mission) & (self.col_upper[: len(m.arcs)] > 0)
        ).astype(np.int32)
        x = self.plan_start[: len(m.arcs)].copy()
        x[self.others] = 0.0
        self.local_start = m.complete(x)
        self.bases.pop(id(self.lp), None)
        if self.allow_mip:
            # (Not in the quick pass: at large sizes one LP of the whole model is what a
            # whole gap may take there.)
            self.lp.changeRowBounds(self.hold_row, -highspy.kHighsInf, highspy.kHighsInf)
            self._save_basis(self.lp, self.deadline)

    def prepare_milp_pass(self) -> None:
        """Solve the weighted-fill LP with nothing relaxed, for the held questions' screen."""
        if id(self.fill_lp) not in self.bases:
            self._save_basis(self.fill_lp, self.deadline)

    def _save_basis(self, h: Any, deadline: float) -> None:
        """Solve ``h`` as it is and keep its optimal basis as its starting point."""
        self.bases.pop(id(h), None)
        lp_time_limit(h, deadline - time.perf_counter())
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            self.bases[id(h)] = h.getBasis()

    def _restore_basis(self) -> None:
        for h in (self.lp, self.fill_lp):
            basis = self.bases.get(id(h))
            if basis is not None:
                h.setBasis(basis)

    def release(self) -> None:
        """Undo :meth:`focus`."""
        if self.requirement < 0:
            return
        weight = self.model.arcs.weight
        for h in self.solvers:
            h.changeColsCost(self.mine.size, self.mine, np.zeros(self.mine.size))
            for k in self.mine.tolist():
                h.changeCoeff(self.hold_row, k, float(weight[k]))
        self.requirement = -1

    # -- many requirements at once -----------------------------------------------------------
    def fill_bound(
        self, opened: np.ndarray, rows: list[tuple[int, float, float]], deadline: float
    ) -> tuple[int | None, FloatArray | None]:
        """A proven upper bound on the plan's weighted fill with the arcs ``opened`` open and
        ``rows`` lifted for every short requirement at once (the MILP's dual bound, valid
        also when the time limit ends it; None when it proves none), and the optimal plan
        when the MILP was solved to optimality."""
        m = self.model
        h = self.mip
        n = len(m.arcs)
        every = np.arange(n, dtype=np.int32)
        inf = highspy.kHighsInf

        def finite(v: float) -> float:
            return max(-inf, min(inf, v))

        _, _, _, lower, upper_rows = m.bounds()
        opened = opened.astype(np.int32)
        h.changeColsCost(n, every, m.arcs.weight)
        h.changeRowBounds(self.hold_row, -inf, inf)
        lifted = frozenset(self.women_rows[r] for r, _, _ in rows if r in self.women_rows)
        cols, upper, base = self._columns(opened.astype(np.int32), lifted)
        if cols.size:
            h.changeColsBounds(cols.size, cols, np.zeros(cols.size), upper)
        for r, lo, up in rows:
            h.changeRowBounds(r, finite(lo), finite(up))
        sol = highspy.HighsSolution()
        sol.col_value = self.plan_start.tolist()
        sol.value_valid = True
        h.setSolution(sol)
        h.setOptionValue("time_limit", max(1e-3, 0.9 * (deadline - time.perf_counter())))
        try:
            h.run()
            status = h.getModelStatus()
            bound = float(h.getInfo().mip_dual_bound)
            point = (
                np.asarray(h.getSolution().col_value, dtype=np.float64)
                if status == highspy.HighsModelStatus.kOptimal
                else None
            )
        finally:
            h.changeColsCost(n, every, np.zeros(n))
            if cols.size:
                h.changeColsBounds(cols.size, cols, np.zeros(cols.size), base)
            for r, _, _ in rows:
                h.changeRowBounds(r, finite(lower[r]), finite(upper_rows[r]))
        if status == highspy.HighsModelStatus.kInfeasible or not math.isfinite(bound):
            return None, None
        # Fill weights are integers: the bound rounds down.
        return math.floor(bound + 1e-6), point

    def add_bound(
        self, j: int, causes: frozenset[GapCause], relax: Relaxation, floor: float, most: int
    ) -> None:
        """Record that requirement ``j`` gains at most ``most`` units with ``causes`` and
        ``relax`` relaxed and the others' fill held at ``floor``."""
        mine = np.flatnonzero(self.model.arcs.requirement == j).tolist()
        opened = frozenset(k for k in mine if self.arc_causes[k] and self.arc_causes[k] <= causes)
        rows = frozenset(r for r, _, _ in self._rows(relax))
        self.bounds[j].append((opened, rows, floor, 0, most))

    def _columns(
        self, opened: np.ndarray, women: frozenset[int]
    ) -> tuple[np.ndarray, FloatArray, FloatArray]:
        """The arcs a relaxation changes: those it opens and the open arcs of the
        requirements whose women row it lifts (their bounds no longer tightened by it), with
        their upper bounds under the relaxation and without it."""
        arcs = self.model.arcs
        n = len(arcs)
        if women:
            lifted = np.isin(arcs.requirement, sorted(women))
            raised = np.flatnonzero(lifted & ~self.closed & (self.tight < arcs.upper))
            cols = np.union1d(opened, raised).astype(np.int32)
            upper = np.where(lifted[cols], arcs.upper[cols], self.tight[cols])
        else:
            cols = opened.astype(np.int32)
            upper = self.tight[cols]
        return cols, upper.astype(np.float64), self.col_upper[:n][cols].copy()

    # -- one question ------------------------------------------------------------------------
    def _rows(self, relax: Relaxation) -> list[tuple[int, float, float]]:
        """(row, lower, upper) of the rows ``relax`` lifts."""
        m = self.model
        _, _, _, lower, upper = m.bounds()
        out: list[tuple[int, float, float]] = []
        blocks = m.constraints

        def lift(name: str, rows: np.ndarray, *, low: bool) -> None:
            for r in rows.tolist():
                out.append((r, -math.inf if low else lower[r], upper[r] if low else math.inf))

        for mi in sorted(relax.cap_missions):
            if "contributor_cap" in blocks:
                lift("contributor_cap", blocks["contributor_cap"].where(mission=mi), low=False)
        for mi in sorted(relax.min_contributor_missions):
            if "units_need_participation" in blocks:
                rows = blocks["units_need_participation"].where(mission=mi)
                lift("units_need_participation", rows, low=False)
            if "min_contributors" in blocks:
                lift("min_contributors", blocks["min_contributors"].where(mission=mi), low=True)
        if relax.budget and "budget" in blocks:
            lift("budget", blocks["budget"].positions, low=False)
        for j in sorted(relax.women_requirements):
            if "women_share" in blocks:
                lift("women_share", blocks["women_share"].where(requirement=j), low=True)
        return out

    def gain(
        self, causes: frozenset[GapCause], relax: Relaxation, *, f: int, floor: float | None
    ) -> Gain:
        """Units requirement ``j`` gains over ``f`` with ``causes`` and ``relax`` relaxed,
        the others' weighted fill held at ``floor`` (or not held when None)."""
        opened = np.array(
            [k for k in self.mine.tolist() if self.arc_causes[k] and self.arc_causes[k] <= causes],
            dtype=np.int32,
        )
        rows = self._rows(relax)
        key = (tuple(opened.tolist()), tuple(r for r, _, _ in rows), floor)
        if key in self.cache:
            return self.cache[key]
        # Relaxing more, or dropping the hold, never recovers fewer units: answers known for
        # larger questions bound this one from above, those for smaller ones from below.
        arcs_set, rows_set = frozenset(key[0]), frozenset(key[1])
        most: int | None = None
        least = 0
        for k_arcs, k_rows, k_floor, k_least, k_most in self.known:
            if (
                k_most is not None
                and arcs_set <= k_arcs
                and rows_set <= k_rows
                and (k_floor is None or k_floor == floor)
            ):
                most = k_most if most is None else min(most, k_most)
            if k_arcs <= arcs_set and k_rows <= rows_set and (floor is None or k_floor == floor):
                least = max(least, k_least)
        if most is not None and least >= most:
            result = Gain(most, exact=True)
            self.cache[key] = result
            return result
        if time.perf_counter() >= min(self.deadline, self.gap_deadline):
            return Gain(least, exact=False)
        cols, upper, base = self._columns(opened, relax.women_requirements)
        inf = highspy.kHighsInf

        def finite(v: float) -> float:
            return max(-inf, min(inf, v))

        local = floor is None and self.local and self.others.size > 0
        hold_low = -inf if floor is None else floor - 0.5
        for h in [*self.solvers, self.fill_lp]:
            if cols.size:
                h.changeColsBounds(cols.size, cols, np.zeros(cols.size), upper)
            for r, lo, up in rows:
                h.changeRowBounds(r, finite(lo), finite(up))
        for h in self.solvers:
            h.changeRowBounds(self.hold_row, hold_low, inf)
            if local:
                zero = np.zeros(self.others.size)
                h.changeColsBounds(self.others.size, self.others, zero, zero)
        self.cur_col_upper[cols] = upper
        if local:
            self.cur_col_upper[self.others] = 0.0
            self.start = self.local_start
        for r, lo, up in rows:
            self.cur_lower[r], self.cur_upper[r] = lo, up
        self.hold_floor = floor
        try:
            result = self._solve(f, relax, floor, most=most, least=least)
        finally:
            self.cur_col_upper[cols] = base
            if local:
                self.cur_col_upper[self.others] = self.col_upper[self.others]
                self.start = self.plan_start
                for h in self.solvers:
                    h.changeColsBounds(
                        self.others.size,
                        self.others,
                        np.zeros(self.others.size),
                        self.col_upper[self.others],
                    )
            for r, _, _ in rows:
                self.cur_lower[r], self.cur_upper[r] = self.row_lower[r], self.row_upper[r]
            _, _, _, lower, upper_rows = self.model.bounds()
            for h in [*self.solvers, self.fill_lp]:
                if cols.size:
                    h.changeColsBounds(cols.size, cols, np.zeros(cols.size), base)
                for r, _, _ in rows:
                    h.changeRowBounds(r, finite(lower[r]), finite(upper_rows[r]))
            self._restore_basis()
        self.known.append(
            (arcs_set, rows_set, floor, result.units, result.units if result.exact else None)
        )
        if result.exact:
            self.cache[key] = result
        return result

    def _integral(self, x: FloatArray, relax: Relaxation) -> bool:
        """Whether units ``x`` (an LP optimum) form an integer plan: integral, and every
        mission whose minimum-contributor rule holds reaches it (the only rule of binary
        columns; the others read units only)."""
        m = self.model
        if "extra_functionality" in m.side_rules:
            return False
        if np.max(np.abs(x - np.rint(x)), initial=0.0) > INTEGRAL:
            return False
        k = m.index.scenario.policy.min_contributors
        if k <= 1 or "min_contributors" not in m.side_rules:
            return True
        sending = np.rint(x) > 0
        mission = m.index.requirement_mission[m.arcs.requirement][sending]
        contrib = m.index.pledge_contributor[m.arcs.pledge][sending]
        for mi in np.unique(mission).tolist():
            if mi in relax.min_contributor_missions:
                continue
            if np.unique(contrib[mission == mi]).size < k:
                return False
        return True

    def _integral_point(self, h: Any, relax: Relaxation) -> FloatArray | None:
        """An integer plan from the LP optimum of ``h``: its units when integral, else its
        units rounded down when that plan keeps every row (None otherwise)."""
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)[: len(self.model.arcs)]
        if self._integral(x, relax):
            return np.rint(x)
        down = np.floor(x + INTEGRAL)
        if self._integral(down, relax) and self._keeps_rows(down):
            return down
        return None

    def _add_units(self, most: int | None) -> int:
        """Units the plan's requirement gains by single-unit moves on the plan as it is: a
        unit from a pledge with units to spare, or one taken from another requirement that a
        third pledge with units to spare refills (a quick witness; every row is checked)."""
        x = self.start[: len(self.model.arcs)].copy()
        gained = 0
        upper = self.cur_col_upper
        for k in self.mine.tolist():
            while (most is None or gained < most) and x[k] < upper[k]:
                x[k] += 1
                if self._within_capacity(x, int(self.model.arcs.pledge[k])) and self._keeps_rows(x):
                    gained += 1
                    continue
                if not self._refill(x, k):
                    x[k] -= 1
                    break
                gained += 1
        return gained

    def _refill(self, x: FloatArray, k: int) -> bool:
        """With ``x[k]`` just raised (so its pledge may be over capacity), move one unit of
        the pledge away from another requirement that a pledge with units to spare refills.
        Keeps the move (and returns True) only when every row holds."""
        arcs = self.model.arcs
        for a in self.by_pledge[int(arcs.pledge[k])]:
            if a == k or x[a] < 1:
                continue
            x[a] -= 1
            for b in self.by_requirement[int(arcs.requirement[a])]:
                if b == a or x[b] >= self.cur_col_upper[b]:
                    continue
                x[b] += 1
                if self._within_capacity(x, int(arcs.pledge[b])) and self._keeps_rows(x):
                    return True
                x[b] -= 1
            x[a] += 1
        return False

    def _within_capacity(self, x: FloatArray, p: int) -> bool:
        """Whether pledge ``p`` sends no more than its capacity row allows in ``x`` (a row
        no relaxation lifts: a quick necessary condition of :meth:`_keeps_rows`)."""
        return float(x[self.by_pledge[p]].sum()) <= self.capacity.get(p, math.inf) + INTEGRAL

    def _keeps_rows(self, x: FloatArray) -> bool:
        """Whether units ``x`` (with their participation and strength) keep every row under
        the current relaxation, the hold included."""
        m = self.model
        if np.any(x > self.cur_col_upper[: len(m.arcs)] + INTEGRAL):
            return False
        if self.hold_floor is not None:
            others = float(m.arcs.weight @ x) - float(m.arcs.weight[self.mine] @ x[self.mine])
            if others < self.hold_floor - 1e-6:
                return False
        if self.budget_row is not None:
            # The budget row reads arc units only: checked before the full evaluation.
            spent = float(self.budget_coef @ x)
            if spent > self.cur_upper[self.budget_row] + 1e-6 * (1 + abs(spent)):
                return False
        values = m.complete(x)
        activity = np.asarray(self.matrix @ values, dtype=np.float64)
        tol = 1e-6 * (1 + np.abs(activity))
        return not (
            np.any(activity < self.cur_lower - tol) or np.any(activity > self.cur_upper + tol)
        )

    def _solve(
        self, f: int, relax: Relaxation, floor: float | None, *, most: int | None, least: int
    ) -> Gain:
        """The answer of :meth:`gain` with the relaxation applied; ``most`` and ``least``
        bound it (from larger and smaller questions already answered)."""
        deadline = min(self.deadline, self.gap_deadline)
        arcs = self.model.arcs
        upper_gain: int | None = most
        best = least
        # Column bounds that hold every plan gaining more than ``best``, by reduced-cost
        # fixing: with the others' fill held such a plan's weighted fill exceeds the plan's
        # by the requirement's weight per unit (the weighted-fill LP), and its units exceed
        # ``f + best`` (the requirement's LP). The MILP searches within them.
        fixed: tuple[FloatArray, FloatArray] | None = None
        if floor is not None and not self.allow_mip:
            # The quick pass: held questions get only the bounds known and, when a bound is
            # known (so that a witness can close the question), a witness.
            if upper_gain is None:
                return Gain(best, exact=False)
            best = max(best, self._add_units(upper_gain))
            return Gain(best, exact=best >= upper_gain)
        if floor is not None and self.mine.size:
            weight = float(arcs.weight[self.mine[0]])
            fill = self.fill_lp
            lp_time_limit(fill, deadline - time.perf_counter())
            fill.run()
            if fill.getModelStatus() == highspy.HighsModelStatus.kOptimal:
                value = float(fill.getInfo().objective_function_value)
                bound = math.floor(value + 1e-6)
                total = floor + weight * f
                if bound < total + weight - 1e-6:
                    return Gain(0, exact=True)
                if int(fill.getInfo().num_dual_infeasibilities) == 0:
                    fixed = self._fixed(fill, value, total + weight * (best + 1))
                by_fill = math.floor((bound - total) / weight + 1e-9)
                upper_gain = by_fill if upper_gain is None else min(upper_gain, by_fill)
                point = self._integral_point(fill, relax)
                if point is not None:
                    mine = float(point[self.mine].sum())
                    others = float(arcs.weight @ point) - weight * mine
                    if others >= floor - 1e-6:
                        best = max(best, int(mine) - f)
        if upper_gain is not None and best >= upper_gain:
            return Gain(best, exact=True)
        best = max(best, self._add_units(upper_gain))
        if upper_gain is not None and best >= upper_gain:
            return Gain(best, exact=True)
        lp = self.lp
        lp_time_limit(lp, deadline - time.perf_counter())
        lp.run()
        status = lp.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            value = float(lp.getInfo().objective_function_value)
            most_units = math.floor(value + 1e-6) - f
            upper_gain = most_units if upper_gain is None else min(upper_gain, most_units)
            if upper_gain <= 0:
                return Gain(0, exact=True)
            point = self._integral_point(lp, relax)
            if point is not None:
                best = max(best, int(point[self.mine].sum()) - f)
            if best >= upper_gain:
                return Gain(best, exact=True)
            best = max(best, self._add_units(upper_gain))
            if best >= upper_gain:
                return Gain(best, exact=True)
            if int(lp.getInfo().num_dual_infeasibilities) == 0:
                # Every plan gaining more than ``best`` also lies in the columns this LP's
                # reduced costs leave free against ``f + best + 1`` units.
                more = self._fixed(lp, value, f + best + 1)
                fixed = more if fixed is None else _meet(fixed, more)
        elif status == highspy.HighsModelStatus.kInfeasible:
            return Gain(0, exact=True)
        left = deadline - time.perf_counter()
        if left <= 0:
            return Gain(best, exact=False)
        return self._mip(f, best, upper_gain, left, fixed)

    def _fixed(self, h: Any, value: float, target: float) -> tuple[FloatArray, FloatArray]:
        """Column bounds with every integer column fixed that no plan of objective
        ``target`` or more can move (reduced-cost fixing on the maximizing LP ``h``, optimal
        at ``value`` under the current relaxation; :func:`fixed_bounds`)."""
        sol = h.getSolution()
        return fixed_bounds(
            self.model,
            Relaxed(
                value,
                np.asarray(sol.col_value, dtype=np.float64),
                np.asarray(sol.col_dual, dtype=np.float64),
                self.col_lower,
                self.cur_col_upper,
                0.0,
            ),
            target,
        )

    def _mip(
        self,
        f: int,
        best: int,
        upper_gain: int | None,
        left: float,
        fixed: tuple[FloatArray, FloatArray] | None = None,
    ) -> Gain:
        """The MILP's answer, started from the plan. With a known ``upper_gain`` the
        requirement's demand row is capped at ``f + upper_gain`` for the solve (no answer
        lies above it), so HiGHS stops as soon as it finds a plan reaching the cap. With
        ``fixed`` (column bounds that hold every plan gaining a unit) the MILP searches
        within them: an optimum there of no gain, or none at all, means no gain."""
        mip = self.mip
        row = self.demand_row[self.requirement]
        _, _, _, _, row_upper = self.model.bounds()
        capped = upper_gain is not None and f + upper_gain < row_upper[row]
        if capped and upper_gain is not None:
            mip.changeRowBounds(row, -highspy.kHighsInf, float(f + upper_gain))
        every = np.arange(self.model.num_cols, dtype=np.int32)
        if fixed is not None:
            mip.changeColsBounds(every.size, every, fixed[0], fixed[1])
        if fixed is None or (
            np.all(self.start >= fixed[0] - INTEGRAL) and np.all(self.start <= fixed[1] + INTEGRAL)
        ):
            sol = highspy.HighsSolution()
            sol.col_value = self.start.tolist()
            sol.value_valid = True
            mip.setSolution(sol)
        # HiGHS may overrun a MIP time limit a little: leave it a margin.
        mip.setOptionValue("time_limit", max(1e-3, 0.9 * left))
        try:
            mip.run()
            # Read before the row is restored: changing the model clears the status.
            status = mip.getModelStatus()
            info = mip.getInfo()
            has_point = info.primal_solution_status == 2
            value = float(info.objective_function_value)
            # A MILP stopped by the limit still proves its dual bound.
            dual_bound = (
                float(info.mip_dual_bound)
                if status == highspy.HighsModelStatus.kTimeLimit and info.mip_node_count >= 0
                else math.inf
            )
        finally:
            if capped:
                mip.changeRowBounds(row, -highspy.kHighsInf, float(row_upper[row]))
            if fixed is not None:
                mip.changeColsBounds(every.size, every, self.col_lower, self.cur_col_upper)
        exact = status in (
            highspy.HighsModelStatus.kOptimal,
            highspy.HighsModelStatus.kInfeasible,
        ) or (math.isfinite(dual_bound) and math.floor(dual_bound + 1e-6) - f <= best)
        if not has_point:
            return Gain(best, exact=exact)
        # The objective is the requirement's units. (When presolve solves the whole model
        # HiGHS may hand back the start as the solution; its objective value is right.)
        got = int(np.rint(value))
        best = max(best, got - f)
        return Gain(best, exact=exact or (upper_gain is not None and best >= upper_gain))


def _meet(
    a: tuple[FloatArray, FloatArray], b: tuple[FloatArray, FloatArray]
) -> tuple[FloatArray, FloatArray]:
    """The column bounds within both ``a`` and ``b``."""
    return np.maximum(a[0], b[0]), np.minimum(a[1], b[1])


def _tighten(m: Model, h: Any) -> None:
    """Add valid rows that make the LP relaxation of the minimum-contributor rule tight:
    ``x[a] <= upper[a] * z[c,m]`` per arc and ``z[c,m] <= y[m]`` (they cut no integer point,
    and any relaxation of the rule leaves them satisfiable)."""
    if "staffed" not in m.variables or "participation" not in m.variables:
        return
    z = m.variables["participation"]
    n_m = len(m.index.missions)
    z_of = {
        int(c) * n_m + int(mi): int(col)
        for c, mi, col in zip(
            z.coords["contributor"].tolist(),
            z.coords["mission"].tolist(),
            z.positions.tolist(),
            strict=True,
        )
    }
    arcs = m.arcs
    key = (
        m.index.pledge_contributor[arcs.pledge] * n_m
        + m.index.requirement_mission[arcs.requirement]
    )
    cols = np.array([z_of[int(k)] for k in key.tolist()], dtype=np.int32)
    n = len(arcs)
    inf = highspy.kHighsInf
    start = np.arange(0, 2 * n, 2, dtype=np.int32)
    index = np.empty(2 * n, dtype=np.int32)
    value = np.empty(2 * n)
    index[0::2] = np.arange(n, dtype=np.int32)
    index[1::2] = cols
    value[0::2] = 1.0
    value[1::2] = -arcs.upper
    h.addRows(n, np.full(n, -inf), np.zeros(n), 2 * n, start, index, value)
    y = m.variables["staffed"]
    y_of = {
        int(mi): int(col)
        for mi, col in zip(y.coords["mission"].tolist(), y.positions.tolist(), strict=True)
    }
    pairs = [
        (int(col), y_of[int(mi)])
        for mi, col in zip(z.coords["mission"].tolist(), z.positions.tolist(), strict=True)
        if int(mi) in y_of
    ]
    if pairs:
        k = len(pairs)
        idx = np.array([c for pair in pairs for c in pair], dtype=np.int32)
        val = np.tile(np.array([1.0, -1.0]), k)
        h.addRows(
            k,
            np.full(k, -inf),
            np.zeros(k),
            2 * k,
            np.arange(0, 2 * k, 2, dtype=np.int32),
            idx,
            val,
        )


def explain_gaps(
    index: Index,
    side_rules: list[str],
    assignments: tuple[Assignment, ...],
    *,
    deadline: float | None = None,
    time_limit: float = 10.0,
    extra_functionality: ExtraFunctionality | None = None,
    highs_options: HighsOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    build_seconds: float = 0.0,
) -> tuple[Gap, ...]:
    """A :class:`Gap` with computed reasons for every requirement short or late.

    ``deadline`` (a :func:`time.perf_counter` value; default now + ``time_limit``) ends the
    work: gaps not fully explained by then say so in ``Gap.explanation``. ``build_seconds``
    (what building the plan's model took) keeps the explanations' model from being built when
    the time left would not cover building it twice over.
    ``progress(step, done, total)`` is called after each requirement.

    Passes: every gap without MILPs on the hold (LPs, witnesses, and MILPs on the
    requirement's mission alone); then the remaining questions with MILPs, each gap taking
    its share of the time left; then, with time left, for the gaps not yet fully explained,
    one MILP per rule with the rule relaxed for all of them at once, whose proven bound on
    the total fill bounds what each gap can gain, and their remaining questions again.
    """
    if deadline is None:
        deadline = time.perf_counter() + time_limit
    sc = index.scenario
    policy = sc.policy
    filled: dict[str, int] = defaultdict(int)
    late: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        filled[a.requirement] += a.units
        if a.late_days > 0:
            late[a.requirement].append(a)
    total_fill = sum(
        policy.weight(r.priority) * filled[r.id] for r in sc.requirements if r.id in filled
    )
    # The candidates (with the rules' wording) of the requirements left short only.
    by_position = np.argsort(index.cand_requirement, kind="stable")
    ends = np.searchsorted(index.cand_requirement[by_position], np.arange(len(sc.requirements) + 1))
    by_req: dict[int, list[Candidate]] = defaultdict(list)
    for j, r in enumerate(sc.requirements):
        if filled[r.id] < r.units:
            by_req[j] = index.candidates_of(by_position[ends[j] : ends[j + 1]])
    pledged: Mapping[str, int] = _pledged_by_type(index)
    short = {j for j, r in enumerate(sc.requirements) if filled[r.id] < r.units and by_req[j]}
    explainer = (
        _Explainer(
            index,
            short,
            assignments,
            deadline=deadline,
            extra_functionality=extra_functionality,
            options=highs_options,
        )
        if short and deadline - time.perf_counter() > 2 * build_seconds
        else None
    )
    order = sorted(short)
    found: dict[int, tuple[list[GapReason], bool]] = {}

    def floor_of(j: int) -> float:
        req = sc.requirements[j]
        return total_fill - policy.weight(req.priority) * filled[req.id]

    def explain_pass(todo: list[int], *, milp: bool) -> None:
        assert explainer is not None
        explainer.allow_mip = milp
        if milp:
            explainer.prepare_milp_pass()
        for n, j in enumerate(todo):
            if progress is not None:
                progress("explaining gaps", n, len(todo))
            now = time.perf_counter()
            if now >= deadline:
                break
            explainer.focus(j)
            # A gap may use its share of the time left, so that one hard question does
            # not leave the other gaps unexplained.
            explainer.gap_deadline = now + max(0.5, (deadline - now) / (len(todo) - n))
            found[j] = _why_short(
                explainer,
                j,
                f=filled[sc.requirements[j].id],
                floor=floor_of(j),
                side_rules=side_rules,
                cands=by_req[j],
                pledged=pledged,
            )
        explainer.release()

    def still_open() -> list[int]:
        return [j for j in order if not found.get(j, ([], False))[1]]

    if explainer is not None:
        explain_pass(order, milp=False)
        todo = still_open()
        if todo and time.perf_counter() < deadline:
            explain_pass(todo, milp=True)
        todo = still_open()
        if todo and time.perf_counter() < deadline:
            _screen(
                explainer,
                todo,
                total_fill=total_fill,
                floor_of=floor_of,
                side_rules=side_rules,
                by_req=by_req,
                deadline=deadline,
            )
            explain_pass(todo, milp=True)
    gaps: list[Gap] = []
    for j, req in enumerate(sc.requirements):
        f = filled[req.id]
        late_units = sum(a.units for a in late[req.id])
        if f >= req.units and not late_units:
            continue
        reasons: list[GapReason] = []
        status = COMPLETE
        if late_units:
            reasons.append(
                GapReason(
                    GapCause.READINESS,
                    "late: "
                    + _listing(
                        [f"{a.contributor} arrives {a.arrival.isoformat()}" for a in late[req.id]]
                    )
                    + f" (needed by {req.needed_by.isoformat()})",
                    None,
                    verified=True,
                )
            )
        if f < req.units:
            reasons.extend(_partnership_reasons(index, j, by_req[j]))
            if not by_req[j]:
                waiting = pledged.get(req.unit_type, 0) > 0
                reasons.append(
                    GapReason(
                        GapCause.PARTNERSHIP if waiting else GapCause.NO_PLEDGE,
                        f"no pledge of unit type {req.unit_type} can deploy without support"
                        if waiting
                        else f"no pledge of unit type {req.unit_type}",
                        None,
                        verified=True,
                    )
                )
            elif j not in found:
                status = NOT_COMPUTED
            else:
                why, exact = found[j]
                reasons.extend(why)
                status = COMPLETE if exact else PARTIAL
        gaps.append(
            Gap(
                requirement=req.id,
                mission=req.mission,
                unit_type=req.unit_type,
                required=req.units,
                filled=f,
                late_units=late_units,
                reasons=tuple(reasons),
                explanation=status,
            )
        )
    return tuple(gaps)


def _screen(
    ex: _Explainer,
    todo: list[int],
    *,
    total_fill: float,
    floor_of: Callable[[int], float],
    side_rules: list[str],
    by_req: Mapping[int, list[Candidate]],
    deadline: float,
) -> None:
    """Bound, for every gap in ``todo`` at once, what relaxing one rule recovers with the
    others' fill held: a gap's units can only grow if the total fill does, by its weight
    per unit, and relaxing the rule for all gaps together bounds relaxing it for one. One
    MILP per rule (its dual bound, so also when the time limit ends it); up to half of the
    time left."""
    sc = ex.index.scenario
    families: dict[GapCause, dict[int, tuple[frozenset[GapCause], Relaxation]]] = defaultdict(dict)
    for j in todo:
        static, dynamic = _families(ex.index, j, side_rules, by_req[j])
        for cause in static:
            families[cause][j] = (frozenset({cause}), Relaxation())
        for cause, (relax, _) in dynamic.items():
            # The budget is one rule for every gap: relaxing it for all of them at once is
            # relaxing it for each, so a screen would not tell the gaps apart.
            if not relax.budget:
                families[cause][j] = (frozenset(), relax)
    screens: list[tuple[int, GapCause, np.ndarray, list[tuple[int, float, float]]]] = []
    for cause, members in families.items():
        opened = np.array(
            [
                k
                for k, causes in enumerate(ex.arc_causes)
                if causes and causes <= {cause} and int(ex.model.arcs.requirement[k]) in members
            ],
            dtype=np.int32,
        )
        union = Relaxation(
            frozenset().union(*(r.cap_missions for _, r in members.values())),
            frozenset().union(*(r.min_contributor_missions for _, r in members.values())),
            False,
            frozenset().union(*(r.women_requirements for _, r in members.values())),
        )
        rows = ex._rows(union)
        screens.append((opened.size + len(rows), cause, opened, rows))
    # The smallest relaxations first: they change the model least and are proven fastest.
    screens.sort(key=lambda item: (item[0], item[1].value))
    stop = time.perf_counter() + (deadline - time.perf_counter()) / 2
    arcs = ex.model.arcs
    for n, (_, cause, opened_all, rows_all) in enumerate(screens):
        members = dict(families[cause])
        opened, rows = opened_all, rows_all
        while members:
            now = time.perf_counter()
            if now >= stop:
                return
            bound, point = ex.fill_bound(opened, rows, now + (stop - now) / (len(screens) - n))
            if bound is None:
                break
            for j, (causes, relax) in members.items():
                weight = sc.policy.weight(sc.requirements[j].priority)
                most = max(0, math.floor((bound - total_fill) / weight + 1e-9))
                ex.add_bound(j, causes, relax, floor_of(j), most)
            if point is None or bound < total_fill + 1:
                break
            # The fill grew: screen again without the gaps whose relaxation the optimum
            # used (its opened arcs carry units, or one of its lifted rows is broken).
            activity = np.asarray(ex.matrix @ point)
            used: set[int] = set()
            for j, (_, relax) in members.items():
                sent = any(point[k] > 0.5 and arcs.requirement[k] == j for k in opened.tolist())
                broken = any(
                    activity[r] < ex.row_lower[r] - 1e-6 or activity[r] > ex.row_upper[r] + 1e-6
                    for r, _, _ in ex._rows(relax)
                )
                if sent or broken:
                    used.add(j)
            if not used or len(used) == len(members):
                break
            members = {j: v for j, v in members.items() if j not in used}
            opened = opened[np.isin(arcs.requirement[opened], list(members))]
            keep = {r for j, (_, relax) in members.items() for r, _, _ in ex._rows(relax)}
            rows = [row for row in rows if row[0] in keep]


def _partnership_reasons(index: Index, j: int, cands: list[Candidate]) -> list[GapReason]:
    """Pledges of the type that wait for training, equipment or lift no accepted offer gives."""
    eligible = {c.pledge for c in cands if not c.exclusions}
    return [
        GapReason(GapCause.PARTNERSHIP, line, None, verified=False)
        for line in missing_support(index.scenario, j, eligible, partnerships=index.partnerships)
    ]


def _pledged_by_type(index: Index) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for p in index.scenario.pledges:
        out[p.unit_type] += p.units
    return out


def _families(
    index: Index, j: int, side_rules: list[str], cands: list[Candidate]
) -> tuple[dict[GapCause, list[str]], dict[GapCause, tuple[Relaxation, str]]]:
    """The rules tested for requirement ``j``: the static ones its candidates break (with
    their details) and the side rules in play (with their relaxation and wording)."""
    sc = index.scenario
    policy = sc.policy
    req = sc.requirements[j]
    mission = int(index.requirement_mission[j])
    static_details: dict[GapCause, list[str]] = defaultdict(list)
    for c in cands:
        for e in c.exclusions:
            static_details[e.cause].append(e.detail)
    dynamic: dict[GapCause, tuple[Relaxation, str]] = {}
    if "contributor_cap" in side_rules:
        dynamic[GapCause.CONTRIBUTOR_CAP] = (
            Relaxation(cap_missions=frozenset({mission})),
            f"no contributor may exceed {policy.max_contributor_share:.0%} of "
            f"{req.mission}'s planned personnel",
        )
    if "min_contributors" in side_rules:
        dynamic[GapCause.MIN_CONTRIBUTORS] = (
            Relaxation(min_contributor_missions=frozenset({mission})),
            f"{req.mission} needs at least {policy.min_contributors} distinct contributors",
        )
    if "budget" in side_rules:
        dynamic[GapCause.BUDGET] = (
            Relaxation(budget=True),
            f"the budget of USD {policy.budget:,.0f} is binding",
        )
    if "women_share" in side_rules and req.min_women_share > 0:
        dynamic[GapCause.WOMEN_SHARE] = (
            Relaxation(women_requirements=frozenset({j})),
            f"eligible units cannot reach the minimum women's share of {req.min_women_share:.0%}",
        )
    return static_details, dynamic


def _why_short(
    ex: _Explainer,
    j: int,
    *,
    f: int,
    floor: float,
    side_rules: list[str],
    cands: list[Candidate],
    pledged: Mapping[str, int],
) -> tuple[list[GapReason], bool]:
    """Reasons requirement ``j`` is short, and whether every question was answered."""
    index = ex.index
    req = index.scenario.requirements[j]
    none = frozenset[GapCause]()
    reasons: list[GapReason] = []
    exact = True

    def gain(causes: frozenset[GapCause], relax: Relaxation, hold: bool = True) -> int:
        nonlocal exact
        g = ex.gain(causes, relax, f=f, floor=floor if hold else None)
        exact = exact and g.exact
        return g.units

    static_details, dynamic = _families(index, j, side_rules, cands)
    tested: list[tuple[GapCause, frozenset[GapCause], Relaxation]] = [
        (cause, frozenset({cause}), Relaxation())
        for cause in STATIC_CAUSES
        if cause in static_details
    ]
    tested.extend((cause, none, relax) for cause, (relax, _) in dynamic.items())

    def relax_of(families: frozenset[GapCause]) -> tuple[frozenset[GapCause], Relaxation]:
        static = frozenset(c for c in families if c in static_details)
        merged = Relaxation()
        for c in families & set(dynamic):
            r = dynamic[c][0]
            merged = Relaxation(
                merged.cap_missions | r.cap_missions,
                merged.min_contributor_missions | r.min_contributor_missions,
                merged.budget or r.budget,
                merged.women_requirements | r.women_requirements,
            )
        return static, merged

    all_families = frozenset(static_details) | frozenset(dynamic)
    all_causes, everything = relax_of(all_families)
    # Every relaxation below is contained in "everything relaxed, no hold": when that
    # recovers nothing (exactly), nothing else can.
    reach = ex.gain(all_causes, everything, f=f, floor=None)
    exact = reach.exact
    reachable = f + reach.units
    nothing = reach.exact and reach.units == 0
    everything_held = Gain(0, exact=True) if nothing else None
    if everything_held is None and tested:
        everything_held = ex.gain(all_causes, everything, f=f, floor=floor)
        exact = exact and everything_held.exact
    singles_zero = (
        everything_held is not None and everything_held.exact and not everything_held.units
    )
    if not singles_zero:
        for cause, causes, relax in tested:
            g = gain(causes, relax)
            if g > 0:
                detail = (
                    _listing(static_details[cause])
                    if cause in static_details
                    else dynamic[cause][1]
                )
                reasons.append(GapReason(cause, detail, g, verified=True))
    if not reasons and not nothing:
        g = gain(none, Relaxation(), hold=False)
        if g > 0:
            reasons.append(
                GapReason(
                    GapCause.COMPETITION,
                    "eligible units are assigned to requirements of equal or higher weight",
                    g,
                    verified=True,
                )
            )
    if not reasons and all_families and not singles_zero and gain(all_causes, everything) > 0:
        # Shrink to a minimal set of rules that must be relaxed together.
        needed = set(all_families)
        for family in sorted(all_families):
            trial = frozenset(needed - {family})
            if trial and gain(*relax_of(trial)) > 0:
                needed.discard(family)
        g = gain(*relax_of(frozenset(needed)))
        names = [
            f"{c.value} ({_listing(static_details[c])})" if c in static_details else c.value
            for c in sorted(needed)
        ]
        reasons.append(
            GapReason(
                GapCause.COMBINED,
                "only relaxing these rules together recovers units: " + ", ".join(names),
                g,
                verified=True,
            )
        )
    if not reasons and reachable > f:
        reasons.append(
            GapReason(
                GapCause.COMBINED,
                "units could come only by relaxing rules and taking units from other requirements",
                reachable - f,
                verified=True,
            )
        )
    if reachable < req.units and reach.exact:
        reasons.append(
            GapReason(
                GapCause.SHORTAGE,
                f"{pledged[req.unit_type]} units of {req.unit_type} pledged in all; even with "
                f"every rule relaxed at most {reachable} of {req.units} can come here",
                None,
                verified=True,
            )
        )
    return reasons, exact
