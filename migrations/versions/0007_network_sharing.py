"""Networks: cycles shared with a network, and organisation-level scores kept for dashboards.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("named", sa.Boolean(), nullable=False),
        sa.Column("shared_by", sa.Integer(), nullable=True),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_network_shares_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_shares_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shared_by"],
            ["users.id"],
            name=op.f("fk_network_shares_shared_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_shares")),
        sa.UniqueConstraint("cycle_id", "network_id", name="uq_network_shares_cycle_network"),
    )
    op.create_index(
        "ix_network_shares_network_id_cycle_id", "network_shares", ["network_id", "cycle_id"]
    )
    op.create_table(
        "org_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("node", sa.String(100), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=True),
        sa.Column("score", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_org_scores_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_scores")),
    )
    op.create_index("ix_org_scores_cycle_id_depth", "org_scores", ["cycle_id", "depth"])
    op.create_table(
        "org_response_totals",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name=op.f("fk_org_response_totals_cycle_id_cycles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cycle_id", "group_id", name=op.f("pk_org_response_totals")),
    )
    # Closed cycles of earlier versions get their scores on the next close or by
    # `qms.store.org_scores.rebuild_all`; nothing is computed inside a migration.


def downgrade() -> None:
    op.drop_table("org_response_totals")
    op.drop_index("ix_org_scores_cycle_id_depth", table_name="org_scores")
    op.drop_table("org_scores")
    op.drop_index("ix_network_shares_network_id_cycle_id", table_name="network_shares")
    op.drop_table("network_shares")
