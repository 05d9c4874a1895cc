"""Writing checked import rows: all or nothing, counts updated by difference."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.imports.csvfile import RowError
from qms.imports.validate import ParsedImport
from qms.store.answers import ANSWERS, answer_rows, load_answers
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.counts import CountKey, ResponseState, apply_delta, difference
from qms.store.cycles import asked_groups, require_open
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
    require_open(cycle)
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
    responses: list[tuple[Response, dict[str, Any]]] = []
    for parsed_one in parsed.respondents:
        response = existing.get(parsed_one.key)
        if response is not None:
            delta.update(
                difference(methodology, ResponseState.of(response, old_answers[response.id]), None)
            )
            response.group_id = parsed_one.group
            response.source = "import"
            response.updated_at = now
            if response.status != "submitted":
                response.status, response.submitted_at = "submitted", now
        else:
            response = Response(
                cycle_id=cycle.id,
                group_id=parsed_one.group,
                respondent=parsed_one.key,
                status="submitted",
                source="import",
                proxy=False,
                created_at=now,
                updated_at=now,
                submitted_at=now,
            )
            session.add(response)
        responses.append((response, parsed_one.answers))
    session.flush()  # ids for the new responses

    replaced_ids = [existing[k].id for k in existing]
    for start in range(0, len(replaced_ids), _CHUNK):
        chunk = replaced_ids[start : start + _CHUNK]
        session.execute(delete(Answer).where(Answer.response_id.in_(chunk)))
    # In batches: a million answer rows at once would be a million dicts in memory.
    batch: list[dict[str, Any]] = []
    written = 0
    items = {item.id: item for item in methodology.items()}
    for response, answers in responses:
        batch.extend(answer_rows(response.id, items, answers))
        delta.update(difference(methodology, None, ResponseState.of(response, answers)))
        if len(batch) >= _BATCH:
            session.execute(insert(ANSWERS), batch)
            written, batch = written + len(batch), []
    if batch:
        session.execute(insert(ANSWERS), batch)
        written += len(batch)
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
