"""States: codes, names and aliases, UN membership, regional group and M49 region."""

from __future__ import annotations

from functools import cache

from bluehelmet.domain.registry import Country, UNRegionalGroup
from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.reference._load import name_key, parse_date, read_rows, split_list

FILE = "countries.csv"

#: The World Bank's income group labels, as ``countries.csv`` records them (empty: not classified).
INCOME_GROUPS = ("Low income", "Lower middle income", "Upper middle income", "High income")


@cache
def countries() -> tuple[Country, ...]:
    """Every state in the registry (members, observers, historical seat holders), by ISO-3."""
    out: list[Country] = []
    for line, row in read_rows(FILE):
        group = row["un_regional_group"]
        try:
            regional_group = UNRegionalGroup(group) if group else None
        except ValueError:
            msg = f"unknown UN regional group {group!r}"
            raise InputError(msg, file=FILE, line=line, field="un_regional_group") from None
        income = row["income_group"]
        if income and income not in INCOME_GROUPS:
            msg = f"unknown income group {income!r}"
            raise InputError(msg, file=FILE, line=line, field="income_group")
        out.append(
            Country(
                iso3=row["iso3"],
                m49=int(row["m49"]) if row["m49"] else None,
                name=row["name"],
                aliases=split_list(row["aliases"]),
                un_member_since=parse_date(
                    row["un_member_since"], file=FILE, line=line, field="un_member_since"
                ),
                un_member_until=parse_date(
                    row["un_member_until"], file=FILE, line=line, field="un_member_until"
                ),
                un_regional_group=regional_group,
                region=row["region"] or None,
                subregion=row["subregion"] or None,
                income_group=income or None,
            )
        )
    return tuple(sorted(out, key=lambda c: c.iso3))


@cache
def _by_iso3() -> dict[str, Country]:
    return {c.iso3: c for c in countries()}


@cache
def _index() -> dict[str, str]:
    """Name key -> ISO-3, over codes, names and aliases; a key naming two states is an error."""
    index: dict[str, str] = {}
    for c in countries():
        for label in (c.iso3, c.name, *c.aliases):
            key = name_key(label)
            if not key:
                continue
            other = index.setdefault(key, c.iso3)
            if other != c.iso3:
                msg = f"name {label!r} is given to both {other} and {c.iso3}"
                raise InputError(msg, file=FILE, field="aliases")
    return index


def find_country(name: str) -> Country | None:
    """The state a name, alias or ISO-3 code refers to, or None.

    Tolerates case, accents, stray quotes, punctuation and spacing ("DR Congo",
    "Cote d'Ivoire", "South Sudan'", "Türkiye"). Aggregates ("Total", "all") and
    organizations never resolve.
    """
    iso3 = _index().get(name_key(name))
    return _by_iso3()[iso3] if iso3 else None


def country(name_or_code: str) -> Country:
    """The state a name or ISO-3 code refers to; raises ``UnknownNameError`` with suggestions."""
    found = find_country(name_or_code)
    if found is None:
        known = [c.name for c in countries()] + [c.iso3 for c in countries()]
        raise UnknownNameError("country", name_or_code, known)
    return found


@cache
def _by_m49() -> dict[int, Country]:
    return {c.m49: c for c in countries() if c.m49 is not None}


def country_by_m49(code: int) -> Country:
    """The state with UN M49 numeric code ``code``; raises ``UnknownNameError``."""
    found = _by_m49().get(code)
    if found is None:
        raise UnknownNameError("M49 code", str(code), [str(k) for k in _by_m49()])
    return found
