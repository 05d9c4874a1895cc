"""The improvement plan: actions tied to a criterion, with an owner, a due date, a status
and a progress note.

An action belongs to the cycle it was made in. While it is still open (planned or in
progress) it is carried: it shows in the organisation's later cycles of the same
methodology too, marked `carried`, with the year it comes from. Finishing or dropping it
ends the carrying; it stays in the plan of its own cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qms.methodology.model import Methodology
from qms.store.audit import record_event
from qms.store.consensus import consensus_notes
from qms.store.errors import NotFound, StoreError
from qms.store.models import Cycle, PlanAction
from qms.store.models.plan import ACTION_STATUSES, OPEN_STATUSES
from qms.store.scores import cycle_scores
from qms.store.snapshots import cycle_methodology

TITLE_MAX = 300
OWNER_MAX = 200
PROGRESS_MAX = 2000
WEAKEST = 3  # how many of the lowest criterion scores are proposed

__all__ = ["ACTION_STATUSES", "OPEN_STATUSES", "Action", "Proposal"]


@dataclass(frozen=True)
class Action:
    id: int
    cycle_id: int  # the cycle it was made in
    year: int  # that cycle's year
    criterion: str
    title: str
    owner: str
    due: date | None
    status: str
    progress: str
    carried: bool  # shown in a later cycle than the one it was made in

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


@dataclass(frozen=True)
class Proposal:
    """Something the plan could address: a weak criterion score, or an area for
    improvement the working group wrote down at the consensus."""

    criterion: str
    kind: str  # "score" | "consensus"
    score: float | None = None
    note: str = ""


def actions_for_cycle(session: Session, cycle_id: int) -> list[Action]:
    """The cycle's own actions, then the still-open actions of the organisation's earlier
    cycles (same methodology), oldest first. One query."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(f"no cycle with id {cycle_id}")
    rows = session.execute(
        select(
            PlanAction.id,
            PlanAction.cycle_id,
            Cycle.year,
            PlanAction.criterion,
            PlanAction.title,
            PlanAction.owner,
            PlanAction.due,
            PlanAction.status,
            PlanAction.progress,
        )
        .join(Cycle, Cycle.id == PlanAction.cycle_id)
        .where(
            Cycle.organisation_id == cycle.organisation_id,
            Cycle.methodology_id == cycle.methodology_id,
            or_(
                PlanAction.cycle_id == cycle.id,
                (Cycle.year < cycle.year) & PlanAction.status.in_(OPEN_STATUSES),
            ),
        )
        .order_by(Cycle.year, PlanAction.id)
    )
    own: list[Action] = []
    carried: list[Action] = []
    for id_, origin, year, criterion, title, owner, due, status, progress in rows:
        action = Action(
            id_,
            origin,
            year,
            criterion,
            title,
            owner,
            due,
            status,
            progress,
            carried=origin != cycle.id,
        )
        (carried if action.carried else own).append(action)
    return own + carried


def _checked(
    methodology: Methodology,
    criterion: str,
    title: str,
    owner: str,
    progress: str,
    status: str,
) -> None:
    try:
        methodology.node(criterion)
    except KeyError:
        raise StoreError(f"no criterion {criterion!r} in methodology {methodology.id}") from None
    if not title.strip():
        raise StoreError("an action needs a title")
    if len(title) > TITLE_MAX or len(owner) > OWNER_MAX or len(progress) > PROGRESS_MAX:
        raise StoreError("a field of the action is too long")
    if status not in ACTION_STATUSES:
        raise StoreError(f"unknown status {status!r} (one of {', '.join(ACTION_STATUSES)})")


def add_action(
    session: Session,
    cycle: Cycle,
    *,
    criterion: str,
    title: str,
    owner: str = "",
    due: date | None = None,
    status: str = "planned",
    progress: str = "",
    actor_id: int | None = None,
) -> int:
    """A new action in `cycle`'s plan; returns its id. The caller commits."""
    _checked(cycle_methodology(cycle), criterion, title, owner, progress, status)
    action = PlanAction(
        cycle_id=cycle.id,
        criterion=criterion,
        title=title.strip(),
        owner=owner.strip(),
        due=due,
        status=status,
        progress=progress.strip(),
    )
    session.add(action)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="plan.action_added",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"action": action.id, "criterion": criterion, "title": action.title[:100]},
    )
    return action.id


def action_organisation(session: Session, action_id: int) -> int:
    """The organisation an action belongs to (to authorise before changing it)."""
    organisation_id = session.scalar(
        select(Cycle.organisation_id)
        .join(PlanAction, PlanAction.cycle_id == Cycle.id)
        .where(PlanAction.id == action_id)
    )
    if organisation_id is None:
        raise NotFound(f"no action with id {action_id}")
    return organisation_id


def update_action(
    session: Session,
    action_id: int,
    *,
    status: str,
    progress: str,
    owner: str | None = None,
    due: date | None = None,
    actor_id: int | None = None,
) -> None:
    """Change an action's status and progress note (and owner and due date when given).
    The caller commits."""
    action = session.get(PlanAction, action_id)
    if action is None:
        raise NotFound(f"no action with id {action_id}")
    cycle = session.get_one(Cycle, action.cycle_id)
    _checked(
        cycle_methodology(cycle),
        action.criterion,
        action.title,
        owner if owner is not None else action.owner,
        progress,
        status,
    )
    before = action.status
    action.status = status
    action.progress = progress.strip()
    if owner is not None:
        action.owner = owner.strip()
        action.due = due
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="plan.action_updated",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"action": action.id, "status": status, "was": before},
    )


def proposals(session: Session, cycle: Cycle) -> list[Proposal]:
    """What the plan could start from: the weakest criterion composites of the cycle
    (only reportable data enters a score), then the areas for improvement written at the
    consensus, under the item's criterion."""
    methodology = cycle_methodology(cycle)
    scores = cycle_scores(session, cycle)
    composites = [
        (score, c.id)
        for c in methodology.criteria
        if (score := scores.score(c.id, None)) is not None
    ]
    found = [
        Proposal(criterion, "score", score=score)
        for score, criterion in sorted(composites)[:WEAKEST]
    ]
    notes = consensus_notes(session, cycle)
    for item in methodology.items():
        note = notes.get(item.id)
        if note is not None and note.improvements.strip() and item.criterion:
            found.append(Proposal(item.criterion, "consensus", note=note.improvements.strip()))
    return found
