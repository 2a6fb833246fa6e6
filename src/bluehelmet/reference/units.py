"""Personnel categories and standard unit types with their typical strength."""

from __future__ import annotations

from functools import cache

from bluehelmet.domain.registry import PersonnelCategory, UnitType
from bluehelmet.errors import InputError, UnknownNameError
from bluehelmet.reference._load import read_rows

FILE = "unit_types.csv"

_DESCRIPTIONS: dict[PersonnelCategory, str] = {
    PersonnelCategory.TROOPS: "members of military contingents (formed units)",
    PersonnelCategory.STAFF_OFFICERS: "military staff officers deployed as individuals",
    PersonnelCategory.EXPERTS_ON_MISSION: "military experts on mission (observers, liaisons)",
    PersonnelCategory.FORMED_POLICE_UNITS: "members of formed police units",
    PersonnelCategory.INDIVIDUAL_POLICE: "individual police officers",
    PersonnelCategory.POLICE: "all police (individual and formed) where a source gives no split",
    PersonnelCategory.OBSERVERS: "military observers as reported before the finer split",
    PersonnelCategory.UNIFORMED: "all uniformed personnel where a source gives only the total",
}


def personnel_categories() -> tuple[PersonnelCategory, ...]:
    """The personnel categories of UN and IPI contribution data, finer ones first."""
    return tuple(PersonnelCategory)


def personnel_category_description(category: PersonnelCategory | str) -> str:
    """One-line description of a personnel category."""
    return _DESCRIPTIONS[PersonnelCategory(category)]


@cache
def unit_types() -> tuple[UnitType, ...]:
    """The standard unit types whose typical strength is sourced."""
    out: list[UnitType] = []
    for line, row in read_rows(FILE):
        try:
            category = PersonnelCategory(row["category"])
        except ValueError:
            msg = f"unknown personnel category {row['category']!r}"
            raise InputError(msg, file=FILE, line=line, field="category") from None
        if not row["typical_size"].isdigit() or int(row["typical_size"]) < 1:
            msg = f"typical_size must be a positive integer, not {row['typical_size']!r}"
            raise InputError(msg, file=FILE, line=line, field="typical_size")
        if row["enabler"] not in {"true", "false"}:
            msg = f"enabler must be true or false, not {row['enabler']!r}"
            raise InputError(msg, file=FILE, line=line, field="enabler")
        out.append(
            UnitType(
                code=row["code"],
                name=row["name"],
                category=category,
                typical_size=int(row["typical_size"]),
                enabler=row["enabler"] == "true",
                source=row["source"],
            )
        )
    return tuple(out)


def unit_type(code: str) -> UnitType:
    """The unit type with this code (case-insensitive); raises ``UnknownNameError``."""
    for unit in unit_types():
        if unit.code.casefold() == code.strip().casefold():
            return unit
    raise UnknownNameError("unit type", code, [u.code for u in unit_types()])
