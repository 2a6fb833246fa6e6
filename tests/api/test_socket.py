"""The service over a real socket: uvicorn on 127.0.0.1 in a thread, an HTTP client outside."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
import uvicorn

from bluehelmet.api import create_app
from tests.api.conftest import PLEDGE, make_coop_core


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Base URL of uvicorn serving a store with one user per role, and their keys."""
    core, keys = make_coop_core(database_url, tmp_path / "home")
    config = uvicorn.Config(
        create_app(core), host="127.0.0.1", port=_free_port(), log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{config.port}", keys
    server.should_exit = True
    thread.join(timeout=20)
    core.close()


def test_pledge_round_trip_over_a_socket(served: tuple[str, dict[str, str]]) -> None:
    base, keys = served
    with httpx2.Client(base_url=base, timeout=30) as client:
        assert client.get("/api/v1/health").status_code == 200
        made = client.post("/api/v1/pledges", json=PLEDGE, headers={"X-API-Key": keys["ghana"]})
        assert made.status_code == 201
        pledge_id = made.json()["id"]
        got = client.get(f"/api/v1/pledges/{pledge_id}", headers={"X-API-Key": keys["ghana"]})
        assert got.json()["contributor"] == "GHA"
        other = client.get(f"/api/v1/pledges/{pledge_id}", headers={"X-API-Key": keys["nepal"]})
        assert other.status_code == 404
        assert other.headers["content-type"].startswith("application/problem+json")
        huge = client.post(
            "/api/v1/pledges",
            content=b"{" + b" " * 200_000 + b"}",
            headers={"X-API-Key": keys["ghana"], "Content-Type": "application/json"},
        )
        assert huge.status_code == 413
        audit = client.get("/api/v1/audit?entity=pledge", headers={"X-API-Key": keys["admin"]})
        assert audit.json()["total"] == 1
