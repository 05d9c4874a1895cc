"""Writing checked import rows: all or nothing, counts updated by difference."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.imports.csvfile import RowError
from qms.imports.validate import ParsedImport, ParsedRespondent
from qms.methodology.answers import AnswerValue
from qms.methodology.model import Item
from qms.store.answers import ANSWERS, answer_rows, load_answers
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.counts import CountKey, ResponseState, apply_delta, difference
from qms.store.cycles import asked_groups, hold_open
from qms.store.errors import GroupNotInCycle, StoreError
from qms.store.models import Answer, Cycle, Response
from qms.store.releases import closed_groups
from qms.store.snapshots import cycle_methodology

MAX_REPORTED = 50
_CHUNK = 500
_BATCH = 5000


class ImportRejected(StoreError):
    """Bad rows: nothing was stored. `lines` are ready to print, `total` counts them all."""

    def __init__(self, lines: list[str], total: int) -> None:
        super().__init__(f"{total} bad row(s); nothing was imported")
        self.lines = lines
        self.total = total


@dataclass(frozen=True)
class ImportResult:
    created: int
    replaced: int
    answers: int
    missing_required: int


def _existing(session: Session, cycle_id: int, keys: list[str]) -> dict[str, Response]:
    found: dict[str, Response] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        query = select(Response).where(
            Response.cycle_id == cycle_id, Response.respondent.in_(chunk)
        )
        found.update((r.respondent, r) for r in session.scalars(query))
    return found


class _AnswerWriter:
    """Answer rows inserted a batch at a time."""

    def __init__(self, session: Session, items: Mapping[str, Item]) -> None:
        self.session, self.items = session, items
        self.batch: list[dict[str, Any]] = []
        self.written = 0

    def add(self, response_id: int, answers: Mapping[str, AnswerValue]) -> None:
        self.batch.extend(answer_rows(response_id, self.items, answers))
        if len(self.batch) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            self.session.execute(insert(ANSWERS), self.batch)
            self.written += len(self.batch)
            self.batch = []

    def finish(self) -> int:
        self.flush()
        return self.written


def _insert_responses(
    session: Session, cycle_id: int, respondents: list[ParsedRespondent], now: datetime
) -> dict[str, int]:
    """New submitted responses of source `import`; their ids by respondent key."""
    rows = [
        {
            "cycle_id": cycle_id,
            "group_id": r.group,
            "respondent": r.key,
            "status": "submitted",
            "source": "import",
            "proxy": False,
            "created_at": now,
            "updated_at": now,
            "submitted_at": now,
        }
        for r in respondents
    ]
    made = session.execute(insert(Response).returning(Response.respondent, Response.id), rows)
    return {row[0]: row[1] for row in made}


def reject(errors: list[RowError], label: str) -> ImportRejected:
    ordered = sorted(errors, key=lambda e: e.line)
    lines = [e.format(label) for e in ordered[:MAX_REPORTED]]
    if len(ordered) > MAX_REPORTED:
        lines.append(f"{label}: ... and {len(ordered) - MAX_REPORTED} more bad rows")
    return ImportRejected(lines, len(ordered))


def _groups_not_asked(
    session: Session,
    cycle: Cycle,
    parsed: ParsedImport,
    bad_lines: set[int],
    existing: Mapping[str, Response] | None = None,
) -> list[RowError]:
    """Every row of a respondent whose group the cycle does not ask, but for rows already
    refused for another reason (one line, one reason)."""
    asked = asked_groups(session, cycle)
    closed = closed_groups(session, cycle.id)
    refused = {r.group for r in parsed.respondents} - set(asked)
    messages = {g: str(GroupNotInCycle(cycle.id, g, asked)) for g in refused}
    # A group whose collection is closed ahead of the cycle takes no more answers: its
    # release must not change behind the working group's back.
    for group in closed:
        messages.setdefault(group, f"the collection of group {group} in cycle {cycle.id} is closed")
    moved_from = {k: r.group_id for k, r in (existing or {}).items()}
    return [
        RowError(line, messages.get(r.group) or messages[moved_from[r.key]])
        for r in parsed.respondents
        if r.group in messages or moved_from.get(r.key) in closed
        for line in sorted(set(r.lines.values()) - bad_lines)
    ]


def import_responses(
    session: Session,
    cycle: Cycle,
    parsed: ParsedImport,
    *,
    label: str,
    replace: bool = False,
    actor_id: int | None = None,
) -> ImportResult:
    """Store every respondent of `parsed` as a submitted response with source `import`.

    Raises ImportRejected (having written nothing) when `parsed` has bad rows, has rows
    of a group the cycle does not ask, or names a respondent the cycle already has and
    `replace` is off. With `replace`, such a respondent's answers (and group) become
    those of the file.

    Two imports of the same respondents at once both find them new; the second to
    write then breaks the cycle's unique respondent key. That import is rolled back
    (the session with it) and checked again, now seeing the first one's respondents,
    so it fails as it would have one after the other: each respondent already in the
    cycle named at its file and line (or, with `replace`, replaced)."""
    try:
        return _import(session, cycle, parsed, label=label, replace=replace, actor_id=actor_id)
    except IntegrityError:
        session.rollback()
    return _import(session, cycle, parsed, label=label, replace=replace, actor_id=actor_id)


def _import(
    session: Session,
    cycle: Cycle,
    parsed: ParsedImport,
    *,
    label: str,
    replace: bool,
    actor_id: int | None,
) -> ImportResult:
    # The cycle's lock before its state and its closed groups are read, as for a save: a
    # close waits for the import, or the import finds the cycle closed.
    hold_open(session, cycle.id)
    methodology = cycle_methodology(cycle)
    existing = _existing(session, cycle.id, [r.key for r in parsed.respondents])
    errors = list(parsed.errors)
    if existing and not replace:
        errors.extend(
            RowError(
                r.line,
                f"respondent {r.key} is already in cycle {cycle.id} "
                "(import with --replace to replace their answers)",
            )
            for r in parsed.respondents
            if r.key in existing
        )
    errors.extend(_groups_not_asked(session, cycle, parsed, {e.line for e in errors}, existing))
    if errors:
        raise reject(errors, label)

    now = utcnow()
    old_answers = load_answers(session, [r.id for r in existing.values()])
    delta: Counter[CountKey] = Counter()
    replaced: list[tuple[int, ResponseState]] = []
    fresh: list[ParsedRespondent] = []
    for parsed_one in parsed.respondents:
        response = existing.get(parsed_one.key)
        if response is None:
            fresh.append(parsed_one)
            continue
        delta.update(
            difference(methodology, ResponseState.of(response, old_answers[response.id]), None)
        )
        response.group_id = parsed_one.group
        response.source = "import"
        response.updated_at = now
        if response.status != "submitted":
            response.status, response.submitted_at = "submitted", now
        replaced.append((response.id, ResponseState.of(response, parsed_one.answers)))
    session.flush()
    replaced_ids = [response_id for response_id, _ in replaced]
    for start in range(0, len(replaced_ids), _CHUNK):
        chunk = replaced_ids[start : start + _CHUNK]
        session.execute(delete(Answer).where(Answer.response_id.in_(chunk)))

    # New respondents and all answers go in by batches through Core inserts, in this one
    # transaction: ORM objects and answer dicts for a million rows at once would cost
    # gigabytes, and a failure anywhere still leaves nothing behind.
    writer = _AnswerWriter(session, {item.id: item for item in methodology.items()})
    for response_id, state in replaced:
        writer.add(response_id, state.answers)
        delta.update(difference(methodology, None, state))
    for start in range(0, len(fresh), _CHUNK):
        part = fresh[start : start + _CHUNK]
        ids = _insert_responses(session, cycle.id, part, now)
        for parsed_one in part:
            state = ResponseState(parsed_one.group, parsed_one.key, "submitted", parsed_one.answers)
            writer.add(ids[parsed_one.key], parsed_one.answers)
            delta.update(difference(methodology, None, state))
    written = writer.finish()
    apply_delta(session, cycle.id, delta)
    result = ImportResult(
        created=len(parsed.respondents) - len(existing),
        replaced=len(existing),
        answers=written,
        missing_required=parsed.missing_required,
    )
    record_event(
        session,
        actor_id=actor_id,
        action="responses.imported",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={
            "file": label,
            "created": result.created,
            "replaced": result.replaced,
            "answers": result.answers,
        },
    )
    return result
