"""Alembic migrations run from code, so they work from an installed wheel (no alembic.ini).

Alembic is imported by the functions that use it, not with the store: most commands never
migrate, and importing it costs about half a second of every command's start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

from bluehelmet.store.session import engine as make_engine
from bluehelmet.store.session import resolve_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration pointing at the migrations shipped inside the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", resolve_url(url).replace("%", "%%"))
    return config


def head_revision() -> str:
    """The newest revision shipped with this version of bluehelmet."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        msg = f"no migrations found in {MIGRATIONS_DIR}"
        raise RuntimeError(msg)
    return head


def _run(url: str | Engine | None, action: str, revision: str) -> None:
    from alembic import command

    eng = url if isinstance(url, Engine) else make_engine(url)
    try:
        with eng.begin() as connection:
            config = alembic_config(eng.url.render_as_string(hide_password=False))
            config.attributes["connection"] = connection
            if action == "upgrade":
                command.upgrade(config, revision)
            else:
                command.downgrade(config, revision)
    finally:
        if not isinstance(url, Engine):
            eng.dispose()


def upgrade(url: str | Engine | None = None, revision: str = "head") -> None:
    """Bring the database at ``url`` (default: the configured one) up to ``revision``."""
    _run(url, "upgrade", revision)


def downgrade(url: str | Engine | None = None, revision: str = "base") -> None:
    """Take the database at ``url`` down to ``revision`` (default: empty)."""
    _run(url, "downgrade", revision)


def _revision_of(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def current_revision(url: str | Engine | None = None) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    eng = url if isinstance(url, Engine) else make_engine(url)
    try:
        with eng.connect() as connection:
            return _revision_of(connection)
    finally:
        if not isinstance(url, Engine):
            eng.dispose()
