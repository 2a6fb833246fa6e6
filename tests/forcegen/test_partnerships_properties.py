"""Property tests of partnerships in the plan (bounded Hypothesis runs on random scenarios)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.domain.planning import OfferStatus, Scenario
from bluehelmet.forcegen import greedy_assignments, plan
from bluehelmet.forcegen.partnerships import offer_use
from bluehelmet.testing import (
    assert_plan_feasible,
    brute_force,
    random_scenario,
    with_partnerships,
)

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _scenario(seed: int, pledges: int = 4, requirements: int = 3) -> Scenario:
    return with_partnerships(
        random_scenario(seed, pledges=pledges, requirements=requirements), seed
    )


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_plans_with_offers_keep_every_rule_and_capacity(seed: int) -> None:
    sc = _scenario(seed)
    p = plan(sc, explain=False)
    assert_plan_feasible(sc, p)
    assert_plan_feasible(sc, greedy_assignments(sc))
    offers = {o.id: o for o in sc.partnerships}
    for o, used in offer_use(sc, p.assignments).items():
        assert used <= offers[o].capacity + 1e-9
    for a in p.assignments:
        assert all(offers[o].status is not OfferStatus.OFFERED for o in a.offers)
    for act in p.partnerships:
        assert offers[act.offer].usable
        assert act.used <= act.capacity + 1e-9
        assert act.assignments
    fees: dict[str, float] = {}
    for act in p.partnerships:
        fees[act.partner] = fees.get(act.partner, 0.0) + act.cost_usd
    for who, fee in fees.items():
        assert fee <= sc.policy.partner_budgets.get(who, float("inf")) + 1e-6


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_activating_no_offer_gives_the_plan_without_partnerships(seed: int) -> None:
    sc = _scenario(seed)
    none_accepted = replace(
        sc,
        partnerships=tuple(replace(o, status=OfferStatus.OFFERED) for o in sc.partnerships),
    )
    bare = plan(sc, explain=False, partnerships=False, mip_rel_gap=0.0)
    closed = plan(none_accepted, explain=False, mip_rel_gap=0.0)
    assert not bare.partnerships
    assert not closed.partnerships
    assert all(not a.offers for a in bare.assignments)
    assert closed.quality.objective.fill == bare.quality.objective.fill
    assert closed.quality.objective.legitimacy == pytest.approx(
        bare.quality.objective.legitimacy, abs=1e-6
    )
    assert closed.quality.objective.cost == pytest.approx(bare.quality.objective.cost, rel=1e-6)


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_an_offer_never_lowers_fill(seed: int) -> None:
    sc = _scenario(seed)
    with_offers = plan(sc, explain=False)
    without = plan(sc, explain=False, partnerships=False)
    assert with_offers.quality.objective.fill >= without.quality.objective.fill
    assert with_offers.quality.without_partnerships is not None or not with_offers.partnerships
    if with_offers.quality.without_partnerships is not None:
        assert with_offers.quality.without_partnerships.fill == without.quality.objective.fill


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_optimizer_matches_brute_force_with_offers(seed: int) -> None:
    sc = _scenario(seed, pledges=3, requirements=2)
    try:
        best = brute_force(sc, limit=50_000)
    except ValueError:
        pytest.skip("too many plans to enumerate")
    got = plan(sc, explain=False, mip_rel_gap=0.0).quality.objective
    assert got.fill == best.fill
    assert got.legitimacy == pytest.approx(best.legitimacy, rel=1e-6, abs=1e-6)
    assert got.cost == pytest.approx(best.cost, rel=1e-6)


@SETTINGS
@given(seed=st.integers(0, 10**6))
def test_greedy_with_offers_never_beats_the_optimizer(seed: int) -> None:
    sc = _scenario(seed)
    p = plan(sc, explain=False)
    assert p.quality.baseline.fill <= p.quality.objective.fill + 1e-9
