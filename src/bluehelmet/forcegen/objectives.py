"""The three objectives, defined once per unit of a (pledge, requirement) pair and per plan.

1. fill: sum over requirements of ``priority weight x units filled`` (maximized first);
2. legitimacy: per unit, ``regional_weight`` if the contributor is from the mission's region,
   ``language_weight`` if the unit speaks a mission language, ``women_weight x
   min(1, women's share / target)`` when a women's target applies; plus ``diversity_weight``
   per distinct contributor of each mission (maximized second, with fill held);
3. cost: USD of the cost model plus ``delay_usd_per_unit_day`` per unit and day from the
   request to arrival (minimized last, with fill and legitimacy held). What partners pay for
   their offers is not in it: it counts against each partner's budget.

A pledge that relies on offers (``Assignment.offers``) arrives as supported (training, equipment
and lift change its arrival; :func:`bluehelmet.forcegen.partnerships.effective_for`).
"""

from __future__ import annotations

from collections.abc import Iterable

from bluehelmet.domain.planning import (
    Assignment,
    Contributor,
    MissionSite,
    Objectives,
    Pledge,
    Policy,
    Requirement,
    Scenario,
)
from bluehelmet.forcegen.partnerships import effective_for
from bluehelmet.forcegen.rules import arrival


def legitimacy_per_unit(
    pledge: Pledge, contributor: Contributor | None, mission: MissionSite, policy: Policy
) -> float:
    """Legitimacy credited for one unit of ``pledge`` in ``mission`` (diversity excluded)."""
    score = 0.0
    region = contributor.region if contributor is not None else None
    if region is not None and region == mission.region:
        score += policy.regional_weight
    if set(pledge.languages) & set(mission.languages):
        score += policy.language_weight
    target = mission.women_target if mission.women_target is not None else policy.women_target
    if target is not None and target > 0:
        score += policy.women_weight * min(1.0, pledge.women_share / target)
    return score


def delay_days(pledge: Pledge, policy: Policy) -> int:
    """Days from the UN request to the pledge's earliest arrival."""
    return (arrival(pledge, policy) - policy.request_date).days


def time_cost_per_unit(pledge: Pledge, policy: Policy) -> float:
    """Value (USD) of the deployment time of one unit of ``pledge``."""
    return policy.delay_usd_per_unit_day * delay_days(pledge, policy)


def evaluate(scenario: Scenario, assignments: Iterable[Assignment]) -> Objectives:
    """Objective values of a set of assignments (the optimizer, greedy and tests share this)."""
    policy = scenario.policy
    pledges = {p.id: p for p in scenario.pledges}
    reqs: dict[str, Requirement] = {r.id: r for r in scenario.requirements}
    contributors = {c.iso3: c for c in scenario.contributors}
    missions = {m.acronym: m for m in scenario.missions}
    fill = legit = cost = 0.0
    who: dict[str, set[str]] = {}
    for a in assignments:
        if a.units <= 0:
            continue
        pledge, req = pledges[a.pledge], reqs[a.requirement]
        if pledge.needs or a.offers:
            pledge = effective_for(scenario, pledge, a.offers) or pledge
        mission = missions[req.mission]
        fill += policy.weight(req.priority) * a.units
        legit += a.units * legitimacy_per_unit(
            pledge, contributors.get(pledge.contributor), mission, policy
        )
        cost += a.cost_usd + a.units * time_cost_per_unit(pledge, policy)
        who.setdefault(req.mission, set()).add(pledge.contributor)
    legit += policy.diversity_weight * sum(len(c) for c in who.values())
    return Objectives(fill=fill, legitimacy=legit, cost=cost)
