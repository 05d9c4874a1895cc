"""Network aggregates for the coordinator's dashboard, its exports and the API
(METHODOLOGY.md §3.11, §5.5): distributions across the organisations of the year's
current release, trends over the years' releases, and response totals.

Nothing here reads the live shares' scores: figures come from the releases that
qms.store.network_releases made, and what a viewer sees of them is
qms.disclosure.network's decision for that viewer (`Scope`: their own organisations
and the networks they can see). Every returned statistic carries its count, and the
rest only where it is shown, with the reason when it is not; named values appear only
where the statistic is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from qms.disclosure.network import RESPONSES, Reason, Release, Shown, Viewer, figures
from qms.methodology.model import Methodology
from qms.store import naming
from qms.store import network_releases as nr
from qms.store.models import Cycle, NetworkMember, NetworkShare
from qms.store.networks import Key, Label, get_network, labels_of
from qms.store.snapshots import methodology_by_hash

# -- whose view -----------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A viewer: their own organisations (identifiable to them) and the networks they can
    see (None: every network, for admins)."""

    own: frozenset[int] = frozenset()
    networks: frozenset[int] | None = frozenset()


def scope_of(
    session: Session,
    *,
    own: Iterable[int],
    coordinated: Iterable[int] | None,
    head_of: Iterable[int] | None,
) -> Scope:
    """`coordinated`: the networks whose dashboard they read; `head_of`: the organisations
    whose position pages they read (their networks count too). None: all (admins)."""
    if coordinated is None or head_of is None:
        return Scope(frozenset(own), None)
    return Scope(frozenset(own), frozenset(coordinated) | nr.network_ids_of(session, head_of))


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
    reason: Reason = "unreleased"

    @property
    def shown(self) -> bool:
        return self.reason == "shown"


@dataclass(frozen=True)
class GroupTotal:
    """Counted responses of a group across the organisations that have the group."""

    group: str
    n_orgs: int
    responses: int | None  # None where not shown
    reason: Reason = "unreleased"


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
    n_orgs: int  # organisations in the current release
    named: tuple[OrgRef, ...]  # the release's organisations that consent to be named
    nodes: tuple[Label, ...]  # top-level criteria in methodology order, then "overall"
    groups: tuple[Label, ...]  # respondent groups in methodology order
    stats: tuple[NodeStat, ...]
    responses: tuple[GroupTotal, ...]
    release: nr.ReleaseInfo | None = None  # None: the year is not released yet
    withdrawn: bool = False
    _index: Mapping[Key, NodeStat] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {(s.node, s.group): s for s in self.stats})

    def stat(self, node: str, group: str | None) -> NodeStat:
        found = self._index.get((node, group))
        if found is None:
            return NodeStat(
                node,
                group,
                0,
                None,
                None,
                None,
                None,
                None,
                None,
                reason="unreleased" if self.release is None else "few",
            )
        return found

    @property
    def released_at(self) -> datetime | None:
        return self.release.made_at if self.release else None


@dataclass(frozen=True)
class TrendStat:
    node: str
    group: str | None
    n_orgs: int
    median: float | None
    q1: float | None
    q3: float | None
    reason: Reason = "unreleased"


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


# -- the year's releases as one viewer sees them --------------------------------------


@dataclass(frozen=True)
class YearFigures:
    """The current release of one network's year and what the viewer sees of it."""

    info: nr.ReleaseInfo
    release: Release
    shown: Mapping[Key, Shown]
    named_here: frozenset[int]


def _visible(scope: Scope, network_id: int) -> frozenset[int] | None:
    return None if scope.networks is None else scope.networks | {network_id}


def year_figures(
    session: Session, network_id: int, year: int, methodology_id: str, scope: Scope
) -> YearFigures | None:
    """None when the year has no release."""
    infos = nr.year_releases(session, _visible(scope, network_id), year, methodology_id)
    mine = [i for i in infos if i.network_id == network_id]
    if not mine:
        return None
    current = mine[-1]
    loaded = nr.load_releases(session, infos)
    named = naming.named_now(session, [i.id for i in infos])
    # Named now, or named at any time before: a score once seen is not forgotten. Every
    # network the viewer sees counts, released this year or not, as qms.store.naming
    # weighs it when it lets a name take effect.
    seen = naming.names_seen(session, _visible(scope, network_id), year, methodology_id)
    viewer = Viewer(own=scope.own, named=frozenset().union(*named.values()) | seen)
    release = loaded[current.id]
    others = [loaded[i.id] for i in infos if i.id != current.id]
    return YearFigures(
        current, release, figures(release, others, viewer, named[current.id]), named[current.id]
    )


def _methodology(session: Session, release_id: int) -> Methodology | None:
    """A methodology of the release's cycles (the newest), for titles and row order."""
    cycles = [(c, h) for c, h in nr.release_snapshots(session, release_id) if c is not None]
    if not cycles:
        return None
    cycle_id, snapshot_hash = cycles[-1]
    return methodology_by_hash(session, cycle_id, snapshot_hash)


def network_years(session: Session, network_id: int) -> list[tuple[int, str]]:
    """(year, methodology id) pairs that are released or have a counted shared cycle
    (so that the coordinator can release them), newest first."""
    get_network(session, network_id)
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
    )
    found = {(int(y), str(m)) for y, m in session.execute(query)}
    found |= set(nr.released_years(session, network_id))
    return sorted(found, key=lambda p: (-p[0], p[1]))


def _node_stat(key: Key, shown: Shown | None, names: Mapping[int, str]) -> NodeStat:
    if shown is None:
        return NodeStat(key[0], key[1], 0, None, None, None, None, None, None, reason="few")
    d = shown.dist
    named = tuple(
        sorted(
            (
                NamedValue(
                    n.organisation_id,
                    names.get(n.organisation_id, ""),
                    n.value,
                    n.rank.rank,
                    n.rank.of,
                )
                for n in shown.named
            ),
            key=lambda n: n.name,
        )
    )
    return NodeStat(
        key[0],
        key[1],
        shown.n_orgs,
        d.mean,
        d.median,
        d.q1,
        d.q3,
        d.min,
        d.max,
        named,
        shown.reason,
    )


def network_aggregates(
    session: Session, network_id: int, year: int, methodology_id: str, scope: Scope
) -> NetworkView:
    """Per criterion (and "overall") × group (None: composite), the distribution across
    the organisations of the year's current release, as `scope` may see it."""
    network = get_network(session, network_id)
    found = year_figures(session, network_id, year, methodology_id, scope)
    if found is None:
        return NetworkView(network.id, network.name, year, methodology_id, 0, (), (), (), (), ())
    names = naming.release_names(session, found.info.id)
    score_keys = [k for k in found.release.values if k[0] != RESPONSES]
    nodes, groups = labels_of(_methodology(session, found.info.id), score_keys)
    stats = [
        _node_stat((node.id, group), found.shown.get((node.id, group)), names)
        for node in nodes
        for group in [*(g.id for g in groups), None]
    ]
    responses = []
    for label in groups:
        total = found.shown.get((RESPONSES, label.id))
        if total is None:
            responses.append(GroupTotal(label.id, 0, None, "few"))
        else:
            responses.append(
                GroupTotal(
                    label.id,
                    total.n_orgs,
                    round(total.total) if total.total is not None else None,
                    total.reason,
                )
            )
    named = tuple(
        sorted((OrgRef(o, names[o]) for o in found.named_here if o in names), key=lambda r: r.name)
    )
    return NetworkView(
        network_id=network.id,
        network_name=network.name,
        year=year,
        methodology_id=methodology_id,
        n_orgs=len(found.release.organisations),
        named=named,
        nodes=nodes,
        groups=groups,
        stats=tuple(stats),
        responses=tuple(responses),
        release=found.info,
        withdrawn=found.release.withdrawn,
    )


def network_trend(
    session: Session, network_id: int, methodology_id: str, scope: Scope
) -> list[TrendYear]:
    """Per released year (oldest first): median and quartiles of every criterion × group
    of the year's current release, where the viewer may see them."""
    get_network(session, network_id)
    years = sorted(y for y, m in nr.released_years(session, network_id) if m == methodology_id)
    result = []
    for year in years:
        found = year_figures(session, network_id, year, methodology_id, scope)
        if found is None:
            continue
        stats = [
            TrendStat(k[0], k[1], s.n_orgs, s.dist.median, s.dist.q1, s.dist.q3, s.reason)
            for k, s in sorted(found.shown.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
            if k[0] != RESPONSES
        ]
        result.append(TrendYear(year, len(found.release.organisations), tuple(stats)))
    return result
