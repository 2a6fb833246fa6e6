"""The application factory: health without a key, problems as application/problem+json."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bluehelmet.api import create_app
from bluehelmet.services.core import Core
from tests.api.conftest import Coop


def test_health_answers_without_a_key(tmp_path: Path) -> None:
    with Core(home=tmp_path) as core, TestClient(create_app(core)) as client:
        response = client.get("/api/v1/health")
        assert response.status_code == 200
        assert response.json()["status"] == "ok"


def test_unknown_path_is_a_problem(tmp_path: Path) -> None:
    with Core(home=tmp_path) as core, TestClient(create_app(core)) as client:
        response = client.get("/api/v1/nowhere")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 404


def test_openapi_is_published(tmp_path: Path) -> None:
    with Core(home=tmp_path) as core, TestClient(create_app(core)) as client:
        schema = client.get("/api/v1/openapi.json").json()
        assert "/api/v1/health" in schema["paths"]


def test_a_deactivated_key_is_refused_once_the_cache_expires(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from bluehelmet.services.access import create_user, ensure_store
    from bluehelmet.store.access import UserRow

    core = Core(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'store.sqlite'}")
    ensure_store(core)
    _, key = create_user(core, "ghana", "delegation", country="GHA")
    app = create_app(core, auth_cache_seconds=3600)
    with core, TestClient(app) as client:
        headers = {"X-API-Key": key}
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        with core.session() as session:
            session.execute(sa.update(UserRow).values(active=False))
        # Trusted for the cache's lifetime, in this process ...
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        app.state.principals.clear()  # ... and refused as soon as the entry is gone.
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


def test_workers_default_to_one_on_sqlite_and_refuse_more(tmp_path: Path) -> None:
    import pytest

    from bluehelmet.api import serve_workers
    from bluehelmet.errors import InputError

    with Core(home=tmp_path) as core:
        assert serve_workers(core) == 1
        assert serve_workers(core, 1) == 1
        with pytest.raises(InputError, match="one worker") as info:
            serve_workers(core, 2)
        assert info.value.field == "workers"


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("/api/v1/analytics/rankings?month=2013-06&contributor=France", "contributor"),
        ("/api/v1/registry/countries?limit=2&cuntry=GHA", "cuntry"),
        ("/api/v1/registry/countries/GHA?format=csv", "format"),
    ],
)
def test_a_query_parameter_the_route_does_not_take_is_a_422_naming_it(
    coop_sqlite: Coop, path: str, unknown: str
) -> None:
    response = coop_sqlite.client.get(path)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["errors"][0]["field"] == f"query.{unknown}"
    assert "unknown query parameter" in body["detail"]


def test_declared_query_parameters_of_dependencies_are_accepted(coop_sqlite: Coop) -> None:
    # limit/offset come from the paging dependency, not the route function itself
    response = coop_sqlite.client.get(
        "/api/v1/pledges?limit=2&offset=0", headers={"X-API-Key": coop_sqlite.keys["planner"]}
    )
    assert response.status_code == 200, response.text
