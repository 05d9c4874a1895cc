"""Network aggregates for the coordinator's dashboard and the API (METHODOLOGY.md §3.11):
distributions across the organisations that shared a closed cycle, trends over the
years, and response totals.

Which cycles count is qms.store.networks'. Everything returned is a frozen dataclass;
statistics over fewer than three organisations carry only their count, and named values
appear only for organisations that consented (and only where the statistic itself is
shown).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.methodology.model import Methodology
from qms.scoring.network import iqr_band, is_shown, rank_from_lowest, summarise
from qms.store.models import Cycle, NetworkMember, NetworkShare, OrgResponseTotal
from qms.store.networks import (
    Contributor,
    Key,
    Label,
    contributors_of,
    criterion_scores,
    get_network,
    labels_of,
)
from qms.store.snapshots import methodology_by_hash

# -- what the pages and the API get ---------------------------------------------------


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


# -- aggregates -----------------------------------------------------------------------


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


def _methodology(session: Session, contributors: list[Contributor]) -> Methodology | None:
    """The newest contributing cycle's methodology, for titles and the order of rows."""
    if not contributors:
        return None
    newest = max(contributors, key=lambda c: (c.year, c.cycle_id))
    return methodology_by_hash(session, newest.cycle_id, newest.snapshot_hash)


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
    key: Key, values: list[tuple[Contributor, float]]
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
    network = get_network(session, network_id)
    contributors = contributors_of(session, network_id, methodology_id, year)
    scores = criterion_scores(session, (c.cycle_id for c in contributors))
    totals = _totals(session, (c.cycle_id for c in contributors))
    values: dict[Key, list[tuple[Contributor, float]]] = {}
    for contributor in contributors:
        for key, score in scores[contributor.cycle_id].items():
            values.setdefault(key, []).append((contributor, score))
    nodes, groups = labels_of(_methodology(session, contributors), values)
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
    get_network(session, network_id)
    contributors = contributors_of(session, network_id, methodology_id, None)
    scores = criterion_scores(session, (c.cycle_id for c in contributors))
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
