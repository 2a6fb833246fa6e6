"""A plan as plain data (the JSON output of ``bluehelmet plan``): strict JSON, no NaN/Infinity."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from bluehelmet.domain.planning import Plan


def finite(value: float | None) -> float | None:
    """``value`` when it is a finite number, else None (JSON ``null``)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return finite(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """``plan`` as a dict with keys ``scenario``, ``assignments``, ``gaps``, ``objective``,
    ``bound``, ``gap``, ``baseline``, ``quality``, ``notes``, ``partnerships`` (the activated
    offers, each with ``partner``, ``kind``, ``beneficiary`` and the ``assignments`` relying on
    it) and ``without_partnerships`` (objective and units with no offer activated, or None);
    dates as ISO strings; numbers that are not finite, and bounds not proven, as None."""
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
    out = {
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
            "lp_bound": q.lp_bound,
            "stages": [asdict(s) for s in q.stages],
            "explanations": q.explanations,
            "time_limit": q.time_limit,
            "seconds": q.seconds,
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
    return _clean(out)  # type: ignore[no-any-return]
