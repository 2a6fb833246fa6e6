"""A force-generation model built once and re-solved per draw by changing column bounds.

The model is forcegen's own (``Index.of`` → ``build_arcs`` → ``create_model``, called read
only), so a draw's fill is the fill stage of :func:`bluehelmet.forcegen.plan` on the drawn
scenario, partnership offers included: the model holds an arc per (pledge variant,
requirement) that some draw may allow (``Index.of(..., every_variant=True)``), and a draw
only removes arcs: a pledge that does not deploy, or whose variant arrives after the latest
date a requirement accepts, gets upper bound 0 on its arcs, and so does a variant relying on
offers where the pledge's unsupported variant may fill the requirement in that draw (the
planner lists no such arc). Offers are certain in every draw. Each draw first solves the
LP relaxation, warm-started from the previous basis (dual simplex after bound changes); when
the LP optimum is integral (always for a transportation model) it is the answer. Otherwise the
LP point is rounded down, repaired and filled up unit by unit; fill weights are integers, so a
point worth ``floor(LP bound)`` is proven optimal. Failing that, the MILP restricted to the
arcs the LP uses, then the full MILP, are solved from the best point found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import highspy
import numpy as np
from numpy.typing import NDArray

from bluehelmet.domain.planning import GapCause, Scenario
from bluehelmet.forcegen.heuristic import rounding_start
from bluehelmet.forcegen.model import Arcs, Index, Model, build_arcs, create_model
from bluehelmet.forcegen.partnerships import variants
from bluehelmet.forcegen.rules import arrival, exclusions

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

INTEGRALITY_TOLERANCE = 1e-6


def _finite(a: FloatArray) -> FloatArray:
    out = a.copy()
    out[np.isposinf(out)] = highspy.kHighsInf
    out[np.isneginf(out)] = -highspy.kHighsInf
    return out


def _highs(model: Model, *, integer: bool) -> Any:
    """A silent HiGHS instance holding ``model`` (maximizing fill)."""
    h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    col_lower, col_upper, is_int, row_lower, row_upper = model.bounds()
    start, index, value = model.matrix()
    lp = highspy.HighsLp()
    lp.num_col_ = model.num_cols
    lp.num_row_ = model.num_rows
    lp.col_cost_ = model.objective("fill")
    lp.col_lower_ = col_lower
    lp.col_upper_ = _finite(col_upper)
    lp.row_lower_ = _finite(row_lower)
    lp.row_upper_ = _finite(row_upper)
    lp.sense_ = highspy.ObjSense.kMaximize
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
    return h


@dataclass(frozen=True)
class DrawResult:
    """Fill of one draw: units per requirement and the weighted fill objective."""

    units: IntArray  # per requirement, in scenario order
    fill: float  # weighted units (forcegen's fill objective)
    arc_units: IntArray  # per arc of the model
    fractional: bool  # the LP optimum was fractional: an integer optimum was sought


class DrawModel:
    """The fill stage of a scenario's model, ready to be re-solved under many draws.

    ``partnerships`` as in :func:`bluehelmet.forcegen.plan`: whether accepted offers may be
    activated. The model holds every (pledge variant, requirement) arc that some draw may
    allow; :meth:`arc_ok` keeps, per draw, exactly the arcs ``plan`` builds for the drawn
    scenario.
    """

    def __init__(self, scenario: Scenario, *, partnerships: bool = True) -> None:
        self.scenario = scenario
        self.partnerships = partnerships
        self.index = Index.of(scenario, partnerships=partnerships, every_variant=True)
        self.model = create_model(self.index, build_arcs(self.index))
        arcs = self.model.arcs
        self.n_arcs = len(arcs)
        self.arc_pledge = arcs.pledge
        self.arc_requirement = arcs.requirement
        self.arc_variant = arcs.variant
        self.arc_upper = arcs.upper.copy()
        self.arc_weight = arcs.weight.copy()
        #: per arc, the partnership offers (positions) its variant relies on
        self.arc_offers = tuple(self.index.variants[v].offers for v in arcs.variant.tolist())
        slack = _variant_slack(self.index)
        #: most days of delay with which each arc's pledge still arrives in time (its variant)
        self.arc_slack = slack(arcs.variant, arcs.requirement)
        #: per supported arc, most days of delay with which the pledge's unsupported variant
        #: may fill the requirement itself (then ``plan`` uses no offer there); -1: never
        self.arc_bare_slack = _bare_slack(self.index, slack, arcs)
        self.network = self.model.is_network
        start, index, value = self.model.matrix()
        self._rows = np.repeat(np.arange(self.model.num_rows), np.diff(start))
        self._index, self._values = index, value
        self._col_lower, self._col_upper, _, self._row_lower, self._row_upper = self.model.bounds()
        self._pledge_units = np.array([p.units for p in scenario.pledges], dtype=np.float64)
        self._requirement_units = np.array(
            [r.units for r in scenario.requirements], dtype=np.float64
        )
        self._lp = _highs(self.model, integer=False)
        self._mip: Any = None
        self.stats = {"rounding": 0, "restricted_tries": 0, "restricted": 0, "full": 0}
        self._current = self.arc_upper.copy()
        self._cols = np.arange(self.n_arcs, dtype=np.int32)

    @property
    def n_pledges(self) -> int:
        """Number of pledges of the scenario."""
        return len(self.scenario.pledges)

    def arc_in_time(self, deployed: BoolArray, delay: IntArray) -> BoolArray:
        """Arcs whose pledge deploys and arrives in time (by the arc's variant)."""
        return deployed[self.arc_pledge] & (delay[self.arc_pledge] <= self.arc_slack)

    def arc_ok(self, deployed: BoolArray, delay: IntArray) -> BoolArray:
        """The arcs ``plan`` builds for the drawn scenario: in time, and relying on an offer
        only where the pledge could not fill the requirement without it."""
        d = delay[self.arc_pledge]
        return self.arc_in_time(deployed, delay) & ~(d <= self.arc_bare_slack)

    def solve(self, deployed: BoolArray | None = None, delay: IntArray | None = None) -> DrawResult:
        """Maximize fill with only the pledges that deploy in time (default: all, no delay)."""
        n_p = self.n_pledges
        dep = np.ones(n_p, dtype=bool) if deployed is None else deployed
        dl = np.zeros(n_p, dtype=np.int64) if delay is None else delay
        upper = np.where(self.arc_ok(dep, dl), self.arc_upper, 0.0)
        changed = np.flatnonzero(upper != self._current).astype(np.int32)
        h = self._lp
        if changed.size:
            h.changeColsBounds(int(changed.size), changed, np.zeros(changed.size), upper[changed])
            self._current = upper
        cost = self.arc_weight
        h.run()
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        fractional = False
        if not self.network and not _integral(values):
            values = self._solve_mip(upper, cost, values)
            fractional = True
        x = np.rint(values[: self.n_arcs]).astype(np.int64)
        units = np.bincount(
            self.arc_requirement, weights=x, minlength=len(self.scenario.requirements)
        ).astype(np.int64)
        return DrawResult(units, float(self.arc_weight @ x), x, fractional)

    def _feasible(self, values: FloatArray, upper: FloatArray) -> bool:
        """Whether ``values`` keeps the draw's arc bounds, the column bounds and every row."""
        tol = 1e-6
        if np.any(values[: self.n_arcs] > upper + tol):
            return False
        if np.any(values < self._col_lower - tol) or np.any(values > self._col_upper + tol):
            return False
        activity = np.bincount(
            self._rows, weights=self._values * values[self._index], minlength=self.model.num_rows
        )
        lo, hi = self._row_lower, self._row_upper
        return bool(
            np.all(activity >= lo - tol * (1 + np.abs(lo)))
            and np.all(activity <= hi + tol * (1 + np.abs(hi)))
        )

    def _fill_up(
        self, start: FloatArray | None, lp_values: FloatArray, upper: FloatArray
    ) -> FloatArray:
        """A feasible integer point: ``start`` (rounded LP, repaired), then units added one at
        a time, heaviest weight and largest LP value first, as long as every row holds."""
        sc = self.scenario
        n = self.n_arcs
        x = np.zeros(n) if start is None else np.minimum(start[:n], upper)
        cap = self._pledge_units - np.bincount(self.arc_pledge, weights=x, minlength=self.n_pledges)
        need = self._requirement_units - np.bincount(
            self.arc_requirement, weights=x, minlength=len(sc.requirements)
        )
        lp = lp_values[:n]
        frac = lp - np.floor(lp + 1e-9)
        open_ = np.flatnonzero(
            (upper > x) & (cap[self.arc_pledge] > 0) & (need[self.arc_requirement] > 0)
        )
        order = open_[np.lexsort((-frac[open_], -lp[open_], -self.arc_weight[open_]))]
        for k in order.tolist():
            p, r = self.arc_pledge[k], self.arc_requirement[k]
            while x[k] < upper[k] and cap[p] > 0 and need[r] > 0:
                x[k] += 1
                if not self._feasible(self.model.complete(x), upper):
                    x[k] -= 1
                    break
                cap[p] -= 1
                need[r] -= 1
        return self.model.complete(x)

    def _restricted_pays(self) -> bool:
        """Whether to try the MILP on the LP's arcs first: until it has failed to reach the
        LP bound in more than half of at least five tries (then the full MILP is cheaper).
        Depends only on this model's own history, so results stay reproducible."""
        tries = self.stats["restricted_tries"]
        return tries < 5 or self.stats["restricted"] * 2 >= tries

    def _mip_instance(self) -> Any:
        if self._mip is None:
            self._mip = _highs(self.model, integer=True)
            # fill weights are integers: a point within 0.999 of the bound is optimal
            self._mip.setOptionValue("mip_abs_gap", 0.999)
            # small models with many equal pledges: symmetry detection costs more than it saves
            self._mip.setOptionValue("mip_detect_symmetry", False)
        return self._mip

    def _mip_run(self, upper: FloatArray, start: FloatArray | None) -> FloatArray | None:
        h = self._mip_instance()
        h.changeColsBounds(self.n_arcs, self._cols, np.zeros(self.n_arcs), upper)
        if start is not None:
            sol = highspy.HighsSolution()
            sol.col_value = start
            h.setSolution(sol)
        h.run()
        if h.getInfo().primal_solution_status != 2:
            return None
        return np.asarray(h.getSolution().col_value, dtype=np.float64)

    def _solve_mip(self, upper: FloatArray, cost: FloatArray, lp_values: FloatArray) -> FloatArray:
        """Integer optimum: rounding, then the MILP on the LP's arcs, then the full MILP."""
        target = np.floor(float(cost @ lp_values[: self.n_arcs]) + 1e-6)
        start = rounding_start(self.model, lp_values)
        best = self._fill_up(start, lp_values, upper)
        best_value = float(cost @ best[: self.n_arcs])
        if best_value >= target - 1e-6:
            self.stats["rounding"] += 1
            return best
        if self._restricted_pays():
            support = np.where(lp_values[: self.n_arcs] > 1e-6, upper, 0.0)
            found = self._mip_run(support, best)
            self.stats["restricted_tries"] += 1
            if found is not None and float(cost @ found[: self.n_arcs]) > best_value:
                best, best_value = found, float(cost @ found[: self.n_arcs])
            if best_value >= target - 1e-6 and best is not None:
                self.stats["restricted"] += 1
                return best
        self.stats["full"] += 1
        found = self._mip_run(upper, best)
        if found is None:
            msg = "HiGHS found no integer point of a feasible fill model"
            raise RuntimeError(msg)
        return found


#: A delay long enough that every variant's arrival then follows the pledge's own date.
_LONG_DELAY = 100_000


def _delayed(scenario: Scenario, delay: int) -> Scenario:
    """``scenario`` with every pledge ``delay`` days late (as :func:`drawn_scenario`)."""
    policy = scenario.policy
    return replace(
        scenario,
        pledges=tuple(
            replace(p, available_from=arrival(p, policy) + timedelta(days=delay))
            for p in scenario.pledges
        ),
    )


def _variant_days(index: Index, delay: int) -> IntArray:
    """Arrival day (after the request) of each of ``index``'s variants, every pledge
    ``delay`` days late. Variants depend on needs and offers only, never on dates, so the
    delayed scenario lists the same variants in the same order."""
    sc = index.scenario
    origin = sc.policy.request_date
    listed = index.variants
    if delay:
        listed = variants(_delayed(sc, delay), partnerships=index.partnerships)
        same = len(listed) == len(index.variants) and all(
            (a.pledge, a.offers) == (b.pledge, b.offers)
            for a, b in zip(listed, index.variants, strict=True)
        )
        if not same:
            msg = "the variants of a delayed scenario differ from the scenario's"
            raise RuntimeError(msg)
    return np.array(
        [(arrival(v.effective, sc.policy) - origin).days for v in listed], dtype=np.int64
    )


def _variant_slack(index: Index) -> Callable[[IntArray, IntArray], IntArray]:
    """Per (variant, requirement): the most days of delay with which the variant still
    arrives in time (-1: never).

    A draw's delay ``d >= 1`` makes the pledge itself ready ``d`` days after its own arrival
    date ``a`` (:func:`drawn_scenario`); a variant then arrives ``max(a + d, K) + L``, where
    ``K`` is the date its support allows and ``L`` the delay of unmet lift. So it is in time
    for all ``d`` up to ``latest - a - L`` when it is in time at ``d = 1``; with no delay it
    arrives as planned.
    """
    sc = index.scenario
    policy = sc.policy
    origin = policy.request_date
    late = timedelta(days=policy.allow_late_days)
    latest = np.array([(r.needed_by + late - origin).days for r in sc.requirements], dtype=np.int64)
    own = np.array([(arrival(p, policy) - origin).days for p in sc.pledges], dtype=np.int64)
    owner = np.array([v.pledge for v in index.variants], dtype=np.int64)
    at0 = _variant_days(index, 0)
    at1 = _variant_days(index, 1)
    lift = _variant_days(index, _LONG_DELAY) - own[owner] - _LONG_DELAY

    def slack(variant: IntArray, requirement: IntArray) -> IntArray:
        last = latest[requirement]
        delayed = last - own[owner[variant]] - lift[variant]
        on_time = np.where(at0[variant] <= last, 0, -1)
        return np.where(at1[variant] <= last, delayed, on_time).astype(np.int64)

    return slack


def _bare_slack(
    index: Index, slack: Callable[[IntArray, IntArray], IntArray], arcs: Arcs
) -> IntArray:
    """Per arc relying on offers: the most days of delay with which the pledge's unsupported
    variant may fill the arc's requirement itself (-1: never, and for arcs with no offer)."""
    sc = index.scenario
    sites = {m.acronym: m for m in sc.missions}
    bare = {v.pledge: k for k, v in enumerate(index.variants) if not v.offers}
    out = np.full(len(arcs), -1, dtype=np.int64)
    for k, (v, j) in enumerate(zip(arcs.variant.tolist(), arcs.requirement.tolist(), strict=True)):
        var = index.variants[v]
        u = bare.get(var.pledge)
        if not var.offers or u is None:
            continue
        r = sc.requirements[j]
        rules = exclusions(index.variants[u].effective, r, sites[r.mission], sc.policy)
        if any(e.cause is not GapCause.READINESS for e in rules):
            continue
        out[k] = int(slack(np.array([u]), np.array([j]))[0])
    return out


def _integral(values: FloatArray) -> bool:
    return bool(np.all(np.abs(values - np.rint(values)) <= INTEGRALITY_TOLERANCE))


def drawn_scenario(scenario: Scenario, deployed: BoolArray, delay: IntArray) -> Scenario:
    """The scenario a draw stands for: pledges that do not deploy removed, delays applied.

    A delayed pledge becomes available ``delay`` days after its undelayed arrival, so
    :func:`bluehelmet.forcegen.plan` on the result sees exactly the draw.
    """
    policy = scenario.policy
    pledges = []
    for i, p in enumerate(scenario.pledges):
        if not deployed[i]:
            continue
        late = int(delay[i])
        pledges.append(
            replace(p, available_from=arrival(p, policy) + timedelta(days=late)) if late else p
        )
    return replace(scenario, pledges=tuple(pledges))


def day(scenario: Scenario, offset: int) -> date:
    """The date ``offset`` days after the scenario's request date."""
    return scenario.policy.request_date + timedelta(days=offset)
