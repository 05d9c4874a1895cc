"""Responses and their answers, for the web, paper entry and edits by staff.

Every function keeps `item_counts` in step within the caller's transaction; the caller
commits. Values are checked against the cycle's methodology here as well, so no path
can store an answer the methodology does not allow or an answer to a hidden item.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from qms.methodology.answers import AnswerValue, BadValue, check_value, without_hidden
from qms.methodology.model import Methodology
from qms.store.answers import ANSWERS, answer_rows, load_answers
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.counts import ResponseState, update_counts
from qms.store.cycles import hold_open, require_group, require_open_status
from qms.store.db import lock_cycle
from qms.store.errors import Closed, Conflict, NotFound, StoreError
from qms.store.models import Answer, Cycle, GroupCollection, Response
from qms.store.models.cycles import RESPONSE_SOURCES
from qms.store.releases import require_collecting
from qms.store.snapshots import cycle_methodology, methodology_by_hash

WEB_PREFIX = "web:"
PAPER_PREFIX = "paper:"


RESPONSES = cast(Table, Response.__table__)
# The statements of a web save, built once (building them cost about as much as running).
_LOCK = (
    update(RESPONSES)
    .where(RESPONSES.c.id == bindparam("response_id"))
    .values(updated_at=bindparam("now"))
)
_CYCLE_STATE = select(
    Cycle.status,
    Cycle.snapshot_hash,
    select(GroupCollection.closed_at)
    .where(
        GroupCollection.cycle_id == bindparam("cycle_id"),
        GroupCollection.group_id == bindparam("group_id"),
    )
    .scalar_subquery(),
).where(Cycle.id == bindparam("cycle_id"))
_DELETE_ANSWERS = delete(ANSWERS).where(
    ANSWERS.c.response_id == bindparam("response_id"),
    ANSWERS.c.item_id.in_(bindparam("items", expanding=True)),
)


def new_respondent_key() -> str:
    """A key for a web response; the `:` keeps it apart from every imported id."""
    return WEB_PREFIX + secrets.token_hex(8)


def _checked(
    methodology: Methodology, group: str, answers: Mapping[str, object]
) -> dict[str, AnswerValue]:
    questionnaire = methodology.questionnaires.get(group)
    if questionnaire is None:
        raise StoreError(f"unknown group {group!r}")
    own = {item.id: item for item in questionnaire.items}
    checked: dict[str, AnswerValue] = {}
    for item_id, value in answers.items():
        if item_id not in own:
            raise StoreError(f"item {item_id!r} is not in the {group} questionnaire")
        if value is None:
            continue
        try:
            checked[item_id] = check_value(methodology, own[item_id], value)
        except BadValue as exc:
            raise StoreError(f"item {item_id}: {exc}") from exc
    kept = without_hidden(questionnaire, checked)
    if hidden := sorted(set(checked) - set(kept)):
        raise StoreError(f"item {hidden[0]} is not shown for these answers")
    return kept


def _change(
    session: Session,
    cycle_id: int,
    methodology: Methodology,
    response: Response,
    before: Mapping[str, AnswerValue] | None,
    after: Mapping[str, AnswerValue],
) -> None:
    """Write only the answers that differ (a web save changes one), then the counts.
    `before` None: the response is new and had no contribution yet."""
    old = before or {}
    stale = [i for i, v in old.items() if after.get(i) != v]
    fresh = {i: v for i, v in after.items() if old.get(i) != v}
    if stale:
        session.execute(_DELETE_ANSWERS, {"response_id": response.id, "items": stale})
    if fresh:
        items = {i: methodology.item(i) for i in fresh}
        session.execute(insert(ANSWERS), answer_rows(response.id, items, fresh))
    update_counts(
        session,
        cycle_id,
        methodology,
        None if before is None else ResponseState.of(response, before),
        ResponseState.of(response, after),
    )


def create_response(
    session: Session,
    cycle: Cycle,
    *,
    group: str,
    respondent: str | None = None,
    source: str = "web",
    submitted: bool = False,
    proxy: bool = False,
    answers: Mapping[str, object] | None = None,
) -> Response:
    """A new response (a web key is generated when `respondent` is None)."""
    hold_open(session, cycle.id)
    # Every way in (a code made before its group was left out, the consensus pages)
    # ends here: no response for a group the cycle does not ask.
    require_group(session, cycle, group)
    require_collecting(session, cycle.id, group)
    if source not in RESPONSE_SOURCES:
        raise StoreError(f"unknown source {source!r}")
    methodology = cycle_methodology(cycle)
    checked = _checked(methodology, group, answers or {})
    respondent = respondent or new_respondent_key()
    if find_response(session, cycle.id, respondent) is not None:
        raise Conflict(f"respondent {respondent} already answered in cycle {cycle.id}")
    now = utcnow()
    response = Response(
        cycle_id=cycle.id,
        group_id=group,
        respondent=respondent,
        source=source,
        status="submitted" if submitted else "in_progress",
        proxy=proxy,
        created_at=now,
        updated_at=now,
        submitted_at=now if submitted else None,
    )
    session.add(response)
    session.flush()
    _change(session, cycle.id, methodology, response, None, checked)
    return response


def enter_paper(
    session: Session,
    cycle: Cycle,
    *,
    group: str,
    entry: str,
    answers: Mapping[str, object],
    proxy: bool = False,
    actor_id: int | None = None,
) -> Response:
    """One paper questionnaire typed in by staff: a submitted response of source "paper".
    `entry` names the typing of one form (the form page makes it), so the same form sent
    twice (a double click, a reload) is refused with Conflict instead of counted twice.
    The consensus group has its own page and is never entered from paper; a group the
    cycle does not ask raises GroupNotInCycle (from create_response)."""
    methodology = cycle_methodology(cycle)
    if group not in methodology.questionnaires or methodology.group(group).is_consensus:
        raise StoreError(f"group {group!r} is not entered from paper")
    if not entry or len(entry) > 64 or ":" in entry:
        raise StoreError("a paper entry needs an id of 1-64 characters without ':'")
    response = create_response(
        session,
        cycle,
        group=group,
        respondent=PAPER_PREFIX + entry,
        source="paper",
        submitted=True,
        proxy=proxy,
        answers=answers,
    )
    record_event(
        session,
        actor_id=actor_id,
        action="responses.paper_entered",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"group": group, "answers": sum(1 for v in answers.values() if v is not None)},
    )
    return response


def _lock(session: Session, response: Response) -> None:
    """Take the response's write lock before reading its answers: two saves of one
    response (a double click, two htmx requests in flight) then run one after the other
    instead of both deleting and re-inserting the same rows. An UPDATE does this on both
    engines: a row lock on PostgreSQL, the database's write lock on SQLite."""
    now = utcnow()
    # On the table, not through the ORM: a web save takes this path on every answer,
    # and the ORM's bulk update and the flush of a changed attribute cost a fifth of it.
    session.execute(_LOCK, {"response_id": response.id, "now": now})
    set_committed_value(response, "updated_at", now)


def find_response(session: Session, cycle_id: int, respondent: str) -> Response | None:
    return session.scalar(
        select(Response).where(Response.cycle_id == cycle_id, Response.respondent == respondent)
    )


def get_response(session: Session, cycle_id: int, respondent: str) -> Response:
    response = find_response(session, cycle_id, respondent)
    if response is None:
        raise NotFound(f"no respondent {respondent} in cycle {cycle_id}")
    return response


def response_answers(session: Session, response: Response) -> dict[str, AnswerValue]:
    return load_answers(session, [response.id])[response.id]


def replace_answers(
    session: Session, response: Response, answers: Mapping[str, object]
) -> dict[str, AnswerValue]:
    """Make `answers` the response's complete set of answers."""
    hold_open(session, response.cycle_id)
    _lock(session, response)
    cycle = session.get_one(Cycle, response.cycle_id)
    require_collecting(session, cycle.id, response.group_id)
    methodology = cycle_methodology(cycle)
    checked = _checked(methodology, response.group_id, answers)
    _change(session, cycle.id, methodology, response, response_answers(session, response), checked)
    return checked


def set_answer(
    session: Session, response: Response, item_id: str, value: object | None
) -> dict[str, AnswerValue]:
    """Save one answer (None clears it). Answers that a changed condition now hides are
    removed with it, as the respondent no longer sees those items. Returns all answers."""
    # The cycle's lock, then the response's (the order of qms.store.db.lock_cycle); two
    # columns, not the cycle's row: this runs on every answer a respondent gives.
    lock_cycle(session, response.cycle_id, shared=True)
    status, digest, group_closed = session.execute(
        _CYCLE_STATE, {"cycle_id": response.cycle_id, "group_id": response.group_id}
    ).one()
    require_open_status(response.cycle_id, status)
    if group_closed is not None:
        raise Closed(f"the collection of group {response.group_id} is closed")
    _lock(session, response)
    methodology = methodology_by_hash(session, response.cycle_id, digest)
    questionnaire = methodology.questionnaires[response.group_id]
    item = next((i for i in questionnaire.items if i.id == item_id), None)
    if item is None:
        raise StoreError(f"item {item_id!r} is not in the {response.group_id} questionnaire")
    before = response_answers(session, response)
    wanted = {i: v for i, v in before.items() if i != item_id}
    if value is not None:
        try:
            wanted[item_id] = check_value(methodology, item, value)
        except BadValue as exc:
            raise StoreError(f"item {item_id}: {exc}") from exc
    kept = without_hidden(questionnaire, wanted)
    if value is not None and item_id not in kept:
        raise StoreError(f"item {item_id} is not shown for these answers")
    _change(session, response.cycle_id, methodology, response, before, kept)
    return kept


def submit_response(session: Session, response: Response) -> None:
    lock_cycle(session, response.cycle_id, shared=True)
    _lock(session, response)
    session.refresh(response)
    if response.status == "submitted":
        return
    hold_open(session, response.cycle_id)
    cycle = session.get_one(Cycle, response.cycle_id)
    require_collecting(session, cycle.id, response.group_id)
    methodology = cycle_methodology(cycle)
    answers = response_answers(session, response)
    before = ResponseState.of(response, answers)
    now = utcnow()
    response.status = "submitted"
    response.submitted_at = now
    response.updated_at = now
    update_counts(session, cycle.id, methodology, before, ResponseState.of(response, answers))
    session.flush()


def delete_response(session: Session, response: Response) -> None:
    """Remove a response and its answers (a withdrawn form, a test entry)."""
    # A closed cycle's results stay as they were reported.
    hold_open(session, response.cycle_id)
    cycle = session.get_one(Cycle, response.cycle_id)
    require_collecting(session, cycle.id, response.group_id)
    methodology = cycle_methodology(cycle)
    before = ResponseState.of(response, response_answers(session, response))
    update_counts(session, cycle.id, methodology, before, None)
    session.execute(delete(Answer).where(Answer.response_id == response.id))
    session.delete(response)
    session.flush()


def response_totals(session: Session, cycle_id: int) -> dict[str, dict[str, int]]:
    """Responses per group and status ({group: {"submitted": n, "in_progress": m}})."""
    rows = session.execute(
        select(Response.group_id, Response.status, func.count())
        .where(Response.cycle_id == cycle_id)
        .group_by(Response.group_id, Response.status)
    )
    totals: dict[str, dict[str, int]] = {}
    for group, status, n in rows:
        totals.setdefault(group, {})[status] = n
    return totals
