"""Gaps between perspectives: where two respondent groups see the same criterion
differently (pure).

The pairs a service head asks about first: staff against clients, managers against
staff, and the organisation's own consensus against everyone else (the group-weighted
composite of the other groups' scores for the same node, §3.7). A gap exists only where
both sides have a score; gaps are sorted by their size, largest first.
"""

from __future__ import annotations

from dataclasses import dataclass

from qms.methodology.model import Methodology

from .cycle import CycleScores
from .stats import weighted_mean

OTHERS = "*"  # the right-hand side "everyone else"
PAIRS: tuple[tuple[str, str], ...] = (
    ("staff", "clients"),
    ("managers", "staff"),
)


@dataclass(frozen=True)
class Gap:
    node: str
    left: str  # a group id
    right: str  # a group id, or OTHERS
    left_score: float
    right_score: float

    @property
    def gap(self) -> float:
        return self.left_score - self.right_score


def pairs(m: Methodology) -> list[tuple[str, str]]:
    """The pairs this methodology has groups for, in the order above."""
    ids = {g.id for g in m.groups}
    found = [(a, b) for a, b in PAIRS if a in ids and b in ids]
    found.extend((g.id, OTHERS) for g in m.groups if g.is_consensus)
    return found


def _others(m: Methodology, scores: CycleScores, node: str, group: str) -> float | None:
    return weighted_mean(
        (g.weight, s)
        for g in m.groups
        if g.id != group and (s := scores.score(node, g.id)) is not None
    )


def gaps(m: Methodology, scores: CycleScores) -> list[Gap]:
    """Every gap of every criterion and sub-criterion, the largest first."""
    found: list[Gap] = []
    nodes = [n for c in m.criteria for n in (c, *c.subcriteria)]
    for left, right in pairs(m):
        for node in nodes:
            a = scores.score(node.id, left)
            b = (
                _others(m, scores, node.id, left)
                if right == OTHERS
                else scores.score(node.id, right)
            )
            if a is not None and b is not None:
                found.append(Gap(node.id, left, right, a, b))
    # Stable: equal gaps keep the pair and methodology order.
    return sorted(found, key=lambda g: -abs(g.gap))
