"""Registry entities: states, organizations, memberships, Council seats, missions, units."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class UNRegionalGroup(StrEnum):
    """The five UN regional groups of member states (GA practice)."""

    AFRICAN = "African"
    ASIA_PACIFIC = "Asia-Pacific"
    EASTERN_EUROPEAN = "Eastern European"
    LATIN_AMERICAN_CARIBBEAN = "Latin American and Caribbean"
    WESTERN_EUROPEAN_OTHERS = "Western European and Others"


@dataclass(frozen=True, slots=True)
class Country:
    """A state, with its codes and the names it goes by in UN and IPI files."""

    iso3: str
    m49: int | None  # None for entities without an M49 code (Kosovo)
    name: str
    aliases: tuple[str, ...] = ()
    un_member_since: date | None = None
    un_regional_group: UNRegionalGroup | None = None
    region: str | None = None  # UN M49 geographic region, e.g. "Africa"
    subregion: str | None = None  # UN M49 sub-region, e.g. "Eastern Africa"
    income_group: str | None = None
    un_member_until: date | None = None  # historical seat holders (USSR, ROC, Yugoslavia, ...)

    @property
    def un_member(self) -> bool:
        """Whether the state is a UN member today."""
        return self.un_member_since is not None and self.un_member_until is None

    def is_un_member_on(self, day: date) -> bool:
        """Whether the state was a UN member on ``day``."""
        if self.un_member_since is None or day < self.un_member_since:
            return False
        return self.un_member_until is None or day < self.un_member_until


@dataclass(frozen=True, slots=True)
class Organization:
    """An international or regional organization relevant to peacekeeping."""

    code: str  # e.g. "AU"
    name: str
    founded: date | None = None
    kind: str = "regional"  # "universal", "regional", "alliance", "subregional"
    source: str = ""


@dataclass(frozen=True, slots=True)
class Membership:
    """A state's membership of an organization over a period (``left`` None: still a member)."""

    organization: str
    iso3: str
    joined: date
    left: date | None = None

    def active_on(self, day: date) -> bool:
        """Whether the membership held on ``day``."""
        return self.joined <= day and (self.left is None or day < self.left)


@dataclass(frozen=True, slots=True)
class CouncilSeat:
    """A Security Council seat held by a state in a calendar year."""

    year: int
    iso3: str
    permanent: bool


@dataclass(frozen=True, slots=True)
class Mandate:
    """A mandating decision: resolution (or decision) number, its date and authorized ceilings."""

    mission: str
    resolution: str  # e.g. "S/RES/1925 (2010)"
    adopted: date | None = None
    tasks: tuple[str, ...] = ()
    troop_ceiling: int | None = None
    police_ceiling: int | None = None
    observer_ceiling: int | None = None


@dataclass(frozen=True, slots=True)
class Mission:
    """A peace operation, UN or led by another organization."""

    acronym: str
    name: str
    lead: str  # organization code, e.g. "UN", "AU", "EU"
    start: date
    end: date | None = None
    hosts: tuple[str, ...] = ()  # ISO-3 of host states
    mandates: tuple[Mandate, ...] = field(default=())
    predecessor: str | None = None
    successor: str | None = None
    kind: str = "peacekeeping"  # "peacekeeping", "political", "support", "military" (non-UN)
    aliases: tuple[str, ...] = ()

    def active_on(self, day: date) -> bool:
        """Whether the mission was deployed on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


class PersonnelCategory(StrEnum):
    """Categories of deployed personnel, as the UN and IPI report them.

    ``POLICE``, ``OBSERVERS`` and ``UNIFORMED`` are the coarser totals that some sources give
    instead of the finer split.
    """

    TROOPS = "troops"
    STAFF_OFFICERS = "staff_officers"
    EXPERTS_ON_MISSION = "experts_on_mission"
    FORMED_POLICE_UNITS = "formed_police_units"
    INDIVIDUAL_POLICE = "individual_police"
    POLICE = "police"
    OBSERVERS = "observers"
    UNIFORMED = "uniformed"


class Sex(StrEnum):
    """Sex as reported in contribution data; ``UNKNOWN`` where a source has no split."""

    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class UnitType:
    """A standard unit type with its typical strength."""

    code: str  # e.g. "INF_BN"
    name: str
    category: PersonnelCategory
    typical_size: int
    enabler: bool = False
    source: str = ""
