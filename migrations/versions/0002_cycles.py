"""Cycles, responses, answers and the running item counts.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_ONE_VALUE = (
    "(CASE WHEN value_int IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN missing IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN value_text IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN value_list IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN value_num IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade() -> None:
    op.create_table(
        "cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("methodology_id", sa.String(100), nullable=False),
        sa.Column("methodology_version", sa.String(100), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("snapshot_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cycles"),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name="fk_cycles_organisation_id_organisations",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "organisation_id", "year", "methodology_id", name="uq_cycles_org_year_methodology"
        ),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f("ck_cycles_status")),
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=False),
        sa.Column("respondent", sa.String(120), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("proxy", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_responses"),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name="fk_responses_cycle_id_cycles",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("cycle_id", "respondent", name="uq_responses_cycle_respondent"),
        sa.CheckConstraint(
            "status IN ('in_progress', 'submitted')", name=op.f("ck_responses_status")
        ),
        sa.CheckConstraint(
            "source IN ('web', 'paper', 'import')", name=op.f("ck_responses_source")
        ),
    )
    op.create_table(
        "answers",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("value_int", sa.Integer(), nullable=True),
        sa.Column("missing", sa.String(2), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("value_list", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("value_num", sa.Double(), nullable=True),
        sa.PrimaryKeyConstraint("response_id", "item_id", name="pk_answers"),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["responses.id"],
            name="fk_answers_response_id_responses",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(_ONE_VALUE, name=op.f("ck_answers_one_value")),
        sa.CheckConstraint(
            "missing IS NULL OR missing IN ('dk', 'na')", name=op.f("ck_answers_missing")
        ),
    )
    op.create_table(
        "item_counts",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("cycle_id", "group_id", "item_id", "key", name="pk_item_counts"),
        sa.ForeignKeyConstraint(
            ["cycle_id"],
            ["cycles.id"],
            name="fk_item_counts_cycle_id_cycles",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("item_counts")
    op.drop_table("answers")
    op.drop_table("responses")
    op.drop_table("cycles")
