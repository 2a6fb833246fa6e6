"""The gap explanations as computed before release 0.2: one MILP per gap and rule.

Kept in the tests as the reference the fast explanations (``bluehelmet.forcegen.explain``) must
agree with on the hand-made and random cases.

For every requirement left short, each candidate rule is relaxed for that requirement alone and
the model re-solved for the most units the requirement could then receive while every other
requirement keeps its weighted fill. A rule is reported when relaxing it recovers units (the
``recoverable_units``). Competition (eligible units used by other requirements) is tested by
dropping the hold on the others' fill; if no single rule recovers units but all together do,
the combination is reported; what no relaxation recovers is a shortage of pledged units.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

import highspy
import numpy as np

from bluehelmet.domain.planning import Assignment, Gap, GapCause, GapReason
from bluehelmet.forcegen.model import (
    Candidate,
    Index,
    Model,
    Relaxation,
    build_arcs,
    create_model,
)
from bluehelmet.forcegen.rules import STATIC_CAUSES
from bluehelmet.forcegen.solve import _has_solution, _hold, load, new_highs

_MAX_LISTED = 4


def _listing(items: list[str]) -> str:
    uniq = list(dict.fromkeys(items))
    shown = "; ".join(uniq[:_MAX_LISTED])
    if len(uniq) > _MAX_LISTED:
        shown += f"; and {len(uniq) - _MAX_LISTED} more"
    return shown


def _model_for(index: Index, j: int, causes: frozenset[GapCause], relaxation: Relaxation) -> Model:
    def allow(c: Candidate) -> bool:
        if not c.exclusions:
            return True
        return c.requirement == j and {e.cause for e in c.exclusions} <= causes

    return create_model(index, build_arcs(index, allow), relaxation)


def explain_gaps(
    index: Index,
    side_rules: list[str],
    assignments: tuple[Assignment, ...],
    *,
    time_limit: float = 10.0,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[Gap, ...]:
    """A :class:`Gap` with computed reasons for every requirement short or late.

    ``progress(step, done, total)`` is called after each requirement.
    """
    sc = index.scenario
    policy = sc.policy
    filled: dict[str, int] = defaultdict(int)
    late: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        filled[a.requirement] += a.units
        if a.late_days > 0:
            late[a.requirement].append(a)
    total_fill = sum(
        policy.weight(r.priority) * filled[r.id] for r in sc.requirements if r.id in filled
    )
    by_req: dict[int, list[Candidate]] = defaultdict(list)
    for c in index.candidates:
        by_req[c.requirement].append(c)
    pledged: Mapping[str, int] = _pledged_by_type(index)
    gaps: list[Gap] = []
    total = len(sc.requirements)
    for j, req in enumerate(sc.requirements):
        if progress is not None:
            progress("explaining gaps", j, total)
        f = filled[req.id]
        late_units = sum(a.units for a in late[req.id])
        if f >= req.units and not late_units:
            continue
        reasons: list[GapReason] = []
        if late_units:
            reasons.append(
                GapReason(
                    GapCause.READINESS,
                    "late: "
                    + _listing(
                        [f"{a.contributor} arrives {a.arrival.isoformat()}" for a in late[req.id]]
                    )
                    + f" (needed by {req.needed_by.isoformat()})",
                    None,
                    verified=True,
                )
            )
        if f < req.units:
            reasons.extend(
                _why_short(
                    index,
                    j,
                    f=f,
                    total_fill=total_fill,
                    side_rules=side_rules,
                    cands=by_req[j],
                    pledged=pledged,
                    time_limit=time_limit,
                )
            )
        gaps.append(
            Gap(
                requirement=req.id,
                mission=req.mission,
                unit_type=req.unit_type,
                required=req.units,
                filled=f,
                late_units=late_units,
                reasons=tuple(reasons),
            )
        )
    return tuple(gaps)


def _pledged_by_type(index: Index) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for p in index.scenario.pledges:
        out[p.unit_type] += p.units
    return out


def _why_short(
    index: Index,
    j: int,
    *,
    f: int,
    total_fill: float,
    side_rules: list[str],
    cands: list[Candidate],
    pledged: Mapping[str, int],
    time_limit: float,
) -> list[GapReason]:
    sc = index.scenario
    policy = sc.policy
    req = sc.requirements[j]
    if not cands:
        return [
            GapReason(
                GapCause.NO_PLEDGE, f"no pledge of unit type {req.unit_type}", None, verified=True
            )
        ]
    floor = total_fill - policy.weight(req.priority) * f
    mission = int(index.requirement_mission[j])
    none = frozenset[GapCause]()
    reasons: list[GapReason] = []

    def gain(causes: frozenset[GapCause], relax: Relaxation, hold: bool = True) -> int:
        model = _model_for(index, j, causes, relax)
        best = max_units(model, j, others_floor=floor if hold else None, time_limit=time_limit)
        return max(0, best - f)

    static_details: dict[GapCause, list[str]] = defaultdict(list)
    for c in cands:
        for e in c.exclusions:
            static_details[e.cause].append(e.detail)
    tested: list[tuple[GapCause, frozenset[GapCause], Relaxation]] = [
        (cause, frozenset({cause}), Relaxation())
        for cause in STATIC_CAUSES
        if cause in static_details
    ]
    dynamic: dict[GapCause, tuple[Relaxation, str]] = {}
    if "contributor_cap" in side_rules:
        dynamic[GapCause.CONTRIBUTOR_CAP] = (
            Relaxation(cap_missions=frozenset({mission})),
            f"no contributor may exceed {policy.max_contributor_share:.0%} of "
            f"{req.mission}'s planned personnel",
        )
    if "min_contributors" in side_rules:
        dynamic[GapCause.MIN_CONTRIBUTORS] = (
            Relaxation(min_contributor_missions=frozenset({mission})),
            f"{req.mission} needs at least {policy.min_contributors} distinct contributors",
        )
    if "budget" in side_rules:
        dynamic[GapCause.BUDGET] = (
            Relaxation(budget=True),
            f"the budget of USD {policy.budget:,.0f} is binding",
        )
    if "women_share" in side_rules and req.min_women_share > 0:
        dynamic[GapCause.WOMEN_SHARE] = (
            Relaxation(women_requirements=frozenset({j})),
            f"eligible units cannot reach the minimum women's share of {req.min_women_share:.0%}",
        )
    tested.extend((cause, none, relax) for cause, (relax, _) in dynamic.items())
    for cause, causes, relax in tested:
        g = gain(causes, relax)
        if g > 0:
            detail = (
                _listing(static_details[cause]) if cause in static_details else dynamic[cause][1]
            )
            reasons.append(GapReason(cause, detail, g, verified=True))

    def relax_of(families: frozenset[GapCause]) -> tuple[frozenset[GapCause], Relaxation]:
        static = frozenset(c for c in families if c in static_details)
        merged = Relaxation()
        for c in families & set(dynamic):
            r = dynamic[c][0]
            merged = Relaxation(
                merged.cap_missions | r.cap_missions,
                merged.min_contributor_missions | r.min_contributor_missions,
                merged.budget or r.budget,
                merged.women_requirements | r.women_requirements,
            )
        return static, merged

    all_families = frozenset(static_details) | frozenset(dynamic)
    all_causes, everything = relax_of(all_families)
    if not reasons:
        g = gain(none, Relaxation(), hold=False)
        if g > 0:
            reasons.append(
                GapReason(
                    GapCause.COMPETITION,
                    "eligible units are assigned to requirements of equal or higher weight",
                    g,
                    verified=True,
                )
            )
    if not reasons and all_families and gain(all_causes, everything) > 0:
        # Shrink to a minimal set of rules that must be relaxed together.
        needed = set(all_families)
        for family in sorted(all_families):
            trial = frozenset(needed - {family})
            if trial and gain(*relax_of(trial)) > 0:
                needed.discard(family)
        g = gain(*relax_of(frozenset(needed)))
        names = [
            f"{c.value} ({_listing(static_details[c])})" if c in static_details else c.value
            for c in sorted(needed)
        ]
        reasons.append(
            GapReason(
                GapCause.COMBINED,
                "only relaxing these rules together recovers units: " + ", ".join(names),
                g,
                verified=True,
            )
        )
    reachable = f + gain(all_causes, everything, hold=False)
    if not reasons and reachable > f:
        reasons.append(
            GapReason(
                GapCause.COMBINED,
                "units could come only by relaxing rules and taking units from other requirements",
                reachable - f,
                verified=True,
            )
        )
    if reachable < req.units:
        reasons.append(
            GapReason(
                GapCause.SHORTAGE,
                f"{pledged[req.unit_type]} units of {req.unit_type} pledged in all; even with "
                f"every rule relaxed at most {reachable} of {req.units} can come here",
                None,
                verified=True,
            )
        )
    return reasons


def max_units(
    model: Model,
    requirement: int,
    *,
    others_floor: float | None,
    time_limit: float = 10.0,
) -> int:
    """Most units ``requirement`` can receive in ``model``.

    With ``others_floor``, the weighted fill of every other requirement must stay at least that
    value (the gap must close without taking units from others).
    """
    n = len(model.arcs)
    mine = (model.arcs.requirement == requirement).astype(np.float64)
    if n == 0 or not mine.any():
        return 0
    coef = np.zeros(model.num_cols)
    coef[:n] = mine
    h = new_highs()
    h.setOptionValue("mip_abs_gap", 0.999)
    load(model, h, integer=True)
    if others_floor is not None:
        others = np.zeros(model.num_cols)
        others[:n] = model.arcs.weight * (1.0 - mine)
        _hold(h, others, others_floor - 0.5)
    h.changeColsCost(model.num_cols, np.arange(model.num_cols, dtype=np.int32), coef)
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.setOptionValue("time_limit", time_limit)
    h.run()
    if not _has_solution(h):
        return 0
    values = np.asarray(h.getSolution().col_value, dtype=np.float64)
    return int(np.rint(coef @ values))
