"""What the results pages, the report and the exports of one cycle read.

Every figure comes from the groups' current releases (qms.store.releases) through the
disclosure layer (qms.disclosure): scores from the releases' counts, a breakdown by a
choice item from the released answers. `counted_responses` reads the live answers
with their keys: it serves only the operator's round-trip export (`qms export --full`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.disclosure import Breakdown, released_breakdown
from qms.disclosure.cycle import HIDDEN_ANSWER as HIDDEN_ANSWER
from qms.disclosure.cycle import NO_ANSWER as NO_ANSWER
from qms.disclosure.rows import anonymised_answers
from qms.methodology.answers import AnswerValue
from qms.methodology.model import Methodology
from qms.scoring import CycleScores
from qms.store.answers import load_answers
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.consensus import Notes, consensus_notes
from qms.store.counts import is_counted
from qms.store.cycles import CycleInfo, asked_groups, cycle_info
from qms.store.errors import Conflict
from qms.store.models import Cycle, Response
from qms.store.releases import GroupRelease, release_states, released_respondents, released_rows
from qms.store.scores import cycle_scores
from qms.store.snapshots import cycle_methodology


@dataclass(frozen=True)
class CycleResults:
    """Everything a results page or the report shows of one cycle."""

    info: CycleInfo
    organisation_id: int
    methodology: Methodology
    scores: CycleScores
    respondents: Mapping[str, int]  # counted respondents per group
    published_at: datetime | None
    closed_at: datetime | None
    notes: Mapping[str, Notes] = field(default_factory=dict)
    releases: Mapping[str, GroupRelease] = field(default_factory=dict)

    @property
    def any_released(self) -> bool:
        return any(r.released for r in self.releases.values())


@dataclass(frozen=True)
class CountedResponse:
    group: str
    respondent: str
    answers: Mapping[str, AnswerValue]


def respondent_counts(session: Session, cycle: Cycle) -> dict[str, int]:
    """Counted respondents per group in the current releases (METHODOLOGY.md §5.2)."""
    return released_respondents(session, cycle)


def cycle_results(session: Session, cycle: Cycle, *, with_notes: bool = False) -> CycleResults:
    return CycleResults(
        info=cycle_info(session, cycle.id),
        organisation_id=cycle.organisation_id,
        methodology=cycle_methodology(cycle),
        scores=cycle_scores(session, cycle),
        respondents=respondent_counts(session, cycle),
        published_at=cycle.results_published_at,
        closed_at=cycle.closed_at,
        notes=consensus_notes(session, cycle) if with_notes else {},
        releases=release_states(session, cycle, asked_groups(session, cycle)),
    )


def counted_responses(session: Session, cycle: Cycle) -> list[CountedResponse]:
    """The answers of every counted respondent, by group then respondent key."""
    methodology = cycle_methodology(cycle)
    responses = [
        r
        for r in session.scalars(
            select(Response)
            .where(Response.cycle_id == cycle.id, Response.status == "submitted")
            .order_by(Response.group_id, Response.respondent)
        )
        if is_counted(methodology, r.group_id, r.respondent, r.status)
    ]
    answers = load_answers(session, [r.id for r in responses])
    return [CountedResponse(r.group_id, r.respondent, answers[r.id]) for r in responses]


def breakdown(session: Session, cycle: Cycle, group: str, by_item: str) -> Breakdown:
    """The group's scale items by the options of its choice item `by_item`, from the
    group's release (ValueError when that is not a choice item of an individual group)."""
    m = cycle_methodology(cycle)
    released = released_rows(session, cycle, group)
    # The export's view: a cell never places a row whose value the export hides. Below
    # the minimum every cell is hidden anyway (none can hold min_n answers).
    shown = anonymised_answers(m, group, released, m.group(group).min_n)
    rows: list[Mapping[str, object]] = (
        list(shown) if shown is not None else [r.answers for r in released]
    )
    return released_breakdown(m, group, by_item, rows)


def publish_results(session: Session, cycle: Cycle, *, actor_id: int | None) -> None:
    """Let the organisation's staff read the cycle's results."""
    if cycle.results_published_at is not None:
        raise Conflict(f"the results of cycle {cycle.id} are already published")
    cycle.results_published_at = utcnow()
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="results.published",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
    )


def withdraw_results(session: Session, cycle: Cycle, *, actor_id: int | None) -> None:
    if cycle.results_published_at is None:
        raise Conflict(f"the results of cycle {cycle.id} are not published")
    cycle.results_published_at = None
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="results.withdrawn",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
    )


def record_export(session: Session, cycle: Cycle, fmt: str, *, actor_id: int | None) -> None:
    """Exports leave the system: the log says who took which file."""
    record_event(
        session,
        actor_id=actor_id,
        action="results.exported",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"format": fmt},
    )
