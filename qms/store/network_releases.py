"""Network releases (METHODOLOGY.md §5.5): a network's figures of a year rest on a frozen
set of organisations that the coordinator released, never on the live shares.

`release_year` freezes the organisations that share a closed cycle of the year and
methodology with the network now (one cycle per organisation), with copies of those
cycles' organisation-level scores and counted responses. A new release of a year is
allowed only when its set of organisations differs from each earlier release of that
year by at least 3 (the first release always is, even with fewer than 3: then only
counts show). A coordinator can set a reporting date: on the first request on or after
it, the readers call `qms.store.report_dates.release_due`, which releases the year if it may be.

What a release holds never changes. Two things are read live beside it: whether each
of its organisations still shares (a withdrawal, or leaving the network, hides the
release's figures at once, until the next release) and whether it is named: it still
consents, and its name has taken effect (qms.store.naming, which every release settles
again). What a viewer sees of a release is qms.disclosure.network's decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, and_, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.disclosure.network import RESPONSES, Release, StatKey, release_conflict
from qms.store.audit import record_event
from qms.store.errors import Conflict, NotFound
from qms.store.models import (
    Cycle,
    Network,
    NetworkMember,
    NetworkShare,
    OrgResponseTotal,
    OrgScore,
)
from qms.store.models.networks import DEPTH_CRITERION
from qms.store.models.releases import (
    NetworkRelease,
    NetworkReleaseOrg,
    NetworkReleaseScore,
    NetworkReleaseTotal,
    NetworkReportDate,
)
from qms.store.networks import Contributor, contributors_of
from qms.store.org_scores import has_org_scores, keep_org_scores


@dataclass(frozen=True)
class ReleaseInfo:
    id: int
    network_id: int
    year: int
    methodology_id: str
    seq: int
    made_at: datetime
    n_orgs: int


@dataclass(frozen=True)
class ReleaseState:
    """A year's releases as the coordinator's dashboard explains them."""

    current: ReleaseInfo | None
    sharing_now: int  # organisations that would be in a release made now
    allowed: bool  # whether a release may be made now
    conflict_with: datetime | None  # the earlier release a new one differs too little from
    differs_by: int | None
    withdrawn: bool  # an organisation of the current release withdrew since
    report_on: date | None


class ReleaseRefused(Conflict):
    """A new release that differs from an earlier one of the year by fewer than 3."""

    def __init__(self, made_at: datetime, differs_by: int) -> None:
        super().__init__(
            f"the organisations differ from the release of {made_at.date().isoformat()}"
            f" by {differs_by}; a new release needs at least 3"
        )
        self.made_at = made_at
        self.differs_by = differs_by


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive times back; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _one_per_org(contributors: Iterable[Contributor]) -> list[Contributor]:
    """The newest closed cycle of each organisation (an organisation counts once)."""
    newest: dict[int, Contributor] = {}
    for c in contributors:
        if c.organisation_id not in newest or c.cycle_id > newest[c.organisation_id].cycle_id:
            newest[c.organisation_id] = c
    return sorted(newest.values(), key=lambda c: c.organisation_id)


def _infos(session: Session, where: ColumnElement[bool]) -> list[ReleaseInfo]:
    n_orgs = (
        select(func.count())
        .where(NetworkReleaseOrg.release_id == NetworkRelease.id)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            NetworkRelease.id,
            NetworkRelease.network_id,
            NetworkRelease.year,
            NetworkRelease.methodology_id,
            NetworkRelease.seq,
            NetworkRelease.created_at,
            n_orgs,
        )
        .where(where)
        .order_by(NetworkRelease.network_id, NetworkRelease.seq)
    )
    return [
        ReleaseInfo(int(i), int(n), int(y), str(m), int(s), _aware(t), int(k))
        for i, n, y, m, s, t, k in rows
    ]


def year_releases(
    session: Session, network_ids: Iterable[int] | None, year: int, methodology_id: str
) -> list[ReleaseInfo]:
    """Every release (all sequence numbers) of the year and methodology in the networks
    (None: every network), oldest first within each network."""
    where = and_(NetworkRelease.year == year, NetworkRelease.methodology_id == methodology_id)
    if network_ids is not None:
        where = and_(where, NetworkRelease.network_id.in_(list(network_ids)))
    return _infos(session, where)


def current_release(
    session: Session, network_id: int, year: int, methodology_id: str
) -> ReleaseInfo | None:
    found = year_releases(session, [network_id], year, methodology_id)
    return found[-1] if found else None


def released_years(session: Session, network_id: int) -> list[tuple[int, str]]:
    """(year, methodology) pairs with a release, newest first."""
    rows = session.execute(
        select(NetworkRelease.year, NetworkRelease.methodology_id)
        .where(NetworkRelease.network_id == network_id)
        .distinct()
        .order_by(NetworkRelease.year.desc(), NetworkRelease.methodology_id)
    )
    return [(int(y), str(m)) for y, m in rows]


def _org_sets(session: Session, release_ids: Sequence[int]) -> dict[int, frozenset[int]]:
    sets: dict[int, set[int]] = {i: set() for i in release_ids}
    if release_ids:
        rows = session.execute(
            select(NetworkReleaseOrg.release_id, NetworkReleaseOrg.organisation_id).where(
                NetworkReleaseOrg.release_id.in_(release_ids)
            )
        )
        for release_id, org in rows:
            sets[int(release_id)].add(int(org))
    return {i: frozenset(s) for i, s in sets.items()}


def _sharing_now(
    session: Session, network_id: int, year: int, methodology_id: str
) -> list[Contributor]:
    return _one_per_org(contributors_of(session, network_id, methodology_id, year))


def _check(
    session: Session, network_id: int, year: int, methodology_id: str
) -> tuple[list[Contributor], list[ReleaseInfo], tuple[datetime, int] | None]:
    live = _sharing_now(session, network_id, year, methodology_id)
    earlier = year_releases(session, [network_id], year, methodology_id)
    sets = _org_sets(session, [r.id for r in earlier])
    conflict = release_conflict(
        frozenset(c.organisation_id for c in live), [(r.made_at, sets[r.id]) for r in earlier]
    )
    return live, earlier, conflict


def release_year(
    session: Session, network_id: int, year: int, methodology_id: str, *, actor_id: int | None
) -> ReleaseInfo:
    """Release the network's figures of a year (audited); ReleaseRefused when the set of
    organisations differs too little from an earlier release of the year, Conflict when
    nobody shares a closed cycle of it."""
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound(f"no network with id {network_id}")
    live, earlier, conflict = _check(session, network_id, year, methodology_id)
    if not live:
        raise Conflict(f"no organisation shares a closed cycle of {year} with the network")
    if conflict is not None:
        raise ReleaseRefused(*conflict)
    seq = (earlier[-1].seq if earlier else 0) + 1
    for c in live:
        if not has_org_scores(session, c.cycle_id):
            keep_org_scores(session, session.get_one(Cycle, c.cycle_id))
    release = NetworkRelease(
        network_id=network_id,
        year=year,
        methodology_id=methodology_id,
        seq=seq,
        created_by=actor_id,
    )
    try:
        # Two coordinators releasing at the same moment: the second one is told.
        with session.begin_nested():
            session.add(release)
            session.flush()
    except IntegrityError:
        raise Conflict(f"the figures of {year} were released a moment ago") from None
    by_cycle = {c.cycle_id: c for c in live}
    session.execute(
        insert(NetworkReleaseOrg),
        [
            {
                "release_id": release.id,
                "organisation_id": c.organisation_id,
                "cycle_id": c.cycle_id,
                "snapshot_hash": c.snapshot_hash,
            }
            for c in live
        ],
    )
    scores = session.execute(
        select(
            OrgScore.cycle_id, OrgScore.depth, OrgScore.node, OrgScore.group_id, OrgScore.score
        ).where(OrgScore.cycle_id.in_(list(by_cycle)))
    ).all()
    if scores:
        session.execute(
            insert(NetworkReleaseScore),
            [
                {
                    "release_id": release.id,
                    "organisation_id": by_cycle[c].organisation_id,
                    "depth": d,
                    "node": n,
                    "group_id": g,
                    "score": s,
                }
                for c, d, n, g, s in scores
            ],
        )
    totals = session.execute(
        select(
            OrgResponseTotal.cycle_id, OrgResponseTotal.group_id, OrgResponseTotal.responses
        ).where(OrgResponseTotal.cycle_id.in_(list(by_cycle)))
    ).all()
    if totals:
        session.execute(
            insert(NetworkReleaseTotal),
            [
                {
                    "release_id": release.id,
                    "organisation_id": by_cycle[c].organisation_id,
                    "group_id": g,
                    "responses": n,
                }
                for c, g, n in totals
            ],
        )
    record_event(
        session,
        actor_id=actor_id,
        action="network.released",
        network_id=network_id,
        subject=f"{network.name} {year} ({methodology_id})",
        detail={
            "year": year,
            "methodology": methodology_id,
            "seq": seq,
            "organisations": len(live),
        },
    )
    session.flush()
    # Imported here: qms.store.naming reads releases through this module.
    from qms.store.naming import settle_names

    settle_names(session, year, methodology_id)
    return ReleaseInfo(
        release.id, network_id, year, methodology_id, seq, _aware(release.created_at), len(live)
    )


# -- what a release holds, and what is read live beside it ----------------------------


def _withdrawn(session: Session, release_ids: Sequence[int]) -> set[int]:
    """Releases with an organisation that no longer shares its released cycle with the
    network, or is no longer a member (or whose cycle was deleted)."""
    if not release_ids:
        return set()
    rows = session.execute(
        select(NetworkReleaseOrg.release_id)
        .join(NetworkRelease, NetworkRelease.id == NetworkReleaseOrg.release_id)
        .outerjoin(
            NetworkShare,
            and_(
                NetworkShare.cycle_id == NetworkReleaseOrg.cycle_id,
                NetworkShare.network_id == NetworkRelease.network_id,
            ),
        )
        .outerjoin(
            NetworkMember,
            and_(
                NetworkMember.network_id == NetworkRelease.network_id,
                NetworkMember.organisation_id == NetworkReleaseOrg.organisation_id,
            ),
        )
        .where(
            NetworkReleaseOrg.release_id.in_(release_ids),
            (NetworkShare.id.is_(None)) | (NetworkMember.organisation_id.is_(None)),
        )
        .distinct()
    )
    return {int(r) for (r,) in rows}


def load_releases(session: Session, infos: Sequence[ReleaseInfo]) -> dict[int, Release]:
    """The releases' top-level criterion and overall scores and response totals, as the
    disclosure layer reads them, keyed by release id."""
    ids = [r.id for r in infos]
    values: dict[int, dict[StatKey, dict[int, float]]] = {i: {} for i in ids}
    if ids:
        for release_id, org, node, group, score in session.execute(
            select(
                NetworkReleaseScore.release_id,
                NetworkReleaseScore.organisation_id,
                NetworkReleaseScore.node,
                NetworkReleaseScore.group_id,
                NetworkReleaseScore.score,
            ).where(
                NetworkReleaseScore.release_id.in_(ids),
                NetworkReleaseScore.depth <= DEPTH_CRITERION,
            )
        ):
            values[int(release_id)].setdefault((str(node), group), {})[int(org)] = float(score)
        for release_id, org, group, n in session.execute(
            select(
                NetworkReleaseTotal.release_id,
                NetworkReleaseTotal.organisation_id,
                NetworkReleaseTotal.group_id,
                NetworkReleaseTotal.responses,
            ).where(NetworkReleaseTotal.release_id.in_(ids))
        ):
            values[int(release_id)].setdefault((RESPONSES, str(group)), {})[int(org)] = float(n)
    withdrawn = _withdrawn(session, ids)
    orgs = _org_sets(session, ids)
    return {
        r.id: Release(r.network_id, r.seq, r.made_at, values[r.id], r.id in withdrawn, orgs[r.id])
        for r in infos
    }


def release_snapshots(session: Session, release_id: int) -> list[tuple[int | None, str]]:
    """(cycle id, snapshot hash) of each organisation of a release."""
    rows = session.execute(
        select(NetworkReleaseOrg.cycle_id, NetworkReleaseOrg.snapshot_hash)
        .where(NetworkReleaseOrg.release_id == release_id)
        .order_by(NetworkReleaseOrg.cycle_id)
    )
    return [(None if c is None else int(c), str(h)) for c, h in rows]


# -- the coordinator's view, and reporting dates --------------------------------------


def release_state(
    session: Session, network_id: int, year: int, methodology_id: str
) -> ReleaseState:
    live, earlier, conflict = _check(session, network_id, year, methodology_id)
    current = earlier[-1] if earlier else None
    withdrawn = bool(current and _withdrawn(session, [current.id]))
    row = session.get(NetworkReportDate, (network_id, year, methodology_id))
    return ReleaseState(
        current=current,
        sharing_now=len(live),
        allowed=bool(live) and conflict is None,
        conflict_with=conflict[0] if conflict else None,
        differs_by=conflict[1] if conflict else None,
        withdrawn=withdrawn,
        report_on=row.release_on if row is not None else None,
    )


def network_ids_of(session: Session, organisation_ids: Iterable[int]) -> frozenset[int]:
    """The networks these organisations belong to."""
    ids = list(organisation_ids)
    if not ids:
        return frozenset()
    rows = session.scalars(
        select(NetworkMember.network_id).where(NetworkMember.organisation_id.in_(ids))
    )
    return frozenset(int(n) for n in rows)
