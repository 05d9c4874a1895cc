"""The improvement plan's actions, and the groups a cycle asks with their targets.

An action belongs to the cycle it was made in; while it is open (planned or in
progress) it is shown in the organisation's later cycles too (qms.store.plan).

`cycle_groups` is optional per cycle: a cycle without rows asks every group of its
methodology and has no targets (cycles made on the command line, imported years).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qms.store.base import Base, Timestamped, utcnow

ACTION_STATUSES = ("planned", "in_progress", "done", "dropped")
OPEN_STATUSES = ("planned", "in_progress")


class PlanAction(Timestamped, Base):
    __tablename__ = "plan_actions"
    __table_args__ = (
        CheckConstraint("status IN ('planned', 'in_progress', 'done', 'dropped')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="planned")
    progress: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class CycleGroup(Base):
    __tablename__ = "cycle_groups"
    __table_args__ = (CheckConstraint("target IS NULL OR target >= 1", name="target"),)

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    target: Mapped[int | None] = mapped_column(Integer)
