"""A network year's reporting date (METHODOLOGY.md §5.5): the coordinator sets the day
from which the year is released on the first request, and the readers of network figures
call `release_due` so that the release is made then, where the rule allows it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.store.audit import record_event
from qms.store.errors import Conflict, NotFound
from qms.store.models import Network
from qms.store.models.releases import NetworkReportDate
from qms.store.network_releases import ReleaseInfo, current_release, release_year


def report_date(session: Session, network_id: int, year: int, methodology_id: str) -> date | None:
    row = session.get(NetworkReportDate, (network_id, year, methodology_id))
    return row.release_on if row is not None else None


def set_report_date(
    session: Session,
    network_id: int,
    year: int,
    methodology_id: str,
    day: date | None,
    *,
    actor_id: int | None,
) -> bool:
    """Set (or, with None, clear) the day from which the year is released on the first
    request; False when nothing changed. Audited."""
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound(f"no network with id {network_id}")
    row = session.get(NetworkReportDate, (network_id, year, methodology_id))
    if (row.release_on if row else None) == day:
        return False
    if day is None:
        assert row is not None
        session.delete(row)
    elif row is None:
        session.add(
            NetworkReportDate(
                network_id=network_id, year=year, methodology_id=methodology_id, release_on=day
            )
        )
    else:
        row.release_on = day
    record_event(
        session,
        actor_id=actor_id,
        action="network.report_date",
        network_id=network_id,
        subject=f"{network.name} {year} ({methodology_id})",
        detail={
            "year": year,
            "methodology": methodology_id,
            "release_on": day.isoformat() if day else None,
        },
    )
    session.flush()
    return True


def release_due(session: Session, network_ids: Iterable[int], today: date) -> list[ReleaseInfo]:
    """Release every year whose reporting date has come and that has no release made on
    or after that date, where a release is allowed (readers call this on each request,
    in their own transaction, and commit when it returns something)."""
    ids = list(network_ids)
    if not ids:
        return []
    due = session.execute(
        select(
            NetworkReportDate.network_id,
            NetworkReportDate.year,
            NetworkReportDate.methodology_id,
            NetworkReportDate.release_on,
        ).where(NetworkReportDate.network_id.in_(ids), NetworkReportDate.release_on <= today)
    ).all()
    made = []
    for network_id, year, methodology_id, release_on in due:
        current = current_release(session, network_id, year, methodology_id)
        if current is not None and current.made_at.date() >= release_on:
            continue
        try:
            made.append(release_year(session, network_id, year, methodology_id, actor_id=None))
        except Conflict:
            continue  # not allowed yet: the dashboard says why
    return made
