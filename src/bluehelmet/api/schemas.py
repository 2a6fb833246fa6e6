"""Request and response schemas of the REST API; limits are declared on the fields."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from bluehelmet.domain.cooperation import PlanStatus, Role, VisitKind
from bluehelmet.domain.planning import ReadinessLevel
from bluehelmet.services.partnership_offers import CapacityUnit, OfferKind, OfferStatus

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    limit: int
    offset: int


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PledgeBase(_In):
    """Fields a delegation states about pledged units."""

    unit_type: str = Field(min_length=1, max_length=40, description="Unit type code, e.g. INF_BN.")
    units: int = Field(ge=1, le=1000, description="Number of units of that type.")
    readiness: ReadinessLevel = Field(description="PCRS readiness level.")
    available_from: date | None = Field(
        None, ge=date(1945, 1, 1), le=date(2100, 12, 31), description="Default: today."
    )
    women_share: float = Field(0.0, ge=0, le=1, description="Share of women in the unit.")
    languages: list[str] = Field(default_factory=list, max_length=20)
    capabilities: list[str] = Field(default_factory=list, max_length=50)
    excluded_missions: list[str] = Field(default_factory=list, max_length=100)
    excluded_hosts: list[str] = Field(default_factory=list, max_length=100)
    excluded_tasks: list[str] = Field(default_factory=list, max_length=50)
    caveats: str = Field("", max_length=4000, description="Caveats in words.")
    cost_per_unit: float | None = Field(None, ge=0, le=1e12, description="USD per unit.")


class PledgeCreate(PledgeBase):
    """A new pledge; ``contributor`` only when a planner or admin records it."""

    contributor: str | None = Field(None, min_length=3, max_length=3)


class PledgeUpdate(_In):
    """Fields of a pledge to change (only those given change)."""

    unit_type: str | None = Field(None, min_length=1, max_length=40)
    units: int | None = Field(None, ge=1, le=1000)
    readiness: ReadinessLevel | None = None
    available_from: date | None = Field(None, ge=date(1945, 1, 1), le=date(2100, 12, 31))
    women_share: float | None = Field(None, ge=0, le=1)
    languages: list[str] | None = Field(None, max_length=20)
    capabilities: list[str] | None = Field(None, max_length=50)
    excluded_missions: list[str] | None = Field(None, max_length=100)
    excluded_hosts: list[str] | None = Field(None, max_length=100)
    excluded_tasks: list[str] | None = Field(None, max_length=50)
    caveats: str | None = Field(None, max_length=4000)
    cost_per_unit: float | None = Field(None, ge=0, le=1e12)


class Pledge(BaseModel):
    """A stored pledge."""

    id: int
    code: str
    contributor: str
    unit_type: str
    units: int
    readiness: str
    available_from: date
    women_share: float
    languages: list[str]
    capabilities: list[str]
    excluded_missions: list[str]
    excluded_hosts: list[str]
    excluded_tasks: list[str]
    caveats: str
    cost_per_unit: float | None
    verified: bool
    withdrawn: bool
    version: int
    updated_at: datetime | None


class PledgeRevision(BaseModel):
    """A pledge as it stood at one version."""

    version: int
    at: datetime
    actor: str
    pledge: dict[str, Any]


class VisitCreate(_In):
    """A PCRS visit and the readiness level it leaves the pledge at."""

    kind: VisitKind
    visited_on: date = Field(ge=date(1945, 1, 1), le=date(2100, 12, 31))
    level_after: ReadinessLevel
    findings: str = Field("", max_length=4000)


class Visit(BaseModel):
    """A recorded PCRS visit."""

    id: int
    pledge_id: int
    kind: str
    visited_on: date
    level_before: str
    level_after: str
    findings: str
    recorded_by: str
    recorded_at: datetime


class VisitResult(BaseModel):
    """The visit and the pledge it moved."""

    visit: Visit
    pledge: Pledge


class RequirementCreate(_In):
    """A line of a statement of unit requirements."""

    mission: str = Field(min_length=1, max_length=80, description="Acronym, name or alias.")
    unit_type: str = Field(min_length=1, max_length=40)
    units: int = Field(ge=1, le=1000)
    needed_by: date = Field(ge=date(1945, 1, 1), le=date(2100, 12, 31))
    priority: int = Field(2, ge=1, le=3)
    languages: list[str] = Field(default_factory=list, max_length=20)
    min_women_share: float = Field(0.0, ge=0, le=1)
    capabilities: list[str] = Field(default_factory=list, max_length=50)
    tasks: list[str] = Field(default_factory=list, max_length=50)
    location: str | None = Field(None, max_length=200)
    notes: str = Field("", max_length=4000)


class RequirementUpdate(_In):
    """Fields of a requirement to change."""

    mission: str | None = Field(None, min_length=1, max_length=80)
    unit_type: str | None = Field(None, min_length=1, max_length=40)
    units: int | None = Field(None, ge=1, le=1000)
    needed_by: date | None = Field(None, ge=date(1945, 1, 1), le=date(2100, 12, 31))
    priority: int | None = Field(None, ge=1, le=3)
    languages: list[str] | None = Field(None, max_length=20)
    min_women_share: float | None = Field(None, ge=0, le=1)
    capabilities: list[str] | None = Field(None, max_length=50)
    tasks: list[str] | None = Field(None, max_length=50)
    location: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=4000)


class Requirement(BaseModel):
    """A published requirement."""

    id: int
    code: str
    mission: str
    unit_type: str
    units: int
    needed_by: date
    priority: int
    languages: list[str]
    min_women_share: float
    capabilities: list[str]
    tasks: list[str]
    location: str | None
    notes: str
    version: int


class AuditEntry(BaseModel):
    """One recorded change."""

    id: int
    at: datetime
    actor: str
    user_id: int | None
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class UserCreate(_In):
    """A new user; a delegation names its state, a partner its organization or state."""

    name: str = Field(min_length=1, max_length=120)
    role: Role
    country: str | None = Field(None, min_length=2, max_length=80)
    organization: str | None = Field(None, min_length=1, max_length=16)


class User(BaseModel):
    """A user (never the key)."""

    id: int
    name: str
    role: str
    country: str | None
    organization: str | None
    active: bool
    created_at: datetime


class NewUser(User):
    """A user just made, with its API key (shown only this once)."""

    api_key: str


class Me(BaseModel):
    """The caller as the service sees it."""

    user_id: int
    name: str
    role: str
    country: str | None
    organization: str | None


class PlanCreate(_In):
    """Run the planner on the stored pledges and requirements and save the plan."""

    name: str = Field(min_length=1, max_length=120, description="Unique plan name.")
    time_limit: float = Field(10.0, gt=0, le=120, description="Solver seconds.")
    explain: bool = Field(True, description="Compute the reasons of each gap.")
    request_date: date | None = Field(
        None, ge=date(1945, 1, 1), le=date(2100, 12, 31), description="Default: today."
    )
    budget: float | None = Field(None, ge=0, le=1e13, description="USD over the horizon.")


class PlanStatusChange(_In):
    """A plan's new status; proposed and approved plans are published to delegations."""

    status: PlanStatus


class PlanSummary(BaseModel):
    """A saved plan: status, objectives, bound, gap and baseline."""

    id: int
    name: str
    scenario: str
    source: str
    status: str
    created_at: datetime
    created_by: str
    method: str
    solver_status: str
    optimal: bool
    fill: float | None
    legitimacy: float | None
    cost_usd: float | None
    lp_bound: float | None
    mip_gap: float | None
    baseline_fill: float | None
    baseline_legitimacy: float | None
    baseline_cost_usd: float | None
    solve_seconds: float | None
    notes: list[str]


class PlanAssignment(BaseModel):
    """Units of one pledge sent to one requirement."""

    requirement: str
    pledge: str
    contributor: str
    mission: str
    unit_type: str
    units: int
    personnel: int
    arrival: date
    late_days: int
    cost_usd: float


class PlanGap(BaseModel):
    """A requirement left unfilled or late, with reasons."""

    requirement: str
    mission: str
    unit_type: str
    required: int
    filled: int
    late_units: int
    reasons: list[dict[str, Any]]


class PlanDetail(PlanSummary):
    """A saved plan with the assignments and gaps the caller may see."""

    assignments: list[PlanAssignment]
    gaps: list[PlanGap]


class PlanComparison(BaseModel):
    """Two plans side by side."""

    first: dict[str, Any]
    second: dict[str, Any]
    objectives: list[dict[str, Any]]
    assignments: list[dict[str, Any]]
    gaps: list[dict[str, Any]]


_DAY_MIN, _DAY_MAX = date(1945, 1, 1), date(2100, 12, 31)


class OfferBase(_In):
    """What a partner offers, to whom, how much, how soon and at what cost."""

    kind: OfferKind = Field(description="training, equipment, funding, logistics, intelligence.")
    contributor: str | None = Field(
        None, min_length=1, max_length=80, description="Beneficiary state (ISO-3 or name)."
    )
    unit_type: str | None = Field(
        None, min_length=1, max_length=40, description="Beneficiary unit type, e.g. INF_BN."
    )
    mission: str | None = Field(
        None, min_length=1, max_length=80, description="Beneficiary mission (acronym or name)."
    )
    capacity: float | None = Field(None, gt=0, le=1e12, description="How much is offered.")
    capacity_unit: CapacityUnit | None = Field(None, description="seats, units, USD, flight_hours.")
    lead_time_days: int | None = Field(None, ge=0, le=3650, description="Days to deliver.")
    cost: float | None = Field(None, ge=0, le=1e12, description="Cost in USD.")
    start: date | None = Field(None, ge=_DAY_MIN, le=_DAY_MAX)
    end: date | None = Field(None, ge=_DAY_MIN, le=_DAY_MAX)
    description: str = Field("", max_length=4000)


class OfferCreate(OfferBase):
    """A new offer; ``partner`` only when a planner or admin records it."""

    partner: str | None = Field(
        None, min_length=1, max_length=80, description="Organization code or state."
    )


class OfferUpdate(_In):
    """Fields of an offer to change (only those given change; null clears a beneficiary)."""

    kind: OfferKind | None = None
    contributor: str | None = Field(None, min_length=1, max_length=80)
    unit_type: str | None = Field(None, min_length=1, max_length=40)
    mission: str | None = Field(None, min_length=1, max_length=80)
    capacity: float | None = Field(None, gt=0, le=1e12)
    capacity_unit: CapacityUnit | None = None
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    cost: float | None = Field(None, ge=0, le=1e12)
    start: date | None = Field(None, ge=_DAY_MIN, le=_DAY_MAX)
    end: date | None = Field(None, ge=_DAY_MIN, le=_DAY_MAX)
    description: str | None = Field(None, max_length=4000)


class OfferStatusChange(_In):
    """The status an offer moves to."""

    status: OfferStatus = Field(
        description="accepted or declined (beneficiary or planner), delivered, withdrawn."
    )


class Offer(BaseModel):
    """A stored partnership offer."""

    id: int
    partner: str
    partner_type: str
    kind: str
    contributor: str | None
    unit_type: str | None
    mission: str | None
    capacity: float | None
    capacity_unit: str | None
    lead_time_days: int | None
    cost: float | None
    start: date | None
    end: date | None
    description: str
    status: str
    version: int
    created_by: str
    updated_at: datetime | None
