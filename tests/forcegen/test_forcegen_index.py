"""The array-built index and arcs equal a pair-by-pair reading of the rules (the reference)."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.domain.planning import Scenario
from bluehelmet.errors import InputError
from bluehelmet.forcegen.costs import unit_cost
from bluehelmet.forcegen.greedy import greedy_assignments
from bluehelmet.forcegen.model import CAUSE_BIT, Index, build_arcs, cause_set
from bluehelmet.forcegen.objectives import legitimacy_per_unit, time_cost_per_unit
from bluehelmet.forcegen.partnerships import effective_for, variants
from bluehelmet.forcegen.rules import exclusions
from bluehelmet.forcegen.scenario import demo_scenario
from bluehelmet.testing import (
    EXAMPLE_NAMES,
    example,
    random_scenario,
    synthetic_scenario,
    with_partnerships,
)

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _reference_candidates(
    sc: Scenario, *, every_variant: bool = False
) -> list[tuple[int, int, int, tuple[object, ...]]]:
    """(pledge, requirement, variant, exclusions) of every same-type pair, one by one."""
    site = {m.acronym: m for m in sc.missions}
    by_type: dict[str, list[int]] = defaultdict(list)
    for j, r in enumerate(sc.requirements):
        by_type[r.unit_type].append(j)
    out: list[tuple[int, int, int, tuple[object, ...]]] = []
    eligible: set[tuple[int, int]] = set()
    for v, var in enumerate(variants(sc)):
        p = var.effective
        for j in by_type.get(p.unit_type, ()):
            r = sc.requirements[j]
            if not var.serves(r.mission):
                continue
            if var.offers and not every_variant and (var.pledge, j) in eligible:
                continue
            excl = exclusions(p, r, site[r.mission], sc.policy)
            if not var.offers and not excl:
                eligible.add((var.pledge, j))
            out.append((var.pledge, j, v, excl))
    return out


def _check(sc: Scenario, *, every_variant: bool = False) -> None:
    index = Index.of(sc, every_variant=every_variant)
    ref = _reference_candidates(sc, every_variant=every_variant)
    got = [(c.pledge, c.requirement, c.variant, c.exclusions) for c in index.candidates]
    assert got == ref
    for k, (_, _, _, excl) in enumerate(ref):
        assert cause_set(int(index.causes[k])) == {e.cause for e in excl}
    arcs = build_arcs(index)
    allowed = [c for c in ref if not c[3]]
    assert arcs.pledge.tolist() == [c[0] for c in allowed]
    assert arcs.requirement.tolist() == [c[1] for c in allowed]
    units = {u.code: u for u in sc.unit_types}
    sites = {m.acronym: m for m in sc.missions}
    who = {c.iso3: c for c in sc.contributors}
    every = variants(sc)
    for k, (i, j, v, _) in enumerate(allowed):
        p, r = sc.pledges[i], sc.requirements[j]
        site = sites[r.mission]
        most = min(p.units, r.units)
        for o, amount in zip(every[v].offers, every[v].amounts, strict=True):
            most = min(most, math.floor(sc.partnerships[o].capacity / amount + 1e-9))
        cost = unit_cost(p, units[r.unit_type], who.get(p.contributor), site, sc.policy)
        # Exactly equal: the arrays repeat the scalar arithmetic in the same order.
        assert arcs.upper[k] == most
        assert arcs.personnel[k] == units[r.unit_type].personnel
        assert arcs.weight[k] == sc.policy.weight(r.priority)
        assert arcs.usd[k] == cost.total
        assert arcs.legitimacy[k] == legitimacy_per_unit(p, who.get(p.contributor), site, sc.policy)
        assert arcs.time_usd[k] == time_cost_per_unit(every[v].effective, sc.policy)
        assert arcs.variant[k] == v


@pytest.mark.parametrize("name", [n for n in EXAMPLE_NAMES if n != "infeasible"])
def test_examples_index_as_the_rules_read_pair_by_pair(name: str) -> None:
    _check(example(name))


def test_demo_index_as_the_rules_read_pair_by_pair() -> None:
    _check(demo_scenario())
    _check(demo_scenario(), every_variant=True)


@pytest.mark.parametrize("seed", [1, 2])
def test_synthetic_index_as_the_rules_read_pair_by_pair(seed: int) -> None:
    _check(synthetic_scenario(pledges=300, seed=seed, scarce=seed % 2 == 0))


@SETTINGS
@given(seed=st.integers(0, 10**6), every_variant=st.booleans())
def test_random_scenarios_with_offers_index_as_the_rules_read(
    seed: int, every_variant: bool
) -> None:
    sc = with_partnerships(random_scenario(seed, pledges=6, requirements=4), seed)
    _check(sc, every_variant=every_variant)


def test_a_cause_bit_per_static_cause() -> None:
    assert sorted(CAUSE_BIT.values()) == [1 << i for i in range(len(CAUSE_BIT))]
    assert cause_set(0) == frozenset()
    assert cause_set(sum(CAUSE_BIT.values())) == frozenset(CAUSE_BIT)


def test_a_pledge_without_coordinates_or_cost_is_named() -> None:
    sc = synthetic_scenario(pledges=60, seed=3)
    lost = replace(sc, contributors=tuple(replace(c, capital=None) for c in sc.contributors))
    with pytest.raises(InputError, match="no cost_per_unit and no capital/HQ coordinates"):
        build_arcs(Index.of(lost))
    stated = replace(lost, pledges=tuple(replace(p, cost_per_unit=1e6) for p in lost.pledges))
    assert np.all(build_arcs(Index.of(stated)).usd == 1e6)


@SETTINGS
@given(seed=st.integers(0, 10**6), partnerships=st.booleans())
def test_the_greedy_baseline_reads_the_rules_from_a_shared_index(
    seed: int, partnerships: bool
) -> None:
    sc = with_partnerships(random_scenario(seed, pledges=6, requirements=4), seed)
    alone = greedy_assignments(sc, partnerships=partnerships)
    shared = Index.of(sc, partnerships=partnerships)
    assert greedy_assignments(sc, partnerships=partnerships, index=shared) == alone
    # An index of other options is not used.
    other = Index.of(sc, partnerships=not partnerships)
    assert greedy_assignments(sc, partnerships=partnerships, index=other) == alone
    site = {m.acronym: m for m in sc.missions}
    pledges = {p.id: p for p in sc.pledges}
    reqs = {r.id: r for r in sc.requirements}
    for a in alone:
        p, r = pledges[a.pledge], reqs[a.requirement]
        eff = effective_for(sc, p, a.offers) if a.offers else p
        assert eff is not None
        assert not exclusions(eff, r, site[r.mission], sc.policy)


def test_a_scenario_without_pledges_or_requirements_has_no_candidate() -> None:
    sc = example("filled")
    for empty in (
        replace(sc, pledges=()),
        replace(sc, requirements=()),
        replace(sc, pledges=(), requirements=()),
    ):
        index = Index.of(empty)
        assert index.candidates == ()
        assert index.causes.size == 0
        assert len(build_arcs(index)) == 0


def test_arcs_of_an_unknown_unit_type_are_refused_by_name() -> None:
    sc = example("filled")
    odd = replace(
        sc,
        requirements=tuple(replace(r, unit_type="ODD") for r in sc.requirements),
        pledges=tuple(replace(p, unit_type="ODD") for p in sc.pledges),
    )
    with pytest.raises(InputError, match="unknown unit type 'ODD'"):
        build_arcs(Index.of(odd))
