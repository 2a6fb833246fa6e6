"""Proving the stages faster changes no optimum: tightened bounds and reduced-cost fixing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import highspy
import numpy as np
import pytest

import bluehelmet.forcegen.solve as fsolve
from bluehelmet.domain.planning import Requirement
from bluehelmet.forcegen import greedy_assignments
from bluehelmet.forcegen.model import FloatArray, Index, Model, build_model
from bluehelmet.forcegen.planner import assign_values, start_values
from bluehelmet.forcegen.solve import STAGES, load, new_highs, solve_model
from bluehelmet.testing import assert_plan_feasible, example, synthetic_scenario


def reference_stages(model: Model) -> list[float]:
    """The three stage optima by the plain lexicographic MILP: the model's own bounds (no
    tightening), no fixing, no start, gap 0."""
    h = new_highs({"mip_rel_gap": 0.0, "mip_abs_gap": 1e-9})
    load(model, h, integer=True)
    n = model.num_cols
    values: list[float] = []
    for name, maximize in STAGES:
        coef = model.objective(name)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), coef)
        h.changeObjectiveSense(
            highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
        )
        h.run()
        assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        x = np.asarray(h.getSolution().col_value, dtype=np.float64)
        value = float(coef @ x)
        values.append(value * (1e6 if name == "cost" else 1.0))
        low = np.rint(value) - 1e-7 if name == "fill" else value - max(1e-7, 1e-7 * abs(value))
        nz = np.flatnonzero(coef)
        h.addRow(
            low if maximize else -highspy.kHighsInf,
            highspy.kHighsInf if maximize else value + max(1e-7, 1e-7 * abs(value)),
            nz.size,
            nz.astype(np.int32),
            coef[nz],
        )
    return values


def _scarce(seed: int):  # type: ignore[no-untyped-def]
    """Small scarce scenarios: binding budget, cap, minimum contributors and women's rows."""
    return synthetic_scenario(
        contributors=10, missions=3, unit_types=6, pledges=45, seed=seed, scarce=True
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6, 7, 8])
def test_every_stage_has_the_reference_optimum(seed: int) -> None:
    sc = _scarce(seed)
    model = build_model(Index.of(sc))
    got = solve_model(model, mip_rel_gap=0.0, start=start_values(model, greedy_assignments(sc)))
    assert got.optimal
    for ref, stage in zip(reference_stages(model), got.stages, strict=True):
        assert stage.value == pytest.approx(ref, rel=1e-6, abs=1e-6), stage.name
        assert stage.bound is not None
    assert_plan_feasible(sc, assign_values(model, got.values))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_tightened_bounds_keep_every_integer_plan(seed: int) -> None:
    sc = _scarce(seed)
    model = build_model(Index.of(sc))
    upper = model.integer_upper()
    assert np.all(upper <= model.bounds()[1])
    plans: list[FloatArray] = []
    greedy = start_values(model, greedy_assignments(sc))
    if greedy is not None:
        plans.append(greedy)
    plans.append(solve_model(model, mip_rel_gap=0.0).values)
    for values in plans:
        assert model.feasible(values)
        assert np.all(np.rint(values) <= upper + 1e-9)


def _women_case(units: int, shares: tuple[float, ...]) -> Model:
    base = example("women_share")
    (req,) = base.requirements
    (p1,) = base.pledges
    pledges = tuple(
        replace(p1, id=f"P{k}", contributor=c, women_share=s, units=units)
        for k, (c, s) in enumerate(zip(("AAA", "BBB", "CCC"), shares, strict=False))
    )
    two: Requirement = replace(req, units=units, min_women_share=0.2)
    return build_model(Index.of(replace(base, requirements=(two,), pledges=pledges)))


def test_women_rows_bound_the_units_of_a_short_pledge() -> None:
    # one unit: a pledge below the minimum can never fill it
    assert _women_case(1, (0.1, 0.3)).integer_upper()[:2].tolist() == [0.0, 1.0]
    # three units, 10 % beside 30 %: one short unit per unit of 30 % (k*-0.1 + (3-k)*0.1 >= 0)
    assert _women_case(3, (0.1, 0.3)).integer_upper()[:2].tolist() == [1.0, 3.0]
    # nobody reaches the minimum: no unit at all
    assert _women_case(2, (0.1, 0.15)).integer_upper()[:2].tolist() == [0.0, 0.0]


def test_fill_proven_below_the_floor_of_the_lp_bound() -> None:
    # Three priority-1 requirements (4 each), three one-unit pledges of 1 M USD, a budget of
    # 2.5 M USD: the LP reaches 10, the optimum is 8; the fixing search steps down to it.
    base = example("budget")
    (req,) = base.requirements
    (p1, _) = base.pledges
    reqs = tuple(replace(req, id=f"R{k}", units=1, priority=1) for k in range(3))
    pledges = tuple(
        replace(p1, id=f"P{k}", contributor=c) for k, c in enumerate(("AAA", "BBB", "CCC"))
    )
    sc = replace(base, requirements=reqs, pledges=pledges)
    model = build_model(Index.of(sc))
    one = float(model.arcs.usd[0])
    sc = replace(sc, policy=replace(sc.policy, budget=2.5 * one))
    model = build_model(Index.of(sc))
    got = solve_model(model)
    fill = got.stages[0]
    assert got.lp_bound == pytest.approx(10.0)
    assert fill.value == 8.0
    assert fill.optimal
    assert fill.bound == 8.0
    assert got.optimal


def test_large_lp_options_leave_the_callers_alone() -> None:
    h = new_highs(None)
    fsolve._large_lp(h, fsolve.PROBING_COLUMNS + 1, None)
    assert h.getOptionValue("presolve")[1] == "off"
    assert h.getOptionValue("simplex_strategy")[1] == fsolve.PRIMAL_SIMPLEX
    mine = new_highs({"presolve": "on", "simplex_strategy": 1})
    fsolve._large_lp(mine, fsolve.PROBING_COLUMNS + 1, {"presolve": "on", "simplex_strategy": 1})
    assert mine.getOptionValue("presolve")[1] == "on"
    assert mine.getOptionValue("simplex_strategy")[1] == 1
    small = new_highs(None)
    fsolve._large_lp(small, fsolve.PROBING_COLUMNS, None)
    assert small.getOptionValue("presolve")[1] == "choose"


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_large_model_options_keep_every_optimum(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The LPs without presolve (primal simplex) give the same bounds and fixing; the cost
    stage of a large model goes through its LP and fixing too, to the same optimum."""
    monkeypatch.setattr(fsolve, "PROBING_COLUMNS", 0)
    senses: list[bool] = []
    real = fsolve._fixing

    def spy(*args: Any, **kwargs: Any) -> Any:
        senses.append(bool(kwargs["maximize"]))
        return real(*args, **kwargs)

    monkeypatch.setattr(fsolve, "_fixing", spy)
    sc = _scarce(seed)
    model = build_model(Index.of(sc))
    got = solve_model(model, mip_rel_gap=0.0, start=start_values(model, greedy_assignments(sc)))
    assert got.optimal
    assert senses == [True, False]  # legitimacy, then cost
    for ref, stage in zip(reference_stages(model), got.stages, strict=True):
        assert stage.value == pytest.approx(ref, rel=1e-6, abs=1e-6), stage.name
        assert stage.bound == pytest.approx(stage.value, rel=1e-6, abs=1e-6), stage.name
    assert_plan_feasible(sc, assign_values(model, got.values))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_a_fill_search_too_large_searches_the_lp_arcs(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every fixed MILP too large, the fill stage searches the LP's arcs only: its plan
    is feasible and no worse than greedy, its bound is floor(LP) (never below the optimum),
    and it is optimal only when it reaches that bound."""
    monkeypatch.setattr(fsolve, "FREE_COLUMNS", 0)
    sc = _scarce(seed)
    model = build_model(Index.of(sc))
    start = start_values(model, greedy_assignments(sc))
    got = solve_model(model, mip_rel_gap=0.0, start=start)
    fill = got.stages[0]
    best = reference_stages(model)[0]
    assert fill.bound is not None
    assert got.lp_bound is not None
    assert fill.value <= best + 1e-6 <= fill.bound + 2e-6
    assert fill.bound == np.floor(got.lp_bound + 1e-6)
    assert fill.optimal == (fill.value >= fill.bound - 1e-6)
    if start is not None:
        assert fill.value >= float(model.objective("fill") @ start) - 1e-6
    assert_plan_feasible(sc, assign_values(model, got.values))


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_the_cost_floor_is_below_the_cost_optimum(seed: int) -> None:
    """The cost of reaching the fill (cheapest units per requirement, by cost per fill
    weight) never exceeds the cost stage's optimum, and it is not the trivial 0."""
    sc = _scarce(seed)
    model = build_model(Index.of(sc))
    fill, _, cost = reference_stages(model)
    floor = fsolve.cost_floor(model, fill)
    assert floor is not None
    assert 0 < floor * 1e6 <= cost * (1 + 1e-9)


def test_the_cost_floor_by_hand() -> None:
    """Two one-unit pledges (1 M and 3 M USD) at a one-unit requirement: reaching its fill
    costs the cheaper unit, half its fill half of it; twice its fill cannot be reached."""
    base = example("budget")
    (req,) = base.requirements
    p1, p2 = base.pledges
    sc = replace(
        base,
        policy=replace(base.policy, budget=None),
        requirements=(replace(req, units=1),),
        pledges=(p1, replace(p2, cost_per_unit=3e6)),
    )
    model = build_model(Index.of(sc))
    assert len(model.arcs) == 2
    weight = float(model.arcs.weight[0])
    cost = model.objective("cost")[:2]
    assert cost[0] < cost[1]
    assert fsolve.cost_floor(model, weight) == pytest.approx(cost[0])
    assert fsolve.cost_floor(model, weight / 2) == pytest.approx(cost[0] / 2)
    assert fsolve.cost_floor(model, 0.0) == 0.0
    assert fsolve.cost_floor(model, 2 * weight) is None


def test_a_cost_stage_stopped_early_reports_the_cost_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cost stage that does not run still reports a bound: the cost floor, at most its
    value (gap from the two printed values)."""
    sc = _scarce(1)
    model = build_model(Index.of(sc))
    real = fsolve._run

    def no_cost(h: object, deadline: float, *, lp: bool = False) -> fsolve._Run:
        if h.getObjectiveSense()[1] == highspy.ObjSense.kMinimize:  # type: ignore[attr-defined]
            return fsolve._Run(fsolve.NOT_RUN, optimal=False, seconds=0.0, dual_bound=None)
        return real(h, deadline, lp=lp)

    monkeypatch.setattr(fsolve, "_run", no_cost)
    got = solve_model(model, mip_rel_gap=0.0, start=start_values(model, greedy_assignments(sc)))
    fill, _, cost = got.stages
    assert cost.status == fsolve.NOT_RUN
    floor = fsolve.cost_floor(model, fill.value)
    assert floor is not None
    assert cost.bound is not None
    assert cost.bound == pytest.approx(min(floor * 1e6, cost.value))
    assert 0 < cost.bound <= cost.value


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_stage_lp_from_the_fill_lps_basis_has_the_same_bound(seed: int) -> None:
    """The legitimacy and cost LPs solved on the fill LP's instance (holds added, from its
    basis) give the bounds of the same LPs solved from scratch."""
    sc = _scarce(seed)
    model = build_model(Index.of(sc))
    start = start_values(model, greedy_assignments(sc))
    assert start is not None
    n = model.num_cols
    h = new_highs(None)
    load(model, h, integer=False, tighten=True)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), model.objective("fill"))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    warm = fsolve._StageLP(h)
    fill = float(np.rint(h.getInfo().objective_function_value - 0.5))
    holds = [(model.objective("fill"), fill - 1e-7)]
    deadline = 1e18
    for name, maximize in STAGES[1:]:
        coef = model.objective(name)
        args = (model, holds, coef)
        cold = fsolve._fixing(
            *args, maximize=maximize, incumbent=start, deadline=deadline, options=None
        )
        hot = fsolve._fixing(
            *args, maximize=maximize, incumbent=start, deadline=deadline, options=None, warm=warm
        )
        assert cold is not None
        assert hot is not None
        assert hot[3] == pytest.approx(cold[3], rel=1e-7, abs=1e-7), name
        assert warm.holds == len(holds)
        holds.append((coef, (1.0 if maximize else -1.0) * -1e9))
