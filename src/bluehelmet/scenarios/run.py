"""``run``: the baseline plan, the plan after shocks, and Monte Carlo draws of the result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from bluehelmet.domain.planning import Plan, Scenario
from bluehelmet.forcegen import plan as make_plan
from bluehelmet.forcegen import plan_to_dict
from bluehelmet.scenarios.analysis import (
    compare_plans,
    criticality,
    fill_by_mission,
    fill_by_requirement,
    marginal_value,
    robust_plan,
)
from bluehelmet.scenarios.montecarlo import Outcome, run_draws, scheduler_kind
from bluehelmet.scenarios.shocks import ShockSet, apply_shocks, describe, uncertainty_of
from bluehelmet.scenarios.uncertainty import Draws, Uncertainty, draw

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class DrawSummary:
    """Monte Carlo results of one scenario."""

    n: int
    seed: int
    scheduler: str
    requirements: pl.DataFrame  # fill_by_requirement
    missions: pl.DataFrame  # fill_by_mission
    criticality: pl.DataFrame
    robust: pl.DataFrame
    robust_summary: dict[str, float]
    marginal: pl.DataFrame
    uncertainty: pl.DataFrame  # the level table in use
    fill_mean: float
    fill_p05: float
    fill_p95: float
    fractional_draws: int
    outcome: Outcome = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "n": self.n,
            "seed": self.seed,
            "scheduler": self.scheduler,
            "fill_mean": self.fill_mean,
            "fill_p05": self.fill_p05,
            "fill_p95": self.fill_p95,
            "fractional_draws": self.fractional_draws,
            "requirements": self.requirements.to_dicts(),
            "missions": self.missions.to_dicts(),
            "criticality": self.criticality.to_dicts(),
            "robust": {"summary": self.robust_summary, "requirements": self.robust.to_dicts()},
            "marginal": self.marginal.to_dicts(),
            "uncertainty": self.uncertainty.to_dicts(),
        }


@dataclass(frozen=True)
class ScenarioRun:
    """Baseline plan, shocked plan and its comparison, and the draws."""

    scenario: Scenario
    baseline: Plan
    shocked_scenario: Scenario | None = None
    shocked: Plan | None = None
    shocks: tuple[str, ...] = ()
    comparison: pl.DataFrame | None = None
    draws: DrawSummary | None = None
    marginal: pl.DataFrame | None = None  # deterministic, when there are no draws

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the JSON of ``bluehelmet scenario run``)."""
        out: dict[str, Any] = {
            "scenario": self.scenario.name,
            "baseline": plan_to_dict(self.baseline),
        }
        if self.shocked is not None and self.comparison is not None:
            out["shocked"] = {
                **plan_to_dict(self.shocked),
                "shocks": list(self.shocks),
                "comparison": self.comparison.to_dicts(),
                "units_lost": int(self.comparison["lost"].sum()),
                "units_resourced": int(self.comparison["resourced"].sum()),
            }
        if self.draws is not None:
            out["draws"] = self.draws.to_dict()
        elif self.marginal is not None:
            out["marginal"] = self.marginal.to_dicts()
        return out


def _spend(plan: Plan) -> float:
    return float(sum(a.cost_usd for a in plan.assignments))


def simulate(
    scenario: Scenario,
    plan: Plan,
    *,
    draws: int,
    seed: int = 0,
    uncertainty: Uncertainty | None = None,
    scheduler: str = "processes",
    workers: int | None = None,
    marginal_candidates: int = 5,
    marginal_draws: int = 20,
    progress: Progress | None = None,
) -> DrawSummary:
    """``draws`` seeded draws of ``scenario`` (re-planned each time) and what they show about
    ``plan`` (its deterministic plan): fill distributions, criticality, robust plan, marginal
    value."""
    u = uncertainty or Uncertainty()
    sample: Draws = draw(scenario, u, draws, seed)
    outcome = run_draws(scenario, sample, scheduler=scheduler, workers=workers, progress=progress)
    per_req = fill_by_requirement(scenario, outcome)
    if progress is not None:
        progress("robust plan and marginal value", 0, 1)
    robust, summary = robust_plan(scenario, plan, sample, outcome, u)
    marginal = marginal_value(
        scenario,
        sample,
        candidates=marginal_candidates,
        max_draws=marginal_draws,
        shortfall=per_req,
    )
    fills = outcome.fill
    n = fills.size
    return DrawSummary(
        n=draws,
        seed=seed,
        scheduler=scheduler,
        requirements=per_req,
        missions=fill_by_mission(scenario, outcome),
        criticality=criticality(scenario, plan, sample, outcome),
        robust=robust,
        robust_summary=summary,
        marginal=marginal,
        uncertainty=u.table(),
        fill_mean=float(fills.mean()) if n else float("nan"),
        fill_p05=float(np.quantile(fills, 0.05)) if n else float("nan"),
        fill_p95=float(np.quantile(fills, 0.95)) if n else float("nan"),
        fractional_draws=outcome.fractional,
        outcome=outcome,
    )


def run(
    scenario: Scenario,
    shocks: ShockSet | None = None,
    *,
    draws: int = 0,
    seed: int = 0,
    scheduler: str = "processes",
    workers: int | None = None,
    time_limit: float = 60.0,
    explain: bool = True,
    marginal_candidates: int = 5,
    marginal_draws: int = 20,
    progress: Progress | None = None,
) -> ScenarioRun:
    """Plan ``scenario``; with ``shocks``, plan it again after them and compare; with
    ``draws`` > 0, run that many seeded draws of the (shocked) scenario on ``scheduler``."""
    if draws < 0:
        from bluehelmet.errors import InputError

        msg = f"draws must be >= 0, not {draws}"
        raise InputError(msg, field="draws")
    scheduler_kind(scheduler)
    if progress is not None:
        progress("planning the baseline", 0, 1)
    baseline = make_plan(scenario, time_limit=time_limit, explain=explain)
    current, current_plan = scenario, baseline
    shocked_sc = shocked = comparison = None
    names: tuple[str, ...] = ()
    if shocks is not None and shocks.shocks:
        shocked_sc = apply_shocks(scenario, shocks, baseline_spend=_spend(baseline))
        if progress is not None:
            progress("planning after the shocks", 0, 1)
        shocked = make_plan(shocked_sc, time_limit=time_limit, explain=explain)
        comparison = compare_plans(scenario, baseline, shocked_sc, shocked)
        names = tuple(describe(s) for s in shocks.shocks)
        current, current_plan = shocked_sc, shocked
    uncertainty = uncertainty_of(shocks, current)
    summary = None
    marginal = None
    if draws > 0:
        summary = simulate(
            current,
            current_plan,
            draws=draws,
            seed=seed,
            uncertainty=uncertainty,
            scheduler=scheduler,
            workers=workers,
            marginal_candidates=marginal_candidates,
            marginal_draws=marginal_draws,
            progress=progress,
        )
    else:
        marginal = marginal_value(current, None, candidates=marginal_candidates)
    return ScenarioRun(
        scenario, baseline, shocked_sc, shocked, names, comparison, summary, marginal
    )
