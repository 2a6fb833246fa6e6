"""Pledge uncertainty: the probability that a pledge deploys and the law of its delay.

Defaults per readiness level come from ``scenarios/data/uncertainty.csv`` and are labelled
ASSUMPTIONS there (no published statistic exists); shock files override them per level or per
pledge. Draws are seeded and reproducible: all draws of a run come from one
``numpy.random.Generator`` in a fixed order, whatever scheduler then solves them.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType

import numpy as np
import polars as pl
from numpy.typing import NDArray

from bluehelmet.domain.planning import ReadinessLevel, Scenario


@dataclass(frozen=True, slots=True)
class LevelUncertainty:
    """Deployment probability and mean delay (days, exponential) of one readiness level."""

    p_deploy: float
    delay_mean_days: float
    status: str = "ASSUMPTION"


def _read_defaults() -> Mapping[ReadinessLevel, LevelUncertainty]:
    source = resources.files("bluehelmet.scenarios").joinpath("data/uncertainty.csv")
    lines = [ln for ln in source.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    out: dict[ReadinessLevel, LevelUncertainty] = {}
    for row in csv.DictReader(lines):
        out[ReadinessLevel(row["readiness"])] = LevelUncertainty(
            float(row["p_deploy"]), float(row["delay_mean_days"]), row["status"]
        )
    return MappingProxyType(out)


#: Default uncertainty per readiness level (ASSUMPTIONS; see ``data/uncertainty.csv``).
DEFAULT_UNCERTAINTY: Mapping[ReadinessLevel, LevelUncertainty] = _read_defaults()


@dataclass(frozen=True, slots=True)
class PledgeOverride:
    """Uncertainty set for one pledge (None: from its level)."""

    p_deploy: float | None = None
    delay_mean_days: float | None = None


@dataclass(frozen=True)
class Uncertainty:
    """Uncertainty of every pledge: level defaults and per-pledge overrides."""

    levels: Mapping[ReadinessLevel, LevelUncertainty] = field(
        default_factory=lambda: DEFAULT_UNCERTAINTY
    )
    pledges: Mapping[str, PledgeOverride] = field(default_factory=dict)

    def arrays(self, scenario: Scenario) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Per pledge of ``scenario``: probability of deploying and mean delay in days."""
        p = np.empty(len(scenario.pledges))
        d = np.empty(len(scenario.pledges))
        for i, pledge in enumerate(scenario.pledges):
            level = self.levels[pledge.readiness]
            own = self.pledges.get(pledge.id, PledgeOverride())
            p[i] = level.p_deploy if own.p_deploy is None else own.p_deploy
            d[i] = level.delay_mean_days if own.delay_mean_days is None else own.delay_mean_days
        return p, d

    def table(self) -> pl.DataFrame:
        """The level table in use (readiness, p_deploy, delay_mean_days, status)."""
        return pl.DataFrame(
            [
                {
                    "readiness": str(level),
                    "p_deploy": u.p_deploy,
                    "delay_mean_days": u.delay_mean_days,
                    "status": u.status,
                }
                for level, u in self.levels.items()
            ]
        )


def certain() -> Uncertainty:
    """Every pledge deploys, on time (the deterministic plan's world)."""
    return Uncertainty(
        levels=MappingProxyType(
            {lv: LevelUncertainty(1.0, 0.0, "certain") for lv in ReadinessLevel}
        )
    )


@dataclass(frozen=True)
class Draws:
    """``n`` draws: per draw and pledge, whether it deploys and its delay in days."""

    deployed: NDArray[np.bool_]  # shape (n, pledges)
    delay: NDArray[np.int64]  # shape (n, pledges)
    seed: int

    @property
    def n(self) -> int:
        """Number of draws."""
        return int(self.deployed.shape[0])


def draw(scenario: Scenario, uncertainty: Uncertainty, n: int, seed: int) -> Draws:
    """``n`` seeded draws of which pledges deploy and how late (same seed, same draws)."""
    if n < 0:
        msg = f"the number of draws must be >= 0, not {n}"
        raise ValueError(msg)
    p, mean = uncertainty.arrays(scenario)
    rng = np.random.default_rng(seed)
    size = (n, len(scenario.pledges))
    deployed = rng.random(size) < p
    delay = np.floor(rng.exponential(1.0, size) * mean).astype(np.int64)
    return Draws(deployed, delay, seed)
