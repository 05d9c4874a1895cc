"""What the results pages, the report and the exports of one cycle read.

Scores come from qms.store.scores (counts kept incrementally); only a breakdown by a
choice item and the exports read answers, because they need respondents' rows. Every
function here hands back plain data: the suppression of small groups (METHODOLOGY.md
§3.4) is applied by qms.scoring before anything leaves for a page or a file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from qms.imports.values import AnswerValue, is_shown
from qms.methodology.model import Methodology
from qms.scoring import CycleScores, ItemCounts, ItemStats, scored_items
from qms.scoring.suppression import breakdown_stats
from qms.store.answers import load_answers
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.consensus import Notes, consensus_notes
from qms.store.counts import is_counted
from qms.store.cycles import CycleInfo, cycle_info
from qms.store.errors import Conflict
from qms.store.models import Cycle, Response
from qms.store.models.cycles import CONSENSUS_KEY
from qms.store.scores import cycle_scores
from qms.store.snapshots import cycle_methodology

NO_ANSWER = ""  # the breakdown cell of respondents who left the choice item blank


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


@dataclass(frozen=True)
class CountedResponse:
    group: str
    respondent: str
    answers: Mapping[str, AnswerValue]


@dataclass(frozen=True)
class Breakdown:
    """One group's scale items split by the options of one of its choice items; each
    row's cells are None where suppression hides them."""

    group: str
    by_item: str
    cells: tuple[str, ...]  # option values in questionnaire order, then NO_ANSWER
    rows: Mapping[str, Mapping[str, ItemStats | None]]  # item -> cell -> stats


@dataclass
class _Tally:
    histogram: Counter[int] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)

    def add(self, value: AnswerValue | None) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.histogram[value] += 1
        else:
            self.missing[value if value in ("dk", "na") else "blank"] += 1

    def counts(self) -> ItemCounts:
        m = self.missing
        return ItemCounts(dict(self.histogram), dk=m["dk"], na=m["na"], blank=m["blank"])


def respondent_counts(session: Session, cycle: Cycle) -> dict[str, int]:
    """Counted respondents per group: submitted responses, and in a consensus group
    only the consensus record (METHODOLOGY.md §3)."""
    methodology = cycle_methodology(cycle)
    consensus = [g.id for g in methodology.groups if g.is_consensus]
    rows = session.execute(
        select(Response.group_id, func.count())
        .where(
            Response.cycle_id == cycle.id,
            Response.status == "submitted",
            or_(Response.group_id.not_in(consensus), Response.respondent == CONSENSUS_KEY),
        )
        .group_by(Response.group_id)
    )
    totals = {group: int(n) for group, n in rows}
    return {g.id: totals.get(g.id, 0) for g in methodology.groups}


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
    )


def counted_responses(session: Session, cycle: Cycle) -> list[CountedResponse]:
    """The answers of every counted respondent, by group then respondent key."""
    methodology = cycle_methodology(cycle)
    responses = [
        r for r in session.scalars(
            select(Response)
            .where(Response.cycle_id == cycle.id, Response.status == "submitted")
            .order_by(Response.group_id, Response.respondent)
        )
        if is_counted(methodology, r.group_id, r.respondent, r.status)
    ]
    answers = load_answers(session, [r.id for r in responses])
    return [CountedResponse(r.group_id, r.respondent, answers[r.id]) for r in responses]


def breakdown(session: Session, cycle: Cycle, group: str, by_item: str) -> Breakdown:
    """The group's scale items by the options of its choice item `by_item` (ValueError
    when that is not a choice item of an individual group)."""
    m = cycle_methodology(cycle)
    if not m.has_item(by_item) or m.item_group(by_item) != group:
        raise ValueError(f"{by_item!r} is not an item of group {group!r}")
    choice = m.item(by_item)
    if choice.type != "choice" or m.group(group).is_consensus:
        raise ValueError(f"{by_item!r} is not a choice item of an individual group")
    cells = (*(o.value for o in choice.options), NO_ANSWER)
    items = list(scored_items(m, group))
    tallies: dict[tuple[str, str], _Tally] = {}
    for response in counted_responses(session, cycle):
        if response.group != group:
            continue
        chosen = response.answers.get(by_item)
        cell = chosen if isinstance(chosen, str) and chosen in cells else NO_ANSWER
        for item in items:
            if is_shown(item, response.answers):
                tallies.setdefault((item.id, cell), _Tally()).add(response.answers.get(item.id))
    rows: dict[str, dict[str, ItemStats | None]] = {}
    for item in items:
        counts = {
            cell: tally.counts() for cell in cells
            if (tally := tallies.get((item.id, cell))) is not None
        }
        rows[item.id] = breakdown_stats(m, group, item.id, counts, order=cells)
    return Breakdown(group, by_item, cells, rows)


def publish_results(session: Session, cycle: Cycle, *, actor_id: int | None) -> None:
    """Let the organisation's staff read the cycle's results."""
    if cycle.results_published_at is not None:
        raise Conflict(f"the results of cycle {cycle.id} are already published")
    cycle.results_published_at = utcnow()
    session.flush()
    record_event(
        session, actor_id=actor_id, action="results.published",
        organisation_id=cycle.organisation_id, subject=f"cycle {cycle.id}",
    )


def withdraw_results(session: Session, cycle: Cycle, *, actor_id: int | None) -> None:
    if cycle.results_published_at is None:
        raise Conflict(f"the results of cycle {cycle.id} are not published")
    cycle.results_published_at = None
    session.flush()
    record_event(
        session, actor_id=actor_id, action="results.withdrawn",
        organisation_id=cycle.organisation_id, subject=f"cycle {cycle.id}",
    )


def record_export(session: Session, cycle: Cycle, fmt: str, *, actor_id: int | None) -> None:
    """Exports leave the system: the log says who took which file."""
    record_event(
        session, actor_id=actor_id, action="results.exported",
        organisation_id=cycle.organisation_id, subject=f"cycle {cycle.id}",
        detail={"format": fmt},
    )
