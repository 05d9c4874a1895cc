"""score_cycle (METHODOLOGY.md §3 items 5-8) on a hand-computed scenario."""

from __future__ import annotations

import json

import pytest

from qms.scoring import CycleScores, ItemCounts, score_cycle

from .builders import choice, counts, crit, group, item, methodology, range_scale, scale, sub

# Group weights: staff 1, clients 3, org 2, community 5 (community never answers, so
# its weight must not matter). Sub-criterion 1.2 weighs 2; criterion 2 weighs 3.
M = methodology(
    groups=[
        group("staff", min_n=2, weight=1),
        group("clients", min_n=2, weight=3),
        group("org", min_n=1, weight=2, consensus=True),
        group("community", min_n=1, weight=5),
    ],
    scales=[scale("agree5", 1, 2, 3, 4, 5), scale("uneven", 1, 2, 4, 7), range_scale("panel")],
    criteria=[crit("1", sub("1.1"), sub("1.2", weight=2)), crit("2", weight=3), crit("3")],
    items={
        "staff": [
            item("s.a", "1.1"),
            item("s.b", "1.1", weight=3, reverse=True),
            choice("s.role", "carer", "nurse"),
            item("s.c", "1.2", scale="uneven"),
            item("s.d", "2"),
            item("s.e", "2", weight=10),
        ],
        "clients": [
            item("c.a", "1.1"),
            item("c.b", "2", scale="uneven", weight=2, reverse=True),
            item("c.c", "2", weight=10),
        ],
        "org": [
            item("o.11", "1.1", scale="panel"),
            item("o.12", "1.2", scale="panel"),
            item("o.2", "2", scale="panel"),
        ],
        "community": [item("k.a", "1.1")],
    },
)

COUNTS = {
    ("staff", "s.a"): counts({5: 2, 3: 2}),  # s 100,100,50,50 → 75
    ("staff", "s.b"): counts({1: 1, 2: 1}),  # reversed: 100, 75 → 87.5
    ("staff", "s.c"): counts({2: 1, 7: 1}, dk=4),  # 100/6, 100 → 175/3
    ("staff", "s.d"): counts({4: 3}, na=1),  # 75
    ("staff", "s.e"): counts({1: 1}, blank=2),  # n 1 < min_n 2: ignored despite weight 10
    ("staff", "s.role"): counts({1: 5}),  # unscored: ignored
    ("clients", "c.a"): counts({4: 1, 5: 1}),  # 75, 100 → 87.5
    ("clients", "c.b"): counts({1: 1, 4: 2, 7: 1}),  # reversed: 100, 50, 50, 0 → 50
    ("clients", "c.c"): counts({5: 1}),  # n 1 < 2: ignored
    ("org", "o.11"): counts({70: 1}),
    ("org", "o.12"): counts({40: 1}),
    # ("org", "o.2") absent: n 0
    ("nobody", "x"): counts({1: 1}),  # a key no group owns is ignored
}

# staff:   1.1 = (1·75 + 3·87.5)/4 = 84.375;  1.2 = 175/3;
#          1 = (1·84.375 + 2·175/3)/3 = (2025/24 + 2800/24)/3 = 4825/72;  2 = 75
#          overall = (1·4825/72 + 3·75)/4 = 21025/288
# clients: 1.1 = 87.5; 1.2 none; 1 = 87.5 (only the leaf that exists); 2 = 50
#          overall = (87.5 + 3·50)/4 = 59.375
# org:     1.1 = 70; 1.2 = 40; 1 = (70 + 2·40)/3 = 50; 2 none; overall = 50
# composites (weights staff 1, clients 3, org 2):
#          1.1 = (84.375 + 3·87.5 + 2·70)/6 = 486.875/6
#          1.2 = (175/3 + 2·40)/3 = 415/9           (clients absent)
#          1   = (4825/72 + 3·87.5 + 2·50)/6 = 30925/432
#                — not the sub-criteria composites' mean (486.875/6 + 2·415/9)/3 ≈ 57.8
#          2   = (75 + 3·50)/4 = 56.25
#          overall = (1·30925/432 + 3·56.25)/4 = 103825/1728
#                — not the groups' overall scores' mean (≈ 58.8)
EXPECTED = {
    ("1", "staff"): 4825 / 72,
    ("1", "clients"): 87.5,
    ("1", "org"): 50.0,
    ("1", "community"): None,
    ("1", None): 30925 / 432,
    ("1.1", "staff"): 84.375,
    ("1.1", "clients"): 87.5,
    ("1.1", "org"): 70.0,
    ("1.1", "community"): None,
    ("1.1", None): 486.875 / 6,
    ("1.2", "staff"): 175 / 3,
    ("1.2", "clients"): None,
    ("1.2", "org"): 40.0,
    ("1.2", "community"): None,
    ("1.2", None): 415 / 9,
    ("2", "staff"): 75.0,
    ("2", "clients"): 50.0,
    ("2", "org"): None,
    ("2", "community"): None,
    ("2", None): 56.25,
    ("3", "staff"): None,
    ("3", "clients"): None,
    ("3", "org"): None,
    ("3", "community"): None,
    ("3", None): None,
}
EXPECTED_COMPOSITE_GROUPS = {
    "1": ("staff", "clients", "org"),
    "1.1": ("staff", "clients", "org"),
    "1.2": ("staff", "org"),
    "2": ("staff", "clients"),
    "3": (),
}


@pytest.fixture(scope="module")
def result() -> CycleScores:
    return score_cycle(M, COUNTS)


@pytest.mark.parametrize(("key", "expected"), list(EXPECTED.items()))
def test_node_scores(
    result: CycleScores, key: tuple[str, str | None], expected: float | None
) -> None:
    got = result.score(*key)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=1e-14)


def test_rows_come_in_methodology_order_criterion_before_its_subcriteria(
    result: CycleScores,
) -> None:
    # Documented order: nodes pre-order (criterion, then its sub-criteria), and for each
    # node the groups in methodology order with the composite last.
    assert [(r.node, r.group) for r in result.scores] == list(EXPECTED)


def test_contributing_groups(result: CycleScores) -> None:
    for row in result.scores:
        if row.group is None:
            assert row.groups == EXPECTED_COMPOSITE_GROUPS[row.node], row
        else:
            assert row.groups == (() if row.score is None else (row.group,)), row


def test_overall(result: CycleScores) -> None:
    by_group = result.overall.by_group
    assert by_group["community"] is None
    assert {g: by_group[g] for g in ("staff", "clients", "org")} == pytest.approx(
        {"staff": 21025 / 288, "clients": 59.375, "org": 50.0}, rel=1e-14
    )
    assert list(result.overall.by_group) == ["staff", "clients", "org", "community"]
    assert result.overall.composite == pytest.approx(103825 / 1728, rel=1e-14)


def test_items_cover_every_scored_item_in_order(result: CycleScores) -> None:
    assert [(s.group, s.item) for s in result.items] == [
        ("staff", "s.a"), ("staff", "s.b"), ("staff", "s.c"), ("staff", "s.d"),
        ("staff", "s.e"), ("clients", "c.a"), ("clients", "c.b"), ("clients", "c.c"),
        ("org", "o.11"), ("org", "o.12"), ("org", "o.2"), ("community", "k.a"),
    ]  # fmt: skip
    o2 = result.item("org", "o.2")
    assert o2 is not None
    assert (o2.n, o2.reportable, o2.mean) == (0, False, None)
    s_e = result.item("staff", "s.e")
    assert s_e is not None
    assert (s_e.n, s_e.blank, s_e.reportable) == (1, 2, False)
    assert result.item("staff", "s.role") is None
    assert result.item("clients", "s.a") is None


def test_json_shape(result: CycleScores) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) == {"items", "scores", "overall"}
    assert set(data["items"][0]) == {
        "group", "item", "n", "dk", "na", "blank", "mean", "sd", "top_box", "histogram",
        "reportable", "ci",
    }  # fmt: skip
    s_c = next(i for i in data["items"] if i["item"] == "s.c")
    assert s_c["histogram"] == {"1": 0, "2": 1, "4": 0, "7": 1}
    assert (s_c["dk"], s_c["mean"]) == (4, 175 / 3)  # full precision survives JSON
    s_e = next(i for i in data["items"] if i["item"] == "s.e")
    assert s_e == {
        "group": "staff", "item": "s.e", "n": 1, "dk": 0, "na": 0, "blank": 2, "mean": None,
        "sd": None, "top_box": None, "histogram": None, "reportable": False, "ci": None,
    }  # fmt: skip
    row = data["scores"][4]
    assert row == {"node": "1", "group": None, "score": row["score"],
                   "groups": ["staff", "clients", "org"]}  # fmt: skip
    assert row["score"] == pytest.approx(30925 / 432, rel=1e-14)
    assert data["scores"][-1] == {"node": "3", "group": None, "score": None, "groups": []}
    by_group = result.overall.by_group
    assert by_group["staff"] == pytest.approx(21025 / 288, rel=1e-14)
    assert data["overall"] == {
        "composite": result.overall.composite,
        "by_group": {"staff": by_group["staff"], "clients": 59.375, "org": 50.0, "community": None},
    }


def test_no_answers_at_all() -> None:
    empty = score_cycle(M, {})
    assert all(r.score is None and r.groups == () for r in empty.scores)
    assert empty.overall.composite is None
    assert set(empty.overall.by_group.values()) == {None}
    assert all(i.n == 0 and not i.reportable for i in empty.items)


def test_unknown_nodes_and_groups_read_as_absent(result: CycleScores) -> None:
    assert result.score("9", None) is None
    assert result.score("1", "nobody") is None
    assert result.node_score("1", None) is not None


def test_invalid_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        score_cycle(M, {("staff", "s.c"): ItemCounts({3: 1})})  # 3 not on 1,2,4,7
