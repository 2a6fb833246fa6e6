"""bluehelmet: an open platform for international cooperation in peacekeeping missions.

The Python API is the primary interface; the ``bluehelmet`` command line is a thin shell
over it. The most used parts are re-exported here:

- registry: :func:`countries`, :func:`country`, :func:`find_country`, :func:`organizations`,
  :func:`members`, :func:`council`, :func:`missions`, :func:`mission`, :func:`unit_types`, ...
- store: :func:`init_store`, :func:`upgrade`, :func:`session_scope`
- contribution data: :func:`import_files`, :func:`contributions`, :func:`fatalities`,
  :func:`data_status`, ...
- analytics: :func:`ranking`, :func:`shares`, :func:`concentration`, :func:`parity`,
  :func:`fatality_rates`, :func:`panel`, ...
- force generation: :mod:`bluehelmet.forcegen` (``bluehelmet.forcegen.plan(scenario)``)
"""

from __future__ import annotations

from bluehelmet import forcegen
from bluehelmet.analytics import (
    compare_with_official,
    concentration,
    fatality_counts,
    fatality_rates,
    mission_months,
    panel,
    parity,
    ranking,
    share_trends,
    shares,
)
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
from bluehelmet.services.data import (
    contributions,
    data_status,
    fatalities,
    locations,
    mandates,
    mission_list,
    mission_totals,
    official_ranking,
    scan_contributions,
)
from bluehelmet.services.registry import init_store
from bluehelmet.sources import import_files
from bluehelmet.store import session_scope, upgrade

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "compare_with_official",
    "concentration",
    "contributions",
    "council",
    "countries",
    "country",
    "data_status",
    "demo_scenario",
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
    "ranking",
    "scan_contributions",
    "session_scope",
    "share_trends",
    "shares",
    "troop_reimbursement_rate",
    "unit_type",
    "unit_types",
    "upgrade",
]
