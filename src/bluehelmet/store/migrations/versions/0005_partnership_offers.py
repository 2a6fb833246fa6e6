"""Partnership offers: a partner (state or organization) offers support to a contributor, a
unit type or a mission, with capacity, lead time, cost, status and a version.

The provider and recipient of the existing ``partnership`` rows become optional (an
organization offers, a mission benefits); existing rows stay ``offered`` at version 1.

Revision ID: 0005_partnership_offers
Revises: 0004_data_trust
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_partnership_offers"
down_revision = "0004_data_trust"
branch_labels = None
depends_on = None

_STATUSES = "status IN ('offered', 'accepted', 'declined', 'delivered', 'withdrawn')"
_UNITS = "capacity_unit IS NULL OR capacity_unit IN ('seats', 'units', 'USD', 'flight_hours')"
_CHECKS = (
    ("has_partner", "provider IS NOT NULL OR partner_org IS NOT NULL"),
    ("has_beneficiary", "recipient IS NOT NULL OR unit_type IS NOT NULL OR mission IS NOT NULL"),
    ("offer_status", _STATUSES),
    ("capacity_unit", _UNITS),
    ("capacity_positive", "capacity IS NULL OR capacity > 0"),
    ("lead_time", "lead_time_days IS NULL OR lead_time_days >= 0"),
    ("cost_not_negative", "cost IS NULL OR cost >= 0"),
)


def upgrade() -> None:
    """Add the offer columns and make provider and recipient optional."""
    with op.batch_alter_table("partnership") as batch:
        batch.drop_constraint(op.f("ck_partnership_distinct_parties"), type_="check")
        batch.alter_column("provider", existing_type=sa.String(length=3), nullable=True)
        batch.alter_column("recipient", existing_type=sa.String(length=3), nullable=True)
        batch.add_column(sa.Column("partner_org", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("unit_type", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("mission", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("capacity", sa.Float(), nullable=True))
        batch.add_column(sa.Column("capacity_unit", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("lead_time_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("cost", sa.Float(), nullable=True))
        batch.add_column(
            sa.Column("status", sa.String(length=20), server_default="offered", nullable=False)
        )
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(
            sa.Column("created_by", sa.String(length=120), server_default="", nullable=False)
        )
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_partnership_partner_org_organization"),
            "organization",
            ["partner_org"],
            ["code"],
        )
        batch.create_foreign_key(
            op.f("fk_partnership_unit_type_unit_type"), "unit_type", ["unit_type"], ["code"]
        )
        batch.create_foreign_key(
            op.f("fk_partnership_mission_mission"), "mission", ["mission"], ["acronym"]
        )
        batch.create_index(op.f("ix_partnership_partner_org"), ["partner_org"])
        batch.create_check_constraint(
            "distinct_parties", "provider IS NULL OR recipient IS NULL OR provider <> recipient"
        )
        for name, condition in _CHECKS:
            batch.create_check_constraint(name, condition)


def downgrade() -> None:
    """Drop the offer columns (offers without a provider and a recipient are deleted)."""
    op.execute("DELETE FROM partnership WHERE provider IS NULL OR recipient IS NULL")
    with op.batch_alter_table("partnership") as batch:
        for name, _ in _CHECKS:
            batch.drop_constraint(op.f(f"ck_partnership_{name}"), type_="check")
        batch.drop_constraint(op.f("ck_partnership_distinct_parties"), type_="check")
        batch.drop_index(op.f("ix_partnership_partner_org"))
        batch.drop_constraint(op.f("fk_partnership_mission_mission"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_partnership_unit_type_unit_type"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_partnership_partner_org_organization"), type_="foreignkey")
        for column in (
            "updated_at",
            "created_by",
            "version",
            "status",
            "cost",
            "lead_time_days",
            "capacity_unit",
            "capacity",
            "mission",
            "unit_type",
            "partner_org",
        ):
            batch.drop_column(column)
        batch.alter_column("recipient", existing_type=sa.String(length=3), nullable=False)
        batch.alter_column("provider", existing_type=sa.String(length=3), nullable=False)
        batch.create_check_constraint("distinct_parties", "provider <> recipient")
