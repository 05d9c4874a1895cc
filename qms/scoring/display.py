"""Formatting of scores for people (§3.9: computed in full precision, shown with one decimal)."""

from __future__ import annotations

import math

# An en dash, not a hyphen: it reads as "no value" rather than as a minus sign.
ABSENT = "–"


def fmt1(x: float | None) -> str:
    """One decimal, or "–" for an absent (or non-finite) value.

    Uses Python's round-half-even of the binary value ("{:.1f}"): it is the
    display of a full-precision number, never fed back into any computation.
    A result of "-0.0" (a tiny negative delta) is shown as "0.0".
    """
    if x is None or not math.isfinite(x):
        return ABSENT
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text
