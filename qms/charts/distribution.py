"""Distributions across the organisations of a network (METHODOLOGY.md §3.11).

Pure: plain numbers in, a matplotlib Figure out. `box_chart` draws one horizontal box
per row from precomputed statistics (whiskers at min and max, a dot at the mean),
and marks the values of organisations that consented to be named. A row over fewer
than three organisations has no box, only its count. `band_chart` draws the median
over the years with the interquartile range as a band.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qms.charts import PALETTE, Figure, new_figure

BOX_COLOUR = PALETTE[0]
NAMED_COLOUR = PALETTE[5]


@dataclass(frozen=True)
class Box:
    label: str
    n_orgs: int
    q1: float | None = None
    median: float | None = None
    q3: float | None = None
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    named: tuple[float, ...] = ()  # consenting organisations' values

    @property
    def drawn(self) -> bool:
        return None not in (self.q1, self.median, self.q3, self.low, self.high)


def box_chart(
    boxes: Sequence[Box],
    *,
    title: str = "",
    x_label: str = "",
    few_label: str = "n = {n}",
    x_max: float = 100.0,
) -> Figure:
    """Rows top to bottom in the given order; `few_label` (with `{n}`) marks rows without a
    box."""
    height = 1.2 + 0.42 * max(len(boxes), 1)
    fig = new_figure(6.4, height)
    ax = fig.add_subplot()
    positions = list(range(len(boxes), 0, -1))
    stats: list[dict[str, Any]] = []
    drawn_at = []
    for box, y in zip(boxes, positions, strict=True):
        if not box.drawn:
            ax.text(
                2,
                y,
                few_label.format(n=box.n_orgs),
                va="center",
                ha="left",
                color="#555555",
                fontsize=9,
            )
            continue
        stats.append(
            {
                "med": box.median,
                "q1": box.q1,
                "q3": box.q3,
                "whislo": box.low,
                "whishi": box.high,
                "mean": box.mean,
                "fliers": [],
                "label": box.label,
            }
        )
        drawn_at.append(y)
    if stats:
        ax.bxp(
            stats,
            positions=drawn_at,
            orientation="horizontal",
            widths=0.55,
            showmeans=True,
            patch_artist=True,
            boxprops={"facecolor": "#cfe3f3", "edgecolor": BOX_COLOUR},
            medianprops={"color": "#000000", "linewidth": 2},
            whiskerprops={"color": BOX_COLOUR},
            capprops={"color": BOX_COLOUR},
            meanprops={
                "marker": "o",
                "markerfacecolor": "white",
                "markeredgecolor": "#000000",
                "markersize": 5,
            },
        )
    for box, y in zip(boxes, positions, strict=True):
        if box.drawn and box.named:
            ax.plot(
                list(box.named),
                [y] * len(box.named),
                linestyle="none",
                marker="D",
                color=NAMED_COLOUR,
                markersize=6,
                zorder=5,
            )
    ax.set_yticks(positions, [b.label for b in boxes])
    ax.set_ylim(0.4, len(boxes) + 0.6)
    ax.set_xlim(0, x_max)
    ax.grid(axis="x", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    if x_label:
        ax.set_xlabel(x_label)
    if title:
        ax.set_title(title, loc="left")
    return fig


@dataclass(frozen=True)
class BandPoint:
    year: int
    median: float | None
    q1: float | None
    q3: float | None


def band_chart(
    points: Sequence[BandPoint],
    *,
    title: str = "",
    y_label: str = "",
    median_label: str = "median",
    band_label: str = "Q1–Q3",
    y_max: float = 100.0,
) -> Figure:
    """The median over the years (ascending) with its interquartile band; a year without
    a shown statistic is a gap."""
    fig = new_figure(6.4, 3.4)
    ax = fig.add_subplot()
    xs = list(range(len(points)))
    med = [math.nan if p.median is None else p.median for p in points]
    lo = [math.nan if p.q1 is None else p.q1 for p in points]
    hi = [math.nan if p.q3 is None else p.q3 for p in points]
    ax.fill_between(xs, lo, hi, color="#cfe3f3", label=band_label, linewidth=0)
    # A year between two gaps has no band to fill: a bar shows its quartiles instead.
    ax.vlines(xs, lo, hi, color="#cfe3f3", linewidth=8)
    ax.plot(xs, med, color=BOX_COLOUR, marker="o", linewidth=2, label=median_label)
    ax.set_xticks(xs, [str(p.year) for p in points])
    ax.set_ylim(0, y_max)
    ax.set_xlim(-0.3, max(len(points) - 1, 1) + 0.3)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    if y_label:
        ax.set_ylabel(y_label)
    if title:
        ax.set_title(title, loc="left")
    if points:
        ax.legend(loc="lower right", frameon=False)
    return fig


__all__ = ["BandPoint", "Box", "band_chart", "box_chart"]
