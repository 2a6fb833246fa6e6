"""Alembic environment: runs on the connection handed over by ``bluehelmet.store.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from bluehelmet.store.models import metadata
from bluehelmet.store.session import engine as make_engine

config = context.config


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate on the given connection, or on a new engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    eng = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with eng.begin() as conn:
            _configure_and_run(conn)
    finally:
        eng.dispose()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
