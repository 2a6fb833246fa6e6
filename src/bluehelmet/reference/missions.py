"""Peace operations: every UN peacekeeping operation since 1948, UN political and support missions
named in the data files, and the main operations led by other organizations."""

from __future__ import annotations

from datetime import date
from functools import cache

from bluehelmet.domain.registry import Mandate, Mission
from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.reference._load import name_key, parse_date, read_rows, split_list
from bluehelmet.reference.countries import find_country

FILE = "missions.csv"
KINDS = frozenset({"peacekeeping", "political", "support", "military", "civilian", "un_entity"})
"""``un_entity``: a UN body that is not a mission but that official files name as one."""


@cache
def missions() -> tuple[Mission, ...]:
    """All missions, ordered by start date, then acronym."""
    out: list[Mission] = []
    for line, row in read_rows(FILE):
        acronym = row["acronym"]
        if row["kind"] not in KINDS:
            msg = f"unknown kind {row['kind']!r}; expected one of {sorted(KINDS)}"
            raise InputError(msg, file=FILE, line=line, field="kind")
        start = parse_date(row["start"], file=FILE, line=line, field="start")
        if start is None:
            msg = "start date is required"
            raise InputError(msg, file=FILE, line=line, field="start")
        end = parse_date(row["end"], file=FILE, line=line, field="end")
        if end is not None and end < start:
            msg = f"end {end} is before start {start}"
            raise InputError(msg, file=FILE, line=line, field="end")
        mandates = tuple(
            Mandate(mission=acronym, resolution=res) for res in split_list(row["resolutions"])
        )
        out.append(
            Mission(
                acronym=acronym,
                name=row["name"],
                lead=row["lead"],
                start=start,
                end=end,
                hosts=split_list(row["hosts"]),
                mandates=mandates,
                predecessor=row["predecessor"] or None,
                successor=row["successor"] or None,
                kind=row["kind"],
                aliases=split_list(row["aliases"]),
            )
        )
    return tuple(sorted(out, key=lambda m: (m.start, m.acronym)))


@cache
def _by_acronym() -> dict[str, Mission]:
    return {m.acronym: m for m in missions()}


@cache
def _index() -> dict[str, str]:
    """Name key -> acronym over acronyms, names, aliases; a key naming two missions is an error."""
    index: dict[str, str] = {}
    for m in missions():
        for label in (m.acronym, m.name, *m.aliases):
            key = name_key(label)
            other = index.setdefault(key, m.acronym)
            if other != m.acronym:
                msg = f"name {label!r} is given to both {other} and {m.acronym}"
                raise InputError(msg, file=FILE, field="aliases")
    return index


def find_mission(name_or_acronym: str) -> Mission | None:
    """The mission an acronym, name or alias refers to (as spelled in UN, IPI, TAMM, Geo-PKO)."""
    acronym = _index().get(name_key(name_or_acronym))
    return _by_acronym()[acronym] if acronym else None


def mission(acronym: str) -> Mission:
    """The mission with this acronym, name or alias; raises ``UnknownNameError``.

    The error suggests close spellings, or, for a host country's name ("Mali"), the missions
    deployed there (UN-led first, the latest first).
    """
    found = find_mission(acronym)
    if found is None:
        hosted = _missions_hosted_by(acronym)
        raise UnknownNameError(
            "mission", acronym, list(_by_acronym()), suggestions=hosted[:5] if hosted else None
        )
    return found


def _missions_hosted_by(name: str) -> list[str]:
    """Acronyms of the missions in the country ``name`` refers to (none if it is no country)."""
    host = find_country(name)
    if host is None:
        return []
    hosted = [m for m in missions() if host.iso3 in m.hosts]
    hosted.sort(key=lambda m: (m.lead != "UN", -m.start.toordinal()))
    return [m.acronym for m in hosted]


def active_missions(on: date, lead: str | None = None) -> tuple[Mission, ...]:
    """Missions deployed on ``on``, optionally only those led by organization ``lead``."""
    return tuple(m for m in missions() if m.active_on(on) and (lead is None or m.lead == lead))
