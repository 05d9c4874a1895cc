"""The audit log: who did what, where, and when.

`record_event` only adds a row to the caller's session: the event is committed together
with the change it describes, or not at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from qms.store.models import AuditEvent, Network, Organisation, User

SUBJECT_MAX = 300
PAGE_SIZE = 50


def record_event(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    organisation_id: int | None = None,
    network_id: int | None = None,
    subject: str = "",
    detail: Mapping[str, object] | None = None,
) -> None:
    """Log `action` (a dotted code such as "cycle.opened") by `actor_id` (None: the system
    or an anonymous visitor). Events with an organisation are readable by its heads."""
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action=action[:80],
            organisation_id=organisation_id,
            network_id=network_id,
            subject=subject[:SUBJECT_MAX],
            detail=_jsonable(detail or {}),
        )
    )


def _jsonable(detail: Mapping[str, object]) -> dict[str, Any]:
    # Callers pass ids, names and dates; anything else is stored as its text.
    out: dict[str, Any] = {}
    for key, value in detail.items():
        if value is None or isinstance(value, bool | int | float | str):
            out[str(key)] = value
        elif isinstance(value, list | tuple):
            out[str(key)] = [v if isinstance(v, int | float | str) else str(v) for v in value]
        else:
            out[str(key)] = str(value)
    return out


@dataclass(frozen=True)
class EventRow:
    id: int
    at: datetime
    actor: str
    action: str
    organisation: str
    network: str
    subject: str
    detail: Mapping[str, Any]


@dataclass(frozen=True)
class EventPage:
    events: list[EventRow]
    page: int
    pages: int
    total: int


def list_events(
    session: Session, *, organisation_id: int | None = None, page: int = 1
) -> EventPage:
    """Newest first. `organisation_id=None` lists everything (for admins)."""
    where = [] if organisation_id is None else [AuditEvent.organisation_id == organisation_id]
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(*where)) or 0
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    actor = aliased(User)
    rows = session.execute(
        select(AuditEvent, actor.email, Organisation.name, Network.name)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(Organisation, Organisation.id == AuditEvent.organisation_id)
        .outerjoin(Network, Network.id == AuditEvent.network_id)
        .where(*where)
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    events = [
        EventRow(
            id=event.id,
            at=event.at,
            actor=email or "",
            action=event.action,
            organisation=org_name or "",
            network=net_name or "",
            subject=event.subject,
            detail=dict(event.detail or {}),
        )
        for event, email, org_name, net_name in rows
    ]
    return EventPage(events=events, page=page, pages=pages, total=total)
