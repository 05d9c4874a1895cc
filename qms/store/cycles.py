"""Cycles: one organisation, one year, one methodology snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.db import lock_cycle
from qms.store.errors import Closed, Conflict, GroupNotInCycle, NotFound, StoreError
from qms.store.models import Cycle as Cycle  # re-exported: the web layer names the type
from qms.store.models import CycleGroup, Response
from qms.store.models import Organisation as Organisation  # re-exported for the web layer
from qms.store.org_scores import drop_org_scores, keep_org_scores
from qms.store.releases import (
    ReleaseOutcome,
    release_open_groups,
    reopen_collections,
    submit_unfinished,
)
from qms.store.snapshots import Snapshot, cycle_methodology

YEAR_MIN, YEAR_MAX = 2000, 2100


@dataclass(frozen=True)
class CycleInfo:
    """What a listing or a results header shows about a cycle."""

    id: int
    organisation: str
    year: int
    methodology: str
    version: str
    status: str


def create_cycle(
    session: Session,
    organisation: Organisation,
    year: int,
    snapshot: Snapshot,
    *,
    actor_id: int | None = None,
    draft: bool = False,
    groups: Mapping[str, int | None] | None = None,
) -> Cycle:
    """A new cycle, open at once (codes and imports need an open cycle) unless `draft`.

    `groups` names the groups the cycle asks, each with its target number of responses
    (None: no target); without it every group of the methodology takes part."""
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Conflict(f"the year must be between {YEAR_MIN} and {YEAR_MAX} (got {year})")
    methodology = snapshot.methodology
    if groups is not None:
        known = [g.id for g in methodology.groups]
        if not groups:
            raise StoreError("a cycle asks at least one group")
        if stray := [g for g in groups if g not in known]:
            raise StoreError(f"unknown group {stray[0]!r} (groups: {', '.join(known)})")
        if any(t is not None and t < 1 for t in groups.values()):
            raise StoreError("a target is a number of responses of at least 1")
    clash = select(
        exists().where(
            Cycle.organisation_id == organisation.id,
            Cycle.year == year,
            Cycle.methodology_id == methodology.id,
        )
    )
    if session.scalar(clash):
        raise Conflict(
            f"{organisation.name} already has a {year} cycle of methodology {methodology.id}"
        )
    now = utcnow()
    cycle = Cycle(
        organisation_id=organisation.id,
        year=year,
        methodology_id=methodology.id,
        methodology_version=methodology.version,
        snapshot=snapshot.files,
        snapshot_hash=snapshot.hash,
        status="draft" if draft else "open",
        created_at=now,
        opened_at=None if draft else now,
    )
    session.add(cycle)
    session.flush()
    for group_id, target in (groups or {}).items():
        session.add(CycleGroup(cycle_id=cycle.id, group_id=group_id, target=target))
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="cycle.created",
        organisation_id=organisation.id,
        subject=f"cycle {cycle.id}",
        detail={
            "year": year,
            "methodology": methodology.id,
            "version": methodology.version,
            "status": cycle.status,
            "groups": sorted(groups or ()),
        },
    )
    return cycle


def cycle_groups(session: Session, cycle_id: int) -> dict[str, int | None] | None:
    """The groups a cycle asks with their targets; None when it asks every group."""
    rows = session.execute(
        select(CycleGroup.group_id, CycleGroup.target).where(CycleGroup.cycle_id == cycle_id)
    ).all()
    return {str(g): t for g, t in rows} if rows else None


def asked_groups(session: Session, cycle: Cycle) -> tuple[str, ...]:
    """The ids of the groups `cycle` asks, in the methodology's order."""
    chosen = cycle_groups(session, cycle.id)
    return tuple(g.id for g in cycle_methodology(cycle).groups if chosen is None or g.id in chosen)


def takes_part(session: Session, cycle: Cycle, group: str) -> bool:
    """Whether `group` is one of the groups `cycle` asks. Codes, open links, paper forms
    and imports all ask this, so that a group left out when the cycle was made gets no
    responses by any way in."""
    return group in asked_groups(session, cycle)


def require_group(session: Session, cycle: Cycle, group: str) -> None:
    """GroupNotInCycle (naming the groups it does ask) unless `group` takes part."""
    asked = asked_groups(session, cycle)
    if group not in asked:
        raise GroupNotInCycle(cycle.id, group, asked)


def open_cycle(session: Session, cycle: Cycle, *, actor_id: int | None = None) -> None:
    """Open a draft: from now on its codes work."""
    if cycle.status != "draft":
        raise Conflict(f"cycle {cycle.id} is {cycle.status}, not a draft")
    cycle.status = "open"
    cycle.opened_at = utcnow()
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="cycle.opened",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
    )


def get_organisation(session: Session, organisation_id: int) -> Organisation:
    found = session.get(Organisation, organisation_id)
    if found is None:
        raise NotFound(f"no organisation with id {organisation_id}")
    return found


def get_cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(f"no cycle with id {cycle_id}")
    return cycle


def cycle_info(session: Session, cycle_id: int) -> CycleInfo:
    row = session.execute(
        select(
            Cycle.id,
            Organisation.name,
            Cycle.year,
            Cycle.methodology_id,
            Cycle.methodology_version,
            Cycle.status,
        )
        .join(Organisation, Organisation.id == Cycle.organisation_id)
        .where(Cycle.id == cycle_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no cycle with id {cycle_id}")
    return CycleInfo(*row)


def organisation_cycles(session: Session, organisation_id: int) -> list[CycleInfo]:
    rows = session.execute(
        select(
            Cycle.id,
            Organisation.name,
            Cycle.year,
            Cycle.methodology_id,
            Cycle.methodology_version,
            Cycle.status,
        )
        .join(Organisation, Organisation.id == Cycle.organisation_id)
        .where(Cycle.organisation_id == organisation_id)
        .order_by(Cycle.year, Cycle.methodology_id)
    )
    return [CycleInfo(*row) for row in rows]


def require_open(cycle: Cycle) -> None:
    require_open_status(cycle.id, cycle.status)


def hold_open(session: Session, cycle_id: int) -> None:
    """Closed unless the cycle is open, and keep it so until the transaction ends: the
    cycle's lock for a write that depends on its state, then its status as the lock left
    it (an ORM row loaded earlier can be older)."""
    lock_cycle(session, cycle_id, shared=True)
    status = session.execute(select(Cycle.status).where(Cycle.id == cycle_id)).scalar_one()
    require_open_status(cycle_id, status)


def require_open_status(cycle_id: int, status: str) -> None:
    """As require_open, for a caller that read only the cycle's status."""
    if status != "open":
        raise Closed(f"cycle {cycle_id} is {status}: it accepts no answers")


@dataclass(frozen=True)
class CloseResult:
    """What a close did: unfinished web responses now counted, and per group whether it
    got a new release or kept its last one (with the changes that wait)."""

    unfinished: int
    outcomes: tuple[ReleaseOutcome, ...]

    @property
    def kept(self) -> tuple[ReleaseOutcome, ...]:
        """Groups whose earlier release stands although something changed."""
        return tuple(o for o in self.outcomes if not o.released and o.waiting > 0)


def close_cycle(session: Session, cycle: Cycle, *, actor_id: int | None = None) -> CloseResult:
    """Close the cycle; an unfinished web response with at least one answer then counts
    as submitted (METHODOLOGY.md §3), and every group still collecting is released by
    the rule of §5.2, in this transaction. Saves in flight finish first; saves after it
    find the cycle closed (qms.store.db.lock_cycle)."""
    lock_cycle(session, cycle.id, shared=False)
    session.refresh(cycle)  # what the lock's holder before us left
    if cycle.status == "closed":
        raise Conflict(f"cycle {cycle.id} is already closed")
    unfinished = submit_unfinished(session, cycle)
    outcomes = release_open_groups(session, cycle, asked_groups(session, cycle))
    now = utcnow()
    cycle.status = "closed"
    cycle.closed_at = now
    session.flush()
    keep_org_scores(session, cycle)  # what networks read (§3.11), from the releases
    record_event(
        session,
        actor_id=actor_id,
        action="cycle.closed",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={
            "unfinished_counted": unfinished,
            "released": sorted(o.group for o in outcomes if o.released),
            "kept": {o.group: o.waiting for o in outcomes if not o.released},
        },
    )
    return CloseResult(unfinished, tuple(outcomes))


def reopen_cycle(
    session: Session, cycle: Cycle, *, actor_id: int | None = None, reason: str = ""
) -> None:
    """Open a closed (or draft) cycle again; responses submitted on closing stay submitted,
    every group collects again, and the releases stand until the next close."""
    lock_cycle(session, cycle.id, shared=False)
    session.refresh(cycle)
    if cycle.status == "open":
        raise Conflict(f"cycle {cycle.id} is already open")
    cycle.status = "open"
    cycle.opened_at = utcnow()
    cycle.closed_at = None
    reopen_collections(session, cycle.id)
    session.flush()
    drop_org_scores(session, cycle.id)  # an open cycle counts in no network
    record_event(
        session,
        actor_id=actor_id,
        action="cycle.reopened",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"reason": reason},
    )


def submitted_by_source(session: Session, cycle_id: int) -> dict[str, dict[str, int]]:
    """Submitted responses per group and source ({group: {"web": n, "paper": m, ...}})."""
    rows = session.execute(
        select(Response.group_id, Response.source, func.count())
        .where(Response.cycle_id == cycle_id, Response.status == "submitted")
        .group_by(Response.group_id, Response.source)
    )
    totals: dict[str, dict[str, int]] = {}
    for group, source, n in rows:
        totals.setdefault(group, {})[source] = int(n)
    return totals


def response_breakdown(session: Session, cycle_id: int) -> dict[str, dict[tuple[str, str], int]]:
    """Responses per group by (status, source), in one grouped query: the live response
    page asks for it every few seconds."""
    rows = session.execute(
        select(Response.group_id, Response.status, Response.source, func.count())
        .where(Response.cycle_id == cycle_id)
        .group_by(Response.group_id, Response.status, Response.source)
    )
    totals: dict[str, dict[tuple[str, str], int]] = {}
    for group, status, source, n in rows:
        totals.setdefault(group, {})[(status, source)] = int(n)
    return totals
