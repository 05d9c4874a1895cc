"""A head's view: where the organisation's own scores stand in each network's
distribution (METHODOLOGY.md §3.11). Which cycles make the distribution is
qms.store.networks'; a band or rank shows only where it has three or more organisations.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.scoring.network import Band, band, rank_from_lowest, summarise
from qms.store.models import Cycle
from qms.store.networks import (
    Key,
    Label,
    contributors_of,
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


@dataclass(frozen=True)
class OrganisationPosition:
    organisation_id: int
    network_id: int
    network_name: str
    year: int
    methodology_id: str
    cycle_id: int
    shared: bool  # whether this cycle counts in the network's distribution
    named: bool
    n_orgs: int  # organisations in the distribution
    nodes: tuple[Label, ...]
    groups: tuple[Label, ...]
    rows: tuple[PositionRow, ...]

    def row(self, node: str, group: str | None) -> PositionRow | None:
        return next((r for r in self.rows if r.node == node and r.group == group), None)


def organisation_position(
    session: Session, organisation_id: int, network_id: int, year: int, methodology_id: str
) -> OrganisationPosition | None:
    """The organisation's own scores against the network's distribution, per criterion ×
    group; None when the organisation has no closed cycle of that year and methodology
    or is not a member. The distribution is the network's (the cycle counts in it only
    when shared); a band or rank shows only where the distribution has 3+ organisations."""
    network = get_network(session, network_id)
    if not is_member(session, network_id, organisation_id):
        return None
    own = session.execute(
        select(Cycle.id, Cycle.snapshot_hash).where(
            Cycle.organisation_id == organisation_id,
            Cycle.year == year,
            Cycle.methodology_id == methodology_id,
            Cycle.status == "closed",
        )
    ).first()
    if own is None:
        return None
    own_cycle_id, own_hash = int(own[0]), str(own[1])
    if not has_org_scores(session, own_cycle_id):
        keep_org_scores(session, session.get_one(Cycle, own_cycle_id))
    contributors = contributors_of(session, network_id, methodology_id, year)
    ids = [c.cycle_id for c in contributors]
    share = next((c for c in contributors if c.cycle_id == own_cycle_id), None)
    scores = criterion_scores(session, [*ids, own_cycle_id] if share is None else ids)
    values: dict[Key, list[float]] = {}
    for cycle_id in ids:
        for key, score in scores[cycle_id].items():
            values.setdefault(key, []).append(score)
    own_scores = scores[own_cycle_id]
    methodology = methodology_by_hash(session, own_cycle_id, own_hash)
    nodes, groups = labels_of(methodology, [*values, *own_scores])
    rows = []
    for node in nodes:
        for group in [*(g.id for g in groups), None]:
            key = (node.id, group)
            vals = values.get(key, [])
            dist = summarise(vals)
            mine = own_scores.get(key)
            where = band(mine, dist) if mine is not None else None
            # A rank places the organisation among those it is compared with.
            among = vals if share is not None else [*vals, mine] if mine is not None else vals
            rank = rank_from_lowest(mine, among) if mine is not None and dist.median else None
            rows.append(PositionRow(node.id, group, mine, dist.n_orgs, dist.q1, dist.median,
                                    dist.q3, where, rank.rank if rank else None,
                                    rank.of if rank else None))
    return OrganisationPosition(
        organisation_id=organisation_id,
        network_id=network.id,
        network_name=network.name,
        year=year,
        methodology_id=methodology_id,
        cycle_id=own_cycle_id,
        shared=share is not None,
        named=share.named if share is not None else False,
        n_orgs=len({c.organisation_id for c in contributors}),
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
