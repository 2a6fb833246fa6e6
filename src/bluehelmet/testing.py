"""Example scenarios and assertion helpers for tests of plans (and of code that uses them).

* :func:`check_plan` / :func:`assert_plan_feasible` check every hard rule of a scenario on a
  plan, recomputing each rule from the scenario (not from the model).
* :func:`brute_force` enumerates every integer plan of a tiny scenario and returns the
  lexicographically best objectives, to compare with the optimizer.
* :func:`random_scenario` draws small random scenarios with every rule in play;
  :func:`synthetic_scenario` builds the benchmark sizes; :func:`example` gives small named
  scenarios, one per gap reason.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from bluehelmet.domain.planning import (
    Assignment,
    Beneficiary,
    Contributor,
    MissionSite,
    Objectives,
    OfferStatus,
    PartnershipKind,
    PartnershipOffer,
    Plan,
    Pledge,
    PledgeNeed,
    Policy,
    ReadinessLevel,
    Requirement,
    Scenario,
    UnitSpec,
)
from bluehelmet.forcegen.costs import unit_cost
from bluehelmet.forcegen.objectives import evaluate
from bluehelmet.forcegen.partnerships import effective_for, offer_use, variants
from bluehelmet.forcegen.rules import arrival, exclusions

_EPS = 1e-6


def check_plan(scenario: Scenario, plan: Plan | Iterable[Assignment]) -> list[str]:
    """Every hard-rule violation of ``plan`` in ``scenario`` (empty list: feasible)."""
    assignments = list(plan.assignments if isinstance(plan, Plan) else plan)
    policy = scenario.policy
    pledges = {p.id: p for p in scenario.pledges}
    reqs = {r.id: r for r in scenario.requirements}
    sites = {m.acronym: m for m in scenario.missions}
    units = {u.code: u for u in scenario.unit_types}
    contributors = {c.iso3: c for c in scenario.contributors}
    bad: list[str] = []
    used: dict[str, int] = defaultdict(int)
    got: dict[str, int] = defaultdict(int)
    spent = 0.0
    offers = {o.id: o for o in scenario.partnerships}
    for a in assignments:
        p, r = pledges.get(a.pledge), reqs.get(a.requirement)
        if p is None or r is None:
            bad.append(f"{a.pledge}->{a.requirement}: unknown pledge or requirement")
            continue
        where = f"{p.id}->{r.id}"
        for o in a.offers:
            offer = offers.get(o)
            if offer is None:
                bad.append(f"{where}: relies on unknown offer {o}")
            elif not offer.usable:
                bad.append(f"{where}: relies on offer {o}, which is not accepted")
            elif offer.beneficiary.missions and r.mission not in offer.beneficiary.missions:
                bad.append(f"{where}: offer {o} does not serve mission {r.mission}")
        if p.needs or a.offers:
            supported = effective_for(scenario, p, a.offers)
            if supported is None:
                bad.append(f"{where}: offers {list(a.offers)} do not make the pledge deployable")
                continue
            p_arrives = supported
            bare = effective_for(scenario, p, ())
            if a.offers and bare is not None and not exclusions(bare, r, sites[r.mission], policy):
                bad.append(f"{where}: relies on offers {list(a.offers)} it does not need")
        else:
            p_arrives = p
        if a.units <= 0:
            bad.append(f"{where}: non-positive units {a.units}")
        if p.unit_type != r.unit_type:
            bad.append(f"{where}: unit type {p.unit_type} does not fill {r.unit_type}")
        if (a.contributor, a.mission, a.unit_type) != (p.contributor, r.mission, r.unit_type):
            bad.append(f"{where}: assignment fields disagree with pledge and requirement")
        bad.extend(
            f"{where}: {e.detail}" for e in exclusions(p_arrives, r, sites[r.mission], policy)
        )
        if a.personnel != a.units * units[r.unit_type].personnel:
            bad.append(f"{where}: personnel {a.personnel} is not units x unit strength")
        arrives = arrival(p_arrives, policy)
        if a.arrival != arrives or a.late_days != max(0, (arrives - r.needed_by).days):
            bad.append(f"{where}: arrival or lateness misreported")
        cost = (
            a.units
            * unit_cost(
                p, units[r.unit_type], contributors.get(p.contributor), sites[r.mission], policy
            ).total
        )
        if abs(cost - a.cost_usd) > _EPS * max(1.0, cost):
            bad.append(f"{where}: cost {a.cost_usd} differs from the cost model {cost}")
        used[p.id] += a.units
        got[r.id] += a.units
        spent += cost
    bad.extend(
        f"pledge {k}: {v} units used, {pledges[k].units} pledged"
        for k, v in used.items()
        if v > pledges[k].units
    )
    bad.extend(
        f"requirement {k}: {v} units planned, {reqs[k].units} required"
        for k, v in got.items()
        if v > reqs[k].units
    )
    used_offers = offer_use(scenario, [a for a in assignments if a.pledge in pledges])
    fees: dict[str, float] = defaultdict(float)
    for o, amount in used_offers.items():
        if o not in offers:
            continue
        if amount > offers[o].capacity * (1 + _EPS) + _EPS:
            bad.append(
                f"offer {o}: {amount:g} {offers[o].unit} used, {offers[o].capacity:g} offered"
            )
        fees[offers[o].partner] += offers[o].cost_usd
    for who, fee in fees.items():
        limit = policy.partner_budgets.get(who)
        if limit is not None and fee > limit * (1 + _EPS) + _EPS:
            bad.append(
                f"partner {who}: USD {fee:,.2f} of offers activated, USD {limit:,.2f} budget"
            )
    if policy.budget is not None and spent > policy.budget * (1 + _EPS) + _EPS:
        bad.append(f"budget: USD {spent:,.2f} planned, USD {policy.budget:,.2f} allowed")
    strength: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for a in assignments:
        strength[a.mission][a.contributor] += a.personnel
    for mission, per in strength.items():
        total = sum(per.values())
        share = policy.max_contributor_share
        if share is not None:
            bad.extend(
                f"{mission}: {c} has {v} of {total} personnel (cap {share:.0%})"
                for c, v in per.items()
                if v > share * total + _EPS
            )
        distinct = sum(1 for v in per.values() if v > 0)
        if total > 0 and distinct < policy.min_contributors:
            bad.append(f"{mission}: {distinct} contributors, at least {policy.min_contributors}")
    for r in scenario.requirements:
        if r.min_women_share <= 0:
            continue
        mine = [a for a in assignments if a.requirement == r.id]
        persons = sum(a.personnel for a in mine)
        women = sum(a.personnel * pledges[a.pledge].women_share for a in mine)
        if women < r.min_women_share * persons - _EPS:
            bad.append(f"{r.id}: women's share {women / persons:.3f} < {r.min_women_share}")
    return bad


def assert_plan_feasible(scenario: Scenario, plan: Plan | Iterable[Assignment]) -> None:
    """Raise ``AssertionError`` listing every hard rule ``plan`` breaks."""
    bad = check_plan(scenario, plan)
    if bad:
        msg = "plan breaks hard rules:\n  " + "\n  ".join(bad)
        raise AssertionError(msg)


def _key(o: Objectives) -> tuple[float, float, float]:
    return (round(o.fill, 6), round(o.legitimacy, 6), -o.cost)


def brute_force(scenario: Scenario, *, limit: int = 200_000) -> Objectives:
    """Best objectives over every integer plan (fill, then legitimacy, then cost).

    Enumerates the units of every (pledge, requirement) pair of the same type that the static
    rules allow; raises ``ValueError`` when that exceeds ``limit`` plans.
    """
    policy = scenario.policy
    sites = {m.acronym: m for m in scenario.missions}
    units = {u.code: u for u in scenario.unit_types}
    contributors = {c.iso3: c for c in scenario.contributors}
    eligible = [
        (v, r)
        for v in variants(scenario)
        for r in scenario.requirements
        if v.effective.unit_type == r.unit_type
        and v.serves(r.mission)
        and not exclusions(v.effective, r, sites[r.mission], policy)
    ]
    # Offers are relied on only where the pledge could not fill the requirement without them.
    bare = {(v.pledge, r.id) for v, r in eligible if not v.offers}
    pairs = [(v, r) for v, r in eligible if not v.offers or (v.pledge, r.id) not in bare]
    ranges = [range(min(v.effective.units, r.units) + 1) for v, r in pairs]
    count = 1
    for rg in ranges:
        count *= len(rg)
    if count > limit:
        msg = f"{count} plans to enumerate (limit {limit})"
        raise ValueError(msg)
    best: Objectives | None = None
    for combo in itertools.product(*ranges):
        plan: list[Assignment] = []
        for n, (v, r) in zip(combo, pairs, strict=True):
            if n == 0:
                continue
            p = scenario.pledges[v.pledge]
            unit = units[r.unit_type]
            arrives = arrival(v.effective, policy)
            cost = unit_cost(p, unit, contributors.get(p.contributor), sites[r.mission], policy)
            plan.append(
                Assignment(
                    p.id,
                    r.id,
                    p.contributor,
                    r.mission,
                    r.unit_type,
                    n,
                    n * unit.personnel,
                    arrives,
                    max(0, (arrives - r.needed_by).days),
                    n * cost.total,
                    tuple(scenario.partnerships[o].id for o in v.offers),
                )
            )
        if check_plan(scenario, plan):
            continue
        value = evaluate(scenario, plan)
        if best is None or _key(value) > _key(best):
            best = value
    assert best is not None  # the empty plan is always feasible
    return best


# -- scenario generators ---------------------------------------------------------------------
_REGIONS = ("Africa", "Asia", "Europe", "Americas", "Oceania")
_LEVELS = tuple(ReadinessLevel)


def random_scenario(seed: int, *, pledges: int = 4, requirements: int = 3) -> Scenario:
    """A small random scenario with every hard rule in play (for property tests)."""
    rng = random.Random(seed)
    request = date(2026, 1, 1)
    types = (UnitSpec("A", "type A", rng.choice((50, 100))), UnitSpec("B", "type B", 80))
    who = ("C1", "C2", "C3", "H1")
    contributors = tuple(
        Contributor(
            c,
            region=rng.choice(_REGIONS[:2]),
            capital=(rng.uniform(-30, 40), rng.uniform(-20, 60)),
            languages=tuple(rng.sample(("en", "fr"), rng.randint(1, 2))),
        )
        for c in who
    )
    contributors += (Contributor("H2", region="Asia"),)  # host state of M2, pledges nothing
    missions = (
        MissionSite("M1", ("H1",), region="Africa", hq=(0.0, 20.0), languages=("fr",)),
        MissionSite("M2", ("H2",), region="Asia", hq=(30.0, 35.0), neighbours=("C3",)),
    )
    reqs = tuple(
        Requirement(
            id=f"R{j}",
            mission=rng.choice(("M1", "M2")),
            unit_type=rng.choice(("A", "B")),
            units=rng.randint(1, 2),
            needed_by=request + timedelta(days=rng.choice((70, 150, 300))),
            priority=rng.randint(1, 3),
            languages=("fr",) if rng.random() < 0.2 else (),
            min_women_share=rng.choice((0.0, 0.0, 0.0, 0.1)),
            capabilities=("night",) if rng.random() < 0.2 else (),
        )
        for j in range(requirements)
    )
    pls = tuple(
        Pledge(
            id=f"P{i}",
            contributor=rng.choice(who),
            unit_type=rng.choice(("A", "B")),
            units=rng.randint(1, 2),
            readiness=rng.choice(_LEVELS),
            available_from=request + timedelta(days=rng.choice((0, 30))),
            women_share=rng.choice((0.0, 0.05, 0.2)),
            languages=tuple(rng.sample(("en", "fr"), rng.randint(1, 2))),
            capabilities=("night",) if rng.random() < 0.5 else (),
            excluded_missions=("M2",) if rng.random() < 0.2 else (),
            cost_per_unit=rng.choice((None, 1e6)),
        )
        for i in range(pledges)
    )
    policy = Policy(
        request_date=request,
        max_contributor_share=rng.choice((None, None, 0.6, 0.75)),
        min_contributors=rng.choice((1, 1, 1, 2)),
        exclude_neighbours=rng.random() < 0.5,
        budget=rng.choice((None, None, 3e6, 6e6)),
        allow_late_days=rng.choice((0, 0, 30)),
        women_target=rng.choice((None, 0.15)),
        diversity_weight=rng.choice((0.0, 1.0)),
        reimbursement_rate=1428.0,
    )
    return Scenario(
        name=f"random-{seed}",
        policy=policy,
        unit_types=types,
        missions=missions,
        requirements=reqs,
        pledges=pls,
        contributors=contributors,
        illustrative=True,
    )


def with_partnerships(scenario: Scenario, seed: int, *, offers: int = 3) -> Scenario:
    """``scenario`` with random needs on its pledges and random partnership offers.

    Needs: training to level_3 or rapid (seats), equipment (APCs), lift (flight hours, with or
    without a surface ``delay_days``). Offers: every status, small capacities, beneficiaries
    and costs; partners JPN, EU and USA, with a budget for JPN.
    """
    rng = random.Random(seed)
    kinds = (PartnershipKind.TRAINING, PartnershipKind.EQUIPMENT, PartnershipKind.LOGISTICS)
    units = {PartnershipKind.TRAINING: "seats", PartnershipKind.EQUIPMENT: "APC"}
    units[PartnershipKind.LOGISTICS] = "flight_hours"
    pledges: list[Pledge] = []
    for p in scenario.pledges:
        needs: list[PledgeNeed] = []
        for kind in rng.sample(kinds, rng.choice((0, 1, 1, 2))):
            needs.append(
                PledgeNeed(
                    kind,
                    float(rng.choice((1, 2))),
                    units[kind],
                    readiness=rng.choice((ReadinessLevel.LEVEL_3, ReadinessLevel.RAPID))
                    if kind is PartnershipKind.TRAINING
                    else None,
                    delay_days=rng.choice((None, 60))
                    if kind is PartnershipKind.LOGISTICS
                    else None,
                )
            )
        pledges.append(replace(p, needs=tuple(needs)))
    who = sorted({p.contributor for p in scenario.pledges})
    needed = sorted({n.kind for p in pledges for n in p.needs}) or list(kinds)
    made: list[PartnershipOffer] = []
    for k in range(offers):
        kind = rng.choice(needed)
        made.append(
            PartnershipOffer(
                id=f"O{k}",
                partner=rng.choice(("JPN", "EU", "USA")),
                kind=kind,
                capacity=float(rng.choice((1, 2, 3, 4))),
                unit=units[kind],
                beneficiary=Beneficiary(
                    contributors=tuple(rng.sample(who, 1)) if rng.random() < 0.3 else (),
                    missions=("M1",) if rng.random() < 0.2 else (),
                ),
                lead_time_days=rng.choice((0, 20, 45)),
                cost_usd=rng.choice((0.0, 1e5, 5e5)),
                status=rng.choice(
                    (
                        OfferStatus.ACCEPTED,
                        OfferStatus.ACCEPTED,
                        OfferStatus.OFFERED,
                        OfferStatus.DELIVERED,
                    )
                ),
                illustrative=True,
            )
        )
    policy = replace(scenario.policy, partner_budgets={"JPN": rng.choice((1e5, 6e5, 1e6))})
    return replace(scenario, pledges=tuple(pledges), partnerships=tuple(made), policy=policy)


#: Partners of the synthetic benchmark offers (registry codes).
_PARTNERS = ("JPN", "USA", "GBR", "FRA", "DEU", "CHN", "CAN", "NLD", "EU", "AU", "NATO")


def synthetic_partnerships(scenario: Scenario, *, offers: int = 20, seed: int = 0) -> Scenario:
    """``scenario`` with partnership needs on about one pledge in ten and ``offers``
    offers (all figures invented, for benchmarks).

    Slow pledges (levels 1 and 2) may be trained to level 3; enabler pledges may need lift
    (arriving 120 days later without it, or not at all); some other pledges are incomplete
    without equipment. Offers: training courses for a few unit types, equipment packages for
    some contributors, lift for enablers; about four in five accepted, the rest offered;
    partner budgets for the first three partners.
    """
    rng = random.Random(seed)
    enablers = {u.code for u in scenario.unit_types if u.enabler}
    slow = {ReadinessLevel.LEVEL_1, ReadinessLevel.LEVEL_2}
    pledges: list[Pledge] = []
    for p in scenario.pledges:
        needs: list[PledgeNeed] = []
        if p.readiness in slow and rng.random() < 0.1:
            needs.append(
                PledgeNeed(
                    PartnershipKind.TRAINING,
                    float(rng.choice((10, 20))),
                    "seats",
                    readiness=ReadinessLevel.LEVEL_3,
                )
            )
        if p.unit_type in enablers and rng.random() < 0.2:
            needs.append(
                PledgeNeed(
                    PartnershipKind.LOGISTICS,
                    float(rng.choice((40, 60, 80))),
                    "flight_hours",
                    delay_days=rng.choice((120, None)),
                )
            )
        elif p.unit_type not in enablers and rng.random() < 0.05:
            needs.append(PledgeNeed(PartnershipKind.EQUIPMENT, float(rng.choice((6, 12))), "APC"))
        pledges.append(replace(p, needs=tuple(needs)))
    types = [u.code for u in scenario.unit_types]
    who = sorted({p.contributor for p in pledges if p.needs})
    made: list[PartnershipOffer] = []
    for k in range(offers):
        kind = rng.choice(
            (PartnershipKind.TRAINING, PartnershipKind.LOGISTICS, PartnershipKind.EQUIPMENT)
        )
        if kind is PartnershipKind.TRAINING:
            unit, capacity = "seats", float(rng.choice((40, 60, 100)))
            beneficiary = Beneficiary(unit_types=tuple(rng.sample(types, 3)))
        elif kind is PartnershipKind.LOGISTICS:
            unit, capacity = "flight_hours", float(rng.choice((150, 300, 500)))
            beneficiary = Beneficiary(unit_types=tuple(sorted(enablers)))
        else:
            unit, capacity = "APC", float(rng.choice((12, 24, 36)))
            beneficiary = Beneficiary(contributors=tuple(rng.sample(who, min(len(who), 4))))
        made.append(
            PartnershipOffer(
                id=f"O{k:03d}",
                partner=rng.choice(_PARTNERS),
                kind=kind,
                capacity=capacity,
                unit=unit,
                beneficiary=beneficiary,
                lead_time_days=rng.choice((20, 45, 60)),
                cost_usd=float(rng.choice((5e5, 1e6, 2.5e6))),
                status=OfferStatus.ACCEPTED if rng.random() < 0.8 else OfferStatus.OFFERED,
                illustrative=True,
            )
        )
    policy = replace(scenario.policy, partner_budgets=dict.fromkeys(_PARTNERS[:3], 4000000.0))
    return replace(
        scenario,
        name=scenario.name + "-partnerships",
        pledges=tuple(pledges),
        partnerships=tuple(made),
        policy=policy,
    )


def without_side_rules(scenario: Scenario) -> Scenario:
    """``scenario`` with no cap, minimum contributors, budget, women's minimum or diversity."""
    policy = replace(
        scenario.policy,
        max_contributor_share=None,
        min_contributors=1,
        budget=None,
        diversity_weight=0.0,
    )
    reqs = tuple(replace(r, min_women_share=0.0) for r in scenario.requirements)
    return replace(scenario, policy=policy, requirements=reqs)


#: Unit types of the synthetic benchmark: the first ten are scarce enablers.
_ENABLERS = (
    ("UTIL_HEL", 110),
    ("ARMED_HEL", 120),
    ("L2_HOSP", 70),
    ("L3_HOSP", 150),
    ("ENG_COY", 175),
    ("ISR_UAS", 60),
    ("ISR_GROUND", 90),
    ("SIG_COY", 120),
    ("TRANSPORT_COY", 160),
    ("EOD_COY", 80),
)


def synthetic_scenario(
    *,
    contributors: int = 120,
    missions: int = 15,
    unit_types: int = 40,
    pledges: int = 1500,
    seed: int = 0,
    scarce: bool = False,
) -> Scenario:
    """A random scenario of realistic shape for benchmarks (all figures invented).

    Enablers (the first ten unit types) are pledged at about a third of the demand for them;
    other types at about twice the demand at the realistic size. With ``scarce`` the rules
    bind as planners meet them: a budget of about 60 % of what filling every requirement
    would cost, a contributor cap of 30 %, and minimum women's shares of 10-15 % on a third
    of the requirements.
    """
    rng = random.Random(seed)
    request = date(2026, 1, 1)
    types = [UnitSpec(code, code, size, enabler=True) for code, size in _ENABLERS]
    types += [
        UnitSpec(f"TYPE_{k:02d}", f"type {k}", rng.choice((140, 180, 850)))
        for k in range(len(types), unit_types)
    ]
    types = types[:unit_types]
    states = tuple(
        Contributor(
            f"C{k:03d}",
            region=rng.choice(_REGIONS),
            capital=(rng.uniform(-40, 60), rng.uniform(-100, 140)),
            languages=tuple(rng.sample(("en", "fr", "es", "ar"), rng.randint(1, 2))),
        )
        for k in range(contributors)
    )
    codes = [c.iso3 for c in states]
    states += tuple(Contributor(f"H{k:02d}", region="Africa") for k in range(missions))
    sites = tuple(
        MissionSite(
            f"M{k:02d}",
            (f"H{k:02d}",),
            region=rng.choice(_REGIONS[:2]),
            hq=(rng.uniform(-10, 35), rng.uniform(-15, 50)),
            neighbours=tuple(rng.sample(codes, 3)),
            languages=(rng.choice(("en", "fr")),),
        )
        for k in range(missions)
    )
    reqs: list[Requirement] = []
    for site in sites:
        for unit in rng.sample(types, min(len(types), 12)):
            reqs.append(
                Requirement(
                    id=f"{site.acronym}-{unit.code}",
                    mission=site.acronym,
                    unit_type=unit.code,
                    units=rng.randint(1, 3),
                    needed_by=request + timedelta(days=rng.choice((75, 120, 200, 300))),
                    priority=rng.randint(1, 3),
                    min_women_share=(
                        (rng.choice((0.1, 0.15)) if scarce else 0.1)
                        if rng.random() < (0.33 if scarce else 0.1)
                        else 0.0
                    ),
                )
            )
    demand: dict[str, int] = defaultdict(int)
    for r in reqs:
        demand[r.unit_type] += r.units
    weights = [demand[u.code] * (0.15 if u.enabler else 1.0) + 0.01 for u in types]
    pls: list[Pledge] = []
    for i in range(pledges):
        unit = rng.choices(types, weights=weights)[0]
        excluded = (rng.choice(sites).acronym,) if rng.random() < 0.1 else ()
        pls.append(
            Pledge(
                id=f"P{i:06d}",
                contributor=rng.choice(codes),
                unit_type=unit.code,
                units=rng.randint(1, 2),
                readiness=rng.choice(_LEVELS),
                available_from=request + timedelta(days=rng.choice((0, 30, 60))),
                women_share=round(rng.uniform(0.0, 0.25), 2),
                languages=tuple(rng.sample(("en", "fr", "es", "ar"), rng.randint(1, 2))),
                excluded_missions=excluded,
            )
        )
    policy = Policy(
        request_date=request,
        max_contributor_share=0.3 if scarce else 0.4,
        min_contributors=2,
        exclude_neighbours=True,
        women_target=0.15,
        reimbursement_rate=1428.0,
    )
    if scarce:
        # About 60 % of the cost of filling every requirement at the rate in force.
        size = {u.code: u.personnel for u in types}
        full = sum(r.units * size[r.unit_type] for r in reqs) * 1428.0 * 12 * 1.1
        policy = replace(policy, budget=round(0.6 * full, -6))
    return Scenario(
        name=f"synthetic-{pledges}" + ("-scarce" if scarce else ""),
        policy=policy,
        unit_types=tuple(types),
        missions=sites,
        requirements=tuple(reqs),
        pledges=tuple(pls),
        contributors=states,
        illustrative=True,
    )


EXAMPLE_NAMES = (
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
"""The names :func:`example` knows."""


def example(name: str) -> Scenario:
    """A small hand-made scenario named after the gap reason it shows (``EXAMPLE_NAMES``)."""
    request = date(2026, 1, 1)
    inf = UnitSpec("INF", "infantry company", 100)
    hel = UnitSpec("HEL", "helicopter unit", 100)
    states = tuple(
        Contributor(c, region="Africa", capital=(0.0, float(k)), languages=("en",))
        for k, c in enumerate(("AAA", "BBB", "CCC", "HST", "NBR"))
    )
    site = MissionSite("MIS", ("HST",), region="Africa", hq=(0.0, 10.0), neighbours=("NBR",))
    need = date(2026, 6, 1)

    def req(rid: str = "R1", unit: str = "HEL", units: int = 1, **kw: object) -> Requirement:
        return Requirement(rid, "MIS", unit, units, need, **kw)  # type: ignore[arg-type]

    def pledge(pid: str, who: str, unit: str = "HEL", units: int = 1, **kw: object) -> Pledge:
        base: dict[str, object] = {
            "readiness": ReadinessLevel.RAPID,
            "available_from": request,
            "cost_per_unit": 1e6,
        }
        base.update(kw)
        return Pledge(pid, who, unit, units, **base)  # type: ignore[arg-type]

    policy = Policy(request_date=request, reimbursement_rate=1428.0, diversity_weight=0.0)
    cases: dict[str, tuple[Policy, Sequence[Requirement], Sequence[Pledge]]] = {
        "filled": (policy, [req()], [pledge("P1", "AAA")]),
        "no_pledge": (policy, [req()], [pledge("P1", "AAA", unit="INF")]),
        "caveat": (policy, [req()], [pledge("P1", "AAA", excluded_missions=("MIS",))]),
        "impartiality": (
            replace(policy, exclude_neighbours=True),
            [req()],
            [pledge("P1", "HST"), pledge("P2", "NBR")],
        ),
        "readiness": (policy, [req()], [pledge("P1", "AAA", readiness=ReadinessLevel.LEVEL_1)]),
        "contributor_cap": (
            replace(policy, max_contributor_share=0.5),
            [req(units=3)],
            [pledge("P1", "AAA", units=3), pledge("P2", "BBB")],
        ),
        "budget": (
            replace(policy, budget=1.5e6),
            [req(units=2)],
            [pledge("P1", "AAA"), pledge("P2", "BBB")],
        ),
        "women_share": (
            policy,
            [req(min_women_share=0.2)],
            [pledge("P1", "AAA", women_share=0.1)],
        ),
        "min_contributors": (
            replace(policy, min_contributors=2),
            [req(units=2)],
            [pledge("P1", "AAA", units=2)],
        ),
        "competition": (
            policy,
            [req("R1", priority=1), req("R2", priority=3)],
            [pledge("P1", "AAA")],
        ),
        "infeasible": (
            replace(policy, exclude_neighbours=True),
            [req("R1"), req("R2", unit="INF", units=2)],
            [
                pledge("P1", "HST"),
                pledge("P2", "AAA", readiness=ReadinessLevel.LEVEL_1),
                pledge("P3", "BBB", unit="INF", excluded_hosts=("HST",)),
            ],
        ),
    }
    if name not in cases:
        msg = f"unknown example {name!r}; known: {', '.join(cases)}"
        raise KeyError(msg)
    pol, reqs, pls = cases[name]
    return Scenario(
        name=name,
        policy=pol,
        unit_types=(inf, hel),
        missions=(site,),
        requirements=tuple(reqs),
        pledges=tuple(pls),
        contributors=states,
        illustrative=True,
    )


def libpq_messages(trace: Path) -> Counter[str]:
    """Frontend messages of a libpq trace file (``PGconn.trace``) by type: a round trip
    ends with ``Sync`` (extended protocol) or is a simple ``Query``."""
    found: Counter[str] = Counter()
    for line in trace.read_text(errors="replace").splitlines():
        parts = line.split("\t")
        if len(parts) > 3 and parts[1] == "F":
            found[parts[3].split(" ", 1)[0]] += 1
    return found
