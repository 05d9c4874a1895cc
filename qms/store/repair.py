"""Drift between the derived tables and what they derive from, and its repair.

`item_counts` derive from the stored responses and answers (qms.store.counts); the
organisation scores and response totals of a closed cycle derive from its releases
(qms.store.org_scores), and an open cycle has none. Releases are what was published:
nothing here reads them for change or writes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.store.counts import read_counts, rebuild_counts, recompute_counts
from qms.store.db import lock_cycle
from qms.store.errors import NotFound
from qms.store.models import Cycle, OrgResponseTotal
from qms.store.org_scores import drop_org_scores, keep_org_scores, score_rows, stored_rows
from qms.store.releases import released_respondents
from qms.store.scores import cycle_scores

COUNTS = "item_counts"
SCORES = "org_scores"
TOTALS = "org_response_totals"
Value = int | float | None


@dataclass(frozen=True)
class Drift:
    """One stored value that differs from what it derives from (None: absent)."""

    cycle_id: int
    table: str
    key: str
    stored: Value
    derived: Value


def cycle_ids(session: Session, cycle_id: int | None) -> list[int]:
    """`cycle_id` alone (NotFound when there is none), or every cycle."""
    if cycle_id is not None:
        if session.get(Cycle, cycle_id) is None:
            raise NotFound(f"no cycle with id {cycle_id}")
        return [cycle_id]
    return list(session.scalars(select(Cycle.id).order_by(Cycle.id)))


def _differences(
    cycle_id: int, table: str, stored: dict[str, Value], derived: dict[str, Value]
) -> list[Drift]:
    found = []
    for key in sorted(set(stored) | set(derived)):
        old, new = stored.get(key), derived.get(key)
        same = (
            old == new
            if old is None or new is None
            else math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)
        )
        if not same:
            found.append(Drift(cycle_id, table, key, old, new))
    return found


def _score_map(rows: list[tuple[int, str, str | None, float]]) -> dict[str, Value]:
    return {f"{node}|{group or 'composite'}": score for _, node, group, score in rows}


def cycle_drift(session: Session, cycle: Cycle) -> list[Drift]:
    """Every derived value of `cycle` that differs from a recomputation."""
    counts = _differences(
        cycle.id,
        COUNTS,
        {"|".join(k): n for k, n in read_counts(session, cycle.id).items()},
        {"|".join(k): n for k, n in recompute_counts(session, cycle.id).items()},
    )
    closed = cycle.status == "closed"
    derived_scores = score_rows(cycle, cycle_scores(session, cycle)) if closed else []
    scores = _differences(
        cycle.id, SCORES, _score_map(stored_rows(session, cycle.id)), _score_map(derived_scores)
    )
    stored_totals = session.execute(
        select(OrgResponseTotal.group_id, OrgResponseTotal.responses).where(
            OrgResponseTotal.cycle_id == cycle.id
        )
    )
    derived_totals = released_respondents(session, cycle) if closed else {}
    totals = _differences(
        cycle.id,
        TOTALS,
        {str(g): int(n) for g, n in stored_totals},
        {g: n for g, n in derived_totals.items() if n},
    )
    return counts + scores + totals


def check_cycle(session: Session, cycle_id: int) -> list[Drift]:
    """The drift of one cycle, read under the cycle's lock so that saves in flight do
    not show as drift; the caller ends the transaction."""
    lock_cycle(session, cycle_id, shared=False)
    return cycle_drift(session, session.get_one(Cycle, cycle_id, populate_existing=True))


def repair_cycle(session: Session, cycle_id: int) -> list[Drift]:
    """Rebuild what drifted in one cycle (the counts from the answers, the organisation
    scores from the releases) and return what changed; the caller commits."""
    drift = check_cycle(session, cycle_id)
    cycle = session.get_one(Cycle, cycle_id)
    if any(d.table == COUNTS for d in drift):
        rebuild_counts(session, cycle_id)
    if any(d.table in (SCORES, TOTALS) for d in drift):
        if cycle.status == "closed":
            keep_org_scores(session, cycle)
        else:
            drop_org_scores(session, cycle_id)
    return drift
