"""One declared schema per registry entity, read by the store, the frames, the API and the docs.

As PyPSA declares each component's attributes once in a table (name, type, unit, default,
description), each registry entity is declared here once: its attributes, which of them are
stored, which the listings show, and where the values come from. The store rows
(``Entity.rows``), the Polars frames (``Entity.frame``), the CLI and REST records
(``Entity.record``), the pydantic public models (``Entity.public_model``) and the tables in
docs/reference.md (``Entity.markdown``) are all derived from these declarations; tests check
that the SQL tables and the domain dataclasses agree with them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache
from typing import Any

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, create_model

__all__ = ["ENTITIES", "Attribute", "Entity", "entity"]

_POLARS: dict[str, Any] = {
    "str": pl.Utf8,
    "int": pl.Int64,
    "bool": pl.Boolean,
    "date": pl.Date,
    "list[str]": pl.List(pl.Utf8),
}
_PYTHON: dict[str, Any] = {
    "str": str,
    "int": int,
    "bool": bool,
    "date": dt.date,
    "list[str]": list[str],
}


@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute of an entity.

    ``type`` is one of ``str``, ``int``, ``bool``, ``date``, ``list[str]``; ``nullable`` says
    whether a value may be absent; ``stored`` whether the store's table has the column;
    ``derived`` marks values computed from others (never stored); ``source`` says where the
    values come from.
    """

    name: str
    type: str
    description: str
    nullable: bool = False
    unit: str = ""
    source: str = ""
    stored: bool = True
    derived: bool = False

    def __post_init__(self) -> None:
        if self.type not in _POLARS:
            msg = f"attribute {self.name!r}: unknown type {self.type!r}; one of {sorted(_POLARS)}"
            raise ValueError(msg)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity: its table name, key, declared attributes and the attributes listings show."""

    name: str
    table: str
    description: str
    key: tuple[str, ...]
    attributes: tuple[Attribute, ...]
    summary: tuple[str, ...]

    def attribute(self, name: str) -> Attribute:
        """The declared attribute ``name``."""
        for a in self.attributes:
            if a.name == name:
                return a
        msg = f"{self.name} has no attribute {name!r}"
        raise KeyError(msg)

    @property
    def stored(self) -> tuple[Attribute, ...]:
        """Attributes that are columns of the store's table."""
        return tuple(a for a in self.attributes if a.stored and not a.derived)

    def record(self, obj: Any, attributes: Sequence[str] | None = None) -> dict[str, Any]:
        """``obj`` as a flat dict with the declared names (enums as values, tuples as lists)."""
        names = attributes if attributes is not None else [a.name for a in self.attributes]
        return {n: _plain(getattr(obj, n)) for n in names}

    def summary_record(self, obj: Any) -> dict[str, Any]:
        """``obj`` with the attributes a listing shows."""
        return self.record(obj, self.summary)

    def rows(self, objs: Iterable[Any]) -> list[dict[str, Any]]:
        """Store rows of ``objs``: the stored attributes only."""
        names = [a.name for a in self.stored]
        return [self.record(o, names) for o in objs]

    def polars_schema(self, attributes: Sequence[str] | None = None) -> dict[str, Any]:
        """Column name -> Polars type for ``attributes`` (default: all)."""
        names = attributes if attributes is not None else [a.name for a in self.attributes]
        return {n: _POLARS[self.attribute(n).type] for n in names}

    def frame(self, objs: Iterable[Any], attributes: Sequence[str] | None = None) -> pl.DataFrame:
        """``objs`` as a typed Polars frame (one row each)."""
        names = list(attributes) if attributes is not None else [a.name for a in self.attributes]
        rows = [self.record(o, names) for o in objs]
        return pl.DataFrame(rows, schema=self.polars_schema(names), orient="row")

    def public_model(self) -> type[BaseModel]:
        """The pydantic model of the entity as the REST API serves it."""
        return _public_model(self)

    def markdown(self) -> str:
        """The entity's attribute table for the docs."""
        lines = [
            f"#### {self.name} (`{self.table}`)",
            "",
            self.description,
            "",
            "| attribute | type | stored | description | source |",
            "|---|---|---|---|---|",
        ]
        for a in self.attributes:
            kind = a.type + (" or null" if a.nullable else "")
            stored = "derived" if a.derived else ("yes" if a.stored else "no")
            lines.append(f"| `{a.name}` | {kind} | {stored} | {a.description} | {a.source} |")
        return "\n".join(lines) + "\n"


@cache
def _public_model(ent: Entity) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for a in ent.attributes:
        python = _PYTHON[a.type]
        annotation = python | None if a.nullable else python
        default = None if a.nullable else ...
        fields[a.name] = (annotation, Field(default, description=a.description))
    name = "".join(part.capitalize() for part in ent.name.split("_")) + "Public"
    model: type[BaseModel] = create_model(
        name, __config__=ConfigDict(frozen=True), __doc__=ent.description, **fields
    )
    return model


_M49 = "UN Statistics Division, Standard country or area codes (M49)"
_REF = "bluehelmet.reference (cited in its CSV)"

COUNTRY = Entity(
    name="country",
    table="country",
    description="A state, with its codes and the names it goes by in UN and IPI files.",
    key=("iso3",),
    attributes=(
        Attribute("iso3", "str", "ISO 3166-1 alpha-3 code.", source="ISO 3166-1"),
        Attribute("m49", "int", "UN M49 numeric code.", nullable=True, source=_M49),
        Attribute("name", "str", "Short name as the UN uses it.", source=_M49),
        Attribute("aliases", "list[str]", "Other names found in UN and IPI files.", source=_REF),
        Attribute("un_member", "bool", "Whether the state is a UN member today.", derived=True),
        Attribute(
            "un_member_since",
            "date",
            "Date of admission to the UN.",
            nullable=True,
            source="UN, Member States",
        ),
        Attribute(
            "un_member_until",
            "date",
            "Last day of a historical seat (USSR, Yugoslavia, ...).",
            nullable=True,
            source="UN, Member States",
        ),
        Attribute(
            "un_regional_group",
            "str",
            "UN regional group (African, Asia-Pacific, ...).",
            nullable=True,
            source="UN Department for General Assembly and Conference Management",
        ),
        Attribute("region", "str", "M49 geographic region.", nullable=True, source=_M49),
        Attribute("subregion", "str", "M49 sub-region.", nullable=True, source=_M49),
        Attribute(
            "income_group",
            "str",
            "World Bank income group (one classification year for all years).",
            nullable=True,
            source="World Bank country classifications by income level, FY2025",
        ),
    ),
    summary=(
        "iso3",
        "m49",
        "name",
        "un_member",
        "un_member_since",
        "un_regional_group",
        "region",
        "subregion",
    ),
)

ORGANIZATION = Entity(
    name="organization",
    table="organization",
    description="An international or regional organization that mandates or staffs missions.",
    key=("code",),
    attributes=(
        Attribute("code", "str", "Acronym, e.g. AU."),
        Attribute("name", "str", "Full name."),
        Attribute("founded", "date", "Founding date.", nullable=True, source=_REF),
        Attribute("kind", "str", "universal, regional, subregional or alliance."),
        Attribute("source", "str", "Citation of the membership list."),
    ),
    summary=("code", "name", "kind", "founded"),
)

MEMBERSHIP = Entity(
    name="membership",
    table="membership",
    description="A state's membership of an organization over a period.",
    key=("organization", "iso3", "joined"),
    attributes=(
        Attribute("organization", "str", "Organization code."),
        Attribute("iso3", "str", "Member state."),
        Attribute("joined", "date", "First day of membership.", source=_REF),
        Attribute("left", "date", "Last day of membership; null while a member.", nullable=True),
    ),
    summary=("organization", "iso3", "joined", "left"),
)

COUNCIL_SEAT = Entity(
    name="council_seat",
    table="council_seat",
    description="A Security Council seat held by a state in a year.",
    key=("year", "iso3"),
    attributes=(
        Attribute("year", "int", "Calendar year."),
        Attribute("iso3", "str", "Seat holder."),
        Attribute(
            "permanent",
            "bool",
            "Permanent member (P5).",
            source="UN Security Council, Current and former members",
        ),
    ),
    summary=("year", "iso3", "permanent"),
)

MISSION = Entity(
    name="mission",
    table="mission",
    description="A peace operation: UN peacekeeping, political or a non-UN operation.",
    key=("acronym",),
    attributes=(
        Attribute("acronym", "str", "Registry acronym, e.g. MONUSCO."),
        Attribute("name", "str", "Full name."),
        Attribute("kind", "str", "peacekeeping, political, support or military (non-UN)."),
        Attribute("aliases", "list[str]", "Other acronyms and names in files."),
        Attribute("lead", "str", "Code of the mandating organization (UN, AU, EU, ...)."),
        Attribute(
            "start",
            "date",
            "Start of the operation.",
            source="UN Peace and Security Data Hub, DPPADPOSS-PKO",
        ),
        Attribute("end", "date", "End; null while active.", nullable=True),
        Attribute(
            "hosts",
            "list[str]",
            "ISO-3 codes of the host states (table mission_host).",
            stored=False,
        ),
        Attribute("predecessor", "str", "Acronym of the predecessor.", nullable=True),
        Attribute("successor", "str", "Acronym of the successor.", nullable=True),
    ),
    summary=("acronym", "name", "lead", "start", "end", "hosts"),
)

UNIT_TYPE = Entity(
    name="unit_type",
    table="unit_type",
    description="A kind of unit a mission requires and a contributor pledges.",
    key=("code",),
    attributes=(
        Attribute("code", "str", "Code, e.g. INF_BN."),
        Attribute("name", "str", "Name."),
        Attribute("category", "str", "Personnel category of the unit."),
        Attribute("typical_size", "int", "Typical strength.", unit="persons", source=_REF),
        Attribute("enabler", "bool", "An enabling unit (aviation, engineering, medical, ...)."),
        Attribute("source", "str", "Citation of the typical size."),
    ),
    summary=("code", "name", "category", "typical_size", "enabler"),
)

ENTITIES: dict[str, Entity] = {
    e.name: e for e in (COUNTRY, ORGANIZATION, MEMBERSHIP, COUNCIL_SEAT, MISSION, UNIT_TYPE)
}


def entity(name: str) -> Entity:
    """The declared entity ``name`` (``country``, ``mission``, ...)."""
    try:
        return ENTITIES[name]
    except KeyError:
        from bluehelmet.errors import UnknownNameError

        raise UnknownNameError("entity", name, ENTITIES) from None
