"""t distribution, Welch's test, distributions and display, against scipy/numpy and by hand."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from qms.scoring import distribution, fmt1, t_cdf, t_quantile, weighted_mean, welch_p

DFS = [1, 2, 3, 5, 10, 30, 100, 1000]
PS = [1e-10, 1e-4, 0.001, 0.01, 0.025, 0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.95,
      0.975, 0.99, 0.999, 0.9999]  # fmt: skip
XS = [-1e4, -40.0, -8.0, -2.5, -1.0, -0.1, 0.0, 0.3, 1.0, 1.96, 3.0, 12.0, 150.0]


@pytest.mark.parametrize("df", [*DFS, 0.7, 4.5, 27.3])
def test_t_quantile_matches_scipy(df: float) -> None:
    for p in PS:
        assert t_quantile(p, df) == pytest.approx(sps.t.ppf(p, df), rel=1e-9, abs=1e-14), p


@pytest.mark.parametrize("df", [*DFS, 0.7, 4.5, 27.3])
def test_t_cdf_matches_scipy(df: float) -> None:
    for x in XS:
        # relative accuracy in both tails: compare the smaller of cdf and 1 − cdf
        assert t_cdf(x, df) == pytest.approx(sps.t.cdf(x, df), rel=1e-10, abs=1e-300), x
        assert 1.0 - t_cdf(x, df) == pytest.approx(sps.t.sf(x, df), rel=1e-9, abs=1e-15), x


def test_t_by_hand() -> None:
    # df 1 is the Cauchy distribution: F(x) = 1/2 + atan(x)/π, so F(1) = 3/4
    assert t_cdf(1.0, 1) == pytest.approx(0.75, rel=1e-14)
    assert t_quantile(0.75, 1) == pytest.approx(1.0, rel=1e-12)
    # df 2 has F(x) = 1/2 + x / (2·√(2 + x²)); at x = 2: 1/2 + 2/(2√6) = 1/2 + 1/√6
    assert t_cdf(2.0, 2) == pytest.approx(0.5 + 1 / math.sqrt(6), rel=1e-14)
    assert t_quantile(0.975, 4) == pytest.approx(2.7764451051977987, rel=1e-12)  # tables: 2.776


def test_t_edges() -> None:
    assert t_quantile(0.5, 7) == 0.0
    assert t_quantile(0.0, 7) == -math.inf
    assert t_quantile(1.0, 7) == math.inf
    assert t_cdf(0.0, 3) == 0.5
    assert t_cdf(math.inf, 3) == 1.0
    assert t_cdf(-math.inf, 3) == 0.0
    assert t_quantile(0.975, math.inf) == pytest.approx(NormalDist().inv_cdf(0.975), rel=1e-12)
    assert t_cdf(1.5, math.inf) == pytest.approx(NormalDist().cdf(1.5), rel=1e-12)
    for bad_df in (0, -1, math.nan):
        with pytest.raises(ValueError):
            t_cdf(1.0, bad_df)
        with pytest.raises(ValueError):
            t_quantile(0.5, bad_df)
    with pytest.raises(ValueError):
        t_quantile(1.5, 3)


@given(p=st.floats(1e-12, 1 - 1e-12), df=st.floats(0.5, 5000))
@settings(max_examples=150, deadline=None)
def test_t_quantile_inverts_t_cdf(p: float, df: float) -> None:
    assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, rel=1e-9)


WELCH_CASES = [
    ([50.0, 60.0, 55.0], [90.0, 95.0, 85.0]),
    ([50.0, 70.0], [55.0, 75.0]),
    ([0.0, 100.0, 50.0, 25.0, 75.0], [60.0, 62.5, 61.0]),
    ([80.0, 80.0, 80.0], [70.0, 75.0, 90.0, 60.0]),  # one side without spread
    ([12.5, 87.5] * 40, [50.0, 62.5, 37.5] * 3),
    ([1.0, 2.0], [1000.0, 1001.0, 999.0]),  # a p far out in the tail
]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scipy on a sample without spread
@pytest.mark.parametrize(("a", "b"), WELCH_CASES)
def test_welch_matches_scipy(a: list[float], b: list[float]) -> None:
    expected = sps.ttest_ind(a, b, equal_var=False).pvalue
    assert welch_p(a, b) == pytest.approx(expected, rel=1e-9)
    assert welch_p(b, a) == pytest.approx(expected, rel=1e-9)


def test_welch_by_hand() -> None:
    # means 55 and 90, both variances 25: se² = 25/3 + 25/3, t = −35/√(50/3) = −8.5732,
    # df = (50/3)² / (2·(25/3)²/2) = 4; two-sided p = 2·F(−8.5732; 4)
    t = -35 / math.sqrt(50 / 3)
    assert welch_p([50.0, 60.0, 55.0], [90.0, 95.0, 85.0]) == pytest.approx(
        2 * t_cdf(t, 4), rel=1e-12
    )
    assert 0.0009 < 2 * sps.t.cdf(t, 4) < 0.0011


def test_welch_degenerate() -> None:
    assert welch_p([50.0], [60.0, 70.0]) is None
    assert welch_p([50.0, 60.0], []) is None
    # both without spread: documented limits instead of scipy's nan
    assert welch_p([50.0, 50.0], [50.0, 50.0, 50.0]) == 1.0
    assert welch_p([50.0, 50.0], [75.0, 75.0]) == 0.0
    assert welch_p([100 / 3] * 3, [100 / 3] * 5) == 1.0


NORMALISED = st.integers(0, 12).map(lambda k: k * 100 / 12)


# scipy warns about "catastrophic cancellation" on a sample without spread; its answer
# is still right, and that case is the one worth testing.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@given(
    a=st.lists(NORMALISED, min_size=2, max_size=25), b=st.lists(NORMALISED, min_size=2, max_size=25)
)
@settings(max_examples=150, deadline=None)
def test_welch_matches_scipy_on_random_samples(a: list[float], b: list[float]) -> None:
    p = welch_p(a, b)
    assert p is not None
    assert 0.0 <= p <= 1.0
    if len(set(a)) == 1 and len(set(b)) == 1:
        assert p == (1.0 if a[0] == b[0] else 0.0)
    else:
        assert p == pytest.approx(sps.ttest_ind(a, b, equal_var=False).pvalue, rel=1e-8, abs=1e-300)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # sorted 10 20 30 40: q1 at rank (4−1)·0.25 = 0.75 → 10 + 0.75·10 = 17.5;
        # median at 1.5 → 25; q3 at 2.25 → 30 + 0.25·10 = 32.5
        ([40, 10, 30, 20], (4, 25.0, 25.0, 17.5, 32.5, 10.0, 40.0)),
        # 3 values 0, 50, 90: q1 at rank 0.5 → 25; median 50; q3 at 1.5 → 70; mean 140/3
        ([90.0, 0.0, 50.0], (3, 140 / 3, 50.0, 25.0, 70.0, 0.0, 90.0)),
        ([60.0, 60.0, 60.0], (3, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0)),
        ([10.0, 20.0], (2, None, None, None, None, None, None)),  # below 3 organisations
        ([], (0, None, None, None, None, None, None)),
    ],
)
def test_distribution_by_hand(values: list[float], expected: tuple[float | None, ...]) -> None:
    d = distribution(values)
    assert (d.n_orgs, d.mean, d.median, d.q1, d.q3, d.min, d.max) == pytest.approx(expected)


@given(st.lists(st.floats(0, 100), min_size=3, max_size=40))
@settings(max_examples=100, deadline=None)
def test_distribution_matches_numpy(values: list[float]) -> None:
    d = distribution(values)
    q1, median, q3 = np.percentile(values, [25, 50, 75])  # numpy's default: 'linear'
    got = (d.median, d.q1, d.q3)
    assert got == pytest.approx((median, q1, q3), rel=1e-12, abs=1e-12)
    assert d.min == min(values)
    assert d.max == max(values)
    assert d.mean is not None
    assert min(values) <= d.mean <= max(values)


def test_weighted_mean_stays_within_its_values() -> None:
    # Unclamped, fsum(w·100) / fsum(w) for these weights is 100.00000000000001, and the
    # second case 33.33333333333333 < 100/3: a score must never leave its bounds.
    assert weighted_mean([(2.3, 100.0), (0.7, 100.0), (0.1, 100.0), (0.1, 100.0)]) == 100.0
    assert weighted_mean([(0.3, 100 / 3)] * 7) == 100 / 3
    assert weighted_mean([]) is None
    assert weighted_mean([(1.0, 0.0), (3.0, 100.0)]) == 75.0  # (0 + 300) / 4


@pytest.mark.parametrize(
    ("x", "text"),
    [(None, "–"), (84.375, "84.4"), (100.0, "100.0"), (0.0, "0.0"), (-0.04, "0.0"),
     (-12.5, "-12.5"), (175 / 3, "58.3"), (math.nan, "–")],
)  # fmt: skip
def test_fmt1(x: float | None, text: str) -> None:
    assert fmt1(x) == text
