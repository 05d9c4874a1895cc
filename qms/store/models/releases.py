"""Releases (METHODOLOGY.md §5.2): frozen records of the responses each figure rests on.

`releases` holds one row per (cycle, group, seq): made when the group's collection
closes (group by group, or at the cycle's close), with the item counts of exactly the
responses it counts, so reading a cycle's scores still costs the number of items.
`release_responses` holds those responses' answers, for the few outputs that need
rows (breakdowns, Welch's test, answer exports, comments). A released response
carries no respondent key, no code, no source and no time stamp: only its *unit* (a
digest that lets two releases of the cycle be compared) and a fingerprint of its
answers.

`group_collections` records a group whose collection a head closed before the cycle,
and, per group, how many changes wait for the next release after the last close.

`hidden_comments` are the free-text answers a head hid (§5.4), by a key that is
stable for one respondent's answer to one item and links nothing else.

`network_releases` freeze what a network's figures of a year rest on (§5.5): which
organisations' cycles, and those cycles' organisation-level scores and counted
responses as they were at release. `network_report_dates` let a coordinator set a day
from which the year is released on the first request.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
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


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (
        UniqueConstraint("cycle_id", "group_id", "seq", name="uq_releases_cycle_group_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    group_id: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    respondents: Mapped[int] = mapped_column(Integer)
    # {item_id: {key: count}} with the keys of item_counts (qms.store.models.cycles).
    counts: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON)


class ReleaseResponse(Base):
    __tablename__ = "release_responses"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True
    )
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)


class GroupCollection(Base):
    __tablename__ = "group_collections"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    # Set while the group's collection is closed ahead of its open cycle.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Changes since the group's last release that the last close did not release.
    waiting: Mapped[int] = mapped_column(Integer, default=0)


class HiddenComment(Base):
    __tablename__ = "hidden_comments"

    cycle_id: Mapped[int] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    comment_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    hidden_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NetworkRelease(Base):
    __tablename__ = "network_releases"
    __table_args__ = (
        UniqueConstraint(
            "network_id", "year", "methodology_id", "seq", name="uq_network_releases_year_seq"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    methodology_id: Mapped[str] = mapped_column(String(100))
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class NetworkReleaseOrg(Base):
    __tablename__ = "network_release_orgs"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("network_releases.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="SET NULL"))
    snapshot_hash: Mapped[str] = mapped_column(String(64))


class NetworkReleaseScore(Base):
    __tablename__ = "network_release_scores"
    __table_args__ = (Index("ix_network_release_scores_release_id", "release_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("network_releases.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(SmallInteger)
    node: Mapped[str] = mapped_column(String(100))
    group_id: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Double)


class NetworkReleaseTotal(Base):
    __tablename__ = "network_release_totals"

    release_id: Mapped[int] = mapped_column(
        ForeignKey("network_releases.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)


class NetworkReportDate(Base):
    __tablename__ = "network_report_dates"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    methodology_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    release_on: Mapped[date] = mapped_column(Date)


class NetworkNameSeen(Base):
    """An organisation named (with consent) in a network for a year and methodology, at
    any time: whoever could see the network may have read its score then, so it counts
    as identifiable there for good, even after the consent is withdrawn (§5.5)."""

    __tablename__ = "network_names_seen"

    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    methodology_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
