"""Property-based checks over the whole OpenAPI schema with two delegations (schemathesis).

Every operation is called with generated input as delegation B while delegation A owns pledges
and a partner has made offers to A: no 5xx, every answer matches its documented schema, and B
never reads A's pledges or offers. The same run is made on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from bluehelmet.api import create_app
from tests.api.conftest import PLEDGE, make_coop_core


def _seeded(url: str, home: Path) -> tuple[Any, dict[str, Any]]:
    """An app whose store holds pledges of Ghana (A) and offers to Ghana; Nepal (B) calls."""
    core, keys = make_coop_core(url, home)
    app = create_app(core)
    with TestClient(app) as client:
        ghana_ids = [
            client.post(
                "/api/v1/pledges", json=PLEDGE, headers={"X-API-Key": keys["ghana"]}
            ).json()["id"]
            for _ in range(3)
        ]
        client.post(
            "/api/v1/requirements",
            json={
                "mission": "UNMISS",
                "unit_type": "INF_BN",
                "units": 1,
                "needed_by": "2027-01-01",
            },
            headers={"X-API-Key": keys["planner"]},
        )
        offer_ids = [
            client.post(
                "/api/v1/offers",
                json={"kind": kind, "contributor": "GHA", "capacity": 10, "capacity_unit": "seats"},
                headers={"X-API-Key": keys["au"]},
            ).json()["id"]
            for kind in ("training", "equipment")
        ]
    return core, {"app": app, "keys": keys, "ghana_ids": ghana_ids, "offer_ids": offer_ids}


@pytest.fixture(scope="module")
def two_delegations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The seeded service on SQLite."""
    root = tmp_path_factory.mktemp("schemathesis")
    core, seeded = _seeded(f"sqlite:///{root / 'store.sqlite'}", root / "home")
    yield seeded
    core.close()


@pytest.fixture(scope="module")
def two_delegations_pg(
    pg_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The seeded service on a fresh PostgreSQL schema (dropped afterwards)."""
    import sqlalchemy as sa

    name = f"bh_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    root = tmp_path_factory.mktemp("schemathesis-pg")
    core, seeded = _seeded(f"{pg_server}?options=-csearch_path%3D{name}", root / "home")
    yield seeded
    core.close()
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="module")
def api_schema(two_delegations: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", two_delegations["app"])


@pytest.fixture(scope="module")
def api_schema_pg(two_delegations_pg: dict[str, Any]) -> Any:
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", two_delegations_pg["app"])


schema = schemathesis.pytest.from_fixture("api_schema")
schema_pg = schemathesis.pytest.from_fixture("api_schema_pg")


def _no_cross_state_read(ctx: Any, response: Any, case: Any) -> bool | None:
    """Delegation B (Nepal) never receives a pledge of another state, nor an offer to one."""
    del ctx
    if response.status_code >= 300 or not case.path.startswith(
        ("/api/v1/pledges", "/api/v1/offers")
    ):
        return None
    if "json" not in response.headers.get("content-type", [""])[0]:
        return None
    body = response.json()
    pledges = body.get("items", [body]) if isinstance(body, dict) else []
    for item in pledges:
        if isinstance(item, dict) and "contributor" in item:
            assert item["contributor"] == "NPL", f"cross-state read: {item}"
        if isinstance(item, dict) and isinstance(item.get("pledge"), dict):
            assert item["pledge"]["contributor"] == "NPL", f"cross-state read: {item}"
    return True


CHECKS = [not_a_server_error, response_schema_conformance, _no_cross_state_read]


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_holds_its_schema_for_delegation_b(case: Any, two_delegations: dict[str, Any]) -> None:
    headers = {"X-API-Key": two_delegations["keys"]["nepal"]}
    case.call_and_validate(headers=headers, checks=CHECKS)


@pytest.mark.postgres
@schema_pg.parametrize()
@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_holds_its_schema_for_delegation_b_on_postgresql(
    case: Any, two_delegations_pg: dict[str, Any]
) -> None:
    headers = {"X-API-Key": two_delegations_pg["keys"]["nepal"]}
    case.call_and_validate(headers=headers, checks=CHECKS)


def test_delegation_b_gets_404_for_each_pledge_of_a(two_delegations: dict[str, Any]) -> None:
    with TestClient(two_delegations["app"]) as client:
        headers = {"X-API-Key": two_delegations["keys"]["nepal"]}
        for pledge_id in two_delegations["ghana_ids"]:
            for suffix in ("", "/history", "/visits"):
                answer = client.get(f"/api/v1/pledges/{pledge_id}{suffix}", headers=headers)
                assert answer.status_code == 404
        for offer_id in two_delegations["offer_ids"]:
            assert client.get(f"/api/v1/offers/{offer_id}", headers=headers).status_code == 404


def test_schema_declares_the_key_header(two_delegations: dict[str, Any], tmp_path: Path) -> None:
    del tmp_path
    with TestClient(two_delegations["app"]) as client:
        spec = client.get("/api/v1/openapi.json").json()
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
