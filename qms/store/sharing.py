"""Sharing a closed cycle with a network the organisation belongs to, and consent to be
named there (METHODOLOGY.md §3.11). Every change is audit-logged. What a shared cycle
counts for is qms.store.networks'. A consent to be named may be held back until it can
no longer reveal another organisation's score (qms.store.naming): each change here
settles the year's names again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.errors import Conflict, NotFound
from qms.store.models import (
    Cycle,
    Network,
    NetworkMember,
    NetworkShare,
    User,
)
from qms.store.naming import held_in, settle_names
from qms.store.networks import is_member
from qms.store.org_scores import has_org_scores, keep_org_scores


@dataclass(frozen=True)
class ShareState:
    """One of the organisation's networks as the sharing page shows it for a cycle."""

    network_id: int
    network_name: str
    shared: bool
    named: bool
    shared_at: datetime | None
    shared_by: str
    held: bool = False  # named with consent, but not yet shown (qms.store.naming)


def _shared(session: Session, cycle_id: int, network_id: int) -> bool:
    query = select(NetworkShare.id).where(
        NetworkShare.cycle_id == cycle_id, NetworkShare.network_id == network_id
    )
    return session.scalar(query) is not None


def share_cycle(
    session: Session, cycle: Cycle, network_id: int, *, named: bool, actor_id: int | None
) -> bool:
    """Share a closed cycle with a network the organisation belongs to (or change whether
    it is named there). Returns False when nothing changed. Audit-logged."""
    network = session.get(Network, network_id)
    if network is None or not is_member(session, network_id, cycle.organisation_id):
        raise NotFound("the organisation does not belong to this network")
    if cycle.status != "closed":
        raise Conflict(f"cycle {cycle.id} is {cycle.status}: only a closed cycle can be shared")
    if not has_org_scores(session, cycle.id):
        keep_org_scores(session, cycle)  # closed before scores were kept (an upgrade)
    share = session.scalar(
        select(NetworkShare).where(
            NetworkShare.cycle_id == cycle.id, NetworkShare.network_id == network_id
        )
    )
    detail = {"year": cycle.year, "methodology": cycle.methodology_id, "named": named}
    if share is None:
        try:
            # Two heads sharing at the same moment: the second finds the first's row.
            with session.begin_nested():
                session.add(
                    NetworkShare(
                        cycle_id=cycle.id,
                        network_id=network_id,
                        named=named,
                        named_at=utcnow() if named else None,
                        shared_by=actor_id,
                    )
                )
        except IntegrityError:
            if not _shared(session, cycle.id, network_id):
                raise
            return share_cycle(session, cycle, network_id, named=named, actor_id=actor_id)
        action = "cycle.shared"
    elif share.named != named:
        share.named = named
        share.named_at = utcnow() if named else None
        share.shared_by = actor_id
        action = "cycle.share_changed"
    else:
        return False
    session.flush()
    settle_names(session, cycle.year, cycle.methodology_id)
    record_event(
        session,
        actor_id=actor_id,
        action=action,
        organisation_id=cycle.organisation_id,
        network_id=network_id,
        subject=f"cycle {cycle.id} → {network.name}",
        detail=detail,
    )
    return True


def withdraw_share(
    session: Session, cycle: Cycle, network_id: int, *, actor_id: int | None
) -> bool:
    """Stop the cycle counting in the network; False when it was not shared."""
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound("no such network")
    result = session.execute(
        delete(NetworkShare).where(
            NetworkShare.cycle_id == cycle.id, NetworkShare.network_id == network_id
        )
    )
    if not getattr(result, "rowcount", 0):
        return False
    # A held name withdrawn may let another one that waited with it take effect.
    settle_names(session, cycle.year, cycle.methodology_id)
    record_event(
        session,
        actor_id=actor_id,
        action="cycle.share_withdrawn",
        organisation_id=cycle.organisation_id,
        network_id=network_id,
        subject=f"cycle {cycle.id} ← {network.name}",
        detail={"year": cycle.year, "methodology": cycle.methodology_id},
    )
    return True


def cycle_shares(session: Session, cycle: Cycle) -> list[ShareState]:
    """Every network of the cycle's organisation, with the cycle's share there if any."""
    rows = session.execute(
        select(Network.id, Network.name, NetworkShare.named, NetworkShare.shared_at, User.email)
        .join(NetworkMember, NetworkMember.network_id == Network.id)
        .outerjoin(
            NetworkShare,
            (NetworkShare.network_id == Network.id) & (NetworkShare.cycle_id == cycle.id),
        )
        .outerjoin(User, User.id == NetworkShare.shared_by)
        .where(NetworkMember.organisation_id == cycle.organisation_id)
        .order_by(Network.name)
    )
    held = held_in(session, cycle.year, cycle.methodology_id)
    return [
        ShareState(
            nid,
            name,
            shared_at is not None,
            bool(named),
            shared_at,
            email or "",
            held=bool(named) and (nid, cycle.organisation_id) in held,
        )
        for nid, name, named, shared_at, email in rows
    ]
