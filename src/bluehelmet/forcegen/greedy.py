"""Greedy baseline: first-come matching, as planners do it by hand.

1. Requirements are taken in order of priority, then needed-by date, then file order.
2. For each, pledges of the unit type are asked in the order they were registered (file order);
   each gives as many units as it has left, if every static rule allows it (caveats,
   impartiality, readiness, language, capability) and the budget still covers them.
   A pledge that needs support is first asked as it is; only if the rules forbid that, with
   each usable partnership offer in file order (training, equipment, lift), as far as the
   offer's capacity left and its partner's budget allow.
3. Repair to meet the rules that bind several assignments: units are withdrawn from a
   requirement below its minimum women's share (lowest-share pledge first); from the largest
   contributor of a mission above the contributor cap (latest assignment first); and a mission
   with fewer distinct contributors than the minimum loses all its units.

The result always satisfies every hard rule; it is reported beside the optimizer's plan.
"""

from __future__ import annotations

import math
from collections import defaultdict

from bluehelmet.domain.planning import Assignment, Scenario
from bluehelmet.forcegen.costs import unit_cost
from bluehelmet.forcegen.model import Index
from bluehelmet.forcegen.partnerships import Variant
from bluehelmet.forcegen.rules import arrival


def greedy_assignments(
    scenario: Scenario, *, partnerships: bool = True, index: Index | None = None
) -> tuple[Assignment, ...]:
    """Plan ``scenario`` with the first-come baseline described in this module.

    ``partnerships=False``: no offer is used (pledges that cannot deploy without support
    stay out). ``index`` is the scenario's :class:`Index` with the same ``partnerships``
    when the caller has it (the static rules are read from it; built here otherwise).
    """
    if index is None or index.scenario is not scenario or index.partnerships != partnerships:
        index = Index.of(scenario, partnerships=partnerships)
    policy = scenario.policy
    units = {u.code: u for u in scenario.unit_types}
    contributors = {c.iso3: c for c in scenario.contributors}
    left = {p.id: p.units for p in scenario.pledges}
    n_r = max(1, len(scenario.requirements))
    # The (variant, requirement) pairs no static rule forbids. The index lists a supported
    # variant only where its pledge may not fill the requirement as it is: the loop below
    # skips those pairs before asking.
    free = index.causes == 0
    allowed = set((index.cand_variant[free] * n_r + index.cand_requirement[free]).tolist())
    by_type: dict[str, list[tuple[int, Variant]]] = defaultdict(list)
    for k, v in enumerate(index.variants):
        by_type[scenario.pledges[v.pledge].unit_type].append((k, v))
    costs: dict[tuple[float | None, str, str, str], float] = {}
    offers = scenario.partnerships
    capacity_left = [o.capacity for o in offers]
    activated: set[int] = set()
    partner_left = dict(policy.partner_budgets)
    order = sorted(
        enumerate(scenario.requirements), key=lambda t: (t[1].priority, t[1].needed_by, t[0])
    )
    spent = 0.0
    budget = policy.budget
    chosen: list[Assignment] = []
    for j, req in order:
        site = scenario.missions[int(index.requirement_mission[j])]
        unit = units[req.unit_type]
        need = req.units
        bare: set[int] = set()  # pledges that may fill ``req`` without support
        for k, v in by_type.get(req.unit_type, ()):
            if need == 0:
                break
            p = scenario.pledges[v.pledge]
            eff = v.effective
            if (v.offers and v.pledge in bare) or not v.serves(req.mission):
                continue
            if k * n_r + j not in allowed:
                continue
            if not v.offers:
                bare.add(v.pledge)
            if left[p.id] == 0:
                continue
            # unit_cost reads the stated cost, the contributor, the unit and the mission.
            key = (p.cost_per_unit, p.contributor, req.unit_type, req.mission)
            if key not in costs:
                state = contributors.get(p.contributor)
                costs[key] = unit_cost(p, unit, state, site, policy).total
            cost = costs[key]
            take = min(need, left[p.id])
            if budget is not None:
                affordable = int((budget - spent) // cost) if cost > 0 else take
                take = min(take, max(0, affordable))
            fees: dict[str, float] = defaultdict(float)
            for o in v.offers:
                if o not in activated:
                    fees[offers[o].partner] += offers[o].cost_usd
            if any(fee > partner_left.get(who, float("inf")) + 1e-9 for who, fee in fees.items()):
                continue
            for o, amount in zip(v.offers, v.amounts, strict=True):
                take = min(take, int(capacity_left[o] / amount + 1e-9))
            if take == 0:
                continue
            for o, amount in zip(v.offers, v.amounts, strict=True):
                capacity_left[o] -= take * amount
                activated.add(o)
            for who, fee in fees.items():
                if who in partner_left:
                    partner_left[who] -= fee
            arrives = arrival(eff, policy)
            chosen.append(
                Assignment(
                    pledge=p.id,
                    requirement=req.id,
                    contributor=p.contributor,
                    mission=req.mission,
                    unit_type=req.unit_type,
                    units=take,
                    personnel=take * unit.personnel,
                    arrival=arrives,
                    late_days=max(0, (arrives - req.needed_by).days),
                    cost_usd=take * cost,
                    offers=tuple(offers[o].id for o in v.offers),
                )
            )
            spent += take * cost
            left[p.id] -= take
            need -= take
    return _repair(scenario, chosen)


def _less(a: Assignment, units: int) -> Assignment | None:
    if units <= 0:
        return None
    per_cost = a.cost_usd / a.units
    per_person = a.personnel // a.units
    return Assignment(
        a.pledge,
        a.requirement,
        a.contributor,
        a.mission,
        a.unit_type,
        units,
        units * per_person,
        a.arrival,
        a.late_days,
        units * per_cost,
        a.offers,
    )


def _repair(scenario: Scenario, chosen: list[Assignment]) -> tuple[Assignment, ...]:
    policy = scenario.policy
    women_share = {p.id: p.women_share for p in scenario.pledges}
    minimum = {r.id: r.min_women_share for r in scenario.requirements}
    plan: list[Assignment | None] = list(chosen)

    def live() -> list[tuple[int, Assignment]]:
        return [(i, a) for i, a in enumerate(plan) if a is not None]

    def group(key: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = defaultdict(list)
        for i, a in live():
            out[getattr(a, key)].append(i)
        return out

    def fix_women() -> bool:
        changed = False
        for req, idx in group("requirement").items():
            low = minimum[req]
            while low > 0:
                mine = [(i, a) for i in idx if (a := plan[i]) is not None]
                persons = sum(a.personnel for _, a in mine)
                women = sum(a.personnel * women_share[a.pledge] for _, a in mine)
                if not persons or women >= low * persons - 1e-9:
                    break
                i, a = min(mine, key=lambda t: (women_share[t[1].pledge], -t[0]))
                q = a.personnel // a.units
                k = math.ceil((low * persons - women) / (q * (low - women_share[a.pledge])) - 1e-9)
                plan[i] = _less(a, a.units - max(1, min(k, a.units)))
                changed = True
        return changed

    def fix_cap() -> bool:
        share = policy.max_contributor_share
        if share is None or share >= 1:
            return False
        changed = False
        for idx in group("mission").values():
            while True:
                mine = [(i, a) for i in idx if (a := plan[i]) is not None]
                total = sum(a.personnel for _, a in mine)
                per: dict[str, int] = defaultdict(int)
                for _, a in mine:
                    per[a.contributor] += a.personnel
                over = [c for c, v in per.items() if v > share * total + 1e-9]
                if not over:
                    break
                worst = max(over, key=lambda c: (per[c], c))
                i, a = max((t for t in mine if t[1].contributor == worst), key=lambda t: t[0])
                q = a.personnel // a.units
                k = math.ceil((per[worst] - share * total) / (q * (1 - share)) - 1e-9)
                plan[i] = _less(a, a.units - max(1, min(k, a.units)))
                changed = True
        return changed

    while True:
        women_changed = fix_women()
        if not fix_cap() and not women_changed:
            break
    # Minimum distinct contributors per mission (dropping a whole mission breaks no rule).
    if policy.min_contributors > 1:
        who: dict[str, set[str]] = defaultdict(set)
        for _, a in live():
            who[a.mission].add(a.contributor)
        for i, a in live():
            if len(who[a.mission]) < policy.min_contributors:
                plan[i] = None
    return tuple(a for a in plan if a is not None)
