"""Releases (METHODOLOGY.md §5.2): figures rest on frozen records made at each close."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.store import codes
from qms.store.cycles import asked_groups, close_cycle, reopen_cycle
from qms.store.errors import Conflict, StoreError
from qms.store.models import AuditEvent, Cycle, ReleaseResponse
from qms.store.releases import (
    close_group,
    release_states,
    released_rows,
    reopen_group,
)
from qms.store.responses import create_response, get_response, replace_answers, set_answer
from qms.store.scores import cycle_scores, live_scores


def _staff(session: Session, cycle: Cycle, key: str, goals: int, **more: object) -> None:
    create_response(
        session,
        cycle,
        group="staff",
        respondent=key,
        source="import",
        submitted=True,
        answers={"staff.goals": goals, **more},
    )


def _goals(session: Session, cycle: Cycle) -> dict[str, int] | None:
    stats = cycle_scores(session, cycle).item("staff", "staff.goals")
    assert stats is not None
    return stats.histogram


def test_an_open_cycle_has_no_figures_until_it_closes(session: Session, cycle: Cycle) -> None:
    for n, value in enumerate([1, 2, 4]):
        _staff(session, cycle, f"s{n}", value)
    session.commit()
    assert _goals(session, cycle) is None
    live = live_scores(session, cycle).item("staff", "staff.goals")
    assert live is not None and live.n == 3  # the operator's look only
    close_cycle(session, cycle)
    session.commit()
    assert _goals(session, cycle) == {"1": 1, "2": 1, "4": 1, "7": 0}


def test_a_reclose_with_fewer_than_k_changes_keeps_the_release(
    session: Session, cycle: Cycle
) -> None:
    for n, value in enumerate([1, 2, 4]):
        _staff(session, cycle, f"s{n}", value)
    close_cycle(session, cycle)
    session.commit()
    before = _goals(session, cycle)

    reopen_cycle(session, cycle, reason="late forms")
    _staff(session, cycle, "late", 7)  # one more: the difference would be this person
    result = close_cycle(session, cycle)
    session.commit()
    assert _goals(session, cycle) == before
    (kept,) = [o for o in result.kept if o.group == "staff"]
    assert (kept.released, kept.seq, kept.waiting) == (False, 1, 1)
    state = release_states(session, cycle, asked_groups(session, cycle))["staff"]
    assert (state.seq, state.respondents, state.waiting) == (1, 3, 1)

    reopen_cycle(session, cycle, reason="more forms")
    _staff(session, cycle, "late2", 7)
    _staff(session, cycle, "late3", 7)  # three changes since release 1: min_n of staff
    close_cycle(session, cycle)
    session.commit()
    assert _goals(session, cycle) == {"1": 1, "2": 1, "4": 1, "7": 3}
    state = release_states(session, cycle, asked_groups(session, cycle))["staff"]
    assert (state.seq, state.respondents, state.waiting) == (2, 6, 0)


def test_a_new_release_differs_from_every_earlier_one(session: Session, cycle: Cycle) -> None:
    for n in range(3):
        _staff(session, cycle, f"s{n}", 1)
    close_cycle(session, cycle)  # release 1: three answers of 1
    for n in range(3):
        reopen_cycle(session, cycle, reason="x")
        response = get_response(session, cycle.id, f"s{n}")
        replace_answers(session, response, {"staff.goals": 7})
        close_cycle(session, cycle)
    session.commit()
    assert _goals(session, cycle) == {"1": 0, "2": 0, "4": 0, "7": 3}  # release 2
    # Back to the first state: one change from release 1, so release 2 stands.
    reopen_cycle(session, cycle, reason="x")
    for n in range(2):
        replace_answers(session, get_response(session, cycle.id, f"s{n}"), {"staff.goals": 1})
    close_cycle(session, cycle)
    session.commit()
    assert _goals(session, cycle) == {"1": 0, "2": 0, "4": 0, "7": 3}


def test_every_question_changes_for_none_or_at_least_k(session: Session, cycle: Cycle) -> None:
    """Three respondents changed, but the pressure question only for one of them: its
    histograms would give that one person's answer away."""
    for n in range(3):
        _staff(session, cycle, f"s{n}", 1, **{"staff.pressure": 1})
    close_cycle(session, cycle)
    reopen_cycle(session, cycle, reason="x")
    replace_answers(
        session, get_response(session, cycle.id, "s0"), {"staff.goals": 2, "staff.pressure": 7}
    )
    for n in (1, 2):
        replace_answers(
            session,
            get_response(session, cycle.id, f"s{n}"),
            {"staff.goals": 2, "staff.pressure": 1},
        )
    result = close_cycle(session, cycle)
    session.commit()
    assert [o.released for o in result.outcomes if o.group == "staff"] == [False]
    pressure = cycle_scores(session, cycle).item("staff", "staff.pressure")
    assert pressure is not None and pressure.histogram == {"1": 3, "2": 0, "4": 0, "7": 0}


def test_a_group_closes_ahead_of_the_cycle(session: Session, cycle: Cycle) -> None:
    for n, value in enumerate([1, 2, 4]):
        _staff(session, cycle, f"s{n}", value)
    unfinished = create_response(session, cycle, group="staff")
    set_answer(session, unfinished, "staff.goals", 7)
    code = codes.create_codes(session, cycle, "staff", 1)[0]
    session.commit()
    outcome = close_group(
        session, cycle, "staff", asked=asked_groups(session, cycle), actor_id=None
    )
    session.commit()
    assert outcome.released and outcome.seq == 1
    assert cycle.status == "open"
    assert _goals(session, cycle) == {"1": 1, "2": 1, "4": 1, "7": 1}  # unfinished counts
    target = codes.resolve(session, code)
    assert target is not None and not target.cycle_open  # its codes stop
    with pytest.raises(StoreError, match="closed"):
        _staff(session, cycle, "late", 1)
    with pytest.raises(Conflict, match="closed"):
        set_answer(session, unfinished, "staff.goals", 1)
    session.rollback()
    # Other groups still collect.
    create_response(
        session,
        cycle,
        group="clients",
        respondent="c1",
        source="import",
        submitted=True,
        answers={"clients.respect": 1},
    )
    events = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("collection.%"))
    ).all()
    assert events == ["collection.closed"]

    reopen_group(session, cycle, "staff", actor_id=None)
    _staff(session, cycle, "late", 1)
    session.commit()
    assert _goals(session, cycle) == {"1": 1, "2": 1, "4": 1, "7": 1}  # release 1 stands
    close_cycle(session, cycle)  # one change: still release 1
    session.commit()
    state = release_states(session, cycle, asked_groups(session, cycle))["staff"]
    assert (state.seq, state.waiting) == (1, 1)


def test_released_responses_hold_no_key_of_the_respondent(session: Session, cycle: Cycle) -> None:
    _staff(session, cycle, "Anna Bērziņa", 1)
    close_cycle(session, cycle)
    session.commit()
    stored = session.execute(select(ReleaseResponse.unit, ReleaseResponse.answers)).all()
    assert stored and all("Anna" not in unit and "Anna" not in str(a) for unit, a in stored)
    rows = released_rows(session, cycle, "staff")
    assert [dict(r.answers) for r in rows] == [{"staff.goals": 1}]
