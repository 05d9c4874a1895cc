"""The improvement plan: actions tied to criteria, carried from cycle to cycle; and the
groups a cycle asks, with a target number of responses for each.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_plan_actions_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'dropped')",
            name=op.f("ck_plan_actions_status"),
        ),
    )
    op.create_index(op.f("ix_plan_actions_cycle_id"), "plan_actions", ["cycle_id"])
    op.create_table(
        "cycle_groups",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=False),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_cycle_groups_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cycle_id", "group_id", name=op.f("pk_cycle_groups")),
        sa.CheckConstraint("target IS NULL OR target >= 1", name=op.f("ck_cycle_groups_target")),
    )


def downgrade() -> None:
    op.drop_table("cycle_groups")
    op.drop_index(op.f("ix_plan_actions_cycle_id"), table_name="plan_actions")
    op.drop_table("plan_actions")
