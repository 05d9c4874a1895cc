"""Consents to be named that wait (METHODOLOGY.md §5.5): which take effect is
qms.disclosure.naming's decision; this module reads what it needs and writes the result.

An *effective* name is a row of `network_names_seen`: shown beside the network's figures
while the consent lasts, and counted as identified there for good. A *held* name is a
consent (`network_shares.named`) without that row. `settle_names` decides again for a
year and methodology; sharing, consent changes and withdrawals (qms.store.sharing) and
every network release (qms.store.network_releases) call it in their own transaction.

The viewers it weighs are every account that can read network figures, as
qms.web.network_views builds their scope: admins see every network; coordinators their
networks; heads the networks of their organisations, which they identify (as do staff
with them). Inactive accounts count too: they may have read the figures before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, and_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session

from qms.disclosure.naming import Candidate, View, decide, view
from qms.store import network_releases as nr
from qms.store.models import (
    Cycle,
    NetworkMember,
    NetworkNameSeen,
    NetworkShare,
    Organisation,
    UserRole,
)
from qms.store.models.releases import NetworkRelease, NetworkReleaseOrg

Scope = tuple[frozenset[int], frozenset[int] | None]  # own organisations, networks seen


def _lock(session: Session, year: int, methodology_id: str) -> None:
    """Two consents settled at the same moment must not each take effect on a state
    without the other: on PostgreSQL they queue here (SQLite already serialises
    writers, and the callers have written before they settle)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
            {"key": f"qms.naming:{year}:{methodology_id}"},
        )


def _name_took_effect(
    network: InstrumentedAttribute[int],
    organisation: InstrumentedAttribute[int],
    year: InstrumentedAttribute[int],
    methodology: InstrumentedAttribute[str],
) -> ColumnElement[bool]:
    """The join to `network_names_seen`: this organisation's name took effect in this
    network's year and methodology."""
    return and_(
        NetworkNameSeen.network_id == network,
        NetworkNameSeen.organisation_id == organisation,
        NetworkNameSeen.year == year,
        NetworkNameSeen.methodology_id == methodology,
    )


def held_candidates(session: Session, year: int, methodology_id: str) -> list[Candidate]:
    """Consents of the year and methodology that have not taken effect, oldest first."""
    rows = session.execute(
        select(NetworkShare.network_id, Cycle.organisation_id)
        .join(Cycle, Cycle.id == NetworkShare.cycle_id)
        .join(
            NetworkMember,
            and_(
                NetworkMember.network_id == NetworkShare.network_id,
                NetworkMember.organisation_id == Cycle.organisation_id,
            ),
        )
        .outerjoin(
            NetworkNameSeen,
            _name_took_effect(
                NetworkShare.network_id, Cycle.organisation_id, Cycle.year, Cycle.methodology_id
            ),
        )
        .where(
            NetworkShare.named.is_(True),
            Cycle.year == year,
            Cycle.methodology_id == methodology_id,
            NetworkNameSeen.organisation_id.is_(None),
        )
        .order_by(NetworkShare.named_at, NetworkShare.id)
    )
    return list(dict.fromkeys(Candidate(int(n), int(o)) for n, o in rows))


def viewer_scopes(session: Session) -> set[Scope]:
    """Every distinct (own organisations, networks seen) of the accounts that can read
    network figures."""
    roles: dict[int, list[tuple[str, int | None, int | None]]] = {}
    for user_id, role, org, net in session.execute(
        select(UserRole.user_id, UserRole.role, UserRole.organisation_id, UserRole.network_id)
    ):
        roles.setdefault(int(user_id), []).append((str(role), org, net))
    heads = {int(o) for grants in roles.values() for r, o, _ in grants if r == "head" and o}
    networks_of: dict[int, set[int]] = {}
    if heads:
        for net, org in session.execute(
            select(NetworkMember.network_id, NetworkMember.organisation_id).where(
                NetworkMember.organisation_id.in_(heads)
            )
        ):
            networks_of.setdefault(int(org), set()).add(int(net))
    scopes: set[Scope] = set()
    for grants in roles.values():
        own = frozenset(int(o) for _, o, _ in grants if o is not None)
        if any(r == "admin" for r, _, _ in grants):
            scopes.add((own, None))
            continue
        seen = {int(n) for r, _, n in grants if r == "coordinator" and n is not None}
        for r, o, _ in grants:
            if r == "head" and o is not None:
                seen |= networks_of.get(int(o), set())
        if seen:
            scopes.add((own, frozenset(seen)))
    return scopes


def _views(session: Session, year: int, methodology_id: str) -> list[View]:
    infos = nr.year_releases(session, None, year, methodology_id)
    releases = nr.load_releases(session, infos)
    effective = _effective(session, year, methodology_id)
    views = []
    for own, networks in sorted(viewer_scopes(session), key=repr):
        seen = [releases[i.id] for i in infos if networks is None or i.network_id in networks]
        named = {o for n, o in effective if networks is None or n in networks}
        views.append(view(own, named, networks, seen))
    return views


def _effective(session: Session, year: int, methodology_id: str) -> set[tuple[int, int]]:
    rows = session.execute(
        select(NetworkNameSeen.network_id, NetworkNameSeen.organisation_id).where(
            NetworkNameSeen.year == year, NetworkNameSeen.methodology_id == methodology_id
        )
    )
    return {(int(n), int(o)) for n, o in rows}


def settle_names(session: Session, year: int, methodology_id: str) -> list[Candidate]:
    """Let the held names of the year and methodology take effect where they may now;
    the ones that did, in the order they were admitted."""
    _lock(session, year, methodology_id)
    held = held_candidates(session, year, methodology_id)
    if not held:
        return []
    decision = decide(held, _views(session, year, methodology_id))
    for c in decision.effective:
        session.add(
            NetworkNameSeen(
                network_id=c.network_id,
                organisation_id=c.organisation_id,
                year=year,
                methodology_id=methodology_id,
            )
        )
    session.flush()
    return list(decision.effective)


def held_in(session: Session, year: int, methodology_id: str) -> frozenset[tuple[int, int]]:
    """(network id, organisation id) of every name held in the year and methodology."""
    return frozenset(
        (c.network_id, c.organisation_id) for c in held_candidates(session, year, methodology_id)
    )


# -- what the readers of network figures identify -------------------------------------


def names_seen(
    session: Session, network_ids: Iterable[int] | None, year: int, methodology_id: str
) -> frozenset[int]:
    """Organisations whose name took effect in these networks' year (None: any network),
    at any time: a viewer of them may remember their scores, so they stay identifiable
    after a consent is withdrawn."""
    where = and_(NetworkNameSeen.year == year, NetworkNameSeen.methodology_id == methodology_id)
    if network_ids is not None:
        ids = list(network_ids)
        if not ids:
            return frozenset()
        where = and_(where, NetworkNameSeen.network_id.in_(ids))
    rows = session.scalars(select(NetworkNameSeen.organisation_id).where(where))
    return frozenset(int(r) for r in rows)


def named_now(session: Session, release_ids: Sequence[int]) -> dict[int, frozenset[int]]:
    """Per release, its organisations named in its network now: they consent, and their
    name has taken effect there (a held name is not named)."""
    named: dict[int, set[int]] = {i: set() for i in release_ids}
    if release_ids:
        rows = session.execute(
            select(NetworkReleaseOrg.release_id, NetworkReleaseOrg.organisation_id)
            .join(NetworkRelease, NetworkRelease.id == NetworkReleaseOrg.release_id)
            .join(
                NetworkShare,
                and_(
                    NetworkShare.cycle_id == NetworkReleaseOrg.cycle_id,
                    NetworkShare.network_id == NetworkRelease.network_id,
                ),
            )
            .join(
                NetworkNameSeen,
                _name_took_effect(
                    NetworkRelease.network_id,
                    NetworkReleaseOrg.organisation_id,
                    NetworkRelease.year,
                    NetworkRelease.methodology_id,
                ),
            )
            .where(NetworkReleaseOrg.release_id.in_(release_ids), NetworkShare.named.is_(True))
        )
        for release_id, org in rows:
            named[int(release_id)].add(int(org))
    return {i: frozenset(s) for i, s in named.items()}


def release_names(session: Session, release_id: int) -> dict[int, str]:
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .join(NetworkReleaseOrg, NetworkReleaseOrg.organisation_id == Organisation.id)
        .where(NetworkReleaseOrg.release_id == release_id)
    )
    return {int(i): str(n) for i, n in rows}
