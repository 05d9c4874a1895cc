"""Results published to staff: when the head made a cycle's results visible to its staff.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cycles") as batch:
        batch.add_column(sa.Column("results_published_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("cycles") as batch:
        batch.drop_column("results_published_at")
