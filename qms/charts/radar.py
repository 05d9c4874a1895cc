"""Radar chart: the criteria around a circle, one line per respondent group (0-100).

Pure: plain data in, a Figure out. A group without a score for a criterion (nobody
asked, or too few answers) leaves a gap in its line rather than a point at zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from matplotlib.projections.polar import PolarAxes

from qms.charts import PALETTE, Figure, new_figure

Series = tuple[str, Sequence[float | None]]


def radar_chart(axes: Sequence[str], series: Sequence[Series], *, title: str = "") -> Figure:
    """`axes` label the spokes (criteria); each series is (group label, one score or None
    per spoke). Series keep their colour by position (the methodology's group order)."""
    fig = new_figure(6.4, 6.4)
    ax = fig.add_subplot(projection="polar")
    assert isinstance(ax, PolarAxes)  # for the type checker: add_subplot says Axes
    count = max(len(axes), 1)
    angles = [2 * math.pi * i / count for i in range(count)]
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    ax.set_xticks(angles, list(axes))
    ax.set_ylim(0, 100)
    ax.set_yticks(
        [20, 40, 60, 80, 100], ["20", "40", "60", "80", "100"], fontsize=8, color="#4a4a4a"
    )
    ax.set_rlabel_position(0)
    ax.grid(color="#b1b4b6", linewidth=0.6)
    for index, (label, values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        ys = [math.nan if v is None else float(v) for v in values]
        # A NaN breaks the line, so a missing score shows as a gap, never as zero.
        xs_closed = [*angles, angles[0]]
        ys_closed = [*ys, ys[0]]
        ax.plot(
            xs_closed, ys_closed, color=colour, linewidth=2, label=label, marker="o", markersize=4
        )
        if not any(math.isnan(y) for y in ys):
            ax.fill(xs_closed, ys_closed, color=colour, alpha=0.08)
    if series:
        # Below the circle: long group names would squeeze the chart from the side.
        fig.legend(loc="outside lower center", ncols=2, frameon=False, fontsize=9)
    if title:
        ax.set_title(title, pad=18)
    return fig
