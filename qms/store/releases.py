"""Releases (METHODOLOGY.md §5.2): what every figure of a cycle is computed from.

Closing a group's collection (group by group, or every group still collecting when the
cycle closes) calls `release_group`, in the caller's transaction: the group's counted
responses are frozen with the counts derived from them, unless the group already has
releases and the responses differ from one of them by fewer than k (the group's
`min_n`); then the last release stands and `waiting` says how many changes wait. The
consensus group's record is named and is released whenever it changed.

Readers: `released_counts` (scores, one query over the releases' count maps),
`released_rows` (answers without any key, for breakdowns, Welch's test, answer exports
and comments) and `release_states` (what the pages say about each group).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from qms.disclosure.releases import (
    UnitView,
    fingerprint,
    release_due,
    unit_key,
    unit_view,
    waiting_changes,
)
from qms.methodology.answers import AnswerValue
from qms.methodology.model import Methodology
from qms.scoring import ItemCounts, scored_items
from qms.store.answers import load_answers
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.counts import (
    SHOWN,
    CountKey,
    ResponseState,
    apply_delta,
    contribution,
    difference,
    is_counted,
)
from qms.store.db import lock_cycle
from qms.store.errors import Closed, Conflict
from qms.store.models import Answer, Cycle, GroupCollection, Release, ReleaseResponse, Response
from qms.store.snapshots import cycle_methodology


@dataclass(frozen=True)
class ReleasedRow:
    """One released response: its answers and the "someone helped me" flag; nothing that
    names or orders it."""

    answers: Mapping[str, AnswerValue]
    proxy: bool


@dataclass(frozen=True)
class GroupRelease:
    """What the pages say about one group's release."""

    group: str
    seq: int | None  # None: no release yet
    respondents: int  # counted responses in the current release
    released_at: datetime | None
    waiting: int  # changes since that release that wait for the next one
    collecting: bool  # codes, paper entry and imports are accepted for the group

    @property
    def released(self) -> bool:
        return self.seq is not None


@dataclass(frozen=True)
class ReleaseOutcome:
    group: str
    released: bool  # a new release was made
    seq: int | None
    waiting: int


def encode_answers(answers: Mapping[str, AnswerValue]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in answers.items()}


def decode_answers(m: Methodology, stored: Mapping[str, Any]) -> dict[str, AnswerValue]:
    decoded: dict[str, AnswerValue] = {}
    for item_id, value in stored.items():
        if not m.has_item(item_id):
            continue
        kind = m.item(item_id).type
        if kind == "multi":
            decoded[item_id] = tuple(str(v) for v in value)
        elif kind == "number":
            decoded[item_id] = float(value)
        elif kind == "scale" and isinstance(value, int) and not isinstance(value, bool):
            decoded[item_id] = int(value)
        else:
            decoded[item_id] = str(value)
    return decoded


def _counted_states(
    session: Session, cycle: Cycle, m: Methodology, group: str
) -> list[tuple[Response, dict[str, AnswerValue]]]:
    responses = [
        r
        for r in session.scalars(
            select(Response).where(
                Response.cycle_id == cycle.id,
                Response.group_id == group,
                Response.status == "submitted",
            )
        )
        if is_counted(m, r.group_id, r.respondent, r.status)
    ]
    answers = load_answers(session, [r.id for r in responses])
    return [(r, answers[r.id]) for r in responses]


def _earlier(
    session: Session, cycle: Cycle, m: Methodology, group: str
) -> list[tuple[Release, dict[str, UnitView]]]:
    """The group's releases in order, each with what its responses showed."""
    releases = list(
        session.scalars(
            select(Release)
            .where(Release.cycle_id == cycle.id, Release.group_id == group)
            .order_by(Release.seq)
        )
    )
    views: dict[int, dict[str, UnitView]] = {r.id: {} for r in releases}
    if releases:
        rows = session.execute(
            select(
                ReleaseResponse.release_id,
                ReleaseResponse.unit,
                ReleaseResponse.answers,
                ReleaseResponse.proxy,
            ).where(ReleaseResponse.release_id.in_(list(views)))
        )
        for release_id, unit, answers, proxy in rows:
            views[release_id][unit] = unit_view(m, group, decode_answers(m, answers), proxy)
    return [(r, views[r.id]) for r in releases]


def _collection(session: Session, cycle_id: int, group: str) -> GroupCollection:
    row = session.get(GroupCollection, (cycle_id, group))
    if row is None:
        row = GroupCollection(cycle_id=cycle_id, group_id=group, closed_at=None, waiting=0)
        session.add(row)
    return row


def submit_unfinished(session: Session, cycle: Cycle, group: str | None = None) -> int:
    """On a close, an unfinished web response with at least one answer counts as
    submitted (METHODOLOGY.md §3); only `group`'s when given. Returns how many."""
    m = cycle_methodology(cycle)
    query = select(Response).where(
        Response.cycle_id == cycle.id,
        Response.status == "in_progress",
        exists().where(Answer.response_id == Response.id),
    )
    if group is not None:
        query = query.where(Response.group_id == group)
    unfinished = list(session.scalars(query))
    answers = load_answers(session, [r.id for r in unfinished])
    now = utcnow()
    delta: Counter[CountKey] = Counter()
    for response in unfinished:
        before = ResponseState.of(response, answers[response.id])
        response.status = "submitted"
        response.submitted_at = now
        delta.update(difference(m, before, ResponseState.of(response, before.answers)))
    apply_delta(session, cycle.id, delta)
    session.flush()
    return len(unfinished)


def release_group(session: Session, cycle: Cycle, group: str) -> ReleaseOutcome:
    """Make the group's release if §5.2 allows it; record what waits otherwise."""
    m = cycle_methodology(cycle)
    states = _counted_states(session, cycle, m, group)
    current: dict[str, UnitView] = {}
    rows: list[dict[str, Any]] = []
    counts: Counter[CountKey] = Counter()
    for response, answers in states:
        unit = unit_key(cycle.id, response.respondent)
        fp = fingerprint(encode_answers(answers), response.proxy)
        current[unit] = unit_view(m, group, answers, response.proxy)
        rows.append(
            {
                "unit": unit,
                "fingerprint": fp,
                "proxy": bool(response.proxy),
                "answers": encode_answers(answers),
            }
        )
        counts.update(contribution(m, ResponseState.of(response, answers)))
    earlier = _earlier(session, cycle, m, group)
    last = earlier[-1] if earlier else None
    collection = _collection(session, cycle.id, group)
    if m.group(group).is_consensus:
        due = last is None or last[1] != current
    else:
        choices = [i.id for i in m.questionnaires[group].items if i.type == "choice"]
        due = release_due(current, [views for _, views in earlier], m.group(group).min_n, choices)
    if not due:
        collection.waiting = waiting_changes(current, last[1] if last else None)
        session.flush()
        return ReleaseOutcome(group, False, last[0].seq if last else None, collection.waiting)
    stored: dict[str, dict[str, int]] = {}
    for (g, item, key), n in counts.items():
        if g == group and n:
            stored.setdefault(item, {})[key] = n
    release = Release(
        cycle_id=cycle.id,
        group_id=group,
        seq=(last[0].seq + 1) if last else 1,
        created_at=utcnow(),
        respondents=len(rows),
        counts=stored,
    )
    session.add(release)
    session.flush()
    if rows:
        session.execute(
            ReleaseResponse.__table__.insert(),  # type: ignore[attr-defined]
            [{"release_id": release.id, **row} for row in rows],
        )
    collection.waiting = 0
    session.flush()
    return ReleaseOutcome(group, True, release.seq, 0)


def close_group(
    session: Session, cycle: Cycle, group: str, *, asked: Sequence[str], actor_id: int | None
) -> ReleaseOutcome:
    """Close one group's collection ahead of the cycle: its codes, paper entry and
    imports stop, and its release is made (audited). It serialises with saves as the
    cycle's close does (qms.store.db.lock_cycle)."""
    lock_cycle(session, cycle.id, shared=False)
    session.refresh(cycle)
    if cycle.status != "open":
        raise Conflict(f"cycle {cycle.id} is {cycle.status}: its collections are closed")
    if group not in asked:
        raise Conflict(f"group {group} does not take part in cycle {cycle.id}")
    if not is_collecting(session, cycle.id, group):  # read under the lock, not a cached row
        raise Conflict(f"the collection of group {group} is already closed")
    collection = _collection(session, cycle.id, group)
    unfinished = submit_unfinished(session, cycle, group)
    collection.closed_at = utcnow()
    outcome = release_group(session, cycle, group)
    record_event(
        session,
        actor_id=actor_id,
        action="collection.closed",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={
            "group": group,
            "released": outcome.released,
            "release": outcome.seq,
            "waiting": outcome.waiting,
            "unfinished_counted": unfinished,
        },
    )
    return outcome


def reopen_group(session: Session, cycle: Cycle, group: str, *, actor_id: int | None) -> None:
    """Let a group closed ahead of the cycle collect again; its release stands until the
    next close, which applies the rule of §5.2 to whatever changed (audited)."""
    lock_cycle(session, cycle.id, shared=False)
    session.refresh(cycle)
    if cycle.status != "open":
        raise Conflict(f"cycle {cycle.id} is {cycle.status}: reopen the cycle instead")
    collection = session.get(GroupCollection, (cycle.id, group))
    if collection is None or collection.closed_at is None:
        raise Conflict(f"the collection of group {group} is not closed")
    collection.closed_at = None
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="collection.reopened",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"group": group},
    )


def release_open_groups(
    session: Session, cycle: Cycle, asked: Sequence[str]
) -> list[ReleaseOutcome]:
    """At the cycle's close: every group still collecting gets the release rule."""
    closed_early = set(
        session.scalars(
            select(GroupCollection.group_id).where(
                GroupCollection.cycle_id == cycle.id, GroupCollection.closed_at.is_not(None)
            )
        )
    )
    return [release_group(session, cycle, g) for g in asked if g not in closed_early]


def reopen_collections(session: Session, cycle_id: int) -> None:
    """A reopened cycle collects in every group again; its releases stay."""
    session.execute(
        update(GroupCollection).where(GroupCollection.cycle_id == cycle_id).values(closed_at=None)
    )


def closed_groups(session: Session, cycle_id: int) -> set[str]:
    """Groups whose collection a head closed ahead of the (open) cycle."""
    return set(
        session.scalars(
            select(GroupCollection.group_id).where(
                GroupCollection.cycle_id == cycle_id, GroupCollection.closed_at.is_not(None)
            )
        )
    )


def is_collecting(session: Session, cycle_id: int, group: str) -> bool:
    closed = session.scalar(
        select(GroupCollection.closed_at).where(
            GroupCollection.cycle_id == cycle_id, GroupCollection.group_id == group
        )
    )
    return closed is None


def require_collecting(session: Session, cycle_id: int, group: str) -> None:
    if not is_collecting(session, cycle_id, group):
        raise Closed(f"the collection of group {group} in cycle {cycle_id} is closed")


def _current(session: Session, cycle_id: int) -> list[Release]:
    latest = (
        select(Release.group_id, func.max(Release.seq).label("seq"))
        .where(Release.cycle_id == cycle_id)
        .group_by(Release.group_id)
        .subquery()
    )
    return list(
        session.scalars(
            select(Release)
            .join(latest, (Release.group_id == latest.c.group_id) & (Release.seq == latest.c.seq))
            .where(Release.cycle_id == cycle_id)
        )
    )


def released_groups(session: Session, cycle: Cycle) -> list[str]:
    """The groups of the cycle that have a release."""
    return sorted(
        set(session.scalars(select(Release.group_id).where(Release.cycle_id == cycle.id)))
    )


def released_counts(session: Session, cycle: Cycle) -> dict[tuple[str, str], ItemCounts]:
    """ItemCounts of every scored item of the released groups (cost: items, not answers)."""
    m = cycle_methodology(cycle)
    result: dict[tuple[str, str], ItemCounts] = {}
    for release in _current(session, cycle.id):
        group = release.group_id
        if group not in m.questionnaires:
            continue
        for item in scored_items(m, group):
            counts = release.counts.get(item.id, {})
            scale = m.item_scale(item)
            histogram = {v: int(counts.get(str(v), 0)) for v in scale.values()}
            dk, na = int(counts.get("dk", 0)), int(counts.get("na", 0))
            blank = int(counts.get(SHOWN, 0)) - sum(histogram.values()) - dk - na
            result[group, item.id] = ItemCounts(histogram, dk=dk, na=na, blank=blank)
    return result


def released_respondents(session: Session, cycle: Cycle) -> dict[str, int]:
    """Counted responses per group in the current releases (0 where none)."""
    m = cycle_methodology(cycle)
    found = {r.group_id: r.respondents for r in _current(session, cycle.id)}
    return {g.id: found.get(g.id, 0) for g in m.groups}


def released_item_counts(session: Session, cycle: Cycle) -> dict[CountKey, int]:
    """Every count key of the current releases (unscored items included), as item_counts
    keys them: what response-count tables for a closed collection read."""
    result: dict[CountKey, int] = {}
    for release in _current(session, cycle.id):
        for item, keys in release.counts.items():
            for key, n in keys.items():
                result[release.group_id, item, key] = int(n)
    return result


def released_rows(session: Session, cycle: Cycle, group: str) -> list[ReleasedRow]:
    """The current release's responses of `group`, ordered by their unit digest (an order
    unrelated to arrival); callers that hand rows out shuffle them again."""
    m = cycle_methodology(cycle)
    current = [r for r in _current(session, cycle.id) if r.group_id == group]
    if not current:
        return []
    rows = session.execute(
        select(ReleaseResponse.answers, ReleaseResponse.proxy)
        .where(ReleaseResponse.release_id == current[0].id)
        .order_by(ReleaseResponse.unit)
    )
    return [ReleasedRow(decode_answers(m, answers), bool(proxy)) for answers, proxy in rows]


def release_states(session: Session, cycle: Cycle, asked: Sequence[str]) -> dict[str, GroupRelease]:
    """Per asked group: its current release, what waits, and whether it collects."""
    current = {r.group_id: r for r in _current(session, cycle.id)}
    collections = {
        c.group_id: c
        for c in session.scalars(
            select(GroupCollection).where(GroupCollection.cycle_id == cycle.id)
        )
    }
    states: dict[str, GroupRelease] = {}
    for group in asked:
        release = current.get(group)
        collection = collections.get(group)
        states[group] = GroupRelease(
            group=group,
            seq=None if release is None else release.seq,
            respondents=0 if release is None else release.respondents,
            released_at=None if release is None else release.created_at,
            waiting=0 if collection is None else collection.waiting,
            collecting=cycle.status == "open"
            and (collection is None or collection.closed_at is None),
        )
    return states
