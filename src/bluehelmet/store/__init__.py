"""The relational store: SQLAlchemy 2 tables, sessions and Alembic migrations.

SQLite under ``BLUEHELMET_HOME`` by default; PostgreSQL (or any SQLAlchemy URL) through
``BLUEHELMET_DATABASE_URL`` or the ``url`` argument.
"""

from __future__ import annotations

from bluehelmet.store.migrate import current_revision, downgrade, head_revision, upgrade
from bluehelmet.store.session import engine, resolve_url, session_scope

__all__ = [
    "current_revision",
    "downgrade",
    "engine",
    "head_revision",
    "resolve_url",
    "session_scope",
    "upgrade",
]
