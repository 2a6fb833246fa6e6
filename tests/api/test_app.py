"""The application factory: health without a key, problems as application/problem+json."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bluehelmet.api import create_app
from bluehelmet.services.core import Core


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
