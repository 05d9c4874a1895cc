"""The radar and histogram charts: labels as text, gaps for missing scores, stable bytes."""

from __future__ import annotations

import math

from matplotlib.projections.polar import PolarAxes

from qms.charts import render
from qms.charts.histogram import histogram_chart
from qms.charts.radar import radar_chart

AXES = ["1 Vadība", "2 Stratēģija", "3 Darbinieki", "4 Partnerība"]


def test_radar_has_a_polar_axis_a_line_per_group_and_latvian_text() -> None:
    fig = radar_chart(
        AXES,
        [("Darbinieki", [60.0, 70.0, 80.0, 90.0]), ("Klienti", [50.0, None, 75.0, 100.0])],
        title="Kritēriji",
    )
    (ax,) = fig.axes
    assert isinstance(ax, PolarAxes)
    assert ax.get_ylim() == (0.0, 100.0)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["Darbinieki", "Klienti"]
    # The loop is closed back to the first spoke; a missing score is a gap (NaN), not 0.
    ys = list(lines[1].get_ydata())  # type: ignore[arg-type]
    assert len(ys) == len(AXES) + 1 and math.isnan(ys[1]) and ys[-1] == 50.0
    svg = render(fig, "svg")
    for text in ("Stratēģija", "Klienti", "Kritēriji"):
        assert text.encode() in svg


def test_radar_renders_the_same_bytes_for_the_same_data_and_every_format() -> None:
    series = [("Personāls", [10.0, 20.0, 30.0, 40.0])]
    one = render(radar_chart(AXES, series), "svg")
    assert render(radar_chart(AXES, series), "svg") == one
    assert render(radar_chart(AXES, [("Personāls", [10.0, 20.0, 30.0, 41.0])]), "svg") != one
    assert render(radar_chart(AXES, series), "png").startswith(b"\x89PNG")
    assert render(radar_chart(AXES, series), "pdf").startswith(b"%PDF")


def test_radar_without_series_still_renders() -> None:
    assert render(radar_chart(AXES, []), "svg").startswith(b"<svg")


def test_histogram_has_a_bar_per_option_with_its_count() -> None:
    fig = histogram_chart(["Nē", "Daļēji", "Jā"], [0, 3, 7], ylabel="Atbildes")
    (ax,) = fig.axes
    heights = [patch.get_height() for patch in ax.patches]  # type: ignore[attr-defined]
    assert heights == [0, 3, 7]
    svg = render(fig, "svg").decode()
    assert "Daļēji" in svg and "Atbildes" in svg
