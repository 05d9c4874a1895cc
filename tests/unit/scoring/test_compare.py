"""Year over year (METHODOLOGY.md §3.10): item matching, deltas, clear changes, respondent means."""

from __future__ import annotations

import pytest

from qms.scoring import compare, match_items, respondent_criterion_means, score_cycle, welch_p

from .builders import choice, counts, crit, group, item, methodology, scale, sub

SCALES = [scale("agree5", 1, 2, 3, 4, 5)]
CRITERIA = [crit("1", sub("1.1"), sub("1.2")), crit("2")]

EARLIER_M = methodology(
    groups=[group("staff", min_n=2)],
    scales=SCALES,
    criteria=CRITERIA,
    items={"staff": [item("s.a", "1.1"), item("s.old", "1.2"), item("s.gone", "2")]},
    version="2024.1",
)
LATER_M = methodology(
    groups=[group("staff", min_n=2), group("clients", min_n=2)],
    scales=SCALES,
    criteria=CRITERIA,
    items={
        "staff": [
            item("s.a", "1.1"),
            item("s.new", "1.2", replaces=["s.old"]),
            # s.a lives on under its own id, so s.x does not continue it
            item("s.x", "1.1", replaces=["s.a"]),
            # the first id of `replaces` that the earlier version has
            item("s.y", "2", replaces=["s.never", "s.gone"]),
        ],
        "clients": [item("c.a", "2")],
    },
    version="2025.1",
)


def test_match_items() -> None:
    assert match_items(EARLIER_M, LATER_M) == {"s.a": "s.a", "s.new": "s.old", "s.y": "s.gone"}


def test_match_items_prefers_the_same_id_over_replaces() -> None:
    earlier = methodology([group("g")], SCALES, CRITERIA, {"g": [item("x", "2"), item("y", "2")]})
    later = methodology([group("g")], SCALES, CRITERIA, {"g": [item("x", "2", replaces=["y"])]})
    assert match_items(earlier, later) == {"x": "x"}
    # a split: two later items both continue one earlier item
    split = methodology(
        [group("g")],
        SCALES,
        CRITERIA,
        {"g": [item("y1", "2", replaces=["y"]), item("y2", "2", replaces=["y"])]},
    )
    assert match_items(earlier, split) == {"y1": "y", "y2": "y"}


# earlier: s.a {3:2} → 50; s.old {5:2} → 100; s.gone n 1 < min_n: not reportable
#   staff 1.1 = 50, 1.2 = 100, 1 = 75, 2 none; overall 75 (criterion 1 only)
# later: s.a {4:2} → 75, s.x {1:2} → 0: 1.1 = 37.5; s.new {4:2} → 75: 1.2 = 75;
#   1 = (37.5 + 75)/2 = 56.25; s.y {5:3} → 2 = 100; overall (56.25 + 100)/2 = 78.125;
#   clients c.a {5:2} → 100 (no earlier clients: no delta)
EARLIER = score_cycle(
    EARLIER_M,
    {
        ("staff", "s.a"): counts({3: 2}),
        ("staff", "s.old"): counts({5: 2}),
        ("staff", "s.gone"): counts({1: 1}),
    },
)
LATER = score_cycle(
    LATER_M,
    {
        ("staff", "s.a"): counts({4: 2}),
        ("staff", "s.x"): counts({1: 2}),
        ("staff", "s.new"): counts({4: 2}),
        ("staff", "s.y"): counts({5: 3}),
        ("clients", "c.a"): counts({5: 2}),
    },
)


def test_node_deltas_only_where_both_cycles_have_a_score() -> None:
    c = compare(EARLIER_M, EARLIER, LATER_M, LATER)
    got = [(d.node, d.group, d.earlier, d.later, d.delta, d.clear) for d in c.nodes]
    assert got == [
        ("1", "staff", 75.0, 56.25, -18.75, None),
        ("1", None, 75.0, 56.25, -18.75, None),
        ("1.1", "staff", 50.0, 37.5, -12.5, None),
        ("1.1", None, 50.0, 37.5, -12.5, None),
        ("1.2", "staff", 100.0, 75.0, -25.0, None),
        ("1.2", None, 100.0, 75.0, -25.0, None),
        # criterion 2: no earlier score (s.gone was not reportable) → no row;
        # its later composite exists (staff 100, clients 100) but has nothing to compare with
    ]


def test_item_deltas_for_matched_items_reportable_in_both() -> None:
    c = compare(EARLIER_M, EARLIER, LATER_M, LATER)
    got = [
        (d.group, d.item, d.earlier_item, d.earlier_mean, d.later_mean, d.delta) for d in c.items
    ]
    # s.x is unmatched; s.y's predecessor s.gone was not reportable
    assert got == [
        ("staff", "s.a", "s.a", 50.0, 75.0, 25.0),
        ("staff", "s.new", "s.old", 100.0, 75.0, -25.0),
    ]


def test_overall_deltas() -> None:
    c = compare(EARLIER_M, EARLIER, LATER_M, LATER)
    # staff 75 → 78.125; composite 75 → later (56.25 + 100)/2 = 78.125; clients had no earlier
    assert c.overall.by_group == {"staff": 3.125, "clients": None}
    assert c.overall.composite == 3.125
    assert c.to_dict()["overall"] == {
        "composite": 3.125,
        "by_group": {"staff": 3.125, "clients": None},
    }


@pytest.mark.parametrize(
    ("earlier_means", "later_means", "expected"),
    [
        # 55 vs 90 with variance 25 each: t = −8.57, df 4, p ≈ 0.001 < 0.05 → clear
        ({"staff": {"1": [50.0, 60.0, 55.0]}}, {"staff": {"1": [90.0, 95.0, 85.0]}}, True),
        # 60 vs 65 with variance 200 each: t = −0.35, p ≈ 0.76 → not clear
        ({"staff": {"1": [50.0, 70.0]}}, {"staff": {"1": [55.0, 75.0]}}, False),
        # just either side of 0.05: a shift of 11 or 12 with variance 25 on both sides,
        # t = −11/√(50/3) = −2.694 (p ≈ 0.054) and −12/√(50/3) = −2.939 (p ≈ 0.042), df 4
        ({"staff": {"1": [50.0, 60.0, 55.0]}}, {"staff": {"1": [61.0, 71.0, 66.0]}}, False),
        ({"staff": {"1": [50.0, 60.0, 55.0]}}, {"staff": {"1": [62.0, 72.0, 67.0]}}, True),
        # one respondent on a side: not computable
        ({"staff": {"1": [50.0]}}, {"staff": {"1": [90.0, 95.0]}}, None),
        ({"staff": {}}, {"staff": {"1": [90.0, 95.0]}}, None),
        (None, {"staff": {"1": [90.0, 95.0]}}, None),
    ],
)
def test_clear_marks_a_groups_criterion_change(
    earlier_means: dict[str, dict[str, list[float]]] | None,
    later_means: dict[str, dict[str, list[float]]],
    expected: bool | None,
) -> None:
    c = compare(EARLIER_M, EARLIER, LATER_M, LATER, earlier_means, later_means)
    row = c.node("1", "staff")
    assert row is not None
    assert row.clear is expected
    # never on composites or sub-criteria
    assert all(d.clear is None for d in c.nodes if d.group is None or d.node != "1")


def test_clear_thresholds_by_hand() -> None:
    # the two fixtures above sit far from the 0.05 boundary on either side
    clear_p = welch_p([50.0, 60.0, 55.0], [90.0, 95.0, 85.0])
    unclear_p = welch_p([50.0, 70.0], [55.0, 75.0])
    assert clear_p is not None
    assert unclear_p is not None
    assert clear_p < 0.01
    assert unclear_p > 0.5


def test_different_methodologies_are_not_compared() -> None:
    other = methodology([group("staff")], SCALES, CRITERIA, {}, methodology_id="other")
    with pytest.raises(ValueError):
        compare(EARLIER_M, EARLIER, other, score_cycle(other, {}))


RM = methodology(
    groups=[group("staff", min_n=2)],
    scales=SCALES,
    criteria=[crit("1", sub("1.1"), sub("1.2", weight=5)), crit("2"), crit("3")],
    items={
        "staff": [
            item("s.a", "1.1"),
            item("s.b", "1.2", weight=3, reverse=True),
            item("s.c", "2"),
            item("s.d", "1.1"),  # not reportable this cycle
            choice("s.role", "1", "2"),
        ]
    },
)


def test_respondent_criterion_means() -> None:
    answers = {
        # criterion 1: s.a 5 → 100 (weight 1), s.b reversed 2 → 75 (weight 3):
        #   (100 + 3·75)/4 = 81.25 — item weights only; sub-criterion weights play no part
        # criterion 2: s.c 3 → 50; s.d and s.role are ignored
        "r1": {"s.a": 5, "s.b": 2, "s.c": 3, "s.d": 1, "s.role": 1},
        "r2": {"s.d": 5},  # only a non-reportable item: left out everywhere
        "r3": {"s.b": 5},  # reversed 5 → 0
        "r4": {},
    }
    got = respondent_criterion_means(RM, "staff", answers, {"s.a", "s.b", "s.c"})
    assert got == {"1": [0.0, 81.25], "2": [50.0], "3": []}


def test_respondent_criterion_means_refuses_invalid_values() -> None:
    with pytest.raises(ValueError):
        respondent_criterion_means(RM, "staff", {"r": {"s.a": 6}}, {"s.a"})


def test_respondent_means_feed_the_clear_flag() -> None:
    # the same respondents twice: p = 1 → not clear; shifted by 50: clear
    before = {f"r{i}": {"s.a": v, "s.c": v} for i, v in enumerate([1, 2, 2, 3])}
    after = {f"r{i}": {"s.a": v, "s.c": v} for i, v in enumerate([4, 5, 4, 5])}
    reportable = {"s.a", "s.c"}
    counts_before = {
        ("staff", "s.a"): counts({1: 1, 2: 2, 3: 1}),
        ("staff", "s.c"): counts({1: 1, 2: 2, 3: 1}),
    }
    counts_after = {("staff", "s.a"): counts({4: 2, 5: 2}), ("staff", "s.c"): counts({4: 2, 5: 2})}
    e, later = score_cycle(RM, counts_before), score_cycle(RM, counts_after)
    em = {"staff": respondent_criterion_means(RM, "staff", before, reportable)}
    lm = {"staff": respondent_criterion_means(RM, "staff", after, reportable)}
    same = compare(RM, e, RM, e, em, em)
    moved = compare(RM, e, RM, later, em, lm)
    for node in ("1", "2"):
        unchanged, changed = same.node(node, "staff"), moved.node(node, "staff")
        assert unchanged is not None
        assert changed is not None
        assert unchanged.clear is False
        assert changed.clear is True
    # criterion 1 only has s.a: 1,2,2,3 → 0,25,25,50 = mean 25; later 75,100,75,100 → 87.5
    row = moved.node("1", "staff")
    assert row is not None
    assert row.delta == pytest.approx(62.5)
    assert moved.overall.by_group["staff"] == pytest.approx(62.5)
