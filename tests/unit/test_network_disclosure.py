"""The network viewer rule (qms.disclosure.network, METHODOLOGY.md §5.5), tried as an
attacker: everything one viewer was shown over a sequence of releases, and an attempt to
solve for an unnamed organisation's score from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import groupby

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qms.disclosure.network import (
    Release,
    Shown,
    StatKey,
    Viewer,
    figures,
    placing,
    reason_for,
    release_conflict,
)
from qms.scoring.network import summarise

KEY: StatKey = ("overall", None)
PART: StatKey = ("1", "clients")  # a statistic that only some organisations have
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _release(
    network: int,
    seq: int,
    orgs: dict[int, float],
    minutes: int = 0,
    part: set[int] | None = None,
    withdrawn: bool = False,
) -> Release:
    values = {KEY: dict(orgs)}
    if part is not None:
        values[PART] = {o: orgs[o] + 0.5 for o in part}
    return Release(
        network, seq, T0 + timedelta(minutes=minutes), values, withdrawn, frozenset(orgs)
    )


SCORES = {i: 40.0 + 7.3 * i + 0.01 * i * i for i in range(12)}


def _orgs(*ids: int) -> dict[int, float]:
    return {i: SCORES[i] for i in ids}


# -- the rules, example by example ----------------------------------------------------


def test_three_organisations_two_named_show_a_coordinator_nothing() -> None:
    r = _release(1, 1, _orgs(0, 1, 2))
    assert reason_for(r, KEY, [], Viewer(named=frozenset({0, 1}))) == "identifiable"
    assert reason_for(r, KEY, [], Viewer()) == "shown"


def test_a_head_of_one_of_three_sees_no_quartiles() -> None:
    r = _release(1, 1, _orgs(0, 1, 2))
    stat = figures(r, [], Viewer(own=frozenset({0})))[KEY]
    assert (stat.reason, stat.dist.median, stat.dist.q1, stat.named) == (
        "identifiable",
        None,
        None,
        (),
    )
    assert placing(stat, SCORES[0], True).rank is None


def test_five_with_three_named_hidden_six_with_three_named_shown() -> None:
    named = frozenset({0, 1, 2})
    five = _release(1, 1, _orgs(0, 1, 2, 3, 4))
    six = _release(1, 1, _orgs(0, 1, 2, 3, 4, 5))
    assert reason_for(five, KEY, [], Viewer(named=named)) == "identifiable"
    shown = figures(six, [], Viewer(named=named), named_here=named)[KEY]
    assert shown.reason == "shown"
    assert [(n.organisation_id, n.rank.rank, n.rank.of) for n in shown.named] == [
        (0, 1, 6),
        (1, 2, 6),
        (2, 3, 6),
    ]


def test_fewer_than_three() -> None:
    stat = figures(_release(1, 1, _orgs(0, 1)), [], Viewer())[KEY]
    assert (stat.n_orgs, stat.reason, stat.dist.mean) == (2, "few", None)


def test_the_earlier_of_two_networks_one_apart_stays_shown() -> None:
    small = _release(1, 1, _orgs(0, 1, 2, 3), minutes=0)
    large = _release(2, 1, _orgs(0, 1, 2, 3, 4), minutes=5)
    viewer = Viewer()
    assert reason_for(small, KEY, [large], viewer) == "shown"
    assert reason_for(large, KEY, [small], viewer) == "differs"
    # At the same moment the larger one stays.
    same = _release(1, 1, _orgs(0, 1, 2, 3), minutes=5)
    assert reason_for(large, KEY, [same], viewer) == "shown"
    assert reason_for(same, KEY, [large], viewer) == "differs"
    # Three apart: both.
    far = _release(2, 1, _orgs(0, 1, 2, 3, 4, 5, 6), minutes=5)
    assert reason_for(far, KEY, [small], viewer) == "shown"


def test_a_difference_of_identified_organisations_only_reveals_nothing_new() -> None:
    a = _release(1, 1, _orgs(0, 1, 2, 3))
    b = _release(2, 1, _orgs(0, 1, 2, 3, 4), minutes=1)
    assert reason_for(b, KEY, [a], Viewer(own=frozenset({4}))) == "shown"
    # Three apart, but two of them named: the third would be left over.
    c = _release(2, 1, _orgs(0, 1, 2, 3, 4, 5, 6), minutes=1)
    assert reason_for(c, KEY, [a], Viewer()) == "shown"
    assert reason_for(c, KEY, [a], Viewer(named=frozenset({4, 5}))) == "differs"


def test_an_earlier_release_of_fewer_than_three_conflicts_with_nothing() -> None:
    first = _release(1, 1, _orgs(0, 1))
    second = _release(1, 2, _orgs(0, 1, 2, 3), minutes=1)
    assert reason_for(second, KEY, [first], Viewer()) == "shown"


def test_statistics_are_compared_one_by_one() -> None:
    # The organisation sets differ by 3, the clients' statistic by one only.
    first = _release(1, 1, _orgs(0, 1, 2, 3), part={0, 1, 2})
    second = _release(1, 2, _orgs(0, 1, 2, 3, 4, 5, 6), minutes=1, part={0, 1, 2, 3})
    shown = figures(second, [first], Viewer())
    assert (shown[KEY].reason, shown[PART].reason) == ("shown", "differs")


def test_withdrawn_hides_everything() -> None:
    r = _release(1, 1, _orgs(0, 1, 2, 3, 4), withdrawn=True)
    assert {s.reason for s in figures(r, [], Viewer()).values()} == {"withdrawn"}


def test_release_conflict() -> None:
    assert release_conflict(frozenset({1, 2}), []) is None
    assert release_conflict(frozenset({1, 2, 3, 4}), [(T0, frozenset({1, 2, 3}))]) == (T0, 1)
    assert release_conflict(frozenset({1, 2, 3, 4, 5, 6}), [(T0, frozenset({1, 2, 3}))]) is None


# -- the attacker ---------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    key: StatKey
    members: frozenset[int]
    stat: Shown


def _known_sum(members: frozenset[int], known: dict[int, float], values: dict[int, float]) -> float:
    return sum(values[o] for o in members if o in known)


def attack(
    seen: list[Seen],
    known: dict[int, float],
    truth: dict[StatKey, dict[int, float]],
    unnamed: set[int],
) -> list[tuple[int, float]]:
    """Every unnamed organisation's score the attacker pins down from what was shown:
    taking the known values out of one statistic's mean, min, max or quartiles, and
    subtracting the totals of two shown statistics. Returns (organisation, value) pairs
    that equal the true score."""
    found: list[tuple[int, float]] = []

    def check(org: int, value: float, key: StatKey) -> None:
        if org in unnamed and abs(truth[key][org] - value) < 1e-6:
            found.append((org, value))

    for s in seen:
        assert s.stat.dist.mean is not None
        total = s.stat.dist.mean * s.stat.n_orgs
        unknown = [o for o in s.members if o not in known]
        if len(unknown) == 1:
            (org,) = unknown
            check(org, total - _known_sum(s.members, known, truth[s.key]), s.key)
            for order in (s.stat.dist.min, s.stat.dist.max, s.stat.dist.median):
                if order is not None and all(
                    abs(order - known[o]) > 1e-9 for o in s.members if o in known
                ):
                    check(org, order, s.key)
    for a in seen:
        for b in seen:
            if a.key != b.key or a is b:
                continue
            assert a.stat.dist.mean is not None and b.stat.dist.mean is not None
            only_a = [o for o in a.members - b.members if o not in known]
            only_b = [o for o in b.members - a.members if o not in known]
            if len(only_a) + len(only_b) != 1:
                continue
            diff = (
                a.stat.dist.mean * a.stat.n_orgs
                - _known_sum(a.members, known, truth[a.key])
                - b.stat.dist.mean * b.stat.n_orgs
                + _known_sum(b.members, known, truth[b.key])
            )
            if only_a:
                check(only_a[0], diff, a.key)
            else:
                check(only_b[0], -diff, a.key)
    return found


@st.composite
def scenarios(
    draw: st.DrawFn,
) -> tuple[list[Release], dict[int, frozenset[int]], Viewer, frozenset[int]]:
    n_orgs = draw(st.integers(3, 9))
    orgs = list(range(n_orgs))
    n_networks = draw(st.integers(1, 3))
    releases: list[Release] = []
    for network in range(1, n_networks + 1):
        # One network's releases follow each other; other networks' may come between,
        # or at the same moment.
        minute = draw(st.integers(0, 4))
        for seq in range(1, draw(st.integers(1, 3)) + 1):
            members = draw(st.sets(st.sampled_from(orgs), min_size=1))
            part = draw(st.sets(st.sampled_from(sorted(members))))
            releases.append(_release(network, seq, _orgs(*members), minutes=minute, part=part))
            minute += draw(st.integers(1, 3))
    # Releases are made in the order of their time; same-time ones in any order.
    releases.sort(key=lambda r: r.made_at)
    named = {n: frozenset(draw(st.sets(st.sampled_from(orgs)))) for n in range(1, n_networks + 1)}
    visible = frozenset(draw(st.sets(st.integers(1, n_networks), min_size=1)))
    own = frozenset(draw(st.sets(st.sampled_from(orgs), max_size=1)))
    viewer = Viewer(own=own, named=frozenset().union(*(named[n] for n in visible)))
    return releases, named, viewer, visible


def _unprotected(r: Release) -> dict[StatKey, Shown]:
    return {
        key: Shown(key, len(by_org), "shown", summarise(list(by_org.values())))
        for key, by_org in r.values.items()
    }


def _what_is_seen(
    releases: list[Release],
    named: dict[int, frozenset[int]],
    viewer: Viewer,
    visible: frozenset[int],
    rule: bool = True,
) -> list[Seen]:
    """Replays the releases moment by moment (releases of the same moment together);
    after each, the viewer reads the current release of every network they can see.
    Everything shown at any time is kept. `rule=False`: as if everything were shown."""
    seen: list[Seen] = []
    made: list[Release] = []
    for _, batch in groupby(releases, key=lambda r: r.made_at):
        made.extend(batch)
        mine = [r for r in made if r.network_id in visible]
        current = {r.network_id: r for r in mine}
        for r in current.values():
            others = [o for o in mine if o.ref != r.ref]
            shown = figures(r, others, viewer, named[r.network_id]) if rule else _unprotected(r)
            for key, stat in shown.items():
                if stat.dist.mean is not None:
                    seen.append(Seen(key, r.members(key), stat))
    return seen


def _truth() -> dict[StatKey, dict[int, float]]:
    return {KEY: dict(SCORES), PART: {o: v + 0.5 for o, v in SCORES.items()}}


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_nothing_shown_pins_down_an_unnamed_organisation(
    scenario: tuple[list[Release], dict[int, frozenset[int]], Viewer, frozenset[int]],
) -> None:
    releases, named, viewer, visible = scenario
    seen = _what_is_seen(releases, named, viewer, visible)
    truth = _truth()
    unnamed = set(SCORES) - viewer.identified
    # The attacker knows the values of the organisations the viewer can identify; a
    # value of one statistic does not give another's, so each is attacked on its own.
    leaks = []
    for key in (KEY, PART):
        known = {o: truth[key][o] for o in viewer.identified}
        leaks += attack([s for s in seen if s.key == key], known, truth, unnamed)
    assert leaks == []
    for s in seen:
        assert {n.organisation_id for n in s.stat.named} <= viewer.named


def test_the_attacker_finds_what_an_unprotected_page_gives_away() -> None:
    releases = [
        _release(1, 1, _orgs(0, 1, 2)),
        _release(2, 1, _orgs(0, 1, 2, 3, 4, 5, 6), 1),
        _release(2, 2, _orgs(0, 1, 2, 3, 4, 5, 6, 7), 2),
    ]
    named = {1: frozenset({0, 1}), 2: frozenset()}
    viewer = Viewer(named=frozenset({0, 1}))
    unnamed = set(SCORES) - {0, 1}
    everything = _what_is_seen(releases, named, viewer, frozenset({1, 2}), rule=False)
    leaks = attack(everything, {0: SCORES[0], 1: SCORES[1]}, _truth(), unnamed)
    assert {org for org, _ in leaks} == {2, 7}  # the third of three; the one added
    protected = _what_is_seen(releases, named, viewer, frozenset({1, 2}))
    assert attack(protected, {0: SCORES[0], 1: SCORES[1]}, _truth(), unnamed) == []
    assert protected  # and the viewer still sees figures


@pytest.mark.parametrize("counted", [True, False])
def test_placing_only_where_shown(counted: bool) -> None:
    r = _release(1, 1, _orgs(0, 1, 2, 3, 4, 5))
    stat = figures(r, [], Viewer(own=frozenset({0})))[KEY]
    where = placing(stat, SCORES[0] if counted else 1000.0, counted)
    assert where.band == ("below_q1" if counted else "above_q3")
    assert where.rank is not None and where.rank.of == (6 if counted else 7)
    hidden = figures(_release(1, 1, _orgs(0, 1, 2)), [], Viewer(own=frozenset({0})))[KEY]
    assert placing(hidden, SCORES[0], counted) == placing(hidden, None, counted)
