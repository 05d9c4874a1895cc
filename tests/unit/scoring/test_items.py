"""item_stats (METHODOLOGY.md §3 items 1-4), with hand-computed expectations."""

from __future__ import annotations

import math

import pytest
from scipy import stats as sps

from qms.scoring import ItemCounts, item_stats, normalised, top_box_values

from .builders import choice, counts, group, item, methodology, range_scale, scale

M = methodology(
    groups=[group("staff", min_n=2), group("org", min_n=1, consensus=True), group("few", min_n=5)],
    scales=[
        scale("agree5", 1, 2, 3, 4, 5),
        scale("uneven", 1, 2, 4, 7),
        scale("yesno", 0, 1),
        range_scale("panel", 0, 100, 10),
        range_scale("narrow", 20, 60, 10),
    ],
    criteria=[],
    items={
        "staff": [
            item("u", "1", scale="uneven"),
            item("u.rev", "1", scale="uneven", reverse=True),
            item("a", "1"),
            item("a.rev", "1", reverse=True),
            item("yn", "1", scale="yesno"),
            choice("role", "carer", "nurse"),
        ],
        "org": [item("p", "1", scale="panel"), item("p.narrow", "1", scale="narrow")],
        "few": [item("f", "1", scale="uneven")],
    },
)


@pytest.mark.parametrize(
    ("scale_id", "reverse", "value", "expected"),
    [
        # uneven 1,2,4,7: lo 1, hi 7, span 6
        ("uneven", False, 1, 0.0),
        ("uneven", False, 2, 100 / 6),  # 100·(2−1)/6
        ("uneven", False, 4, 50.0),  # 100·3/6
        ("uneven", False, 7, 100.0),
        ("uneven", True, 2, 500 / 6),  # 100 − 100/6
        ("uneven", True, 7, 0.0),
        ("agree5", True, 2, 75.0),  # 100 − 100·1/4
        ("narrow", False, 40, 50.0),  # 100·(40−20)/40
        ("narrow", True, 30, 75.0),  # 100 − 25
    ],
)
def test_normalised_value(scale_id: str, reverse: bool, value: int, expected: float) -> None:
    assert normalised(M.scale(scale_id), reverse, value) == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize(
    ("group_id", "item_id", "hist", "extra", "expected"),
    [
        pytest.param(
            # s = 0, 50, 50, 100: mean 50; deviations −50, 0, 0, 50 → SS 5000, var 5000/3;
            # top two options by s are 4 and 7 → 3 of 4 answers.
            "staff", "u", {1: 1, 4: 2, 7: 1}, {},
            {"n": 4, "mean": 50.0, "sd": math.sqrt(5000 / 3), "top_box": 0.75,
             "histogram": {"1": 1, "2": 0, "4": 2, "7": 1}},
            id="uneven-scale",
        ),
        pytest.param(
            # reversed: s(2) = 100·5/6 = 250/3, s(7) = 0; mean (3·250/3 + 0)/4 = 62.5;
            # deviations 125/6 (×3) and −62.5 → SS 3·15625/36 + 3906.25 = 62500/12,
            # var 62500/36, sd 250/6; best two options are raw 1 and 2 → 3 of 4.
            "staff", "u.rev", {2: 3, 7: 1}, {},
            {"n": 4, "mean": 62.5, "sd": 250 / 6, "top_box": 0.75,
             "histogram": {"1": 0, "2": 3, "4": 0, "7": 1}},
            id="uneven-reverse",
        ),
        pytest.param(
            # s = 100, 75, 0, 0: mean 43.75; deviations 56.25, 31.25, −43.75, −43.75
            # → SS 3164.0625 + 976.5625 + 2·1914.0625 = 7968.75; top two = 4, 5 → 2 of 4.
            # dk/na/blank are counted, never part of n.
            "staff", "a", {5: 1, 4: 1, 1: 2}, {"dk": 1, "na": 2, "blank": 3},
            {"n": 4, "dk": 1, "na": 2, "blank": 3, "mean": 43.75, "sd": math.sqrt(7968.75 / 3),
             "top_box": 0.5, "histogram": {"1": 2, "2": 0, "3": 0, "4": 1, "5": 1}},
            id="dk-na-blank",
        ),
        pytest.param(
            # reversed agree5: s(1) = 100, s(2) = 75, s(5) = 0 → (100 + 75 + 0)/3 = 175/3;
            # best two options are raw 1 and 2 → 2 of 3.
            "staff", "a.rev", {1: 1, 2: 1, 5: 1}, {},
            {"n": 3, "mean": 175 / 3, "top_box": 2 / 3},
            id="agree-reverse",
        ),
        pytest.param(
            # a two-option scale: both options are "the top two" → top_box 1.
            "staff", "yn", {0: 3, 1: 1}, {},
            {"n": 4, "mean": 25.0, "top_box": 1.0, "histogram": {"0": 3, "1": 1}},
            id="two-options",
        ),
        pytest.param(
            # identical answers: sd 0 (exactly: see test_constant_answers_have_zero_sd)
            "staff", "a", {4: 7}, {},
            {"n": 7, "mean": 75.0, "sd": 0.0, "top_box": 1.0},
            id="constant",
        ),
        pytest.param(
            # a consensus panel score: n 1 → sd and CI absent; no top box on a range;
            # histogram over every allowed value 0, 10, …, 100.
            "org", "p", {70: 1}, {},
            {"n": 1, "mean": 70.0, "sd": None, "ci": None, "top_box": None,
             "histogram": {str(v): int(v == 70) for v in range(0, 101, 10)}},
            id="range-panel",
        ),
        pytest.param(
            # range 20..60: s(40) = 50, s(60) = 100 → mean 75
            "org", "p.narrow", {40: 1, 60: 1}, {},
            {"n": 2, "mean": 75.0, "top_box": None,
             "histogram": {"20": 0, "30": 0, "40": 1, "50": 0, "60": 1}},
            id="range-offset",
        ),
    ],
)  # fmt: skip
def test_item_stats(
    group_id: str, item_id: str, hist: dict[int, int], extra: dict[str, int], expected: dict
) -> None:
    st = item_stats(M, group_id, item_id, counts(hist, **extra))
    assert st.reportable
    assert (st.group, st.item) == (group_id, item_id)
    for key, value in expected.items():
        got = getattr(st, key)
        if isinstance(value, float):
            assert got == pytest.approx(value, rel=1e-14, abs=1e-12), key
        else:
            assert got == value, key


@pytest.mark.parametrize(("item_id", "value"), [("u", 2), ("u.rev", 4), ("a.rev", 3)])
def test_constant_answers_have_zero_sd(item_id: str, value: int) -> None:
    # s(2) = 100/6 is not a binary fraction: a float mean of 9 copies could miss it by an
    # ulp and leave a residue in the deviations; an sd must be exactly 0.0 here.
    st = item_stats(M, "staff", item_id, counts({value: 9}))
    assert st.sd == 0.0
    assert st.ci == (st.mean, st.mean)


def test_a_non_reportable_item_keeps_only_its_counts() -> None:
    # group "few" has min_n 5: four valid answers are not enough, whatever dk/na/blank add.
    st = item_stats(M, "few", "f", counts({7: 4}, dk=2, na=1, blank=3))
    assert (st.n, st.dk, st.na, st.blank, st.reportable) == (4, 2, 1, 3, False)
    assert (st.mean, st.sd, st.top_box, st.histogram, st.ci) == (None, None, None, None, None)


def test_reportable_exactly_at_min_n() -> None:
    assert item_stats(M, "few", "f", counts({7: 5})).reportable
    assert not item_stats(M, "staff", "u", counts({7: 1})).reportable  # min_n 2
    assert not item_stats(M, "org", "p", counts({})).reportable  # n 0 never reports


def test_zero_counts_may_be_omitted_or_present() -> None:
    assert item_stats(M, "staff", "u", counts({1: 1, 2: 0, 7: 1})) == item_stats(
        M, "staff", "u", counts({1: 1, 7: 1})
    )


@pytest.mark.parametrize("hist", [{1: 2, 2: 1, 5: 3}, {3: 10, 4: 7, 5: 1}, {1: 1, 5: 1}])
def test_confidence_interval_matches_scipy(hist: dict[int, int]) -> None:
    st = item_stats(M, "staff", "a", counts(hist))
    assert st.mean is not None
    assert st.sd is not None
    assert st.ci is not None
    lo, hi = sps.t.interval(0.95, st.n - 1, loc=st.mean, scale=st.sd / math.sqrt(st.n))
    assert st.ci == pytest.approx((lo, hi), rel=1e-10)


def test_confidence_interval_by_hand() -> None:
    # s = 0, 100: mean 50, sd √5000 = 70.7107, n 2: t(0.975, 1) = 12.7062047361747
    # → half width 12.7062047361747 · 70.7107 / √2 = 12.7062047361747 · 50 = 635.310236808735
    st = item_stats(M, "staff", "a", counts({1: 1, 5: 1}))
    assert st.ci == pytest.approx((50 - 635.310236808735, 50 + 635.310236808735), rel=1e-12)


@pytest.mark.parametrize(
    ("scale_id", "reverse", "expected"),
    [("uneven", False, {4, 7}), ("uneven", True, {1, 2}), ("yesno", False, {0, 1}),
     ("panel", False, None)],
)  # fmt: skip
def test_top_box_values(scale_id: str, reverse: bool, expected: set[int] | None) -> None:
    got = top_box_values(M.scale(scale_id), reverse)
    assert (None if got is None else set(got)) == expected


@pytest.mark.parametrize(
    ("group_id", "item_id", "c"),
    [
        ("staff", "u", ItemCounts({3: 1})),  # 3 is not on the 1,2,4,7 scale
        ("org", "p", ItemCounts({15: 1})),  # off the step of the range
        ("staff", "a", ItemCounts({1: -1})),
        ("staff", "a", ItemCounts({}, dk=-1)),
        ("org", "a", ItemCounts({})),  # item of another group
        ("staff", "role", ItemCounts({})),  # unscored
        ("staff", "nope", ItemCounts({})),
    ],
)
def test_bad_input_is_refused(group_id: str, item_id: str, c: ItemCounts) -> None:
    with pytest.raises(ValueError):
        item_stats(M, group_id, item_id, c)
