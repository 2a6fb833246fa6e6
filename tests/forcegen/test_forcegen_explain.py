"""Fast gap explanations agree with the reference (one MILP per gap and rule)."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.domain.planning import Gap, GapCause, Scenario
from bluehelmet.forcegen import plan
from bluehelmet.forcegen.explain import _Explainer, _families, _screen
from bluehelmet.forcegen.model import Candidate, Index, Relaxation, build_arcs, create_model
from bluehelmet.testing import EXAMPLE_NAMES, example, random_scenario
from tests.forcegen.reference_explain import _model_for, max_units
from tests.forcegen.reference_explain import explain_gaps as reference_gaps

EXAMPLES = EXAMPLE_NAMES


def _reasons(gaps: tuple[Gap, ...]) -> list[tuple[str, list[tuple[str, str, int | None]]]]:
    return [
        (g.requirement, [(r.cause.value, r.detail, r.recoverable_units) for r in g.reasons])
        for g in gaps
    ]


def _compare(sc: Scenario) -> None:
    p = plan(sc, time_limit=60)
    index = Index.of(sc)
    side_rules = create_model(index, build_arcs(index)).side_rules
    expected = reference_gaps(index, side_rules, p.assignments)
    assert _reasons(p.gaps) == _reasons(expected)
    assert all(g.explanation == "complete" for g in p.gaps)
    assert p.quality.explanations == "complete"


@pytest.mark.parametrize("name", EXAMPLES)
def test_fast_explanations_match_the_reference_on_hand_made_cases(name: str) -> None:
    _compare(example(name))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_fast_explanations_match_the_reference_on_random_cases(seed: int) -> None:
    _compare(random_scenario(seed, pledges=5, requirements=4))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_fast_explanations_match_the_reference_on_larger_random_cases(seed: int) -> None:
    _compare(random_scenario(seed, pledges=10, requirements=6))


@dataclass
class _Held:
    """A scenario's plan without explanations, its short requirements and an explainer."""

    index: Index
    side_rules: Any
    filled: dict[str, int]
    total: float
    by_req: dict[int, list[Candidate]]
    short: list[int]
    ex: _Explainer


def _held(sc: Scenario) -> _Held | None:
    """The plan's fill per requirement and an explainer of its gaps (None without gaps)."""
    p = plan(sc, time_limit=60, explain=False)
    index = Index.of(sc)
    side_rules = create_model(index, build_arcs(index)).side_rules
    filled: dict[str, int] = defaultdict(int)
    for a in p.assignments:
        filled[a.requirement] += a.units
    total = sum(sc.policy.weight(r.priority) * filled[r.id] for r in sc.requirements)
    by_req: dict[int, list[Candidate]] = defaultdict(list)
    for c in index.candidates:
        by_req[c.requirement].append(c)
    short = sorted(j for j, r in enumerate(sc.requirements) if filled[r.id] < r.units and by_req[j])
    if not short:
        return None
    ex = _Explainer(
        index,
        set(short),
        p.assignments,
        deadline=time.perf_counter() + 60,
        extra_functionality=None,
        options=None,
    )
    return _Held(index, side_rules, filled, total, by_req, short, ex)


def _screen_bounds(sc: Scenario) -> list[tuple[int, int, int]]:
    """(requirement, bound from the screens, the reference's answer) of every screened rule."""
    held = _held(sc)
    if held is None:
        return []
    index, side_rules, filled, total = held.index, held.side_rules, held.filled, held.total
    by_req, short, ex = held.by_req, held.short, held.ex
    policy = sc.policy

    def floor_of(j: int) -> float:
        r = sc.requirements[j]
        return total - policy.weight(r.priority) * filled[r.id]

    recorded: list[tuple[int, frozenset[GapCause], Relaxation, int]] = []
    add_bound = ex.add_bound

    def record(
        j: int, causes: frozenset[GapCause], relax: Relaxation, floor: float, most: int
    ) -> None:
        recorded.append((j, causes, relax, most))
        add_bound(j, causes, relax, floor, most)

    ex.add_bound = record  # type: ignore[method-assign]
    _screen(
        ex,
        short,
        total_fill=total,
        floor_of=floor_of,
        side_rules=side_rules,
        by_req=by_req,
        deadline=time.perf_counter() + 60,
    )
    out = []
    for j, causes, relax, most in recorded:
        f = filled[sc.requirements[j].id]
        best = max_units(_model_for(index, j, causes, relax), j, others_floor=floor_of(j))
        out.append((j, most, best - f))
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_screen_bounds_are_never_below_the_reference_on_hand_made_cases(name: str) -> None:
    for j, most, gained in _screen_bounds(example(name)):
        assert gained <= most, (j, most, gained)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6))
def test_screen_bounds_are_never_below_the_reference_on_random_cases(seed: int) -> None:
    bounds = _screen_bounds(random_scenario(seed, pledges=8, requirements=5))
    for j, most, gained in bounds:
        assert gained <= most, (j, most, gained)


def _held_answers(sc: Scenario, *, witnesses: bool) -> list[tuple[int, str, int, int]]:
    """(requirement, rule, the explainer's answer, the reference's) of every rule relaxed
    alone and of all rules relaxed together, with the others' fill held. Without
    ``witnesses`` the single-unit moves and integral LP optima find no plan, so that every
    answer above zero comes from the MILP over the columns reduced-cost fixing leaves."""
    held = _held(sc)
    if held is None:
        return []
    index, side_rules, filled, total = held.index, held.side_rules, held.filled, held.total
    by_req, short, ex = held.by_req, held.short, held.ex
    policy = sc.policy
    if not witnesses:
        ex._add_units = lambda most: 0  # type: ignore[method-assign]
        ex._integral_point = lambda h, relax: None  # type: ignore[method-assign]
    out = []
    for j in short:
        req = sc.requirements[j]
        f = filled[req.id]
        floor = total - policy.weight(req.priority) * f
        static, dynamic = _families(index, j, side_rules, by_req[j])
        questions = [(c.value, frozenset({c}), Relaxation()) for c in static]
        questions += [(c.value, frozenset[GapCause](), r) for c, (r, _) in dynamic.items()]
        every = Relaxation(
            frozenset().union(*(r.cap_missions for _, _, r in questions)),
            frozenset().union(*(r.min_contributor_missions for _, _, r in questions)),
            any(r.budget for _, _, r in questions),
            frozenset().union(*(r.women_requirements for _, _, r in questions)),
        )
        questions.append(("all", frozenset(static), every))
        ex.focus(j)
        for name, causes, relax in questions:
            got = ex.gain(causes, relax, f=f, floor=floor)
            assert got.exact, (j, name)
            best = max_units(_model_for(index, j, causes, relax), j, others_floor=floor)
            out.append((j, name, got.units, max(0, best - f)))
        ex.release()
    return out


@pytest.mark.parametrize("witnesses", [True, False])
@pytest.mark.parametrize("name", EXAMPLES)
def test_held_answers_match_the_reference_on_hand_made_cases(name: str, witnesses: bool) -> None:
    for j, rule, got, expected in _held_answers(example(name), witnesses=witnesses):
        assert got == expected, (j, rule)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), witnesses=st.booleans())
def test_held_answers_match_the_reference_on_random_cases(seed: int, witnesses: bool) -> None:
    sc = random_scenario(seed, pledges=10, requirements=6)
    for j, rule, got, expected in _held_answers(sc, witnesses=witnesses):
        assert got == expected, (j, rule)
