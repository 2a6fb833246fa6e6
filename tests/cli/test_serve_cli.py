"""``bluehelmet serve``: worker processes on PostgreSQL, one worker on SQLite."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from bluehelmet.api import serve_workers
from bluehelmet.api.app import MAX_DEFAULT_WORKERS
from bluehelmet.cli import app
from bluehelmet.services.access import create_user, ensure_store
from bluehelmet.services.core import Core

runner = CliRunner()


def test_serve_refuses_several_workers_on_sqlite() -> None:
    result = runner.invoke(app, ["serve", "--workers", "2"])
    assert result.exit_code != 0
    message = " ".join(result.stderr.split())
    assert "workers" in message
    assert "one worker" in message


@pytest.mark.postgres
def test_postgresql_defaults_to_one_worker_per_cpu(pg_url: str, tmp_path: Path) -> None:
    with Core(home=tmp_path, database_url=pg_url) as core:
        assert serve_workers(core) == max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))
        assert serve_workers(core, 3) == 3


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").exists(), reason="counts worker processes in /proc")
def test_two_workers_serve_one_store(pg_url: str, tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Core(home=home, database_url=pg_url) as core:
        ensure_store(core)
        _, key = create_user(core, "ghana", "delegation", country="GHA")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = os.environ | {"BLUEHELMET_HOME": str(home), "BLUEHELMET_DATABASE_URL": pg_url}
    command = [str(Path(sys.executable).with_name("bluehelmet")), "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--workers", "2", "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 120
        while len(_children(server.pid)) < 2 or not _answers(f"{base}/health"):
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        ids = set()
        with httpx2.Client(base_url=base, timeout=60) as client:
            for _ in range(6):  # new connections: the kernel spreads them over the workers
                response = client.post(
                    "/pledges",
                    json={"unit_type": "INF_BN", "units": 1, "readiness": "level_3"},
                    headers={"X-API-Key": key, "Connection": "close"},
                )
                assert response.status_code == 201, response.text
                ids.add(response.json()["id"])
            listed = client.get("/pledges", headers={"X-API-Key": key}).json()
        assert len(ids) == 6
        assert {p["id"] for p in listed["items"]} == ids
    finally:
        server.terminate()
        server.wait(timeout=60)


def _answers(url: str) -> bool:
    try:
        return httpx2.get(url, timeout=2).status_code == 200
    except httpx2.TransportError:
        return False
