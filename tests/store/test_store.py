"""The store: engines, sessions, migrations to head on SQLite and PostgreSQL, constraints."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import IntegrityError

from bluehelmet.errors import InputError
from bluehelmet.store import (
    current_revision,
    downgrade,
    engine,
    head_revision,
    session_scope,
    upgrade,
)
from bluehelmet.store.access import (
    AuditLogRow,
    Role,
    UserRow,
    hash_api_key,
    new_api_key,
    record_change,
    verify_api_key,
)
from bluehelmet.store.models import metadata
from bluehelmet.store.planning import (
    READINESS_LEVELS,
    PartnershipKind,
    PartnershipRow,
    PartnershipUnitRow,
    PlanAssignmentRow,
    PlanGapRow,
    PlanRow,
    PledgeRow,
    RequirementRow,
)
from bluehelmet.store.registry import (
    CountryRow,
    MissionRow,
    OrganizationRow,
    PersonnelCategoryRow,
    UnitTypeRow,
)

REGISTRY_TABLES = {
    "country",
    "organization",
    "membership",
    "council_seat",
    "mission",
    "mission_host",
    "mandate",
    "personnel_category",
    "unit_type",
}
PLANNING_TABLES = {
    "requirement",
    "pledge",
    "plan",
    "plan_assignment",
    "plan_gap",
    "partnership",
    "partnership_unit",
    "pledge_revision",
    "pcrs_visit",
}
ACCESS_TABLES = {"app_user", "audit_log", "idempotency_record"}


def _tables(url: str) -> set[str]:
    eng = engine(url)
    try:
        return set(sa.inspect(eng).get_table_names())
    finally:
        eng.dispose()


def test_head_revision_builds_on_0001_initial() -> None:
    from alembic.script import ScriptDirectory

    from bluehelmet.store.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_revision("0001_initial").down_revision is None
    assert len(script.get_heads()) == 1
    assert head_revision() == script.get_current_head()


def test_upgrade_to_head_matches_the_models(database_url: str) -> None:
    assert current_revision(database_url) is None
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    tables = _tables(database_url)
    assert tables >= REGISTRY_TABLES | PLANNING_TABLES | ACCESS_TABLES
    eng = engine(database_url)
    try:
        with eng.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
    finally:
        eng.dispose()
    assert diff == []


def test_upgrade_twice_is_harmless_and_downgrade_empties(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    downgrade(database_url, "base")
    assert current_revision(database_url) is None
    assert _tables(database_url) - {"alembic_version"} == set()


def test_default_url_is_sqlite_under_home(bluehelmet_home: Path) -> None:
    assert not bluehelmet_home.exists()
    upgrade()
    assert (bluehelmet_home / "bluehelmet.sqlite").is_file()
    assert current_revision() == head_revision()


def test_database_url_from_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bluehelmet_home: Path
) -> None:
    target = tmp_path / "elsewhere" / "db.sqlite"
    monkeypatch.setenv("BLUEHELMET_DATABASE_URL", f"sqlite:///{target}")
    upgrade()
    assert target.is_file()
    assert not (bluehelmet_home / "bluehelmet.sqlite").exists()


def test_bad_url_is_an_input_error() -> None:
    with pytest.raises(InputError, match="database_url"):
        engine("not a url")


def _seed(url: str) -> None:
    upgrade(url)
    with session_scope(url) as s:
        s.add_all(
            [
                CountryRow(iso3="AAA", m49=901, name="Alphaland", aliases=[]),
                CountryRow(iso3="BBB", m49=902, name="Betastan", aliases=["Beta"]),
                OrganizationRow(code="UN", name="United Nations", kind="universal", source=""),
                PersonnelCategoryRow(code="troops", name="Troops"),
            ]
        )
        s.flush()
        s.add_all(
            [
                MissionRow(
                    acronym="TESTMIS",
                    name="Test Mission",
                    lead="UN",
                    start=date(2020, 1, 1),
                    kind="peacekeeping",
                    aliases=[],
                ),
                UnitTypeRow(
                    code="INF_BN",
                    name="Infantry battalion",
                    category="troops",
                    typical_size=850,
                    enabler=False,
                    source="",
                ),
            ]
        )


def test_foreign_keys_are_enforced(database_url: str) -> None:
    _seed(database_url)
    with pytest.raises(IntegrityError), session_scope(database_url) as s:
        s.add(
            MissionRow(
                acronym="ORPHAN",
                name="Led by nobody",
                lead="NOPE",
                start=date(2020, 1, 1),
                kind="peacekeeping",
                aliases=[],
            )
        )
    with session_scope(database_url) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(MissionRow)) == 1


def test_session_scope_rolls_back_on_error(database_url: str) -> None:
    _seed(database_url)
    with pytest.raises(RuntimeError), session_scope(database_url) as s:
        s.add(CountryRow(iso3="CCC", m49=903, name="Gammaland", aliases=[]))
        s.flush()
        raise RuntimeError("boom")
    with session_scope(database_url) as s:
        assert s.get(CountryRow, "CCC") is None


def test_planning_rows_round_trip(database_url: str) -> None:
    _seed(database_url)
    with session_scope(database_url) as s:
        req = RequirementRow(
            code="TESTMIS-INF-1",
            mission="TESTMIS",
            unit_type="INF_BN",
            units=2,
            needed_by=date(2026, 6, 1),
            languages=["fr"],
            min_women_share=0.15,
            capabilities=[],
            tasks=["patrol"],
            priority=1,
            notes="",
        )
        pledge = PledgeRow(
            code="AAA-INF-1",
            contributor="AAA",
            unit_type="INF_BN",
            units=1,
            readiness="rapid",
            available_from=date(2026, 3, 1),
            verified=True,
            women_share=0.2,
            languages=["fr", "en"],
            capabilities=["night"],
            excluded_missions=[],
            excluded_hosts=["BBB"],
            excluded_tasks=[],
            cost_per_unit=1.5e7,
            withdrawn=False,
        )
        plan = PlanRow(
            name="plan-1",
            scenario="test",
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            method="MILP",
            solver_status="Optimal",
            optimal=True,
            policy={"budget": 1e8},
            notes=[],
        )
        partnership = PartnershipRow(
            provider="BBB",
            recipient="AAA",
            kind=PartnershipKind.TRAINING.value,
            value=2e6,
            currency="USD",
            description="pre-deployment training",
            source="",
        )
        s.add_all([req, pledge, plan, partnership])
        s.flush()
        s.add_all(
            [
                PlanAssignmentRow(
                    plan_id=plan.id,
                    requirement_id=req.id,
                    pledge_id=pledge.id,
                    units=1,
                    personnel=850,
                    arrival=date(2026, 5, 1),
                    late_days=0,
                    cost_usd=1.5e7,
                ),
                PlanGapRow(
                    plan_id=plan.id,
                    requirement_id=req.id,
                    required=2,
                    filled=1,
                    late_units=0,
                    reasons=[{"cause": "shortage", "detail": "one unit pledged"}],
                ),
                PartnershipUnitRow(partnership_id=partnership.id, pledge_id=pledge.id),
            ]
        )
    with session_scope(database_url) as s:
        got = s.scalars(sa.select(PledgeRow)).one()
        assert got.excluded_hosts == ["BBB"]
        assert got.readiness == "rapid"
        assert s.scalars(sa.select(PlanRow)).one().policy == {"budget": 1e8}
        assert s.scalars(sa.select(PlanGapRow)).one().reasons[0]["cause"] == "shortage"
        assert s.scalar(sa.select(sa.func.count()).select_from(PartnershipUnitRow)) == 1
        # Deleting a plan deletes its assignments and gaps.
        s.delete(s.scalars(sa.select(PlanRow)).one())
    with session_scope(database_url) as s:
        assert s.scalar(sa.select(sa.func.count()).select_from(PlanAssignmentRow)) == 0
        assert s.scalar(sa.select(sa.func.count()).select_from(PlanGapRow)) == 0


def test_readiness_levels_match_the_domain() -> None:
    from bluehelmet.domain.planning import ReadinessLevel

    assert set(READINESS_LEVELS) == {level.value for level in ReadinessLevel}


@pytest.mark.parametrize(
    ("table", "values"),
    [
        ("pledge", {"readiness": "level_9"}),
        ("pledge", {"women_share": 1.5}),
        ("pledge", {"units": 0}),
        ("partnership", {"kind": "cheerleading"}),
        ("partnership", {"recipient": "BBB"}),
    ],
)
def test_check_constraints_reject_bad_rows(
    database_url: str, table: str, values: dict[str, object]
) -> None:
    _seed(database_url)
    row: PledgeRow | PartnershipRow
    if table == "pledge":
        fields: dict[str, object] = {
            "code": "X",
            "contributor": "AAA",
            "unit_type": "INF_BN",
            "units": 1,
            "readiness": "level_1",
            "available_from": date(2026, 1, 1),
            "women_share": 0.0,
            "verified": False,
            "languages": [],
            "capabilities": [],
            "excluded_missions": [],
            "excluded_hosts": [],
            "excluded_tasks": [],
            "withdrawn": False,
        }
        row = PledgeRow(**(fields | values))
    else:
        fields = {
            "provider": "BBB",
            "recipient": "AAA",
            "kind": "funding",
            "currency": "USD",
            "description": "",
            "source": "",
        }
        row = PartnershipRow(**(fields | values))
    with pytest.raises(IntegrityError), session_scope(database_url) as s:
        s.add(row)


def test_delegations_need_a_state_and_changes_are_audited(database_url: str) -> None:
    _seed(database_url)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(IntegrityError), session_scope(database_url) as s:
        s.add(UserRow(name="anon-state", role=Role.DELEGATION.value, created_at=now))
    with pytest.raises(IntegrityError), session_scope(database_url) as s:
        s.add(UserRow(name="who", role="emperor", created_at=now))
    key = new_api_key()
    with session_scope(database_url) as s:
        user = UserRow(
            name="alphaland-mission",
            role=Role.DELEGATION.value,
            iso3="AAA",
            api_key_hash=hash_api_key(key),
            active=True,
            created_at=now,
        )
        s.add(user)
        s.flush()
        record_change(
            s,
            actor=user.name,
            user_id=user.id,
            action="update",
            entity="pledge",
            entity_id=7,
            before={"quantity": 1},
            after={"quantity": 2},
        )
    with session_scope(database_url) as s:
        stored = s.scalars(sa.select(UserRow)).one()
        assert stored.api_key_hash is not None
        assert verify_api_key(key, stored.api_key_hash)
        entry = s.scalars(sa.select(AuditLogRow)).one()
        assert (entry.actor, entry.entity, entry.entity_id) == ("alphaland-mission", "pledge", "7")
        assert entry.before == {"quantity": 1}
        assert entry.after == {"quantity": 2}
        # Removing the user keeps the audit trail.
        s.delete(stored)
    with session_scope(database_url) as s:
        kept = s.scalars(sa.select(AuditLogRow)).one()
        assert kept.user_id is None
        assert kept.actor == "alphaland-mission"


@settings(max_examples=10, deadline=None)
@given(key=st.text(min_size=1, max_size=40), other=st.text(min_size=1, max_size=40))
def test_api_key_hash_verifies_only_its_key(key: str, other: str) -> None:
    hashed = hash_api_key(key, salt=b"0123456789abcdef")
    assert verify_api_key(key, hashed)
    assert verify_api_key(other, hashed) is (other == key)


def test_api_key_hash_is_salted_and_rejects_garbage() -> None:
    assert hash_api_key("k") != hash_api_key("k")
    assert not verify_api_key("k", "not-a-hash")
    assert not verify_api_key("k", "md5$1$00$00")


def test_the_store_imports_alembic_only_to_migrate() -> None:
    code = (
        "import sys, bluehelmet.store, bluehelmet.services.core\n"
        "assert 'alembic' not in sys.modules, 'alembic imported with the store'\n"
        "bluehelmet.store.head_revision()\n"
        "assert 'alembic' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
