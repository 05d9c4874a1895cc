"""Complementary suppression of a breakdown's cells (METHODOLOGY.md §3.4)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qms.methodology.model import Methodology
from qms.scoring.gaps import OTHERS, gaps
from qms.scoring.suppression import breakdown_stats, hidden_cells

from .builders import counts, crit, group, item, methodology, scale


def test_nothing_hidden_when_every_cell_is_large_enough() -> None:
    assert hidden_cells({"a": 5, "b": 7, "c": 5}, 5) == frozenset()


def test_one_small_cell_takes_the_next_smallest_with_it() -> None:
    # a alone would be total - b - c: so the smallest of the others goes too.
    assert hidden_cells({"a": 2, "b": 9, "c": 6, "d": 30}, 5) == {"a", "c"}


def test_two_small_cells_need_no_complement_when_they_add_up_to_min_n() -> None:
    assert hidden_cells({"a": 2, "b": 3, "c": 6, "d": 30}, 5) == {"a", "b"}


def test_small_cells_adding_up_to_fewer_than_min_n_take_a_complement() -> None:
    # Total minus c and d would be a and b together: three answers, fewer than five.
    assert hidden_cells({"a": 2, "b": 1, "c": 6, "d": 30}, 5) == {"a", "b", "c"}


def test_equal_candidates_hide_the_first_in_order() -> None:
    assert hidden_cells({"x": 1, "b": 6, "c": 6}, 5) == {"x", "b"}


def test_an_empty_cell_is_hidden_but_does_not_count_as_the_one() -> None:
    # The empty cell reveals nothing; the single informative small cell still needs a
    # complement, and the complement is never the empty cell.
    assert hidden_cells({"none": 0, "a": 3, "b": 8, "c": 7}, 5) == {"none", "a", "c"}
    assert hidden_cells({"none": 0, "b": 8, "c": 7}, 5) == {"none"}


def test_a_lone_small_cell_without_others_stays_hidden_alone() -> None:
    assert hidden_cells({"a": 2}, 5) == {"a"}
    assert hidden_cells({"a": 2, "b": 0}, 5) == {"a", "b"}


@given(
    st.dictionaries(st.text(min_size=1, max_size=3), st.integers(0, 40), max_size=8),
    st.integers(1, 10),
)
def test_no_single_informative_cell_is_ever_hidden_alone(sizes: dict[str, int], min_n: int) -> None:
    hidden = hidden_cells(sizes, min_n)
    small = {k for k, n in sizes.items() if n < min_n or n == 0}
    assert small <= hidden  # every small cell is hidden
    informative = [k for k in hidden if sizes[k] > 0]
    others = [k for k in sizes if k not in hidden and sizes[k] > 0]
    # Exactly one informative hidden cell, or hidden answers that add up to fewer than
    # min_n, only when nothing is shown to subtract from.
    remainder = sum(sizes[k] for k in informative)
    assert (len(informative) != 1 and not 0 < remainder < min_n) or not others
    # Every cell hidden beyond the small ones was needed: without the largest of them
    # the hidden answers would again be a remainder below min_n (or a single cell).
    extra = hidden - small
    if extra:
        largest = max(extra, key=lambda k: (sizes[k], list(sizes).index(k)))
        rest = [k for k in informative if k != largest]
        left = sum(sizes[k] for k in rest)
        assert len(rest) == 1 or 0 < left < min_n


def _m() -> Methodology:
    return methodology(
        groups=[
            group("org", consensus=True),
            group("staff", min_n=3, weight=2),
            group("clients", min_n=3),
        ],
        scales=[scale("agree5", 1, 2, 3, 4, 5)],
        criteria=[crit("1"), crit("2")],
        items={
            "org": [item("o.a", "1"), item("o.b", "2")],
            "staff": [item("s.a", "1"), item("s.b", "2")],
            "clients": [item("c.a", "1")],
        },
    )


def test_breakdown_stats_hide_small_and_complementary_cells() -> None:
    m = _m()
    cells = {"carer": counts({5: 4, 4: 2}), "nurse": counts({1: 2}), "": counts({3: 3})}
    stats = breakdown_stats(m, "staff", "s.a", cells, order=["carer", "nurse", "other", ""])
    assert stats["nurse"] is None and stats["other"] is None  # small, and empty
    assert stats[""] is None  # the complement: 3 < 6 answers
    carer = stats["carer"]
    assert carer is not None and carer.n == 6 and carer.reportable
    assert carer.mean is not None and abs(carer.mean - (4 * 100 + 2 * 75) / 6) < 1e-9


def test_gaps_are_sorted_by_size_and_the_consensus_meets_everyone_else() -> None:
    from qms.scoring import score_cycle

    m = _m()
    scores = score_cycle(
        m,
        {
            ("org", "o.a"): counts({5: 1}),
            ("org", "o.b"): counts({1: 1}),
            ("staff", "s.a"): counts({3: 3}),
            ("staff", "s.b"): counts({4: 3}),
            ("clients", "c.a"): counts({1: 3}),
        },
    )
    found = gaps(m, scores)
    rows = {(g.node, g.left, g.right): g.gap for g in found}
    assert rows[("1", "staff", "clients")] == 50.0
    # Others for criterion 1: staff 50 (weight 2) and clients 0 (weight 1) -> 100/3.
    assert abs(rows[("1", "org", OTHERS)] - (100 - 100 / 3)) < 1e-9
    assert rows[("2", "org", OTHERS)] == -75.0  # only staff scored criterion 2
    assert ("2", "staff", "clients") not in rows  # clients have no score for 2
    sizes = [abs(g.gap) for g in found]
    assert sizes == sorted(sizes, reverse=True)
