"""The force-generation MILP, built as a recipe of ``define_*`` steps over the scenario arrays.

Variables
    ``x[a]``  integer units of arc ``a`` = (pledge, requirement) allowed by the static rules;
    ``z[c,m]`` binary, contributor ``c`` takes part in mission ``m`` (only when diversity or a
    minimum number of contributors is in play); ``y[m]`` binary, mission ``m`` receives units
    (only with a minimum number of contributors); ``t[m]`` planned personnel of mission ``m``
    (only with a contributor cap).

Constraints
    pledge capacity, requirement demand (units never exceed the requirement), contributor
    cap, minimum contributors, budget, minimum women's share per requirement.

Without the side rules (cap, minimum contributors, budget, women's share, diversity) the model
is a transportation problem: its constraint matrix is totally unimodular, so the LP has integral
vertices and :mod:`bluehelmet.forcegen.solve` solves it as an LP.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from bluehelmet.domain.planning import GapCause, Policy, Scenario
from bluehelmet.errors import InputError
from bluehelmet.forcegen.costs import great_circle_km, reimbursement_rate, unit_cost
from bluehelmet.forcegen.partnerships import Variant, variants
from bluehelmet.forcegen.rules import STATIC_CAUSES, Exclusion, exclusions

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_K = TypeVar("_K", bound=Hashable)

#: Cost objective coefficients are in millions of USD (keeps the LP well scaled).
COST_SCALE = 1e6


@dataclass(frozen=True, slots=True)
class Candidate:
    """A (pledge, requirement) pair of the same unit type and the static rules it breaks."""

    pledge: int
    requirement: int
    exclusions: tuple[Exclusion, ...]
    variant: int = -1  # position in ``Index.variants`` (-1: the pledge as declared)


#: Bit of each static cause in ``Index.causes`` (``1 << position`` in :data:`STATIC_CAUSES`).
CAUSE_BIT: Mapping[GapCause, int] = {c: 1 << i for i, c in enumerate(STATIC_CAUSES)}


def cause_set(mask: int) -> frozenset[GapCause]:
    """The static causes of the bit mask ``mask`` (see :data:`CAUSE_BIT`)."""
    return frozenset(c for c, bit in CAUSE_BIT.items() if mask & bit)


@dataclass(frozen=True)
class Index:
    """Positions of the scenario's entities in the model arrays.

    The candidates (same-type (pledge variant, requirement) pairs) are held as arrays:
    ``cand_variant``, ``cand_pledge``, ``cand_requirement`` and ``causes``, the bit mask
    (:data:`CAUSE_BIT`) of the static rules each breaks (0: allowed). :attr:`candidates`
    gives them as :class:`Candidate` objects with the rules' wording.
    """

    scenario: Scenario
    pledge_contributor: IntArray  # contributor position of each pledge
    requirement_mission: IntArray  # mission position of each requirement
    contributors: tuple[str, ...]
    missions: tuple[str, ...]
    cand_variant: IntArray
    cand_pledge: IntArray
    cand_requirement: IntArray
    causes: IntArray
    variants: tuple[Variant, ...] = ()
    partnerships: bool = True  # whether the variants may use partnership offers
    variant_arrival: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def of(
        cls, scenario: Scenario, *, partnerships: bool = True, every_variant: bool = False
    ) -> Index:
        """Index ``scenario`` and list every same-type (pledge variant, requirement) pair.

        A pledge's variants are the ways it can deploy with the usable partnership offers
        (:func:`bluehelmet.forcegen.partnerships.variants`); ``partnerships=False`` keeps only
        the unsupported ones. A supported variant is listed for a requirement only where the
        unsupported one may not fill it, unless ``every_variant`` (for callers that re-solve
        the model with dates changed, as :class:`bluehelmet.scenarios.DrawModel`).

        The pairs are listed by variant, then requirement; the static rules
        (:func:`bluehelmet.forcegen.rules.exclusions`) are evaluated once per distinct
        (pledge attributes, requirement) combination and read off by array lookups.
        """
        contributors = tuple(sorted({p.contributor for p in scenario.pledges}))
        cpos = {c: i for i, c in enumerate(contributors)}
        missions = tuple(m.acronym for m in scenario.missions)
        mpos = {m: i for i, m in enumerate(missions)}
        reqs = scenario.requirements
        every = variants(scenario, partnerships=partnerships)
        n_r = len(reqs)
        # Requirements by unit type, in file order within a type.
        types: dict[str, int] = {}
        req_type = np.array([types.setdefault(r.unit_type, len(types)) for r in reqs], np.int64)
        var_type = np.array(
            [types.get(v.effective.unit_type, -1) for v in every], dtype=np.int64
        ).reshape(-1)
        by_type = np.argsort(req_type, kind="stable").astype(np.int64)
        per_type = np.bincount(req_type, minlength=len(types)).astype(np.int64)
        first = np.concatenate([[0], np.cumsum(per_type)[:-1]]).astype(np.int64)
        count = np.zeros(len(every), dtype=np.int64)
        typed = var_type >= 0
        count[typed] = per_type[var_type[typed]]
        cand_v = np.repeat(np.arange(len(every), dtype=np.int64), count)
        offset = np.arange(cand_v.size, dtype=np.int64) - np.repeat(np.cumsum(count) - count, count)
        cand_r = by_type[first[var_type[cand_v]] + offset] if cand_v.size else _empty()
        # Variants whose offers serve some missions only.
        limited = [v for v, var in enumerate(every) if var.missions is not None]
        if limited:
            req_mission = [r.mission for r in reqs]
            where = np.flatnonzero(np.isin(cand_v, limited))
            drop = [
                k
                for k in where.tolist()
                if not every[int(cand_v[k])].serves(req_mission[int(cand_r[k])])
            ]
            keep = np.ones(cand_v.size, dtype=bool)
            keep[drop] = False
            cand_v, cand_r = cand_v[keep], cand_r[keep]
        arrive = _arrival_days(every, scenario.policy)
        causes = _causes(scenario, every, arrive, cand_v, cand_r)
        var_pledge = np.array([v.pledge for v in every], dtype=np.int64).reshape(-1)
        supported = np.array([bool(v.offers) for v in every], dtype=bool).reshape(-1)
        cand_p = var_pledge[cand_v]
        if not every_variant and supported.any():
            # A pledge relies on offers only where it could not fill the requirement
            # without them.
            key = cand_p * max(n_r, 1) + cand_r
            plain = ~supported[cand_v]
            bare = key[plain & (causes == 0)]
            keep = ~(supported[cand_v] & np.isin(key, bare))
            cand_v, cand_r, cand_p, causes = cand_v[keep], cand_r[keep], cand_p[keep], causes[keep]
        return cls(
            scenario=scenario,
            pledge_contributor=np.array(
                [cpos[p.contributor] for p in scenario.pledges], dtype=np.int64
            ),
            requirement_mission=np.array([mpos[r.mission] for r in reqs], dtype=np.int64),
            contributors=contributors,
            missions=missions,
            cand_variant=cand_v,
            cand_pledge=cand_p,
            cand_requirement=cand_r,
            causes=causes,
            variants=every,
            partnerships=partnerships,
            variant_arrival=arrive,
        )

    def candidate(self, k: int) -> Candidate:
        """Candidate ``k`` with the wording of the static rules it breaks."""
        sc = self.scenario
        v = int(self.cand_variant[k])
        j = int(self.cand_requirement[k])
        excl: tuple[Exclusion, ...] = ()
        if self.causes[k]:
            r = sc.requirements[j]
            site = sc.missions[int(self.requirement_mission[j])]
            excl = exclusions(self.variants[v].effective, r, site, sc.policy)
        return Candidate(int(self.cand_pledge[k]), j, excl, v)

    def candidates_of(self, positions: IntArray) -> list[Candidate]:
        """The candidates at ``positions``."""
        return [self.candidate(k) for k in positions.tolist()]

    @cached_property
    def candidates(self) -> tuple[Candidate, ...]:
        """Every candidate, in order (built on first use)."""
        return tuple(self.candidates_of(np.arange(self.cand_variant.size, dtype=np.int64)))


def _empty() -> IntArray:
    return np.zeros(0, dtype=np.int64)


def _arrival_days(every: Sequence[Variant], policy: Policy) -> IntArray:
    """Days from the request to each variant's earliest arrival (:func:`rules.arrival`)."""
    lead = {level: policy.lead_time(level) for level in policy.lead_time_days}
    request = policy.request_date.toordinal()
    ready = np.array([lead[v.effective.readiness] for v in every], dtype=np.int64).reshape(-1)
    available = np.array(
        [v.effective.available_from.toordinal() - request for v in every], dtype=np.int64
    ).reshape(-1)
    return np.maximum(ready, available)


def _lookup(keys: list[_K]) -> tuple[list[_K], IntArray]:
    """Distinct ``keys`` in first-seen order and each key's position among them."""
    seen: dict[_K, int] = {}
    pos = np.array([seen.setdefault(k, len(seen)) for k in keys], dtype=np.int64).reshape(-1)
    return list(seen), pos


def _pairs(
    key: IntArray, other: IntArray, size: int, test: Callable[[int, int], bool]
) -> NDArray[np.bool_]:
    """``test(key[k], other[k])`` for every ``k``, evaluated once per distinct pair."""
    if key.size == 0:
        return np.zeros(0, dtype=bool)
    uniq, inverse = np.unique(key * size + other, return_inverse=True)
    values = np.array([test(int(u // size), int(u % size)) for u in uniq.tolist()], dtype=bool)
    out: NDArray[np.bool_] = values[inverse.reshape(-1)]
    return out


def _causes(
    scenario: Scenario,
    every: Sequence[Variant],
    arrive: IntArray,
    cand_v: IntArray,
    cand_r: IntArray,
) -> IntArray:
    """Bit mask (:data:`CAUSE_BIT`) of the static rules each (variant, requirement) breaks:
    the tests of :func:`bluehelmet.forcegen.rules.exclusions`, per distinct combination."""
    policy = scenario.policy
    reqs = scenario.requirements
    n_r = len(reqs)
    site = {m.acronym: m for m in scenario.missions}
    eff = [v.effective for v in every]
    out = np.zeros(cand_v.size, dtype=np.int64)
    if cand_v.size == 0:
        return out
    # Caveats: excluded missions, host states and tasks.
    caveats, cav = _lookup([(p.excluded_missions, p.excluded_hosts, p.excluded_tasks) for p in eff])

    def caveat(c: int, j: int) -> bool:
        missions, hosts, tasks = caveats[c]
        r = reqs[j]
        return bool(
            r.mission in missions
            or set(site[r.mission].hosts) & set(hosts)
            or set(r.tasks) & set(tasks)
        )

    out |= np.where(_pairs(cav[cand_v], cand_r, n_r, caveat), CAUSE_BIT[GapCause.CAVEAT], 0)
    # Impartiality: host state, neighbour, party.
    who, cpos = _lookup([p.contributor for p in eff])

    def partial(c: int, j: int) -> bool:
        name = who[c]
        m = site[reqs[j].mission]
        return bool(
            (policy.exclude_host and name in m.hosts)
            or (policy.exclude_neighbours and name in m.neighbours)
            or name in m.parties
            or name in policy.excluded_parties
        )

    out |= np.where(_pairs(cpos[cand_v], cand_r, n_r, partial), CAUSE_BIT[GapCause.IMPARTIALITY], 0)
    # Readiness: earliest arrival after the latest date allowed.
    request = policy.request_date.toordinal()
    latest = np.array(
        [r.needed_by.toordinal() - request + policy.allow_late_days for r in reqs], dtype=np.int64
    )
    out |= np.where(arrive[cand_v] > latest[cand_r], CAUSE_BIT[GapCause.READINESS], 0)
    # Language and capability.
    spoken, lpos = _lookup([p.languages for p in eff])

    def mute(c: int, j: int) -> bool:
        wanted = reqs[j].languages
        return bool(wanted and not set(wanted) & set(spoken[c]))

    out |= np.where(_pairs(lpos[cand_v], cand_r, n_r, mute), CAUSE_BIT[GapCause.LANGUAGE], 0)
    able, kpos = _lookup([p.capabilities for p in eff])

    def lacks(c: int, j: int) -> bool:
        return bool(set(reqs[j].capabilities) - set(able[c]))

    out |= np.where(_pairs(kpos[cand_v], cand_r, n_r, lacks), CAUSE_BIT[GapCause.CAPABILITY], 0)
    return out


@dataclass(frozen=True)
class Arcs:
    """The allowed (pledge, requirement) pairs and their per-unit data."""

    pledge: IntArray
    requirement: IntArray
    upper: FloatArray  # most units the pair can carry
    personnel: FloatArray  # personnel of one unit
    weight: FloatArray  # fill weight of one unit (integer valued)
    legitimacy: FloatArray  # legitimacy of one unit (diversity excluded)
    usd: FloatArray  # cost model USD of one unit
    time_usd: FloatArray  # value of deployment time of one unit
    variant: IntArray  # the pledge variant (see ``Index.variants``) of each arc

    def __len__(self) -> int:
        return int(self.pledge.size)

    def subset(self, keep: IntArray) -> Arcs:
        """The arcs at positions ``keep``."""
        return Arcs(
            self.pledge[keep],
            self.requirement[keep],
            self.upper[keep],
            self.personnel[keep],
            self.weight[keep],
            self.legitimacy[keep],
            self.usd[keep],
            self.time_usd[keep],
            self.variant[keep],
        )


def build_arcs(
    index: Index,
    allow: Callable[[Candidate], bool] | None = None,
    *,
    keep: NDArray[np.bool_] | None = None,
) -> Arcs:
    """Arcs of the candidates with no exclusion, or those ``allow`` accepts, or those where
    ``keep`` (a mask over the candidates) is True; in candidate order.

    The per-unit data are those of :func:`bluehelmet.forcegen.costs.unit_cost`,
    :func:`bluehelmet.forcegen.objectives.legitimacy_per_unit` and
    :func:`~bluehelmet.forcegen.objectives.time_cost_per_unit`, computed as arrays (the same
    floating-point operations in the same order; per (contributor, mission) distances).
    """
    if allow is not None:
        chosen = np.array(
            [k for k, c in enumerate(index.candidates) if allow(c)], dtype=np.int64
        ).reshape(-1)
    elif keep is not None:
        chosen = np.flatnonzero(keep).astype(np.int64)
    else:
        chosen = np.flatnonzero(index.causes == 0).astype(np.int64)
    sc = index.scenario
    policy = sc.policy
    v = index.cand_variant[chosen]
    pl = index.cand_pledge[chosen]
    rq = index.cand_requirement[chosen]
    mi = index.requirement_mission[rq]
    personnel_of = {u.code: float(u.personnel) for u in sc.unit_types}
    req_personnel = np.array(
        [personnel_of.get(r.unit_type, np.nan) for r in sc.requirements], dtype=np.float64
    )
    req_units = np.array([r.units for r in sc.requirements], dtype=np.float64)
    req_weight = np.array([policy.weight(r.priority) for r in sc.requirements], dtype=np.float64)
    pledge_units = np.array([p.units for p in sc.pledges], dtype=np.float64)
    # Most units: the pledge's, the requirement's and what each offer's capacity supports.
    var_most = np.full(len(index.variants), np.inf)
    for k, var in enumerate(index.variants):
        for o, amount in zip(var.offers, var.amounts, strict=True):
            var_most[k] = min(var_most[k], math.floor(sc.partnerships[o].capacity / amount + 1e-9))
    upper = np.minimum(np.minimum(pledge_units[pl], req_units[rq]), var_most[v])
    personnel = req_personnel[rq]
    unknown = np.flatnonzero(np.isnan(personnel))
    if unknown.size:
        r = sc.requirements[int(rq[unknown[0]])]
        msg = f"requirement {r.id}: unknown unit type {r.unit_type!r}"
        raise InputError(msg, field="unit_type")
    weight = req_weight[rq]
    legit, usd = _pledge_mission_values(index, pl, mi, personnel)
    time_usd = policy.delay_usd_per_unit_day * index.variant_arrival[v]
    return Arcs(pl, rq, upper, personnel, weight, legit, usd, time_usd.astype(np.float64), v)


def _pledge_mission_values(
    index: Index, pl: IntArray, mi: IntArray, personnel: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Legitimacy and cost-model USD of one unit of pledge ``pl[k]`` in mission ``mi[k]``
    (:func:`legitimacy_per_unit`, :func:`unit_cost`), as arrays."""
    sc = index.scenario
    policy = sc.policy
    n = pl.size
    who = {c.iso3: c for c in sc.contributors}
    n_c = len(index.contributors)
    n_m = len(index.missions)
    people = [who.get(c) for c in index.contributors]
    contrib = index.pledge_contributor[pl]
    # Legitimacy: region, a mission language, the women's target (summed in that order).
    region = np.array(
        [
            [
                bool(p is not None and p.region is not None and p.region == m.region)
                for m in sc.missions
            ]
            for p in people
        ],
        dtype=bool,
    ).reshape(n_c, n_m)
    spoken, lpos = _lookup([p.languages for p in sc.pledges])
    speaks = np.array(
        [[bool(set(s) & set(m.languages)) for m in sc.missions] for s in spoken],
        dtype=bool,
    ).reshape(len(spoken), n_m)
    targets = [
        m.women_target if m.women_target is not None else policy.women_target for m in sc.missions
    ]
    target = np.array([t if t is not None and t > 0 else np.nan for t in targets], dtype=np.float64)
    share = np.array([p.women_share for p in sc.pledges], dtype=np.float64)
    legit = np.zeros(n)
    legit += np.where(region[contrib, mi], policy.regional_weight, 0.0)
    legit += np.where(speaks[lpos[pl], mi], policy.language_weight, 0.0)
    t = target[mi]
    has_target = ~np.isnan(t)
    women = np.zeros(n)
    women[has_target] = policy.women_weight * np.minimum(1.0, share[pl][has_target] / t[has_target])
    legit += women
    # Cost: the pledge's stated cost, else reimbursement plus transport.
    stated = np.array(
        [p.cost_per_unit if p.cost_per_unit is not None else np.nan for p in sc.pledges],
        dtype=np.float64,
    )
    rate = policy.reimbursement_rate
    if rate is None:
        rate = reimbursement_rate(policy.request_date)
    km = np.array(
        [
            [
                great_circle_km(p.capital, m.hq)
                if p is not None and p.capital is not None and m.hq is not None
                else np.nan
                for m in sc.missions
            ]
            for p in people
        ],
        dtype=np.float64,
    ).reshape(n_c, n_m)
    distance = km[contrib, mi]
    own = ~np.isnan(stated[pl])
    missing = np.flatnonzero(~own & np.isnan(distance))
    if missing.size:
        # unit_cost names the pledge and the missing coordinates.
        k = int(missing[0])
        p = sc.pledges[int(pl[k])]
        unit = next(u for u in sc.unit_types if u.code == p.unit_type)
        unit_cost(p, unit, who.get(p.contributor), sc.missions[int(mi[k])], policy)
    reimbursement = personnel * rate * policy.deployment_months
    transport = personnel * 2 * distance * policy.transport_usd_per_person_km
    usd = np.where(own, stated[pl], reimbursement + transport)
    return legit, usd


@dataclass(frozen=True)
class Reduction:
    """Arcs left out by :func:`reduce_arcs` and how to move a point's units off them.

    ``full`` are the arcs before the reduction, ``kept`` the positions in ``full`` of the arcs
    kept; ``removed`` the positions of the arcs left out, in the order units are moved off
    them; ``dominators[k]`` the positions in ``full`` of the arcs (same requirement, same
    contributor) that dominate the removed arc ``removed[k]``, preferred first.
    """

    full: Arcs
    kept: IntArray
    removed: IntArray
    dominators: tuple[IntArray, ...]

    def project(self, x: FloatArray, capacity: FloatArray) -> FloatArray | None:
        """Units ``x`` over ``full`` with every removed arc emptied onto its dominators, as
        units over the kept arcs; None when a removed arc's units find no room (``x`` then
        broke a pledge capacity, a demand or the contributor cap).

        ``capacity`` is the units of each pledge. Moving a unit from an arc to a dominating
        one keeps every rule and improves no objective less (see :func:`reduce_arcs`).
        """
        x = x.astype(np.float64).copy()
        used = np.bincount(self.full.pledge, weights=x, minlength=capacity.size)
        for k, arc in enumerate(self.removed.tolist()):
            for target in self.dominators[k].tolist():
                if x[arc] <= 0.5:
                    break
                p = int(self.full.pledge[target])
                move = min(x[arc], capacity[p] - used[p])
                if move <= 0.5:
                    continue
                x[arc] -= move
                x[target] += move
                used[p] += move
                used[int(self.full.pledge[arc])] -= move
            if x[arc] > 0.5:
                return None
        return x[self.kept]


def reduce_arcs(index: Index, arcs: Arcs) -> tuple[Arcs, Reduction]:
    """The arcs without those a solution never needs: some optimal plan leaves them empty.

    An arc ``(q, r)`` is *dominated* by ``(p, r)`` when ``p`` is a pledge of the same
    contributor and unit type that comes first in a fixed order, neither arc relies on a
    partnership offer, and per unit ``p`` at ``r`` has at least the legitimacy, at most the
    cost-model USD and the total cost, and (where ``r`` has a women's minimum) at least the
    women's share. Moving a unit from ``(q, r)`` to ``(p, r)`` when ``p`` has units left keeps
    every rule (same requirement, contributor and personnel: same demand, cap and
    participation; budget and women's rows no worse) and lowers no objective in priority
    order. So an optimal plan that minimizes the units on later pledges uses ``(q, r)`` only
    when every dominating pledge is full. Those pledges then send all their units to the
    requirements they reach; if that is at least the most units the contributor can send
    there (the demand, and under a contributor cap ``share`` of the mission's largest
    personnel), ``(q, r)`` is empty in that plan and is left out. Every objective's optimal
    value is unchanged; the callers that change rules afterwards (gap explanations,
    ``extra_functionality``) use the full arcs.
    """
    sc = index.scenario
    n = len(arcs)
    plain = np.array(
        [v < 0 or not index.variants[v].offers for v in arcs.variant.tolist()], dtype=bool
    )
    personnel = {u.code: float(u.personnel) for u in sc.unit_types}
    need = np.array([r.units for r in sc.requirements], dtype=np.float64)
    req_personnel = np.array([personnel[r.unit_type] for r in sc.requirements])
    women = np.array([r.min_women_share > 0 for r in sc.requirements], dtype=bool)
    share = np.array([p.women_share for p in sc.pledges], dtype=np.float64)
    units = np.array([p.units for p in sc.pledges], dtype=np.float64)
    capacity = np.minimum(units, np.bincount(arcs.pledge, weights=arcs.upper, minlength=units.size))
    n_m = len(index.missions)
    strength = np.bincount(index.requirement_mission, weights=need * req_personnel, minlength=n_m)
    cap_share = sc.policy.max_contributor_share
    cost = arcs.usd + arcs.time_usd
    types = {u.code: i for i, u in enumerate(sc.unit_types)}
    pledge_type = np.array([types[p.unit_type] for p in sc.pledges], dtype=np.int64)
    group = index.pledge_contributor[arcs.pledge] * (len(types) + 1) + pledge_type[arcs.pledge]
    # only groups of two pledges or more can hold a dominated arc
    pairs = np.unique(group * units.size + arcs.pledge) // units.size
    groups, counts = np.unique(pairs, return_counts=True)
    crowded = np.isin(group, groups[counts >= 2])
    order = np.flatnonzero(crowded)[np.argsort(group[crowded], kind="stable")]
    bounds = np.flatnonzero(np.diff(group[order])) + 1
    removed: list[int] = []
    removed_rank: list[int] = []
    dominators: list[IntArray] = []
    # Each group's pledges, requirements and missions (sorted, as np.unique gives them) and
    # every member's position among them, for all groups at once.
    starts = np.concatenate([[0], bounds, [order.size]]).astype(np.int64)
    gid = np.repeat(np.arange(starts.size - 1, dtype=np.int64), np.diff(starts))
    p_uniq, p_local, p_first = _local(gid, arcs.pledge[order], starts.size - 1)
    r_uniq, r_local, r_first = _local(gid, arcs.requirement[order], starts.size - 1)
    r_gid = np.repeat(np.arange(starts.size - 1, dtype=np.int64), np.diff(r_first))
    m_uniq, m_local, m_first = _local(r_gid, index.requirement_mission[r_uniq], starts.size - 1)
    for t in range(starts.size - 1 if order.size else 0):
        members = order[starts[t] : starts[t + 1]]
        pledges = p_uniq[p_first[t] : p_first[t + 1]]
        prow = p_local[starts[t] : starts[t + 1]]
        reqs = r_uniq[r_first[t] : r_first[t + 1]]
        rcol = r_local[starts[t] : starts[t + 1]]
        g, k = pledges.size, reqs.size
        reach = np.zeros((g, k))
        reach[prow, rcol] = 1.0
        pos = np.full((g, k), -1, dtype=np.int64)  # the plain arc of (pledge, requirement)
        is_plain = plain[members]
        pos[prow[is_plain], rcol[is_plain]] = members[is_plain]
        # A fixed order of the group's pledges (any order is valid; this one puts the
        # pledges that dominate most often first): most legitimacy, least cost, most women.
        plain_pos = np.where(pos >= 0, pos, 0)
        has = pos >= 0
        mean_legit = np.where(has, arcs.legitimacy[plain_pos], 0).sum(1) / np.maximum(has.sum(1), 1)
        mean_cost = np.where(has, cost[plain_pos], 0).sum(1) / np.maximum(has.sum(1), 1)
        rank = np.lexsort((pledges, -share[pledges], mean_cost, -mean_legit))
        reach, pos = reach[rank], pos[rank]
        pledges = pledges[rank]
        missions = m_uniq[m_first[t] : m_first[t + 1]]
        mcol = m_local[r_first[t] : r_first[t + 1]]
        per_mission = np.zeros((k, missions.size))
        per_mission[np.arange(k), mcol] = need[reqs]
        if cap_share is not None and cap_share < 1 and req_personnel[reqs[0]] > 0:
            most = np.floor(cap_share * strength[missions] / req_personnel[reqs[0]] + 1e-9)
        else:
            most = np.full(missions.size, np.inf)
        # dom[i, j, c]: pledge i comes before j and its plain arc to requirement c is at least
        # as good as j's (all requirements of the group at once).
        has = pos >= 0
        at = np.where(has, pos, 0)
        legit, usd, total = arcs.legitimacy[at], arcs.usd[at], cost[at]
        dom = (
            np.tri(g, g, -1, dtype=bool).T[:, :, None]
            & has[:, None, :]
            & has[None, :, :]
            & (legit[:, None, :] >= legit[None, :, :])
            & (usd[:, None, :] <= usd[None, :, :])
            & (total[:, None, :] <= total[None, :, :])
        )
        s = share[pledges]
        dom &= (s[:, None] >= s[None, :])[:, :, None] | ~women[reqs][None, None, :]
        if not dom.any():
            continue
        d = dom.astype(np.float64)
        reached = np.einsum("ijc,ik->jck", d, reach) > 0  # requirements the dominators reach
        reached[:, np.arange(k), np.arange(k)] = True
        bound = np.minimum(reached.astype(np.float64) @ per_mission, most).sum(-1)
        held = np.einsum("ijc,i->jc", d, capacity[pledges])
        jj, cc = np.nonzero(dom.any(0) & (held >= bound - 0.5))
        if not jj.size:
            continue
        removed.extend(pos[jj, cc].tolist())
        removed_rank.extend(jj.tolist())
        # The dominators of each removed arc, preferred (earlier pledges) first.
        which, first = np.nonzero(dom[:, jj, cc].T)
        flat = pos[first, cc[which]]
        cut = np.concatenate([[0], np.flatnonzero(np.diff(which)) + 1, [which.size]]).tolist()
        dominators.extend(flat[a:b] for a, b in itertools.pairwise(cut))
    # Units are moved off later pledges first: a dominator may itself be left out.
    sequence = np.argsort(-np.array(removed_rank, dtype=np.int64), kind="stable").tolist()
    out = np.array([removed[i] for i in sequence], dtype=np.int64)
    keep = np.ones(n, dtype=bool)
    keep[out] = False
    kept = np.flatnonzero(keep).astype(np.int64)
    return arcs.subset(kept), Reduction(arcs, kept, out, tuple(dominators[i] for i in sequence))


@dataclass(frozen=True)
class Relaxation:
    """Side rules switched off (used by the gap explanations)."""

    cap_missions: frozenset[int] = frozenset()  # no contributor cap in these missions
    min_contributor_missions: frozenset[int] = frozenset()
    budget: bool = False
    women_requirements: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Block:
    """A named block of columns or rows with its coordinates (as linopy's variables).

    ``positions[i]`` is the model column (or row) of the block's ``i``-th member and
    ``coords[name][i]`` its coordinate ``name`` (a pledge, requirement, contributor or mission
    position). Members left out by a mask do not exist: absence is explicit, never a zero.
    """

    name: str
    positions: IntArray
    coords: Mapping[str, IntArray]

    def __len__(self) -> int:
        return int(self.positions.size)

    def where(self, **match: int) -> IntArray:
        """Positions of the members whose coordinates equal ``match``."""
        keep = np.ones(self.positions.size, dtype=bool)
        for name, value in match.items():
            keep &= self.coords[name] == value
        return self.positions[keep]


@dataclass
class Model:
    """Named variable and constraint blocks, sparse rows and the three objective vectors.

    Built by the ``define_*`` steps of :data:`RECIPE`; a user's ``extra_functionality`` may
    add more blocks with :meth:`add_variables` and :meth:`add_constraints`.
    """

    index: Index
    arcs: Arcs
    relaxation: Relaxation = field(default_factory=Relaxation)
    col_lower: list[FloatArray] = field(default_factory=list)
    col_upper: list[FloatArray] = field(default_factory=list)
    col_integer: list[NDArray[np.bool_]] = field(default_factory=list)
    row_lower: list[FloatArray] = field(default_factory=list)
    row_upper: list[FloatArray] = field(default_factory=list)
    entries: list[tuple[IntArray, IntArray, FloatArray]] = field(default_factory=list)
    num_cols: int = 0
    num_rows: int = 0
    side_rules: list[str] = field(default_factory=list)
    variables: dict[str, Block] = field(default_factory=dict)
    constraints: dict[str, Block] = field(default_factory=dict)
    reduction: Reduction | None = None  # the arcs left out by reduce_arcs, if any

    # -- building blocks -------------------------------------------------------------------
    def add_variables(
        self,
        name: str,
        lower: FloatArray,
        upper: FloatArray,
        *,
        integer: bool,
        coords: Mapping[str, IntArray] | None = None,
        mask: NDArray[np.bool_] | None = None,
    ) -> IntArray:
        """Add the variable block ``name``; return its columns (-1 where ``mask`` is False)."""
        if name in self.variables:
            msg = f"variable block {name!r} exists already"
            raise ValueError(msg)
        keep = np.ones(lower.size, dtype=bool) if mask is None else mask.astype(bool)
        n = int(keep.sum())
        self.col_lower.append(np.asarray(lower, dtype=np.float64)[keep])
        self.col_upper.append(np.asarray(upper, dtype=np.float64)[keep])
        self.col_integer.append(np.full(n, integer))
        out = np.full(lower.size, -1, dtype=np.int64)
        out[keep] = np.arange(self.num_cols, self.num_cols + n, dtype=np.int64)
        self.num_cols += n
        self.variables[name] = Block(
            name, out[keep], {k: np.asarray(v)[keep] for k, v in (coords or {}).items()}
        )
        return out

    def add_constraints(  # noqa: PLR0917 (linopy-like: bounds, then the entries)
        self,
        name: str,
        lower: FloatArray,
        upper: FloatArray,
        rows: IntArray,
        cols: IntArray,
        values: FloatArray,
        *,
        coords: Mapping[str, IntArray] | None = None,
        mask: NDArray[np.bool_] | None = None,
    ) -> IntArray:
        """Add the constraint block ``name``: ``lower.size`` rows with entries (local row,
        column, value); rows where ``mask`` is False are left out. Returns the model rows."""
        if name in self.constraints:
            msg = f"constraint block {name!r} exists already"
            raise ValueError(msg)
        keep = np.ones(lower.size, dtype=bool) if mask is None else mask.astype(bool)
        n = int(keep.sum())
        local = np.full(lower.size, -1, dtype=np.int64)
        local[keep] = np.arange(n, dtype=np.int64)
        entry = keep[rows] & (cols >= 0)
        self.row_lower.append(np.asarray(lower, dtype=np.float64)[keep])
        self.row_upper.append(np.asarray(upper, dtype=np.float64)[keep])
        self.entries.append(
            (
                local[rows[entry]] + self.num_rows,
                cols[entry].astype(np.int64),
                np.asarray(values, dtype=np.float64)[entry],
            )
        )
        positions = np.arange(self.num_rows, self.num_rows + n, dtype=np.int64)
        self.num_rows += n
        self.constraints[name] = Block(
            name, positions, {k: np.asarray(v)[keep] for k, v in (coords or {}).items()}
        )
        out = np.full(lower.size, -1, dtype=np.int64)
        out[keep] = positions
        return out

    def _block(self, name: str, coord: str | None = None) -> IntArray:
        block = self.variables.get(name)
        if block is None:
            return _empty()
        return block.positions if coord is None else block.coords[coord]

    @property
    def z_cols(self) -> IntArray:
        """Columns of ``participation`` (binary: contributor takes part in mission)."""
        return self._block("participation")

    @property
    def z_missions(self) -> IntArray:
        """Mission of each ``participation`` column."""
        return self._block("participation", "mission")

    @property
    def z_contributors(self) -> IntArray:
        """Contributor of each ``participation`` column."""
        return self._block("participation", "contributor")

    @property
    def y_cols(self) -> IntArray:
        """Columns of ``staffed`` (binary: mission receives units)."""
        return self._block("staffed")

    @property
    def y_missions(self) -> IntArray:
        """Mission of each ``staffed`` column."""
        return self._block("staffed", "mission")

    @property
    def t_cols(self) -> IntArray:
        """Columns of ``strength`` (planned personnel of a mission)."""
        return self._block("strength")

    @property
    def t_missions(self) -> IntArray:
        """Mission of each ``strength`` column."""
        return self._block("strength", "mission")

    @property
    def w_cols(self) -> IntArray:
        """Columns of ``activation`` (binary: partnership offer activated)."""
        return self._block("activation")

    @property
    def w_offers(self) -> IntArray:
        """Offer (position in ``Scenario.partnerships``) of each ``activation`` column."""
        return self._block("activation", "offer")

    def objective(self, which: str) -> FloatArray:
        """Dense objective vector: ``fill``, ``legitimacy`` or ``cost`` (in MUSD)."""
        out = np.zeros(self.num_cols)
        n = len(self.arcs)
        if which == "fill":
            out[:n] = self.arcs.weight
        elif which == "legitimacy":
            out[:n] = self.arcs.legitimacy
            out[self.z_cols] = self.index.scenario.policy.diversity_weight
        elif which == "cost":
            # Partners pay for their offers: activation counts against partner budgets, not
            # in this (UN) cost; a fixed charge here would make the stage a facility-location
            # problem (measured in benchmarks/bench_partnerships.py).
            out[:n] = (self.arcs.usd + self.arcs.time_usd) / COST_SCALE
        else:
            msg = f"unknown objective {which!r}"
            raise ValueError(msg)
        return out

    @property
    def is_network(self) -> bool:
        """True when only pledge-capacity and requirement-demand rows are present."""
        return not self.side_rules

    def complete(self, x: FloatArray) -> FloatArray:
        """Full column vector for arc units ``x``: participation, staffing and strength.

        Columns a user's ``extra_functionality`` added are left at zero.
        """
        values = np.zeros(self.num_cols)
        n = len(self.arcs)
        values[:n] = x
        mission = self.index.requirement_mission[self.arcs.requirement]
        contrib = self.index.pledge_contributor[self.arcs.pledge]
        n_m = len(self.index.missions)
        if self.z_cols.size:
            sent = np.bincount(contrib * n_m + mission, weights=x, minlength=0)
            keys = self.z_contributors * n_m + self.z_missions
            padded = np.zeros(max(int(keys.max()) + 1, sent.size))
            padded[: sent.size] = sent
            values[self.z_cols] = (padded[keys] > 0.5).astype(np.float64)
        per_mission = np.bincount(mission, weights=x, minlength=n_m)
        if self.y_cols.size:
            values[self.y_cols] = (per_mission[self.y_missions] > 0.5).astype(np.float64)
        if self.t_cols.size:
            strength = np.bincount(mission, weights=x * self.arcs.personnel, minlength=n_m)
            values[self.t_cols] = strength[self.t_missions]
        if self.w_cols.size:
            arcs, offers, _ = offer_entries(self)
            used = np.zeros(len(self.index.scenario.partnerships))
            np.add.at(used, offers, x[arcs])
            values[self.w_cols] = (used[self.w_offers] > 0.5).astype(np.float64)
        return values

    def integer_upper(self) -> FloatArray:
        """Column upper bounds with the arcs' bounds tightened by the women's-share rows: the
        most units an arc carries in any integer point that keeps every row.

        A requirement's women row reads ``sum_a c_a x_a >= 0`` over its arcs and its demand
        row ``sum_a x_a <= d``. If arc ``a`` (``c_a < 0``) carries ``k`` units, the other
        units number at most ``d - k`` and each adds at most ``s = max_b c_b``; so
        ``k c_a + (d - k) max(s, 0) >= 0``, that is ``k <= d s / (s - c_a)`` (``k = 0``
        when ``s <= 0``). The bound holds for integer ``k`` only: it cuts off fractional
        points of the LP relaxation (mixing a fraction of a short unit with one that has
        women to spare), never an integer point. Every other column keeps its bound.
        """
        upper = np.concatenate(self.col_upper) if self.col_upper else np.zeros(0)
        women = self.constraints.get("women_share")
        demand = self.constraints.get("requirement_demand")
        if women is None or demand is None or len(women) == 0:
            return upper
        n = len(self.arcs)
        row_lower = np.concatenate(self.row_lower)
        row_upper = np.concatenate(self.row_upper)
        need = np.full(len(self.index.scenario.requirements), np.inf)
        need[demand.coords["requirement"]] = row_upper[demand.positions]
        start, cols, vals = self.matrix()
        out = upper.copy()
        rows = women.positions.tolist()
        for row, req in zip(rows, women.coords["requirement"].tolist(), strict=True):
            if row_lower[row] != 0 or not math.isfinite(need[req]):
                continue
            lo, hi = int(start[row]), int(start[row + 1])
            arcs, coef = cols[lo:hi], vals[lo:hi]
            if np.any(arcs >= n) or not np.all(self.arcs.requirement[arcs] == req):
                continue  # a row this bound does not describe (a user's change)
            best = float(coef.max(initial=0.0))
            short = coef < 0
            d = float(need[req])
            most = np.zeros(int(short.sum())) if best <= 0 else d * best / (best - coef[short])
            # generous rounding: a bound a hair too high is merely weaker
            most = np.floor(most * (1 + 1e-9) + 1e-6)
            out[arcs[short]] = np.minimum(out[arcs[short]], most)
        return out

    def feasible(self, values: FloatArray, tol: float = 1e-6) -> bool:
        """Whether ``values`` satisfies every bound and row (integrality not checked)."""
        col_lower, col_upper, _, row_lower, row_upper = self.bounds()
        if np.any(values < col_lower - tol) or np.any(values > col_upper + tol):
            return False
        start, index, value = self.matrix()
        rows = np.repeat(np.arange(self.num_rows), np.diff(start))
        activity = np.bincount(rows, weights=value * values[index], minlength=self.num_rows)
        return bool(
            np.all(activity >= row_lower - tol * (1 + np.abs(row_lower)))
            and np.all(activity <= row_upper + tol * (1 + np.abs(row_upper)))
        )

    def matrix(self) -> tuple[IntArray, IntArray, FloatArray]:
        """Row-wise CSR (start, index, value) of all entries."""
        if self.entries:
            rows = np.concatenate([e[0] for e in self.entries])
            cols = np.concatenate([e[1] for e in self.entries])
            vals = np.concatenate([e[2] for e in self.entries])
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            vals = np.zeros(0)
        order = np.lexsort((cols, rows))
        rows, cols, vals = rows[order], cols[order], vals[order]
        start = np.searchsorted(rows, np.arange(self.num_rows + 1)).astype(np.int64)
        return start, cols, vals

    def bounds(self) -> tuple[FloatArray, FloatArray, NDArray[np.bool_], FloatArray, FloatArray]:
        """Column lower/upper/integer and row lower/upper as flat arrays."""

        def cat(parts: Sequence[NDArray[np.float64]]) -> FloatArray:
            return np.concatenate(parts) if parts else np.zeros(0)

        integer = np.concatenate(self.col_integer) if self.col_integer else np.zeros(0, bool)
        return (
            cat(self.col_lower),
            cat(self.col_upper),
            integer,
            cat(self.row_lower),
            cat(self.row_upper),
        )


def _local(gid: IntArray, ids: IntArray, groups: int) -> tuple[IntArray, IntArray, IntArray]:
    """Per group (``gid``, sorted), its distinct ``ids`` in ascending order, concatenated;
    each element's position among its group's; and where each group's start (``groups`` + 1
    offsets)."""
    if ids.size == 0:
        return _empty(), _empty(), np.zeros(groups + 1, dtype=np.int64)
    span = int(ids.max()) + 1
    uniq, inverse = np.unique(gid * span + ids, return_inverse=True)
    first = np.searchsorted(uniq // span, np.arange(groups + 1)).astype(np.int64)
    local = inverse.reshape(-1).astype(np.int64) - first[gid]
    return (uniq % span).astype(np.int64), local, first


def _group(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Unique keys and, per element, the position of its key."""
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), inverse.astype(np.int64).reshape(-1)


def _most_units(m: Model, groups: IntArray, count: int) -> FloatArray:
    """Most units each group of arcs can carry: never more than its arcs carry, than its
    requirements ask for, or than its pledges hold (big-M values from the data's bounds)."""
    sc = m.index.scenario
    by_arcs = np.bincount(groups, weights=m.arcs.upper, minlength=count).astype(np.float64)
    need = np.array([r.units for r in sc.requirements], dtype=np.float64)
    have = np.array([p.units for p in sc.pledges], dtype=np.float64)
    out = by_arcs
    for ids, amount in ((m.arcs.requirement, need), (m.arcs.pledge, have)):
        if ids.size == 0:
            continue
        key = groups.astype(np.int64) * (int(ids.max()) + 1) + ids
        uniq = np.unique(key)
        g = uniq // (int(ids.max()) + 1)
        most = np.bincount(g, weights=amount[uniq % (int(ids.max()) + 1)], minlength=count)
        out = np.minimum(out, most.astype(np.float64))
    return out


# -- the recipe ------------------------------------------------------------------------------
def define_assignments(m: Model) -> None:
    """Integer units per allowed (pledge, requirement) arc (at most the requirement holds)."""
    m.add_variables(
        "assignment",
        np.zeros(len(m.arcs)),
        m.arcs.upper,
        integer=True,
        coords={"pledge": m.arcs.pledge, "requirement": m.arcs.requirement},
    )


def define_pledge_capacity(m: Model) -> None:
    """A pledge's units go to at most its pledged number of units in total."""
    sc = m.index.scenario
    pledges, row = _group(m.arcs.pledge)
    cap = np.array([sc.pledges[i].units for i in pledges], dtype=np.float64)
    # Clamped to what its arcs can carry: a pledge of 3e8 units never meets a row of 3e8.
    cap = np.minimum(cap, np.bincount(row, weights=m.arcs.upper, minlength=pledges.size))
    x = np.arange(len(m.arcs), dtype=np.int64)
    m.add_constraints(
        "pledge_capacity",
        np.full(pledges.size, -np.inf),
        cap,
        row,
        x,
        np.ones(x.size),
        coords={"pledge": pledges},
    )


def define_requirement_demand(m: Model) -> None:
    """A requirement receives at most the units it asks for."""
    sc = m.index.scenario
    reqs, row = _group(m.arcs.requirement)
    need = np.array([sc.requirements[j].units for j in reqs], dtype=np.float64)
    x = np.arange(len(m.arcs), dtype=np.int64)
    m.add_constraints(
        "requirement_demand",
        np.full(reqs.size, -np.inf),
        need,
        row,
        x,
        np.ones(x.size),
        coords={"requirement": reqs},
    )


def _contributor_mission(m: Model) -> tuple[IntArray, IntArray, IntArray]:
    """Per (contributor, mission) pair with arcs: contributor, mission, and per-arc pair pos."""
    n_m = len(m.index.missions)
    key = (
        m.index.pledge_contributor[m.arcs.pledge] * n_m
        + m.index.requirement_mission[m.arcs.requirement]
    )
    pairs, pos = _group(key)
    return pairs // n_m, pairs % n_m, pos


def define_participation(m: Model) -> None:
    """Binary ``participation[c,m]`` and ``staffed[m]``, when diversity or a minimum number
    of contributors is in play."""
    policy = m.index.scenario.policy
    need_min = policy.min_contributors > 1
    if policy.diversity_weight == 0 and not need_min:
        return
    if len(m.arcs) == 0:
        return
    contrib, mission, pos = _contributor_mission(m)
    npairs = contrib.size
    z = m.add_variables(
        "participation",
        np.zeros(npairs),
        np.ones(npairs),
        integer=True,
        coords={"contributor": contrib, "mission": mission},
    )
    x = np.arange(len(m.arcs), dtype=np.int64)
    # z <= sum x: a contributor counts only if it sends units.
    m.add_constraints(
        "participation_needs_units",
        np.full(npairs, -np.inf),
        np.zeros(npairs),
        np.concatenate([np.arange(npairs), pos]),
        np.concatenate([z, x]),
        np.concatenate([np.ones(npairs), -np.ones(x.size)]),
        coords={"contributor": contrib, "mission": mission},
    )
    m.side_rules.append("participation")
    if not need_min:
        return
    skip = m.relaxation.min_contributor_missions
    keep_pair = np.array([mi not in skip for mi in mission.tolist()], dtype=bool)
    if not keep_pair.any():
        return
    # sum x <= M z: sending units makes the contributor count.
    big = _most_units(m, pos, npairs)
    m.add_constraints(
        "units_need_participation",
        np.full(npairs, -np.inf),
        np.zeros(npairs),
        np.concatenate([pos, np.arange(npairs)]),
        np.concatenate([x, z]),
        np.concatenate([np.ones(x.size), -big]),
        coords={"contributor": contrib, "mission": mission},
        mask=keep_pair,
    )
    # y[m] = 1 if the mission receives units; then at least k contributors take part.
    missions = np.unique(mission[keep_pair]).astype(np.int64)
    y = m.add_variables(
        "staffed",
        np.zeros(missions.size),
        np.ones(missions.size),
        integer=True,
        coords={"mission": missions},
    )
    mpos = np.full(len(m.index.missions), -1, dtype=np.int64)
    mpos[missions] = np.arange(missions.size)
    arc_row = mpos[m.index.requirement_mission[m.arcs.requirement]]
    sel = arc_row >= 0
    bigm = _most_units(m, np.where(sel, arc_row, missions.size), missions.size + 1)
    m.add_constraints(
        "units_staff_mission",
        np.full(missions.size, -np.inf),
        np.zeros(missions.size),
        np.concatenate([arc_row[sel], np.arange(missions.size)]),
        np.concatenate([x[sel], y]),
        np.concatenate([np.ones(int(sel.sum())), -bigm[: missions.size]]),
        coords={"mission": missions},
    )
    z_row = mpos[mission[keep_pair]]
    m.add_constraints(
        "min_contributors",
        np.zeros(missions.size),
        np.full(missions.size, np.inf),
        np.concatenate([z_row, np.arange(missions.size)]),
        np.concatenate([z[keep_pair], y]),
        np.concatenate([np.ones(z_row.size), -float(policy.min_contributors) * np.ones(y.size)]),
        coords={"mission": missions},
    )
    m.side_rules.append("min_contributors")


def define_contributor_cap(m: Model) -> None:
    """A contributor's personnel in a mission is at most ``share`` of the mission's personnel."""
    share = m.index.scenario.policy.max_contributor_share
    if share is None or share >= 1 or len(m.arcs) == 0:
        return
    arc_mission = m.index.requirement_mission[m.arcs.requirement]
    skip = m.relaxation.cap_missions
    keep_arc = np.array([mi not in skip for mi in arc_mission.tolist()], dtype=bool)
    if not keep_arc.any():
        return
    missions, mrow = _group(arc_mission[keep_arc])
    x = np.arange(len(m.arcs), dtype=np.int64)[keep_arc]
    s = m.arcs.personnel[keep_arc]
    most: FloatArray = np.bincount(
        mrow, weights=s * m.arcs.upper[keep_arc], minlength=missions.size
    ).astype(np.float64)
    t = m.add_variables(
        "strength", np.zeros(missions.size), most, integer=False, coords={"mission": missions}
    )
    # t[m] = planned personnel of mission m.
    m.add_constraints(
        "strength_definition",
        np.zeros(missions.size),
        np.zeros(missions.size),
        np.concatenate([mrow, np.arange(missions.size)]),
        np.concatenate([x, t]),
        np.concatenate([s, -np.ones(missions.size)]),
        coords={"mission": missions},
    )
    contrib, _, pos = _contributor_mission(m)
    pairs, prow = _group(pos[keep_arc])
    pair_mission = np.zeros(pairs.size, dtype=np.int64)
    pair_mission[prow] = mrow
    m.add_constraints(
        "contributor_cap",
        np.full(pairs.size, -np.inf),
        np.zeros(pairs.size),
        np.concatenate([prow, np.arange(pairs.size)]),
        np.concatenate([x, t[pair_mission]]),
        np.concatenate([s, -share * np.ones(pairs.size)]),
        coords={"contributor": contrib[pairs], "mission": missions[pair_mission]},
    )
    m.side_rules.append("contributor_cap")


def define_budget(m: Model) -> None:
    """Total cost-model USD stays within the budget."""
    budget = m.index.scenario.policy.budget
    if budget is None or m.relaxation.budget or len(m.arcs) == 0:
        return
    n = len(m.arcs)
    m.add_constraints(
        "budget",
        np.array([-np.inf]),
        np.array([budget / COST_SCALE]),
        np.zeros(n, dtype=np.int64),
        np.arange(n, dtype=np.int64),
        m.arcs.usd / COST_SCALE,
    )
    m.side_rules.append("budget")


def define_women_share(m: Model) -> None:
    """Personnel filling a requirement reach its minimum women's share on average."""
    sc = m.index.scenario
    minimum = np.array([r.min_women_share for r in sc.requirements])[m.arcs.requirement]
    skip = m.relaxation.women_requirements
    keep = (minimum > 0) & np.array(
        [j not in skip for j in m.arcs.requirement.tolist()], dtype=bool
    )
    if not keep.any():
        return
    share = np.array([p.women_share for p in sc.pledges])[m.arcs.pledge]
    reqs, row = _group(m.arcs.requirement[keep])
    coef = m.arcs.personnel[keep] * (share[keep] - minimum[keep])
    m.add_constraints(
        "women_share",
        np.zeros(reqs.size),
        np.full(reqs.size, np.inf),
        row,
        np.arange(len(m.arcs), dtype=np.int64)[keep],
        coef,
        coords={"requirement": reqs},
    )
    m.side_rules.append("women_share")


def offer_entries(m: Model) -> tuple[IntArray, IntArray, FloatArray]:
    """Per (arc, offer it relies on): arc position, offer position, capacity used per unit."""
    arcs: list[int] = []
    offers: list[int] = []
    amounts: list[float] = []
    # Only the arcs of variants that rely on offers (few) are visited; the last entry (False)
    # is read for variant -1 (the pledge as declared).
    supported = np.array([bool(v.offers) for v in m.index.variants] + [False], dtype=bool)
    for k, v in zip(
        np.flatnonzero(supported[m.arcs.variant]).tolist(),
        m.arcs.variant[supported[m.arcs.variant]].tolist(),
        strict=True,
    ):
        var = m.index.variants[v]
        for o, amount in zip(var.offers, var.amounts, strict=True):
            arcs.append(k)
            offers.append(o)
            amounts.append(amount)
    return (
        np.array(arcs, dtype=np.int64),
        np.array(offers, dtype=np.int64),
        np.array(amounts, dtype=np.float64),
    )


def define_partnerships(m: Model) -> None:
    """Binary ``w[o]`` (offer ``o`` activated); arcs relying on an offer use its capacity only
    when it is activated; activation costs stay within each partner's budget."""
    arcs, offers, amounts = offer_entries(m)
    if arcs.size == 0:
        return
    sc = m.index.scenario
    used, row = _group(offers)
    w = m.add_variables(
        "activation",
        np.zeros(used.size),
        np.ones(used.size),
        integer=True,
        coords={"offer": used},
    )
    capacity = np.array([sc.partnerships[o].capacity for o in used.tolist()])
    # sum amount * x - capacity * w <= 0
    m.add_constraints(
        "offer_capacity",
        np.full(used.size, -np.inf),
        np.zeros(used.size),
        np.concatenate([row, np.arange(used.size)]),
        np.concatenate([arcs, w]),
        np.concatenate([amounts, -capacity]),
        coords={"offer": used},
    )
    # x <= upper * w for each arc relying on an offer: the strong form of the link, which
    # tightens the LP relaxation of the fixed activation cost.
    entries = np.arange(arcs.size, dtype=np.int64)
    m.add_constraints(
        "offer_link",
        np.full(arcs.size, -np.inf),
        np.zeros(arcs.size),
        np.concatenate([entries, entries]),
        np.concatenate([arcs, w[row]]),
        np.concatenate([np.ones(arcs.size), -m.arcs.upper[arcs]]),
        coords={"offer": offers},
    )
    budgets = sc.policy.partner_budgets
    partners = sorted({sc.partnerships[o].partner for o in used.tolist()} & set(budgets))
    if partners:
        ppos = {p: i for i, p in enumerate(partners)}
        mine = [k for k, o in enumerate(used.tolist()) if sc.partnerships[o].partner in ppos]
        prow = np.array([ppos[sc.partnerships[int(used[k])].partner] for k in mine])
        fee = np.array([sc.partnerships[int(used[k])].cost_usd for k in mine])
        m.add_constraints(
            "partner_budget",
            np.full(len(partners), -np.inf),
            np.array([budgets[p] for p in partners]) / COST_SCALE,
            prow.astype(np.int64),
            w[np.array(mine, dtype=np.int64)],
            fee / COST_SCALE,
        )
    m.side_rules.append("partnerships")


RECIPE: tuple[Callable[[Model], None], ...] = (
    define_assignments,
    define_pledge_capacity,
    define_requirement_demand,
    define_participation,
    define_contributor_cap,
    define_budget,
    define_women_share,
    define_partnerships,
)


#: A user's hook: called with the built model to add variables and constraints (as PyPSA's
#: ``extra_functionality``). The model is then always solved as a MILP.
ExtraFunctionality = Callable[[Model], None]


def create_model(
    index: Index,
    arcs: Arcs,
    relaxation: Relaxation | None = None,
    *,
    extra_functionality: ExtraFunctionality | None = None,
    reduction: Reduction | None = None,
) -> Model:
    """Run every ``define_*`` step of :data:`RECIPE`, then ``extra_functionality``.

    ``reduction`` records the arcs :func:`reduce_arcs` left out of ``arcs`` (read by
    :func:`bluehelmet.forcegen.planner.start_values` to place a plan that uses them).
    """
    m = Model(index=index, arcs=arcs, relaxation=relaxation or Relaxation(), reduction=reduction)
    for step in RECIPE:
        step(m)
    if extra_functionality is not None:
        rows, cols = m.num_rows, m.num_cols
        extra_functionality(m)
        if (m.num_rows, m.num_cols) != (rows, cols):
            m.side_rules.append("extra_functionality")
    return m


def build_model(index: Index, *, extra_functionality: ExtraFunctionality | None = None) -> Model:
    """The model the planner solves: every allowed arc but the dominated ones
    (:func:`reduce_arcs`), unless a user's ``extra_functionality`` adds constraints (the
    dominance argument covers the built-in rules only; then every arc is kept)."""
    arcs = build_arcs(index)
    if extra_functionality is not None:
        return create_model(index, arcs, extra_functionality=extra_functionality)
    kept, reduction = reduce_arcs(index, arcs)
    return create_model(index, kept, reduction=reduction)
