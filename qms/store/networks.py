"""What a network counts (METHODOLOGY.md §3.11): its members, and the closed cycles they
shared with it, with those cycles' organisation-level scores.

Only cycles that are shared with the network, closed, and of an organisation that is
still a member count. Aggregates read the organisation-level scores kept by
qms.store.org_scores, so a dashboard costs rows in proportion to organisations ×
criteria, never to answers. Built on this: qms.store.sharing (sharing a cycle, consent
to be named), qms.store.aggregates (the coordinator's distributions and trends) and
qms.store.position (where an organisation stands in them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qms.methodology.model import Methodology, Text
from qms.store.errors import NotFound
from qms.store.models import Cycle, Network, NetworkMember, NetworkShare, Organisation, OrgScore
from qms.store.models.networks import DEPTH_CRITERION
from qms.store.models.networks import OVERALL as OVERALL  # re-exported for the web layer

Key = tuple[str, str | None]  # (node, group or None for the composite)


@dataclass(frozen=True)
class Label:
    """A criterion (or "overall") or a group, with its title in the methodology's languages."""

    id: str
    title: Text


# -- membership -----------------------------------------------------------------------


def is_member(session: Session, network_id: int, organisation_id: int) -> bool:
    return session.get(NetworkMember, (network_id, organisation_id)) is not None


def get_network(session: Session, network_id: int) -> Network:
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound(f"no network with id {network_id}")
    return network


# -- the counted cycles ---------------------------------------------------------------


@dataclass(frozen=True)
class Contributor:
    cycle_id: int
    organisation_id: int
    name: str
    named: bool
    year: int
    snapshot_hash: str


_ContributorRow = Select[int, int, str, bool, int, str]


def _contributors_query(network_id: int, methodology_id: str) -> _ContributorRow:
    return (
        select(
            Cycle.id,
            Organisation.id,
            Organisation.name,
            NetworkShare.named,
            Cycle.year,
            Cycle.snapshot_hash,
        )
        .select_from(NetworkShare)
        .join(Cycle, Cycle.id == NetworkShare.cycle_id)
        .join(Organisation, Organisation.id == Cycle.organisation_id)
        .join(
            NetworkMember,
            (NetworkMember.network_id == NetworkShare.network_id)
            & (NetworkMember.organisation_id == Cycle.organisation_id),
        )
        .where(
            NetworkShare.network_id == network_id,
            Cycle.methodology_id == methodology_id,
            Cycle.status == "closed",
        )
    )


def contributors_of(
    session: Session, network_id: int, methodology_id: str, year: int | None
) -> list[Contributor]:
    """The counted cycles of a methodology (of one year, or every year when None)."""
    query = _contributors_query(network_id, methodology_id)
    if year is not None:
        query = query.where(Cycle.year == year)
    return [
        Contributor(int(c), int(o), str(n), bool(nm), int(y), str(h))
        for c, o, n, nm, y, h in session.execute(query.order_by(Cycle.id))
    ]


def criterion_scores(session: Session, cycle_ids: Iterable[int]) -> dict[int, dict[Key, float]]:
    """Each cycle's kept scores of top-level criteria and "overall", per group and composite."""
    ids = list(cycle_ids)
    by_cycle: dict[int, dict[Key, float]] = {i: {} for i in ids}
    if not ids:
        return by_cycle
    rows = session.execute(
        select(OrgScore.cycle_id, OrgScore.node, OrgScore.group_id, OrgScore.score).where(
            OrgScore.cycle_id.in_(ids), OrgScore.depth <= DEPTH_CRITERION
        )
    )
    for cycle_id, node, group, score in rows:
        by_cycle[cycle_id][(node, group)] = float(score)
    return by_cycle


def labels_of(
    methodology: Methodology | None, keys: Iterable[Key]
) -> tuple[tuple[Label, ...], tuple[Label, ...]]:
    """Rows (criteria, then "overall") and groups in methodology order, plus any in `keys`
    that the methodology no longer has."""
    present_nodes = {n for n, _ in keys}
    present_groups = {g for _, g in keys if g is not None}
    nodes: list[Label] = []
    groups: list[Label] = []
    if methodology is not None:
        lang = methodology.default_language
        nodes = [Label(c.id, c.title) for c in methodology.criteria]
        groups = [Label(g.id, g.title) for g in methodology.groups]
        known_n = {n.id for n in nodes}
        known_g = {g.id for g in groups}
        # Nodes or groups of an earlier version that the newest no longer has.
        nodes += [
            Label(n, Text.of({lang: n}, lang)) for n in sorted(present_nodes - known_n - {OVERALL})
        ]
        groups += [Label(g, Text.of({lang: g}, lang)) for g in sorted(present_groups - known_g)]
        nodes.append(Label(OVERALL, Text.of({lang: OVERALL}, lang)))
    return tuple(nodes), tuple(groups)
