"""Organizations and their memberships over time; UN membership comes from the countries table."""

from __future__ import annotations

from datetime import date
from functools import cache

from bluehelmet.domain.registry import Country, Membership, Organization
from bluehelmet.errors import BluehelmetError, InputError, UnknownNameError
from bluehelmet.reference._load import name_key, parse_date, read_rows
from bluehelmet.reference.countries import _by_iso3, countries

ORG_FILE = "organizations.csv"
MEMBERSHIP_FILE = "memberships.csv"


@cache
def _org_rows() -> tuple[tuple[Organization, str], ...]:
    out: list[tuple[Organization, str]] = []
    for line, row in read_rows(ORG_FILE):
        founded = parse_date(row["founded"], file=ORG_FILE, line=line, field="founded")
        org = Organization(
            code=row["code"],
            name=row["name"],
            founded=founded,
            kind=row["kind"],
            source=row["source"],
        )
        if row["membership"] not in {"recorded", "countries", "not recorded"}:
            msg = f"unknown membership status {row['membership']!r}"
            raise InputError(msg, file=ORG_FILE, line=line, field="membership")
        out.append((org, row["membership"]))
    return tuple(out)


def organizations() -> tuple[Organization, ...]:
    """Every organization in the registry, in file order (UN first)."""
    return tuple(org for org, _ in _org_rows())


def organization(code: str) -> Organization:
    """The organization with this code or name (``AU``, ``african union``); raises
    ``UnknownNameError`` with suggestions."""
    key = name_key(code)
    for org in organizations():
        if key in (name_key(org.code), name_key(org.name)):
            return org
    known = [o.code for o in organizations()] + [o.name for o in organizations()]
    raise UnknownNameError("organization", code, known)


def membership_recorded(code: str) -> bool:
    """Whether the registry lists the members of organization ``code`` over time."""
    org = organization(code)
    return {o.code: s for o, s in _org_rows()}[org.code] != "not recorded"


@cache
def _recorded_memberships() -> tuple[Membership, ...]:
    known = _by_iso3()
    orgs = {o.code for o in organizations()}
    out: list[Membership] = []
    for line, row in read_rows(MEMBERSHIP_FILE):
        if row["organization"] not in orgs:
            msg = f"unknown organization {row['organization']!r}"
            raise InputError(msg, file=MEMBERSHIP_FILE, line=line, field="organization")
        if row["iso3"] not in known:
            msg = f"unknown ISO-3 code {row['iso3']!r}"
            raise InputError(msg, file=MEMBERSHIP_FILE, line=line, field="iso3")
        joined = parse_date(row["joined"], file=MEMBERSHIP_FILE, line=line, field="joined")
        if joined is None:
            msg = "joined date is required"
            raise InputError(msg, file=MEMBERSHIP_FILE, line=line, field="joined")
        left = parse_date(row["left"], file=MEMBERSHIP_FILE, line=line, field="left")
        out.append(Membership(row["organization"], row["iso3"], joined, left))
    return tuple(out)


@cache
def _un_memberships() -> tuple[Membership, ...]:
    return tuple(
        Membership("UN", c.iso3, c.un_member_since, c.un_member_until)
        for c in countries()
        if c.un_member_since is not None
    )


def memberships(org: str | None = None) -> tuple[Membership, ...]:
    """Memberships over time, of one organization or of all whose membership is recorded."""
    if org is None:
        return _un_memberships() + _recorded_memberships()
    code = organization(org).code
    if not membership_recorded(code):
        msg = f"the members of {code} are not recorded in the registry (no sourced dates yet)"
        raise BluehelmetError(msg)
    if code == "UN":
        return _un_memberships()
    return tuple(m for m in _recorded_memberships() if m.organization == code)


def members(org: str, on: date | None = None) -> tuple[Country, ...]:
    """Member states of ``org`` on day ``on`` (current members when ``on`` is None), by name."""
    by_iso3 = _by_iso3()
    chosen = [m for m in memberships(org) if (m.left is None if on is None else m.active_on(on))]
    return tuple(sorted({by_iso3[m.iso3] for m in chosen}, key=lambda c: c.name))
