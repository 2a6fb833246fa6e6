"""``init_store``: the registry mirrored into the store, idempotently, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import functools
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bluehelmet.domain.registry import (
    CouncilSeat,
    Country,
    Mandate,
    Membership,
    Mission,
    Organization,
    PersonnelCategory,
    UnitType,
)
from bluehelmet.errors import InputError
from bluehelmet.services.core import Core
from bluehelmet.services.registry import (
    InitReport,
    RegistrySnapshot,
    check_snapshot,
    init_store,
)
from bluehelmet.store import current_revision, engine, head_revision
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

MODELS = (
    CountryRow,
    OrganizationRow,
    PersonnelCategoryRow,
    MembershipRow,
    CouncilSeatRow,
    MissionRow,
    MissionHostRow,
    MandateRow,
    UnitTypeRow,
)

# A small invented registry: it exercises every table without asserting real-world facts.
SNAPSHOT = RegistrySnapshot(
    countries=(
        Country("AAA", 901, "Alphaland", ("Alpha",), un_member_since=date(1950, 1, 1)),
        Country("BBB", 902, "Betastan", region="Africa"),
        Country("CCC", None, "Gammaland"),
    ),
    organizations=(
        Organization("UN", "United Nations", kind="universal"),
        Organization("RO", "Regional Organization", founded=date(1990, 5, 1)),
    ),
    memberships=(
        Membership("RO", "AAA", date(1990, 5, 1)),
        Membership("RO", "BBB", date(1990, 5, 1), left=date(2001, 1, 1)),
    ),
    council_seats=(CouncilSeat(2000, "AAA", True), CouncilSeat(2000, "BBB", False)),
    missions=(
        Mission(
            "UNTEST",
            "United Nations Test Mission",
            "UN",
            date(1999, 1, 1),
            hosts=("BBB", "CCC"),
            mandates=(Mandate("UNTEST", "S/RES/0001", date(1999, 1, 1), ("protect",), 5000),),
        ),
        Mission("ROTEST", "Regional Test Operation", "RO", date(2005, 1, 1), date(2008, 1, 1)),
    ),
    unit_types=(
        UnitType("INF_BN", "Infantry battalion", PersonnelCategory.TROOPS, 850),
        UnitType("FPU", "Formed police unit", PersonnelCategory.FORMED_POLICE_UNITS, 140),
    ),
)


def _init(url: str, **kwargs: Any) -> InitReport:
    """``init_store`` on the database at ``url``, through a core that is closed after."""
    with Core(database_url=url) as core:
        return init_store(core, **kwargs)


def _dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    eng = engine(url)
    try:
        with eng.connect() as conn:
            return {
                m.__table__.name: sorted(
                    tuple(r) for r in conn.execute(sa.select(*m.__table__.columns)).all()
                )
                for m in MODELS
            }
    finally:
        eng.dispose()


def test_init_loads_every_table_and_is_idempotent(database_url: str) -> None:
    first = _init(database_url, snapshot=SNAPSHOT)
    assert first.revision_before is None
    assert first.revision_after == head_revision()
    counts = {t.table: t.inserted for t in first.tables}
    assert counts == {
        "country": 3,
        "organization": 2,
        "personnel_category": len(PersonnelCategory),
        "membership": 2,
        "council_seat": 2,
        "mission": 2,
        "mission_host": 2,
        "mandate": 1,
        "unit_type": 2,
    }
    content = _dump(database_url)
    assert (
        "UNTEST",
        "S/RES/0001",
        date(1999, 1, 1),
        ["protect"],
        5000,
        None,
        None,
    ) in content["mandate"]
    assert [r for r in content["mission_host"] if r[0] == "UNTEST"] == [
        ("UNTEST", "BBB", 0),
        ("UNTEST", "CCC", 1),
    ]

    steps: list[tuple[str, int, int]] = []
    second = _init(database_url, snapshot=SNAPSHOT, progress=lambda *a: steps.append(a))
    assert (second.inserted, second.updated, second.deleted) == (0, 0, 0)
    assert steps[0] == ("migrate", 0, 1)
    assert steps[-1] == ("load unit_type", 2 * len(MODELS), 2 * len(MODELS))
    assert not second.changed
    assert second.revision_before == second.revision_after == head_revision()
    assert _dump(database_url) == content


def test_init_applies_changes_of_the_registry(database_url: str) -> None:
    _init(database_url, snapshot=SNAPSHOT)
    renamed = dataclasses.replace(SNAPSHOT.countries[1], name="Republic of Betastan")
    ended = dataclasses.replace(SNAPSHOT.missions[0], end=date(2010, 6, 30), hosts=("BBB",))
    changed = dataclasses.replace(
        SNAPSHOT,
        countries=(SNAPSHOT.countries[0], renamed, SNAPSHOT.countries[2]),
        missions=(ended,),
        memberships=SNAPSHOT.memberships[:1],
    )
    report = _init(database_url, snapshot=changed)
    by_table = {t.table: t for t in report.tables}
    assert by_table["country"].updated == 1
    assert by_table["mission"].updated == 1
    assert by_table["mission"].deleted == 1
    assert by_table["mission_host"].deleted == 1
    assert by_table["membership"].deleted == 1
    assert report.inserted == 0
    content = _dump(database_url)
    assert [r[2] for r in content["country"] if r[0] == "BBB"] == ["Republic of Betastan"]
    assert [r[0] for r in content["mission"]] == ["UNTEST"]
    # Back to the original: the store follows.
    _init(database_url, snapshot=SNAPSHOT)
    assert _dump(database_url) == _dump_fresh(SNAPSHOT)


@functools.cache
def _dump_fresh(snapshot: RegistrySnapshot) -> dict[str, list[tuple[Any, ...]]]:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'fresh.sqlite'}"
        _init(url, snapshot=snapshot)
        return _dump(url)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"memberships": (Membership("RO", "ZZZ", date(2000, 1, 1)),)},
            "memberships[RO/ZZZ]: unknown country 'ZZZ'",
        ),
        (
            {"missions": (Mission("X", "X", "NOPE", date(2000, 1, 1)),)},
            "missions[X].lead: unknown organization 'NOPE'",
        ),
        (
            {"missions": (Mission("X", "X", "UN", date(2000, 1, 1), hosts=("QQQ",)),)},
            "missions[X].hosts: unknown country 'QQQ'",
        ),
        (
            {"council_seats": (CouncilSeat(2000, "AAA", True),) * 2},
            "duplicate council_seat",
        ),
    ],
)
def test_inconsistent_registry_is_rejected_before_writing(
    database_url: str, change: dict[str, Any], message: str
) -> None:
    bad = dataclasses.replace(SNAPSHOT, **change)
    with pytest.raises(InputError) as info:
        check_snapshot(bad)
    assert message in str(info.value)
    with pytest.raises(InputError):
        _init(database_url, snapshot=bad)
    assert current_revision(database_url) is None


def test_init_with_the_reference_registry(database_url: str) -> None:
    from bluehelmet import reference
    from bluehelmet.services.registry import reference_snapshot

    snapshot = reference_snapshot()
    first = _init(database_url, snapshot=snapshot)
    counts = {t.table: t.rows for t in first.tables}
    assert counts["country"] == len(reference.countries())
    assert counts["mission"] == len(reference.missions())
    assert counts["organization"] == len(reference.organizations())
    assert counts["membership"] == len(reference.memberships())
    assert counts["council_seat"] == len(snapshot.council_seats)
    # 11 seats a year from 1946 to 1965, 15 from 1966 (split terms add rows, never remove them).
    assert counts["council_seat"] >= 11 * 20 + 15 * (2024 - 1965)
    second = _init(database_url, snapshot=snapshot)
    assert (second.inserted, second.updated, second.deleted) == (0, 0, 0)


def _subset(snapshot: RegistrySnapshot, keep: list[bool], rename: bool) -> RegistrySnapshot:
    """Drop missions and memberships where ``keep`` says so; optionally rename a country."""
    missions = tuple(m for m, k in zip(snapshot.missions, keep, strict=False) if k)
    memberships = tuple(m for m, k in zip(snapshot.memberships, reversed(keep), strict=False) if k)
    countries = snapshot.countries
    if rename:
        countries = (dataclasses.replace(countries[0], name="Renamed"), *countries[1:])
    return dataclasses.replace(
        snapshot, missions=missions, memberships=memberships, countries=countries
    )


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    first=st.lists(st.booleans(), min_size=2, max_size=2),
    second=st.lists(st.booleans(), min_size=2, max_size=2),
    rename=st.booleans(),
)
def test_any_registry_change_leaves_the_store_as_a_fresh_load(
    tmp_path_factory: pytest.TempPathFactory, first: list[bool], second: list[bool], rename: bool
) -> None:
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 'store.sqlite'}"
    before = _subset(SNAPSHOT, first, rename=False)
    after = _subset(SNAPSHOT, second, rename=rename)
    _init(url, snapshot=before)
    report = _init(url, snapshot=after)
    assert _dump(url) == _dump_fresh(after)
    assert report.changed == (_dump_fresh(before) != _dump_fresh(after))
