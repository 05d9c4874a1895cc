"""Assessment cycles, the responses given in them, their answers, and the running counts.

A cycle keeps the exact methodology files it was created with (`snapshot`), so the
meaning of stored answers never changes when the questionnaires are edited later.

Answers hold no personal data: a response is known only by its respondent key (an
import's respondent id, a generated key for the web, `consensus` for the working
group's consensus record, `assessor:<name>` for a working-group member's own entry).

`item_counts` is kept in step with the counted responses (METHODOLOGY.md §3 "which
responses count") by qms.store.counts, so reading a cycle's statistics costs the number
of items, not the number of answers. Its `key` is one of:
  * an option value as text (a scale value such as `4`, a choice or multi option value),
  * `dk`, `na`: the missing codes of scale items,
  * `shown`: counted respondents to whom the item was shown (`when` held),
  * `answered`: counted respondents who answered a multi, number or text item (for
    scale and choice items this is the sum of the other keys, so it is not stored).
blank = shown − answered (for a scale item: shown − valid − dk − na).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from qms.store.base import Base, Timestamped, utcnow

CYCLE_STATUSES = ("draft", "open", "closed")
RESPONSE_STATUSES = ("in_progress", "submitted")
RESPONSE_SOURCES = ("web", "paper", "import")

CONSENSUS_KEY = "consensus"
ASSESSOR_PREFIX = "assessor:"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Cycle(Timestamped, Base):
    __tablename__ = "cycles"
    __table_args__ = (
        UniqueConstraint(
            "organisation_id", "year", "methodology_id", name="uq_cycles_org_year_methodology"
        ),
        CheckConstraint(_one_of("status", CYCLE_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    methodology_id: Mapped[str] = mapped_column(String(100))
    methodology_version: Mapped[str] = mapped_column(String(100))
    # Deferred: listing cycles must not drag every questionnaire text along.
    snapshot: Mapped[dict[str, str]] = mapped_column(JSON, deferred=True)
    snapshot_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Staff see a cycle's results only once the head has published them.
    results_published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Response(Timestamped, Base):
    __tablename__ = "responses"
    __table_args__ = (
        UniqueConstraint("cycle_id", "respondent", name="uq_responses_cycle_respondent"),
        CheckConstraint(_one_of("status", RESPONSE_STATUSES), name="status"),
        CheckConstraint(_one_of("source", RESPONSE_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    group_id: Mapped[str] = mapped_column(String(100))
    respondent: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    source: Mapped[str] = mapped_column(String(8))
    proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Answer(Base):
    """One answer; exactly one value column is set, chosen by the item's type:
    scale -> value_int or missing ('dk'/'na'); choice, text -> value_text;
    multi -> value_list (a JSON list of option values, in the questionnaire's order);
    number -> value_num. A blank answer is no row at all."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN value_int IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN missing IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN value_text IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN value_list IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN value_num IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_value",
        ),
        CheckConstraint("missing IS NULL OR missing IN ('dk', 'na')", name="missing"),
    )

    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    value_int: Mapped[int | None] = mapped_column(Integer)
    missing: Mapped[str | None] = mapped_column(String(2))
    value_text: Mapped[str | None] = mapped_column(Text)
    # none_as_null: an unset list is SQL NULL, never the JSON value null.
    value_list: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    value_num: Mapped[float | None] = mapped_column(Double)


class ItemCount(Base):
    __tablename__ = "item_counts"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
