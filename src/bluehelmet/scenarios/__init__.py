"""Scenarios: shocks, pledge uncertainty and Monte Carlo, on one machine or on Dask.

The verbs (frames and plain results; no I/O):

* :func:`run` — the baseline plan, the plan after shocks (``load_shocks``) and ``draws``
  seeded Monte Carlo draws (serial, a process pool or Dask);
* :func:`withdraw` — one contributor leaves a mission in a month of the contribution record;
* :func:`cut` — a share of uniformed personnel is repatriated (the October 2025 cut).
"""

from __future__ import annotations

from bluehelmet.scenarios.analysis import (
    compare_plans,
    criticality,
    fill_by_mission,
    fill_by_requirement,
    marginal_value,
    robust_plan,
)
from bluehelmet.scenarios.model import DrawModel, drawn_scenario
from bluehelmet.scenarios.montecarlo import CHUNK, run_draws
from bluehelmet.scenarios.record import CUT_RULES, OCTOBER_2025_CUT, Cut, Withdrawal, cut, withdraw
from bluehelmet.scenarios.run import DrawSummary, ScenarioRun, run, simulate
from bluehelmet.scenarios.shocks import (
    ShockSet,
    apply_shocks,
    load_shocks,
    shocks_from_dict,
    uncertainty_of,
)
from bluehelmet.scenarios.uncertainty import (
    DEFAULT_UNCERTAINTY,
    Draws,
    Uncertainty,
    certain,
    draw,
)

__all__ = [
    "CHUNK",
    "CUT_RULES",
    "DEFAULT_UNCERTAINTY",
    "OCTOBER_2025_CUT",
    "Cut",
    "DrawModel",
    "DrawSummary",
    "Draws",
    "ScenarioRun",
    "ShockSet",
    "Uncertainty",
    "Withdrawal",
    "apply_shocks",
    "certain",
    "compare_plans",
    "criticality",
    "cut",
    "draw",
    "drawn_scenario",
    "fill_by_mission",
    "fill_by_requirement",
    "load_shocks",
    "marginal_value",
    "robust_plan",
    "run",
    "run_draws",
    "shocks_from_dict",
    "simulate",
    "uncertainty_of",
    "withdraw",
]
