"""The running counts of `item_counts`, kept by difference inside each write.

Every write that changes a response calls `update_counts(before, after)`: the response's
old contribution is taken away and the new one added, only the keys that change are
touched, and the database adds the change to the stored count (an upsert), so
concurrent writers never lose each other's updates. `recompute_counts` derives the same
numbers from the answers, for tests and repair.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import cast

from sqlalchemy import Insert, Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from qms.methodology.answers import AnswerValue, is_shown
from qms.methodology.model import Methodology
from qms.store.answers import load_answers
from qms.store.models import Cycle, ItemCount, Response
from qms.store.models.cycles import CONSENSUS_KEY
from qms.store.snapshots import cycle_methodology

ITEM_COUNTS = cast(Table, ItemCount.__table__)
SHOWN = "shown"
ANSWERED = "answered"
CountKey = tuple[str, str, str]  # (group, item, key)


@dataclass(frozen=True)
class ResponseState:
    """What of a response decides its contribution to the counts."""

    group: str
    respondent: str
    status: str
    answers: Mapping[str, AnswerValue]

    @classmethod
    def of(cls, response: Response, answers: Mapping[str, AnswerValue]) -> ResponseState:
        return cls(response.group_id, response.respondent, response.status, dict(answers))


def is_counted(methodology: Methodology, group: str, respondent: str, status: str) -> bool:
    """METHODOLOGY.md §3: submitted responses count; in a consensus group only the
    consensus record does (members' own entries are never scored)."""
    if status != "submitted":
        return False
    return not methodology.group(group).is_consensus or respondent == CONSENSUS_KEY


def contribution(methodology: Methodology, state: ResponseState | None) -> Counter[CountKey]:
    counts: Counter[CountKey] = Counter()
    if state is None or not is_counted(methodology, state.group, state.respondent, state.status):
        return counts
    group = state.group
    for item in methodology.questionnaires[group].items:
        if not is_shown(item, state.answers):
            continue
        counts[group, item.id, SHOWN] += 1
        value = state.answers.get(item.id)
        if value is None:
            continue
        if item.type in ("scale", "choice"):
            counts[group, item.id, str(value)] += 1
            continue
        counts[group, item.id, ANSWERED] += 1
        if item.type == "multi" and isinstance(value, tuple):
            for option in value:
                counts[group, item.id, option] += 1
    return counts


def difference(
    methodology: Methodology, before: ResponseState | None, after: ResponseState | None
) -> Counter[CountKey]:
    delta = contribution(methodology, after)
    delta.subtract(contribution(methodology, before))
    return delta


def apply_delta(session: Session, cycle_id: int, delta: Mapping[CountKey, int]) -> None:
    """Add `delta` to the stored counts. Rows go in key order so that two transactions
    on PostgreSQL lock them in the same order and cannot deadlock."""
    rows = [
        {"cycle_id": cycle_id, "group_id": g, "item_id": i, "key": k, "count": n}
        for (g, i, k), n in sorted(delta.items())
        if n != 0
    ]
    if not rows:
        return
    session.execute(_add_counts(session.get_bind().dialect.name), rows)


@cache
def _add_counts(dialect: str) -> Insert:
    """The upsert that adds to the counts; built once per dialect, as every answer a
    respondent gives runs it."""
    table = ITEM_COUNTS
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[table.c.cycle_id, table.c.group_id, table.c.item_id, table.c.key],
        set_={"count": table.c.count + statement.excluded["count"]},
    )


def update_counts(
    session: Session,
    cycle_id: int,
    methodology: Methodology,
    before: ResponseState | None,
    after: ResponseState | None,
) -> None:
    """The one way counts change: `before` None adds a response, `after` None removes it."""
    apply_delta(session, cycle_id, difference(methodology, before, after))


def read_counts(session: Session, cycle_id: int) -> dict[CountKey, int]:
    """A cycle's counts in one query over item_counts (cost: items, not answers)."""
    table = ITEM_COUNTS
    query = select(table.c.group_id, table.c.item_id, table.c.key, table.c.count).where(
        table.c.cycle_id == cycle_id, table.c.count != 0
    )
    return {(g, i, k): n for g, i, k, n in session.execute(query)}


def recompute_counts(session: Session, cycle_id: int) -> dict[CountKey, int]:
    """The counts derived from scratch from the stored responses and answers."""
    cycle = session.get_one(Cycle, cycle_id)
    methodology = cycle_methodology(cycle)
    responses = list(session.scalars(select(Response).where(Response.cycle_id == cycle_id)))
    answers = load_answers(session, [r.id for r in responses])
    total: Counter[CountKey] = Counter()
    for response in responses:
        total.update(contribution(methodology, ResponseState.of(response, answers[response.id])))
    return {key: n for key, n in total.items() if n != 0}


def rebuild_counts(session: Session, cycle_id: int) -> None:
    """Replace a cycle's stored counts by a recomputation (repair after manual edits)."""
    fresh = recompute_counts(session, cycle_id)
    session.execute(delete(ItemCount).where(ItemCount.cycle_id == cycle_id))
    apply_delta(session, cycle_id, fresh)
