"""Student's t distribution in pure Python (METHODOLOGY.md §3.10).

The pure core may not depend on scipy, so the two functions the methodology
needs -- the CDF for Welch's test and the quantile for confidence intervals --
are built on the regularized incomplete beta function, evaluated with the
modified Lentz continued fraction (Numerical Recipes, §6.4).
"""

from __future__ import annotations

import math
from statistics import NormalDist

_TINY = 1e-300
_EPS = 1e-16
_MAX_CF_TERMS = 100_000


def _check_df(df: float) -> None:
    if not df > 0:  # also refuses NaN
        raise ValueError(f"degrees of freedom must be > 0, got {df!r}")


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b); converges fast for x < (a + 1) / (a + b + 2)."""
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = _TINY if abs(d) < _TINY else d
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_CF_TERMS + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            return h
    raise ArithmeticError(f"incomplete beta did not converge (a={a}, b={b}, x={x})")


def betainc(a: float, b: float, x: float, y: float | None = None) -> float:
    """Regularized incomplete beta I_x(a, b).

    `y` is 1 - x when the caller knows it more precisely than `1 - x` would give
    (for the t distribution x is close to 1 in the centre and close to 0 in the
    tails, and computing y separately keeps tail probabilities accurate).
    """
    if y is None:
        y = 1.0 - x
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    log_front = (
        a * math.log(x) + b * math.log(y) + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_cf(a, b, x) / a
    return 1.0 - front * _beta_cf(b, a, y) / b


def _two_sided(x: float, df: float) -> float:
    """P(|T| > |x|) for T ~ t(df)."""
    if math.isinf(x):
        return 0.0
    x2 = x * x
    # I_{df/(df+x²)}(df/2, 1/2): both arguments of the beta are formed without
    # subtracting from 1, so small tail probabilities keep their digits.
    return betainc(df / 2.0, 0.5, df / (df + x2), x2 / (df + x2))


def t_two_sided(x: float, df: float) -> float:
    """Two-sided p-value P(|T| >= |x|), accurate in the far tails (used by Welch's test)."""
    _check_df(df)
    if math.isnan(x):
        return math.nan
    if math.isinf(df):
        return 2.0 * NormalDist().cdf(-abs(x))
    return _two_sided(x, df)


def t_cdf(x: float, df: float) -> float:
    """P(T <= x) for Student's t with `df` (> 0, possibly fractional or inf) degrees of freedom."""
    _check_df(df)
    if math.isnan(x):
        return math.nan
    if math.isinf(df):
        return NormalDist().cdf(x)
    tail = 0.5 * _two_sided(x, df)
    return tail if x < 0 else 1.0 - tail


def _upper_tail(x: float, df: float) -> float:
    return 0.5 * _two_sided(x, df)


def _log_pdf(x: float, df: float) -> float:
    return (
        math.lgamma((df + 1.0) / 2.0)
        - math.lgamma(df / 2.0)
        - 0.5 * math.log(df * math.pi)
        - (df + 1.0) / 2.0 * math.log1p(x * x / df)
    )


def t_quantile(p: float, df: float) -> float:
    """The x with P(T <= x) = p.

    Solves upper_tail(x) = min(p, 1 - p) for x >= 0 by Newton's method on the
    logarithm of the tail (nearly linear far out, where the tail is a power law),
    kept inside a shrinking bracket and falling back to bisection when a step
    would leave it.
    """
    _check_df(df)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"probability must be in [0, 1], got {p!r}")
    if p == 0.0:
        return -math.inf
    if p == 1.0:
        return math.inf
    if p == 0.5:
        return 0.0
    if math.isinf(df):
        return NormalDist().inv_cdf(p)
    tail = min(p, 1.0 - p)
    sign = 1.0 if p > 0.5 else -1.0
    log_tail = math.log(tail)

    lo, hi = 0.0, 1.0
    while _upper_tail(hi, df) > tail:
        lo, hi = hi, hi * 2.0
        if math.isinf(hi):  # only for tails beyond what a double can express
            return sign * math.inf
    # The normal quantile is a good start for moderate df; clamp it into the bracket.
    x = min(max(-NormalDist().inv_cdf(tail), lo), hi)
    if not lo < x < hi:
        x = (lo + hi) / 2.0
    for _ in range(300):
        sf = _upper_tail(x, df)
        if sf == tail:
            return sign * x
        if sf > tail:
            lo = x
        else:
            hi = x
        step_ok = False
        if sf > 0.0:
            # g(x) = log sf(x) - log tail, g'(x) = -pdf(x) / sf(x)
            g = math.log(sf) - log_tail
            slope = -math.exp(_log_pdf(x, df) - math.log(sf))
            if slope < 0.0:
                candidate = x - g / slope
                step_ok = lo < candidate < hi
        if step_ok:
            new_x = candidate
        elif lo > 0.0 and hi > 4.0 * lo:
            new_x = math.sqrt(lo * hi)  # bisect in log space across wide brackets
        else:
            new_x = (lo + hi) / 2.0
        if abs(new_x - x) <= 4.0 * math.ulp(x) or hi - lo <= 4.0 * math.ulp(hi):
            return sign * new_x
        x = new_x
    return sign * x
