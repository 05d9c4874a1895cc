"""§3.11 statistics across organisations: quartiles, the three-organisation rule,
positions and ranks. Expected quartiles are numpy's 'linear' method, worked by hand."""

from __future__ import annotations

import pytest

from qms.scoring.network import Rank, band, iqr_band, rank_from_lowest, summarise

# values -> (n_orgs, mean, median, q1, q3, min, max)
SUMMARIES = [
    ([], (0, None, None, None, None, None, None)),
    ([50.0], (1, None, None, None, None, None, None)),
    ([10.0, 90.0], (2, None, None, None, None, None, None)),
    ([30.0, 10.0, 20.0], (3, 20.0, 20.0, 15.0, 25.0, 10.0, 30.0)),
    ([1.0, 2.0, 3.0, 4.0], (4, 2.5, 2.5, 1.75, 3.25, 1.0, 4.0)),
    ([0.0, 10.0, 20.0, 30.0, 100.0], (5, 32.0, 20.0, 10.0, 30.0, 0.0, 100.0)),
    ([7.0, 7.0, 7.0], (3, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0)),
    # (7 - 1) * 0.25 = 1.5: halfway between the 2nd and 3rd lowest.
    ([1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0], (7, 127 / 7, 8.0, 3.0, 24.0, 1.0, 64.0)),
]


@pytest.mark.parametrize(("values", "expected"), SUMMARIES)
def test_summaries(values: list[float], expected: tuple[float | None, ...]) -> None:
    d = summarise(values)
    got = (d.n_orgs, d.mean, d.median, d.q1, d.q3, d.min, d.max)
    assert got == pytest.approx(expected) if expected[1] is not None else got == expected


DIST = summarise([10.0, 20.0, 30.0, 40.0, 50.0])  # q1 20, median 30, q3 40

BANDS = [
    (5.0, "below_q1"),
    (19.99, "below_q1"),
    (20.0, "q1_to_median"),
    (29.0, "q1_to_median"),
    (30.0, "at_median"),
    (30.0 + 1e-12, "at_median"),
    (31.0, "median_to_q3"),
    (40.0, "median_to_q3"),
    (40.5, "above_q3"),
    (100.0, "above_q3"),
]


@pytest.mark.parametrize(("value", "expected"), BANDS)
def test_bands(value: float, expected: str) -> None:
    assert band(value, DIST) == expected


def test_no_band_below_three_organisations() -> None:
    assert band(50.0, summarise([40.0, 60.0])) is None


RANKS = [
    (10.0, [10.0, 20.0, 30.0], Rank(1, 3)),
    (30.0, [10.0, 20.0, 30.0], Rank(3, 3)),
    (20.0, [20.0, 20.0, 10.0, 40.0], Rank(2, 4)),  # ties share the lower place
    (20.0, [20.0, 30.0], None),
]


@pytest.mark.parametrize(("value", "values", "expected"), RANKS)
def test_ranks(value: float, values: list[float], expected: Rank | None) -> None:
    assert rank_from_lowest(value, values) == expected


def test_iqr_band() -> None:
    assert iqr_band([1.0, 2.0, 3.0, 4.0]) == pytest.approx((1.75, 2.5, 3.25))
    assert iqr_band([1.0, 2.0]) is None
