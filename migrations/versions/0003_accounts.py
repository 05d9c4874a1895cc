"""Users and their roles, the audit log, and rate-limit counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(200), server_default="", nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(role = 'admin' AND organisation_id IS NULL AND network_id IS NULL)"
            " OR (role IN ('head', 'staff') AND organisation_id IS NOT NULL AND network_id IS NULL)"
            " OR (role = 'coordinator' AND network_id IS NOT NULL AND organisation_id IS NULL)",
            name=op.f("ck_user_roles_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_roles_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_user_roles_organisation_id_organisations",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name="fk_user_roles_network_id_networks",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_roles"),
    )
    op.create_index("ix_user_roles_user_id", "user_roles", ["user_id"])
    op.create_index("ix_user_roles_organisation_id", "user_roles", ["organisation_id"])
    op.create_index("ix_user_roles_network_id", "user_roles", ["network_id"])
    op.create_index(
        "uq_user_roles_admin",
        "user_roles",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("role = 'admin'"),
        postgresql_where=sa.text("role = 'admin'"),
    )
    op.create_index(
        "uq_user_roles_organisation",
        "user_roles",
        ["user_id", "role", "organisation_id"],
        unique=True,
        sqlite_where=sa.text("organisation_id IS NOT NULL"),
        postgresql_where=sa.text("organisation_id IS NOT NULL"),
    )
    op.create_index(
        "uq_user_roles_network",
        "user_roles",
        ["user_id", "role", "network_id"],
        unique=True,
        sqlite_where=sa.text("network_id IS NOT NULL"),
        postgresql_where=sa.text("network_id IS NOT NULL"),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("network_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(300), server_default="", nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name="fk_audit_events_actor_id_users", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_audit_events_organisation_id_organisations",
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name="fk_audit_events_network_id_networks",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_actor_id", "audit_events", ["actor_id"])
    op.create_index("ix_audit_events_network_id", "audit_events", ["network_id"])
    op.create_index("ix_audit_events_organisation_id_id", "audit_events", ["organisation_id", "id"])
    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rate_limit_hits"),
    )
    op.create_index("ix_rate_limit_hits_at", "rate_limit_hits", ["at"])
    op.create_index("ix_rate_limit_hits_bucket_at", "rate_limit_hits", ["bucket", "at"])


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
    op.drop_table("audit_events")
    op.drop_table("user_roles")
    op.drop_table("users")
