"""``/offers``: partners' offers, who sees them, who decides them, concurrency and audit."""

from __future__ import annotations

from typing import Any

import pytest

from bluehelmet.services.access import create_user
from tests.api.conftest import PROBLEM, Coop

V1 = "/api/v1"
OFFER = {
    "kind": "training",
    "contributor": "Ghana",
    "unit_type": "CBT_ENG_COY",
    "mission": "unmiss",
    "capacity": 40,
    "capacity_unit": "seats",
    "lead_time_days": 90,
    "cost": 250000,
}


def _offer(coop: Coop, user: str = "au", body: dict[str, Any] | None = None) -> dict[str, Any]:
    got = coop.client.post(f"{V1}/offers", json=body or OFFER, headers=coop.headers(user))
    assert got.status_code == 201, got.text
    result: dict[str, Any] = got.json()
    return result


def _status(coop: Coop, user: str, offer: dict[str, Any], status: str) -> Any:
    tag = f'"offer-{offer["id"]}-v{offer["version"]}"'
    return coop.client.post(
        f"{V1}/offers/{offer['id']}/status",
        json={"status": status},
        headers=coop.headers(user, **{"If-Match": tag}),
    )


def test_a_partner_offers_as_itself_with_names_resolved(coop: Coop) -> None:
    got = coop.client.post(f"{V1}/offers", json=OFFER, headers=coop.headers("au"))
    assert got.status_code == 201, got.text
    offer = got.json()
    assert offer["partner"] == "AU" and offer["partner_type"] == "organization"
    assert (offer["contributor"], offer["unit_type"], offer["mission"]) == (
        "GHA",
        "CBT_ENG_COY",
        "UNMISS",
    )
    assert offer["status"] == "offered" and offer["version"] == 1
    assert got.headers["ETag"] == f'"offer-{offer["id"]}-v1"'
    assert got.headers["Location"].endswith(f"/offers/{offer['id']}")
    again = coop.client.get(f"{V1}/offers/{offer['id']}", headers=coop.headers("au")).json()
    assert again == offer


def test_who_sees_which_offer(coop: Coop) -> None:
    _, japan = create_user(coop.core, "japan", "partner", country="JPN")
    coop.keys["japan"] = japan
    to_ghana = _offer(coop, "au")
    to_nepal = _offer(coop, "japan", {**OFFER, "contributor": "NPL", "kind": "equipment"})
    to_mission = _offer(coop, "au", {"kind": "logistics", "mission": "MINUSCA"})
    seen = {
        user: {
            o["id"]
            for o in coop.client.get(f"{V1}/offers", headers=coop.headers(user)).json()["items"]
        }
        for user in ("au", "japan", "ghana", "nepal", "planner", "admin", "analyst")
    }
    assert seen["au"] == {to_ghana["id"], to_mission["id"]}
    assert seen["japan"] == {to_nepal["id"]}
    assert seen["ghana"] == {to_ghana["id"]}
    assert seen["nepal"] == {to_nepal["id"]}
    assert seen["planner"] == seen["admin"] == {to_ghana["id"], to_nepal["id"], to_mission["id"]}
    assert seen["analyst"] == set()
    for user, offer in (("japan", to_ghana), ("au", to_nepal), ("nepal", to_ghana)):
        for method, path in (("GET", ""), ("DELETE", ""), ("PATCH", "")):
            got = coop.client.request(
                method,
                f"{V1}/offers/{offer['id']}{path}",
                headers=coop.headers(user, **{"If-Match": "*"}),
                json={"cost": 1} if method == "PATCH" else None,
            )
            assert got.status_code == 404, (user, method, got.text)
            assert got.headers["content-type"] == PROBLEM
        assert _status(coop, user, offer, "accepted").status_code == 404


def test_offer_lifecycle_with_if_match_and_audit(coop: Coop) -> None:
    offer = _offer(coop)
    oid = offer["id"]
    no_tag = coop.client.patch(f"{V1}/offers/{oid}", json={"cost": 1}, headers=coop.headers("au"))
    assert no_tag.status_code == 428
    changed = coop.client.patch(
        f"{V1}/offers/{oid}",
        json={"cost": 200000, "lead_time_days": 60},
        headers=coop.headers("au", **{"If-Match": f'"offer-{oid}-v1"'}),
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["cost"] == 200000
    stale = coop.client.patch(
        f"{V1}/offers/{oid}",
        json={"cost": 3},
        headers=coop.headers("au", **{"If-Match": f'"offer-{oid}-v1"'}),
    )
    assert stale.status_code == 412
    offer = changed.json()
    # Nepal's delegation is not the beneficiary; the partner may not accept its own offer.
    assert _status(coop, "au", offer, "accepted").status_code == 403
    assert _status(coop, "ghana", offer, "delivered").status_code == 403
    accepted = _status(coop, "ghana", offer, "accepted")
    assert accepted.status_code == 200, accepted.text
    offer = accepted.json()
    assert offer["status"] == "accepted" and offer["version"] == 3
    assert _status(coop, "ghana", offer, "declined").status_code == 409
    late_edit = coop.client.patch(
        f"{V1}/offers/{oid}",
        json={"cost": 5},
        headers=coop.headers("au", **{"If-Match": f'"offer-{oid}-v3"'}),
    )
    assert late_edit.status_code == 409
    delivered = _status(coop, "au", offer, "delivered")
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    gone = coop.client.delete(f"{V1}/offers/{oid}", headers=coop.headers("au", **{"If-Match": "*"}))
    assert gone.status_code == 409
    audit = coop.client.get(
        f"{V1}/audit",
        params={"entity": "partnership_offer", "entity_id": str(oid)},
        headers=coop.headers("admin"),
    ).json()["items"]
    assert [e["action"] for e in reversed(audit)] == ["create", "update", "accept", "deliver"]
    assert audit[0]["before"]["status"] == "accepted"
    assert audit[0]["after"]["status"] == "delivered"


def test_decline_and_withdraw(coop: Coop) -> None:
    declined = _status(coop, "planner", _offer(coop), "declined")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    audit = coop.client.get(
        f"{V1}/audit",
        params={"entity": "partnership_offer", "entity_id": str(declined.json()["id"])},
        headers=coop.headers("admin"),
    ).json()["items"]
    assert [e["action"] for e in audit] == ["decline", "create"]
    offer = _offer(coop)
    gone = coop.client.delete(
        f"{V1}/offers/{offer['id']}", headers=coop.headers("au", **{"If-Match": "*"})
    )
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    listed = coop.client.get(
        f"{V1}/offers", params={"status": "withdrawn"}, headers=coop.headers("au")
    ).json()
    assert [o["id"] for o in listed["items"]] == [offer["id"]]
    back = _status(coop, "au", gone.json(), "offered")
    assert back.status_code == 422


def test_a_planner_names_the_partner_and_roles_are_checked(coop: Coop) -> None:
    by_planner = _offer(coop, "planner", {**OFFER, "partner": "Japan", "kind": "funding"})
    assert by_planner["partner"] == "JPN" and by_planner["partner_type"] == "state"
    missing = coop.client.post(f"{V1}/offers", json=OFFER, headers=coop.headers("planner"))
    assert missing.status_code == 422 and missing.json()["field"] == "partner"
    for user in ("ghana", "analyst"):
        got = coop.client.post(f"{V1}/offers", json=OFFER, headers=coop.headers(user))
        assert got.status_code == 403
    assert coop.client.post(f"{V1}/offers", json=OFFER).status_code == 401
    other = coop.client.post(
        f"{V1}/offers", json={**OFFER, "partner": "EU"}, headers=coop.headers("au")
    )
    assert other.status_code == 422 and other.json()["field"] == "partner"


def test_idempotent_offer(coop: Coop) -> None:
    headers = coop.headers("au", **{"Idempotency-Key": "offer-1"})
    first = coop.client.post(f"{V1}/offers", json=OFFER, headers=headers)
    second = coop.client.post(f"{V1}/offers", json=OFFER, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    total = coop.client.get(f"{V1}/offers", headers=coop.headers("au")).json()["total"]
    assert total == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**OFFER, "kind": "weapons"}, "kind"),
        ({k: v for k, v in OFFER.items() if k != "kind"}, "kind"),
        ({**OFFER, "contributor": "Atlantis"}, "contributor"),
        ({**OFFER, "unit_type": "DRAGON_COY"}, "unit_type"),
        ({**OFFER, "mission": "NOPE"}, "mission"),
        ({**OFFER, "capacity": 0}, "capacity"),
        ({**OFFER, "capacity": 1e30}, "capacity"),
        ({**OFFER, "capacity_unit": "barrels"}, "capacity_unit"),
        ({**OFFER, "capacity_unit": None}, "capacity_unit"),
        ({**OFFER, "lead_time_days": -1}, "lead_time_days"),
        ({**OFFER, "lead_time_days": "soon"}, "lead_time_days"),
        ({**OFFER, "cost": -5}, "cost"),
        ({**OFFER, "start": "2027-02-01", "end": "2027-01-01"}, "end"),
        ({**OFFER, "start": "not a date"}, "start"),
        ({"kind": "training"}, "contributor"),
        ({**OFFER, "description": "x" * 5000}, "description"),
        ({**OFFER, "colour": "blue"}, "colour"),
        ({**OFFER, "contributor": ""}, "contributor"),
    ],
)
def test_bad_offers_are_422_naming_the_field(coop_sqlite: Coop, body: Any, field: str) -> None:
    got = coop_sqlite.client.post(f"{V1}/offers", json=body, headers=coop_sqlite.headers("au"))
    assert got.status_code == 422, got.text
    problem = got.json()
    named = {problem.get("field")} | {e["field"] for e in problem.get("errors", [])}
    assert field in named, problem


@pytest.mark.parametrize("bad_id", ["0", "-1", "2147483648", "abc", "1.5"])
def test_bad_ids_are_422(coop_sqlite: Coop, bad_id: str) -> None:
    got = coop_sqlite.client.get(f"{V1}/offers/{bad_id}", headers=coop_sqlite.headers("au"))
    assert got.status_code == 422


def test_an_edit_cannot_remove_the_last_beneficiary(coop_sqlite: Coop) -> None:
    offer = _offer(coop_sqlite, "au", {"kind": "logistics", "mission": "MINUSCA"})
    got = coop_sqlite.client.patch(
        f"{V1}/offers/{offer['id']}",
        json={"mission": None},
        headers=coop_sqlite.headers("au", **{"If-Match": "*"}),
    )
    assert got.status_code == 422 and got.json()["field"] == "contributor"
