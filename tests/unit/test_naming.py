"""When a consent to be named takes effect (qms.disclosure.naming): held while it would
make figures a viewer already saw combinable, effective once it cannot."""

from __future__ import annotations

from datetime import UTC, datetime

from qms.disclosure.naming import Candidate, View, decide, gaps_of, safe, view
from qms.disclosure.network import Release, StatKey

KEY: StatKey = ("overall", None)
CLIENTS: StatKey = ("1", "clients")
T0 = datetime(2026, 1, 1, tzinfo=UTC)
A, B, C, D, E, F, G = range(1, 8)


def _release(network: int, orgs: set[int], clients: set[int] | None = None) -> Release:
    values = {KEY: {o: 50.0 + o for o in orgs}}
    if clients is not None:
        values[CLIENTS] = {o: 60.0 + o for o in clients}
    return Release(network, 1, T0, values, False, frozenset(orgs))


N1 = _release(1, {A, B, C, D, E})
N2 = _release(2, {C, D, E, F})


def _both(own: set[int] | None = None) -> View:
    """The coordinator of both networks (or a head of one of their members)."""
    return view(own or set(), set(), frozenset({1, 2}), [N1, N2])


def test_a_name_that_would_leave_two_unknown_in_a_difference_is_held() -> None:
    """N1 and N2 differ by A, B and F: with A named, B and F alone."""
    decision = decide([Candidate(1, A)], [_both()])
    assert decision.effective == ()
    assert decision.held == (Candidate(1, A),)


def test_a_name_nobody_who_saw_both_would_learn_takes_effect() -> None:
    only_n2 = view(set(), set(), frozenset({2}), [N2])
    assert decide([Candidate(1, A)], [only_n2]).effective == (Candidate(1, A),)


def test_a_name_that_leaves_three_unknown_takes_effect() -> None:
    assert decide([Candidate(1, C)], [_both()]).effective == (Candidate(1, C),)


def test_held_names_take_effect_when_the_gap_closes_to_zero() -> None:
    """A, then B: each alone (or both) leaves F or B and F unknown; F's consent closes
    the difference to nothing, and every release keeps three unknown."""
    views = [_both()]
    assert decide([Candidate(1, A), Candidate(1, B)], views).effective == ()
    decision = decide([Candidate(1, A), Candidate(1, B), Candidate(2, F)], views)
    assert set(decision.effective) == {Candidate(1, A), Candidate(1, B), Candidate(2, F)}
    assert decision.held == ()


def test_the_first_consent_wins_when_two_cannot_both_take_effect() -> None:
    """One release of A-D: one name leaves three unknown, two would leave two."""
    views = [view(set(), set(), None, [_release(1, {A, B, C, D})])]
    first = decide([Candidate(1, A), Candidate(1, B)], views)
    assert (first.effective, first.held) == ((Candidate(1, A),), (Candidate(1, B),))
    other = decide([Candidate(1, B), Candidate(1, A)], views)
    assert (other.effective, other.held) == ((Candidate(1, B),), (Candidate(1, A),))


def test_a_later_name_that_may_take_effect_alone_does_not_wait_for_an_earlier_one() -> None:
    views = [_both()]
    decision = decide([Candidate(1, A), Candidate(1, C)], views)
    assert decision.effective == (Candidate(1, C),)
    assert decision.held == (Candidate(1, A),)


def test_an_own_organisation_counts_as_identified() -> None:
    """A head of C sees N1 less C: A, B, D, E; naming A and B would leave D and E."""
    head = _both(own={C})
    assert safe([head], [Candidate(1, A)]) is False  # B and F in the difference
    assert decide([Candidate(1, A), Candidate(1, B), Candidate(2, F)], [head]).effective == ()


def test_a_name_already_identified_adds_nothing() -> None:
    known = view(set(), {A}, frozenset({1, 2}), [N1, N2])
    assert decide([Candidate(2, A)], [known]).effective == (Candidate(2, A),)


def test_a_statistic_only_some_have_is_a_gap_of_its_own() -> None:
    """Overall: five organisations; clients: three of them, one named makes two."""
    r = _release(1, {A, B, C, D, E}, clients={A, B, C})
    assert frozenset({A, B, C}) in gaps_of([r])
    assert decide([Candidate(1, A)], [view(set(), set(), None, [r])]).held == (Candidate(1, A),)


def test_a_gap_already_at_two_is_kept_apart_by_the_disclosure_rule() -> None:
    """Two releases one organisation apart: one is never shown, a name changes nothing."""
    views = [view(set(), set(), None, [_release(1, {A, B, C, D}), _release(2, {A, B, C, D, E})])]
    assert decide([Candidate(1, E)], views).effective == (Candidate(1, E),)


def test_small_releases_are_no_gap() -> None:
    assert gaps_of([_release(1, {A, B})]) == frozenset()
