"""Force-generation entities: requirements, pledges, policy, scenario and the resulting plan.

No I/O here. Scenario files are read by :mod:`bluehelmet.forcegen.scenario`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import polars as pl


class ReadinessLevel(StrEnum):
    """Readiness levels of the UN Peacekeeping Capability Readiness System (PCRS).

    Level 1, 2 and 3 and the Rapid Deployment Level, at which a member state commits to deploy
    within 60 days of a UN request (PCRS Guidelines, DPO/DOS ref. 2019.01).
    """

    LEVEL_1 = "level_1"
    LEVEL_2 = "level_2"
    LEVEL_3 = "level_3"
    RAPID = "rapid"


#: Deployment lead time of the Rapid Deployment Level, in days after a UN request.
#: Source: PCRS Guidelines, DPO/DOS ref. 2019.01 ("within 60 days of a UN request").
RAPID_DEPLOYMENT_DAYS = 60

#: Lead times (days) assumed for PCRS levels 1-3. The PCRS guidelines define these levels by the
#: verification steps completed, not by a deployment deadline: these figures are ASSUMPTIONS,
#: scenario parameters to be set by the planner (``policy.lead_time_days``), not facts.
ASSUMED_LEAD_TIME_DAYS: Mapping[ReadinessLevel, int] = MappingProxyType(
    {
        ReadinessLevel.RAPID: RAPID_DEPLOYMENT_DAYS,
        ReadinessLevel.LEVEL_3: 90,
        ReadinessLevel.LEVEL_2: 180,
        ReadinessLevel.LEVEL_1: 270,
    }
)


class GapCause(StrEnum):
    """Why part of a requirement stays unfilled (or is filled late)."""

    NO_PLEDGE = "no_pledge"  # nobody pledged this unit type
    SHORTAGE = "shortage"  # fewer units pledged than needed, even with every rule relaxed
    CAVEAT = "caveat"  # contributors exclude the mission, its host state or a task
    IMPARTIALITY = "impartiality"  # host state, neighbour or party to the conflict
    READINESS = "readiness"  # the units cannot arrive by the needed-by date
    LANGUAGE = "language"  # no required language spoken
    CAPABILITY = "capability"  # missing terrain or special capability
    CONTRIBUTOR_CAP = "contributor_cap"  # maximum share of one contributor binding
    MIN_CONTRIBUTORS = "min_contributors"  # too few distinct contributors for the mission
    BUDGET = "budget"  # the budget is binding
    WOMEN_SHARE = "women_share"  # the requirement's minimum women's share cannot be met
    COMPETITION = "competition"  # eligible units are used by requirements of higher weight
    COMBINED = "combined"  # only several rules relaxed together would close the gap
    PARTNERSHIP = "partnership"  # pledges wait for training, equipment or lift not on offer


class PartnershipKind(StrEnum):
    """What a partner (regional organization or state) provides to a troop contributor."""

    TRAINING = "training"
    EQUIPMENT = "equipment"
    FUNDING = "funding"
    LOGISTICS = "logistics"  # strategic lift
    INTELLIGENCE = "intelligence"


#: Kinds a pledge can depend on (``Pledge.needs``); the planner activates offers of these kinds.
#: Funding and intelligence offers are recorded and counted in burden sharing, not planned.
PLANNED_KINDS: tuple[PartnershipKind, ...] = (
    PartnershipKind.TRAINING,
    PartnershipKind.EQUIPMENT,
    PartnershipKind.LOGISTICS,
)


class OfferStatus(StrEnum):
    """Life cycle of a partnership offer. Only accepted or delivered offers can be planned."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DELIVERED = "delivered"


@dataclass(frozen=True, slots=True)
class Beneficiary:
    """Whom an offer can serve; an empty field means any (contributor, unit type, mission)."""

    contributors: tuple[str, ...] = ()
    unit_types: tuple[str, ...] = ()
    missions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PartnershipOffer:
    """Training, equipment, funding, lift or intelligence a partner offers for peacekeeping.

    ``capacity`` is counted in ``unit`` (seats, APCs, flight hours, USD ...); a pledge's need of
    the same kind and unit consumes it. Activating the offer costs the partner ``cost_usd``;
    it takes effect ``lead_time_days`` after the UN request.
    """

    id: str
    partner: str  # organization code (AU, EU, ...) or ISO-3 of a state
    kind: PartnershipKind
    capacity: float
    unit: str
    beneficiary: Beneficiary = field(default_factory=Beneficiary)
    lead_time_days: int = 0
    cost_usd: float = 0.0
    status: OfferStatus = OfferStatus.OFFERED
    description: str = ""
    source: str = ""  # citation; empty when illustrative
    illustrative: bool = False

    @property
    def usable(self) -> bool:
        """Whether the planner may rely on it (accepted or delivered, never merely offered)."""
        return self.status is not OfferStatus.OFFERED


@dataclass(frozen=True, slots=True)
class PledgeNeed:
    """Support a pledge depends on: ``amount`` of ``unit`` per pledged unit, of ``kind``.

    training: with it the unit deploys at ``readiness`` (the course ends first); without it,
    at the pledge's own level. equipment: without it the pledge cannot deploy (incomplete).
    logistics: without lift the unit arrives ``delay_days`` later, or cannot deploy when
    ``delay_days`` is None.
    """

    kind: PartnershipKind
    amount: float
    unit: str
    readiness: ReadinessLevel | None = None  # training only
    delay_days: int | None = None  # logistics only


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """A unit type as used in a scenario, with the personnel strength of one unit."""

    code: str
    name: str
    personnel: int
    enabler: bool = False


@dataclass(frozen=True, slots=True)
class Contributor:
    """A (potential) troop- or police-contributing state."""

    iso3: str
    name: str = ""
    region: str | None = None  # e.g. "Africa"; used for regional fit
    capital: tuple[float, float] | None = None  # (latitude, longitude) in degrees
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MissionSite:
    """The mission as the planner sees it: host states, HQ location, neighbours and parties."""

    acronym: str
    hosts: tuple[str, ...]
    name: str = ""
    region: str | None = None
    hq: tuple[float, float] | None = None  # (latitude, longitude) in degrees
    neighbours: tuple[str, ...] = ()  # ISO-3 of states bordering the host states
    parties: tuple[str, ...] = ()  # ISO-3 of states that are parties to the conflict
    languages: tuple[str, ...] = ()  # working languages (soft preference)
    women_target: float | None = None  # overrides the policy's women's share target


@dataclass(frozen=True, slots=True)
class Requirement:
    """One line of a statement of unit requirements: ``units`` units of a type for a mission."""

    id: str
    mission: str
    unit_type: str
    units: int
    needed_by: date
    priority: int = 2  # 1 is most important; weight from ``Policy.priority_weights``
    languages: tuple[str, ...] = ()  # at least one must be spoken by the unit (hard rule)
    min_women_share: float = 0.0  # minimum women's share of the personnel filling it (hard)
    capabilities: tuple[str, ...] = ()  # terrain or special capabilities required (hard)
    tasks: tuple[str, ...] = ()  # tasks of the unit, matched against task caveats


@dataclass(frozen=True, slots=True)
class Pledge:
    """Units a contributor has pledged, with readiness, availability and conditions."""

    id: str
    contributor: str
    unit_type: str
    units: int
    readiness: ReadinessLevel
    available_from: date
    women_share: float = 0.0
    languages: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    excluded_missions: tuple[str, ...] = ()  # caveats
    excluded_hosts: tuple[str, ...] = ()  # caveats (ISO-3 of host states)
    excluded_tasks: tuple[str, ...] = ()  # caveats
    cost_per_unit: float | None = None  # USD for the planning horizon; None: cost model
    needs: tuple[PledgeNeed, ...] = ()  # training, equipment or lift the pledge depends on


@dataclass(frozen=True, slots=True)
class Policy:
    """Planning rules and preferences (hard rules first, then objective weights)."""

    request_date: date  # date of the UN request; lead times count from it
    max_contributor_share: float | None = None  # of a mission's planned personnel
    min_contributors: int = 1  # distinct contributors for any mission that receives units
    exclude_host: bool = True
    exclude_neighbours: bool = False
    excluded_parties: tuple[str, ...] = ()  # ISO-3 excluded from every mission
    budget: float | None = None  # USD over the planning horizon
    allow_late_days: int = 0  # units may arrive this many days after needed-by (reported late)
    priority_weights: Mapping[int, int] = field(
        default_factory=lambda: MappingProxyType({1: 4, 2: 2, 3: 1})
    )
    lead_time_days: Mapping[ReadinessLevel, int] = field(
        default_factory=lambda: ASSUMED_LEAD_TIME_DAYS
    )
    women_target: float | None = None  # soft target for every mission (share of personnel)
    diversity_weight: float = 1.0  # legitimacy per distinct contributor in a mission
    regional_weight: float = 0.5  # legitimacy per unit from the mission's region
    language_weight: float = 0.5  # legitimacy per unit speaking a mission language
    women_weight: float = 0.5  # legitimacy per unit meeting the women's target
    deployment_months: int = 12  # planning horizon for reimbursement
    reimbursement_rate: float | None = None  # USD/person/month; None: GA 72/285 rate
    transport_usd_per_person_km: float = 0.5  # ASSUMPTION: rotation transport cost
    delay_usd_per_unit_day: float = 10_000.0  # ASSUMPTION: value of one unit-day earlier
    partner_budgets: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({})
    )  # USD per partner for activating its offers; a partner not listed has no limit

    def lead_time(self, level: ReadinessLevel) -> int:
        """Deployment lead time in days for ``level``."""
        return int(self.lead_time_days[level])

    def weight(self, priority: int) -> int:
        """Fill weight of one unit of a requirement of ``priority``."""
        return int(self.priority_weights[priority])


@dataclass(frozen=True, slots=True)
class Scenario:
    """Everything the planner needs: unit types, contributors, missions, requirements, pledges."""

    name: str
    policy: Policy
    unit_types: tuple[UnitSpec, ...]
    missions: tuple[MissionSite, ...]
    requirements: tuple[Requirement, ...]
    pledges: tuple[Pledge, ...]
    contributors: tuple[Contributor, ...] = ()
    description: str = ""
    illustrative: bool = False
    partnerships: tuple[PartnershipOffer, ...] = ()

    def unit(self, code: str) -> UnitSpec:
        """The unit type ``code`` (KeyError if undeclared; the loader validates this)."""
        return {u.code: u for u in self.unit_types}[code]

    def mission(self, acronym: str) -> MissionSite:
        """The mission ``acronym`` (KeyError if undeclared; the loader validates this)."""
        return {m.acronym: m for m in self.missions}[acronym]


@dataclass(frozen=True, slots=True)
class Assignment:
    """Units of one pledge sent to one requirement."""

    pledge: str
    requirement: str
    contributor: str
    mission: str
    unit_type: str
    units: int
    personnel: int
    arrival: date
    late_days: int
    cost_usd: float
    offers: tuple[str, ...] = ()  # ids of the partnership offers this assignment relies on


@dataclass(frozen=True, slots=True)
class GapReason:
    """One reason for a gap, with the units that relaxing that rule would recover."""

    cause: GapCause
    detail: str
    recoverable_units: int | None = None  # computed by re-solving with the rule relaxed
    verified: bool = False  # True when a re-solve showed the relaxation recovers units


@dataclass(frozen=True, slots=True)
class Gap:
    """A requirement left (partly) unfilled or filled late, with its reasons."""

    requirement: str
    mission: str
    unit_type: str
    required: int
    filled: int
    late_units: int = 0
    reasons: tuple[GapReason, ...] = ()
    #: "complete", "not requested", or why the reasons are partial or missing (time limit)
    explanation: str = "complete"

    @property
    def missing(self) -> int:
        """Units not planned."""
        return self.required - self.filled


@dataclass(frozen=True, slots=True)
class Objectives:
    """Values of the three objectives, in priority order."""

    fill: float  # weighted units filled (maximized first)
    legitimacy: float  # diversity, regional, language and women's share fit (second)
    cost: float  # USD plus the value of deployment time (minimized third)


@dataclass(frozen=True, slots=True)
class StageReport:
    """One objective stage of the solve: the value reached, the bound proven, and how it ended.

    Fill and legitimacy are maximized (``bound`` is an upper bound, ``objective <= bound``),
    cost is minimized (``bound`` is a lower bound, ``objective >= bound``); each stage's bound
    holds with the earlier stages at the values reached. ``gap`` is
    ``|bound - objective| / max(|objective|, |bound|)``, None when no bound was proven.
    """

    name: str  # "fill", "legitimacy" or "cost"
    sense: str  # "max" or "min"
    objective: float
    bound: float | None
    gap: float | None
    status: str  # "optimal", "time limit", "not run (time limit)", or the solver's status
    optimal: bool  # proven optimal (to ``mip_rel_gap`` for legitimacy and cost)
    seconds: float


@dataclass(frozen=True, slots=True)
class Quality:
    """How good the plan is: bounds, gaps, baseline, and how the solve and explanations ended."""

    objective: Objectives
    bound: float | None  # best proven upper bound of fill (LP relaxation or MIP); None: none
    mip_gap: float | None  # relative gap of fill, from ``objective.fill`` and ``bound``
    baseline: Objectives  # the greedy baseline's objectives
    method: str  # "network LP" or "MILP"
    status: str  # status of the last stage
    optimal: bool  # every stage solved to proven optimality
    solve_seconds: float
    lp_seconds: float  # time of the LP relaxation of the fill stage
    stages: tuple[StageReport, ...] = ()
    lp_bound: float | None = None  # LP relaxation of fill; None when it did not finish
    explanations: str = "complete"  # "complete", "not requested", or what the limit left
    time_limit: float | None = None  # seconds for the whole call
    seconds: float = 0.0  # wall seconds of the whole call
    without_partnerships: Objectives | None = None  # same scenario, no offer activated
    units_without_partnerships: int | None = None  # units planned with no offer activated


@dataclass(frozen=True, slots=True)
class ActivatedOffer:
    """An offer the plan activates, the capacity it uses and the assignments relying on it."""

    offer: str
    partner: str
    kind: PartnershipKind
    beneficiary: Beneficiary
    capacity: float
    used: float
    unit: str
    cost_usd: float
    assignments: tuple[tuple[str, str, int], ...]  # (pledge, requirement, units)


@dataclass(frozen=True, slots=True)
class Plan:
    """Who sends what where, the gaps with reasons, and the solution quality."""

    scenario: str
    assignments: tuple[Assignment, ...]
    gaps: tuple[Gap, ...]
    quality: Quality
    notes: tuple[str, ...] = ()
    partnerships: tuple[ActivatedOffer, ...] = ()

    def to_frames(self) -> dict[str, pl.DataFrame]:
        """The plan as polars frames: ``assignments``, ``gaps`` (one row per reason, or one
        without reason) and ``quality`` (one row per stage), for the store's plan tables."""
        import polars as pl

        assignments = pl.DataFrame(
            [
                {
                    "scenario": self.scenario,
                    "pledge": a.pledge,
                    "requirement": a.requirement,
                    "contributor": a.contributor,
                    "mission": a.mission,
                    "unit_type": a.unit_type,
                    "units": a.units,
                    "personnel": a.personnel,
                    "arrival": a.arrival,
                    "late_days": a.late_days,
                    "cost_usd": a.cost_usd,
                    "offers": ";".join(a.offers),
                }
                for a in self.assignments
            ],
            schema=_schema(_ASSIGNMENT_SCHEMA),
        )
        gap_rows: list[dict[str, object]] = []
        for g in self.gaps:
            base: dict[str, object] = {
                "scenario": self.scenario,
                "requirement": g.requirement,
                "mission": g.mission,
                "unit_type": g.unit_type,
                "required": g.required,
                "filled": g.filled,
                "missing": g.missing,
                "late_units": g.late_units,
                "explanation": g.explanation,
            }
            empty: dict[str, object] = {
                "cause": None,
                "detail": None,
                "recoverable_units": None,
                "verified": None,
            }
            reasons: list[dict[str, object]] = [
                {
                    "cause": r.cause.value,
                    "detail": r.detail,
                    "recoverable_units": r.recoverable_units,
                    "verified": r.verified,
                }
                for r in g.reasons
            ] or [empty]
            gap_rows.extend({**base, **r} for r in reasons)
        gaps = pl.DataFrame(gap_rows, schema=_schema(_GAP_SCHEMA))
        q = self.quality
        quality = pl.DataFrame(
            [
                {
                    "scenario": self.scenario,
                    "stage": s.name,
                    "sense": s.sense,
                    "objective": s.objective,
                    "bound": s.bound,
                    "gap": s.gap,
                    "status": s.status,
                    "optimal": s.optimal,
                    "seconds": s.seconds,
                    "baseline": getattr(q.baseline, s.name),
                    "method": q.method,
                }
                for s in q.stages
            ],
            schema=_schema(_QUALITY_SCHEMA),
        )
        return {"assignments": assignments, "gaps": gaps, "quality": quality}


_ASSIGNMENT_SCHEMA = {
    "scenario": "str",
    "pledge": "str",
    "requirement": "str",
    "contributor": "str",
    "mission": "str",
    "unit_type": "str",
    "units": "int",
    "personnel": "int",
    "arrival": "date",
    "late_days": "int",
    "cost_usd": "float",
    "offers": "str",
}
_GAP_SCHEMA = {
    "scenario": "str",
    "requirement": "str",
    "mission": "str",
    "unit_type": "str",
    "required": "int",
    "filled": "int",
    "missing": "int",
    "late_units": "int",
    "explanation": "str",
    "cause": "str",
    "detail": "str",
    "recoverable_units": "int",
    "verified": "bool",
}
_QUALITY_SCHEMA = {
    "scenario": "str",
    "stage": "str",
    "sense": "str",
    "objective": "float",
    "bound": "float",
    "gap": "float",
    "status": "str",
    "optimal": "bool",
    "seconds": "float",
    "baseline": "float",
    "method": "str",
}


def _schema(columns: Mapping[str, str]) -> dict[str, pl.DataType]:
    import polars as pl

    kinds: dict[str, pl.DataType] = {
        "str": pl.Utf8(),
        "int": pl.Int64(),
        "float": pl.Float64(),
        "date": pl.Date(),
        "bool": pl.Boolean(),
    }
    return {name: kinds[kind] for name, kind in columns.items()}
