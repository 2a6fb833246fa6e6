"""Transparent cost model: reimbursement at the standard rate plus distance-based transport.

cost of one unit = personnel x (rate x months + 2 x distance_km x USD per person-km)

* rate: the standard troop cost reimbursement in force on the request date, USD per person
  per month, from :func:`bluehelmet.reference.troop_reimbursement_rate` (USD 1,428 from
  1 July 2018, General Assembly resolution 72/285); ``Policy.reimbursement_rate`` overrides it.
* distance: great-circle distance from the contributor's capital to the mission HQ
  (haversine, mean Earth radius 6,371.0088 km, IUGG), counted twice (deployment and
  repatriation). The USD per person-km figure is an ASSUMPTION set in the scenario policy.

A pledge that states its own ``cost_per_unit`` uses that figure instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from bluehelmet.domain.planning import Contributor, MissionSite, Pledge, Policy, UnitSpec
from bluehelmet.errors import InputError
from bluehelmet.reference import troop_reimbursement_rate

#: Mean Earth radius in km (IUGG mean radius R1).
EARTH_RADIUS_KM = 6371.0088


def reimbursement_rate(on: date) -> float:
    """Standard troop reimbursement (USD/person/month) in force on ``on``.

    From :func:`bluehelmet.reference.troop_reimbursement_rate` (sourced there: USD 1,428 from
    1 July 2018, General Assembly resolution 72/285).
    """
    return troop_reimbursement_rate(on).usd_per_person_month


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in km between two (latitude, longitude) points in degrees."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True, slots=True)
class UnitCost:
    """Cost of one unit of a pledge at a mission, with its parts (USD)."""

    total: float
    reimbursement: float
    transport: float
    distance_km: float | None
    stated: bool  # True when the pledge stated its own cost


def unit_cost(
    pledge: Pledge,
    unit: UnitSpec,
    contributor: Contributor | None,
    mission: MissionSite,
    policy: Policy,
) -> UnitCost:
    """Cost of one unit of ``pledge`` deployed to ``mission`` over the planning horizon."""
    if pledge.cost_per_unit is not None:
        return UnitCost(pledge.cost_per_unit, pledge.cost_per_unit, 0.0, None, stated=True)
    rate = policy.reimbursement_rate
    if rate is None:
        rate = reimbursement_rate(policy.request_date)
    reimbursement = unit.personnel * rate * policy.deployment_months
    if contributor is None or contributor.capital is None or mission.hq is None:
        msg = (
            f"pledge {pledge.id}: no cost_per_unit and no capital/HQ coordinates "
            f"for {pledge.contributor} -> {mission.acronym}"
        )
        raise InputError(msg, field="cost_per_unit")
    km = great_circle_km(contributor.capital, mission.hq)
    transport = unit.personnel * 2 * km * policy.transport_usd_per_person_km
    return UnitCost(reimbursement + transport, reimbursement, transport, km, stated=False)
