"""Scenario use cases: shocks and Monte Carlo on plan scenarios, shocks on the real record.

Shared by the CLI and (later) the REST API. The only reads are the scenario and shock files
and, through :func:`contribution_record`, the stored contribution rows; the computation is in
:mod:`bluehelmet.scenarios`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl

from bluehelmet import scenarios
from bluehelmet.domain.months import month_end
from bluehelmet.errors import BluehelmetError

Progress = Callable[[str, int, int], None]


def contribution_record() -> pl.DataFrame:
    """Every stored contribution row (the one read of the contribution data here)."""
    from bluehelmet.services.data import contributions

    frame = contributions()
    if frame.is_empty():
        from bluehelmet.config import get_settings

        msg = (
            f"no contribution data is stored in {get_settings().home}; "
            "import files first with `bluehelmet data import PATH...`"
        )
        raise BluehelmetError(msg)
    return frame


def run_scenario(
    scenario: str | Path | None,
    *,
    shocks: Sequence[str | Path] = (),
    draws: int = 0,
    seed: int = 0,
    scheduler: str = "processes",
    workers: int | None = None,
    time_limit: float = 60.0,
    explain: bool = True,
    progress: Progress | None = None,
) -> scenarios.ScenarioRun:
    """Plan a scenario file (None: the demo), apply the shock files in order, draw."""
    from bluehelmet.forcegen import demo_scenario, load_scenario

    sc = demo_scenario() if scenario is None else load_scenario(scenario)
    shock_set: scenarios.ShockSet | None = None
    for path in shocks:
        loaded = scenarios.load_shocks(path)
        shock_set = loaded if shock_set is None else shock_set + loaded
    return scenarios.run(
        sc,
        shock_set,
        draws=draws,
        seed=seed,
        scheduler=scheduler,
        workers=workers,
        time_limit=time_limit,
        explain=explain,
        progress=progress,
    )


def withdraw(contributor: str, mission: str, month: str, *, top: int = 10) -> scenarios.Withdrawal:
    """``contributor`` (name or code) leaves ``mission`` (acronym or name) in ``month``."""
    from bluehelmet.services.registry import get_country, get_mission

    iso3 = get_country(contributor).iso3
    acronym = get_mission(mission).acronym
    when = month_end(month, field="month")
    return scenarios.withdraw(contribution_record(), iso3, acronym, when, top=top)


def cut(share: float, rule: str = "proportional", month: str | None = None) -> scenarios.Cut:
    """Repatriate ``share`` of uniformed personnel in ``month`` (default: the latest stored)."""
    from bluehelmet.scenarios.record import check_cut

    check_cut(share, rule)
    when = month_end(month, field="month") if month is not None else None
    return scenarios.cut(contribution_record(), share, rule, when)
