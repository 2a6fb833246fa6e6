"""Reference registry: authored, sourced facts read from the CSV files in ``reference/data``.

States, organizations and memberships over time, Security Council composition by year, peace
operations (UN and others), personnel categories, standard unit types, the troop
reimbursement rate and the gender parity targets. Every loader is pure (reads only packaged
files) and cached.
"""

from __future__ import annotations

from bluehelmet.reference.council import council, elected_count, permanent_members
from bluehelmet.reference.countries import countries, country, country_by_m49, find_country
from bluehelmet.reference.missions import active_missions, find_mission, mission, missions
from bluehelmet.reference.organizations import (
    members,
    membership_recorded,
    memberships,
    organization,
    organizations,
)
from bluehelmet.reference.parity import (
    ParityTarget,
    parity_target,
    parity_target_note,
    parity_targets,
)
from bluehelmet.reference.rates import (
    ReimbursementRate,
    reimbursement_rates,
    troop_reimbursement_rate,
)
from bluehelmet.reference.units import (
    personnel_categories,
    personnel_category_description,
    unit_type,
    unit_types,
)

__all__ = [
    "ParityTarget",
    "ReimbursementRate",
    "active_missions",
    "council",
    "countries",
    "country",
    "country_by_m49",
    "elected_count",
    "find_country",
    "find_mission",
    "members",
    "membership_recorded",
    "memberships",
    "mission",
    "missions",
    "organization",
    "organizations",
    "parity_target",
    "parity_target_note",
    "parity_targets",
    "permanent_members",
    "personnel_categories",
    "personnel_category_description",
    "reimbursement_rates",
    "troop_reimbursement_rate",
    "unit_type",
    "unit_types",
]
