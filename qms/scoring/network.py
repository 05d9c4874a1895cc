"""Statistics across the organisations of a network (METHODOLOGY.md §3.11), pure.

Every organisation counts once, with its own organisation-level score (never pooled
respondents). Quartiles interpolate linearly between closest ranks (numpy's default).
A statistic over fewer than `MIN_ORGS` organisations shows only its count: the
distribution's other fields are None, and so are positions and ranks within it, so
nobody can read one partner's score off a "distribution" of one or two.

Decisions where §3.11 is silent:
- A position is a band of the distribution: below Q1, from Q1 to below the median, at
  the median, above the median up to Q3, above Q3 (equality within 1e-9 counts as at).
- A rank counts from the lowest: 1 + the number of organisations with a strictly lower
  score, so tied organisations share a rank and no order among equals is invented.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .stats import MIN_ORGS, Distribution, distribution, quantile

Band = Literal["below_q1", "q1_to_median", "at_median", "median_to_q3", "above_q3"]
BANDS: tuple[Band, ...] = ("below_q1", "q1_to_median", "at_median", "median_to_q3", "above_q3")
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Rank:
    """Place `rank` of `of` counted from the lowest score (1 = lowest)."""

    rank: int
    of: int


def summarise(values: Sequence[float]) -> Distribution:
    """n_orgs, mean, median, quartiles, min and max; all but n_orgs None below MIN_ORGS."""
    return distribution(values)


def is_shown(n_orgs: int) -> bool:
    return n_orgs >= MIN_ORGS


def band(value: float, dist: Distribution) -> Band | None:
    """Where `value` lies in `dist`; None when the distribution is not shown."""
    if dist.q1 is None or dist.median is None or dist.q3 is None:
        return None
    if abs(value - dist.median) <= _TOLERANCE:
        return "at_median"
    if value < dist.q1 - _TOLERANCE:
        return "below_q1"
    if value < dist.median:
        return "q1_to_median"
    if value <= dist.q3 + _TOLERANCE:
        return "median_to_q3"
    return "above_q3"


def rank_from_lowest(value: float, values: Sequence[float]) -> Rank | None:
    """The place of `value` among `values` (which include it); None below MIN_ORGS."""
    if not is_shown(len(values)):
        return None
    lower = sum(1 for v in values if v < value - _TOLERANCE)
    return Rank(lower + 1, len(values))


def iqr_band(values: Sequence[float]) -> tuple[float, float, float] | None:
    """(q1, median, q3) for a trend line with its interquartile band; None below MIN_ORGS."""
    if not is_shown(len(values)):
        return None
    xs = sorted(float(v) for v in values)
    return quantile(xs, 0.25), quantile(xs, 0.5), quantile(xs, 0.75)


__all__ = [
    "BANDS",
    "MIN_ORGS",
    "Band",
    "Distribution",
    "Rank",
    "band",
    "iqr_band",
    "is_shown",
    "rank_from_lowest",
    "summarise",
]
