"""Cooperation service: the five roles, partner binding, key prefixes, pledge versions and
history, PCRS visits and idempotency records.

Existing users move to the new roles: ``member_state`` becomes ``delegation`` and ``public``
becomes ``analyst`` (and back on downgrade).

Revision ID: 0003_cooperation
Revises: 0002_contributions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_cooperation"
down_revision = "0002_contributions"
branch_labels = None
depends_on = None

_NEW_ROLES = "role IN ('admin', 'planner', 'delegation', 'partner', 'analyst')"
_OLD_ROLES = "role IN ('public', 'member_state', 'planner', 'admin')"
_LEVELS = "('level_1', 'level_2', 'level_3', 'rapid')"
_ASSIGNMENT_TEXT = (
    ("requirement_code", 80),
    ("pledge_code", 80),
    ("contributor", 3),
    ("mission", 40),
    ("unit_type", 40),
)
_GAP_TEXT = (("requirement_code", 80), ("mission", 40), ("unit_type", 40))


def upgrade() -> None:
    """Move users to the new roles and add the cooperation tables and columns."""
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(op.f("ck_app_user_user_role"), type_="check")
        batch.drop_constraint(op.f("ck_app_user_member_state_has_iso3"), type_="check")
        batch.add_column(sa.Column("organization", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("api_key_prefix", sa.String(length=16), nullable=True))
        batch.create_foreign_key(
            op.f("fk_app_user_organization_organization"),
            "organization",
            ["organization"],
            ["code"],
        )
        batch.create_index("ix_app_user_api_key_prefix", ["api_key_prefix"])
    op.execute("UPDATE app_user SET role = 'delegation' WHERE role = 'member_state'")
    op.execute("UPDATE app_user SET role = 'analyst' WHERE role = 'public'")
    with op.batch_alter_table("app_user") as batch:
        batch.create_check_constraint("user_role", _NEW_ROLES)
        batch.create_check_constraint(
            "delegation_bound_to_state",
            "role <> 'delegation' OR (iso3 IS NOT NULL AND organization IS NULL)",
        )
        batch.create_check_constraint(
            "partner_bound_to_one_party",
            "role <> 'partner' OR (iso3 IS NULL) <> (organization IS NULL)",
        )
        batch.create_check_constraint(
            "only_delegations_and_partners_bound",
            "role IN ('delegation', 'partner') OR (iso3 IS NULL AND organization IS NULL)",
        )
    with op.batch_alter_table("pledge") as batch:
        batch.add_column(sa.Column("caveats", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("requirement") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("plan") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=20), server_default="scenario", nullable=False)
        )
        batch.add_column(
            sa.Column("created_by", sa.String(length=120), server_default="", nullable=False)
        )
    with op.batch_alter_table("plan_assignment") as batch:
        batch.alter_column("requirement_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("pledge_id", existing_type=sa.Integer(), nullable=True)
        for name, length in _ASSIGNMENT_TEXT:
            batch.add_column(
                sa.Column(name, sa.String(length=length), server_default="", nullable=False)
            )
        batch.create_index("ix_plan_assignment_contributor", ["contributor"])
    with op.batch_alter_table("plan_gap") as batch:
        batch.alter_column("requirement_id", existing_type=sa.Integer(), nullable=True)
        for name, length in _GAP_TEXT:
            batch.add_column(
                sa.Column(name, sa.String(length=length), server_default="", nullable=False)
            )
    op.create_table(
        "pledge_revision",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["pledge.id"],
            name=op.f("fk_pledge_revision_pledge_id_pledge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge_revision")),
        sa.UniqueConstraint(
            "pledge_id", "version", name=op.f("uq_pledge_revision_pledge_id_version")
        ),
    )
    op.create_index(op.f("ix_pledge_revision_pledge_id"), "pledge_revision", ["pledge_id"])
    op.create_table(
        "pcrs_visit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("level_before", sa.String(length=20), nullable=False),
        sa.Column("level_after", sa.String(length=20), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('assessment', 'advisory', 'verification')",
            name=op.f("ck_pcrs_visit_visit_kind"),
        ),
        sa.CheckConstraint(f"level_after IN {_LEVELS}", name=op.f("ck_pcrs_visit_visit_level")),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["pledge.id"],
            name=op.f("fk_pcrs_visit_pledge_id_pledge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pcrs_visit")),
    )
    op.create_index(op.f("ix_pcrs_visit_pledge_id"), "pcrs_visit", ["pledge_id"])
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_idempotency_record_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_idempotency_record_user_id_key")),
    )


def downgrade() -> None:
    """Drop the cooperation tables and columns and move users back to the old roles."""
    op.drop_table("idempotency_record")
    op.drop_index(op.f("ix_pcrs_visit_pledge_id"), table_name="pcrs_visit")
    op.drop_table("pcrs_visit")
    op.drop_index(op.f("ix_pledge_revision_pledge_id"), table_name="pledge_revision")
    op.drop_table("pledge_revision")
    with op.batch_alter_table("requirement") as batch:
        batch.drop_column("version")
    op.execute("DELETE FROM plan_gap WHERE requirement_id IS NULL")
    op.execute("DELETE FROM plan_assignment WHERE requirement_id IS NULL OR pledge_id IS NULL")
    with op.batch_alter_table("plan_gap") as batch:
        for name, _ in _GAP_TEXT:
            batch.drop_column(name)
        batch.alter_column("requirement_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("plan_assignment") as batch:
        batch.drop_index("ix_plan_assignment_contributor")
        for name, _ in _ASSIGNMENT_TEXT:
            batch.drop_column(name)
        batch.alter_column("requirement_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("pledge_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("created_by")
        batch.drop_column("source")
    with op.batch_alter_table("pledge") as batch:
        batch.drop_column("updated_at")
        batch.drop_column("version")
        batch.drop_column("caveats")
    op.execute("DELETE FROM app_user WHERE role = 'partner'")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint(
            op.f("ck_app_user_only_delegations_and_partners_bound"), type_="check"
        )
        batch.drop_constraint(op.f("ck_app_user_partner_bound_to_one_party"), type_="check")
        batch.drop_constraint(op.f("ck_app_user_delegation_bound_to_state"), type_="check")
        batch.drop_constraint(op.f("ck_app_user_user_role"), type_="check")
    op.execute("UPDATE app_user SET role = 'member_state' WHERE role = 'delegation'")
    op.execute("UPDATE app_user SET role = 'public' WHERE role = 'analyst'")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_index("ix_app_user_api_key_prefix")
        batch.drop_constraint(op.f("fk_app_user_organization_organization"), type_="foreignkey")
        batch.drop_column("api_key_prefix")
        batch.drop_column("organization")
        batch.create_check_constraint("user_role", _OLD_ROLES)
        batch.create_check_constraint(
            "member_state_has_iso3", "(role = 'member_state') = (iso3 IS NOT NULL)"
        )
