"""Fixtures of the API tests: a migrated store with one user per role and a client."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bluehelmet.api import create_app
from bluehelmet.services.access import create_user, ensure_store
from bluehelmet.services.core import Core

USERS = {
    "admin": ("admin", None, None),
    "planner": ("planner", None, None),
    "ghana": ("delegation", "GHA", None),
    "nepal": ("delegation", "NPL", None),
    "au": ("partner", None, "AU"),
    "analyst": ("analyst", None, None),
}


@dataclass
class Coop:
    """A running service in process: its core, a client and one API key per user."""

    core: Core
    client: TestClient
    keys: dict[str, str]

    def headers(self, user: str, **extra: str) -> dict[str, str]:
        """Headers authenticating as ``user``."""
        return {"X-API-Key": self.keys[user], **extra}


def make_coop_core(url: str, home: Path) -> tuple[Core, dict[str, str]]:
    """A migrated store at ``url`` with the users of ``USERS``; returns the core and keys."""
    core = Core(home=home, database_url=url)
    ensure_store(core)
    keys = {}
    for name, (role, country, org) in USERS.items():
        _, keys[name] = create_user(core, name, role, country=country, org=org)
    return core, keys


@pytest.fixture
def coop(database_url: str, tmp_path: Path) -> Iterator[Coop]:
    """The service on SQLite and on PostgreSQL."""
    core, keys = make_coop_core(database_url, tmp_path / "home")
    with core, TestClient(create_app(core)) as client:
        yield Coop(core=core, client=client, keys=keys)


@pytest.fixture
def coop_sqlite(tmp_path: Path) -> Iterator[Coop]:
    """The service on SQLite only (for tests whose logic does not depend on the database)."""
    core, keys = make_coop_core(f"sqlite:///{tmp_path / 'store.sqlite'}", tmp_path / "home")
    with core, TestClient(create_app(core)) as client:
        yield Coop(core=core, client=client, keys=keys)


PLEDGE = {"unit_type": "INF_BN", "units": 1, "readiness": "level_3"}
PROBLEM = "application/problem+json"
