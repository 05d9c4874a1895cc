"""The re-release rule of METHODOLOGY.md §5.2, on its own."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qms.disclosure.releases import (
    fingerprint,
    question_changes,
    release_due,
    unit_key,
    waiting_changes,
)

Views = dict[str, dict[str, object]]


def _views(values: dict[str, int]) -> Views:
    return {unit: {"q": v, "r": 1} for unit, v in values.items()}


def test_the_first_release_is_always_due() -> None:
    assert release_due(_views({"a": 1}), [], k=5)


def test_k_added_respondents_make_a_release_and_fewer_do_not() -> None:
    first = _views(dict.fromkeys("abcde", 1))
    assert not release_due({**first, **_views({"f": 2, "g": 2})}, [first], k=3)
    assert release_due({**first, **_views({"f": 2, "g": 2, "h": 2})}, [first], k=3)


def test_removed_and_changed_respondents_count_too() -> None:
    first = _views(dict.fromkeys("abcde", 1))
    changed = {**first, "a": {"q": 2, "r": 2}}
    del changed["b"]
    assert waiting_changes(changed, first) == 2
    assert release_due(changed, [first], k=2)
    assert not release_due(changed, [first], k=3)


def test_it_must_differ_from_every_earlier_release() -> None:
    one = _views(dict.fromkeys("abc", 1))
    two = _views(dict.fromkeys("abc", 2))
    back = {**two, **_views({"a": 1, "b": 1})}
    assert release_due(two, [one], k=3)
    assert not release_due(back, [one, two], k=3)  # two changes from release 2


def test_a_question_changed_for_fewer_than_k_blocks_the_release() -> None:
    first = {u: {"q": 1, "r": 1} for u in "abc"}
    later = {"a": {"q": 2, "r": 2}, "b": {"q": 2, "r": 1}, "c": {"q": 2, "r": 1}}
    assert question_changes(first, later) == {"q": 3, "r": 1}
    assert not release_due(later, [first], k=3)


@given(
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(1, 3), max_size=8),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(1, 3), max_size=8),
    st.integers(1, 5),
)
def test_a_due_release_never_differs_by_fewer_than_k_on_any_question(
    old: dict[str, int], new: dict[str, int], k: int
) -> None:
    a, b = _views(old), _views(new)
    if release_due(b, [a], k):
        # The histogram of q can be subtracted between the two releases: the answers
        # that differ must belong to no one or to at least k respondents.
        differing = [u for u in set(old) | set(new) if old.get(u) != new.get(u)]
        assert len(differing) == 0 or len(differing) >= k


def test_units_and_fingerprints_are_stable_and_unlinkable() -> None:
    assert unit_key(1, "Anna") == unit_key(1, "Anna")
    assert unit_key(1, "Anna") != unit_key(2, "Anna")
    assert "Anna" not in unit_key(1, "Anna")
    assert fingerprint({"q": (1,)}, False) == fingerprint({"q": [1]}, False)
    assert fingerprint({"q": 1}, False) != fingerprint({"q": 1}, True)


def test_a_breakdown_cell_changed_for_fewer_than_k_blocks_the_release() -> None:
    """4 carers and 3 others, then one carer and two others more: three changes, every
    question changed for three, but the carers' cell only by one newcomer."""
    first = {f"c{n}": {"role": "carer", "q": 1} for n in range(4)}
    first |= {f"o{n}": {"role": "other", "q": 1} for n in range(3)}
    later = {
        **first,
        "c9": {"role": "carer", "q": 2},
        "o8": {"role": "other", "q": 2},
        "o9": {"role": "other", "q": 2},
    }
    assert release_due(later, [first], k=3)  # without looking at the breakdown
    assert not release_due(later, [first], k=3, breakdowns=["role"])
    more = {
        **later,
        "c8": {"role": "carer", "q": 2},
        "c7": {"role": "carer", "q": 2},
        "o7": {"role": "other", "q": 2},
    }
    assert release_due(more, [first], k=3, breakdowns=["role"])
