"""Pledges over the API: the contract, object-level authorization, ETags, history, visits."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import PLEDGE, PROBLEM, Coop


def _create(coop: Coop, user: str = "ghana", **fields: Any) -> dict[str, Any]:
    response = coop.client.post("/api/v1/pledges", json=PLEDGE | fields, headers=coop.headers(user))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_delegation_pledges_for_its_state_and_reads_it_back(coop: Coop) -> None:
    response = coop.client.post("/api/v1/pledges", json=PLEDGE, headers=coop.headers("ghana"))
    assert response.status_code == 201
    pledge = response.json()
    assert isinstance(pledge["id"], int)
    assert pledge["contributor"] == "GHA"
    assert (pledge["unit_type"], pledge["units"], pledge["readiness"]) == ("INF_BN", 1, "level_3")
    assert response.headers["ETag"] == f'"pledge-{pledge["id"]}-v1"'
    got = coop.client.get(f"/api/v1/pledges/{pledge['id']}", headers=coop.headers("ghana"))
    assert got.status_code == 200
    assert got.json() == pledge
    listed = coop.client.get("/api/v1/pledges", headers=coop.headers("ghana")).json()
    assert [p["id"] for p in listed["items"]] == [pledge["id"]]
    assert (listed["total"], listed["limit"], listed["offset"]) == (1, 50, 0)


def test_another_state_never_sees_or_touches_a_pledge(coop: Coop) -> None:
    pledge = _create(coop)
    url = f"/api/v1/pledges/{pledge['id']}"
    nepal = coop.headers("nepal")
    for response in (
        coop.client.get(url, headers=nepal),
        coop.client.patch(url, json={"units": 2}, headers=nepal | {"If-Match": "*"}),
        coop.client.delete(url, headers=nepal | {"If-Match": "*"}),
        coop.client.get(f"{url}/history", headers=nepal),
        coop.client.get(f"{url}/visits", headers=nepal),
    ):
        assert response.status_code == 404
        assert response.headers["content-type"].startswith(PROBLEM)
    assert coop.client.get("/api/v1/pledges", headers=nepal).json()["items"] == []
    # The same 404 as for an id that does not exist at all.
    missing = coop.client.get("/api/v1/pledges/999999", headers=nepal)
    assert missing.status_code == 404
    assert coop.client.get(url, headers=coop.headers("analyst")).status_code == 404
    assert coop.client.get(url, headers=coop.headers("au")).status_code == 404


def test_planner_sees_every_state_and_pledges_on_behalf(coop: Coop) -> None:
    _create(coop, "ghana")
    _create(coop, "nepal", units=3)
    planner = coop.headers("planner")
    listed = coop.client.get("/api/v1/pledges", headers=planner).json()
    assert sorted(p["contributor"] for p in listed["items"]) == ["GHA", "NPL"]
    only = coop.client.get("/api/v1/pledges?contributor=NPL", headers=planner).json()
    assert [p["units"] for p in only["items"]] == [3]
    missing = coop.client.post("/api/v1/pledges", json=PLEDGE, headers=planner)
    assert missing.status_code == 422
    assert missing.json()["field"] == "contributor"
    made = coop.client.post(
        "/api/v1/pledges", json=PLEDGE | {"contributor": "BGD"}, headers=planner
    )
    assert made.status_code == 201
    assert made.json()["contributor"] == "BGD"
    other = coop.client.post(
        "/api/v1/pledges", json=PLEDGE | {"contributor": "BGD"}, headers=coop.headers("ghana")
    )
    assert other.status_code == 422
    assert other.json()["field"] == "contributor"


def test_keys_are_required_and_checked(coop: Coop) -> None:
    assert coop.client.get("/api/v1/health").status_code == 200
    for headers in ({}, {"X-API-Key": "not-a-key"}, {"X-API-Key": "x" * 5000}):
        response = coop.client.get("/api/v1/pledges", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith(PROBLEM)
        assert "API key" in response.json()["detail"]
    assert coop.client.post("/api/v1/pledges", json=PLEDGE, headers={}).status_code == 401


def test_roles_that_may_not_pledge_are_refused(coop: Coop) -> None:
    for user in ("analyst", "au"):
        response = coop.client.post("/api/v1/pledges", json=PLEDGE, headers=coop.headers(user))
        assert response.status_code == 403
        assert "may not" in response.json()["detail"]


def test_bad_pledges_name_the_field(coop: Coop) -> None:
    cases = [
        ({"unit_type": "TANK_DIV"}, "unit_type"),
        ({"readiness": "level_9"}, "readiness"),
        ({"units": 0}, "units"),
        ({"units": 10**12}, "units"),
        ({"units": "many"}, "units"),
        ({"women_share": 1.5}, "women_share"),
        ({"available_from": "2026-13-45"}, "available_from"),
        ({"excluded_missions": ["NOPE"]}, "excluded_missions"),
        ({"excluded_hosts": ["Atlantis"]}, "excluded_hosts"),
        ({"colour": "blue"}, "colour"),
        ({"cost_per_unit": -1}, "cost_per_unit"),
    ]
    for change, field in cases:
        response = coop.client.post(
            "/api/v1/pledges", json=PLEDGE | change, headers=coop.headers("ghana")
        )
        assert response.status_code == 422, (change, response.text)
        assert response.headers["content-type"].startswith(PROBLEM)
        assert field in response.json()["detail"], (change, response.json())
    for body in ({}, {"units": 1}):
        response = coop.client.post("/api/v1/pledges", json=body, headers=coop.headers("ghana"))
        assert response.status_code == 422
        assert "unit_type" in response.json()["detail"]
    malformed = coop.client.post(
        "/api/v1/pledges",
        content=b"{not json",
        headers=coop.headers("ghana", **{"Content-Type": "application/json"}),
    )
    assert malformed.status_code == 422
    listed = coop.client.get("/api/v1/pledges", headers=coop.headers("planner")).json()
    assert listed["total"] == 0


def test_huge_bodies_and_ids_out_of_range_are_4xx(coop: Coop) -> None:
    huge = PLEDGE | {"caveats": "x" * 200_000}
    response = coop.client.post("/api/v1/pledges", json=huge, headers=coop.headers("ghana"))
    assert response.status_code == 413
    assert response.headers["content-type"].startswith(PROBLEM)
    for bad in ("0", "-1", str(2**63), "abc", "1.5"):
        response = coop.client.get(f"/api/v1/pledges/{bad}", headers=coop.headers("ghana"))
        assert response.status_code == 422, bad
        assert "pledge_id" in response.json()["detail"]
    for query in ("limit=0", "limit=501", "offset=-1", "limit=x", "offset=99999999999"):
        response = coop.client.get(f"/api/v1/pledges?{query}", headers=coop.headers("ghana"))
        assert response.status_code == 422, query


def test_pagination_walks_every_pledge_once(coop: Coop) -> None:
    made = [_create(coop, units=n)["id"] for n in range(1, 6)]
    seen: list[int] = []
    for offset in range(0, 6, 2):
        page = coop.client.get(
            f"/api/v1/pledges?limit=2&offset={offset}", headers=coop.headers("ghana")
        ).json()
        assert page["total"] == 5
        seen += [p["id"] for p in page["items"]]
    assert seen == made


def test_updates_need_the_current_etag(coop: Coop) -> None:
    pledge = _create(coop)
    url = f"/api/v1/pledges/{pledge['id']}"
    ghana = coop.headers("ghana")
    missing = coop.client.patch(url, json={"units": 2}, headers=ghana)
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    tag = coop.client.get(url, headers=ghana).headers["ETag"]
    first = coop.client.patch(url, json={"units": 2}, headers=ghana | {"If-Match": tag})
    assert first.status_code == 200
    assert first.json()["units"] == 2
    assert first.json()["version"] == 2
    # A second planner working from the same read must not overwrite silently.
    stale = coop.client.patch(
        url, json={"units": 5}, headers=coop.headers("planner", **{"If-Match": tag})
    )
    assert stale.status_code == 412
    assert coop.client.get(url, headers=ghana).json()["units"] == 2
    bad = coop.client.patch(url, json={"units": -1}, headers=ghana | {"If-Match": "*"})
    assert bad.status_code == 422
    empty = coop.client.patch(url, json={}, headers=ghana | {"If-Match": "*"})
    assert empty.status_code == 422
    for field in ("unit_type", "excluded_missions", "languages", "readiness", "units"):
        nulled = coop.client.patch(url, json={field: None}, headers=ghana | {"If-Match": "*"})
        assert nulled.status_code == 422, field
        assert field in nulled.json()["detail"]
    history = coop.client.get(f"{url}/history", headers=ghana).json()
    assert [h["version"] for h in history["items"]] == [1, 2]
    assert [h["pledge"]["units"] for h in history["items"]] == [1, 2]


def test_withdrawn_pledges_stay_on_record_and_stop_changing(coop: Coop) -> None:
    pledge = _create(coop)
    url = f"/api/v1/pledges/{pledge['id']}"
    ghana = coop.headers("ghana")
    assert coop.client.delete(url, headers=ghana).status_code == 428
    gone = coop.client.delete(url, headers=ghana | {"If-Match": '"pledge-1-v1"'})
    if pledge["id"] != 1:
        assert gone.status_code == 412
        gone = coop.client.delete(url, headers=ghana | {"If-Match": f'"pledge-{pledge["id"]}-v1"'})
    assert gone.status_code == 200
    assert gone.json()["withdrawn"] is True
    again = coop.client.patch(url, json={"units": 3}, headers=ghana | {"If-Match": "*"})
    assert again.status_code == 409
    active = coop.client.get("/api/v1/pledges?include_withdrawn=false", headers=ghana).json()
    assert active["items"] == []


def test_visits_move_the_level_and_verification_marks_verified(coop: Coop) -> None:
    pledge = _create(coop, readiness="level_1")
    url = f"/api/v1/pledges/{pledge['id']}/visits"
    visit = {"kind": "assessment", "visited_on": "2026-03-01", "level_after": "level_2"}
    refused = coop.client.post(url, json=visit, headers=coop.headers("ghana", **{"If-Match": "*"}))
    assert refused.status_code == 403
    planner = coop.headers("planner", **{"If-Match": f'"pledge-{pledge["id"]}-v1"'})
    done = coop.client.post(url, json=visit, headers=planner)
    assert done.status_code == 201, done.text
    assert done.json()["visit"]["level_before"] == "level_1"
    assert done.json()["pledge"]["readiness"] == "level_2"
    assert done.json()["pledge"]["verified"] is False
    verify = visit | {"kind": "verification", "level_after": "rapid"}
    done = coop.client.post(url, json=verify, headers=coop.headers("planner", **{"If-Match": "*"}))
    assert done.json()["pledge"]["verified"] is True
    assert done.json()["pledge"]["readiness"] == "rapid"
    bad = coop.client.post(
        url, json=visit | {"kind": "picnic"}, headers=coop.headers("planner", **{"If-Match": "*"})
    )
    assert bad.status_code == 422
    assert "kind" in bad.json()["detail"]
    listed = coop.client.get(url, headers=coop.headers("ghana")).json()
    assert [v["kind"] for v in listed["items"]] == ["assessment", "verification"]


def test_idempotency_key_creates_once(coop: Coop) -> None:
    headers = coop.headers("ghana", **{"Idempotency-Key": "retry-1"})
    first = coop.client.post("/api/v1/pledges", json=PLEDGE, headers=headers)
    second = coop.client.post("/api/v1/pledges", json=PLEDGE, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second.headers["Idempotent-Replayed"] == "true"
    listed = coop.client.get("/api/v1/pledges", headers=coop.headers("ghana")).json()
    assert listed["total"] == 1
    audit = coop.client.get("/api/v1/audit?entity=pledge", headers=coop.headers("admin")).json()
    assert audit["total"] == 1
    reused = coop.client.post("/api/v1/pledges", json=PLEDGE | {"units": 2}, headers=headers)
    assert reused.status_code == 409
    # Keys are per user: another delegation's same key is its own request.
    nepal = coop.client.post(
        "/api/v1/pledges",
        json=PLEDGE,
        headers=coop.headers("nepal", **{"Idempotency-Key": "retry-1"}),
    )
    assert nepal.status_code == 201
    assert nepal.json()["id"] != first.json()["id"]
