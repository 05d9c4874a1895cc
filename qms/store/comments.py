"""Comments of a cycle (METHODOLOGY.md §5.4): read from the current releases, hidden and
shown again by a head, audited.

What a viewer may see is decided by qms.disclosure.comments; this module only hands it
the released responses (their unit digests and answers, nothing that names or orders
them) and the cycle's hidden keys. Outputs other than the comments page read comments
the same way:

    rows = released_units(session, cycle, group)        # None: no release yet
    shown = select_comments(m, group, rows, min_n=m.group(group).min_n,
                            hidden=hidden_keys(session, cycle.id), rng=random.SystemRandom())

or simply `cycle_comments(session, cycle)`. `hidden_keys(session, cycle_id)` is the set
of (item id, comment key) a head hid in the cycle; whatever reads comments passes it, so
a hidden comment appears nowhere. Only the heads' "show again" list reads hidden
comments (`hidden_list`). The caller commits.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.disclosure.comments import (
    GroupComments,
    HiddenKey,
    ItemComments,
    UnitAnswers,
    hidden_comments,
    select_comments,
)
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.cycles import asked_groups
from qms.store.errors import NotFound
from qms.store.models import Cycle, HiddenComment, Release, ReleaseResponse, User
from qms.store.releases import decode_answers
from qms.store.snapshots import cycle_methodology


@dataclass(frozen=True)
class HiddenItem:
    """A text item's hidden comments, with who hid each and when (for heads only)."""

    item: str
    comments: tuple[tuple[str, str, str, datetime], ...]  # key, text, hidden by, hidden at


def _current_releases(session: Session, cycle_id: int) -> dict[str, int]:
    """group -> id of its current (latest) release."""
    latest = (
        select(Release.group_id, func.max(Release.seq).label("seq"))
        .where(Release.cycle_id == cycle_id)
        .group_by(Release.group_id)
        .subquery()
    )
    rows = session.execute(
        select(Release.group_id, Release.id)
        .join(latest, (Release.group_id == latest.c.group_id) & (Release.seq == latest.c.seq))
        .where(Release.cycle_id == cycle_id)
    )
    return {str(group): int(release_id) for group, release_id in rows}


def comment_groups(cycle: Cycle, asked: tuple[str, ...]) -> tuple[str, ...]:
    """The asked individual groups that have text items, in the methodology's order."""
    m = cycle_methodology(cycle)
    return tuple(
        g.id
        for g in m.groups
        if g.id in asked
        and not g.is_consensus
        and g.id in m.questionnaires
        and any(i.type == "text" for i in m.questionnaires[g.id].items)
    )


def _units(
    session: Session, cycle: Cycle, groups: tuple[str, ...]
) -> dict[str, list[UnitAnswers] | None]:
    m = cycle_methodology(cycle)
    current = _current_releases(session, cycle.id)
    found: dict[str, list[UnitAnswers] | None] = {g: ([] if g in current else None) for g in groups}
    by_release = {current[g]: g for g in groups if g in current}
    if by_release:
        rows = session.execute(
            select(ReleaseResponse.release_id, ReleaseResponse.unit, ReleaseResponse.answers)
            .where(ReleaseResponse.release_id.in_(list(by_release)))
            .order_by(ReleaseResponse.unit)
        )
        for release_id, unit, answers in rows:
            bucket = found[by_release[release_id]]
            assert bucket is not None
            bucket.append(UnitAnswers(str(unit), decode_answers(m, answers)))
    return found


def released_units(session: Session, cycle: Cycle, group: str) -> list[UnitAnswers] | None:
    """The current release of `group` as (unit, answers) in unit order; None when the
    group has no release yet. For qms.disclosure.comments only: the unit is what comment
    keys are made from, and must not leave the disclosure layer."""
    return _units(session, cycle, (group,))[group]


def hidden_keys(session: Session, cycle_id: int) -> set[HiddenKey]:
    """Every (item id, comment key) hidden in the cycle: pass it to select_comments."""
    rows = session.execute(
        select(HiddenComment.item_id, HiddenComment.comment_key).where(
            HiddenComment.cycle_id == cycle_id
        )
    )
    return {(str(item), str(key)) for item, key in rows}


def cycle_comments(
    session: Session, cycle: Cycle, rng: random.Random | None = None
) -> tuple[GroupComments, ...]:
    """The visible comments of every asked individual group with text items, each item's
    in a fresh random order (or `rng`'s)."""
    m = cycle_methodology(cycle)
    groups = comment_groups(cycle, asked_groups(session, cycle))
    units = _units(session, cycle, groups)
    hidden = hidden_keys(session, cycle.id)
    shuffle = rng or random.SystemRandom()
    return tuple(
        select_comments(m, g, units[g], min_n=m.group(g).min_n, hidden=hidden, rng=shuffle)
        for g in groups
    )


def comment_counts(session: Session, cycle: Cycle) -> dict[tuple[str, str], int | None]:
    """(group, text item) -> visible comments, for the results page; None where the
    group's release is below its minimum or there is no release yet."""
    return {
        (g.group, item.id): g.count(item.id)
        for g in cycle_comments(session, cycle, random.SystemRandom())
        for item in cycle_methodology(cycle).questionnaires[g.group].items
        if item.type == "text"
    }


def hidden_list(session: Session, cycle: Cycle) -> tuple[HiddenItem, ...]:
    """The hidden comments of the current releases with who hid them: for the heads'
    "show again" list, never for an output."""
    m = cycle_methodology(cycle)
    groups = comment_groups(cycle, asked_groups(session, cycle))
    units = _units(session, cycle, groups)
    rows = session.execute(
        select(
            HiddenComment.item_id, HiddenComment.comment_key, User.email, HiddenComment.hidden_at
        )
        .outerjoin(User, User.id == HiddenComment.hidden_by)
        .where(HiddenComment.cycle_id == cycle.id)
    )
    who = {(str(i), str(k)): (email or "", at) for i, k, email, at in rows}
    found: list[HiddenItem] = []
    for g in groups:
        items: tuple[ItemComments, ...] = hidden_comments(
            m, g, units[g], min_n=m.group(g).min_n, hidden=set(who)
        )
        for item in items:
            found.append(
                HiddenItem(
                    item.item, tuple((c.key, c.text, *who[item.item, c.key]) for c in item.comments)
                )
            )
    return tuple(found)


def _visible_keys(session: Session, cycle: Cycle, item_id: str) -> Mapping[str, str]:
    """key -> text of the comments of `item_id` that the comments page can show now."""
    m = cycle_methodology(cycle)
    if not m.has_item(item_id) or m.item(item_id).type != "text":
        raise NotFound(f"no comments on {item_id!r} in cycle {cycle.id}")
    group = m.item_group(item_id)
    if group not in comment_groups(cycle, asked_groups(session, cycle)):
        raise NotFound(f"no comments on {item_id!r} in cycle {cycle.id}")
    shown = select_comments(
        m,
        group,
        released_units(session, cycle, group),
        min_n=m.group(group).min_n,
        hidden=(),
        rng=random.SystemRandom(),
    )
    return {c.key: c.text for i in shown.items if i.item == item_id for c in i.comments}


def hide_comment(
    session: Session, cycle: Cycle, item_id: str, key: str, *, actor_id: int | None
) -> bool:
    """Hide one comment of the current release (NotFound unless it is one the page can
    show); False when it was hidden already. The audit log records who and when, never
    the comment's words."""
    if key not in _visible_keys(session, cycle, item_id):
        raise NotFound(f"no such comment on {item_id!r} in cycle {cycle.id}")
    if session.get(HiddenComment, (cycle.id, item_id, key)) is not None:
        return False
    try:
        # Two heads hiding the same comment at once: the second finds the first's row.
        with session.begin_nested():
            session.add(
                HiddenComment(
                    cycle_id=cycle.id,
                    item_id=item_id,
                    comment_key=key,
                    hidden_by=actor_id,
                    hidden_at=utcnow(),
                )
            )
    except IntegrityError:
        return False
    _audit(session, cycle, "comment.hidden", item_id, key, actor_id)
    return True


def show_comment(
    session: Session, cycle: Cycle, item_id: str, key: str, *, actor_id: int | None
) -> bool:
    """Show a hidden comment again; False when it was not hidden."""
    gone = session.execute(
        delete(HiddenComment).where(
            HiddenComment.cycle_id == cycle.id,
            HiddenComment.item_id == item_id,
            HiddenComment.comment_key == key,
        )
    )
    if not getattr(gone, "rowcount", 0):
        return False
    _audit(session, cycle, "comment.shown", item_id, key, actor_id)
    return True


def _audit(
    session: Session, cycle: Cycle, action: str, item_id: str, key: str, actor_id: int | None
) -> None:
    record_event(
        session,
        actor_id=actor_id,
        action=action,
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"item": item_id, "comment": key},
    )
