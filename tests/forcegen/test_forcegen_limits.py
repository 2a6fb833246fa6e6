"""Time limits, bounds and the quality report: honest under every limit."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.domain.planning import Plan
from bluehelmet.forcegen import demo_scenario, plan, plan_to_dict
from bluehelmet.forcegen.explain import COMPLETE, NOT_COMPUTED, PARTIAL
from bluehelmet.forcegen.model import Model
from bluehelmet.forcegen.solve import NOT_RUN, OPTIMAL, TIME_LIMIT, relative_gap
from bluehelmet.testing import assert_plan_feasible, random_scenario, synthetic_scenario


def assert_consistent(p: Plan) -> None:
    """Every number of the quality report agrees with the others, and JSON is strict."""
    q = p.quality
    assert [s.name for s in q.stages] == ["fill", "legitimacy", "cost"]
    for s in q.stages:
        assert s.gap == relative_gap(s.objective, s.bound)
        if s.bound is not None:
            tol = 1e-9 * max(1.0, abs(s.bound))
            if s.sense == "max":
                assert s.objective <= s.bound + tol
            else:
                assert s.objective >= s.bound - tol
        if s.optimal:
            assert s.status == OPTIMAL
            assert s.bound is not None
    assert q.optimal == all(s.optimal for s in q.stages)
    assert q.bound == q.stages[0].bound
    assert q.mip_gap == q.stages[0].gap
    assert q.objective.fill == q.stages[0].objective
    if q.bound is not None:
        assert q.bound > 0 or q.objective.fill == 0
    if q.lp_bound is not None:
        assert q.lp_bound >= q.objective.fill - 1e-6
    text = json.dumps(plan_to_dict(p), allow_nan=False)
    assert "NaN" not in text
    assert "Infinity" not in text


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_quality_report_is_consistent_on_random_scenarios(seed: int) -> None:
    p = plan(random_scenario(seed, pledges=5, requirements=3))
    assert_consistent(p)


def test_the_demo_is_proven_optimal_on_every_stage() -> None:
    p = plan(demo_scenario())
    assert_consistent(p)
    assert p.quality.optimal
    assert all(s.optimal and s.bound is not None for s in p.quality.stages)
    assert p.quality.explanations == COMPLETE


def test_a_huge_pledge_does_not_fool_the_legitimacy_stage() -> None:
    """One pledge of 3e8 units: the legitimacy optimum agrees with a re-solve without
    presolve, and is no worse than the demo's own plan (which stays feasible)."""
    demo = demo_scenario()
    pledges = (replace(demo.pledges[0], units=300_000_000), *demo.pledges[1:])
    huge = replace(demo, pledges=pledges)
    p = plan(huge, explain=False)
    check = plan(huge, explain=False, highs_options={"presolve": "off"})
    own = plan(demo, explain=False)
    assert_plan_feasible(huge, p)
    assert_plan_feasible(huge, own.assignments)
    assert p.quality.optimal and check.quality.optimal
    assert p.quality.objective.fill == check.quality.objective.fill >= own.quality.objective.fill
    assert p.quality.objective.legitimacy == pytest.approx(
        check.quality.objective.legitimacy, rel=1e-6
    )
    if p.quality.objective.fill == own.quality.objective.fill:
        assert p.quality.objective.legitimacy >= own.quality.objective.legitimacy - 1e-6


def test_big_m_values_come_from_the_data() -> None:
    demo = demo_scenario()
    pledges = (replace(demo.pledges[0], units=300_000_000), *demo.pledges[1:])
    from bluehelmet.forcegen.model import Index, build_arcs, create_model

    index = Index.of(replace(demo, pledges=pledges))
    m = create_model(index, build_arcs(index))
    _, col_upper, _, row_lower, row_upper = m.bounds()
    most = max(r.units for r in demo.requirements) * len(demo.requirements)
    finite = np.concatenate([col_upper, row_lower, row_upper])
    finite = finite[np.isfinite(finite)]
    assert np.abs(finite).max() < 1e6  # personnel bounds, never the 3e8 units
    _, _, values = m.matrix()
    assert np.abs(values).max() <= max(1e6, most)


def test_no_bound_is_reported_when_the_lp_does_not_finish() -> None:
    """With no simplex iterations allowed the LP stops: no bound (not 0, not negative) is
    reported or used, and the plan falls back to the greedy baseline."""
    p = plan(demo_scenario(), explain=False, highs_options={"simplex_iteration_limit": 0})
    q = p.quality
    assert q.lp_bound is None
    assert q.bound is None or q.bound >= q.objective.fill
    assert q.objective.fill >= q.baseline.fill
    assert_plan_feasible(demo_scenario(), p)
    assert_consistent(p)
    data = plan_to_dict(p)
    assert data["quality"]["lp_bound"] is None
    assert data["gap"] is None or data["gap"] >= 0


def test_a_short_limit_never_gives_less_than_the_greedy_baseline() -> None:
    sc = synthetic_scenario(pledges=1500, seed=3, scarce=True)
    p = plan(sc, explain=False, time_limit=0.3)
    assert_plan_feasible(sc, p)
    q = p.quality
    assert (q.objective.fill, q.objective.legitimacy) >= (q.baseline.fill, q.baseline.legitimacy)
    assert {s.status for s in q.stages} <= {OPTIMAL, TIME_LIMIT, NOT_RUN}
    assert_consistent(p)


def test_a_limit_with_explanations_ends_them_and_says_so() -> None:
    sc = synthetic_scenario(pledges=1500, seed=1)
    p = plan(sc, time_limit=2.0)
    assert_plan_feasible(sc, p)
    assert_consistent(p)
    statuses = {g.explanation for g in p.gaps}
    assert statuses <= {COMPLETE, PARTIAL, NOT_COMPUTED}
    assert statuses - {COMPLETE}, "a 2 s limit cannot explain every gap at this size"
    assert p.quality.explanations.startswith("time limit")
    assert any("gap explanations" in n for n in p.notes)
    for g in p.gaps:
        assert all(r.verified for r in g.reasons)


def test_two_plans_solve_concurrently_in_threads() -> None:
    scenarios = [random_scenario(s, pledges=6, requirements=4) for s in (11, 12)]
    serial = [plan(sc).quality.objective for sc in scenarios]
    results: dict[int, object] = {}

    def work(i: int) -> None:
        results[i] = plan(scenarios[i]).quality.objective

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [results[0], results[1]] == serial


def test_extra_functionality_adds_a_user_constraint() -> None:
    demo = demo_scenario()
    base = plan(demo, explain=False)
    banned = base.assignments[0].contributor
    pos = sorted({p.contributor for p in demo.pledges}).index(banned)

    def no_units_from(m: Model) -> None:
        block = m.variables["assignment"]
        contributor = m.index.pledge_contributor[block.coords["pledge"]]
        cols = block.positions[contributor == pos]
        m.add_constraints(
            "ban",
            np.array([0.0]),
            np.array([0.0]),
            np.zeros(cols.size, dtype=np.int64),
            cols,
            np.ones(cols.size),
        )

    p = plan(demo, explain=True, extra_functionality=no_units_from)
    assert p.assignments
    assert all(a.contributor != banned for a in p.assignments)
    assert_plan_feasible(demo, p)
    assert p.quality.method == "MILP"


def test_plan_to_frames_gives_the_store_tables() -> None:
    p = plan(demo_scenario())
    frames = p.to_frames()
    assert set(frames) == {"assignments", "gaps", "quality"}
    assert frames["assignments"].height == len(p.assignments)
    assert frames["assignments"]["units"].sum() == sum(a.units for a in p.assignments)
    assert frames["quality"]["stage"].to_list() == ["fill", "legitimacy", "cost"]
    assert set(frames["gaps"]["requirement"].to_list()) == {g.requirement for g in p.gaps}
    empty = replace(p, assignments=(), gaps=()).to_frames()
    assert empty["assignments"].height == 0
    assert empty["assignments"].schema == frames["assignments"].schema


def _random_lp(seed: int = 0, cols: int = 1500, rows: int = 800) -> Any:
    """A dense-ish random packing LP that takes HiGHS a measurable time."""
    import highspy

    rng = np.random.default_rng(seed)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.addVars(cols, np.zeros(cols), np.full(cols, 10.0))
    h.changeColsCost(cols, np.arange(cols, dtype=np.int32), -rng.random(cols))
    for _ in range(rows):
        idx = rng.choice(cols, 40, replace=False).astype(np.int32)
        h.addRow(-highspy.kHighsInf, 30.0, 40, idx, rng.random(40))
    return h


@pytest.mark.parametrize("use_run", [False, True])
def test_a_reused_lp_gets_the_time_it_is_given(use_run: bool) -> None:
    """HiGHS counts a reused LP's earlier runs against its time limit: given less than its
    past runs, it would stop at once with no iteration. ``lp_time_limit`` (and ``_run`` for
    an LP) give it the seconds asked for from now."""
    from bluehelmet.forcegen import solve as fsolve

    h = _random_lp()
    h.run()
    past = float(h.getRunTime())
    assert past > 0
    h.clearSolver()  # the next run starts over, as a stage's LP on a changed model may
    if use_run:
        fsolve._run(h, time.perf_counter() + past / 2, lp=True)
    else:
        fsolve.lp_time_limit(h, past / 2)
        h.run()
    assert int(h.getInfo().simplex_iteration_count) > 0
