"""A plan as plain data (the JSON output of ``bluehelmet plan``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bluehelmet.domain.planning import Plan


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """``plan`` as a dict with keys ``assignments``, ``gaps``, ``objective``, ``bound``,
    ``gap``, ``baseline``, ``quality``, ``notes``, ``partnerships`` (the activated offers, each
    with ``partner``, ``kind``, ``beneficiary`` and the ``assignments`` relying on it) and
    ``without_partnerships`` (objective and units with no offer activated, or null); dates as
    ISO strings."""
    q = plan.quality
    gaps = []
    for g in plan.gaps:
        row = asdict(g)
        row["missing"] = g.missing
        row["reasons"] = [
            {
                "cause": r.cause.value,
                "detail": r.detail,
                "recoverable_units": r.recoverable_units,
                "verified": r.verified,
            }
            for r in g.reasons
        ]
        gaps.append(row)
    return {
        "scenario": plan.scenario,
        "assignments": [
            {**asdict(a), "arrival": a.arrival.isoformat(), "offers": list(a.offers)}
            for a in plan.assignments
        ],
        "gaps": gaps,
        "objective": asdict(q.objective),
        "bound": q.bound,
        "gap": q.mip_gap,
        "baseline": asdict(q.baseline),
        "quality": {
            "method": q.method,
            "status": q.status,
            "optimal": q.optimal,
            "solve_seconds": q.solve_seconds,
            "lp_seconds": q.lp_seconds,
        },
        "notes": list(plan.notes),
        "partnerships": [
            {
                "offer": o.offer,
                "partner": o.partner,
                "kind": o.kind.value,
                "beneficiary": asdict(o.beneficiary),
                "capacity": o.capacity,
                "used": o.used,
                "unit": o.unit,
                "cost_usd": o.cost_usd,
                "assignments": [
                    {"pledge": pledge, "requirement": req, "units": units}
                    for pledge, req, units in o.assignments
                ],
            }
            for o in plan.partnerships
        ],
        "without_partnerships": None
        if q.without_partnerships is None
        else {
            "objective": asdict(q.without_partnerships),
            "units": q.units_without_partnerships,
        },
    }
