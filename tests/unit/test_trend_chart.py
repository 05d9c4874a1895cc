"""The trend chart: a line per group over the years, gaps for absent years."""

from __future__ import annotations

import pytest

from qms.charts import render
from qms.charts.trend import Series, trend_chart


def _series() -> list[Series]:
    return [
        Series("Darbinieki", (55.0, 60.0, 72.5), colour=0),
        Series("Klienti", (None, 48.0, 51.0), colour=1),
        Series("Kopā", (55.0, 54.0, 61.75), colour=None),
    ]


def test_one_line_per_series_with_years_on_the_axis() -> None:
    fig = trend_chart([2023, 2024, 2025], _series(), title="Kopvērtējums", y_label="Punkti")
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["Darbinieki", "Klienti", "Kopā"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024", "2025"]
    assert ax.get_ylim() == (0.0, 100.0)
    assert list(lines[0].get_ydata()) == [55.0, 60.0, 72.5]
    # An absent year is a gap (NaN), not a zero that would pull the line down.
    first = lines[1].get_ydata()[0]
    assert first != first  # NaN
    assert lines[2].get_linestyle() == "--"


def test_svg_keeps_latvian_labels_and_is_stable() -> None:
    svg = render(trend_chart([2023, 2024, 2025], _series(), title="Kopvērtējums"), "svg")
    assert b"Darbinieki" in svg and "Kopvērtējums".encode() in svg
    assert render(trend_chart([2023, 2024, 2025], _series(), title="Kopvērtējums"), "svg") == svg


def test_values_must_match_the_years() -> None:
    with pytest.raises(ValueError, match="3 years"):
        trend_chart([2023, 2024, 2025], [Series("x", (1.0, 2.0))])
