"""Frames from plans and draws: shock comparison, fill distributions, pledge criticality,
robust planning with backup pledges, and the marginal value of one extra pledge.

Pure: scenarios, plans and draw results in, polars frames out.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import polars as pl
from numpy.typing import NDArray

from bluehelmet.domain.planning import Contributor, Plan, Pledge, ReadinessLevel, Scenario
from bluehelmet.scenarios.model import DrawModel
from bluehelmet.scenarios.montecarlo import Outcome
from bluehelmet.scenarios.uncertainty import Draws, Uncertainty

#: Contributor code of the hypothetical extra pledge tried by :func:`marginal_value`.
EXTRA = "EXTRA"


def requirement_frame(scenario: Scenario) -> pl.DataFrame:
    """One row per requirement: id, mission, unit type, units required, weight."""
    return pl.DataFrame(
        {
            "requirement": [r.id for r in scenario.requirements],
            "mission": [r.mission for r in scenario.requirements],
            "unit_type": [r.unit_type for r in scenario.requirements],
            "required": [r.units for r in scenario.requirements],
            "weight": [scenario.policy.weight(r.priority) for r in scenario.requirements],
        },
        schema={
            "requirement": pl.Utf8,
            "mission": pl.Utf8,
            "unit_type": pl.Utf8,
            "required": pl.Int64,
            "weight": pl.Int64,
        },
    )


def filled(plan: Plan) -> dict[str, int]:
    """Units planned per requirement id."""
    out: dict[str, int] = {}
    for a in plan.assignments:
        out[a.requirement] = out.get(a.requirement, 0) + a.units
    return out


def compare_plans(
    before: Scenario, plan_before: Plan, after: Scenario, plan_after: Plan
) -> pl.DataFrame:
    """Per requirement: required and filled before and after a shock, the units lost (planned
    before, no longer planned from the same pledge), those re-sourced (newly planned from
    other pledges), the units still missing and the reasons the planner gives."""
    old = {(a.pledge, a.requirement): a.units for a in plan_before.assignments}
    new = {(a.pledge, a.requirement): a.units for a in plan_after.assignments}
    lost: dict[str, int] = {}
    gained: dict[str, int] = {}
    for (p, r), u in old.items():
        lost[r] = lost.get(r, 0) + max(0, u - new.get((p, r), 0))
    for (p, r), u in new.items():
        gained[r] = gained.get(r, 0) + max(0, u - old.get((p, r), 0))
    req_before = {r.id: r for r in before.requirements}
    req_after = {r.id: r for r in after.requirements}
    fb, fa = filled(plan_before), filled(plan_after)
    reasons = {
        g.requirement: "; ".join(f"{x.cause.value}: {x.detail}" for x in g.reasons)
        for g in plan_after.gaps
    }
    rows = []
    for rid in [*req_before, *(k for k in req_after if k not in req_before)]:
        req = req_after.get(rid) or req_before[rid]
        need_after = req_after[rid].units if rid in req_after else 0
        rows.append(
            {
                "requirement": rid,
                "mission": req.mission,
                "unit_type": req.unit_type,
                "required_before": req_before[rid].units if rid in req_before else 0,
                "required_after": need_after,
                "filled_before": fb.get(rid, 0),
                "filled_after": fa.get(rid, 0),
                "lost": lost.get(rid, 0),
                "resourced": gained.get(rid, 0),
                "missing_after": need_after - fa.get(rid, 0),
                "reasons": reasons.get(rid, ""),
            }
        )
    return pl.DataFrame(rows, schema=_COMPARE_SCHEMA)


_COMPARE_SCHEMA = {
    "requirement": pl.Utf8,
    "mission": pl.Utf8,
    "unit_type": pl.Utf8,
    "required_before": pl.Int64,
    "required_after": pl.Int64,
    "filled_before": pl.Int64,
    "filled_after": pl.Int64,
    "lost": pl.Int64,
    "resourced": pl.Int64,
    "missing_after": pl.Int64,
    "reasons": pl.Utf8,
}


def fill_by_requirement(scenario: Scenario, outcome: Outcome) -> pl.DataFrame:
    """Per requirement over the draws: mean and 5/50/95 % quantiles of the units filled,
    the probability it stays (partly) unfilled and the expected shortfall in units."""
    base = requirement_frame(scenario)
    units = outcome.units.astype(np.float64)
    required = base["required"].to_numpy().astype(np.float64)
    n = units.shape[0]
    if n == 0:
        nan = np.full(len(required), np.nan)
        stats = dict.fromkeys(("fill_mean", "fill_p05", "fill_p50", "fill_p95"), nan)
        short = nan
        p_unfilled = nan
    else:
        stats = {
            "fill_mean": units.mean(axis=0),
            "fill_p05": np.quantile(units, 0.05, axis=0),
            "fill_p50": np.quantile(units, 0.5, axis=0),
            "fill_p95": np.quantile(units, 0.95, axis=0),
        }
        short = (required - units).mean(axis=0)
        p_unfilled = (units < required).mean(axis=0)
    return base.with_columns(
        *(pl.Series(k, v) for k, v in stats.items()),
        pl.Series("p_unfilled", p_unfilled),
        pl.Series("expected_shortfall", short),
    )


def fill_by_mission(scenario: Scenario, outcome: Outcome) -> pl.DataFrame:
    """Per mission over the draws: units required, mean units filled, 5/95 % quantiles, the
    probability that at least one requirement is short, and the expected shortfall."""
    missions = [m.acronym for m in scenario.missions]
    req_mission = np.array([missions.index(r.mission) for r in scenario.requirements])
    required = np.array([r.units for r in scenario.requirements], dtype=np.float64)
    rows = []
    for k, m in enumerate(missions):
        cols = np.flatnonzero(req_mission == k)
        need = float(required[cols].sum())
        per_draw = outcome.units[:, cols].sum(axis=1).astype(np.float64)
        any_short = (outcome.units[:, cols] < required[cols]).any(axis=1)
        n = per_draw.size
        rows.append(
            {
                "mission": m,
                "required": int(need),
                "fill_mean": float(per_draw.mean()) if n else math.nan,
                "fill_p05": float(np.quantile(per_draw, 0.05)) if n else math.nan,
                "fill_p95": float(np.quantile(per_draw, 0.95)) if n else math.nan,
                "p_unfilled": float(any_short.mean()) if n else math.nan,
                "expected_shortfall": float(need - per_draw.mean()) if n else math.nan,
            }
        )
    return pl.DataFrame(rows)


def _lost_arcs(model: DrawModel, draws: Draws) -> NDArray[np.bool_]:
    """Per draw and arc: the arc's pledge does not deploy or arrives too late."""
    dep = draws.deployed[:, model.arc_pledge]
    late = draws.delay[:, model.arc_pledge] > model.arc_slack
    return ~dep | late


def _plan_arcs(model: DrawModel, plan: Plan) -> NDArray[np.float64]:
    """Units of ``plan`` on each arc of ``model``: the arc of the assignment's pledge,
    requirement and partnership offers (assignments off the model's arcs: none)."""
    sc = model.scenario
    pid = {p.id: i for i, p in enumerate(sc.pledges)}
    rid = {r.id: j for j, r in enumerate(sc.requirements)}
    oid = {o.id: k for k, o in enumerate(sc.partnerships)}
    pos = {
        (int(p), int(r), offers): k
        for k, (p, r, offers) in enumerate(
            zip(model.arc_pledge, model.arc_requirement, model.arc_offers, strict=True)
        )
    }
    x = np.zeros(model.n_arcs)
    for a in plan.assignments:
        offers = tuple(oid[o] for o in a.offers)
        k = pos.get((pid[a.pledge], rid[a.requirement], offers))
        if k is not None:
            x[k] += a.units
    return x


def criticality(scenario: Scenario, plan: Plan, draws: Draws, outcome: Outcome) -> pl.DataFrame:
    """Per pledge of ``plan``: how often it is lost (does not deploy or is late for a
    requirement it serves), how often a requirement it serves is then short after re-planning,
    and their joint probability (``criticality``), highest first."""
    model = DrawModel(scenario)
    x = _plan_arcs(model, plan)
    lost_arc = _lost_arcs(model, draws)
    required = np.array([r.units for r in scenario.requirements])
    short = outcome.units < required  # (n, requirements)
    rows = []
    for i, p in enumerate(scenario.pledges):
        arcs = np.flatnonzero((model.arc_pledge == i) & (x > 0))
        if arcs.size == 0:
            continue
        lost = lost_arc[:, arcs].any(axis=1)
        gap = (lost_arc[:, arcs] & short[:, model.arc_requirement[arcs]]).any(axis=1)
        n = max(1, draws.n)
        rows.append(
            {
                "pledge": p.id,
                "contributor": p.contributor,
                "unit_type": p.unit_type,
                "readiness": str(p.readiness),
                "units_planned": int(x[arcs].sum()),
                "p_lost": float(lost.sum() / n),
                "p_gap_if_lost": float(gap.sum() / lost.sum()) if lost.any() else 0.0,
                "criticality": float(gap.sum() / n),
            }
        )
    schema = {
        "pledge": pl.Utf8,
        "contributor": pl.Utf8,
        "unit_type": pl.Utf8,
        "readiness": pl.Utf8,
        "units_planned": pl.Int64,
        "p_lost": pl.Float64,
        "p_gap_if_lost": pl.Float64,
        "criticality": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema).sort(
        ["criticality", "pledge"], descending=[True, False]
    )


def arc_reliability(model: DrawModel, uncertainty: Uncertainty) -> NDArray[np.float64]:
    """Probability that each arc's pledge deploys and arrives in time for its requirement."""
    p, mean = uncertainty.arrays(model.scenario)
    slack = model.arc_slack.astype(np.float64)
    m = mean[model.arc_pledge]
    with np.errstate(divide="ignore", over="ignore"):
        in_time = np.where(m > 0, 1.0 - np.exp(-(slack + 1.0) / np.where(m > 0, m, 1.0)), 1.0)
    in_time = np.where(slack < 0, 0.0, in_time)
    return p[model.arc_pledge] * in_time


def robust_plan(
    scenario: Scenario, plan: Plan, draws: Draws, outcome: Outcome, uncertainty: Uncertainty
) -> tuple[pl.DataFrame, dict[str, float]]:
    """The deterministic plan with backup pledges on its high-risk requirements, both
    evaluated on the same draws as commitments (units arrive only from the pledges asked).

    Backups: for each requirement whose planned units may fail, ask unused capacity of eligible
    pledges (the static rules hold; most reliable first; deploying without any partnership
    offer) for as many units as the plan's expected shortfall there, rounded up; backups are
    not checked against the contributor cap and the minimum number of contributors. Returns a
    frame per requirement and a summary with the mean weighted fill of the plan, of the plan
    with backups, and of re-planning each draw with every pledge that deploys (every rule
    enforced).
    """
    model = DrawModel(scenario)
    x = _plan_arcs(model, plan)
    ok = ~_lost_arcs(model, draws)  # (n, arcs)
    reliability = arc_reliability(model, uncertainty)
    n_req = len(scenario.requirements)
    required = np.array([r.units for r in scenario.requirements], dtype=np.float64)
    weight = np.array([scenario.policy.weight(r.priority) for r in scenario.requirements])
    expected = np.bincount(model.arc_requirement, weights=x * reliability, minlength=n_req)
    planned = np.bincount(model.arc_requirement, weights=x, minlength=n_req)
    used = np.bincount(model.arc_pledge, weights=x, minlength=model.n_pledges)
    spare = np.array([p.units for p in scenario.pledges], dtype=np.float64) - used
    backup = np.zeros(model.n_arcs)
    # backups rely on no partnership offer: the plan's offers are sized for the plan
    bare_arc = np.array([not offers for offers in model.arc_offers], dtype=bool)
    risk_order = np.argsort(-(planned - expected) * weight, kind="stable")
    for j in risk_order.tolist():
        need = math.ceil(planned[j] - expected[j] - 1e-9)
        if need <= 0:
            continue
        arcs = np.flatnonzero(
            (model.arc_requirement == j) & (x == 0) & (reliability > 0) & bare_arc
        )
        for k in arcs[np.argsort(-reliability[arcs], kind="stable")].tolist():
            take = min(need, spare[model.arc_pledge[k]], model.arc_upper[k])
            if take <= 0:
                continue
            backup[k] = take
            spare[model.arc_pledge[k]] -= take
            need -= int(take)
            if need == 0:
                break
    det = np.minimum(_per_requirement(ok * x, model, n_req), required)
    rob = np.minimum(_per_requirement(ok * (x + backup), model, n_req), required)
    frame = requirement_frame(scenario).with_columns(
        pl.Series("planned", planned.astype(np.int64)),
        pl.Series("backup_units", _per_req_total(backup, model, n_req).astype(np.int64)),
        pl.Series("plan_fill_mean", det.mean(axis=0)),
        pl.Series("plan_p_unfilled", (det < required).mean(axis=0)),
        pl.Series("robust_fill_mean", rob.mean(axis=0)),
        pl.Series("robust_p_unfilled", (rob < required).mean(axis=0)),
        pl.Series("replanned_fill_mean", outcome.units.mean(axis=0)),
    )
    summary = {
        "plan_fill_mean": float((det @ weight).mean()),
        "robust_fill_mean": float((rob @ weight).mean()),
        "replanned_fill_mean": float(outcome.fill.mean()),
        "backup_units": float(backup.sum()),
        "draws": float(draws.n),
    }
    return frame, summary


def _per_requirement(
    values: NDArray[np.float64], model: DrawModel, n_req: int
) -> NDArray[np.float64]:
    """Per draw (rows of ``values``, one column per arc): units per requirement."""
    out = np.zeros((values.shape[0], n_req))
    np.add.at(out.T, model.arc_requirement, values.T)
    return out


def _per_req_total(
    values: NDArray[np.float64], model: DrawModel, n_req: int
) -> NDArray[np.float64]:
    return np.bincount(model.arc_requirement, weights=values, minlength=n_req).astype(np.float64)


def marginal_value(
    scenario: Scenario,
    draws: Draws | None = None,
    *,
    candidates: int = 5,
    max_draws: int = 20,
    shortfall: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """The fill one extra unit would recover, for the (unit type, mission) pairs with the
    largest weighted expected shortfall, by re-solving.

    The extra unit is a hypothetical Rapid Deployment Level pledge from a new contributor
    (``EXTRA``), dedicated to the mission, that always deploys in time, speaks the required
    languages, has the required capabilities and the highest minimum women's share asked.
    With ``draws`` the gain is averaged over the first ``max_draws`` of them, else it is the
    deterministic gain.
    ``shortfall``: a :func:`fill_by_requirement` frame ranking the pairs (default: the
    deterministic gaps).
    """
    base = DrawModel(scenario)
    n = 0 if draws is None else min(draws.n, max_draws)
    if shortfall is None:
        det = base.solve()
        req = requirement_frame(scenario).with_columns(
            (pl.col("required") - pl.Series(det.units)).cast(pl.Float64).alias("expected_shortfall")
        )
    else:
        req = shortfall
    ranked = (
        req.filter(pl.col("expected_shortfall") > 0)
        .group_by("unit_type", "mission")
        .agg((pl.col("expected_shortfall") * pl.col("weight")).sum().alias("weighted"))
        .sort(["weighted", "unit_type", "mission"], descending=[True, False, False])
        .head(candidates)
    )
    base_fill = _fills(base, draws, n)
    rows = []
    missions = [m.acronym for m in scenario.missions]
    for unit_type, mission in ranked.select("unit_type", "mission").iter_rows():
        served = [
            r for r in scenario.requirements if r.unit_type == unit_type and r.mission == mission
        ]
        extra = Pledge(
            women_share=max(r.min_women_share for r in served),
            languages=tuple(sorted({lang for r in served for lang in r.languages})),
            capabilities=tuple(sorted({c for r in served for c in r.capabilities})),
            id=EXTRA,
            contributor=EXTRA,
            unit_type=unit_type,
            units=1,
            readiness=ReadinessLevel.RAPID,
            available_from=scenario.policy.request_date,
            excluded_missions=tuple(m for m in missions if m != mission),
            cost_per_unit=0.0,
        )
        model = DrawModel(with_extra(scenario, extra))
        gain = _fills(model, draws, n, extra=True) - base_fill
        rows.append(
            {
                "unit_type": unit_type,
                "mission": mission,
                "fill_gain": float(gain.mean()),
                "p_gain": float((gain > 0).mean()),
                "draws": max(n, 1) if draws is not None else 0,
            }
        )
    schema = {
        "unit_type": pl.Utf8,
        "mission": pl.Utf8,
        "fill_gain": pl.Float64,
        "p_gain": pl.Float64,
        "draws": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema).sort(
        ["fill_gain", "unit_type", "mission"], descending=[True, False, False]
    )


def with_extra(scenario: Scenario, extra: Pledge) -> Scenario:
    """``scenario`` with the hypothetical pledge ``extra`` and its contributor declared."""
    who = Contributor(EXTRA, name="hypothetical new contributor")
    return replace(
        scenario,
        pledges=(*scenario.pledges, extra),
        contributors=(*scenario.contributors, who),
    )


def _fills(
    model: DrawModel, draws: Draws | None, n: int, *, extra: bool = False
) -> NDArray[np.float64]:
    if draws is None or n == 0:
        return np.array([model.solve().fill])
    out = np.empty(n)
    for i in range(n):
        dep, dl = draws.deployed[i], draws.delay[i]
        if extra:
            dep = np.append(dep, True)
            dl = np.append(dl, 0)
        out[i] = model.solve(dep, dl).fill
    return out
