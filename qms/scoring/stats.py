"""Small statistics the methodology needs: Welch's test, weighted means, distributions."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .tdist import t_two_sided

# §3.11: a statistic over fewer organisations than this shows only its count.
MIN_ORGS = 3


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Weighted mean of (weight, value) pairs; None when there are none.

    The result is clamped into [min, max] of the values: mathematically it lies
    there, and the clamp removes the last-bit rounding that would otherwise let
    a mean of scores that are all 100 come out as 100.00000000000001.
    """
    ws: list[float] = []
    xs: list[float] = []
    for w, x in pairs:
        ws.append(w)
        xs.append(x)
    if not xs:
        return None
    value = math.fsum(w * x for w, x in zip(ws, xs, strict=True)) / math.fsum(ws)
    return min(max(value, min(xs)), max(xs))


def mean_and_variance(xs: Sequence[float]) -> tuple[float, float]:
    """Mean and sample variance (n - 1), from deviations about the mean.

    Constant data gets exactly 0 variance (and its value as the mean), which the
    zero-variance rules of `welch_p` depend on.
    """
    n = len(xs)
    if n < 2:
        raise ValueError("the sample variance needs at least two values")
    if min(xs) == max(xs):
        return float(xs[0]), 0.0
    mean = math.fsum(xs) / n
    return mean, math.fsum((x - mean) ** 2 for x in xs) / (n - 1)


def welch_p(a: Sequence[float], b: Sequence[float]) -> float | None:
    """Two-sided p-value of Welch's unequal-variances t-test; None unless both n >= 2.

    When both samples have zero variance the t statistic is 0/0 or ±inf; the
    answer is then the limit a careful reader expects: p = 1.0 when the two
    (constant) samples are equal, p = 0.0 when they differ -- a change with no
    spread at all on either side is as clear as a change can be. One zero
    variance alone is fine: the test then rests on the other sample's spread.
    """
    if len(a) < 2 or len(b) < 2:
        return None
    ma, va = mean_and_variance(a)
    mb, vb = mean_and_variance(b)
    sa, sb = va / len(a), vb / len(b)
    se2 = sa + sb
    if se2 == 0.0:
        return 1.0 if ma == mb else 0.0
    t = (ma - mb) / math.sqrt(se2)
    df = se2 * se2 / (sa * sa / (len(a) - 1) + sb * sb / (len(b) - 1))
    return t_two_sided(t, df)


@dataclass(frozen=True)
class Distribution:
    """Summary of organisation-level values across a network (§3.11).

    Every field but `n_orgs` is None below `MIN_ORGS` organisations.
    """

    n_orgs: int
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None


def quantile(sorted_values: Sequence[float], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default 'linear' method)."""
    if not sorted_values:
        raise ValueError("quantile of no values")
    h = (len(sorted_values) - 1) * p
    i = math.floor(h)
    if i + 1 >= len(sorted_values):
        return float(sorted_values[-1])
    lo, hi = sorted_values[i], sorted_values[i + 1]
    return lo + (h - i) * (hi - lo)


def distribution(values: Sequence[float]) -> Distribution:
    n = len(values)
    if n < MIN_ORGS:
        return Distribution(n, None, None, None, None, None, None)
    xs = sorted(float(v) for v in values)
    return Distribution(
        n_orgs=n,
        mean=min(max(math.fsum(xs) / n, xs[0]), xs[-1]),
        median=quantile(xs, 0.5),
        q1=quantile(xs, 0.25),
        q3=quantile(xs, 0.75),
        min=xs[0],
        max=xs[-1],
    )
