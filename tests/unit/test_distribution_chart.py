"""Box plots and median bands across organisations: what they draw, from plain numbers."""

from __future__ import annotations

from qms.charts import render
from qms.charts.distribution import BandPoint, Box, band_chart, box_chart


def test_box_chart_draws_boxes_counts_and_named_points() -> None:
    fig = box_chart(
        [
            Box("1. Vadība", 5, 20.0, 30.0, 40.0, 10.0, 60.0, 32.0, (25.0, 55.0)),
            Box("2. Stratēģija", 2),
        ],
        few_label="n = {n}",
    )
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["n = 2"]  # the small row has only its count, no box
    assert [t.get_text() for t in ax.get_yticklabels()] == ["1. Vadība", "2. Stratēģija"]
    named = [line for line in ax.lines if line.get_marker() == "D"]
    assert len(named) == 1 and list(named[0].get_xdata()) == [25.0, 55.0]
    svg = render(fig, "svg").decode()
    assert svg.startswith("<svg") and "Vadība" in svg


def test_box_chart_with_no_box_at_all() -> None:
    fig = box_chart([Box("Overall", 1)], few_label="{n}")
    assert [t.get_text() for t in fig.axes[0].texts] == ["1"]
    assert render(fig, "png").startswith(b"\x89PNG")


def test_band_chart_leaves_gaps_for_years_without_a_statistic() -> None:
    fig = band_chart(
        [
            BandPoint(2023, 40.0, 30.0, 50.0),
            BandPoint(2024, None, None, None),
            BandPoint(2025, 50.0, 42.0, 60.0),
        ]
    )
    ax = fig.axes[0]
    [median] = [line for line in ax.lines if line.get_marker() == "o"]
    ys = list(median.get_ydata())
    assert ys[0] == 40.0 and ys[2] == 50.0 and ys[1] != ys[1]  # NaN: a gap, not a zero
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024", "2025"]
