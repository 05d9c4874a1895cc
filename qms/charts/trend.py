"""Trend lines: one score a year for each respondent group and the composite.

Pure: plain numbers in, a matplotlib Figure out. A missing year of a series (no
reportable answers that year) is a gap in its line, never a zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from qms.charts import PALETTE, Figure, new_figure

COMPOSITE_COLOUR = "#000000"


@dataclass(frozen=True)
class Series:
    label: str
    values: tuple[float | None, ...]  # one per year, None where absent
    colour: int | None = None  # index into PALETTE; None draws the composite (black, dashed)


def trend_chart(
    years: Sequence[int],
    series: Sequence[Series],
    *,
    title: str = "",
    y_label: str = "",
    y_max: float = 100.0,
) -> Figure:
    """A line per series over `years` (ascending), scores on a fixed 0–`y_max` axis so
    that charts of different criteria read alike."""
    for s in series:
        if len(s.values) != len(years):
            raise ValueError(
                f"series {s.label!r} has {len(s.values)} values for {len(years)} years"
            )
    fig = new_figure(7.2, 4.6)
    ax = fig.add_subplot()
    xs = list(range(len(years)))
    for s in series:
        ys = [math.nan if v is None else v for v in s.values]
        if s.colour is None:
            ax.plot(
                xs,
                ys,
                color=COMPOSITE_COLOUR,
                linestyle="--",
                marker="s",
                linewidth=2,
                label=s.label,
            )
        else:
            ax.plot(
                xs,
                ys,
                color=PALETTE[s.colour % len(PALETTE)],
                marker="o",
                linewidth=1.6,
                label=s.label,
            )
    ax.set_xticks(xs, [str(y) for y in years])
    ax.set_ylim(0, y_max)
    ax.set_xlim(-0.3, max(len(years) - 1, 1) + 0.3)
    ax.grid(axis="y", color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    if y_label:
        ax.set_ylabel(y_label)
    if title:
        ax.set_title(title, loc="left")
    if series:
        # Below the plot: group names are long, and a legend beside it squeezes the lines.
        fig.legend(loc="outside lower center", ncols=2, frameon=False)
    return fig


__all__ = ["Series", "trend_chart"]
