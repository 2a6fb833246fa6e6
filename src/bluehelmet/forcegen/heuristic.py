"""A feasible starting plan from the LP relaxation: round down, then repair the side rules.

Rounding the LP's units down keeps pledge capacity, demand and budget. The side rules are then
restored as the greedy baseline does: units are withdrawn where a requirement's women's share
or a contributor's share of a mission breaks its limit, and missions with too few contributors
are emptied. The result is verified against every row before it is offered to the MILP.
"""

from __future__ import annotations

import math

import numpy as np

from bluehelmet.forcegen.model import FloatArray, Model


def rounding_start(model: Model, lp_values: FloatArray) -> FloatArray | None:
    """A feasible integer column vector near ``lp_values``, or None."""
    arcs = model.arcs
    n = len(arcs)
    if n == 0:
        return None
    sc = model.index.scenario
    policy = sc.policy
    x = np.floor(lp_values[:n] + 1e-6)
    x = np.clip(x, 0, arcs.upper)
    share = np.array([p.women_share for p in sc.pledges])[arcs.pledge]
    minimum = np.array([r.min_women_share for r in sc.requirements])[arcs.requirement]
    mission = model.index.requirement_mission[arcs.requirement]
    contrib = model.index.pledge_contributor[arcs.pledge]
    size = arcs.personnel
    for j in np.unique(arcs.requirement[minimum > 0]).tolist():
        idx = np.flatnonzero((arcs.requirement == j) & (x > 0))
        low = float(minimum[idx[0]]) if idx.size else 0.0
        for k in idx[np.argsort(share[idx])].tolist():
            persons = float(size[idx] @ x[idx])
            women = float((size[idx] * share[idx]) @ x[idx])
            if persons == 0 or women >= low * persons - 1e-9:
                break
            if share[k] < low:
                need = (low * persons - women) / (size[k] * (low - share[k]))
                x[k] -= min(x[k], math.ceil(need - 1e-9))
    cap = policy.max_contributor_share
    if cap is not None and cap < 1:
        for mi in np.unique(mission).tolist():
            idx = np.flatnonzero(mission == mi)
            while True:
                per = np.bincount(contrib[idx], weights=size[idx] * x[idx])
                total = per.sum()
                over = np.flatnonzero(per > cap * total + 1e-9)
                if over.size == 0:
                    break
                worst = over[np.argmax(per[over])]
                mine = idx[(contrib[idx] == worst) & (x[idx] > 0)]
                k = mine[np.argmax(x[mine])]
                need = (per[worst] - cap * total) / (size[k] * (1 - cap))
                x[k] -= min(x[k], max(1, math.ceil(need - 1e-9)))
    if policy.min_contributors > 1:
        for mi in np.unique(mission).tolist():
            idx = np.flatnonzero(mission == mi)
            if np.unique(contrib[idx][x[idx] > 0]).size < policy.min_contributors:
                x[idx] = 0
    values = model.complete(x)
    return values if model.feasible(values) else None
