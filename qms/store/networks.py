"""Networks' view of their partners: sharing closed cycles, and aggregates across the
organisations that shared them (METHODOLOGY.md §3.11).

Only cycles that are shared with the network, closed, and of an organisation that is
still a member count. Aggregates read the organisation-level scores kept by
qms.store.org_scores, so a dashboard costs rows in proportion to organisations ×
criteria, never to answers. Everything returned is a frozen dataclass; statistics over
fewer than three organisations carry only their count, and named values appear only
for organisations that consented (and only where the statistic itself is shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.methodology.model import Methodology, Text
from qms.scoring.network import Band, band, iqr_band, is_shown, rank_from_lowest, summarise
from qms.store.audit import record_event
from qms.store.errors import Conflict, NotFound
from qms.store.models import (
    Cycle,
    Network,
    NetworkMember,
    NetworkShare,
    Organisation,
    OrgResponseTotal,
    OrgScore,
    User,
)
from qms.store.models.networks import DEPTH_CRITERION
from qms.store.models.networks import OVERALL as OVERALL  # re-exported for the web layer
from qms.store.org_scores import has_org_scores, keep_org_scores
from qms.store.snapshots import methodology_by_hash

Key = tuple[str, str | None]  # (node, group or None for the composite)


# -- what the pages and the API get ---------------------------------------------------


@dataclass(frozen=True)
class Label:
    """A criterion (or "overall") or a group, with its title in the methodology's languages."""

    id: str
    title: Text


@dataclass(frozen=True)
class NamedValue:
    """A consenting organisation's own score, with its place from the lowest."""

    organisation_id: int
    name: str
    score: float
    rank: int
    of: int


@dataclass(frozen=True)
class NodeStat:
    """The distribution of one criterion (or "overall") × group (None: composite)."""

    node: str
    group: str | None
    n_orgs: int
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None
    named: tuple[NamedValue, ...] = ()

    @property
    def shown(self) -> bool:
        return is_shown(self.n_orgs)


@dataclass(frozen=True)
class GroupTotal:
    """Counted responses of a group across the organisations that have the group."""

    group: str
    n_orgs: int
    responses: int | None  # None below three organisations


@dataclass(frozen=True)
class OrgRef:
    id: int
    name: str


@dataclass(frozen=True)
class NetworkView:
    network_id: int
    network_name: str
    year: int
    methodology_id: str
    n_orgs: int
    named: tuple[OrgRef, ...]  # the organisations that consented to be named
    nodes: tuple[Label, ...]  # top-level criteria in methodology order, then "overall"
    groups: tuple[Label, ...]  # respondent groups in methodology order
    stats: tuple[NodeStat, ...]
    responses: tuple[GroupTotal, ...]
    _index: Mapping[Key, NodeStat] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(s.node, s.group): s for s in self.stats})

    def stat(self, node: str, group: str | None) -> NodeStat:
        found = self._index.get((node, group))
        if found is None:
            return NodeStat(node, group, 0, None, None, None, None, None, None)
        return found


@dataclass(frozen=True)
class TrendStat:
    node: str
    group: str | None
    n_orgs: int
    median: float | None
    q1: float | None
    q3: float | None


@dataclass(frozen=True)
class TrendYear:
    year: int
    n_orgs: int
    stats: tuple[TrendStat, ...]
    _index: Mapping[Key, TrendStat] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(s.node, s.group): s for s in self.stats})

    def stat(self, node: str, group: str | None) -> TrendStat:
        return self._index.get((node, group)) or TrendStat(node, group, 0, None, None, None)


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


@dataclass(frozen=True)
class ShareState:
    """One of the organisation's networks as the sharing page shows it for a cycle."""

    network_id: int
    network_name: str
    shared: bool
    named: bool
    shared_at: datetime | None
    shared_by: str


# -- sharing --------------------------------------------------------------------------


def _member(session: Session, network_id: int, organisation_id: int) -> bool:
    return session.get(NetworkMember, (network_id, organisation_id)) is not None


def _shared(session: Session, cycle_id: int, network_id: int) -> bool:
    query = select(NetworkShare.id).where(
        NetworkShare.cycle_id == cycle_id, NetworkShare.network_id == network_id
    )
    return session.scalar(query) is not None


def share_cycle(
    session: Session, cycle: Cycle, network_id: int, *, named: bool, actor_id: int | None
) -> bool:
    """Share a closed cycle with a network the organisation belongs to (or change whether
    it is named there). Returns False when nothing changed. Audit-logged."""
    network = session.get(Network, network_id)
    if network is None or not _member(session, network_id, cycle.organisation_id):
        raise NotFound("the organisation does not belong to this network")
    if cycle.status != "closed":
        raise Conflict(f"cycle {cycle.id} is {cycle.status}: only a closed cycle can be shared")
    if not has_org_scores(session, cycle.id):
        keep_org_scores(session, cycle)  # closed before scores were kept (an upgrade)
    share = session.scalar(
        select(NetworkShare).where(
            NetworkShare.cycle_id == cycle.id, NetworkShare.network_id == network_id
        )
    )
    detail = {"year": cycle.year, "methodology": cycle.methodology_id, "named": named}
    if share is None:
        try:
            # Two heads sharing at the same moment: the second finds the first's row.
            with session.begin_nested():
                session.add(NetworkShare(cycle_id=cycle.id, network_id=network_id,
                                         named=named, shared_by=actor_id))
        except IntegrityError:
            if not _shared(session, cycle.id, network_id):
                raise
            return share_cycle(session, cycle, network_id, named=named, actor_id=actor_id)
        action = "cycle.shared"
    elif share.named != named:
        share.named = named
        share.shared_by = actor_id
        action = "cycle.share_changed"
    else:
        return False
    session.flush()
    record_event(session, actor_id=actor_id, action=action,
                 organisation_id=cycle.organisation_id, network_id=network_id,
                 subject=f"cycle {cycle.id} → {network.name}", detail=detail)
    return True


def withdraw_share(
    session: Session, cycle: Cycle, network_id: int, *, actor_id: int | None
) -> bool:
    """Stop the cycle counting in the network; False when it was not shared."""
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound("no such network")
    result = session.execute(
        delete(NetworkShare).where(
            NetworkShare.cycle_id == cycle.id, NetworkShare.network_id == network_id
        )
    )
    if not getattr(result, "rowcount", 0):
        return False
    record_event(session, actor_id=actor_id, action="cycle.share_withdrawn",
                 organisation_id=cycle.organisation_id, network_id=network_id,
                 subject=f"cycle {cycle.id} ← {network.name}",
                 detail={"year": cycle.year, "methodology": cycle.methodology_id})
    return True


def cycle_shares(session: Session, cycle: Cycle) -> list[ShareState]:
    """Every network of the cycle's organisation, with the cycle's share there if any."""
    rows = session.execute(
        select(Network.id, Network.name, NetworkShare.named, NetworkShare.shared_at, User.email)
        .join(NetworkMember, NetworkMember.network_id == Network.id)
        .outerjoin(
            NetworkShare,
            (NetworkShare.network_id == Network.id) & (NetworkShare.cycle_id == cycle.id),
        )
        .outerjoin(User, User.id == NetworkShare.shared_by)
        .where(NetworkMember.organisation_id == cycle.organisation_id)
        .order_by(Network.name)
    )
    return [
        ShareState(nid, name, shared_at is not None, bool(named), shared_at, email or "")
        for nid, name, named, shared_at, email in rows
    ]


# -- aggregates -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Contributor:
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
            Cycle.id, Organisation.id, Organisation.name, NetworkShare.named, Cycle.year,
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


def _contributors(
    session: Session, network_id: int, methodology_id: str, year: int | None
) -> list[_Contributor]:
    query = _contributors_query(network_id, methodology_id)
    if year is not None:
        query = query.where(Cycle.year == year)
    return [
        _Contributor(int(c), int(o), str(n), bool(nm), int(y), str(h))
        for c, o, n, nm, y, h in session.execute(query.order_by(Cycle.id))
    ]


def _scores(session: Session, cycle_ids: Iterable[int]) -> dict[int, dict[Key, float]]:
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


def _totals(session: Session, cycle_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    ids = list(cycle_ids)
    by_cycle: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return by_cycle
    rows = session.execute(
        select(OrgResponseTotal.cycle_id, OrgResponseTotal.group_id, OrgResponseTotal.responses)
        .where(OrgResponseTotal.cycle_id.in_(ids))
    )
    for cycle_id, group, n in rows:
        by_cycle[cycle_id][group] = int(n)
    return by_cycle


def _methodology(session: Session, contributors: list[_Contributor]) -> Methodology | None:
    """The newest contributing cycle's methodology, for titles and the order of rows."""
    if not contributors:
        return None
    newest = max(contributors, key=lambda c: (c.year, c.cycle_id))
    return methodology_by_hash(session, newest.cycle_id, newest.snapshot_hash)


def _labels(
    methodology: Methodology | None, keys: Iterable[Key]
) -> tuple[tuple[Label, ...], tuple[Label, ...]]:
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
        nodes += [Label(n, Text.of({lang: n}, lang))
                  for n in sorted(present_nodes - known_n - {OVERALL})]
        groups += [Label(g, Text.of({lang: g}, lang)) for g in sorted(present_groups - known_g)]
        nodes.append(Label(OVERALL, Text.of({lang: OVERALL}, lang)))
    return tuple(nodes), tuple(groups)


def _network(session: Session, network_id: int) -> Network:
    network = session.get(Network, network_id)
    if network is None:
        raise NotFound(f"no network with id {network_id}")
    return network


def network_years(session: Session, network_id: int) -> list[tuple[int, str]]:
    """(year, methodology id) pairs with at least one counted shared cycle, newest first."""
    query = (
        select(Cycle.year, Cycle.methodology_id)
        .select_from(NetworkShare)
        .join(Cycle, Cycle.id == NetworkShare.cycle_id)
        .join(
            NetworkMember,
            (NetworkMember.network_id == NetworkShare.network_id)
            & (NetworkMember.organisation_id == Cycle.organisation_id),
        )
        .where(NetworkShare.network_id == network_id, Cycle.status == "closed")
        .distinct()
        .order_by(Cycle.year.desc(), Cycle.methodology_id)
    )
    return [(int(y), str(m)) for y, m in session.execute(query)]


def _node_stat(
    key: Key, values: list[tuple[_Contributor, float]]
) -> NodeStat:
    dist = summarise([v for _, v in values])
    named: tuple[NamedValue, ...] = ()
    if dist.median is not None:
        all_values = [v for _, v in values]
        picks = []
        for contributor, value in values:
            if contributor.named:
                rank = rank_from_lowest(value, all_values)
                assert rank is not None  # shown distributions have ranks
                picks.append(NamedValue(contributor.organisation_id, contributor.name, value,
                                        rank.rank, rank.of))
        named = tuple(sorted(picks, key=lambda p: p.name))
    return NodeStat(key[0], key[1], dist.n_orgs, dist.mean, dist.median, dist.q1, dist.q3,
                    dist.min, dist.max, named)


def network_aggregates(
    session: Session, network_id: int, year: int, methodology_id: str
) -> NetworkView:
    """Per criterion (and "overall") × group (None: composite), the distribution across
    the organisations that shared a closed cycle of that year and methodology."""
    network = _network(session, network_id)
    contributors = _contributors(session, network_id, methodology_id, year)
    scores = _scores(session, (c.cycle_id for c in contributors))
    totals = _totals(session, (c.cycle_id for c in contributors))
    values: dict[Key, list[tuple[_Contributor, float]]] = {}
    for contributor in contributors:
        for key, score in scores[contributor.cycle_id].items():
            values.setdefault(key, []).append((contributor, score))
    nodes, groups = _labels(_methodology(session, contributors), values)
    stats = []
    for node in nodes:
        for group in [*(g.id for g in groups), None]:
            stats.append(_node_stat((node.id, group), values.get((node.id, group), [])))
    responses = []
    for label in groups:
        counts = [t[label.id] for t in totals.values() if label.id in t]
        shown = is_shown(len(counts))
        responses.append(GroupTotal(label.id, len(counts), sum(counts) if shown else None))
    named = tuple(sorted({OrgRef(c.organisation_id, c.name) for c in contributors if c.named},
                         key=lambda r: r.name))
    return NetworkView(
        network_id=network.id,
        network_name=network.name,
        year=year,
        methodology_id=methodology_id,
        n_orgs=len({c.organisation_id for c in contributors}),
        named=named,
        nodes=nodes,
        groups=groups,
        stats=tuple(stats),
        responses=tuple(responses),
    )


def network_trend(session: Session, network_id: int, methodology_id: str) -> list[TrendYear]:
    """Per year (oldest first): median and quartiles of every criterion × group."""
    _network(session, network_id)
    contributors = _contributors(session, network_id, methodology_id, None)
    scores = _scores(session, (c.cycle_id for c in contributors))
    by_year: dict[int, dict[Key, list[float]]] = {}
    orgs: dict[int, set[int]] = {}
    for contributor in contributors:
        per_key = by_year.setdefault(contributor.year, {})
        orgs.setdefault(contributor.year, set()).add(contributor.organisation_id)
        for key, score in scores[contributor.cycle_id].items():
            per_key.setdefault(key, []).append(score)
    years = []
    for year in sorted(by_year):
        stats = []
        for key, vals in sorted(by_year[year].items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
            q = iqr_band(vals)
            stats.append(TrendStat(key[0], key[1], len(vals), *(q[1], q[0], q[2]) if q else
                                   (None, None, None)))
        years.append(TrendYear(year, len(orgs[year]), tuple(stats)))
    return years


def organisation_position(
    session: Session, organisation_id: int, network_id: int, year: int, methodology_id: str
) -> OrganisationPosition | None:
    """The organisation's own scores against the network's distribution, per criterion ×
    group; None when the organisation has no closed cycle of that year and methodology
    or is not a member. The distribution is the network's (the cycle counts in it only
    when shared); a band or rank shows only where the distribution has 3+ organisations."""
    network = _network(session, network_id)
    if not _member(session, network_id, organisation_id):
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
    contributors = _contributors(session, network_id, methodology_id, year)
    ids = [c.cycle_id for c in contributors]
    share = next((c for c in contributors if c.cycle_id == own_cycle_id), None)
    scores = _scores(session, [*ids, own_cycle_id] if share is None else ids)
    values: dict[Key, list[float]] = {}
    for cycle_id in ids:
        for key, score in scores[cycle_id].items():
            values.setdefault(key, []).append(score)
    own_scores = scores[own_cycle_id]
    methodology = methodology_by_hash(session, own_cycle_id, own_hash)
    nodes, groups = _labels(methodology, [*values, *own_scores])
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
