"""Planner: demo, hand-made gap reasons, network detection, quality report."""

from __future__ import annotations

from datetime import date

import pytest

from bluehelmet.domain.planning import GapCause, ReadinessLevel
from bluehelmet.forcegen import (
    demo_scenario,
    great_circle_km,
    greedy_assignments,
    plan,
    plan_to_dict,
    reimbursement_rate,
)
from bluehelmet.testing import assert_plan_feasible, example


def causes(p, requirement: str = "R1") -> set[GapCause]:
    gap = next(g for g in p.gaps if g.requirement == requirement)
    return {r.cause for r in gap.reasons}


def test_filled_example_has_no_gap_and_is_solved_as_network() -> None:
    sc = example("filled")
    p = plan(sc)
    assert [(a.pledge, a.requirement, a.units) for a in p.assignments] == [("P1", "R1", 1)]
    assert p.gaps == ()
    assert p.quality.method == "network LP"
    assert any("transportation" in n for n in p.notes)
    assert p.quality.objective.fill == p.quality.bound == 2.0  # priority 2: weight 2


@pytest.mark.parametrize(
    ("name", "cause"),
    [
        ("no_pledge", GapCause.NO_PLEDGE),
        ("caveat", GapCause.CAVEAT),
        ("impartiality", GapCause.IMPARTIALITY),
        ("readiness", GapCause.READINESS),
        ("contributor_cap", GapCause.CONTRIBUTOR_CAP),
        ("budget", GapCause.BUDGET),
        ("women_share", GapCause.WOMEN_SHARE),
        ("min_contributors", GapCause.MIN_CONTRIBUTORS),
    ],
)
def test_each_gap_reason_is_found_on_its_hand_made_case(name: str, cause: GapCause) -> None:
    sc = example(name)
    p = plan(sc)
    assert_plan_feasible(sc, p)
    assert cause in causes(p), p.gaps
    reason = next(r for g in p.gaps for r in g.reasons if r.cause is cause)
    assert reason.verified


def test_reasons_recover_the_right_number_of_units() -> None:
    p = plan(example("contributor_cap"))
    # 3 needed; BBB sends 1, so AAA may send 1 (50%); without the cap AAA sends 2.
    (gap,) = p.gaps
    assert (gap.filled, gap.required) == (2, 3)
    (reason,) = gap.reasons
    assert reason.cause is GapCause.CONTRIBUTOR_CAP
    assert reason.recoverable_units == 1
    p = plan(example("budget"))
    (gap,) = p.gaps
    assert gap.filled == 1
    (reason,) = [r for r in gap.reasons if r.cause is GapCause.BUDGET]
    assert reason.recoverable_units == 1
    assert "1,500,000" in reason.detail


def test_impartiality_names_host_and_neighbour() -> None:
    p = plan(example("impartiality"))
    (gap,) = p.gaps
    (reason,) = gap.reasons
    assert "HST is the host state" in reason.detail
    assert "NBR neighbours the host state" in reason.detail


def test_readiness_reason_gives_dates() -> None:
    p = plan(example("readiness"))
    (reason,) = p.gaps[0].reasons
    # level_1 assumed 270 days after 2026-01-01 -> 2026-09-28, needed by 2026-06-01.
    assert "arrives 2026-09-28" in reason.detail
    assert "needed by 2026-06-01" in reason.detail


def test_competition_between_requirements() -> None:
    p = plan(example("competition"))
    assert [a.requirement for a in p.assignments] == ["R1"]
    assert causes(p, "R2") == {GapCause.COMPETITION}


def test_infeasible_scenario_gives_empty_plan_with_every_gap_explained() -> None:
    sc = example("infeasible")
    p = plan(sc)
    assert p.assignments == ()
    assert {g.requirement for g in p.gaps} == {"R1", "R2"}
    assert all(g.reasons for g in p.gaps)
    assert causes(p, "R1") >= {GapCause.IMPARTIALITY, GapCause.READINESS}
    assert GapCause.CAVEAT in causes(p, "R2")
    assert GapCause.SHORTAGE in causes(p, "R2")  # 1 INF unit pledged, 2 needed
    assert p.quality.objective.fill == 0


def test_late_arrivals_are_allowed_only_within_the_policy_and_reported() -> None:
    from dataclasses import replace

    sc = example("readiness")
    sc = replace(sc, policy=replace(sc.policy, allow_late_days=150))
    p = plan(sc)
    (a,) = p.assignments
    assert a.late_days == (date(2026, 9, 28) - date(2026, 6, 1)).days
    (gap,) = p.gaps
    assert gap.late_units == 1
    assert gap.missing == 0
    assert gap.reasons[0].cause is GapCause.READINESS


def test_demo_plan_is_feasible_beats_greedy_and_explains_gaps() -> None:
    sc = demo_scenario()
    assert sc.illustrative
    p = plan(sc)
    assert_plan_feasible(sc, p)
    assert_plan_feasible(sc, greedy_assignments(sc))
    q = p.quality
    assert q.optimal
    assert q.objective.fill <= q.bound + 1e-6
    assert q.baseline.fill < q.objective.fill
    assert p.gaps and all(g.reasons for g in p.gaps)
    enablers = {u.code for u in sc.unit_types if u.enabler}
    assert any(g.unit_type in enablers for g in p.gaps)
    data = plan_to_dict(p)
    assert {"assignments", "gaps", "objective", "bound", "gap", "baseline"} <= set(data)


def test_cost_model_parts() -> None:
    assert reimbursement_rate(date(2020, 1, 1)) == 1428.0
    # Paris to Rome: about 1,105 km great-circle.
    assert great_circle_km((48.8566, 2.3522), (41.9028, 12.4964)) == pytest.approx(1105, abs=5)
    assert great_circle_km((0, 0), (0, 180)) == pytest.approx(20015.1, abs=1)


def test_rapid_deployment_level_is_60_days() -> None:
    from bluehelmet.domain.planning import ASSUMED_LEAD_TIME_DAYS, RAPID_DEPLOYMENT_DAYS

    assert RAPID_DEPLOYMENT_DAYS == 60
    assert ASSUMED_LEAD_TIME_DAYS[ReadinessLevel.RAPID] == 60
