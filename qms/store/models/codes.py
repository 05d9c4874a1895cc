"""Access codes: how a respondent reaches a questionnaire without an account.

A code names a cycle and a group, nothing about a person. A single-use code is bound to
the one response it opens, so the same code resumes it; an open link (`kind` "open")
hands out a fresh single-use code to each person who follows it, up to `cap`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from qms.store.base import Base, Timestamped

CODE_KINDS = ("single", "open")


class AccessCode(Timestamped, Base):
    __tablename__ = "access_codes"
    __table_args__ = (CheckConstraint("kind IN ('single', 'open')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(6), default="single")
    # Bound on first use; SET NULL keeps the code spent when a response is deleted.
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("responses.id", ondelete="SET NULL"), unique=True
    )
    cap: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # An opaque id shared by the codes made together, to print that batch's slips again.
    batch: Mapped[str | None] = mapped_column(String(32), index=True)
