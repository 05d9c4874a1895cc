"""Rule 6: scales, ranges and bands."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qms.methodology import MethodologyError, load_from_files

from .mini import FILES, Mini, only

# Options.


def test_at_least_two_options(mini: Mini) -> None:
    text = mini.text("methodology.yaml")
    start = text.index("      - value: 2")
    mini.write("methodology.yaml", text[:start] + text[text.index("    missing:") :])
    mini.one("methodology.yaml", "options:", "a scale needs at least two options")


def test_option_values_strictly_increase(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      - value: 3", "      - value: 0")
    mini.one("methodology.yaml", "value: 0", "option values must increase: 0 comes after 2", at="0")


def test_option_values_are_integers(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      - value: 3", "      - value: 2.5")
    mini.one("methodology.yaml", "2.5", "'value' must be an integer, not the number 2.5")


def test_options_or_range_not_both(mini: Mini) -> None:
    mini.replace(
        "methodology.yaml",
        "  - id: agree\n",
        "  - id: agree\n    range: {min: 1, max: 3, step: 1}\n",
    )
    findings = mini.check()
    assert str(findings[0]) == (
        f"{mini.path('methodology.yaml')}:{mini.pos('methodology.yaml', 'range: {')[0]}:5: "
        "error: scale 'agree' has both 'options' and 'range'; keep one"
    )


def test_options_or_range_needed(mini: Mini) -> None:
    mini.replace("methodology.yaml", "  - id: agree\n    options:", "  - id: agree\n    choices:")
    findings = mini.check()
    assert [f.message for f in findings][:1] == ["scale 'agree' needs 'options' or 'range'"]
    assert findings[0].line == mini.pos("methodology.yaml", "id: agree")[0]


# Missing answers.


def test_missing_codes_are_dk_or_na(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      - code: na", "      - code: refused")
    mini.one(
        "methodology.yaml",
        "refused",
        "missing-answer code 'refused' is not allowed; use dk (don't know) or na (not applicable)",
    )


def test_missing_codes_unique(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      - code: na", "      - code: dk")
    mini.one("methodology.yaml", "code: dk", "duplicate missing-answer code 'dk'", nth=2, at="dk")


def test_missing_answers_on_a_range_scale(mini: Mini) -> None:
    mini.replace(
        "methodology.yaml",
        "    bands:",
        '    missing:\n      - {code: na, label: {en: "n/a", lv: "n/a"}}\n    bands:',
    )
    assert mini.check() == []


# Ranges.


def test_range_min_below_max(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      max: 100", "      max: 0")
    mini.one("methodology.yaml", "max: 0", "'max' (0) must be greater than 'min' (0)", at="0")


def test_range_step_positive(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      step: 25", "      step: -25")
    mini.one("methodology.yaml", "-25", "'step' must be greater than 0, not -25")


def test_range_step_divides_the_span(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      step: 25", "      step: 30")
    mini.one("methodology.yaml", "30", "'step' 30 does not divide max - min = 100")


def test_range_bounds_are_integers(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      min: 0", "      min: 0.5")
    mini.one("methodology.yaml", "0.5", "'min' must be an integer, not the number 0.5")


def test_range_of_absurd_size(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      max: 100", "      max: 100000000")
    mini.replace("methodology.yaml", "        to: 100\n", "        to: 100000000\n")
    mini.one("methodology.yaml", "min: 0", "a range may have at most 1001 values")


# Bands.


def test_bands_only_on_range_scales(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    missing:", "    bands: []\n    missing:")
    mini.one("methodology.yaml", "bands: []", "'bands' belong to range scales only")


def test_band_from_not_above_to(mini: Mini) -> None:
    mini.replace("methodology.yaml", "        to: 25", "        to: -5")
    mini.one("methodology.yaml", "-5", "band [0, -5]: 'to' must not be less than 'from'")


def test_overlapping_bands(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      - from: 50", "      - from: 25")
    mini.one("methodology.yaml", "from: 25", "band [25, 100] overlaps the band before it [0, 25]")


def test_bands_in_increasing_order(mini: Mini) -> None:
    text = mini.text("methodology.yaml")
    first = text[text.index("      - from: 0") : text.index("      - from: 50")]
    second = text[text.index("      - from: 50") : text.index("criteria:")]
    mini.write("methodology.yaml", text.replace(first + second, second + first))
    mini.one(
        "methodology.yaml",
        "from: 0",
        "bands must be in increasing order: [0, 25] comes after [50, 100]",
    )


def test_gap_between_bands(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      - from: 50", "      - from: 75")
    mini.one("methodology.yaml", "from: 75", "value 50 of the range is in no band")


def test_gap_at_the_end(mini: Mini) -> None:
    mini.replace("methodology.yaml", "        to: 100\n", "        to: 99\n")
    mini.one("methodology.yaml", "from: 50", "value 100 of the range is in no band")


def test_gap_without_allowed_values_is_fine(mini: Mini) -> None:
    # 26..49 holds no allowed value of a range in steps of 25.
    mini.replace("methodology.yaml", "      - from: 50", "      - from: 49")
    assert mini.check() == []


def test_band_outside_the_range(mini: Mini) -> None:
    mini.replace("methodology.yaml", "        to: 100\n", "        to: 110\n")
    mini.one("methodology.yaml", "from: 50", "band [50, 110] reaches outside the range [0, 100]")


# Any band layout: valid exactly when the bands are increasing, disjoint, inside the
# range, and every allowed value lies in exactly one of them.

PANEL = """\
  - id: panel
    range: {{min: {lo}, max: {hi}, step: {step}}}
    bands:
{bands}
criteria:"""


def _with_bands(lo: int, hi: int, step: int, bands: list[tuple[int, int]]) -> Mapping[str, str]:
    text = FILES["methodology.yaml"]
    start, end = text.index("  - id: panel"), text.index("criteria:") + len("criteria:")
    listed = "\n".join(
        f'      - {{from: {a}, to: {b}, label: {{en: "b", lv: "b"}}}}' for a, b in bands
    )
    panel = PANEL.format(lo=lo, hi=hi, step=step, bands=listed or "      []")
    return dict(FILES, **{"methodology.yaml": text[:start] + panel + text[end:]})


def _valid(lo: int, hi: int, step: int, bands: list[tuple[int, int]]) -> bool:
    if not bands or any(a > b or a < lo or b > hi for a, b in bands):
        return False
    if any(b1 >= a2 for (_, b1), (a2, _) in itertools.pairwise(bands)):
        return False
    return all(sum(a <= v <= b for a, b in bands) == 1 for v in range(lo, hi + 1, step))


@st.composite
def layouts(draw: st.DrawFn) -> tuple[int, int, int, list[tuple[int, int]]]:
    """A valid partition of the range, then, half of the time, one random disturbance."""
    lo = draw(st.integers(-20, 20))
    step = draw(st.integers(1, 7))
    count = draw(st.integers(1, 8))
    hi = lo + step * count
    values = list(range(lo, hi + 1, step))
    starts = sorted({0, *draw(st.lists(st.integers(0, count), max_size=count))})
    ends = [s - 1 for s in starts[1:]] + [count]
    bands = [(values[a], values[b]) for a, b in zip(starts, ends, strict=True)]
    # Widening a band's start into the gap before it (no allowed value there) keeps it valid.
    for i in range(1, len(bands)):
        a, b = bands[i]
        bands[i] = (a - draw(st.integers(0, a - bands[i - 1][1] - 1)), b)
    disturbance = draw(st.sampled_from(["none", "shift", "drop", "swap", "copy", "outside"]))
    if disturbance == "shift":
        i = draw(st.integers(0, len(bands) - 1))
        a, b = bands[i]
        bands[i] = (a + draw(st.integers(-step, step)), b + draw(st.integers(-step, step)))
    elif disturbance == "drop" and len(bands) > 1:
        del bands[draw(st.integers(0, len(bands) - 1))]
    elif disturbance == "swap" and len(bands) > 1:
        i = draw(st.integers(0, len(bands) - 2))
        bands[i], bands[i + 1] = bands[i + 1], bands[i]
    elif disturbance == "copy":
        bands.append(bands[draw(st.integers(0, len(bands) - 1))])
    elif disturbance == "outside":
        bands.append((hi + 1, hi + draw(st.integers(1, 3))))
    return lo, hi, step, bands


@settings(max_examples=150, deadline=None)
@given(layouts())
def test_random_band_layouts(layout: tuple[int, int, int, list[tuple[int, int]]]) -> None:
    lo, hi, step, bands = layout
    files = _with_bands(lo, hi, step, bands)
    if not _valid(lo, hi, step, bands):
        with pytest.raises(MethodologyError) as caught:
            load_from_files("mini", files)
        assert all(f.path == "mini/methodology.yaml" for f in caught.value.findings)
        return
    loaded = load_from_files("mini", files)
    panel = loaded.scale("panel")
    assert [(b.low, b.high) for b in panel.bands] == bands
    assert all(panel.band_for(v) is not None for v in panel.values())


def test_a_known_valid_and_a_known_invalid_layout() -> None:
    # Anchors for the property above, so that it cannot pass by always agreeing on "invalid".
    load_from_files("mini", _with_bands(0, 10, 5, [(0, 4), (5, 9), (10, 10)]))
    with pytest.raises(MethodologyError) as caught:
        load_from_files("mini", _with_bands(0, 10, 5, [(0, 4), (6, 10)]))
    assert "value 5 of the range is in no band" in only(caught.value.findings).message
