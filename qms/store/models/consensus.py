"""The working group's notes on its consensus score of one item: evidence, strengths and
areas for improvement (METHODOLOGY.md §1). The agreed score itself is the `consensus`
response's answer to the item; the answers table holds one value per item, so the three
texts live here, one row per cycle and item."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qms.store.base import Base, utcnow


class ConsensusNote(Base):
    __tablename__ = "consensus_notes"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    evidence: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
