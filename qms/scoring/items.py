"""Per-item statistics (METHODOLOGY.md §3 items 1-4)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from qms.methodology.model import Item, Methodology, Scale

from .tdist import t_quantile


@dataclass(frozen=True)
class ItemCounts:
    """What the store keeps incrementally per (cycle, group, item).

    `histogram` maps a raw valid value to its count; zero counts may be omitted.
    The store has already applied "which responses count" (in a consensus group
    only the consensus record), so every count here is scored as given.
    """

    histogram: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))
    dk: int = 0
    na: int = 0
    blank: int = 0

    @property
    def n(self) -> int:
        return sum(self.histogram.values())


@dataclass(frozen=True)
class ItemStats:
    group: str
    item: str
    n: int
    dk: int
    na: int
    blank: int
    mean: float | None
    sd: float | None
    top_box: float | None
    histogram: dict[str, int] | None
    reportable: bool
    ci: tuple[float, float] | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "item": self.item,
            "n": self.n,
            "dk": self.dk,
            "na": self.na,
            "blank": self.blank,
            "mean": self.mean,
            "sd": self.sd,
            "top_box": self.top_box,
            "histogram": None if self.histogram is None else dict(self.histogram),
            "reportable": self.reportable,
            "ci": None if self.ci is None else list(self.ci),
        }


def exact_normalised(scale: Scale, reverse: bool, value: int) -> Fraction:
    """s = 100 (v - lo) / (hi - lo), or 100 - s for a reversed item, as an exact fraction."""
    span = scale.hi - scale.lo
    offset = scale.hi - value if reverse else value - scale.lo
    return Fraction(100 * offset, span)


def normalised(scale: Scale, reverse: bool, value: int) -> float:
    """The normalised value of a valid answer, correctly rounded."""
    return float(exact_normalised(scale, reverse, value))


def top_box_values(scale: Scale, reverse: bool) -> frozenset[int] | None:
    """The raw values of the two options with the highest normalised value; None for ranges."""
    if scale.is_range:
        return None
    # Normalisation is monotone, so the two best options are the two highest raw
    # values, or the two lowest for a reversed item.
    values = sorted(scale.values(), reverse=not reverse)
    return frozenset(values[:2])


def is_reportable(n: int, min_n: int) -> bool:
    # n > 0 as well: a min_n of 0 never passes validation, but a mean of no answers
    # must not be attempted even if one slipped through.
    return n >= min_n and n > 0


def confidence_interval(mean: float, sd: float | None, n: int) -> tuple[float, float] | None:
    """mean ± t(0.975, n-1) · sd / √n (§3.10); not clipped to 0-100, as the formula says."""
    if sd is None or n < 2:
        return None
    half = t_quantile(0.975, n - 1) * sd / math.sqrt(n)
    return (mean - half, mean + half)


def scored_item(m: Methodology, group: str, item_id: str) -> Item:
    """The scale item `item_id` of `group`'s questionnaire, or ValueError."""
    if not m.has_item(item_id) or m.item_group(item_id) != group:
        raise ValueError(f"item {item_id!r} is not in the questionnaire of group {group!r}")
    item = m.item(item_id)
    if not item.is_scored:
        raise ValueError(f"item {item_id!r} is a {item.type} item, not a scored scale item")
    return item


def _check_counts(item: Item, scale: Scale, counts: ItemCounts) -> None:
    for name in ("dk", "na", "blank"):
        if getattr(counts, name) < 0:
            raise ValueError(f"item {item.id!r}: negative {name} count")
    for value, count in counts.histogram.items():
        if not scale.is_valid(value):
            raise ValueError(f"item {item.id!r}: {value!r} is not a valid value of {scale.id!r}")
        if count < 0:
            raise ValueError(f"item {item.id!r}: negative count for value {value!r}")


def item_stats(m: Methodology, group: str, item_id: str, counts: ItemCounts) -> ItemStats:
    item = scored_item(m, group, item_id)
    scale = m.item_scale(item)
    _check_counts(item, scale, counts)
    n = counts.n
    reportable = is_reportable(n, m.group(group).min_n)
    if not reportable:
        # §3.4: only the counts of a small group may leave this function.
        return ItemStats(
            group=group, item=item.id, n=n, dk=counts.dk, na=counts.na, blank=counts.blank,
            mean=None, sd=None, top_box=None, histogram=None, reportable=False, ci=None,
        )  # fmt: skip

    present = {v: c for v, c in counts.histogram.items() if c}
    # Exact rational arithmetic: answers are integers on a known scale, so the
    # mean and the sum of squared deviations about it are exact and the floats
    # reported are the correctly rounded results (constant answers give sd 0.0).
    s = {v: exact_normalised(scale, item.reverse, v) for v in present}
    exact_mean = sum((c * s[v] for v, c in present.items()), Fraction(0)) / n
    sd: float | None = None
    if n >= 2:
        ss = sum((c * (s[v] - exact_mean) ** 2 for v, c in present.items()), Fraction(0))
        sd = math.sqrt(ss / (n - 1))
    mean = float(exact_mean)

    best = top_box_values(scale, item.reverse)
    top_box = None if best is None else sum(present.get(v, 0) for v in best) / n
    histogram = {str(v): counts.histogram.get(v, 0) for v in scale.values()}
    return ItemStats(
        group=group, item=item.id, n=n, dk=counts.dk, na=counts.na, blank=counts.blank,
        mean=mean, sd=sd, top_box=top_box, histogram=histogram, reportable=True,
        ci=confidence_interval(mean, sd, n),
    )  # fmt: skip
