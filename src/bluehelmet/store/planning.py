"""Planning tables: requirements, pledges, plans (assignments, gaps) and partnerships.

Columns follow ``bluehelmet.domain.planning``; a domain ``id`` is stored as ``code``.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bluehelmet.domain.cooperation import PlanStatus, VisitKind
from bluehelmet.domain.planning import PartnershipKind
from bluehelmet.store import registry as _registry  # noqa: F401 (tables our foreign keys name)
from bluehelmet.store.base import Base

READINESS_LEVELS: tuple[str, ...] = ("level_1", "level_2", "level_3", "rapid")
"""Values of ``domain.planning.ReadinessLevel`` (PCRS levels); a test keeps the two equal."""


def _in(column: str, values: type[StrEnum] | tuple[str, ...]) -> str:
    listed = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({listed})"


class RequirementRow(Base):
    """A line of a statement of unit requirements (``domain.planning.Requirement``)."""

    __tablename__ = "requirement"
    __table_args__ = (
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("priority >= 1", name="priority_positive"),
        CheckConstraint(
            "min_women_share >= 0 AND min_women_share <= 1", name="women_share_fraction"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)  # Requirement.id
    mission: Mapped[str] = mapped_column(ForeignKey("mission.acronym"), index=True)
    unit_type: Mapped[str] = mapped_column(ForeignKey("unit_type.code"))
    units: Mapped[int] = mapped_column(Integer, default=1)
    needed_by: Mapped[date] = mapped_column(Date)
    priority: Mapped[int] = mapped_column(Integer, default=2)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    min_women_share: Mapped[float] = mapped_column(Float, default=0.0)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class PledgeRow(Base):
    """Units a member state has pledged (``domain.planning.Pledge``), with its PCRS status."""

    __tablename__ = "pledge"
    __table_args__ = (
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint(_in("readiness", READINESS_LEVELS), name="readiness_level"),
        CheckConstraint("women_share >= 0 AND women_share <= 1", name="women_share_fraction"),
        CheckConstraint("cost_per_unit IS NULL OR cost_per_unit >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)  # Pledge.id
    contributor: Mapped[str] = mapped_column(ForeignKey("country.iso3"), index=True)
    unit_type: Mapped[str] = mapped_column(ForeignKey("unit_type.code"))
    units: Mapped[int] = mapped_column(Integer, default=1)
    readiness: Mapped[str] = mapped_column(String(20), default="level_1")
    available_from: Mapped[date] = mapped_column(Date)
    women_share: Mapped[float] = mapped_column(Float, default=0.0)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    capabilities: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_missions: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_hosts: Mapped[list[str]] = mapped_column(JSON, default=list)
    excluded_tasks: Mapped[list[str]] = mapped_column(JSON, default=list)
    cost_per_unit: Mapped[float | None] = mapped_column(Float)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    caveats: Mapped[str] = mapped_column(Text, default="", server_default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PledgeRevisionRow(Base):
    """A pledge as it stood at one version (the history of every change)."""

    __tablename__ = "pledge_revision"
    __table_args__ = (UniqueConstraint("pledge_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class PcrsVisitRow(Base):
    """An assessment, advisory or verification visit and the readiness level it left."""

    __tablename__ = "pcrs_visit"
    __table_args__ = (
        CheckConstraint(_in("kind", VisitKind), name="visit_kind"),
        CheckConstraint(_in("level_after", READINESS_LEVELS), name="visit_level"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    visited_on: Mapped[date] = mapped_column(Date)
    level_before: Mapped[str] = mapped_column(String(20))
    level_after: Mapped[str] = mapped_column(String(20))
    findings: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PlanRow(Base):
    """A force-generation plan (``domain.planning.Plan``) with its quality: bound and baseline."""

    __tablename__ = "plan"
    __table_args__ = (CheckConstraint(_in("status", PlanStatus), name="plan_status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    scenario: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default=PlanStatus.DRAFT.value)
    method: Mapped[str] = mapped_column(String(40), default="")
    solver_status: Mapped[str] = mapped_column(String(40), default="")
    optimal: Mapped[bool] = mapped_column(Boolean, default=False)
    fill: Mapped[float | None] = mapped_column(Float)
    legitimacy: Mapped[float | None] = mapped_column(Float)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    lp_bound: Mapped[float | None] = mapped_column(Float)
    mip_gap: Mapped[float | None] = mapped_column(Float)
    baseline_fill: Mapped[float | None] = mapped_column(Float)
    baseline_legitimacy: Mapped[float | None] = mapped_column(Float)
    baseline_cost_usd: Mapped[float | None] = mapped_column(Float)
    solve_seconds: Mapped[float | None] = mapped_column(Float)
    policy: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(String(20), default="scenario", server_default="scenario")
    created_by: Mapped[str] = mapped_column(String(120), default="", server_default="")


class PlanAssignmentRow(Base):
    """Units of one pledge sent to one requirement (``domain.planning.Assignment``)."""

    __tablename__ = "plan_assignment"
    __table_args__ = (
        UniqueConstraint("plan_id", "requirement_id", "pledge_id"),
        CheckConstraint("units > 0", name="units_positive"),
        CheckConstraint("late_days >= 0", name="late_days_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"))
    pledge_id: Mapped[int | None] = mapped_column(ForeignKey("pledge.id"))
    requirement_code: Mapped[str] = mapped_column(String(80), default="", server_default="")
    pledge_code: Mapped[str] = mapped_column(String(80), default="", server_default="")
    contributor: Mapped[str] = mapped_column(String(3), default="", server_default="", index=True)
    mission: Mapped[str] = mapped_column(String(40), default="", server_default="")
    unit_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    units: Mapped[int] = mapped_column(Integer)
    personnel: Mapped[int] = mapped_column(Integer)
    arrival: Mapped[date] = mapped_column(Date)
    late_days: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float)


class PlanGapRow(Base):
    """A requirement a plan leaves unfilled or late, with reasons (``domain.planning.Gap``)."""

    __tablename__ = "plan_gap"
    __table_args__ = (UniqueConstraint("plan_id", "requirement_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    requirement_id: Mapped[int | None] = mapped_column(ForeignKey("requirement.id"))
    requirement_code: Mapped[str] = mapped_column(String(80), default="", server_default="")
    mission: Mapped[str] = mapped_column(String(40), default="", server_default="")
    unit_type: Mapped[str] = mapped_column(String(40), default="", server_default="")
    required: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer)
    late_units: Mapped[int] = mapped_column(Integer, default=0)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class OfferStatus(StrEnum):
    """Where a partnership offer stands: offered, then accepted or declined, then delivered."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"


class CapacityUnit(StrEnum):
    """What an offer's capacity counts: course seats, units equipped, USD or flight hours."""

    SEATS = "seats"
    UNITS = "units"
    USD = "USD"
    FLIGHT_HOURS = "flight_hours"


class PartnershipRow(Base):
    """Support offered by a partner (a state or an organization) to a contributor, a unit type
    or a mission: training, equipment, funding, logistics or intelligence.

    The partner is ``provider`` (a state) or ``partner_org`` (an organization); the beneficiary
    is any of ``recipient`` (a contributor), ``unit_type`` and ``mission``. ``status`` moves
    offered -> accepted | declined -> delivered (or withdrawn by the partner); ``version`` is
    the ETag of optimistic concurrency.
    """

    __tablename__ = "partnership"
    __table_args__ = (
        CheckConstraint(_in("kind", PartnershipKind), name="partnership_kind"),
        CheckConstraint('"end" IS NULL OR start IS NULL OR "end" >= start', name="period"),
        CheckConstraint(
            "provider IS NULL OR recipient IS NULL OR provider <> recipient",
            name="distinct_parties",
        ),
        CheckConstraint("provider IS NOT NULL OR partner_org IS NOT NULL", name="has_partner"),
        CheckConstraint(
            "recipient IS NOT NULL OR unit_type IS NOT NULL OR mission IS NOT NULL",
            name="has_beneficiary",
        ),
        CheckConstraint(_in("status", OfferStatus), name="offer_status"),
        CheckConstraint(
            "capacity_unit IS NULL OR " + _in("capacity_unit", CapacityUnit),
            name="capacity_unit",
        ),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("lead_time_days IS NULL OR lead_time_days >= 0", name="lead_time"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    provider: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"), index=True)
    partner_org: Mapped[str | None] = mapped_column(ForeignKey("organization.code"), index=True)
    recipient: Mapped[str | None] = mapped_column(ForeignKey("country.iso3"), index=True)
    unit_type: Mapped[str | None] = mapped_column(ForeignKey("unit_type.code"))
    mission: Mapped[str | None] = mapped_column(ForeignKey("mission.acronym"))
    kind: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[float | None] = mapped_column(Float)
    capacity_unit: Mapped[str | None] = mapped_column(String(20))
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(
        String(20), default=OfferStatus.OFFERED.value, server_default="offered"
    )
    value: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_by: Mapped[str] = mapped_column(String(120), default="", server_default="")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PartnershipUnitRow(Base):
    """A pledged unit that a partnership enables (trains, equips, funds, moves or informs)."""

    __tablename__ = "partnership_unit"

    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnership.id", ondelete="CASCADE"), primary_key=True
    )
    pledge_id: Mapped[int] = mapped_column(
        ForeignKey("pledge.id", ondelete="CASCADE"), primary_key=True
    )
