"""Names seen: an organisation once named in a network's year stays identifiable there.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_names_seen",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("methodology_id", sa.String(100), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_names_seen_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_network_names_seen_organisation_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "network_id",
            "organisation_id",
            "year",
            "methodology_id",
            name=op.f("pk_network_names_seen"),
        ),
    )
    # The names consented to now are the ones known to have been seen.
    op.get_bind().execute(
        sa.text(
            "INSERT INTO network_names_seen (network_id, organisation_id, year,"
            " methodology_id, seen_at)"
            " SELECT DISTINCT s.network_id, c.organisation_id, c.year, c.methodology_id, :now"
            " FROM network_shares s JOIN cycles c ON c.id = s.cycle_id WHERE s.named"
        ),
        {"now": datetime.now(UTC)},
    )


def downgrade() -> None:
    op.drop_table("network_names_seen")
