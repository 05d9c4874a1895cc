"""Access codes: made in batches per group, single-use, bound to one response.

Codes are drawn from 31 characters that cannot be mistaken for one another when read
off paper (no 0/O, 1/I/L), ten of them: about 49 bits, so guessing one is hopeless even
before the rate limit. A code says nothing about its cycle until it is entered.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.methodology.model import Methodology
from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.cycles import asked_groups, require_group
from qms.store.errors import Conflict, NotFound, StoreError
from qms.store.models import Cycle, GroupCollection, Response
from qms.store.models.codes import AccessCode
from qms.store.responses import create_response
from qms.store.snapshots import cycle_methodology, methodology_by_hash

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MAX_BATCH = 2000
_GROUPING = (4, 4, 2)
_SEPARATORS = re.compile(r"[\s\-_.]+")


def format_code(raw: str) -> str:
    """ABCD-EFGH-JK: short runs are easier to copy from a slip."""
    parts, start = [], 0
    for size in _GROUPING:
        parts.append(raw[start : start + size])
        start += size
    return "-".join(p for p in parts if p)


def normalise_code(typed: str) -> str | None:
    """What a person typed, as stored: case, spaces and dashes do not matter. None when it
    cannot be a code at all (so no database look-up is spent on it)."""
    compact = _SEPARATORS.sub("", typed).upper()
    if len(compact) != CODE_LENGTH or any(c not in ALPHABET for c in compact):
        return None
    return compact


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


@dataclass(frozen=True)
class CodeTarget:
    """What an entered code opens, with what a respondent's page needs about it."""

    code: str
    cycle_id: int
    group_id: str
    kind: str
    response_id: int | None
    cycle_open: bool
    submitted: bool
    snapshot_hash: str = ""
    proxy: bool = False


def _check_group(session: Session, cycle: Cycle, group: str) -> None:
    methodology = cycle_methodology(cycle)
    if group not in {g.id for g in methodology.groups}:
        asked = ", ".join(asked_groups(session, cycle))
        raise StoreError(f"unknown group {group!r} (groups: {asked})")
    require_group(session, cycle, group)
    if methodology.group(group).is_consensus:
        raise StoreError(
            f"the {group} group answers as a working group after signing in; it takes no codes"
        )


def _insert_codes(session: Session, rows: list[dict[str, object]]) -> None:
    # A clash among 31**10 codes is astronomically rare; retrying keeps it harmless.
    for _attempt in range(3):
        try:
            with session.begin_nested():
                session.execute(insert(AccessCode), rows)
            return
        except IntegrityError:
            for row in rows:
                row["code"] = _new_code()
    raise StoreError("could not make unique codes; try again")


def new_batch_id() -> str:
    """An opaque, unguessable name for a batch of codes (128 bits)."""
    return secrets.token_urlsafe(16)


def create_codes(
    session: Session,
    cycle: Cycle,
    group: str,
    count: int,
    *,
    actor_id: int | None = None,
    batch: str | None = None,
) -> list[str]:
    """`count` new single-use codes for `group` (formatted for print). The caller commits.
    `batch` (from `new_batch_id`) lets the batch's unused slips be printed again."""
    if not 1 <= count <= MAX_BATCH:
        raise StoreError(f"the number of codes must be between 1 and {MAX_BATCH}")
    if cycle.status == "closed":
        raise Conflict(f"cycle {cycle.id} is closed: its codes no longer work")
    _check_group(session, cycle, group)
    now = utcnow()
    rows: list[dict[str, object]] = [
        {
            "code": _new_code(),
            "cycle_id": cycle.id,
            "group_id": group,
            "kind": "single",
            "uses": 0,
            "created_at": now,
            "batch": batch,
        }
        for _ in range(count)
    ]
    _insert_codes(session, rows)
    record_event(
        session,
        actor_id=actor_id,
        action="codes.created",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"group": group, "count": count},
    )
    return [format_code(str(r["code"])) for r in rows]


OPEN_LINK_MAX_CAP = 100_000


def create_open_link(
    session: Session, cycle: Cycle, group: str, cap: int, *, actor_id: int | None = None
) -> str:
    """One code that anybody may follow, up to `cap` times (a link on a website or poster)."""
    if not 1 <= cap <= OPEN_LINK_MAX_CAP:
        raise StoreError(f"the cap must be between 1 and {OPEN_LINK_MAX_CAP}")
    if cycle.status == "closed":
        raise Conflict(f"cycle {cycle.id} is closed")
    _check_group(session, cycle, group)
    row: dict[str, object] = {
        "code": _new_code(),
        "cycle_id": cycle.id,
        "group_id": group,
        "kind": "open",
        "cap": cap,
        "uses": 0,
        "created_at": utcnow(),
    }
    _insert_codes(session, [row])
    record_event(
        session,
        actor_id=actor_id,
        action="codes.open_link_created",
        organisation_id=cycle.organisation_id,
        subject=f"cycle {cycle.id}",
        detail={"group": group, "cap": cap},
    )
    return format_code(str(row["code"]))


@dataclass(frozen=True)
class OpenLink:
    code: str  # formatted
    group_id: str
    cap: int | None
    uses: int


def open_links(session: Session, cycle_id: int) -> list[OpenLink]:
    """The open links of a cycle, oldest first. Unlike single-use codes these are meant
    to be published (a website, a poster), so the staff pages may show them again."""
    rows = session.execute(
        select(AccessCode.code, AccessCode.group_id, AccessCode.cap, AccessCode.uses)
        .where(AccessCode.cycle_id == cycle_id, AccessCode.kind == "open")
        .order_by(AccessCode.id)
    )
    return [OpenLink(format_code(c), g, cap, int(u)) for c, g, cap, u in rows]


# Built once: this runs on every respondent request, and building the statement (and its
# cache key) cost as much as running it.
_RESOLVE = (
    select(
        AccessCode.cycle_id,
        AccessCode.group_id,
        AccessCode.kind,
        AccessCode.response_id,
        AccessCode.cap,
        AccessCode.uses,
        Cycle.status,
        Cycle.snapshot_hash,
        Response.status,
        Response.proxy,
        GroupCollection.closed_at,
    )
    .join(Cycle, Cycle.id == AccessCode.cycle_id)
    .outerjoin(Response, Response.id == AccessCode.response_id)
    .outerjoin(
        GroupCollection,
        (GroupCollection.cycle_id == AccessCode.cycle_id)
        & (GroupCollection.group_id == AccessCode.group_id),
    )
    .where(AccessCode.code == bindparam("code"))
)


def resolve(session: Session, typed: str) -> CodeTarget | None:
    """The target of a typed code, or None when there is no such code. One query of plain
    columns."""
    code = normalise_code(typed)
    if code is None:
        return None
    row = session.execute(_RESOLVE, {"code": code}).first()
    if row is None:
        return None
    cycle_id, group, kind, response_id, cap, uses, cycle_status, digest, status, proxy, shut = row
    # A group's collection closed ahead of the cycle stops its codes like a closed cycle.
    spent = (kind == "open" and cap is not None and uses >= cap) or shut is not None
    return CodeTarget(
        code=code,
        cycle_id=cycle_id,
        group_id=group,
        kind=kind,
        response_id=response_id,
        cycle_open=cycle_status == "open" and not spent,
        submitted=status == "submitted",
        snapshot_hash=digest,
        proxy=bool(proxy),
    )


def start(session: Session, target: CodeTarget) -> tuple[str, Response]:
    """The response a code opens, created on first use. An open link hands out a new
    personal code bound to a new response; the caller sends the person there, so that
    the same code resumes. Returns (code to use from now on, response)."""
    if not target.cycle_open:
        raise Conflict("this questionnaire is closed")
    if target.kind == "single" and target.response_id is not None:
        return target.code, session.get_one(Response, target.response_id)
    cycle = session.get_one(Cycle, target.cycle_id)
    response = create_response(session, cycle, group=target.group_id, source="web")
    now = utcnow()
    if target.kind == "single":
        claimed = session.execute(
            update(AccessCode)
            .where(AccessCode.code == target.code, AccessCode.response_id.is_(None))
            .values(response_id=response.id, used_at=now, uses=1)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            # Another tab claimed it first: use the response it made, drop ours.
            session.rollback()
            again = resolve(session, target.code)
            if again is None or again.response_id is None:
                raise NotFound("unknown code")
            return again.code, session.get_one(Response, again.response_id)
        return target.code, response
    taken = session.execute(
        update(AccessCode)
        .where(
            AccessCode.code == target.code,
            (AccessCode.cap.is_(None)) | (AccessCode.uses < AccessCode.cap),
        )
        .values(uses=AccessCode.uses + 1)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("this link has been used as often as it may be")
    personal = _new_code()
    _insert_codes(
        session,
        [
            {
                "code": personal,
                "cycle_id": cycle.id,
                "group_id": target.group_id,
                "kind": "single",
                "response_id": response.id,
                "uses": 1,
                "used_at": now,
                "created_at": now,
            }
        ],
    )
    return personal, response


def response_of(session: Session, target: CodeTarget) -> Response | None:
    return session.get(Response, target.response_id) if target.response_id else None


def target_methodology(session: Session, target: CodeTarget) -> Methodology:
    """The methodology of a code's cycle: from the cache by hash, the snapshot on a miss."""
    return methodology_by_hash(session, target.cycle_id, target.snapshot_hash)


@dataclass(frozen=True)
class BatchSlips:
    """What a batch's slips show: its group, and its codes not used yet. Used codes are
    never printed again (a reprinted slip must not look like a fresh questionnaire)."""

    group_id: str
    unused: list[str]  # formatted, in the order they were made
    used: int


def batch_slips(session: Session, cycle_id: int, batch: str) -> BatchSlips | None:
    """None when `cycle_id` holds no batch of that name (so a batch id found elsewhere
    opens nothing in another cycle)."""
    if not batch or len(batch) > 32:
        return None
    rows = session.execute(
        select(AccessCode.code, AccessCode.group_id, AccessCode.response_id)
        .where(
            AccessCode.cycle_id == cycle_id,
            AccessCode.batch == batch,
            AccessCode.kind == "single",
        )
        .order_by(AccessCode.id)
    ).all()
    if not rows:
        return None
    unused = [format_code(code) for code, _group, response_id in rows if response_id is None]
    return BatchSlips(rows[0][1], unused, len(rows) - len(unused))


@dataclass(frozen=True)
class CodeCounts:
    issued: int
    started: int
    submitted: int


def code_counts(session: Session, cycle_id: int) -> dict[str, CodeCounts]:
    """Per group: single-use codes issued, started (bound to a response), submitted."""
    rows = session.execute(
        select(
            AccessCode.group_id,
            func.count(AccessCode.id),
            func.count(AccessCode.response_id),
            func.count(Response.id).filter(Response.status == "submitted"),
        )
        .outerjoin(Response, Response.id == AccessCode.response_id)
        .where(AccessCode.cycle_id == cycle_id, AccessCode.kind == "single")
        .group_by(AccessCode.group_id)
    )
    return {g: CodeCounts(int(i), int(s), int(d)) for g, i, s, d in rows}
