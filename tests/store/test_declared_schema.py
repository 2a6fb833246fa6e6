"""The declared entity schemas agree with the store tables, the domain types and the docs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

import bluehelmet.store.models  # noqa: F401 - registers every table on Base.metadata
from bluehelmet import reference
from bluehelmet.domain import registry as domain
from bluehelmet.domain.schema import ENTITIES, Attribute, entity
from bluehelmet.errors import UnknownNameError
from bluehelmet.store.base import Base

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_TYPES = {
    "country": domain.Country,
    "organization": domain.Organization,
    "membership": domain.Membership,
    "council_seat": domain.CouncilSeat,
    "mission": domain.Mission,
    "unit_type": domain.UnitType,
}
# Domain fields that are entities of their own (declared and stored in their own tables).
CHILDREN = {"mission": {"mandates"}}


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_store_table_has_exactly_the_stored_attributes(name: str) -> None:
    ent = ENTITIES[name]
    table: sa.Table = Base.metadata.tables[ent.table]
    assert [a.name for a in ent.stored] == [c.name for c in table.columns]
    for a in ent.stored:
        column = table.columns[a.name]
        if not column.primary_key:
            assert column.nullable == a.nullable, f"{ent.table}.{a.name} nullability"
    assert tuple(c.name for c in table.primary_key.columns) == ent.key


@pytest.mark.parametrize("name", sorted(ENTITIES))
def test_domain_type_has_every_declared_attribute(name: str) -> None:
    ent = ENTITIES[name]
    fields = {f.name for f in dataclasses.fields(DOMAIN_TYPES[name])}
    declared = {a.name for a in ent.attributes if not a.derived}
    assert fields - CHILDREN.get(name, set()) == declared
    for a in ent.attributes:
        if a.derived:
            assert hasattr(DOMAIN_TYPES[name], a.name)


def test_frames_and_public_models_follow_the_declaration() -> None:
    countries = reference.countries()
    frame = ENTITIES["country"].frame(countries)
    assert frame.height == len(countries)
    assert frame.schema["m49"].is_integer() and frame.schema["un_member"].is_(
        ENTITIES["country"].polars_schema(["un_member"])["un_member"]
    )
    model = ENTITIES["country"].public_model()
    ghana = model.model_validate(ENTITIES["country"].record(reference.country("GHA")))
    assert ghana.model_dump()["iso3"] == "GHA"
    assert set(model.model_fields) == {a.name for a in ENTITIES["country"].attributes}
    mission = ENTITIES["mission"].public_model()
    assert mission.model_validate(ENTITIES["mission"].record(reference.mission("MONUSCO")))


def test_a_bad_declaration_and_an_unknown_entity_are_errors() -> None:
    with pytest.raises(ValueError, match="unknown type"):
        Attribute("x", "decimal", "no such type")
    with pytest.raises(UnknownNameError, match="did you mean: country"):
        entity("contry")


def test_docs_show_the_declared_tables() -> None:
    text = (ROOT / "docs" / "reference.md").read_text(encoding="utf-8")
    block = re.search(
        r"<!-- declared-schema:start -->\n(.*)<!-- declared-schema:end -->", text, re.S
    )
    assert block, "docs/reference.md lacks the declared-schema block"
    expected = "\n".join(e.markdown() for e in ENTITIES.values())
    assert block.group(1) == expected, (
        "docs/reference.md is stale: regenerate with "
        '`python -c "from bluehelmet.domain.schema import ENTITIES; '
        "print('\\n'.join(e.markdown() for e in ENTITIES.values()))\"`"
    )
