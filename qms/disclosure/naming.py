"""When a consent to be named may take effect (METHODOLOGY.md §5.5), pure.

A viewer identifies their own organisations and every organisation named in a network
they can see of the year and methodology (qms.disclosure.network). The figures they
have already seen were safe with what they identified *then*. A name given later grows
that set, and two releases they saw, whose sets differed by three unknown organisations,
may now differ by two; a release with three unknown may now have two. Hiding one of
the figures now is too late: the viewer kept them.

So a consent does not take effect at once. A name is *effective* (shown beside the
network's figures, and counted as identified by the viewers of that network) only when
making it so closes no gap for any viewer who would learn it. Until then it is *held*:
the organisation is not named and counts as unknown, and the pages say so.

The rule, per viewer `View` (an account with its own organisations and the networks it
can see; accounts that see nothing of the year do not count):

- the *gaps* of a viewer are, for every statistic (criterion × group, response total),
  the set of each release it can see with at least 3 organisations, and the symmetric
  difference of every two such sets (of the same statistic, any two releases of the
  networks it sees, current or earlier, shown today or not: what hides one today may
  not have hidden it when it was read);
- adding names N to what the viewer identifies (K) is safe when no gap G has
  |G − K| ≥ 3 and 1 ≤ |G − K − N| ≤ 2. A gap already at 1 or 2 is one the
  disclosure rule keeps apart (one of the two figures was never shown), and a gap
  closing to 0 reveals nothing: its organisations are all identified;
- a name in network n is learnt by the viewers that see n only; for the others it adds
  nothing.

Several held names: they are considered in the order the consents were given. The
earliest held name that may take effect alone does; else the earliest that may take
effect together with some of the names held before it (fewest first, then earliest),
which is how a gap of three closes to zero when all three consent. After each change
the search starts again from the first held name, until nothing more can be admitted.
The result depends only on the consent order and the releases, never on reading order.

Once effective, a name stays identified for good (the store keeps it, even after the
consent is withdrawn): a score once seen is not forgotten.

Limits: gaps are compared two releases at a time, as the disclosure rule does. The
viewers are the accounts that exist when the decision is made; a viewer given a new
organisation later (own organisations identify too) is not foreseen.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from qms.disclosure.network import Release, StatKey
from qms.scoring.stats import MIN_ORGS

# Groups of earlier held names tried with a later one: every group up to this size,
# then all of them together (a few names wait at a time; this bounds the search).
MAX_GROUP = 3


@dataclass(frozen=True)
class Candidate:
    """A consent to be named in one network that has not taken effect yet."""

    network_id: int
    organisation_id: int


@dataclass(frozen=True)
class View:
    """What one viewer identifies now and the gaps of the releases it can see.

    `networks`: the networks it sees (None: every network, an admin)."""

    known: frozenset[int]
    networks: frozenset[int] | None
    gaps: frozenset[frozenset[int]]

    def learns(self, candidate: Candidate) -> bool:
        return self.networks is None or candidate.network_id in self.networks


@dataclass(frozen=True)
class Decision:
    effective: tuple[Candidate, ...]  # in the order they were admitted
    held: tuple[Candidate, ...]  # in consent order


def gaps_of(releases: Iterable[Release]) -> frozenset[frozenset[int]]:
    """Every set whose unknown members a viewer of these releases could single out: each
    statistic's organisations (3 or more) and the difference of two releases' sets."""
    by_key: dict[StatKey, set[frozenset[int]]] = {}
    for release in releases:
        for key in release.values:
            members = release.members(key)
            if len(members) >= MIN_ORGS:
                by_key.setdefault(key, set()).add(members)
    found: set[frozenset[int]] = set()
    for sets in by_key.values():
        found |= sets
        for s, t in combinations(sorted(sets, key=sorted), 2):
            found.add(s ^ t)
    return frozenset(found)


def view(
    own: Iterable[int],
    named: Iterable[int],
    networks: frozenset[int] | None,
    releases: Iterable[Release],
) -> View:
    """A viewer: `named` the effective names in the networks it sees; `releases` every
    release of the year and methodology in them."""
    return View(frozenset(own) | frozenset(named), networks, gaps_of(releases))


def _closes(gap: frozenset[int], known: frozenset[int], adding: frozenset[int]) -> bool:
    before = len(gap - known)
    return before >= MIN_ORGS and 1 <= len(gap - known - adding) < MIN_ORGS


def safe(views: Sequence[View], names: Sequence[Candidate]) -> bool:
    """Whether all of `names` may take effect together, given what each viewer knows."""
    for v in views:
        adding = frozenset(c.organisation_id for c in names if v.learns(c)) - v.known
        if adding and any(_closes(g, v.known, adding) for g in v.gaps):
            return False
    return True


def _learn(views: Sequence[View], names: Sequence[Candidate]) -> list[View]:
    return [
        View(v.known | {c.organisation_id for c in names if v.learns(c)}, v.networks, v.gaps)
        for v in views
    ]


def _groups(earlier: Sequence[Candidate]) -> Iterable[tuple[Candidate, ...]]:
    """Groups of earlier held names, fewest first, then earliest."""
    for size in range(min(len(earlier), MAX_GROUP) + 1):
        yield from combinations(earlier, size)
    if len(earlier) > MAX_GROUP:
        yield tuple(earlier)


def decide(held: Sequence[Candidate], views: Sequence[View]) -> Decision:
    """Which of the `held` names (in consent order) take effect now (see the module)."""
    waiting = list(dict.fromkeys(held))
    current = list(views)
    admitted: list[Candidate] = []
    progress = True
    while progress and waiting:
        progress = False
        for i, name in enumerate(waiting):
            group = next(
                (g for g in _groups(waiting[:i]) if safe(current, [*g, name])),
                None,
            )
            if group is None:
                continue
            names = [c for c in waiting if c in group or c == name]
            admitted += names
            waiting = [c for c in waiting if c not in names]
            current = _learn(current, names)
            progress = True
            break
    return Decision(tuple(admitted), tuple(waiting))


__all__ = ["MAX_GROUP", "Candidate", "Decision", "View", "decide", "gaps_of", "safe", "view"]
