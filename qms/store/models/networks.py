"""What networks read: cycles shared with a network, and organisation-level scores.

A share is the head's consent that one closed cycle counts in one network, and says
whether the organisation may be named there. Withdrawing deletes the row (the audit
log keeps the history).

`org_scores` and `org_response_totals` hold a closed cycle's scores as qms.scoring
computes them (never pooled respondents, METHODOLOGY.md §3.11). They are written when
the cycle closes and deleted when it reopens, so a dashboard reads a few rows per
organisation and criterion, whatever the number of answers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from qms.store.base import Base, utcnow

OVERALL = "overall"  # the node of the overall scores (no criterion has this id)
# depth of a node: 0 overall, 1 criterion, 2 sub-criterion (dashboards read depth <= 1)
DEPTH_OVERALL, DEPTH_CRITERION, DEPTH_SUBCRITERION = 0, 1, 2


class NetworkShare(Base):
    __tablename__ = "network_shares"
    __table_args__ = (
        UniqueConstraint("cycle_id", "network_id", name="uq_network_shares_cycle_network"),
        Index("ix_network_shares_network_id_cycle_id", "network_id", "cycle_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    named: Mapped[bool] = mapped_column(Boolean, default=False)
    shared_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    shared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the consent to be named was given (None: not named): held names wait in this
    # order (qms.disclosure.naming).
    named_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OrgScore(Base):
    """One score of a closed cycle: `node` a criterion or sub-criterion id or "overall",
    `group_id` a respondent group or NULL for the composite. Absent scores have no row."""

    __tablename__ = "org_scores"
    __table_args__ = (Index("ix_org_scores_cycle_id_depth", "cycle_id", "depth"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(SmallInteger)
    node: Mapped[str] = mapped_column(String(100))
    group_id: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Double)


class OrgResponseTotal(Base):
    """Counted responses of a closed cycle per group (in a consensus group: the record)."""

    __tablename__ = "org_response_totals"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)
