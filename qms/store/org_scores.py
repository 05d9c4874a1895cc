"""Organisation-level scores of closed cycles, kept for network dashboards (§3.11).

`keep_org_scores` stores what `cycle_scores` computes (the same numbers the cycle's own
results show: suppressed items never contribute), and the counted responses per group.
`close_cycle` calls it; `reopen_cycle` calls `drop_org_scores`, so an open cycle never
counts in a network. Anything else that changes a closed cycle's counts must call
`keep_org_scores` again. Kept apart from the network modules (qms.store.networks,
.sharing, .aggregates, .position) so that qms.store.cycles can import it without a
cycle of imports.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, delete, exists, insert, select
from sqlalchemy.orm import Session

from qms.scoring import CycleScores
from qms.store.models import Cycle, OrgResponseTotal, OrgScore
from qms.store.models.networks import (
    DEPTH_CRITERION,
    DEPTH_OVERALL,
    DEPTH_SUBCRITERION,
    OVERALL,
)
from qms.store.releases import released_respondents
from qms.store.scores import cycle_scores
from qms.store.snapshots import cycle_methodology

ORG_SCORES = cast(Table, OrgScore.__table__)
ORG_TOTALS = cast(Table, OrgResponseTotal.__table__)
ScoreRow = tuple[int, str, str | None, float]  # (depth, node, group or None, score)


def score_rows(cycle: Cycle, scores: CycleScores) -> list[ScoreRow]:
    """The rows `keep_org_scores` stores for `scores` (absent scores have none)."""
    methodology = cycle_methodology(cycle)
    top = {c.id for c in methodology.criteria}
    rows: list[ScoreRow] = []
    for s in scores.scores:
        if s.score is not None:
            depth = DEPTH_CRITERION if s.node in top else DEPTH_SUBCRITERION
            rows.append((depth, s.node, s.group, s.score))
    for group, value in scores.overall.by_group.items():
        if value is not None:
            rows.append((DEPTH_OVERALL, OVERALL, group, value))
    if scores.overall.composite is not None:
        rows.append((DEPTH_OVERALL, OVERALL, None, scores.overall.composite))
    return rows


def drop_org_scores(session: Session, cycle_id: int) -> None:
    session.execute(delete(OrgScore).where(OrgScore.cycle_id == cycle_id))
    session.execute(delete(OrgResponseTotal).where(OrgResponseTotal.cycle_id == cycle_id))


def keep_org_scores(session: Session, cycle: Cycle) -> None:
    """Replace the cycle's stored organisation-level scores by fresh ones."""
    drop_org_scores(session, cycle.id)
    rows = score_rows(cycle, cycle_scores(session, cycle))
    if rows:
        session.execute(
            insert(ORG_SCORES),
            [
                {"cycle_id": cycle.id, "depth": d, "node": n, "group_id": g, "score": s}
                for d, n, g, s in rows
            ],
        )
    # The release's counts, not the live ones: a re-close that kept a release must not
    # tell a network how many answers changed since.
    totals = {g: n for g, n in released_respondents(session, cycle).items() if n}
    if totals:
        session.execute(
            insert(ORG_TOTALS),
            [{"cycle_id": cycle.id, "group_id": g, "responses": n} for g, n in totals.items()],
        )


def has_org_scores(session: Session, cycle_id: int) -> bool:
    return bool(
        session.scalar(
            select(
                exists().where(OrgResponseTotal.cycle_id == cycle_id)
                | exists().where(OrgScore.cycle_id == cycle_id)
            )
        )
    )


def rebuild_all(session: Session) -> int:
    """Scores of every closed cycle from scratch (after an upgrade, or for repair)."""
    closed = list(session.scalars(select(Cycle).where(Cycle.status == "closed")))
    for cycle in closed:
        keep_org_scores(session, cycle)
    return len(closed)


def stored_rows(session: Session, cycle_id: int) -> list[ScoreRow]:
    """The stored rows of a cycle, sorted (for tests and repair checks)."""
    rows = session.execute(
        select(OrgScore.depth, OrgScore.node, OrgScore.group_id, OrgScore.score).where(
            OrgScore.cycle_id == cycle_id
        )
    )
    return sorted(
        ((int(d), str(n), g, float(s)) for d, n, g, s in rows),
        key=lambda r: (r[0], r[1], r[2] or ""),
    )
