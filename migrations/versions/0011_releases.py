"""Releases (METHODOLOGY.md §5): frozen per-group records of closed collections, hidden
comments, and network releases. Closed cycles get their first release from what they
count now, so every figure they showed before stays the same.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        _fk("releases", "cycle_id", "cycles", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("cycle_id", "group_id", "seq", name="uq_releases_cycle_group_seq"),
    )
    op.create_table(
        "release_responses",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("proxy", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        _fk("release_responses", "release_id", "releases", "CASCADE"),
        sa.PrimaryKeyConstraint("release_id", "unit", name=op.f("pk_release_responses")),
    )
    op.create_table(
        "group_collections",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("waiting", sa.Integer(), nullable=False),
        _fk("group_collections", "cycle_id", "cycles", "CASCADE"),
        sa.PrimaryKeyConstraint("cycle_id", "group_id", name=op.f("pk_group_collections")),
    )
    op.create_table(
        "hidden_comments",
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(100), nullable=False),
        sa.Column("comment_key", sa.String(64), nullable=False),
        sa.Column("hidden_by", sa.Integer(), nullable=True),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=False),
        _fk("hidden_comments", "cycle_id", "cycles", "CASCADE"),
        _fk("hidden_comments", "hidden_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint(
            "cycle_id", "item_id", "comment_key", name=op.f("pk_hidden_comments")
        ),
    )
    op.create_table(
        "network_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("methodology_id", sa.String(100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _fk("network_releases", "network_id", "networks", "CASCADE"),
        _fk("network_releases", "created_by", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_releases")),
        sa.UniqueConstraint(
            "network_id", "year", "methodology_id", "seq", name="uq_network_releases_year_seq"
        ),
    )
    op.create_table(
        "network_release_orgs",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("snapshot_hash", sa.String(64), nullable=False),
        _fk("network_release_orgs", "release_id", "network_releases", "CASCADE"),
        _fk("network_release_orgs", "organisation_id", "organisations", "CASCADE"),
        _fk("network_release_orgs", "cycle_id", "cycles", "SET NULL"),
        sa.PrimaryKeyConstraint(
            "release_id", "organisation_id", name=op.f("pk_network_release_orgs")
        ),
    )
    op.create_table(
        "network_release_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("node", sa.String(100), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=True),
        sa.Column("score", sa.Double(), nullable=False),
        _fk("network_release_scores", "release_id", "network_releases", "CASCADE"),
        _fk("network_release_scores", "organisation_id", "organisations", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_release_scores")),
    )
    op.create_index(
        "ix_network_release_scores_release_id", "network_release_scores", ["release_id"]
    )
    op.create_table(
        "network_release_totals",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.String(100), nullable=False),
        sa.Column("responses", sa.Integer(), nullable=False),
        _fk("network_release_totals", "release_id", "network_releases", "CASCADE"),
        _fk("network_release_totals", "organisation_id", "organisations", "CASCADE"),
        sa.PrimaryKeyConstraint(
            "release_id", "organisation_id", "group_id", name=op.f("pk_network_release_totals")
        ),
    )
    op.create_table(
        "network_report_dates",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("methodology_id", sa.String(100), nullable=False),
        sa.Column("release_on", sa.Date(), nullable=False),
        _fk("network_report_dates", "network_id", "networks", "CASCADE"),
        sa.PrimaryKeyConstraint(
            "network_id", "year", "methodology_id", name=op.f("pk_network_report_dates")
        ),
    )
    _release_closed_cycles(op.get_bind())


def _value(row: Any) -> Any:
    """An answer as a release stores it (qms.store.releases.encode_answers)."""
    if row.value_int is not None:
        return int(row.value_int)
    if row.missing is not None:
        return str(row.missing)
    if row.value_list is not None:
        raw = row.value_list
        return [str(v) for v in (json.loads(raw) if isinstance(raw, str) else raw)]
    if row.value_num is not None:
        return float(row.value_num)
    return str(row.value_text)


def _release_closed_cycles(bind: sa.Connection) -> None:
    """Every closed cycle's groups get release 1 from the responses they count now: the
    counts are the cycle's item_counts (kept in step with exactly those responses), so
    the figures read from the release equal the figures shown before."""
    # Pure modules only: the methodology loader and the release digests.
    from qms.disclosure.releases import fingerprint, unit_key
    from qms.methodology import load_from_files

    now = datetime.now(UTC)
    cycles = bind.execute(
        sa.text("SELECT id, methodology_id, snapshot FROM cycles WHERE status = 'closed'")
    ).all()
    for cycle_id, methodology_id, snapshot in cycles:
        files = json.loads(snapshot) if isinstance(snapshot, str) else snapshot
        methodology = load_from_files(methodology_id, files)
        consensus = {g.id for g in methodology.groups if g.is_consensus}
        counts: dict[str, dict[str, dict[str, int]]] = {}
        for group, item, key, n in bind.execute(
            sa.text(
                "SELECT group_id, item_id, key, count FROM item_counts"
                " WHERE cycle_id = :c AND count != 0"
            ),
            {"c": cycle_id},
        ):
            counts.setdefault(group, {}).setdefault(item, {})[key] = int(n)
        responses = bind.execute(
            sa.text(
                "SELECT id, group_id, respondent, proxy FROM responses"
                " WHERE cycle_id = :c AND status = 'submitted'"
            ),
            {"c": cycle_id},
        ).all()
        by_group: dict[str, list[tuple[int, str, bool]]] = {}
        for rid, group, respondent, proxy in responses:
            if group in consensus and respondent != "consensus":
                continue
            by_group.setdefault(group, []).append((rid, respondent, bool(proxy)))
        for group in [g.id for g in methodology.groups]:
            members = by_group.get(group, [])
            release_id = bind.execute(
                sa.text(
                    "INSERT INTO releases (cycle_id, group_id, seq, created_at, respondents,"
                    " counts) VALUES (:c, :g, 1, :t, :n, :counts) RETURNING id"
                ).bindparams(sa.bindparam("counts", type_=sa.JSON)),
                {
                    "c": cycle_id,
                    "g": group,
                    "t": now,
                    "n": len(members),
                    "counts": counts.get(group, {}),
                },
            ).scalar_one()
            for rid, respondent, proxy in members:
                answers = {
                    row.item_id: _value(row)
                    for row in bind.execute(
                        sa.text(
                            "SELECT item_id, value_int, missing, value_text, value_list,"
                            " value_num FROM answers WHERE response_id = :r"
                        ),
                        {"r": rid},
                    )
                }
                bind.execute(
                    sa.text(
                        "INSERT INTO release_responses (release_id, unit, fingerprint, proxy,"
                        " answers) VALUES (:r, :u, :f, :p, :a)"
                    ).bindparams(sa.bindparam("a", type_=sa.JSON)),
                    {
                        "r": release_id,
                        "u": unit_key(cycle_id, respondent),
                        "f": fingerprint(answers, proxy),
                        "p": proxy,
                        "a": answers,
                    },
                )


def downgrade() -> None:
    op.drop_table("network_report_dates")
    op.drop_table("network_release_totals")
    op.drop_index("ix_network_release_scores_release_id", table_name="network_release_scores")
    op.drop_table("network_release_scores")
    op.drop_table("network_release_orgs")
    op.drop_table("network_releases")
    op.drop_table("hidden_comments")
    op.drop_table("group_collections")
    op.drop_table("release_responses")
    op.drop_table("releases")
