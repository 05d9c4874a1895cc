"""Histogram of one item's answers: a bar per scale option (pure)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from matplotlib.ticker import MaxNLocator

from qms.charts import PALETTE, Figure, new_figure


def histogram_chart(
    labels: Sequence[str], counts: Sequence[int], *, title: str = "", ylabel: str = ""
) -> Figure:
    """One bar per option, lowest option first, with its count written on it."""
    wide = len(labels) > 6
    # Option labels are sentences in Latvian ("Ne piekrītu, ne nepiekrītu"): wrapped onto
    # lines they stay apart under their bars.
    shown = list(labels) if wide else [textwrap.fill(label, 14) for label in labels]
    lines = max((s.count("\n") + 1 for s in shown), default=1)
    fig = new_figure(6.4, (4.2 if wide else 3.4) + 0.15 * lines)
    ax = fig.add_subplot()
    positions = list(range(len(labels)))
    bars = ax.bar(positions, list(counts), color=PALETTE[0], width=0.7)
    ax.set_xticks(
        positions, shown, rotation=30 if wide else 0, ha="right" if wide else "center", fontsize=9
    )
    ax.bar_label(bars, labels=[str(c) for c in counts], padding=2, fontsize=9)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([*counts, 1]) * 1.15)
    ax.spines[["top", "right"]].set_visible(False)
    if ylabel:
        ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return fig
