"""The audit log: what record_event stores and how the log pages read it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.store import audit, directory
from qms.store.models import AuditEvent, Organisation


def test_record_event_stores_what_it_is_given(session: Session) -> None:
    org = directory.create_organisation(session, "Org A", actor_id=None)
    net = directory.create_network(session, "Net", actor_id=None)
    audit.record_event(
        session,
        actor_id=None,
        action="cycle.opened",
        organisation_id=org,
        network_id=net,
        subject="Cycle 2025",
        detail={
            "year": 2025,
            "when": date(2025, 3, 1),
            "groups": ("staff", 3),
            "ok": True,
            "none": None,
            "ratio": 0.5,
        },
    )
    session.commit()
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "cycle.opened")).one()
    assert (event.organisation_id, event.network_id, event.subject) == (org, net, "Cycle 2025")
    assert event.detail == {
        "year": 2025,
        "when": "2025-03-01",
        "groups": ["staff", 3],
        "ok": True,
        "none": None,
        "ratio": 0.5,
    }
    assert event.at is not None


def test_record_event_waits_for_the_callers_commit(session: Session) -> None:
    audit.record_event(session, actor_id=None, action="x.y", subject="rolled back")
    session.rollback()
    assert audit.list_events(session).total == 0


def test_long_subjects_are_cut_not_refused(session: Session) -> None:
    audit.record_event(session, actor_id=None, action="a" * 100, subject="s" * 1000)
    session.commit()
    (row,) = audit.list_events(session).events
    assert len(row.subject) == audit.SUBJECT_MAX
    assert len(row.action) == 80


def test_pages_are_newest_first_and_filtered_by_organisation(session: Session) -> None:
    org = directory.create_organisation(session, "Org A", actor_id=None)
    other = directory.create_organisation(session, "Org B", actor_id=None)
    for n in range(audit.PAGE_SIZE + 3):
        audit.record_event(session, actor_id=None, action="t", organisation_id=org, subject=str(n))
    audit.record_event(session, actor_id=None, action="t", organisation_id=other, subject="B")
    session.commit()
    first = audit.list_events(session, organisation_id=org)
    # Its own "organisation.created" event counts too.
    assert (first.total, first.pages, first.page) == (audit.PAGE_SIZE + 4, 2, 1)
    assert [e.subject for e in first.events[:2]] == [
        str(audit.PAGE_SIZE + 2),
        str(audit.PAGE_SIZE + 1),
    ]
    assert all(e.organisation == "Org A" for e in first.events)
    second = audit.list_events(session, organisation_id=org, page=2)
    assert [e.subject for e in second.events] == ["2", "1", "0", "Org A"]
    assert audit.list_events(session, organisation_id=org, page=99).page == 2
    everything = audit.list_events(session)
    assert everything.total == audit.PAGE_SIZE + 3 + 1 + 2  # and the two "created" events
    assert everything.events[0].subject == "B"


def test_events_keep_their_history_when_the_organisation_goes(session: Session) -> None:
    org = directory.create_organisation(session, "Gone", actor_id=None)
    session.commit()
    session.delete(session.get(Organisation, org))
    session.commit()
    (event,) = audit.list_events(session).events
    assert (event.action, event.subject, event.organisation) == ("organisation.created", "Gone", "")


def test_times_are_aware(session: Session) -> None:
    audit.record_event(session, actor_id=None, action="t")
    session.commit()
    (event,) = audit.list_events(session).events
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
    assert abs((datetime.now(UTC) - at).total_seconds()) < 60
