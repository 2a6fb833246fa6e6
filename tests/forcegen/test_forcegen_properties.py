"""Property tests: every plan keeps every hard rule; tiny cases match brute force."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.forcegen import greedy_assignments, plan
from bluehelmet.testing import (
    assert_plan_feasible,
    brute_force,
    check_plan,
    random_scenario,
    synthetic_scenario,
    without_side_rules,
)

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 10**6), pledges=st.integers(1, 6), requirements=st.integers(1, 4))
def test_every_plan_keeps_every_hard_rule(seed: int, pledges: int, requirements: int) -> None:
    sc = random_scenario(seed, pledges=pledges, requirements=requirements)
    p = plan(sc, explain=False)
    assert_plan_feasible(sc, p)
    assert_plan_feasible(sc, greedy_assignments(sc))
    q = p.quality
    assert q.objective.fill <= q.bound + 1e-6
    assert q.baseline.fill <= q.objective.fill + 1e-9
    filled = {g.requirement: g.filled for g in p.gaps}
    for r in sc.requirements:
        got = sum(a.units for a in p.assignments if a.requirement == r.id)
        assert got == filled.get(r.id, r.units)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_optimizer_matches_brute_force_on_tiny_scenarios(seed: int) -> None:
    sc = random_scenario(seed, pledges=3, requirements=2)
    best = brute_force(sc)
    got = plan(sc, explain=False, mip_rel_gap=0.0).quality.objective
    assert got.fill == best.fill
    assert got.legitimacy == pytest.approx(best.legitimacy, rel=1e-6, abs=1e-6)
    assert got.cost == pytest.approx(best.cost, rel=1e-6)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6))
def test_network_models_are_solved_as_lp_and_match_brute_force(seed: int) -> None:
    sc = without_side_rules(random_scenario(seed, pledges=3, requirements=2))
    p = plan(sc, explain=False, mip_rel_gap=0.0)
    assert p.quality.method == "network LP"
    assert all(float(a.units).is_integer() for a in p.assignments)
    best = brute_force(sc)
    assert p.quality.objective.fill == best.fill
    assert p.quality.objective.cost == pytest.approx(best.cost, rel=1e-6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_every_gap_has_a_reason(seed: int) -> None:
    sc = random_scenario(seed, pledges=4, requirements=3)
    p = plan(sc)
    assert all(g.reasons for g in p.gaps)
    assert not check_plan(sc, p)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), scarce=st.booleans())
def test_plans_of_the_larger_generators_keep_every_hard_rule(seed: int, scarce: bool) -> None:
    sc = synthetic_scenario(
        contributors=30, missions=4, unit_types=12, pledges=150, seed=seed, scarce=scarce
    )
    p = plan(sc, explain=False, time_limit=20)
    assert_plan_feasible(sc, p)
    assert_plan_feasible(sc, greedy_assignments(sc))
    q = p.quality
    assert q.baseline.fill <= q.objective.fill + 1e-9
    assert q.bound is None or q.objective.fill <= q.bound + 1e-6
