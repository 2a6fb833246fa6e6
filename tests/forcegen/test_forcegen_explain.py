"""Fast gap explanations agree with the reference (one MILP per gap and rule)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.domain.planning import Gap, Scenario
from bluehelmet.forcegen import plan
from bluehelmet.forcegen.model import Index
from bluehelmet.testing import example, random_scenario
from tests.forcegen.reference_explain import explain_gaps as reference_gaps

EXAMPLES = (
    "filled",
    "no_pledge",
    "caveat",
    "impartiality",
    "readiness",
    "contributor_cap",
    "budget",
    "women_share",
    "min_contributors",
    "competition",
    "infeasible",
)


def _reasons(gaps: tuple[Gap, ...]) -> list[tuple[str, list[tuple[str, str, int | None]]]]:
    return [
        (g.requirement, [(r.cause.value, r.detail, r.recoverable_units) for r in g.reasons])
        for g in gaps
    ]


def _compare(sc: Scenario) -> None:
    p = plan(sc, time_limit=60)
    index = Index.of(sc)
    from bluehelmet.forcegen.model import build_arcs, create_model

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
