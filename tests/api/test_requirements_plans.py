"""Requirements and plans over the API: planners publish and plan; delegations see their part."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import PLEDGE, Coop

REQUIREMENT = {"mission": "UNMISS", "unit_type": "INF_BN", "units": 2, "needed_by": "2027-06-01"}


def _requirement(coop: Coop, **fields: Any) -> dict[str, Any]:
    response = coop.client.post(
        "/api/v1/requirements", json=REQUIREMENT | fields, headers=coop.headers("planner")
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_planners_publish_requirements_everyone_reads_them(coop: Coop) -> None:
    made = _requirement(coop, mission="United Nations Mission in the Republic of South Sudan")
    assert made["mission"] == "UNMISS"
    for user in ("ghana", "analyst", "au"):
        listed = coop.client.get("/api/v1/requirements", headers=coop.headers(user)).json()
        assert [r["id"] for r in listed["items"]] == [made["id"]]
    refused = coop.client.post(
        "/api/v1/requirements", json=REQUIREMENT, headers=coop.headers("ghana")
    )
    assert refused.status_code == 403
    bad = coop.client.post(
        "/api/v1/requirements",
        json=REQUIREMENT | {"mission": "UNNOPE"},
        headers=coop.headers("planner"),
    )
    assert bad.status_code == 422
    assert "mission" in bad.json()["detail"]
    url = f"/api/v1/requirements/{made['id']}"
    assert (
        coop.client.patch(url, json={"units": 3}, headers=coop.headers("planner")).status_code
        == 428
    )
    tag = coop.client.get(url, headers=coop.headers("planner")).headers["ETag"]
    changed = coop.client.patch(
        url, json={"units": 3}, headers=coop.headers("planner", **{"If-Match": tag})
    )
    assert changed.json()["units"] == 3
    stale = coop.client.patch(
        url, json={"units": 4}, headers=coop.headers("planner", **{"If-Match": tag})
    )
    assert stale.status_code == 412
    assert (
        coop.client.get("/api/v1/requirements/424242", headers=coop.headers("ghana")).status_code
        == 404
    )


def test_plans_run_on_the_store_and_delegations_see_their_part(coop: Coop) -> None:
    _requirement(coop)
    _requirement(coop, mission="MINUSCA", unit_type="CBT_ENG_COY", units=1)
    for user in ("ghana", "nepal"):
        response = coop.client.post(
            "/api/v1/pledges",
            json=PLEDGE | {"available_from": "2026-01-01", "cost_per_unit": 5e6},
            headers=coop.headers(user),
        )
        assert response.status_code == 201
    body = {"name": "first", "time_limit": 10, "explain": False, "request_date": "2026-06-01"}
    refused = coop.client.post("/api/v1/plans", json=body, headers=coop.headers("ghana"))
    assert refused.status_code == 403
    made = coop.client.post("/api/v1/plans", json=body, headers=coop.headers("planner"))
    assert made.status_code == 201, made.text
    plan = made.json()
    assert plan["status"] == "draft"
    assert plan["source"] == "store"
    again = coop.client.post("/api/v1/plans", json=body, headers=coop.headers("planner"))
    assert again.status_code == 409
    url = f"/api/v1/plans/{plan['id']}"
    full = coop.client.get(url, headers=coop.headers("planner")).json()
    assert {a["contributor"] for a in full["assignments"]} == {"GHA", "NPL"}
    assert [g["unit_type"] for g in full["gaps"]] == ["CBT_ENG_COY"]
    # A draft is the planners' own.
    assert coop.client.get(url, headers=coop.headers("ghana")).status_code == 404
    assert coop.client.get("/api/v1/plans", headers=coop.headers("ghana")).json()["items"] == []
    published = coop.client.patch(url, json={"status": "proposed"}, headers=coop.headers("planner"))
    assert published.json()["status"] == "proposed"
    seen = coop.client.get(url, headers=coop.headers("ghana")).json()
    assert {a["contributor"] for a in seen["assignments"]} == {"GHA"}
    assert [g["unit_type"] for g in seen["gaps"]] == ["CBT_ENG_COY"]
    analyst = coop.client.get(url, headers=coop.headers("analyst")).json()
    assert analyst["assignments"] == []
    second = coop.client.post(
        "/api/v1/plans", json=body | {"name": "second"}, headers=coop.headers("planner")
    ).json()
    compared = coop.client.get(
        f"/api/v1/plans/compare?first={plan['id']}&second={second['id']}",
        headers=coop.headers("planner"),
    )
    assert compared.status_code == 200
    assert next(o["objective"] for o in compared.json()["objectives"]) == "fill"
    assert compared.json()["assignments"] == []
    assert (
        coop.client.get(
            f"/api/v1/plans/compare?first={plan['id']}&second={second['id']}",
            headers=coop.headers("ghana"),
        ).status_code
        == 403
    )


def test_planning_an_empty_store_names_what_is_missing(coop: Coop) -> None:
    response = coop.client.post(
        "/api/v1/plans", json={"name": "empty"}, headers=coop.headers("planner")
    )
    assert response.status_code == 422
    assert "requirements" in response.json()["detail"]
    for body in ({"name": ""}, {"name": "x", "time_limit": 0}, {"name": "x", "time_limit": 1e9}):
        response = coop.client.post("/api/v1/plans", json=body, headers=coop.headers("planner"))
        assert response.status_code == 422


def test_audit_records_every_change_for_admins_only(coop: Coop) -> None:
    pledge = coop.client.post("/api/v1/pledges", json=PLEDGE, headers=coop.headers("ghana")).json()
    coop.client.patch(
        f"/api/v1/pledges/{pledge['id']}",
        json={"units": 4},
        headers=coop.headers("ghana", **{"If-Match": "*"}),
    )
    audit = coop.client.get("/api/v1/audit?entity=pledge", headers=coop.headers("admin")).json()
    assert [e["action"] for e in audit["items"]] == ["update", "create"]
    update = audit["items"][0]
    assert update["actor"] == "ghana"
    assert (update["before"]["units"], update["after"]["units"]) == (1, 4)
    assert update["at"]
    for user in ("planner", "ghana", "analyst", "au"):
        assert coop.client.get("/api/v1/audit", headers=coop.headers(user)).status_code == 403
    users = coop.client.get("/api/v1/audit?entity=user", headers=coop.headers("admin")).json()
    assert users["total"] == 6


def test_admins_make_users_whose_key_works_once_shown(coop: Coop) -> None:
    body = {"name": "kenya", "role": "delegation", "country": "KEN"}
    refused = coop.client.post("/api/v1/users", json=body, headers=coop.headers("planner"))
    assert refused.status_code == 403
    made = coop.client.post("/api/v1/users", json=body, headers=coop.headers("admin"))
    assert made.status_code == 201
    key = made.json()["api_key"]
    me = coop.client.get("/api/v1/me", headers={"X-API-Key": key}).json()
    assert (me["role"], me["country"]) == ("delegation", "KEN")
    listed = coop.client.get("/api/v1/users", headers=coop.headers("admin")).json()
    assert "api_key" not in listed["items"][0]
    assert listed["total"] == 7
    duplicate = coop.client.post("/api/v1/users", json=body, headers=coop.headers("admin"))
    assert duplicate.status_code == 409
    unbound = coop.client.post(
        "/api/v1/users", json={"name": "x", "role": "delegation"}, headers=coop.headers("admin")
    )
    assert unbound.status_code == 422
    assert "country" in unbound.json()["detail"]
    bad_role = coop.client.post(
        "/api/v1/users", json={"name": "x", "role": "emperor"}, headers=coop.headers("admin")
    )
    assert bad_role.status_code == 422
    assert "role" in bad_role.json()["detail"]


def test_open_data_needs_no_key(coop: Coop) -> None:
    countries = coop.client.get("/api/v1/registry/countries?limit=5")
    assert countries.status_code == 200
    assert len(countries.json()["items"]) == 5
    assert countries.json()["total"] > 150
    assert coop.client.get("/api/v1/registry/countries/GHA").json()["iso3"] == "GHA"
    assert coop.client.get("/api/v1/registry/countries/Atlantis").status_code == 404
    assert coop.client.get("/api/v1/registry/missions/UNMISS").status_code == 200
    assert coop.client.get("/api/v1/registry/organizations").status_code == 200
    assert coop.client.get("/api/v1/registry/council/2020").json()["total"] == 15
    assert coop.client.get("/api/v1/registry/council/1800").status_code == 422
    assert coop.client.get("/api/v1/data/status").json()["items"] == []
