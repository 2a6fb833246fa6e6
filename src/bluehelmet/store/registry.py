"""Registry tables: the SQL mirror of ``bluehelmet.reference`` (states, organizations, missions).

The authored reference files are the source of truth; ``bluehelmet init`` copies them here so
that contributions, pledges and plans can be joined to them in SQL.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bluehelmet.store.base import Base


class CountryRow(Base):
    """A state (``domain.registry.Country``)."""

    __tablename__ = "country"

    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    m49: Mapped[int | None] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    un_member_since: Mapped[date | None] = mapped_column(Date)
    un_member_until: Mapped[date | None] = mapped_column(Date)
    un_regional_group: Mapped[str | None] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(40))
    subregion: Mapped[str | None] = mapped_column(String(60))
    income_group: Mapped[str | None] = mapped_column(String(40))


class OrganizationRow(Base):
    """An international or regional organization (``domain.registry.Organization``)."""

    __tablename__ = "organization"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    founded: Mapped[date | None] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text, default="")


class MembershipRow(Base):
    """A state's membership of an organization from ``joined`` until ``left`` (exclusive)."""

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint('"left" IS NULL OR "left" >= joined', name="left_after_joined"),
    )

    organization: Mapped[str] = mapped_column(
        ForeignKey("organization.code", ondelete="CASCADE"), primary_key=True
    )
    iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), primary_key=True)
    joined: Mapped[date] = mapped_column(Date, primary_key=True)
    left: Mapped[date | None] = mapped_column(Date)


class CouncilSeatRow(Base):
    """A Security Council seat held by a state in a calendar year."""

    __tablename__ = "council_seat"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), primary_key=True)
    permanent: Mapped[bool] = mapped_column(Boolean)


class MissionRow(Base):
    """A peace operation (``domain.registry.Mission``), UN or led by another organization."""

    __tablename__ = "mission"
    __table_args__ = (CheckConstraint('"end" IS NULL OR "end" >= start', name="end_after_start"),)

    acronym: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="peacekeeping")
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead: Mapped[str] = mapped_column(ForeignKey("organization.code"), index=True)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    predecessor: Mapped[str | None] = mapped_column(String(40))
    successor: Mapped[str | None] = mapped_column(String(40))


class MissionHostRow(Base):
    """A host state of a mission; ``position`` keeps the order the registry lists them in."""

    __tablename__ = "mission_host"

    mission: Mapped[str] = mapped_column(
        ForeignKey("mission.acronym", ondelete="CASCADE"), primary_key=True
    )
    iso3: Mapped[str] = mapped_column(ForeignKey("country.iso3"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class MandateRow(Base):
    """A mandating decision of a mission with its authorized ceilings."""

    __tablename__ = "mandate"

    mission: Mapped[str] = mapped_column(
        ForeignKey("mission.acronym", ondelete="CASCADE"), primary_key=True
    )
    resolution: Mapped[str] = mapped_column(String(80), primary_key=True)
    adopted: Mapped[date | None] = mapped_column(Date)
    tasks: Mapped[list[str]] = mapped_column(JSON, default=list)
    troop_ceiling: Mapped[int | None] = mapped_column(Integer)
    police_ceiling: Mapped[int | None] = mapped_column(Integer)
    observer_ceiling: Mapped[int | None] = mapped_column(Integer)


class PersonnelCategoryRow(Base):
    """A category of deployed personnel (``domain.registry.PersonnelCategory``)."""

    __tablename__ = "personnel_category"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class UnitTypeRow(Base):
    """A standard unit type with its typical strength (``domain.registry.UnitType``)."""

    __tablename__ = "unit_type"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(ForeignKey("personnel_category.code"))
    typical_size: Mapped[int] = mapped_column(Integer)
    enabler: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text, default="")
