"""Trusted contribution data: each Parquet file's SHA-256, the idempotency key of an import
and its options, retired files awaiting deletion, the data folder recorded in the database,
and column sizes that fit real files (sizes over 2 GB, long paths).

Revision ID: 0004_data_trust
Revises: 0003_cooperation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_data_trust"
down_revision = "0003_cooperation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the manifest columns and the two store tables."""
    with op.batch_alter_table("data_imports") as batch:
        batch.add_column(sa.Column("parquet_sha256", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("input_key", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("options", sa.JSON(), nullable=True))
        batch.alter_column(
            "file_size", existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False
        )
        batch.alter_column(
            "file_name",
            existing_type=sa.String(length=1000),
            type_=sa.Text(),
            existing_nullable=False,
        )
        batch.create_index(batch.f("ix_data_imports_input_key"), ["input_key"])
    op.execute("UPDATE data_imports SET options = '{}' WHERE options IS NULL")
    with op.batch_alter_table("data_imports") as batch:
        batch.alter_column("options", existing_type=sa.JSON(), nullable=False)
    op.create_table(
        "data_retired_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("parquet_file", sa.String(length=300), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_retired_files")),
    )
    op.create_index(op.f("ix_data_retired_files_retired_at"), "data_retired_files", ["retired_at"])
    op.create_table(
        "data_store_settings",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_data_store_settings")),
    )


def downgrade() -> None:
    """Drop what ``upgrade`` added."""
    op.drop_table("data_store_settings")
    op.drop_index(op.f("ix_data_retired_files_retired_at"), table_name="data_retired_files")
    op.drop_table("data_retired_files")
    with op.batch_alter_table("data_imports") as batch:
        batch.drop_index(batch.f("ix_data_imports_input_key"))
        batch.alter_column(
            "file_name",
            existing_type=sa.Text(),
            type_=sa.String(length=1000),
            existing_nullable=False,
        )
        batch.alter_column(
            "file_size", existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False
        )
        batch.drop_column("options")
        batch.drop_column("input_key")
        batch.drop_column("parquet_sha256")
