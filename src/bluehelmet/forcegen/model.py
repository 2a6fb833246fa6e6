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

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from bluehelmet.domain.planning import Scenario
from bluehelmet.forcegen.costs import unit_cost
from bluehelmet.forcegen.objectives import legitimacy_per_unit, time_cost_per_unit
from bluehelmet.forcegen.partnerships import Variant, variants
from bluehelmet.forcegen.rules import Exclusion, exclusions

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: Cost objective coefficients are in millions of USD (keeps the LP well scaled).
COST_SCALE = 1e6


@dataclass(frozen=True, slots=True)
class Candidate:
    """A (pledge, requirement) pair of the same unit type and the static rules it breaks."""

    pledge: int
    requirement: int
    exclusions: tuple[Exclusion, ...]
    variant: int = -1  # position in ``Index.variants`` (-1: the pledge as declared)


@dataclass(frozen=True)
class Index:
    """Positions of the scenario's entities in the model arrays."""

    scenario: Scenario
    pledge_contributor: IntArray  # contributor position of each pledge
    requirement_mission: IntArray  # mission position of each requirement
    contributors: tuple[str, ...]
    missions: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    variants: tuple[Variant, ...] = ()
    partnerships: bool = True  # whether the variants may use partnership offers

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
        """
        contributors = tuple(sorted({p.contributor for p in scenario.pledges}))
        cpos = {c: i for i, c in enumerate(contributors)}
        missions = tuple(m.acronym for m in scenario.missions)
        mpos = {m: i for i, m in enumerate(missions)}
        site = {m.acronym: m for m in scenario.missions}
        by_type: dict[str, list[int]] = defaultdict(list)
        for j, r in enumerate(scenario.requirements):
            by_type[r.unit_type].append(j)
        cands: list[Candidate] = []
        policy = scenario.policy
        every = variants(scenario, partnerships=partnerships)
        # A pledge relies on offers only where it could not fill the requirement without
        # them (variants list the unsupported one first).
        eligible: set[tuple[int, int]] = set()
        for v, var in enumerate(every):
            p = var.effective
            for j in by_type.get(p.unit_type, ()):
                r = scenario.requirements[j]
                if not var.serves(r.mission):
                    continue
                if var.offers and not every_variant and (var.pledge, j) in eligible:
                    continue
                excl = exclusions(p, r, site[r.mission], policy)
                if not var.offers and not excl:
                    eligible.add((var.pledge, j))
                cands.append(Candidate(var.pledge, j, excl, v))
        return cls(
            scenario=scenario,
            pledge_contributor=np.array(
                [cpos[p.contributor] for p in scenario.pledges], dtype=np.int64
            ),
            requirement_mission=np.array(
                [mpos[r.mission] for r in scenario.requirements], dtype=np.int64
            ),
            contributors=contributors,
            missions=missions,
            candidates=tuple(cands),
            variants=every,
            partnerships=partnerships,
        )


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


def build_arcs(index: Index, allow: Callable[[Candidate], bool] | None = None) -> Arcs:
    """Arcs of the candidates with no exclusion, or those ``allow`` accepts."""
    sc = index.scenario
    policy = sc.policy
    units = {u.code: u for u in sc.unit_types}
    sites = {m.acronym: m for m in sc.missions}
    contributors = {c.iso3: c for c in sc.contributors}
    chosen = [c for c in index.candidates if (allow(c) if allow is not None else not c.exclusions)]
    n = len(chosen)
    pl = np.fromiter((c.pledge for c in chosen), dtype=np.int64, count=n)
    rq = np.fromiter((c.requirement for c in chosen), dtype=np.int64, count=n)
    upper = np.empty(n)
    personnel = np.empty(n)
    weight = np.empty(n)
    legit = np.empty(n)
    usd = np.empty(n)
    time_usd = np.empty(n)
    variant = np.fromiter((c.variant for c in chosen), dtype=np.int64, count=n)
    cost_cache: dict[tuple[int, str], float] = {}
    legit_cache: dict[tuple[int, str], float] = {}
    for k, c in enumerate(chosen):
        p = sc.pledges[c.pledge]
        r = sc.requirements[c.requirement]
        unit = units[r.unit_type]
        key = (c.pledge, r.mission)
        if key not in cost_cache:
            site = sites[r.mission]
            who = contributors.get(p.contributor)
            cost_cache[key] = unit_cost(p, unit, who, site, policy).total
            legit_cache[key] = legitimacy_per_unit(p, who, site, policy)
        upper[k] = min(p.units, r.units)
        if c.variant >= 0:
            var = index.variants[c.variant]
            for o, amount in zip(var.offers, var.amounts, strict=True):
                # no more units than the offer's capacity can support
                upper[k] = min(upper[k], math.floor(sc.partnerships[o].capacity / amount + 1e-9))
        personnel[k] = unit.personnel
        weight[k] = policy.weight(r.priority)
        legit[k] = legit_cache[key]
        usd[k] = cost_cache[key]
        time_usd[k] = time_cost_per_unit(
            index.variants[c.variant].effective if c.variant >= 0 else p, policy
        )
    return Arcs(pl, rq, upper, personnel, weight, legit, usd, time_usd, variant)


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
    removed_rank: list[tuple[int, int]] = []
    dominators: list[IntArray] = []
    for members in np.split(order, bounds) if order.size else []:
        pledges, prow = _group(arcs.pledge[members])
        reqs, rcol = _group(arcs.requirement[members])
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
        missions, mcol = _group(index.requirement_mission[reqs])
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
        for j, c in zip(*np.nonzero(dom.any(0) & (held >= bound - 0.5)), strict=True):
            removed.append(int(pos[j, c]))
            removed_rank.append((int(j), len(removed)))
            dominators.append(pos[np.flatnonzero(dom[:, j, c]), c])
    # Units are moved off later pledges first: a dominator may itself be left out.
    sequence = sorted(range(len(removed)), key=lambda i: -removed_rank[i][0])
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


def _empty() -> IntArray:
    return np.zeros(0, dtype=np.int64)


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
    for k, v in enumerate(m.arcs.variant.tolist()):
        if v < 0:
            continue
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
