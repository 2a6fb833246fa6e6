"""Shared fixtures: the real data folder, database URLs (SQLite and PostgreSQL), a clean home."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("BLUEHELMET_SHARED_DATA", ROOT.parent / "shared" / "data"))
PG_SERVER = os.environ.get(
    "BLUEHELMET_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
# A COLUMNS set when bluehelmet.cli is imported fixes the rich consoles' width for good; unset,
# they read it on each render, so a test's own env={"COLUMNS": ...} applies and the rest see 80.
os.environ.pop("COLUMNS", None)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real published files in ../shared/data; skips when the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it is not shipped with bluehelmet)")
    return SHARED_DATA


def real_file(relative: str) -> Path:
    """Path of one real file under ../shared/data, skipping the test when it is absent."""
    path = SHARED_DATA / relative
    if not path.is_file():
        pytest.skip(f"real data file {path} is absent (it is not shipped with bluehelmet)")
    return path


@pytest.fixture(autouse=True)
def bluehelmet_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own empty data folder and (by default) SQLite database."""
    from bluehelmet.services.core import close_default_cores

    home = tmp_path / "bh-home"
    monkeypatch.setenv("BLUEHELMET_HOME", str(home))
    monkeypatch.delenv("BLUEHELMET_DATABASE_URL", raising=False)
    yield home
    close_default_cores()


def _pg_available() -> bool:
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(PG_SERVER)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def pg_server() -> str:
    """URL of the PostgreSQL test server; fails (not skips) in CI when it is down."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_SERVER} (CI must start it)")
        pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER}")
    return PG_SERVER


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema, dropped after the test."""
    import sqlalchemy as sa

    schema = f"bh_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(pg_server)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    yield f"{pg_server}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs twice: on a SQLite file and on a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("pg_url"))
