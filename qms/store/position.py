"""A head's view: where the organisation's own scores stand in each network's
distribution (METHODOLOGY.md §3.11, §5.5). The distribution is the network's current
release of the year (qms.store.network_releases); quartiles, a band or a rank show only
where qms.disclosure.network shows the statistic to this viewer (their own organisation
is identifiable to them, so a network of three shows them no quartiles).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.disclosure.network import RESPONSES, Reason, placing
from qms.scoring.network import Band
from qms.store.aggregates import Scope, year_figures
from qms.store.models import Cycle, NetworkShare
from qms.store.naming import held_in
from qms.store.networks import (
    Label,
    criterion_scores,
    get_network,
    is_member,
    labels_of,
)
from qms.store.org_scores import has_org_scores, keep_org_scores
from qms.store.snapshots import methodology_by_hash


@dataclass(frozen=True)
class PositionRow:
    node: str
    group: str | None
    score: float | None  # the organisation's own score
    n_orgs: int
    q1: float | None
    median: float | None
    q3: float | None
    band: Band | None  # None when the distribution is not shown or there is no own score
    rank: int | None
    of: int | None
    reason: Reason = "unreleased"


@dataclass(frozen=True)
class OrganisationPosition:
    organisation_id: int
    network_id: int
    network_name: str
    year: int
    methodology_id: str
    cycle_id: int
    shared: bool  # whether the cycle is shared with the network now
    counted: bool  # whether the organisation is in the current release
    named: bool  # named there now: it consents and its name took effect
    n_orgs: int  # organisations in the current release
    released: bool  # whether the year has a release at all
    withdrawn: bool  # an organisation of the current release withdrew since
    nodes: tuple[Label, ...]
    groups: tuple[Label, ...]
    rows: tuple[PositionRow, ...]
    held: bool = False  # it consents, but its name has not taken effect (qms.store.naming)

    def row(self, node: str, group: str | None) -> PositionRow | None:
        return next((r for r in self.rows if r.node == node and r.group == group), None)


def organisation_position(
    session: Session,
    organisation_id: int,
    network_id: int,
    year: int,
    methodology_id: str,
    scope: Scope,
) -> OrganisationPosition | None:
    """The organisation's own scores against the distribution of the network's current
    release of the year, per criterion × group, as `scope` may see it; None when the
    organisation has no closed cycle of that year and methodology or is not a member.
    Quartiles, bands and ranks show only where the statistic is shown to the viewer."""
    network = get_network(session, network_id)
    if not is_member(session, network_id, organisation_id):
        return None
    own = session.execute(
        select(Cycle.id, Cycle.snapshot_hash)
        .where(
            Cycle.organisation_id == organisation_id,
            Cycle.year == year,
            Cycle.methodology_id == methodology_id,
            Cycle.status == "closed",
        )
        .order_by(Cycle.id.desc())
    ).first()
    if own is None:
        return None
    own_cycle_id, own_hash = int(own[0]), str(own[1])
    if not has_org_scores(session, own_cycle_id):
        keep_org_scores(session, session.get_one(Cycle, own_cycle_id))
    share = session.scalar(
        select(NetworkShare).where(
            NetworkShare.cycle_id == own_cycle_id, NetworkShare.network_id == network_id
        )
    )
    held = share is not None and (network_id, organisation_id) in held_in(
        session, year, methodology_id
    )
    found = year_figures(session, network_id, year, methodology_id, scope)
    counted = found is not None and organisation_id in found.release.organisations
    live_scores = criterion_scores(session, [own_cycle_id])[own_cycle_id]
    methodology = methodology_by_hash(session, own_cycle_id, own_hash)
    released_keys = [k for k in (found.release.values if found else ()) if k[0] != RESPONSES]
    nodes, groups = labels_of(methodology, [*released_keys, *live_scores])
    rows = []
    for node in nodes:
        for group in [*(g.id for g in groups), None]:
            key = (node.id, group)
            stat = found.shown.get(key) if found else None
            if counted and found is not None:
                # Placed by the value the release holds, so that it is one of the values.
                mine = found.release.values.get(key, {}).get(organisation_id)
            else:
                mine = live_scores.get(key)
            if stat is None:
                reason: Reason = "unreleased" if found is None else "few"
                rows.append(
                    PositionRow(node.id, group, mine, 0, None, None, None, None, None, None, reason)
                )
                continue
            where = placing(stat, mine, counted and mine is not None)
            rows.append(
                PositionRow(
                    node.id,
                    group,
                    mine,
                    stat.n_orgs,
                    stat.dist.q1,
                    stat.dist.median,
                    stat.dist.q3,
                    where.band,
                    where.rank.rank if where.rank else None,
                    where.rank.of if where.rank else None,
                    stat.reason,
                )
            )
    return OrganisationPosition(
        organisation_id=organisation_id,
        network_id=network.id,
        network_name=network.name,
        year=year,
        methodology_id=methodology_id,
        cycle_id=own_cycle_id,
        shared=share is not None,
        counted=counted,
        named=bool(share is not None and share.named) and not held,
        held=held,
        n_orgs=len(found.release.organisations) if found else 0,
        released=found is not None,
        withdrawn=bool(found and found.release.withdrawn),
        nodes=nodes,
        groups=groups,
        rows=tuple(rows),
    )


def organisation_years(session: Session, organisation_id: int) -> list[tuple[int, str]]:
    """(year, methodology id) of the organisation's closed cycles, newest first."""
    rows = session.execute(
        select(Cycle.year, Cycle.methodology_id)
        .where(Cycle.organisation_id == organisation_id, Cycle.status == "closed")
        .order_by(Cycle.year.desc(), Cycle.methodology_id)
    )
    return [(int(y), str(m)) for y, m in rows]
