"""Contribution data: the import manifest (one row per imported source file).

Revision ID: 0002_contributions
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_contributions"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``data_imports``."""
    op.create_table(
        "data_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=1000), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("month_start", sa.Date(), nullable=True),
        sa.Column("month_end", sa.Date(), nullable=True),
        sa.Column("months", sa.JSON(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_stored", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("parquet_file", sa.String(length=300), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["data_imports.id"],
            name=op.f("fk_data_imports_replaced_by_id_data_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_imports")),
    )
    op.create_index(op.f("ix_data_imports_dataset"), "data_imports", ["dataset"])
    op.create_index(op.f("ix_data_imports_sha256"), "data_imports", ["sha256"])
    op.create_index(op.f("ix_data_imports_status"), "data_imports", ["status"])


def downgrade() -> None:
    """Drop ``data_imports``."""
    op.drop_index(op.f("ix_data_imports_status"), table_name="data_imports")
    op.drop_index(op.f("ix_data_imports_sha256"), table_name="data_imports")
    op.drop_index(op.f("ix_data_imports_dataset"), table_name="data_imports")
    op.drop_table("data_imports")
