"""The partnership-offer use cases called directly (no HTTP): rules over several fields."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bluehelmet.errors import InputError, NotFoundError, PermissionDeniedError
from bluehelmet.services import partnership_offers as offers
from bluehelmet.services.access import Principal, Role, create_user, ensure_store
from bluehelmet.services.core import Core


@pytest.fixture
def core(tmp_path: Path) -> Iterator[Core]:
    with Core(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 's.sqlite'}") as c:
        ensure_store(c)
        yield c


def _principal(core: Core, name: str, role: str, **binding: str) -> Principal:
    record, _ = create_user(core, name, role, **binding)
    return Principal(
        user_id=record["id"],
        name=name,
        role=Role(role),
        iso3=record["country"],
        organization=record["organization"],
    )


def test_vocabulary_is_the_issue_text() -> None:
    assert [k.value for k in offers.OfferKind] == [
        "training",
        "equipment",
        "funding",
        "logistics",
        "intelligence",
    ]
    assert {"offered", "accepted", "delivered"} <= {s.value for s in offers.OfferStatus}
    assert [u.value for u in offers.CapacityUnit] == ["seats", "units", "USD", "flight_hours"]


def test_a_state_partner_does_not_offer_to_itself(core: Core) -> None:
    japan = _principal(core, "japan", "partner", country="JPN")
    with pytest.raises(InputError) as caught:
        offers.create_offer(core, japan, {"kind": "funding", "contributor": "Japan"})
    assert caught.value.field == "contributor"


def test_a_mission_offer_is_decided_by_a_planner_not_a_delegation(core: Core) -> None:
    au = _principal(core, "au", "partner", org="AU")
    ghana = _principal(core, "ghana", "delegation", country="GHA")
    planner = _principal(core, "planner", "planner")
    record, _ = offers.create_offer(core, au, {"kind": "logistics", "mission": "MINUSCA"})
    with pytest.raises(NotFoundError):
        offers.set_status(core, ghana, record["id"], "accepted", if_match="*")
    accepted = offers.set_status(core, planner, record["id"], "accepted", if_match="*")
    assert accepted["status"] == "accepted"
    to_ghana, _ = offers.create_offer(core, au, {"kind": "training", "contributor": "GHA"})
    with pytest.raises(PermissionDeniedError):
        offers.update_offer(core, ghana, to_ghana["id"], {"cost": 1}, if_match="*")


def test_import_keeps_the_status_and_audits_each_offer(core: Core, tmp_path: Path) -> None:
    path = tmp_path / "offers.yaml"
    path.write_text(
        "offers:\n"
        "  - {partner: EU, kind: equipment, contributor: RWA, status: accepted,"
        " capacity: 12, capacity_unit: units, lead_time_days: 120, start: 2026-01-01}\n",
        encoding="utf-8",
    )
    stored = offers.import_offers(core, path, actor="importer")
    assert [(o["partner"], o["status"], o["start"]) for o in stored] == [
        ("EU", "accepted", "2026-01-01")
    ]
    from bluehelmet.services.audit import list_audit

    admin = _principal(core, "admin", "admin")
    entries, total = list_audit(core, admin, entity="partnership_offer")
    assert total == 1 and entries[0]["action"] == "import" and entries[0]["actor"] == "importer"
    text = offers.export_offers(core, "csv")
    assert text.splitlines()[0] == ",".join(offers.EXPORT_COLUMNS)
    with pytest.raises(InputError, match="format"):
        offers.export_offers(core, "xml")
