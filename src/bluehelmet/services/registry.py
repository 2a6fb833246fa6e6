"""Registry use cases: load the reference registry into the store, and answer registry queries.

Queries read ``bluehelmet.reference`` (the authored, always-available source of truth); the
store is its mirror for SQL joins with contributions, pledges and plans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Engine, Table, and_, delete, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bluehelmet import reference
from bluehelmet.domain.registry import (
    CouncilSeat,
    Country,
    Membership,
    Mission,
    Organization,
    PersonnelCategory,
    UnitType,
)
from bluehelmet.domain.schema import (
    COUNCIL_SEAT,
    COUNTRY,
    MEMBERSHIP,
    MISSION,
    ORGANIZATION,
    UNIT_TYPE,
)
from bluehelmet.errors import BluehelmetError, InputError, StoreError, UnknownNameError
from bluehelmet.services.core import Core, default_core
from bluehelmet.store import current_revision, session_scope, upgrade
from bluehelmet.store.base import Base
from bluehelmet.store.registry import (
    CouncilSeatRow,
    CountryRow,
    MandateRow,
    MembershipRow,
    MissionHostRow,
    MissionRow,
    OrganizationRow,
    PersonnelCategoryRow,
    UnitTypeRow,
)

FIRST_COUNCIL_YEAR = 1946
"""The Security Council first met in January 1946."""

Progress = Callable[[str, int, int], None]
"""Callback ``(step, done, total)`` reporting the progress of ``init_store``."""

Record = dict[str, Any]


# --------------------------------------------------------------------------- snapshot


@dataclass(frozen=True, slots=True)
class RegistrySnapshot:
    """Everything ``init_store`` copies into the store, as domain objects."""

    countries: tuple[Country, ...]
    organizations: tuple[Organization, ...]
    memberships: tuple[Membership, ...]
    council_seats: tuple[CouncilSeat, ...]
    missions: tuple[Mission, ...]
    unit_types: tuple[UnitType, ...]
    personnel_categories: tuple[PersonnelCategory, ...] = tuple(PersonnelCategory)


def _council_seats_from_reference(last_year: int) -> tuple[CouncilSeat, ...]:
    seats: list[CouncilSeat] = []
    for year in range(FIRST_COUNCIL_YEAR, last_year + 1):
        try:
            seats.extend(reference.council(year))
        except (BluehelmetError, LookupError):
            # The authored composition stops at the last year it can source.
            if year == FIRST_COUNCIL_YEAR:
                raise
            break
    return tuple(seats)


def reference_snapshot(*, today: date | None = None) -> RegistrySnapshot:
    """The registry as authored in ``bluehelmet.reference``."""
    last_year = (today or date.today()).year
    return RegistrySnapshot(
        countries=tuple(reference.countries()),
        organizations=tuple(reference.organizations()),
        memberships=tuple(reference.memberships()),
        council_seats=_council_seats_from_reference(last_year),
        missions=tuple(reference.missions()),
        unit_types=tuple(reference.unit_types()),
    )


def check_snapshot(snapshot: RegistrySnapshot) -> None:
    """Raise ``InputError`` listing every reference to an unknown state, organization or category.

    Run before anything is written, so that a bad registry changes nothing in the store.
    """
    iso3s = {c.iso3 for c in snapshot.countries}
    orgs = {o.code for o in snapshot.organizations}
    categories = {str(c) for c in snapshot.personnel_categories}
    problems: list[str] = []

    def need(known: set[str], value: str, where: str, kind: str) -> None:
        if value not in known:
            problems.append(f"{where}: unknown {kind} {value!r}")

    seen: dict[str, set[tuple[Any, ...]]] = {}

    def unique(table: str, key: tuple[Any, ...], where: str) -> None:
        keys = seen.setdefault(table, set())
        if key in keys:
            problems.append(f"{where}: duplicate {table} {key!r}")
        keys.add(key)

    for c in snapshot.countries:
        unique("country", (c.iso3,), f"countries[{c.iso3}]")
    for o in snapshot.organizations:
        unique("organization", (o.code,), f"organizations[{o.code}]")
    for m in snapshot.memberships:
        where = f"memberships[{m.organization}/{m.iso3}]"
        need(orgs, m.organization, where, "organization")
        need(iso3s, m.iso3, where, "country")
        unique("membership", (m.organization, m.iso3, m.joined), where)
    for s in snapshot.council_seats:
        where = f"council[{s.year}/{s.iso3}]"
        need(iso3s, s.iso3, where, "country")
        unique("council_seat", (s.year, s.iso3), where)
    for mission in snapshot.missions:
        where = f"missions[{mission.acronym}]"
        unique("mission", (mission.acronym,), where)
        need(orgs, mission.lead, f"{where}.lead", "organization")
        if not isinstance(mission.start, date):
            problems.append(f"{where}.start: missing start date")
        elif mission.end is not None and mission.end < mission.start:
            problems.append(f"{where}.end: {mission.end} before start {mission.start}")
        for host in mission.hosts:
            need(iso3s, host, f"{where}.hosts", "country")
        for mandate in mission.mandates:
            unique("mandate", (mission.acronym, mandate.resolution), f"{where}.mandates")
    for u in snapshot.unit_types:
        unique("unit_type", (u.code,), f"unit_types[{u.code}]")
        need(categories, str(u.category), f"unit_types[{u.code}].category", "category")
    if problems:
        shown = "; ".join(problems[:20])
        more = f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""
        msg = f"the reference registry is inconsistent: {shown}{more}"
        raise InputError(msg, file="bluehelmet.reference")


# --------------------------------------------------------------------------- rows


def _category_name(category: PersonnelCategory) -> str:
    return category.value.replace("_", " ").capitalize()


def _desired_rows(snapshot: RegistrySnapshot) -> list[tuple[type[Base], list[Record]]]:
    """Rows of every registry table, parents before children."""
    countries = COUNTRY.rows(snapshot.countries)
    organizations = ORGANIZATION.rows(snapshot.organizations)
    categories = [
        {"code": c.value, "name": _category_name(c)} for c in snapshot.personnel_categories
    ]
    memberships = MEMBERSHIP.rows(snapshot.memberships)
    seats = COUNCIL_SEAT.rows(snapshot.council_seats)
    missions = MISSION.rows(snapshot.missions)
    hosts = [
        {"mission": m.acronym, "iso3": iso3, "position": i}
        for m in snapshot.missions
        for i, iso3 in enumerate(dict.fromkeys(m.hosts))
    ]
    mandates = [
        {
            "mission": m.acronym,
            "resolution": d.resolution,
            "adopted": d.adopted,
            "tasks": list(d.tasks),
            "troop_ceiling": d.troop_ceiling,
            "police_ceiling": d.police_ceiling,
            "observer_ceiling": d.observer_ceiling,
        }
        for m in snapshot.missions
        for d in m.mandates
    ]
    unit_types = UNIT_TYPE.rows(snapshot.unit_types)
    return [
        (CountryRow, countries),
        (OrganizationRow, organizations),
        (PersonnelCategoryRow, categories),
        (MembershipRow, memberships),
        (CouncilSeatRow, seats),
        (MissionRow, missions),
        (MissionHostRow, hosts),
        (MandateRow, mandates),
        (UnitTypeRow, unit_types),
    ]


@dataclass(frozen=True, slots=True)
class TableSync:
    """What ``init_store`` changed in one table."""

    table: str
    inserted: int
    updated: int
    deleted: int
    unchanged: int

    @property
    def rows(self) -> int:
        """Rows in the table after the sync."""
        return self.inserted + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class InitReport:
    """Outcome of ``init_store``: the database, its revision before and after, table changes."""

    url: str
    revision_before: str | None
    revision_after: str | None
    tables: tuple[TableSync, ...] = field(default=())

    @property
    def inserted(self) -> int:
        """Rows inserted in all registry tables."""
        return sum(t.inserted for t in self.tables)

    @property
    def updated(self) -> int:
        """Rows updated in all registry tables."""
        return sum(t.updated for t in self.tables)

    @property
    def deleted(self) -> int:
        """Rows deleted from all registry tables (gone from the reference)."""
        return sum(t.deleted for t in self.tables)

    @property
    def changed(self) -> bool:
        """Whether the run changed anything (schema or rows)."""
        migrated = self.revision_before != self.revision_after
        return migrated or bool(self.inserted or self.updated or self.deleted)


def _normalize(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


@dataclass(slots=True)
class _Plan:
    table: Table
    inserts: list[Record]
    updates: list[Record]
    deletes: list[tuple[Any, ...]]
    unchanged: int


def _plan_table(session: Session, model: type[Base], desired: Sequence[Record]) -> _Plan:
    table = _table(model)
    pk = [c.name for c in table.primary_key.columns]
    columns = [c.name for c in table.columns]
    existing: dict[tuple[Any, ...], Record] = {}
    for row in session.execute(select(*table.columns)).mappings():
        existing[tuple(row[k] for k in pk)] = {k: _normalize(row[k]) for k in columns}
    plan = _Plan(table, [], [], [], 0)
    wanted: set[tuple[Any, ...]] = set()
    for record in desired:
        key = tuple(record[k] for k in pk)
        wanted.add(key)
        current = existing.get(key)
        if current is None:
            plan.inserts.append(record)
        elif any(current[k] != _normalize(record[k]) for k in columns):
            plan.updates.append(record)
        else:
            plan.unchanged += 1
    plan.deletes = [key for key in existing if key not in wanted]
    return plan


def _apply(session: Session, plans: Sequence[_Plan], progress: Progress | None) -> None:
    total = len(plans) * 2
    done = 0
    # Children first when deleting, parents first when inserting and updating.
    for plan in reversed(plans):
        table = plan.table
        pk = list(table.primary_key.columns)
        for key in plan.deletes:
            session.execute(
                delete(table).where(and_(*(c == v for c, v in zip(pk, key, strict=True))))
            )
        done += 1
        if progress:
            progress(f"clean {table.name}", done, total)
    for plan in plans:
        table = plan.table
        pk = list(table.primary_key.columns)
        if plan.inserts:
            session.execute(insert(table), plan.inserts)
        for record in plan.updates:
            where = and_(*(c == record[c.name] for c in pk))
            values = {k: v for k, v in record.items() if k not in {c.name for c in pk}}
            session.execute(update(table).where(where).values(**values))
        done += 1
        if progress:
            progress(f"load {table.name}", done, total)


def init_store(
    core: Core | None = None,
    *,
    snapshot: RegistrySnapshot | None = None,
    progress: Progress | None = None,
) -> InitReport:
    """Create or upgrade the core's store and mirror the reference registry into it.

    Idempotent: rows are inserted, updated or deleted only where the store differs from the
    registry, so a second run reports no change. Everything is checked before anything is
    written, and the rows are written in one transaction.
    """
    snapshot = snapshot if snapshot is not None else reference_snapshot()
    check_snapshot(snapshot)
    core = default_core(core)
    safe = core.safe_database_url
    eng: Engine = core.engine
    try:
        before = current_revision(eng)
        if progress:
            progress("migrate", 0, 1)
        upgrade(eng)
        after = current_revision(eng)
    except SQLAlchemyError as exc:
        msg = f"cannot create or upgrade the store at {safe}: {exc.__class__.__name__}: {exc}"
        raise StoreError(msg) from exc
    if progress:
        progress("migrate", 1, 1)
    try:
        with session_scope(eng) as session:
            plans = [_plan_table(session, model, rows) for model, rows in _desired_rows(snapshot)]
            _apply(session, plans, progress)
    except SQLAlchemyError as exc:
        msg = f"cannot load the registry into {safe}: {exc.__class__.__name__}: {exc}"
        raise StoreError(msg) from exc
    tables = tuple(
        TableSync(
            table=p.table.name,
            inserted=len(p.inserts),
            updated=len(p.updates),
            deleted=len(p.deletes),
            unchanged=p.unchanged,
        )
        for p in plans
    )
    return InitReport(url=safe, revision_before=before, revision_after=after, tables=tables)


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True, slots=True)
class CouncilMember:
    """A state on the Security Council in a year."""

    year: int
    iso3: str
    name: str
    permanent: bool


@dataclass(frozen=True, slots=True)
class OrganizationMember:
    """A state's membership of an organization, with the state's name."""

    organization: str
    iso3: str
    name: str
    joined: date
    left: date | None


def _country_names() -> dict[str, str]:
    return {c.iso3: c.name for c in reference.countries()}


def list_countries(*, un_member: bool | None = None, region: str | None = None) -> list[Country]:
    """States in the registry, by name; optionally only (non-)UN members or one M49 region."""
    result = list(reference.countries())
    if un_member is not None:
        result = [c for c in result if c.un_member is un_member]
    if region is not None:
        regions = sorted({c.region for c in reference.countries() if c.region})
        wanted = {r.lower(): r for r in regions}.get(region.lower())
        if wanted is None:
            raise UnknownNameError("region", region, regions)
        result = [c for c in result if c.region == wanted]
    return sorted(result, key=lambda c: c.name)


def get_country(name: str) -> Country:
    """One state by ISO-3 code, M49 code, name or alias (``UnknownNameError`` if unknown)."""
    found = reference.find_country(name)
    return found if found is not None else reference.country(name)


def get_organization(code: str) -> Organization:
    """One organization by code or name, any case (``UnknownNameError`` with suggestions)."""
    return reference.organization(code)


def list_organizations() -> list[Organization]:
    """Organizations in the registry, by code."""
    return sorted(reference.organizations(), key=lambda o: o.code)


def _overlaps_year(start: date, end: date | None, year: int) -> bool:
    return start <= date(year, 12, 31) and (end is None or end >= date(year, 1, 1))


def list_missions(
    *,
    active: bool = False,
    org: str | None = None,
    year: int | None = None,
    host: str | None = None,
    on: date | None = None,
) -> list[Mission]:
    """Missions by start date, filtered.

    ``active``: deployed on ``on`` (default today); ``org``: led by that organization;
    ``year``: deployed at some time in that calendar year; ``host``: hosted by that state.
    """
    result = list(reference.missions())
    if org is not None:
        lead = get_organization(org).code
        result = [m for m in result if m.lead == lead]
    if active:
        day = on or date.today()
        result = [m for m in result if m.active_on(day)]
    if year is not None:
        result = [m for m in result if _overlaps_year(m.start, m.end, year)]
    if host is not None:
        iso3 = get_country(host).iso3
        result = [m for m in result if iso3 in m.hosts]
    return sorted(result, key=lambda m: (m.start, m.acronym))


def get_mission(name_or_acronym: str) -> Mission:
    """One mission by acronym, name or alias (``UnknownNameError`` with suggestions)."""
    found = reference.find_mission(name_or_acronym)
    return found if found is not None else reference.mission(name_or_acronym)


def council_members(year: int) -> list[CouncilMember]:
    """The Security Council in ``year``: permanent members first, then by name."""
    names = _country_names()
    seats = reference.council(year)
    members = [
        CouncilMember(year=year, iso3=s.iso3, name=names.get(s.iso3, s.iso3), permanent=s.permanent)
        for s in seats
    ]
    return sorted(members, key=lambda m: (not m.permanent, m.name))


def organization_members(org: str, year: int | None = None) -> list[OrganizationMember]:
    """Members of ``org``: today's, or those that belonged at any time in ``year``."""
    code = get_organization(org).code
    names = _country_names()
    today = date.today()
    result = []
    for m in reference.memberships(code):
        if year is None:
            keep = m.active_on(today)
        else:
            last = m.left - timedelta(days=1) if m.left is not None else None
            keep = _overlaps_year(m.joined, last, year)
        if keep:
            result.append(
                OrganizationMember(
                    organization=code,
                    iso3=m.iso3,
                    name=names.get(m.iso3, m.iso3),
                    joined=m.joined,
                    left=m.left,
                )
            )
    return sorted(result, key=lambda m: (m.name, m.joined))


# --------------------------------------------------------------------------- records


def country_record(country: Country) -> Record:
    """A state as a flat dict with the declared listing attributes (CLI and REST API)."""
    return COUNTRY.summary_record(country)


def country_detail(country: Country, *, today: date | None = None) -> Record:
    """A state with its aliases, current memberships, Council years and hosted missions."""
    day = today or date.today()
    record = country_record(country)
    record["aliases"] = list(country.aliases)
    record["income_group"] = country.income_group
    record["memberships"] = sorted(
        m.organization
        for m in reference.memberships()
        if m.iso3 == country.iso3 and m.active_on(day)
    )
    elected: list[int] = []
    permanent: list[int] = []
    for year in range(FIRST_COUNCIL_YEAR, day.year + 1):
        try:
            seats = reference.council(year)
        except (BluehelmetError, LookupError):
            continue
        for seat in seats:
            if seat.iso3 == country.iso3:
                (permanent if seat.permanent else elected).append(year)
    record["council_years"] = elected
    record["council_permanent"] = f"{permanent[0]}-{permanent[-1]}" if permanent else None
    record["missions_hosted"] = [m.acronym for m in list_missions() if country.iso3 in m.hosts]
    return record


def mission_record(mission: Mission) -> Record:
    """A mission as a flat dict with the declared listing attributes (CLI and REST API)."""
    return MISSION.summary_record(mission)


def mission_detail(mission: Mission) -> Record:
    """A mission with host names, predecessor, successor and mandates."""
    names = _country_names()
    record = mission_record(mission)
    record["host_names"] = [names.get(h, h) for h in mission.hosts]
    record["kind"] = getattr(mission, "kind", "peacekeeping")
    record["predecessor"] = mission.predecessor
    record["successor"] = mission.successor
    record["mandates"] = [asdict(m) for m in mission.mandates]
    return record


def organization_record(org: Organization) -> Record:
    """An organization with the declared listing attributes and its member count."""
    return {**ORGANIZATION.summary_record(org), "members": _member_count(org.code, date.today())}


@lru_cache(maxsize=512)
def _member_count(code: str, today: date) -> int | None:
    # The reference registry is fixed for the process, so today's count is too.
    try:
        return sum(
            1 for m in reference.memberships(get_organization(code).code) if m.active_on(today)
        )
    except BluehelmetError:  # the registry does not record this organization's members
        return None


def records(items: Iterable[Any]) -> list[Record]:
    """Dataclass instances (``CouncilMember``, ``OrganizationMember``, ...) as dicts."""
    return [asdict(i) if not isinstance(i, Mapping) else dict(i) for i in items]
