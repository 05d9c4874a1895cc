"""Respondent extras: access codes remember the batch they were made in, so the slips of
a batch can be printed again as a PDF (unused codes only).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("access_codes") as batch:
        batch.add_column(sa.Column("batch", sa.String(32), nullable=True))
        batch.create_index("ix_access_codes_batch", ["batch"])


def downgrade() -> None:
    with op.batch_alter_table("access_codes") as batch:
        batch.drop_index("ix_access_codes_batch")
        batch.drop_column("batch")
