"""The improvement plan: actions, carrying open ones into later cycles, proposals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.store import plan
from qms.store.consensus import Notes, save_consensus
from qms.store.cycles import close_cycle, create_cycle
from qms.store.errors import NotFound, StoreError
from qms.store.models import AuditEvent, Cycle, Organisation
from qms.store.orgs import create_organisation
from qms.store.responses import create_response
from qms.store.snapshots import Snapshot


def _later(session: Session, cycle: Cycle, snapshot: Snapshot, year: int) -> Cycle:
    made = create_cycle(
        session, session.get_one(Organisation, cycle.organisation_id), year, snapshot
    )
    session.commit()
    return made


def test_actions_carry_while_open(session: Session, cycle: Cycle, snapshot: Snapshot) -> None:
    kept = plan.add_action(
        session,
        cycle,
        criterion="1",
        title="Team meetings monthly",
        owner="Head",
        due=date(2025, 6, 30),
    )
    done = plan.add_action(session, cycle, criterion="1.2", title="Rota review")
    plan.update_action(session, done, status="done", progress="New rota since May")
    session.commit()
    later = _later(session, cycle, snapshot, 2026)
    mine = plan.add_action(session, later, criterion="2", title="Follow up results")
    session.commit()

    own = plan.actions_for_cycle(session, cycle.id)
    assert [(a.id, a.carried) for a in own] == [(kept, False), (done, False)]
    assert own[0].due == date(2025, 6, 30) and own[0].owner == "Head"
    assert own[1].status == "done" and own[1].progress == "New rota since May"

    shown = plan.actions_for_cycle(session, later.id)
    # Its own first, then the open action carried from 2025 (the done one stays behind).
    assert [(a.id, a.carried, a.year) for a in shown] == [(mine, False, 2026), (kept, True, 2025)]
    assert shown[1].cycle_id == cycle.id

    plan.update_action(session, kept, status="in_progress", progress="Half done")
    session.commit()
    assert [a.status for a in plan.actions_for_cycle(session, later.id)] == [
        "planned",
        "in_progress",
    ]
    plan.update_action(session, kept, status="dropped", progress="")
    session.commit()
    assert [a.id for a in plan.actions_for_cycle(session, later.id)] == [mine]


def test_no_carrying_backwards_or_across_organisations(
    session: Session, cycle: Cycle, snapshot: Snapshot
) -> None:
    later = _later(session, cycle, snapshot, 2026)
    plan.add_action(session, later, criterion="1", title="Later action")
    other = create_cycle(session, create_organisation(session, "Cits centrs"), 2024, snapshot)
    plan.add_action(session, other, criterion="1", title="Someone else's")
    session.commit()
    assert plan.actions_for_cycle(session, cycle.id) == []
    assert [a.title for a in plan.actions_for_cycle(session, other.id)] == ["Someone else's"]


def test_bad_actions_are_refused(session: Session, cycle: Cycle) -> None:
    with pytest.raises(StoreError, match="criterion"):
        plan.add_action(session, cycle, criterion="42", title="x")
    with pytest.raises(StoreError, match="title"):
        plan.add_action(session, cycle, criterion="1", title="   ")
    with pytest.raises(StoreError, match="status"):
        plan.add_action(session, cycle, criterion="1", title="x", status="finished")
    with pytest.raises(StoreError, match="too long"):
        plan.add_action(session, cycle, criterion="1", title="x" * 301)
    with pytest.raises(NotFound):
        plan.update_action(session, 999999, status="done", progress="")
    with pytest.raises(NotFound):
        plan.actions_for_cycle(session, 999999)


def test_changes_are_audited(session: Session, cycle: Cycle) -> None:
    action = plan.add_action(session, cycle, criterion="1", title="Audit me", actor_id=None)
    plan.update_action(session, action, status="in_progress", progress="started")
    session.commit()
    events = session.execute(
        select(AuditEvent.action, AuditEvent.organisation_id, AuditEvent.detail)
        .where(AuditEvent.action.like("plan.%"))
        .order_by(AuditEvent.id)
    ).all()
    assert [e[0] for e in events] == ["plan.action_added", "plan.action_updated"]
    assert all(e[1] == cycle.organisation_id for e in events)
    assert events[1][2]["was"] == "planned" and events[1][2]["status"] == "in_progress"
    assert plan.action_organisation(session, action) == cycle.organisation_id


def test_proposals_from_weak_scores_and_consensus_notes(session: Session, cycle: Cycle) -> None:
    save_consensus(
        session,
        cycle,
        {"org.direction": 25, "org.workload": 100, "org.results": 75},
        actor_id=None,
        notes={"org.workload": Notes(improvements="Plan the rota with staff")},
    )
    for key, value in [("a", 1), ("b", 2), ("c", 1)]:
        create_response(
            session,
            cycle,
            group="staff",
            respondent=key,
            source="import",
            submitted=True,
            answers={"staff.goals": value},
        )
    session.commit()
    # Suggestions come from released figures: nothing before the close.
    assert [p for p in plan.proposals(session, cycle) if p.kind == "score"] == []
    close_cycle(session, cycle)
    session.commit()
    found = plan.proposals(session, cycle)
    scored = [p for p in found if p.kind == "score"]
    assert {p.criterion for p in scored} == {"1", "2"}
    assert all(p.score is not None for p in scored)
    assert scored[0].score is not None and scored[1].score is not None
    assert scored[0].score <= scored[1].score
    notes = [p for p in found if p.kind == "consensus"]
    assert notes == [plan.Proposal("1.2", "consensus", note="Plan the rota with staff")]


def test_closed_cycles_keep_their_plan(session: Session, cycle: Cycle) -> None:
    action = plan.add_action(session, cycle, criterion="2", title="After closing")
    close_cycle(session, cycle)
    plan.update_action(session, action, status="done", progress="ok")
    session.commit()
    assert plan.actions_for_cycle(session, cycle.id)[0].status == "done"
