"""Named at: when a share's consent to be named was given, so that names held back wait
in the order their consents came (qms.disclosure.naming).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("network_shares") as batch:
        batch.add_column(sa.Column("named_at", sa.DateTime(timezone=True)))
    # The consents given before this revision came at the share or later: the share's
    # time keeps their order as well as anything can.
    op.execute("UPDATE network_shares SET named_at = shared_at WHERE named")


def downgrade() -> None:
    with op.batch_alter_table("network_shares") as batch:
        batch.drop_column("named_at")
