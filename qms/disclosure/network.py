"""Which network statistics a given viewer sees (METHODOLOGY.md §5.5), pure.

A network's figures of a year come from a *release* that its coordinator made: the set
of organisations that had shared a closed cycle, with those cycles' organisation-level
scores and counted responses, frozen. A *statistic* is one criterion (or "overall") ×
group (or the composite), or one group's response total; the organisations that
contribute to it (its set S) can differ from statistic to statistic, because not every
organisation has every group.

The viewer rule, per statistic of the release being looked at:

1. **Few**: shown only when S has at least 3 organisations (n_orgs is always shown).
2. **Identifiable**: leaving out the organisations the viewer can *identify* — their own
   organisation(s), and every organisation whose name took effect (now or before) in any
   network the viewer can see for that year and methodology — either none or at least
   3 must remain. With one or two left, their scores follow from the mean, min or max
   once the known values are taken out. A consent takes effect only when it can no
   longer make figures the viewer saw before combinable (qms.disclosure.naming).
3. **Differs**: S is compared with the same statistic's set T in every *other* release
   the viewer can see of that year and methodology: the earlier releases of the same
   network, and every release (current or earlier) of each other network the viewer
   can see. When the organisations that tell S and T apart, less the identified ones,
   number 1 or 2, subtracting one figure from the other gives them away, so only one of
   the two may be shown. Which one: the release made *earlier* stays shown and the
   later one is hidden; of two made at the same moment the one with more
   organisations stays (then the lower network id and release number, so that the
   choice never depends on the order of reading). A T with fewer than 3 organisations
   is never shown to anyone (its release is frozen), so it conflicts with nothing;
   every other T counts whether or not the viewer sees it now, because what hides it
   now (a naming consent, a withdrawal) may change, and the viewer may have seen it
   before.
4. **Withdrawn**: when an organisation of the release has withdrawn its share (or left
   the network) since, no statistic of the release is shown: consent withdrawn is
   honoured at once, and the figures return with the next release.

Decision where §5.5 is silent or ambiguous: its last sentence says that of two networks
whose sets differ by one or two organisations the viewer "sees the figures of the
larger one only". Taken literally, a smaller network released (and seen) earlier and a
larger one released later would both be seen over time, and their difference would
still give the few organisations away. So precedence goes by the time of release
first, and only at the same moment by size. The sets are compared less the identified
organisations: a difference made only of the viewer's own and consenting organisations
reveals nothing new, while a difference of three of which two are named would reveal
the third.

Positions, bands, ranks and named organisations' values exist only where the statistic
itself is shown (`Shown.named`, `placing`).

Limit: the rule compares releases two at a time, as §5.5 does; sums over three or more
releases of overlapping sets are not searched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from qms.scoring.network import Band, Rank, band, rank_from_lowest, summarise
from qms.scoring.stats import MIN_ORGS, Distribution

StatKey = tuple[str, str | None]  # (node, group or None for the composite)
RESPONSES = "#responses"  # the node of a group's response total: (RESPONSES, group)

# "unreleased": the year has no release yet (the store's answer; never decided here).
Reason = Literal["shown", "few", "identifiable", "differs", "withdrawn", "unreleased"]
REASONS: tuple[Reason, ...] = ("shown", "few", "identifiable", "differs", "withdrawn", "unreleased")


@dataclass(frozen=True)
class Release:
    """One release of one network's year, as the store read it.

    `values`: per statistic, each contributing organisation's value (a score, or a
    response count for a (RESPONSES, group) key). `withdrawn`: an organisation of the
    release no longer shares (or is no longer a member)."""

    network_id: int
    seq: int
    made_at: datetime
    values: Mapping[StatKey, Mapping[int, float]]
    withdrawn: bool = False
    organisations: frozenset[int] = frozenset()

    def members(self, key: StatKey) -> frozenset[int]:
        return frozenset(self.values.get(key, {}))

    @property
    def ref(self) -> tuple[int, int]:
        return self.network_id, self.seq


@dataclass(frozen=True)
class Viewer:
    """Whom a viewer can identify: their own organisations and the organisations named
    with consent in the networks they can see (of the year and methodology at hand)."""

    own: frozenset[int] = frozenset()
    named: frozenset[int] = frozenset()

    @property
    def identified(self) -> frozenset[int]:
        return self.own | self.named


@dataclass(frozen=True)
class NamedValue:
    organisation_id: int
    value: float
    rank: Rank


@dataclass(frozen=True)
class Shown:
    """What the viewer gets of one statistic: its count always, the rest when shown."""

    key: StatKey
    n_orgs: int
    reason: Reason
    dist: Distribution
    total: float | None = None  # a response total's sum, when shown
    named: tuple[NamedValue, ...] = ()
    _values: tuple[float, ...] = field(default=(), repr=False, compare=False)

    @property
    def shown(self) -> bool:
        return self.reason == "shown"


def _precedes(a: Release, size_a: int, b: Release, size_b: int) -> bool:
    """Whether `a` stays shown rather than `b` when the two conflict: of one network the
    earlier release; else the one made earlier, then the larger, then the lower ids."""
    if a.network_id == b.network_id:
        return a.seq < b.seq
    return (a.made_at, -size_a, a.network_id, a.seq) < (b.made_at, -size_b, b.network_id, b.seq)


def _conflicts(s: frozenset[int], t: frozenset[int], identified: frozenset[int]) -> bool:
    return 1 <= len((s ^ t) - identified) <= 2


def reason_for(release: Release, key: StatKey, others: Iterable[Release], viewer: Viewer) -> Reason:
    """Why a statistic is or is not shown to `viewer` (see the module's rules)."""
    if release.withdrawn:
        return "withdrawn"
    s = release.members(key)
    if len(s) < MIN_ORGS:
        return "few"
    identified = viewer.identified
    left = len(s - identified)
    if 0 < left < MIN_ORGS:
        return "identifiable"
    for other in others:
        if other.ref == release.ref:
            continue
        t = other.members(key)
        if len(t) < MIN_ORGS:
            continue  # never shown to anyone
        if _precedes(other, len(t), release, len(s)) and _conflicts(s, t, identified):
            return "differs"
    return "shown"


def figures(
    release: Release,
    others: Sequence[Release],
    viewer: Viewer,
    named_here: frozenset[int] = frozenset(),
    keys: Iterable[StatKey] | None = None,
) -> dict[StatKey, Shown]:
    """Every statistic of `release` (or those in `keys`) as `viewer` may see it.

    `others`: the other releases the viewer can see of the same year and methodology
    (earlier ones of this network, any of other networks). `named_here`: the release's
    organisations that consent to be named in this network now; their values appear
    only on shown statistics."""
    wanted = list(release.values) if keys is None else list(keys)
    result: dict[StatKey, Shown] = {}
    for key in wanted:
        result[key] = shown_stat(release, key, others, viewer, named_here)
    return result


def shown_stat(
    release: Release,
    key: StatKey,
    others: Sequence[Release],
    viewer: Viewer,
    named_here: frozenset[int] = frozenset(),
) -> Shown:
    by_org = release.values.get(key, {})
    reason = reason_for(release, key, others, viewer)
    values = [float(v) for v in by_org.values()]
    if reason != "shown":
        hidden = Distribution(len(by_org), None, None, None, None, None, None)
        return Shown(key, len(by_org), reason, hidden)
    dist = summarise(values)
    total = sum(values) if key[0] == RESPONSES else None
    named = []
    for org, value in sorted(by_org.items()):
        if org in named_here:
            rank = rank_from_lowest(value, values)
            assert rank is not None  # a shown statistic has three or more values
            named.append(NamedValue(org, float(value), rank))
    return Shown(key, len(by_org), reason, dist, total, tuple(named), tuple(sorted(values)))


@dataclass(frozen=True)
class Placing:
    """Where one organisation's own value stands in a shown statistic."""

    band: Band | None
    rank: Rank | None


def placing(stat: Shown, own_value: float | None, counted: bool) -> Placing:
    """The band and rank of `own_value` in `stat`; nothing unless the statistic is shown.
    `counted`: whether the organisation is one of the statistic's own organisations
    (else it is placed among them as one more)."""
    if not stat.shown or own_value is None:
        return Placing(None, None)
    among = list(stat._values) if counted else [*stat._values, own_value]
    return Placing(band(own_value, stat.dist), rank_from_lowest(own_value, among))


def release_conflict(
    current: frozenset[int], earlier: Sequence[tuple[datetime, frozenset[int]]]
) -> tuple[datetime, int] | None:
    """A new release's organisation set must differ from each earlier release of the
    year by at least 3 organisations (§5.5); the first earlier release it does not
    differ enough from, with the difference, or None when it may be made."""
    for made_at, orgs in earlier:
        differ = len(current ^ orgs)
        if differ < MIN_ORGS:
            return made_at, differ
    return None


__all__ = [
    "REASONS",
    "RESPONSES",
    "NamedValue",
    "Placing",
    "Reason",
    "Release",
    "Shown",
    "StatKey",
    "Viewer",
    "figures",
    "placing",
    "reason_for",
    "release_conflict",
    "shown_stat",
]
