"""Initial tables: registry (mirror of bluehelmet.reference), planning and access.

Revision ID: 0001_initial
Revises: (none)
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "country",
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("m49", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("un_member_since", sa.Date(), nullable=True),
        sa.Column("un_member_until", sa.Date(), nullable=True),
        sa.Column("un_regional_group", sa.String(length=40), nullable=True),
        sa.Column("region", sa.String(length=40), nullable=True),
        sa.Column("subregion", sa.String(length=60), nullable=True),
        sa.Column("income_group", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("iso3", name=op.f("pk_country")),
        sa.UniqueConstraint("m49", name=op.f("uq_country_m49")),
    )
    op.create_table(
        "organization",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("founded", sa.Date(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_organization")),
    )
    op.create_table(
        "personnel_category",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_personnel_category")),
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("scenario", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("solver_status", sa.String(length=40), nullable=False),
        sa.Column("optimal", sa.Boolean(), nullable=False),
        sa.Column("fill", sa.Float(), nullable=True),
        sa.Column("legitimacy", sa.Float(), nullable=True),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("lp_bound", sa.Float(), nullable=True),
        sa.Column("mip_gap", sa.Float(), nullable=True),
        sa.Column("baseline_fill", sa.Float(), nullable=True),
        sa.Column("baseline_legitimacy", sa.Float(), nullable=True),
        sa.Column("baseline_cost_usd", sa.Float(), nullable=True),
        sa.Column("solve_seconds", sa.Float(), nullable=True),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'proposed', 'approved', 'superseded')",
            name=op.f("ck_plan_plan_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
        sa.UniqueConstraint("name", name=op.f("uq_plan_name")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=True),
        sa.Column("api_key_hash", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'member_state') = (iso3 IS NOT NULL)",
            name=op.f("ck_app_user_member_state_has_iso3"),
        ),
        sa.CheckConstraint(
            "role IN ('public', 'member_state', 'planner', 'admin')",
            name=op.f("ck_app_user_user_role"),
        ),
        sa.ForeignKeyConstraint(["iso3"], ["country.iso3"], name=op.f("fk_app_user_iso3_country")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("name", name=op.f("uq_app_user_name")),
    )
    op.create_table(
        "council_seat",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("permanent", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["iso3"], ["country.iso3"], name=op.f("fk_council_seat_iso3_country")
        ),
        sa.PrimaryKeyConstraint("year", "iso3", name=op.f("pk_council_seat")),
    )
    op.create_table(
        "membership",
        sa.Column("organization", sa.String(length=16), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("joined", sa.Date(), nullable=False),
        sa.Column("left", sa.Date(), nullable=True),
        sa.CheckConstraint(
            '"left" IS NULL OR "left" >= joined', name=op.f("ck_membership_left_after_joined")
        ),
        sa.ForeignKeyConstraint(
            ["iso3"], ["country.iso3"], name=op.f("fk_membership_iso3_country")
        ),
        sa.ForeignKeyConstraint(
            ["organization"],
            ["organization.code"],
            name=op.f("fk_membership_organization_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("organization", "iso3", "joined", name=op.f("pk_membership")),
    )
    op.create_table(
        "mission",
        sa.Column("acronym", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("lead", sa.String(length=16), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("predecessor", sa.String(length=40), nullable=True),
        sa.Column("successor", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            '"end" IS NULL OR "end" >= start', name=op.f("ck_mission_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["lead"], ["organization.code"], name=op.f("fk_mission_lead_organization")
        ),
        sa.PrimaryKeyConstraint("acronym", name=op.f("pk_mission")),
    )
    op.create_index(op.f("ix_mission_lead"), "mission", ["lead"])
    op.create_table(
        "partnership",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=3), nullable=False),
        sa.Column("recipient", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('training', 'equipment', 'funding', 'logistics', 'intelligence')",
            name=op.f("ck_partnership_partnership_kind"),
        ),
        sa.CheckConstraint(
            '"end" IS NULL OR start IS NULL OR "end" >= start', name=op.f("ck_partnership_period")
        ),
        sa.CheckConstraint("provider <> recipient", name=op.f("ck_partnership_distinct_parties")),
        sa.ForeignKeyConstraint(
            ["provider"], ["country.iso3"], name=op.f("fk_partnership_provider_country")
        ),
        sa.ForeignKeyConstraint(
            ["recipient"], ["country.iso3"], name=op.f("fk_partnership_recipient_country")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership")),
    )
    op.create_index(op.f("ix_partnership_provider"), "partnership", ["provider"])
    op.create_index(op.f("ix_partnership_recipient"), "partnership", ["recipient"])
    op.create_table(
        "unit_type",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("typical_size", sa.Integer(), nullable=False),
        sa.Column("enabler", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category"],
            ["personnel_category.code"],
            name=op.f("fk_unit_type_category_personnel_category"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_unit_type")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=120), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_audit_log_user_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_entity"), "audit_log", ["entity"])
    op.create_table(
        "mandate",
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("resolution", sa.String(length=80), nullable=False),
        sa.Column("adopted", sa.Date(), nullable=True),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("troop_ceiling", sa.Integer(), nullable=True),
        sa.Column("police_ceiling", sa.Integer(), nullable=True),
        sa.Column("observer_ceiling", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["mission"],
            ["mission.acronym"],
            name=op.f("fk_mandate_mission_mission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission", "resolution", name=op.f("pk_mandate")),
    )
    op.create_table(
        "mission_host",
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("iso3", sa.String(length=3), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["iso3"], ["country.iso3"], name=op.f("fk_mission_host_iso3_country")
        ),
        sa.ForeignKeyConstraint(
            ["mission"],
            ["mission.acronym"],
            name=op.f("fk_mission_host_mission_mission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("mission", "iso3", name=op.f("pk_mission_host")),
    )
    op.create_index(op.f("ix_mission_host_iso3"), "mission_host", ["iso3"])
    op.create_table(
        "pledge",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("contributor", sa.String(length=3), nullable=False),
        sa.Column("unit_type", sa.String(length=40), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("readiness", sa.String(length=20), nullable=False),
        sa.Column("available_from", sa.Date(), nullable=False),
        sa.Column("women_share", sa.Float(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("excluded_missions", sa.JSON(), nullable=False),
        sa.Column("excluded_hosts", sa.JSON(), nullable=False),
        sa.Column("excluded_tasks", sa.JSON(), nullable=False),
        sa.Column("cost_per_unit", sa.Float(), nullable=True),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "readiness IN ('level_1', 'level_2', 'level_3', 'rapid')",
            name=op.f("ck_pledge_readiness_level"),
        ),
        sa.CheckConstraint(
            "cost_per_unit IS NULL OR cost_per_unit >= 0", name=op.f("ck_pledge_cost_not_negative")
        ),
        sa.CheckConstraint("units > 0", name=op.f("ck_pledge_units_positive")),
        sa.CheckConstraint(
            "women_share >= 0 AND women_share <= 1", name=op.f("ck_pledge_women_share_fraction")
        ),
        sa.ForeignKeyConstraint(
            ["contributor"], ["country.iso3"], name=op.f("fk_pledge_contributor_country")
        ),
        sa.ForeignKeyConstraint(
            ["unit_type"], ["unit_type.code"], name=op.f("fk_pledge_unit_type_unit_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge")),
        sa.UniqueConstraint("code", name=op.f("uq_pledge_code")),
    )
    op.create_index(op.f("ix_pledge_contributor"), "pledge", ["contributor"])
    op.create_table(
        "requirement",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("mission", sa.String(length=40), nullable=False),
        sa.Column("unit_type", sa.String(length=40), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("min_women_share", sa.Float(), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column("tasks", sa.JSON(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "min_women_share >= 0 AND min_women_share <= 1",
            name=op.f("ck_requirement_women_share_fraction"),
        ),
        sa.CheckConstraint("priority >= 1", name=op.f("ck_requirement_priority_positive")),
        sa.CheckConstraint("units > 0", name=op.f("ck_requirement_units_positive")),
        sa.ForeignKeyConstraint(
            ["mission"], ["mission.acronym"], name=op.f("fk_requirement_mission_mission")
        ),
        sa.ForeignKeyConstraint(
            ["unit_type"], ["unit_type.code"], name=op.f("fk_requirement_unit_type_unit_type")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirement")),
        sa.UniqueConstraint("code", name=op.f("uq_requirement_code")),
    )
    op.create_index(op.f("ix_requirement_mission"), "requirement", ["mission"])
    op.create_table(
        "partnership_unit",
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partnership_id"],
            ["partnership.id"],
            name=op.f("fk_partnership_unit_partnership_id_partnership"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["pledge.id"],
            name=op.f("fk_partnership_unit_pledge_id_pledge"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("partnership_id", "pledge_id", name=op.f("pk_partnership_unit")),
    )
    op.create_table(
        "plan_assignment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("personnel", sa.Integer(), nullable=False),
        sa.Column("arrival", sa.Date(), nullable=False),
        sa.Column("late_days", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.CheckConstraint(
            "late_days >= 0", name=op.f("ck_plan_assignment_late_days_not_negative")
        ),
        sa.CheckConstraint("units > 0", name=op.f("ck_plan_assignment_units_positive")),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan.id"],
            name=op.f("fk_plan_assignment_plan_id_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"], ["pledge.id"], name=op.f("fk_plan_assignment_pledge_id_pledge")
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
            name=op.f("fk_plan_assignment_requirement_id_requirement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_assignment")),
        sa.UniqueConstraint(
            "plan_id",
            "requirement_id",
            "pledge_id",
            name=op.f("uq_plan_assignment_plan_id_requirement_id_pledge_id"),
        ),
    )
    op.create_index(op.f("ix_plan_assignment_plan_id"), "plan_assignment", ["plan_id"])
    op.create_table(
        "plan_gap",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("requirement_id", sa.Integer(), nullable=False),
        sa.Column("required", sa.Integer(), nullable=False),
        sa.Column("filled", sa.Integer(), nullable=False),
        sa.Column("late_units", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan.id"], name=op.f("fk_plan_gap_plan_id_plan"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["requirement_id"],
            ["requirement.id"],
            name=op.f("fk_plan_gap_requirement_id_requirement"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_gap")),
        sa.UniqueConstraint(
            "plan_id", "requirement_id", name=op.f("uq_plan_gap_plan_id_requirement_id")
        ),
    )
    op.create_index(op.f("ix_plan_gap_plan_id"), "plan_gap", ["plan_id"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_plan_gap_plan_id"), table_name="plan_gap")
    op.drop_table("plan_gap")
    op.drop_index(op.f("ix_plan_assignment_plan_id"), table_name="plan_assignment")
    op.drop_table("plan_assignment")
    op.drop_table("partnership_unit")
    op.drop_index(op.f("ix_requirement_mission"), table_name="requirement")
    op.drop_table("requirement")
    op.drop_index(op.f("ix_pledge_contributor"), table_name="pledge")
    op.drop_table("pledge")
    op.drop_index(op.f("ix_mission_host_iso3"), table_name="mission_host")
    op.drop_table("mission_host")
    op.drop_table("mandate")
    op.drop_index(op.f("ix_audit_log_entity"), table_name="audit_log")
    op.drop_index(op.f("ix_audit_log_at"), table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_table("unit_type")
    op.drop_index(op.f("ix_partnership_recipient"), table_name="partnership")
    op.drop_index(op.f("ix_partnership_provider"), table_name="partnership")
    op.drop_table("partnership")
    op.drop_index(op.f("ix_mission_lead"), table_name="mission")
    op.drop_table("mission")
    op.drop_table("membership")
    op.drop_table("council_seat")
    op.drop_table("app_user")
    op.drop_table("plan")
    op.drop_table("personnel_category")
    op.drop_table("organization")
    op.drop_table("country")
