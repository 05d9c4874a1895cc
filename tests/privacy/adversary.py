"""The adversary's verdict over one world's history: every attack, every leak found."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from qms.methodology.model import Methodology
from tests.privacy.attacks import Leak, respondent_attacks
from tests.privacy.comment_attacks import comment_attacks
from tests.privacy.records import Observation
from tests.privacy.row_attacks import row_attacks

# Kinds of leak found in the tree and reported, not fixed yet, each with a reproduction in
# tests/privacy/test_found_leaks.py marked xfail(strict=True). The machines leave these
# kinds out, so that they go on hunting for others; when a fix makes a reproduction pass
# (the strict xfail then fails), remove its mark and its kind here.
REPORTED: dict[str, str] = {}


def cycle_leaks(
    history: Sequence[Observation],
    m: Methodology,
    hidden: Collection[str] = (),
    ignore: Collection[str] = (),
) -> list[Leak]:
    """Every attack on respondents over the history; `hidden`: the comments a head hid;
    `ignore`: kinds of leak not to report (see REPORTED)."""
    min_n = {g.id: g.min_n for g in m.groups}
    found = [
        *respondent_attacks(history, min_n),
        *row_attacks(history, m, min_n),
        *comment_attacks(history, m, min_n, hidden),
    ]
    return [leak for leak in found if leak.attack not in ignore]


def only(leaks: Sequence[Leak], *attacks: str) -> list[Leak]:
    return [leak for leak in leaks if leak.attack in attacks]


ROW_ATTACKS = (
    "threshold",
    "k-anonymity",
    "breakdown-link",
    "labels",
    "row-order",
    "merge",
    "row-difference",
    "comment-on-row",
    "comment-threshold",
    "comment-hidden",
)


def report(leaks: Sequence[Leak], limit: int = 12) -> str:
    lines = [str(leak) for leak in leaks[:limit]]
    if len(leaks) > limit:
        lines.append(f"... and {len(leaks) - limit} more")
    return "\n".join(lines)
