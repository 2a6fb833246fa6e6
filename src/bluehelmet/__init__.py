"""bluehelmet: an open platform for international cooperation in peacekeeping missions.

The Python API is the primary interface; the ``bluehelmet`` command line is a thin shell
over it. The most used parts are re-exported here:

- registry: :func:`countries`, :func:`country`, :func:`find_country`, :func:`organizations`,
  :func:`members`, :func:`council`, :func:`missions`, :func:`mission`, :func:`unit_types`, ...
- the store: :class:`Core` (settings, engine, data folder; every service takes one),
  :func:`init_store`, :func:`upgrade`, :func:`session_scope`
- contribution data: :func:`import_files`, :func:`contributions`, :func:`fatalities`,
  :func:`data_status`, ...
- analytics: :func:`ranking`, :func:`shares`, :func:`concentration`, :func:`parity`,
  :func:`fatality_rates`, :func:`panel`, ...
- force generation: :mod:`bluehelmet.forcegen` (``bluehelmet.forcegen.plan(scenario)``)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bluehelmet import forcegen
    from bluehelmet.analytics import (
        ContributionFilter,
        deployment_locations,
        fatality_counts,
        fatality_rates,
        mission_months,
        panel,
        parity,
        poisson_interval,
        strategy_targets,
    )
    from bluehelmet.analytics.ranking import compare_with_official, ranking
    from bluehelmet.analytics.shares import concentration, share_trends, shares
    from bluehelmet.forcegen import demo_scenario, load_scenario, plan
    from bluehelmet.reference import (
        council,
        countries,
        country,
        find_country,
        find_mission,
        members,
        memberships,
        mission,
        missions,
        organization,
        organizations,
        personnel_categories,
        troop_reimbursement_rate,
        unit_type,
        unit_types,
    )
    from bluehelmet.services.core import Core
    from bluehelmet.services.data import (
        contributions,
        data_status,
        fatalities,
        import_files,
        locations,
        mandates,
        mission_list,
        mission_totals,
        official_ranking,
        scan_contributions,
    )
    from bluehelmet.services.registry import init_store
    from bluehelmet.store import session_scope, upgrade

__version__ = "0.1.0"

# Public name -> module that defines it. Imported on first use, so that ``import
# bluehelmet.reference`` (or the CLI) does not load the solver, DuckDB and the store.
_EXPORTS: dict[str, str] = {
    "ContributionFilter": "bluehelmet.analytics",
    "compare_with_official": "bluehelmet.analytics",
    "deployment_locations": "bluehelmet.analytics",
    "poisson_interval": "bluehelmet.analytics",
    "strategy_targets": "bluehelmet.analytics",
    "concentration": "bluehelmet.analytics",
    "contributions": "bluehelmet.services.data",
    "Core": "bluehelmet.services.core",
    "council": "bluehelmet.reference",
    "countries": "bluehelmet.reference",
    "country": "bluehelmet.reference",
    "data_status": "bluehelmet.services.data",
    "demo_scenario": "bluehelmet.forcegen",
    "fatalities": "bluehelmet.services.data",
    "fatality_counts": "bluehelmet.analytics",
    "fatality_rates": "bluehelmet.analytics",
    "find_country": "bluehelmet.reference",
    "find_mission": "bluehelmet.reference",
    "forcegen": "bluehelmet.forcegen",
    "import_files": "bluehelmet.services.data",
    "init_store": "bluehelmet.services.registry",
    "load_scenario": "bluehelmet.forcegen",
    "locations": "bluehelmet.services.data",
    "mandates": "bluehelmet.services.data",
    "members": "bluehelmet.reference",
    "memberships": "bluehelmet.reference",
    "mission": "bluehelmet.reference",
    "mission_list": "bluehelmet.services.data",
    "mission_months": "bluehelmet.analytics",
    "mission_totals": "bluehelmet.services.data",
    "missions": "bluehelmet.reference",
    "official_ranking": "bluehelmet.services.data",
    "organization": "bluehelmet.reference",
    "organizations": "bluehelmet.reference",
    "panel": "bluehelmet.analytics",
    "parity": "bluehelmet.analytics",
    "personnel_categories": "bluehelmet.reference",
    "plan": "bluehelmet.forcegen",
    "ranking": "bluehelmet.analytics",
    "scan_contributions": "bluehelmet.services.data",
    "session_scope": "bluehelmet.store",
    "share_trends": "bluehelmet.analytics",
    "shares": "bluehelmet.analytics",
    "troop_reimbursement_rate": "bluehelmet.reference",
    "unit_type": "bluehelmet.reference",
    "unit_types": "bluehelmet.reference",
    "upgrade": "bluehelmet.store",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        msg = f"module 'bluehelmet' has no attribute {name!r}"
        raise AttributeError(msg)
    value = (
        importlib.import_module(module)
        if name == "forcegen"
        else getattr(importlib.import_module(module), name)
    )
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "ContributionFilter",
    "Core",
    "__version__",
    "compare_with_official",
    "concentration",
    "contributions",
    "council",
    "countries",
    "country",
    "data_status",
    "demo_scenario",
    "deployment_locations",
    "fatalities",
    "fatality_counts",
    "fatality_rates",
    "find_country",
    "find_mission",
    "forcegen",
    "import_files",
    "init_store",
    "load_scenario",
    "locations",
    "mandates",
    "members",
    "memberships",
    "mission",
    "mission_list",
    "mission_months",
    "mission_totals",
    "missions",
    "official_ranking",
    "organization",
    "organizations",
    "panel",
    "parity",
    "personnel_categories",
    "plan",
    "poisson_interval",
    "ranking",
    "scan_contributions",
    "session_scope",
    "share_trends",
    "shares",
    "strategy_targets",
    "troop_reimbursement_rate",
    "unit_type",
    "unit_types",
    "upgrade",
]
