"""Access codes for respondents.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(6), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("cap", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('single', 'open')", name=op.f("ck_access_codes_kind")),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name="fk_access_codes_cycle_id_cycles",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name="fk_access_codes_response_id_responses",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_access_codes"),
        sa.UniqueConstraint("code", name="uq_access_codes_code"),
        sa.UniqueConstraint("response_id", name="uq_access_codes_response_id"),
    )
    op.create_index("ix_access_codes_cycle_id", "access_codes", ["cycle_id"])


def downgrade() -> None:
    op.drop_index("ix_access_codes_cycle_id", table_name="access_codes")
    op.drop_table("access_codes")
