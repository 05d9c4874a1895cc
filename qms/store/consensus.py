"""The organisation group's consensus workflow (METHODOLOGY.md §1, §3 "which responses
count"): every member of the working group first scores the items on their own, the
spread of those scores guides the consensus meeting, and the group then records one
consensus score per item with its evidence, strengths and areas for improvement.

Members' entries are responses with the respondent key `assessor:<user id>` (an id, never
a name); the consensus record is the response `consensus`. Both go through
qms.store.responses, so `item_counts` stays right: counting already ignores every
response of a consensus group but `consensus` (qms.store.counts.is_counted), so members'
entries are stored and shown to the working group, never scored. The caller commits.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.methodology.answers import AnswerValue
from qms.methodology.model import Item, Methodology
from qms.store.answers import load_answers
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.cycles import require_open
from qms.store.errors import StoreError
from qms.store.models import ConsensusNote, Cycle, Response
from qms.store.models.cycles import ASSESSOR_PREFIX, CONSENSUS_KEY
from qms.store.responses import (
    create_response,
    find_response,
    replace_answers,
    response_answers,
    submit_response,
)
from qms.store.snapshots import cycle_methodology

# A spread is "wide" when the members' scores of an item lie at least this far apart:
# 30 points on the 0–100 panel is three steps of 10, i.e. members put the item in bands
# that are at least one whole band apart (say "Plan" against "Check"). Such items are
# the ones the consensus meeting should discuss first.
WIDE_SPREAD = 30
NOTE_FIELDS = ("evidence", "strengths", "improvements")


@dataclass(frozen=True)
class ItemSpread:
    n: int
    min: int
    median: float
    max: int
    wide: bool


@dataclass(frozen=True)
class Notes:
    evidence: str = ""
    strengths: str = ""
    improvements: str = ""

    @property
    def empty(self) -> bool:
        return not (self.evidence or self.strengths or self.improvements)


def assessor_key(user_id: int) -> str:
    return f"{ASSESSOR_PREFIX}{user_id}"


def consensus_group(methodology: Methodology) -> str:
    """The methodology's consensus group (the organisation group of SocQuality)."""
    for group in methodology.groups:
        if group.is_consensus:
            return group.id
    raise StoreError(f"methodology {methodology.id} has no consensus group")


def scale_items(methodology: Methodology) -> tuple[Item, ...]:
    """The consensus group's scale items, in questionnaire order: what members score."""
    questionnaire = methodology.questionnaires[consensus_group(methodology)]
    return tuple(item for item in questionnaire.items if item.type == "scale")


def my_entry(session: Session, cycle: Cycle, user_id: int) -> Response | None:
    return find_response(session, cycle.id, assessor_key(user_id))


def my_answers(session: Session, cycle: Cycle, user_id: int) -> dict[str, AnswerValue]:
    entry = my_entry(session, cycle, user_id)
    return {} if entry is None else response_answers(session, entry)


def save_my_entry(
    session: Session, cycle: Cycle, user_id: int, answers: Mapping[str, object]
) -> dict[str, AnswerValue]:
    """Make `answers` the member's complete entry. It is stored as submitted: it is never
    counted anyway, and the spread reads every entry."""
    require_open(cycle)
    group = consensus_group(cycle_methodology(cycle))
    entry = my_entry(session, cycle, user_id)
    if entry is None:
        entry = create_response(
            session,
            cycle,
            group=group,
            respondent=assessor_key(user_id),
            source="web",
            submitted=True,
        )
    saved = replace_answers(session, entry, answers)
    session.flush()
    return saved


def spread(session: Session, cycle: Cycle) -> dict[str, ItemSpread]:
    """Per scale item, the spread of the members' valid scores (submitted and in-progress
    entries; "don't know" and "not applicable" are left out). Items nobody scored are
    absent."""
    methodology = cycle_methodology(cycle)
    group = consensus_group(methodology)
    ids = list(
        session.scalars(
            select(Response.id).where(
                Response.cycle_id == cycle.id,
                Response.group_id == group,
                Response.respondent.startswith(ASSESSOR_PREFIX, autoescape=True),
            )
        )
    )
    entries = load_answers(session, ids)
    result: dict[str, ItemSpread] = {}
    for item in scale_items(methodology):
        scale = methodology.item_scale(item)
        values = sorted(
            v
            for answers in entries.values()
            if isinstance(v := answers.get(item.id), int)
            and not isinstance(v, bool)
            and scale.is_valid(v)
        )
        if values:
            low, high = values[0], values[-1]
            result[item.id] = ItemSpread(
                len(values),
                low,
                float(statistics.median(values)),
                high,
                high - low >= WIDE_SPREAD,
            )
    return result


def consensus_record(session: Session, cycle: Cycle) -> Response | None:
    return find_response(session, cycle.id, CONSENSUS_KEY)


def consensus_answers(session: Session, cycle: Cycle) -> dict[str, AnswerValue]:
    record = consensus_record(session, cycle)
    return {} if record is None else response_answers(session, record)


def consensus_notes(session: Session, cycle: Cycle) -> dict[str, Notes]:
    rows = session.scalars(select(ConsensusNote).where(ConsensusNote.cycle_id == cycle.id))
    return {r.item_id: Notes(r.evidence, r.strengths, r.improvements) for r in rows}


def _save_notes(session: Session, cycle: Cycle, notes: Mapping[str, Notes]) -> None:
    existing = {
        r.item_id: r
        for r in session.scalars(select(ConsensusNote).where(ConsensusNote.cycle_id == cycle.id))
    }
    for item_id, note in notes.items():
        row = existing.get(item_id)
        if note.empty:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                ConsensusNote(
                    cycle_id=cycle.id,
                    item_id=item_id,
                    evidence=note.evidence,
                    strengths=note.strengths,
                    improvements=note.improvements,
                    updated_at=utcnow(),
                )
            )
        elif (row.evidence, row.strengths, row.improvements) != (
            note.evidence,
            note.strengths,
            note.improvements,
        ):
            row.evidence, row.strengths, row.improvements = (
                note.evidence,
                note.strengths,
                note.improvements,
            )


def save_consensus(
    session: Session,
    cycle: Cycle,
    answers: Mapping[str, object],
    *,
    actor_id: int | None,
    notes: Mapping[str, Notes] | None = None,
) -> dict[str, AnswerValue]:
    """Set the consensus scores of the scale items (an item absent from `answers` loses
    its score) and, for the items in `notes`, their notes. The record's other answers (the
    number and text items, entered or imported elsewhere) are kept. The record is
    submitted, so it counts at once."""
    require_open(cycle)
    methodology = cycle_methodology(cycle)
    scale_ids = {item.id for item in scale_items(methodology)}
    if stray := sorted(set(answers) - scale_ids):
        raise StoreError(f"item {stray[0]!r} is not a scale item of the consensus group")
    if notes and (stray := sorted(set(notes) - scale_ids)):
        raise StoreError(f"item {stray[0]!r} is not a scale item of the consensus group")
    record = consensus_record(session, cycle)
    if record is None:
        record = create_response(
            session,
            cycle,
            group=consensus_group(methodology),
            respondent=CONSENSUS_KEY,
            source="web",
            submitted=True,
            answers=answers,
        )
        saved = response_answers(session, record)
    else:
        kept = {k: v for k, v in response_answers(session, record).items() if k not in scale_ids}
        saved = replace_answers(session, record, {**kept, **answers})
        if record.status != "submitted":
            submit_response(session, record)
    _save_notes(session, cycle, notes or {})
    record_event(
        session,
        actor_id=actor_id,
        action="consensus.changed",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"scores": len([k for k in saved if k in scale_ids])},
    )
    session.flush()
    return saved
